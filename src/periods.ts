/**
 * Periods in a timezone (luxon, DST-correct). Weeks start on Monday; billing cycles renew on a day
 * of the month, clamped to the last day of shorter months. Every period is [start, end).
 */
import { DateTime } from 'luxon';
import { InvalidParameterError } from './errors';
import { advance, noProgress } from './guard';
import { periodLabelIn, type PeriodNaming } from './i18n';

export type ActionPeriod =
	| 'today'
	| 'yesterday'
	| 'thisWeek'
	| 'lastWeek'
	| 'thisMonth'
	| 'lastMonth'
	| 'thisBillingCycle'
	| 'lastBillingCycle'
	| 'last7Days'
	| 'last30Days'
	| 'custom';
export type TriggerPeriod = 'day' | 'week' | 'month' | 'billingCycle';

export interface Period {
	id: string;
	label: string;
	start: string;
	end: string;
	timezone: string;
}

/** A period with its bounds as epoch milliseconds, for computing. `publicPeriod` drops them. */
export interface ResolvedPeriod extends Period {
	startMs: number;
	endMs: number;
	/** How the period is named, so that reports can name it in their language (src/i18n). */
	naming?: PeriodNaming;
}

export const MAX_CUSTOM_DAYS = 400;

export function assertTimezone(timezone: string, parameter = 'timezone'): string {
	if (!timezone || !DateTime.now().setZone(timezone).isValid) {
		throw new InvalidParameterError(
			parameter,
			`Unknown timezone "${timezone}"`,
			'Use an IANA timezone name such as Europe/Berlin or America/New_York.',
		);
	}
	return timezone;
}

export function assertBillingCycleDay(day: number): number {
	if (!Number.isInteger(day) || day < 1 || day > 31) {
		throw new InvalidParameterError(
			'billingCycleDay',
			`Billing cycle day ${day} is not a day of the month`,
			'Set Billing Cycle Day in the Famulor Billing API credential to a whole number from 1 to 31.',
		);
	}
	return day;
}

/** A period; its English label comes from the catalogue (src/i18n), written without the server's locale. */
function make(id: string, naming: PeriodNaming, start: DateTime, end: DateTime, timezone: string): ResolvedPeriod {
	// Date arithmetic gone wrong (a shared prototype changed under it) must not make an empty or reversed period.
	advance(`Computing the period ${id}`, start.toMillis(), end.toMillis());
	return {
		id,
		label: periodLabelIn(naming, start.toMillis(), end.toMillis(), timezone, 'en'),
		start: start.toISO({ suppressMilliseconds: true }) as string,
		end: end.toISO({ suppressMilliseconds: true }) as string,
		timezone,
		startMs: start.toMillis(),
		endMs: end.toMillis(),
		naming,
	};
}

/** Public shape of a period (without the computing fields). */
export function publicPeriod(period: Period): Period {
	return { id: period.id, label: period.label, start: period.start, end: period.end, timezone: period.timezone };
}

function cycleStartIn(year: number, month: number, day: number, timezone: string): DateTime {
	const first = DateTime.fromObject({ year, month, day: 1 }, { zone: timezone });
	return first.set({ day: Math.min(day, first.daysInMonth as number) }).startOf('day');
}

/** The billing cycle containing `at`. */
export function billingCycleContaining(at: DateTime, cycleDay: number): { start: DateTime; end: DateTime } {
	const timezone = at.zoneName as string;
	let start = cycleStartIn(at.year, at.month, cycleDay, timezone);
	if (at < start) {
		const previous = at.startOf('month').minus({ months: 1 });
		start = cycleStartIn(previous.year, previous.month, cycleDay, timezone);
	}
	const next = start.startOf('month').plus({ months: 1 });
	return { start, end: cycleStartIn(next.year, next.month, cycleDay, timezone) };
}

const dayId = (d: DateTime) => d.toFormat('yyyy-MM-dd');

/*
 * Every bound is the start of its calendar day (or week, or month): where midnight does not exist (the
 * clocks jump from 24:00 to 01:00, as in Santiago, Havana or Beirut) a day begins at 01:00, and adding a
 * day to that would end the period at 01:00 of the next day, an hour into it.
 */
function dayPeriod(start: DateTime, timezone: string): ResolvedPeriod {
	return make(dayId(start), { kind: 'day' }, start, start.plus({ days: 1 }).startOf('day'), timezone);
}

function weekPeriod(start: DateTime, timezone: string): ResolvedPeriod {
	const end = start.plus({ weeks: 1 }).startOf('day');
	return make(`${start.toFormat("kkkk-'W'WW")}`, { kind: 'week' }, start, end, timezone);
}

function monthPeriod(start: DateTime, timezone: string): ResolvedPeriod {
	const end = start.plus({ months: 1 }).startOf('month');
	return make(start.toFormat('yyyy-MM'), { kind: 'month' }, start, end, timezone);
}

function cyclePeriod(start: DateTime, end: DateTime, timezone: string): ResolvedPeriod {
	return make(`cycle-${dayId(start)}`, { kind: 'cycle' }, start, end, timezone);
}

/** The trigger period (day, week, month, billing cycle) containing the instant `atMs`. */
export function periodContaining(
	kind: TriggerPeriod,
	atMs: number,
	timezone: string,
	billingCycleDay = 1,
): ResolvedPeriod {
	const at = DateTime.fromMillis(atMs, { zone: timezone });
	const period = periodAt(kind, at, timezone, billingCycleDay);
	if (!(period.startMs <= atMs && atMs < period.endMs)) {
		throw noProgress(`Computing the ${kind} period`, `${period.id} does not hold ${at.toISO()}`);
	}
	return period;
}

function periodAt(kind: TriggerPeriod, at: DateTime, timezone: string, billingCycleDay: number): ResolvedPeriod {
	switch (kind) {
		case 'day':
			return dayPeriod(at.startOf('day'), timezone);
		case 'week':
			return weekPeriod(at.startOf('week'), timezone);
		case 'month':
			return monthPeriod(at.startOf('month'), timezone);
		case 'billingCycle': {
			const { start, end } = billingCycleContaining(at, billingCycleDay);
			return cyclePeriod(start, end, timezone);
		}
	}
}

function parseDateInput(value: string | undefined, parameter: string, timezone: string): DateTime {
	const parsed = value ? DateTime.fromISO(value, { zone: timezone }) : DateTime.invalid('empty');
	if (!parsed.isValid) {
		throw new InvalidParameterError(
			parameter,
			`"${value ?? ''}" is not a date`,
			'Pick a date, or enter it as YYYY-MM-DD (optionally with a time, e.g. 2026-11-01T00:00).',
		);
	}
	return parsed;
}

function compactStamp(d: DateTime): string {
	return d.equals(d.startOf('day')) ? dayId(d) : d.toFormat("yyyy-MM-dd'T'HHmm");
}

export interface PeriodInput {
	now: number;
	timezone: string;
	billingCycleDay?: number;
	startDate?: string;
	endDate?: string;
}

/** The last `days` days, today included. */
function lastDaysPeriod(days: number, today: DateTime, timezone: string): ResolvedPeriod {
	const start = today.minus({ days: days - 1 }).startOf('day');
	const end = today.plus({ days: 1 }).startOf('day');
	return make(`${dayId(start)}_${dayId(today)}`, { kind: 'lastDays', days }, start, end, timezone);
}

/** The custom period [Start Date, End Date), at most MAX_CUSTOM_DAYS long. */
function customPeriod(input: PeriodInput, timezone: string): ResolvedPeriod {
	const start = parseDateInput(input.startDate, 'startDate', timezone);
	const end = parseDateInput(input.endDate, 'endDate', timezone);
	if (end <= start) {
		throw new InvalidParameterError(
			'endDate',
			'The custom period ends before it starts',
			'Set End Date after Start Date (the end is exclusive: 2026-11-01 to 2026-12-01 is November).',
		);
	}
	if (end.diff(start, 'days').days > MAX_CUSTOM_DAYS) {
		throw new InvalidParameterError(
			'endDate',
			`The custom period is longer than ${MAX_CUSTOM_DAYS} days`,
			`Choose a period of at most ${MAX_CUSTOM_DAYS} days, or split it into several runs.`,
		);
	}
	const naming = { kind: 'custom' as const, wholeDays: compactStamp(end) === dayId(end) };
	return make(`${compactStamp(start)}_${compactStamp(end)}`, naming, start, end, timezone);
}

/** Resolves an action node's `period` parameter. */
export function resolvePeriod(name: ActionPeriod, input: PeriodInput): ResolvedPeriod {
	const timezone = assertTimezone(input.timezone);
	const cycleDay = assertBillingCycleDay(input.billingCycleDay ?? 1);
	const now = DateTime.fromMillis(input.now, { zone: timezone });
	const today = now.startOf('day');
	switch (name) {
		case 'today':
			return dayPeriod(today, timezone);
		case 'yesterday':
			return dayPeriod(today.minus({ days: 1 }).startOf('day'), timezone);
		case 'thisWeek':
			return weekPeriod(now.startOf('week'), timezone);
		case 'lastWeek':
			return weekPeriod(now.startOf('week').minus({ weeks: 1 }).startOf('week'), timezone);
		case 'thisMonth':
			return monthPeriod(now.startOf('month'), timezone);
		case 'lastMonth':
			return monthPeriod(now.startOf('month').minus({ months: 1 }).startOf('month'), timezone);
		case 'thisBillingCycle': {
			const { start, end } = billingCycleContaining(now, cycleDay);
			return cyclePeriod(start, end, timezone);
		}
		case 'lastBillingCycle': {
			const current = billingCycleContaining(now, cycleDay);
			const { start, end } = billingCycleContaining(current.start.minus({ days: 1 }), cycleDay);
			return cyclePeriod(start, end, timezone);
		}
		case 'last7Days':
			return lastDaysPeriod(7, today, timezone);
		case 'last30Days':
			return lastDaysPeriod(30, today, timezone);
		case 'custom':
			return customPeriod(input, timezone);
		default:
			throw new InvalidParameterError(
				'period',
				`Unknown period "${String(name)}"`,
				'Choose one of the listed periods.',
			);
	}
}

/** The list days (first and last, YYYY-MM-DD, UTC) holding [startMs, endMs), one day wider on each side. */
export function apiDays(startMs: number, endMs: number): { from: string; to: string } {
	// One day wider on each side, since the API filters whole days in a timezone it does not state.
	const from = DateTime.fromMillis(startMs, { zone: 'utc' }).minus({ days: 1 });
	const to = DateTime.fromMillis(endMs - 1, { zone: 'utc' }).plus({ days: 1 });
	return { from: from.toFormat('yyyy-MM-dd'), to: to.toFormat('yyyy-MM-dd') };
}
