/**
 * The small print of a charge summary, in its language: how monthly fees were counted and lines
 * rounded; with VAT, how it was computed, and the reverse-charge note where it applies; in the account
 * summary of several clients, how calls and numbers were attributed (for the agency, not its clients).
 */
import type { Locale } from '../i18n';
import type { PricingMode } from './plans';
import type { ChargeSummary } from './types';

/** The notes of `summary`; `applied` says how the monthly fees were counted (shareText in proration.ts). */
export function notesOf(summary: ChargeSummary, applied: string, pricingMode: PricingMode, locale: Locale): string[] {
	const words = locale.m.chargeSummary;
	const notes = [words.notes.monthlyFees(applied), words.notes.rounding];
	const account = summary.client === null && summary.byClient.length > 0;
	const rows = account ? summary.byClient : [];
	const withVat = summary.vatPercent !== null || summary.reverseCharge || rows.some((row) => row.vatPercent !== null);
	if (withVat) notes.push(words.notes.vat(account));
	if (summary.reverseCharge) notes.push(words.reverseChargeNote);
	else if (rows.some((row) => row.reverseCharge)) {
		notes.push(
			words.reverseChargeClients(
				rows
					.filter((row) => row.reverseCharge)
					.map((row) => row.client)
					.join(', '),
			),
		);
	}
	if (account) notes.push(pricingMode === 'plan' ? words.notes.attributionPlan : words.notes.attributionReported);
	return notes;
}
