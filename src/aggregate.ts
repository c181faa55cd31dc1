/**
 * Streaming usage aggregation: calls go in one at a time, per-group totals come out. Memory grows
 * with the number of groups, never with the number of calls.
 */
import { DateTime } from 'luxon';
import { dimensionKey, type Call, type GroupBy } from './calls';
import { MINUTE_MS } from './clock';
import { addUnits, toAmount, type Units } from './money';
import { publicPeriod, type Period } from './periods';

export interface UsageTotals {
	calls: number;
	connectedCalls: number;
	talkSeconds: number;
	billableSeconds: number;
	totalCost: Units;
	carrierCost: Units;
}

export function emptyTotals(): UsageTotals {
	return { calls: 0, connectedCalls: 0, talkSeconds: 0, billableSeconds: 0, totalCost: 0, carrierCost: 0 };
}

export function addCall(totals: UsageTotals, call: Call): void {
	totals.calls += 1;
	if (call.durationSeconds > 0) totals.connectedCalls += 1;
	totals.talkSeconds += call.durationSeconds;
	totals.billableSeconds += call.billableSeconds;
	totals.totalCost = addUnits(totals.totalCost, call.totalCost);
	totals.carrierCost = addUnits(totals.carrierCost, call.carrierCost);
}

/** A slot of the bucketer's cache: 15 minutes. */
const SLOT_MS = 15 * MINUTE_MS;

/** Buckets time in a timezone with a cache per 15-minute slot (every UTC offset is a multiple of 15 minutes). */
class TimeBucketer {
	private readonly cache = new Map<number, string>();
	constructor(
		private readonly timezone: string,
		private readonly unit: 'day' | 'hour',
	) {}

	key(ms: number): string {
		const slot = Math.floor(ms / SLOT_MS);
		let key = this.cache.get(slot);
		if (key === undefined) {
			const at = DateTime.fromMillis(slot * SLOT_MS, { zone: this.timezone }).startOf(this.unit);
			key = this.unit === 'day' ? at.toFormat('yyyy-MM-dd') : (at.toISO({ suppressMilliseconds: true }) as string);
			this.cache.set(slot, key);
		}
		return key;
	}
}

export class UsageAggregator {
	private readonly groups = new Map<string, UsageTotals>();
	private readonly bucketer?: TimeBucketer;
	readonly overall = emptyTotals();

	constructor(
		readonly groupBy: GroupBy,
		readonly timezone: string,
	) {
		if (groupBy === 'day' || groupBy === 'hour') this.bucketer = new TimeBucketer(timezone, groupBy);
	}

	groupOf(call: Call): string | null {
		if (this.bucketer) return this.bucketer.key(call.createdAt);
		return dimensionKey(call, this.groupBy);
	}

	add(call: Call): void {
		addCall(this.overall, call);
		if (this.groupBy === 'none') return;
		const key = this.groupOf(call) as string;
		let totals = this.groups.get(key);
		if (!totals) {
			totals = emptyTotals();
			this.groups.set(key, totals);
		}
		addCall(totals, call);
	}

	/** Groups in display order: chronological for time groups, else by total cost (highest first), then name. */
	entries(): Array<{ group: string | null; totals: UsageTotals }> {
		if (this.groupBy === 'none') return [{ group: null, totals: this.overall }];
		const list = [...this.groups.entries()].map(([group, totals]) => ({ group, totals }));
		if (this.bucketer) return list.sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
		return list.sort(
			(a, b) => b.totals.totalCost - a.totals.totalCost || (a.group < b.group ? -1 : a.group > b.group ? 1 : 0),
		);
	}
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));

export interface UsageRow {
	[key: string]: unknown;
	period: Period;
	groupBy: GroupBy;
	group: string | null;
	calls: number;
	connectedCalls: number;
	talkSeconds: number;
	talkMinutes: number;
	billableMinutes: number;
	totalCost: number;
	carrierCost: number;
	platformCost: number;
	averageCostPerCall: number;
	averageCostPerMinute: number;
	currency: string;
}

/** The public usage row of SPEC §5 (money rounded to 8 decimals, minutes to 4). */
export function usageRow(
	period: Period,
	groupBy: GroupBy,
	group: string | null,
	totals: UsageTotals,
	currency: string,
): UsageRow {
	const billableMinutes = totals.billableSeconds / 60;
	return {
		period: publicPeriod(period),
		groupBy,
		group,
		calls: totals.calls,
		connectedCalls: totals.connectedCalls,
		talkSeconds: totals.talkSeconds,
		talkMinutes: round(totals.talkSeconds / 60, 4),
		billableMinutes: round(billableMinutes, 4),
		totalCost: toAmount(totals.totalCost),
		carrierCost: toAmount(totals.carrierCost),
		platformCost: toAmount(totals.totalCost - totals.carrierCost),
		averageCostPerCall: totals.calls ? toAmount(Math.round(totals.totalCost / totals.calls)) : 0,
		averageCostPerMinute: billableMinutes ? toAmount(Math.round((totals.totalCost * 60) / totals.billableSeconds)) : 0,
		currency,
	};
}
