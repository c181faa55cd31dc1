/** Usage operations of the core: summaries over a period, and the balance runway. */
import type { GroupBy } from './calls';
import type { CallSource } from './api/port';
import { UsageAggregator, usageRow, type UsageRow } from './aggregate';
import { forEachCall, type PeriodScan } from './list/period';
import { toAmount, type Units } from './money';
import { resolvePeriod } from './periods';

export async function summarizeUsage(
	source: CallSource,
	scan: PeriodScan,
	groupBy: GroupBy,
	currency: string,
): Promise<UsageRow[]> {
	const aggregator = new UsageAggregator(groupBy, scan.period.timezone);
	await forEachCall(source, scan, ({ call }) => aggregator.add(call));
	return aggregator.entries().map(({ group, totals }) => usageRow(scan.period, groupBy, group, totals, currency));
}

export const RUNWAY_DAYS = 7;

/** Days the balance lasts at the average daily spend of the last 7 full days (yesterday and the 6 before). */
export async function runwayOf(
	source: CallSource,
	balance: Units,
	input: { now: number; timezone: string },
): Promise<{ averageDailySpend: number; days: number | null; basedOnDays: number }> {
	const yesterday = resolvePeriod('yesterday', input);
	const last7 = resolvePeriod('last7Days', { ...input, now: yesterday.startMs });
	const aggregator = new UsageAggregator('none', input.timezone);
	await forEachCall(source, { period: last7, query: {}, filters: {} }, ({ call }) => aggregator.add(call));
	const average = Math.round(aggregator.overall.totalCost / RUNWAY_DAYS);
	return {
		averageDailySpend: toAmount(average),
		days: average > 0 ? Math.max(0, Math.floor((balance / average) * 10) / 10) : null,
		basedOnDays: RUNWAY_DAYS,
	};
}
