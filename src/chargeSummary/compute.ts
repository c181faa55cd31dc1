/**
 * Charge summaries (SPEC §6), computed by streaming: calls go in one at a time through
 * `ChargeSummaryBuilder.add`, and `finish` turns the totals plus the account's numbers into the
 * summary. Memory grows with the clients and the chart bars (days or months), never with the calls.
 * Amounts are rounded by the rule in cents.ts.
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
import { addCall, emptyTotals, type UsageTotals } from '../aggregate';
import { parseTimestamp, type Call } from '../calls';
import { prorateUnits, toAmount, toCents, type Units } from '../money';
import type { PhoneNumberInfo } from '../numbers';
import { publicPeriod } from '../periods';
import { addToBars, barSlots, clientChart, newBarSeries, timeChart, type BarSeries, type BarSlot } from './chart';
import { clientOfCall, clientOfNumber, UNASSIGNED } from './clients';
import { allocateCents, chargesOf, emptyCharges, ROUNDING_RULE, toPublicLine } from './cents';
import { round4 } from './format';
import { linesOf } from './lines';
import { periodShare, prorateMonthly, PRORATION_RULE } from './proration';
import type {
	ChargeSummary,
	ChargeSummaryConfig,
	ChargeSummaryResult,
	Chart,
	ClientRow,
	PlanInfo,
	UsageSummary,
} from './types';

const ATTRIBUTION_REPORTED =
	'Each call is charged to the first client rule that matches it, each rented number to the first rule matching the number or one of its assistants; everything else is Unassigned. Markup is a percentage of the client\'s own calls and rentals.';
const ATTRIBUTION_PLAN =
	'Each call is charged to the first client rule that matches it, each rented number to the first rule matching the number or one of its assistants; everything else is Unassigned. The plan fee and overage are shared in proportion to billable minutes (whole cents, largest remainder), carrier costs and rentals are each client\'s own, and markup is a percentage of the client\'s own lines.';

const MAX_MATCH_CACHE = 50_000;

interface Bucket {
	name: string | null;
	markupPercent: number;
	markupUnits: Units;
	configured: boolean;
	totals: UsageTotals;
	bars: BarSeries;
}

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
		return { name, markupPercent, markupUnits, configured, totals: emptyTotals(), bars: newBarSeries(this.slots) };
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

	/** Adds one call of the period (the caller filters by period). */
	add(call: Call): void {
		addCall(this.overallTotals, call);
		const bucket = this.buckets[this.bucketIndexOf(call)];
		addCall(bucket.totals, call);
		addToBars(bucket.bars, this.slots, call);
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
						planFee: toAmount(plan.planFee),
						overageRate: toAmount(plan.overageRate),
					}
				: null;

		const bucketLines = this.buckets.map((bucket, index) =>
			linesOf({
				currency,
				share,
				totals: bucket.totals,
				numbers: rentals[index],
				markupPercent: bucket.markupPercent,
				markupUnits: bucket.markupUnits,
				plan:
					pricingMode === 'plan' && plan
						? {
								terms: plan,
								feeUnits: planFeeUnits,
								includedSeconds,
								overageSeconds,
								fraction: fractions[index],
								feeCents: planFeeParts[index],
								overageCents: overageParts[index],
							}
						: null,
				client: this.hasClients ? (bucket.name as string) : undefined,
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
			? clientChart(rows, currency)
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
		const series = indexes.map((index) => this.buckets[index].bars);
		const reported = this.config.pricingMode === 'reported';
		return timeChart(this.slots, this.barBy, series, reported, this.config.currency);
	}
}
