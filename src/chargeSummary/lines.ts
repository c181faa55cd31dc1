/**
 * The charge lines of one bucket (the whole account, or one client): what its calls cost (reported
 * mode: the platform line; plan mode: its part of the plan fee and of the overage), the carrier line,
 * one line per monthly rental fee (highest first), and the markup on all of them. Each amount is
 * computed exactly in 1e-8 units and rounded once to the cent (cents.ts).
 */
import type { UsageTotals } from '../aggregate';
import { formatMoney, prorateUnits, toAmount, toCents, UNITS_PER_CENT, UNITS_PER_CURRENCY, type Units } from '../money';
import type { PhoneNumberInfo } from '../numbers';
import { centsToAmount, type CentLine } from './cents';
import { countText, formatMinutes, minutesOf, plainNumber, round4 } from './format';
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
	share: PeriodShare;
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
function platformLine({ totals }: LineInput): CentLine {
	const platform = totals.totalCost - totals.carrierCost;
	const minutes = formatMinutes(totals.billableSeconds);
	return {
		kind: 'platform',
		description: `Platform cost of ${countText(totals.calls, 'call')} as reported, ${minutes} billable min`,
		quantity: minutesOf(totals.billableSeconds),
		unit: 'min',
		unitPrice: perMinute(platform, totals.billableSeconds),
		cents: toCents(platform),
	};
}

/** Plan mode: the plan fee and the overage, whole or (with client rules) the bucket's share of them. */
function planLines({ currency, share, client }: LineInput, plan: PlanPart): CentLine[] {
	const { terms } = plan;
	const shared = client !== undefined;
	const sharePercent = `${(plan.fraction * 100).toFixed(2)}%`;
	const fee = formatMoney(terms.planFee, currency);
	const included = share.whole
		? `${plainNumber(terms.includedMinutes)} included`
		: `${formatMinutes(plan.includedSeconds)} included ` +
			`(${plainNumber(terms.includedMinutes)}/month ${share.description})`;
	const overage =
		`${formatMinutes(plan.overageSeconds)} min over ${included} × ` + `${formatMoney(terms.overageRate, currency)}/min`;
	return [
		{
			kind: 'planFee',
			description:
				`${terms.label} plan fee (${fee}/month, ${share.description})` +
				(shared ? `, ${sharePercent} share by billable minutes` : ''),
			quantity: shared ? round4(plan.fraction) : share.months,
			unit: shared ? 'share' : 'month',
			unitPrice: shared ? toAmount(plan.feeUnits) : toAmount(terms.planFee),
			cents: plan.feeCents,
		},
		{
			kind: 'overage',
			description: shared ? `Overage: ${sharePercent} share of ${overage}` : `Overage: ${overage}`,
			quantity: minutesOf(plan.overageSeconds * (shared ? plan.fraction : 1)),
			unit: 'min',
			unitPrice: toAmount(terms.overageRate),
			cents: plan.overageCents,
		},
	];
}

/** The telephony part of the reported call costs, in both modes (the plan does not include it). */
function carrierLine({ totals }: LineInput): CentLine {
	const minutes = formatMinutes(totals.talkSeconds);
	return {
		kind: 'carrier',
		description: `Carrier (telephony) cost of ${countText(totals.calls, 'call')} as reported, ${minutes} talk min`,
		quantity: minutesOf(totals.talkSeconds),
		unit: 'min',
		unitPrice: perMinute(totals.carrierCost, totals.talkSeconds),
		cents: toCents(totals.carrierCost),
	};
}

/** One line per monthly fee, highest first, each prorated over the period like every monthly amount. */
function rentalLines({ numbers, currency, share }: LineInput): CentLine[] {
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
				description:
					`Number rental: ${countText(group.count, 'number')}${countries} × ` +
					`${formatMoney(fee, currency)}/month, ${share.description}`,
				quantity: group.count,
				unit: 'number',
				unitPrice: toAmount(perNumber),
				cents: toCents(perNumber * group.count),
			};
		});
}

/** The client's markup: a percentage of its own lines, already rounded to the cent. */
function markupLine({ markupPercent, markupUnits, currency }: LineInput, baseCents: number): CentLine {
	const baseUnits = baseCents * UNITS_PER_CENT;
	// markup = base × percent / 100, exactly: the percent is held in 1e-8 units.
	const units = prorateUnits(baseUnits, markupUnits, 100 * UNITS_PER_CURRENCY);
	return {
		kind: 'markup',
		description: `Markup ${plainNumber(markupPercent)}% on ${formatMoney(baseUnits, currency)}`,
		quantity: markupPercent,
		unit: '%',
		unitPrice: centsToAmount(baseCents),
		cents: toCents(units),
	};
}
