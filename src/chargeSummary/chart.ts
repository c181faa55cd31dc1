/**
 * The bar chart of the HTML report. Calls add to one bar per day (periods of up to 62 days) or per
 * month, kept per bucket in typed arrays, so memory grows with the bars and never with the calls. With
 * client rules the account's chart has one bar per client instead.
 */
import { DateTime } from 'luxon';
import type { Call } from '../calls';
import type { Locale } from '../i18n';
import { toAmount } from '../money';
import { advance, stepBound } from '../guard';
import type { ResolvedPeriod } from '../periods';
import { formatMinutes, minutesOf } from './format';
import type { Chart, ClientRow } from './types';

const MAX_DAY_BARS = 62;
/** More bars than a period of MAX_CUSTOM_DAYS has months (or days, up to 62): the loop's guard. */
const MAX_BARS = 100;

export interface BarSlot {
	label: string;
	startMs: number;
}

/** One bucket's billable seconds and reported cost (in units) per bar. */
export interface BarSeries {
	seconds: Float64Array;
	cost: Float64Array;
}

/** The bars of a period: "Mon 2 Nov" (periods of up to 62 days) or "Nov 2026", in the locale's language. */
export function barSlots(period: ResolvedPeriod, locale: Locale): { by: 'day' | 'month'; slots: BarSlot[] } {
	const zone = period.timezone;
	const start = DateTime.fromMillis(period.startMs, { zone });
	const end = DateTime.fromMillis(period.endMs, { zone });
	const dayCount = Math.ceil(end.diff(start.startOf('day'), 'days').days);
	const by = dayCount <= MAX_DAY_BARS ? 'day' : 'month';
	const slots: BarSlot[] = [];
	const loop = 'Listing the bars of the chart';
	const step = stepBound(loop, MAX_BARS);
	for (let at = start.startOf(by); at < end; ) {
		step();
		const ms = at.toMillis();
		slots.push({ label: by === 'day' ? locale.weekdayDay(ms, zone) : locale.shortMonthYear(ms, zone), startMs: ms });
		const next = at.plus(by === 'day' ? { days: 1 } : { months: 1 });
		advance(loop, ms, next.toMillis());
		at = next;
	}
	return { by, slots };
}

export function newBarSeries(slots: BarSlot[]): BarSeries {
	return { seconds: new Float64Array(slots.length), cost: new Float64Array(slots.length) };
}

/** The bar a time falls in: the last slot starting at or before it (binary search), the first if none. */
function slotOf(slots: BarSlot[], ms: number): number {
	let low = 0;
	let high = slots.length - 1;
	if (high < 0 || ms < (slots[0]?.startMs ?? 0)) return 0;
	while (low < high) {
		const mid = (low + high + 1) >> 1;
		if ((slots[mid]?.startMs ?? Infinity) <= ms) low = mid;
		else high = mid - 1;
	}
	return low;
}

export function addToBars(series: BarSeries, slots: BarSlot[], call: Call): void {
	if (slots.length === 0) return;
	const slot = slotOf(slots, call.createdAt);
	series.seconds[slot] = (series.seconds[slot] ?? 0) + call.billableSeconds;
	series.cost[slot] = (series.cost[slot] ?? 0) + call.totalCost;
}

/** Bars over time for some buckets together: the reported cost, or (plan mode) the billable minutes. */
export function timeChart(
	slots: BarSlot[],
	by: 'day' | 'month',
	series: BarSeries[],
	reported: boolean,
	currency: string,
	locale: Locale,
): Chart {
	const words = locale.m.chargeSummary.chart;
	const bars = slots.map((slot, position) => {
		let value = 0;
		for (const one of series) value += (reported ? one.cost[position] : one.seconds[position]) ?? 0;
		return reported
			? { label: slot.label, value: toAmount(value), display: locale.money(value, currency) }
			: { label: slot.label, value: minutesOf(value), display: words.minutes(locale.num(formatMinutes(value))) };
	});
	return {
		by,
		metric: reported ? 'reportedCost' : 'billableMinutes',
		title: reported ? words.reportedCost(by) : words.billableMinutes(by),
		bars,
	};
}

/** The account's chart with client rules: each client's total charges. */
export function clientChart(rows: ClientRow[], currency: string, locale: Locale): Chart {
	return {
		by: 'client',
		metric: 'charges',
		title: locale.m.chargeSummary.chart.charges,
		bars: rows.map((row) => ({ label: row.client, value: row.total, display: locale.amount(row.total, currency) })),
	};
}
