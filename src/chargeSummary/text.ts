/**
 * The summary as text, in its language: Slack-ready Markdown by default (Slack "mrkdwn": *bold*,
 * _italic_, • bullets), or plain text for email, SMS, Teams or a spreadsheet cell (Options → Text
 * Format). Amounts with 2 decimals and the currency. In Slack text, `&`, `<` and `>` in user-controlled
 * text are escaped as Slack requires, so a client or assistant name can never become a link or an
 * @channel mention; plain text is left as it is.
 */
import { localeOf, type Locale } from '../i18n';
import { minutesText } from './format';
import type { ChargeLine, ChargeSummary, Charges, ClientRow } from './types';

export type TextFormat = 'slack' | 'plain';
export const TEXT_FORMATS: readonly TextFormat[] = ['slack', 'plain'];

export function escapeSlack(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export const localeOfSummary = (summary: ChargeSummary): Locale => localeOf(summary.language ?? 'en');

export function pricingText(summary: ChargeSummary): string {
	const l = localeOfSummary(summary);
	const plan = summary.plan;
	if (!plan) return l.m.chargeSummary.reportedCosts;
	const fee = l.amount(plan.planFee, summary.currency);
	const included = l.num(minutesText(plan.includedMinutes));
	// The rate as Famulor publishes it ("0.15"), with the currency.
	const rate =
		l.language === 'en' ? `${plan.overageRate} ${summary.currency}` : l.amount(plan.overageRate, summary.currency);
	return l.m.chargeSummary.planPricing(plan.label, included, fee, rate);
}

export function usageText(summary: ChargeSummary): string {
	const l = localeOfSummary(summary);
	const usage = summary.usage;
	const words = l.m.chargeSummary;
	const base = words.usageText(
		l.calls(usage.calls),
		l.num(minutesText(usage.talkMinutes)),
		l.num(minutesText(usage.billableMinutes)),
	);
	if (usage.includedMinutes === null) return base;
	const included = l.num(minutesText(usage.includedMinutes));
	const over = l.num(minutesText(usage.overageMinutes ?? 0));
	return base + words.usagePlan(included, over, summary.client !== null);
}

/** Components of the charges, for the account summary of several clients. */
export function componentRows(
	charges: Charges,
	plan: boolean,
	locale: Locale = localeOf('en'),
): Array<{ label: string; amount: number }> {
	const words = locale.m.chargeSummary.components;
	const rows = plan
		? [
				{ label: words.planFee, amount: charges.planFee },
				{ label: words.overage, amount: charges.overage },
			]
		: [{ label: words.platform, amount: charges.platform }];
	rows.push({ label: words.carrier, amount: charges.carrier });
	rows.push({ label: words.numberRentals, amount: charges.numberRentals });
	if (charges.markup) rows.push({ label: words.markup, amount: charges.markup });
	return rows;
}

/** Whether the summary shows VAT: a rate or reverse charge is set for it or for one of its clients. */
export function hasVat(summary: ChargeSummary): boolean {
	return (
		summary.vatPercent !== null ||
		summary.reverseCharge ||
		summary.charges.vat !== 0 ||
		summary.byClient.some((row) => row.vatPercent !== null || row.reverseCharge)
	);
}

/** "VAT 19%", "VAT 0% (reverse charge)", or "VAT" for clients with different rates. */
export function vatLabel(locale: Locale, vatPercent: number | null, reverseCharge: boolean): string {
	const words = locale.m.chargeSummary;
	if (reverseCharge) return words.reverseChargeVat;
	return vatPercent === null ? words.headers.vat : words.vat(locale.percent(vatPercent));
}

/** The notes the text shows: all but the client attribution (for the agency's HTML report). */
export function textNotes(summary: ChargeSummary): string[] {
	const words = localeOfSummary(summary).m.chargeSummary.notes;
	return summary.notes.filter((note) => note !== words.attributionPlan && note !== words.attributionReported);
}

interface Marks {
	bold(text: string): string;
	italic(text: string): string;
	escape(text: string): string;
}

function marksOf(format: TextFormat): Marks {
	return format === 'slack'
		? { bold: (text) => `*${text}*`, italic: (text) => `_${text}_`, escape: escapeSlack }
		: { bold: (text) => text, italic: (text) => text, escape: (text) => text };
}

function lineText(line: ChargeLine, currency: string, l: Locale, marks: Marks): string {
	return `• ${marks.escape(line.description)}: ${l.amount(line.amount, currency)}`;
}

function clientRowText(row: ClientRow, currency: string, l: Locale, marks: Marks, vat: boolean): string {
	const markup = row.markupPercent ? l.percent(row.markupPercent) : null;
	const text = l.m.chargeSummary.clientRow(
		marks.escape(row.client),
		l.amount(row.total, currency),
		l.calls(row.calls),
		l.num(minutesText(row.billableMinutes)),
		markup,
	);
	if (!vat) return text;
	const label = vatLabel(l, row.vatPercent, row.reverseCharge);
	const gross = `${l.m.chargeSummary.headers.gross}: ${l.amount(row.gross, currency)}`;
	return `${text}, ${label}: ${l.amount(row.vat, currency)}, ${gross}`;
}

export function renderText(summary: ChargeSummary, format: TextFormat = 'slack'): string {
	const l = localeOfSummary(summary);
	const words = l.m.chargeSummary;
	const marks = marksOf(format);
	const { currency } = summary;
	const out: string[] = [
		marks.bold(words.textTitle(summary.client === null ? null : marks.escape(summary.client))),
		`${marks.bold(`${words.period}:`)} ${marks.escape(summary.period.label)} (${marks.escape(summary.period.timezone)})`,
		`${marks.bold(`${words.pricing}:`)} ${marks.escape(pricingText(summary))}`,
		`${marks.bold(`${words.usage}:`)} ${usageText(summary)}`,
		'',
		marks.bold(words.charges),
	];
	const severalClients = summary.client === null && summary.byClient.length > 0;
	if (severalClients) {
		for (const row of componentRows(summary.charges, summary.plan !== null, l)) {
			out.push(`• ${row.label}: ${l.amount(row.amount, currency)}`);
		}
	} else {
		for (const line of summary.lines) out.push(lineText(line, currency, l, marks));
	}
	const vat = hasVat(summary);
	if (vat) {
		const { charges } = summary;
		out.push(`${words.net}: ${l.amount(charges.net, currency)}`);
		out.push(`${vatLabel(l, summary.vatPercent, summary.reverseCharge)}: ${l.amount(charges.vat, currency)}`);
		out.push(marks.bold(`${words.gross}: ${l.amount(charges.gross, currency)}`));
	} else {
		out.push(marks.bold(`${words.total}: ${l.amount(summary.charges.total, currency)}`));
	}
	if (severalClients) {
		out.push('', marks.bold(words.byClient));
		for (const row of summary.byClient) out.push(clientRowText(row, currency, l, marks, vat));
	}
	out.push('', marks.italic(marks.escape(textNotes(summary).join(' '))));
	return out.join('\n');
}
