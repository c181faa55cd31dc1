/**
 * The charge lines of one bucket (the whole account, or one client): what its calls cost (reported
 * mode: the platform line; plan mode: its part of the plan fee and of the overage), the carrier line,
 * one line per monthly rental fee (highest first), and the markup on all of them. Each amount is
 * computed exactly in 1e-8 units and rounded once to the cent (cents.ts).
 */
import type { UsageTotals } from '../aggregate';
import type { Locale } from '../i18n';
import { prorateUnits, toAmount, toCents, UNITS_PER_CENT, UNITS_PER_CURRENCY, type Units } from '../money';
import type { PhoneNumberInfo } from '../numbers';
import { centsToAmount, type CentLine } from './cents';
import { formatMinutes, minutesOf, plainNumber, round4 } from './format';
import type { PlanTerms } from './plans';
import { prorateMonthly, type PeriodShare } from './proration';

/** Plan mode: the account's plan charges for the period. */
export interface AccountPlan {
	terms: PlanTerms;
	/** The plan fee for the period (prorated). */
	feeUnits: Units;
	/** Included seconds for the period (prorated like the fee). */
	includedSeconds: number;
	/** Billable seconds beyond the included ones. */
	overageSeconds: number;
}

/** A bucket's part of the account's plan charges, which are shared in proportion to billable seconds. */
export interface PlanPart extends AccountPlan {
	/** The bucket's share of the plan fee and the overage. */
	fraction: number;
	/** The bucket's share of the plan fee and of the overage in whole cents (allocateCents). */
	feeCents: number;
	overageCents: number;
}

export interface LineInput {
	currency: string;
	/** The words and number formats of the descriptions. */
	locale: Locale;
	share: PeriodShare;
	/** The proration rule applied, in the locale's language ("full month", "anteilig 10/30 Tage"). */
	shareText: string;
	totals: UsageTotals;
	/** The bucket's rented numbers. */
	numbers: PhoneNumberInfo[];
	markupPercent: number;
	/** markupPercent in exact 1e-8 units (ClientInfo.markupUnits). */
	markupUnits: Units;
	/** Plan mode: the bucket's part of the plan charges; reported mode: null. */
	plan: PlanPart | null;
	/**
	 * With client rules, the bucket's client: every line names it, and the plan lines show the client's
	 * share of the account's plan fee and overage. Undefined without client rules.
	 */
	client: string | undefined;
}

export function linesOf(input: LineInput): CentLine[] {
	const lines = input.plan ? planLines(input, input.plan) : [platformLine(input)];
	lines.push(carrierLine(input), ...rentalLines(input));
	if (input.markupPercent > 0)
		lines.push(
			markupLine(
				input,
				lines.reduce((sum, line) => sum + line.cents, 0),
			),
		);
	const client = input.client;
	return client === undefined ? lines : lines.map((line) => ({ ...line, client }));
}

/** The price of one minute when `units` paid for `seconds` (0 without seconds). */
function perMinute(units: Units, seconds: number): number {
	return seconds ? toAmount(prorateUnits(units, 60, seconds)) : 0;
}

/** Reported mode: what Famulor reported for the calls, less the carrier's part. */
function platformLine({ totals, locale }: LineInput): CentLine {
	const platform = totals.totalCost - totals.carrierCost;
	const minutes = locale.num(formatMinutes(totals.billableSeconds));
	return {
		kind: 'platform',
		description: locale.m.chargeSummary.line.platform(locale.calls(totals.calls), minutes),
		quantity: minutesOf(totals.billableSeconds),
		unit: 'min',
		unitPrice: perMinute(platform, totals.billableSeconds),
		cents: toCents(platform),
	};
}

/** Plan mode: the plan fee and the overage, whole or (with client rules) the bucket's share of them. */
function planLines({ currency, share, shareText, client, locale }: LineInput, plan: PlanPart): CentLine[] {
	const { terms } = plan;
	const words = locale.m.chargeSummary.line;
	const shared = client !== undefined;
	const sharePercent = shared ? locale.percent((plan.fraction * 100).toFixed(2)) : null;
	const fee = locale.money(terms.planFee, currency);
	const included = share.whole
		? words.included(locale.num(plainNumber(terms.includedMinutes)), null, shareText)
		: words.included(
				locale.num(formatMinutes(plan.includedSeconds)),
				locale.num(plainNumber(terms.includedMinutes)),
				shareText,
			);
	const rate = locale.money(terms.overageRate, currency);
	return [
		{
			kind: 'planFee',
			description: words.planFee(terms.label, fee, shareText, sharePercent),
			quantity: shared ? round4(plan.fraction) : share.months,
			unit: shared ? 'share' : 'month',
			unitPrice: shared ? toAmount(plan.feeUnits) : toAmount(terms.planFee),
			cents: plan.feeCents,
		},
		{
			kind: 'overage',
			description: words.overage(locale.num(formatMinutes(plan.overageSeconds)), included, rate, sharePercent),
			quantity: minutesOf(plan.overageSeconds * (shared ? plan.fraction : 1)),
			unit: 'min',
			unitPrice: toAmount(terms.overageRate),
			cents: plan.overageCents,
		},
	];
}

/** The telephony part of the reported call costs, in both modes (the plan does not include it). */
function carrierLine({ totals, locale }: LineInput): CentLine {
	const minutes = locale.num(formatMinutes(totals.talkSeconds));
	return {
		kind: 'carrier',
		description: locale.m.chargeSummary.line.carrier(locale.calls(totals.calls), minutes),
		quantity: minutesOf(totals.talkSeconds),
		unit: 'min',
		unitPrice: perMinute(totals.carrierCost, totals.talkSeconds),
		cents: toCents(totals.carrierCost),
	};
}

/** One line per monthly fee, highest first, each prorated over the period like every monthly amount. */
function rentalLines({ numbers, currency, share, shareText, locale }: LineInput): CentLine[] {
	const byFee = new Map<Units, { count: number; countries: Set<string> }>();
	for (const number of numbers) {
		let group = byFee.get(number.monthlyFee);
		if (!group) {
			group = { count: 0, countries: new Set() };
			byFee.set(number.monthlyFee, group);
		}
		group.count += 1;
		if (number.countryCode) group.countries.add(number.countryCode.toUpperCase());
	}
	return [...byFee.entries()]
		.sort((a, b) => b[0] - a[0])
		.map(([fee, group]) => {
			const perNumber = prorateMonthly(fee, share);
			const countries = group.countries.size ? ` (${[...group.countries].sort().join(', ')})` : '';
			return {
				kind: 'numberRental',
				description: locale.m.chargeSummary.line.rental(
					locale.numbers(group.count),
					countries,
					locale.money(fee, currency),
					shareText,
				),
				quantity: group.count,
				unit: 'number',
				unitPrice: toAmount(perNumber),
				cents: toCents(perNumber * group.count),
			};
		});
}

/** The client's markup: a percentage of its own lines, already rounded to the cent. */
function markupLine({ markupPercent, markupUnits, currency, locale }: LineInput, baseCents: number): CentLine {
	const baseUnits = baseCents * UNITS_PER_CENT;
	// markup = base × percent / 100, exactly: the percent is held in 1e-8 units.
	const units = prorateUnits(baseUnits, markupUnits, 100 * UNITS_PER_CURRENCY);
	return {
		kind: 'markup',
		description: locale.m.chargeSummary.line.markup(
			locale.percent(plainNumber(markupPercent)),
			locale.money(baseUnits, currency),
		),
		quantity: markupPercent,
		unit: '%',
		unitPrice: centsToAmount(baseCents),
		cents: toCents(units),
	};
}
