/**
 * Charge summaries (SPEC §6), computed by streaming: calls go in one at a time through
 * `ChargeSummaryBuilder.add`, and `finish` turns the totals plus the account's numbers into the
 * summary. Memory grows with the clients and the chart bars (days or months), never with the calls
 * (the cache of client matches is capped). Lines come from lines.ts, rounded by the rule in cents.ts;
 * plan mode's fee and overage shares from accountPlan.ts, the small print from notes.ts.
 *
 * ATTRIBUTION (agencies): each call belongs to the first client rule that matches it, each rented
 * number to the first rule matching the number or one of its assistants, the rest to `Unassigned`.
 * Reported call costs, carrier costs and rentals are each client's own. In plan mode the plan fee and
 * the overage are account-level: they are shared by the clients in proportion to billable seconds, in
 * whole cents by the largest-remainder method (ties to the larger user, then the earlier client), so
 * the clients' shares add up exactly to the account's line. With no billable seconds at all the shares
 * are equal among the configured clients. A client's markup is `markupPercent` of its own lines,
 * rounded to the cent, as a `markup` line.
 */
import { addCall, emptyTotals, type UsageTotals } from '../aggregate';
import { parseTimestamp, type Call } from '../calls';
import { localeOf, type Locale } from '../i18n';
import type { Units } from '../money';
import type { PhoneNumberInfo } from '../numbers';
import { publicPeriod } from '../periods';
import { vatCents } from '../vat';
import { accountPlan, planInfo, planParts } from './accountPlan';
import { chargesOf, netCentsOf, toPublicLine, type CentLine } from './cents';
import { addToBars, barSlots, clientChart, newBarSeries, timeChart, type BarSeries, type BarSlot } from './chart';
import { clientOfCall, clientOfNumber, UNASSIGNED } from '../clients';
import { minutesOf } from './format';
import { linesOf, type AccountPlan, type PlanPart } from './lines';
import { notesOf } from './notes';
import { periodShare, shareText, type PeriodShare } from './proration';
import type { ChargeSummary, ChargeSummaryConfig, ChargeSummaryResult, Chart, ClientRow, UsageSummary } from './types';

const MAX_MATCH_CACHE = 50_000;

/** The account (without client rules), or one client, or Unassigned. */
interface Bucket {
	/** null for the account without client rules. */
	name: string | null;
	markupPercent: number;
	markupUnits: Units;
	/** A client of the rules (shown and sharing the plan even without calls), not Unassigned. */
	configured: boolean;
	/** The VAT rate of the bucket (0 under reverse charge), or null: no VAT. */
	vatPercent: number | null;
	reverseCharge: boolean;
	totals: UsageTotals;
	bars: BarSeries;
}

/** What the summaries of one finish share: the fields every summary repeats, and each bucket's lines. */
interface Finished {
	base: Omit<
		ChargeSummary,
		'client' | 'usage' | 'charges' | 'lines' | 'byClient' | 'chart' | 'vatPercent' | 'reverseCharge' | 'notes'
	>;
	plan: AccountPlan | null;
	parts: PlanPart[] | null;
	lines: CentLine[][];
	/** Indexes of the buckets reported, in order. */
	shown: number[];
	rows: ClientRow[];
}

export class ChargeSummaryBuilder {
	private readonly buckets: Bucket[] = [];
	private readonly overallTotals = emptyTotals();
	private readonly slots: BarSlot[];
	private readonly barBy: 'day' | 'month';
	private readonly matchCache = new Map<string, number>();
	private readonly hasClients: boolean;
	private readonly locale: Locale;

	constructor(readonly config: ChargeSummaryConfig) {
		if (config.pricingMode === 'plan' && !config.plan) throw new Error('plan mode needs plan terms');
		this.locale = localeOf(config.language ?? 'en');
		const { by, slots } = barSlots(config.period, this.locale);
		this.barBy = by;
		this.slots = slots;
		const clients = config.clients?.clients ?? [];
		this.hasClients = clients.length > 0;
		const nodeVat = config.vatPercent ?? null;
		for (const client of clients) {
			const vat = client.reverseCharge ? 0 : (client.vatPercent ?? nodeVat);
			this.buckets.push(this.newBucket(client.name, client.markupPercent, client.markupUnits, true, vat));
			if (client.reverseCharge) (this.buckets[this.buckets.length - 1] as Bucket).reverseCharge = true;
		}
		this.buckets.push(this.newBucket(this.hasClients ? UNASSIGNED : null, 0, 0, false, nodeVat));
	}

	private newBucket(
		name: string | null,
		markupPercent: number,
		markupUnits: Units,
		configured: boolean,
		vatPercent: number | null,
	): Bucket {
		return {
			name,
			markupPercent,
			markupUnits,
			configured,
			vatPercent,
			reverseCharge: false,
			totals: emptyTotals(),
			bars: newBarSeries(this.slots),
		};
	}

	/**
	 * The bucket of a call. Client rules read only its assistant, campaign and number, so the match is
	 * cached per combination of the three (\u0000 separates them, \u0001 stands for a missing one).
	 */
	private bucketIndexOf(call: Call): number {
		if (!this.hasClients) return 0;
		const key =
			`${call.assistantName ?? '\u0001'}\u0000${call.campaignName ?? '\u0001'}\u0000` +
			`${call.assistantPhoneNumber ?? '\u0001'}`;
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
		const bucket = this.bucketAt(this.bucketIndexOf(call));
		addCall(bucket.totals, call);
		addToBars(bucket.bars, this.slots, call);
	}

	/** The summary, given the account's numbers (describePhoneNumbers); only rented ones are charged. */
	finish(numbers: PhoneNumberInfo[]): ChargeSummaryResult {
		const finished = this.finishLines(numbers);
		const rows = finished.rows;
		const allLines = finished.shown.flatMap((index) => finished.lines[index] ?? []);
		// The account's VAT is the sum of its clients' VAT (without client rules: the one bucket's).
		const vat = this.hasClients
			? rows.reduce((sum, row) => sum + Math.round(row.vat * 100), 0)
			: this.vatOf(this.bucketAt(0), allLines);
		const rates = new Set(rows.map((row) => row.vatPercent));
		const overall: ChargeSummary = {
			...finished.base,
			client: null,
			usage: this.usageOf(this.overallTotals, finished.plan, 1),
			charges: chargesOf(allLines, vat),
			lines: allLines.map(toPublicLine),
			byClient: rows,
			vatPercent: this.hasClients
				? rates.size === 1
					? (rows[0]?.vatPercent ?? null)
					: null
				: this.bucketAt(0).vatPercent,
			reverseCharge: rows.length > 0 && rows.every((row) => row.reverseCharge),
			notes: [],
			chart: this.hasClients ? clientChart(rows, this.config.currency, this.locale) : this.timeChart(this.buckets),
		};
		overall.notes = this.notesOf(overall, finished.base.proration.applied);
		const clients: ChargeSummary[] = this.hasClients
			? finished.shown.map((index, position) => this.clientSummary(finished, index, position))
			: [];
		return { overall, clients };
	}

	/** Everything finish reports from: the plan's parts, each bucket's lines, the buckets shown and their rows. */
	private finishLines(numbers: PhoneNumberInfo[]): Finished {
		const share = periodShare(this.config.period, this.config.billingCycleDay ?? 1);
		const applied = shareText(share, this.locale);
		const rentals = this.rentalsByBucket(numbers);
		const plan = accountPlan(this.config, this.overallTotals.billableSeconds, share);
		const sharers = this.buckets.map((bucket) => ({
			billableSeconds: bucket.totals.billableSeconds,
			sharesWhenIdle: bucket.configured || !this.hasClients,
		}));
		const parts = plan ? planParts(plan, sharers) : null;
		const lines = this.buckets.map((bucket, index) =>
			linesOf({
				currency: this.config.currency,
				locale: this.locale,
				share,
				shareText: applied,
				totals: bucket.totals,
				numbers: rentals[index] ?? [],
				markupPercent: bucket.markupPercent,
				markupUnits: bucket.markupUnits,
				plan: parts?.[index] ?? null,
				client: this.hasClients ? (bucket.name as string) : undefined,
			}),
		);
		// Every configured client is reported; Unassigned only when it has calls or numbers.
		const shown = this.buckets
			.map((bucket, index) => ({ bucket, index }))
			.filter(({ bucket, index }) => {
				return !this.hasClients || bucket.configured || bucket.totals.calls > 0 || (rentals[index]?.length ?? 0) > 0;
			})
			.map(({ index }) => index);
		const rows = this.hasClients ? shown.map((index) => this.clientRow(this.bucketAt(index), lines[index] ?? [])) : [];
		return { base: this.summaryBase(share, applied), plan, parts, lines, shown, rows };
	}

	/** A bucket's VAT in whole cents: its rate on the net total of its lines (each already rounded to the cent). */
	private vatOf(bucket: Bucket, lines: CentLine[]): number {
		return bucket.vatPercent === null ? 0 : vatCents(netCentsOf(lines), bucket.vatPercent);
	}

	/** Rented numbers per bucket; numbers created after the period are left out. */
	private rentalsByBucket(numbers: PhoneNumberInfo[]): PhoneNumberInfo[][] {
		const rules = this.config.clients?.rules ?? [];
		const unassigned = this.buckets.length - 1;
		const rentals: PhoneNumberInfo[][] = this.buckets.map(() => []);
		for (const number of numbers) {
			if (!number.rented) continue;
			const created = number.createdAt ? parseTimestamp(number.createdAt) : NaN;
			if (!Number.isNaN(created) && created >= this.config.period.endMs) continue;
			const client = this.hasClients ? clientOfNumber(rules, number) : 0;
			rentals[client < 0 ? unassigned : client]?.push(number);
		}
		return rentals;
	}

	private notesOf(summary: ChargeSummary, applied: string): string[] {
		return notesOf(summary, applied, this.config.pricingMode, this.locale);
	}

	private summaryBase(share: PeriodShare, applied: string): Finished['base'] {
		const { period, currency, pricingMode } = this.config;
		return {
			period: { ...publicPeriod(period), label: this.locale.periodLabel(period) },
			currency,
			pricingMode,
			plan: planInfo(this.config),
			proration: { applied, months: share.months },
			language: this.locale.language,
		};
	}

	/** Usage of some calls; in plan mode with the account's included minutes and `fraction` of its overage. */
	private usageOf(totals: UsageTotals, plan: AccountPlan | null, fraction: number): UsageSummary {
		return {
			calls: totals.calls,
			talkMinutes: minutesOf(totals.talkSeconds),
			billableMinutes: minutesOf(totals.billableSeconds),
			includedMinutes: plan ? minutesOf(plan.includedSeconds) : null,
			overageMinutes: plan ? minutesOf(plan.overageSeconds * fraction) : null,
		};
	}

	private clientRow(bucket: Bucket, lines: CentLine[]): ClientRow {
		const charges = chargesOf(lines, this.vatOf(bucket, lines));
		return {
			client: bucket.name as string,
			calls: bucket.totals.calls,
			talkMinutes: minutesOf(bucket.totals.talkSeconds),
			billableMinutes: minutesOf(bucket.totals.billableSeconds),
			markupPercent: bucket.markupPercent,
			vatPercent: bucket.vatPercent,
			reverseCharge: bucket.reverseCharge,
			charges,
			total: charges.total,
			net: charges.net,
			vat: charges.vat,
			gross: charges.gross,
		};
	}

	/** The summary of the client of bucket `index`, the `position`-th shown. */
	private clientSummary(finished: Finished, index: number, position: number): ChargeSummary {
		const bucket = this.bucketAt(index);
		const row = finished.rows[position] as ClientRow;
		const summary: ChargeSummary = {
			...finished.base,
			client: bucket.name,
			usage: this.usageOf(bucket.totals, finished.plan, finished.parts?.[index]?.fraction ?? 0),
			charges: row.charges,
			lines: (finished.lines[index] ?? []).map(toPublicLine),
			byClient: [row],
			vatPercent: row.vatPercent,
			reverseCharge: row.reverseCharge,
			notes: [],
			chart: this.timeChart([bucket]),
		};
		summary.notes = this.notesOf(summary, finished.base.proration.applied);
		return summary;
	}

	private timeChart(buckets: Bucket[]): Chart {
		const series = buckets.map((bucket) => bucket.bars);
		const reported = this.config.pricingMode === 'reported';
		return timeChart(this.slots, this.barBy, series, reported, this.config.currency, this.locale);
	}

	private bucketAt(index: number): Bucket {
		const bucket = this.buckets[index];
		if (!bucket) throw new RangeError(`no bucket ${index}`);
		return bucket;
	}
}
