/**
 * Charge summaries (SPEC §6), computed by streaming: calls go in one at a time through
 * `ChargeSummaryBuilder.add`, and `finish` turns the totals plus the account's numbers into the
 * summary. Memory grows with the clients and the chart bars (days or months), never with the calls.
 *
 * ROUNDING RULE: every line is computed exactly in 1e-8 units and rounded once to the cent (half away
 * from zero); every total is the sum of the rounded lines. So `charges.total` equals the sum of
 * `lines[].amount` to the cent, and the clients of `byClient` add up to the account total.
 *
 * ATTRIBUTION (agencies): each call belongs to the first client rule that matches it, each rented
 * number to the first rule matching the number or one of its assistants, the rest to `Unassigned`.
 * Reported call costs, carrier costs and rentals are each client's own. In plan mode the plan fee and
 * the overage are account-level: they are shared by the clients in proportion to billable seconds, in
 * whole cents by the largest-remainder method (ties to the larger user, then the earlier client), so the
 * clients' shares add up exactly to the account's line. With no billable seconds at all the shares are
 * equal among the configured clients. A client's markup is `markupPercent` of its own lines (calls and
 * rentals), rounded to the cent, as a `markup` line.
 */
import { DateTime } from 'luxon';
import { addCall, emptyTotals, type UsageTotals } from '../aggregate';
import { parseTimestamp, type Call } from '../calls';
import { formatCents, formatMoney, prorateUnits, toCents, type Units } from '../money';
import type { PhoneNumberInfo } from '../numbers';
import { publicPeriod, type Period, type ResolvedPeriod } from '../periods';
import { clientOfCall, clientOfNumber, UNASSIGNED, type ClientRules } from '../clients';
import type { PlanTerms, PricingMode } from './plans';
import { periodShare, prorateMonthly, PRORATION_RULE, type PeriodShare } from './proration';

export type LineKind = 'calls' | 'carrier' | 'platform' | 'planFee' | 'overage' | 'numberRental' | 'markup';

export interface ChargeLine {
	kind: LineKind;
	description: string;
	quantity: number;
	unit: string;
	unitPrice: number;
	/** Rounded to the cent. */
	amount: number;
	/** Present when client rules are used. */
	client?: string;
}

export interface Charges {
	/** platform + carrier: what the calls cost (in plan mode: plan fee + overage + carrier). */
	calls: number;
	carrier: number;
	/** reported mode: reported total − carrier; plan mode: plan fee + overage. */
	platform: number;
	planFee: number;
	overage: number;
	numberRentals: number;
	markup: number;
	total: number;
}

export interface UsageSummary {
	calls: number;
	talkMinutes: number;
	billableMinutes: number;
	/** Plan mode: included minutes for the period (prorated like the plan fee); reported mode: null. */
	includedMinutes: number | null;
	/** Plan mode: billable minutes beyond the included ones (a client's share in a client summary); reported mode: null. */
	overageMinutes: number | null;
}

export interface ClientRow {
	client: string;
	calls: number;
	talkMinutes: number;
	billableMinutes: number;
	markupPercent: number;
	charges: Charges;
	total: number;
}

export interface ChartBar {
	label: string;
	value: number;
	display: string;
}

export interface Chart {
	by: 'day' | 'month' | 'client';
	metric: 'reportedCost' | 'billableMinutes' | 'charges';
	title: string;
	bars: ChartBar[];
}

export interface PlanInfo {
	name: string;
	label: string;
	includedMinutes: number;
	planFee: number;
	overageRate: number;
}

export interface ChargeSummary {
	period: Period;
	currency: string;
	pricingMode: PricingMode;
	plan: PlanInfo | null;
	/** The client of a per-client summary; null for the account summary. */
	client: string | null;
	usage: UsageSummary;
	charges: Charges;
	lines: ChargeLine[];
	byClient: ClientRow[];
	proration: { rule: string; applied: string; months: number };
	attribution: string | null;
	roundingRule: string;
	/** Data of the HTML bar chart (not part of the node's JSON output). */
	chart: Chart;
}

export interface ChargeSummaryResult {
	/** The whole account; with client rules its lines are the clients' lines, each with `client`. */
	overall: ChargeSummary;
	/** One summary per client (configured clients in order, then Unassigned if it has calls or numbers); empty without rules. */
	clients: ChargeSummary[];
}

export interface ChargeSummaryConfig {
	period: ResolvedPeriod;
	currency: string;
	pricingMode: PricingMode;
	/** Required in plan mode. */
	plan?: PlanTerms;
	/** Client rules (parseClientRules); none or empty = no agency breakdown. */
	clients?: ClientRules;
	/** The credential's billing cycle day (for "one whole billing cycle"); default 1. */
	billingCycleDay?: number;
}

export const ROUNDING_RULE =
	'Each line is computed exactly and rounded once to the cent (half away from zero); totals are sums of the rounded lines, so charges.total equals the sum of lines[].amount.';

const ATTRIBUTION_REPORTED =
	'Each call is charged to the first client rule that matches it, each rented number to the first rule matching the number or one of its assistants; everything else is Unassigned. Markup is a percentage of the client\'s own calls and rentals.';
const ATTRIBUTION_PLAN =
	'Each call is charged to the first client rule that matches it, each rented number to the first rule matching the number or one of its assistants; everything else is Unassigned. The plan fee and overage are shared in proportion to billable minutes (whole cents, largest remainder), carrier costs and rentals are each client\'s own, and markup is a percentage of the client\'s own lines.';

const MAX_DAY_BARS = 62;
const MAX_MATCH_CACHE = 50_000;
const round4 = (value: number) => Number(value.toFixed(4));
const unitsToNumber = (units: Units) => Number((units / 1e8).toFixed(8));

interface BarSlot {
	label: string;
	startMs: number;
}

interface Bucket {
	name: string | null;
	markupPercent: number;
	markupUnits: Units;
	configured: boolean;
	totals: UsageTotals;
	barCalls: Float64Array;
	barSeconds: Float64Array;
	barCost: Float64Array;
}

function barSlots(period: ResolvedPeriod): { by: 'day' | 'month'; slots: BarSlot[] } {
	const zone = period.timezone;
	const start = DateTime.fromMillis(period.startMs, { zone });
	const end = DateTime.fromMillis(period.endMs, { zone });
	const dayCount = Math.ceil(end.diff(start.startOf('day'), 'days').days);
	const by = dayCount <= MAX_DAY_BARS ? 'day' : 'month';
	const slots: BarSlot[] = [];
	for (let at = start.startOf(by); at < end; at = at.plus(by === 'day' ? { days: 1 } : { months: 1 })) {
		slots.push({ label: at.toFormat(by === 'day' ? 'ccc d LLL' : 'LLL yyyy'), startMs: at.toMillis() });
	}
	return { by, slots };
}

/**
 * Splits `total` cents in proportion to `weights` (non-negative integers) by the largest-remainder
 * method: floors first, then the remaining cents one each to the largest remainders (ties: larger
 * weight, then lower index). The parts always add up to `total`. All weights 0 → all parts 0 except
 * that the caller must choose other weights; returns null then.
 */
export function allocateCents(total: number, weights: number[]): number[] | null {
	const sum = weights.reduce((a, b) => a + b, 0);
	if (sum <= 0) return null;
	const bigTotal = BigInt(total);
	const bigSum = BigInt(sum);
	const parts = weights.map((weight) => {
		const product = bigTotal * BigInt(weight);
		return { floor: product / bigSum, remainder: product % bigSum, weight };
	});
	let left = total - parts.reduce((acc, part) => acc + Number(part.floor), 0);
	const order = parts
		.map((part, index) => ({ ...part, index }))
		.sort((a, b) =>
			a.remainder !== b.remainder ? (b.remainder > a.remainder ? 1 : -1) : b.weight - a.weight || a.index - b.index,
		);
	const result = parts.map((part) => Number(part.floor));
	for (const entry of order) {
		if (left <= 0) break;
		result[entry.index] += 1;
		left -= 1;
	}
	return result;
}

function emptyCharges(): Charges {
	return { calls: 0, carrier: 0, platform: 0, planFee: 0, overage: 0, numberRentals: 0, markup: 0, total: 0 };
}

/** Charges (in cents) from lines (in cents). */
function chargesOf(lines: Array<{ kind: LineKind; cents: number }>): Charges {
	const cents = { calls: 0, carrier: 0, platform: 0, planFee: 0, overage: 0, numberRentals: 0, markup: 0 };
	for (const line of lines) {
		if (line.kind === 'numberRental') cents.numberRentals += line.cents;
		else if (line.kind === 'calls') cents.calls += line.cents;
		else cents[line.kind] += line.cents;
	}
	const platform = cents.platform + cents.planFee + cents.overage;
	const calls = cents.calls + platform + cents.carrier;
	const total = calls + cents.numberRentals + cents.markup;
	return {
		calls: calls / 100,
		carrier: cents.carrier / 100,
		platform: platform / 100,
		planFee: cents.planFee / 100,
		overage: cents.overage / 100,
		numberRentals: cents.numberRentals / 100,
		markup: cents.markup / 100,
		total: total / 100,
	};
}

interface CentLine {
	kind: LineKind;
	description: string;
	quantity: number;
	unit: string;
	unitPrice: number;
	cents: number;
	client?: string;
}

const toPublicLine = (line: CentLine): ChargeLine => {
	const result: ChargeLine = {
		kind: line.kind,
		description: line.description,
		quantity: line.quantity,
		unit: line.unit,
		unitPrice: line.unitPrice,
		amount: line.cents / 100,
	};
	if (line.client !== undefined) result.client = line.client;
	return result;
};

export class ChargeSummaryBuilder {
	private readonly buckets: Bucket[] = [];
	private readonly overallTotals = emptyTotals();
	private readonly slots: BarSlot[];
	private readonly barBy: 'day' | 'month';
	private readonly matchCache = new Map<string, number>();
	private readonly hasClients: boolean;

	constructor(readonly config: ChargeSummaryConfig) {
		if (config.pricingMode === 'plan' && !config.plan) throw new Error('plan mode needs plan terms');
		const { by, slots } = barSlots(config.period);
		this.barBy = by;
		this.slots = slots;
		const clients = config.clients?.clients ?? [];
		this.hasClients = clients.length > 0;
		for (const client of clients) this.buckets.push(this.newBucket(client.name, client.markupPercent, client.markupUnits, true));
		this.buckets.push(this.newBucket(this.hasClients ? UNASSIGNED : null, 0, 0, false));
	}

	private newBucket(name: string | null, markupPercent: number, markupUnits: Units, configured: boolean): Bucket {
		const size = this.slots.length;
		return {
			name,
			markupPercent,
			markupUnits,
			configured,
			totals: emptyTotals(),
			barCalls: new Float64Array(size),
			barSeconds: new Float64Array(size),
			barCost: new Float64Array(size),
		};
	}

	private bucketIndexOf(call: Call): number {
		if (!this.hasClients) return 0;
		const key = `${call.assistantName ?? '\u0001'}\u0000${call.campaignName ?? '\u0001'}\u0000${call.assistantPhoneNumber ?? '\u0001'}`;
		const cached = this.matchCache.get(key);
		if (cached !== undefined) return cached;
		const client = clientOfCall(this.config.clients?.rules ?? [], call);
		const index = client < 0 ? this.buckets.length - 1 : client;
		if (this.matchCache.size < MAX_MATCH_CACHE) this.matchCache.set(key, index);
		return index;
	}

	private slotOf(ms: number): number {
		const slots = this.slots;
		let low = 0;
		let high = slots.length - 1;
		if (high < 0 || ms < slots[0].startMs) return 0;
		while (low < high) {
			const mid = (low + high + 1) >> 1;
			if (slots[mid].startMs <= ms) low = mid;
			else high = mid - 1;
		}
		return low;
	}

	/** Adds one call of the period (the caller filters by period). */
	add(call: Call): void {
		addCall(this.overallTotals, call);
		const bucket = this.buckets[this.bucketIndexOf(call)];
		addCall(bucket.totals, call);
		if (this.slots.length === 0) return;
		const slot = this.slotOf(call.createdAt);
		bucket.barCalls[slot] += 1;
		bucket.barSeconds[slot] += call.billableSeconds;
		bucket.barCost[slot] += call.totalCost;
	}

	/** The summary, given the account's numbers (describePhoneNumbers); only rented ones are charged. */
	finish(numbers: PhoneNumberInfo[]): ChargeSummaryResult {
		const { period, currency, pricingMode } = this.config;
		const plan = this.config.plan;
		const share = periodShare(period, this.config.billingCycleDay ?? 1);
		const rules = this.config.clients?.rules ?? [];
		const unassigned = this.buckets.length - 1;

		// Rented numbers per bucket (numbers created after the period are left out).
		const rentals: PhoneNumberInfo[][] = this.buckets.map(() => []);
		for (const number of numbers) {
			if (!number.rented) continue;
			const created = number.createdAt ? parseTimestamp(number.createdAt) : NaN;
			if (!Number.isNaN(created) && created >= period.endMs) continue;
			const client = this.hasClients ? clientOfNumber(rules, number) : 0;
			rentals[client < 0 ? unassigned : client].push(number);
		}

		// Plan terms for the period, and the account-level plan fee and overage, split over buckets.
		let planFeeUnits = 0;
		let includedSeconds = 0;
		let overageSeconds = 0;
		let overageUnits = 0;
		let planFeeParts: number[] = this.buckets.map(() => 0);
		let overageParts: number[] = this.buckets.map(() => 0);
		let fractions: number[] = this.buckets.map(() => 0);
		if (pricingMode === 'plan' && plan) {
			planFeeUnits = prorateMonthly(plan.planFee, share);
			includedSeconds = prorateMonthly(plan.includedSeconds, share);
			overageSeconds = Math.max(0, this.overallTotals.billableSeconds - includedSeconds);
			overageUnits = prorateUnits(plan.overageRate, overageSeconds, 60);
			let weights = this.buckets.map((bucket) => bucket.totals.billableSeconds);
			if (weights.every((weight) => weight === 0)) {
				weights = this.buckets.map((bucket) => (bucket.configured || !this.hasClients ? 1 : 0));
			}
			const weightSum = weights.reduce((a, b) => a + b, 0);
			fractions = weights.map((weight) => weight / weightSum);
			planFeeParts = allocateCents(toCents(planFeeUnits), weights) ?? planFeeParts;
			overageParts = allocateCents(toCents(overageUnits), weights) ?? overageParts;
		}

		const planInfo: PlanInfo | null =
			pricingMode === 'plan' && plan
				? {
						name: plan.name,
						label: plan.label,
						includedMinutes: plan.includedMinutes,
						planFee: unitsToNumber(plan.planFee),
						overageRate: unitsToNumber(plan.overageRate),
					}
				: null;

		const bucketLines = this.buckets.map((bucket, index) =>
			this.linesOf(bucket, rentals[index], share, {
				planFeeUnits,
				planFeeCents: planFeeParts[index],
				overageSeconds,
				overageCents: overageParts[index],
				fraction: fractions[index],
				includedSeconds,
			}),
		);

		const shown = this.buckets
			.map((bucket, index) => ({ bucket, index }))
			.filter(({ bucket, index }) => !this.hasClients || bucket.configured || bucket.totals.calls > 0 || rentals[index].length > 0);

		const rows: ClientRow[] = this.hasClients
			? shown.map(({ bucket, index }) => {
					const charges = chargesOf(bucketLines[index]);
					return {
						client: bucket.name as string,
						calls: bucket.totals.calls,
						talkMinutes: round4(bucket.totals.talkSeconds / 60),
						billableMinutes: round4(bucket.totals.billableSeconds / 60),
						markupPercent: bucket.markupPercent,
						charges,
						total: charges.total,
					};
				})
			: [];

		const base = {
			period: publicPeriod(period),
			currency,
			pricingMode,
			plan: planInfo,
			proration: { rule: PRORATION_RULE, applied: share.description, months: share.months },
			attribution: this.hasClients ? (pricingMode === 'plan' ? ATTRIBUTION_PLAN : ATTRIBUTION_REPORTED) : null,
			roundingRule: ROUNDING_RULE,
		};
		const usageOf = (totals: UsageTotals, fraction: number): UsageSummary => ({
			calls: totals.calls,
			talkMinutes: round4(totals.talkSeconds / 60),
			billableMinutes: round4(totals.billableSeconds / 60),
			includedMinutes: pricingMode === 'plan' ? round4(includedSeconds / 60) : null,
			overageMinutes: pricingMode === 'plan' ? round4((overageSeconds * fraction) / 60) : null,
		});

		const allLines = shown.flatMap(({ index }) => bucketLines[index]);
		const overallChart: Chart = this.hasClients
			? {
					by: 'client',
					metric: 'charges',
					title: 'Charges per client',
					bars: rows.map((row) => ({ label: row.client, value: row.total, display: `${row.total.toFixed(2)} ${currency}` })),
				}
			: this.timeChart(this.buckets.map((_, index) => index));
		const overall: ChargeSummary = {
			...base,
			client: null,
			usage: usageOf(this.overallTotals, 1),
			charges: allLines.length ? chargesOf(allLines) : emptyCharges(),
			lines: allLines.map(toPublicLine),
			byClient: rows,
			chart: overallChart,
		};
		const clients: ChargeSummary[] = this.hasClients
			? shown.map(({ bucket, index }, position) => ({
					...base,
					client: bucket.name,
					usage: usageOf(bucket.totals, fractions[index]),
					charges: rows[position].charges,
					lines: bucketLines[index].map(toPublicLine),
					byClient: [rows[position]],
					chart: this.timeChart([index]),
				}))
			: [];
		return { overall, clients };
	}

	private timeChart(indexes: number[]): Chart {
		const reported = this.config.pricingMode === 'reported';
		const currency = this.config.currency;
		const bars = this.slots.map((slot, position) => {
			let value = 0;
			for (const index of indexes) {
				const bucket = this.buckets[index];
				value += reported ? bucket.barCost[position] : bucket.barSeconds[position];
			}
			return reported
				? { label: slot.label, value: unitsToNumber(value), display: formatMoney(value, currency) }
				: { label: slot.label, value: round4(value / 60), display: `${formatMinutes(value)} min` };
		});
		return {
			by: this.barBy,
			metric: reported ? 'reportedCost' : 'billableMinutes',
			title: `${reported ? 'Reported call cost' : 'Billable minutes'} per ${this.barBy}`,
			bars,
		};
	}

	private linesOf(
		bucket: Bucket,
		numbers: PhoneNumberInfo[],
		share: PeriodShare,
		plan: {
			planFeeUnits: Units;
			planFeeCents: number;
			overageSeconds: number;
			overageCents: number;
			fraction: number;
			includedSeconds: number;
		},
	): CentLine[] {
		const { currency, pricingMode } = this.config;
		const terms = this.config.plan;
		const totals = bucket.totals;
		const client = this.hasClients ? (bucket.name as string) : undefined;
		const withClient = (line: Omit<CentLine, 'client'>): CentLine => (client === undefined ? line : { ...line, client });
		const lines: CentLine[] = [];
		const billableMinutes = totals.billableSeconds / 60;
		const talkMinutes = totals.talkSeconds / 60;
		const callsText = `${totals.calls} ${totals.calls === 1 ? 'call' : 'calls'}`;

		if (pricingMode === 'reported') {
			const platform = totals.totalCost - totals.carrierCost;
			lines.push(
				withClient({
					kind: 'platform',
					description: `Platform cost of ${callsText} as reported, ${formatMinutes(totals.billableSeconds)} billable min`,
					quantity: round4(billableMinutes),
					unit: 'min',
					unitPrice: totals.billableSeconds ? unitsToNumber(prorateUnits(platform, 60, totals.billableSeconds)) : 0,
					cents: toCents(platform),
				}),
			);
		} else if (terms) {
			const fee = formatMoney(terms.planFee, currency);
			const shareText = this.hasClients ? `, ${(plan.fraction * 100).toFixed(2)}% share by billable minutes` : '';
			lines.push(
				withClient({
					kind: 'planFee',
					description: `${terms.label} plan fee (${fee}/month, ${share.description})${shareText}`,
					quantity: this.hasClients ? round4(plan.fraction) : share.months,
					unit: this.hasClients ? 'share' : 'month',
					unitPrice: this.hasClients ? unitsToNumber(plan.planFeeUnits) : unitsToNumber(terms.planFee),
					cents: plan.planFeeCents,
				}),
			);
			const includedText = share.whole
				? `${formatNumber(terms.includedMinutes)} included`
				: `${formatMinutes(plan.includedSeconds)} included (${formatNumber(terms.includedMinutes)}/month ${share.description})`;
			const overageText = `${formatMinutes(plan.overageSeconds)} min over ${includedText} × ${formatMoney(terms.overageRate, currency)}/min`;
			lines.push(
				withClient({
					kind: 'overage',
					description: this.hasClients
						? `Overage: ${(plan.fraction * 100).toFixed(2)}% share of ${overageText}`
						: `Overage: ${overageText}`,
					quantity: round4((plan.overageSeconds * (this.hasClients ? plan.fraction : 1)) / 60),
					unit: 'min',
					unitPrice: unitsToNumber(terms.overageRate),
					cents: plan.overageCents,
				}),
			);
		}
		lines.push(
			withClient({
				kind: 'carrier',
				description: `Carrier (telephony) cost of ${callsText} as reported, ${formatMinutes(totals.talkSeconds)} talk min`,
				quantity: round4(talkMinutes),
				unit: 'min',
				unitPrice: totals.talkSeconds ? unitsToNumber(prorateUnits(totals.carrierCost, 60, totals.talkSeconds)) : 0,
				cents: toCents(totals.carrierCost),
			}),
		);

		// Number rentals: one line per monthly fee, highest first.
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
		for (const [fee, group] of [...byFee.entries()].sort((a, b) => b[0] - a[0])) {
			const perNumber = prorateMonthly(fee, share);
			const countries = group.countries.size ? ` (${[...group.countries].sort().join(', ')})` : '';
			lines.push(
				withClient({
					kind: 'numberRental',
					description: `Number rental: ${group.count} ${group.count === 1 ? 'number' : 'numbers'}${countries} × ${formatMoney(fee, currency)}/month, ${share.description}`,
					quantity: group.count,
					unit: 'number',
					unitPrice: unitsToNumber(perNumber),
					cents: toCents(perNumber * group.count),
				}),
			);
		}

		if (bucket.markupPercent > 0) {
			const baseCents = lines.reduce((sum, line) => sum + line.cents, 0);
			// markup = base × percent / 100, exactly: percent is held in 1e-8 units.
			const markupUnits = prorateUnits(baseCents * 1_000_000, bucket.markupUnits, 100 * 100_000_000);
			lines.push(
				withClient({
					kind: 'markup',
					description: `Markup ${formatNumber(bucket.markupPercent)}% on ${formatCents(baseCents * 1_000_000)} ${currency}`,
					quantity: bucket.markupPercent,
					unit: '%',
					unitPrice: baseCents / 100,
					cents: toCents(markupUnits),
				}),
			);
		}
		return lines;
	}
}

function formatNumber(value: number): string {
	return String(Number(value.toFixed(4)));
}

/** Seconds as minutes with at most 2 decimals, e.g. "12.5". */
export function formatMinutes(seconds: number): string {
	return String(Number((seconds / 60).toFixed(2)));
}
