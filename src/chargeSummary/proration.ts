/**
 * Proration of monthly amounts (number rentals, and in plan mode the plan fee and included minutes)
 * over a summary period.
 *
 * Rule: a period that is exactly one calendar month or exactly one billing cycle (in the period's
 * timezone) counts as one whole month — full fee. Any other period is split at calendar-month
 * boundaries, and each piece counts as (its length ÷ the length of its calendar month), measured in
 * local wall-clock time so that a DST day is still one day: 10 days of a 30-day month = 10/30 of the
 * fee. Computed exactly in integers (prorateUnits on wall-clock milliseconds), rounded half away from
 * zero to 1e-8; the line itself is then rounded to the cent.
 */
import { DateTime } from 'luxon';
import { prorateUnits, type Units } from '../money';
import { advance, stepBound } from '../guard';
import { billingCycleContaining, type ResolvedPeriod } from '../periods';

const DAY_MS = 86_400_000;

export interface MonthPiece {
	/** e.g. "Nov 2026" */
	month: string;
	/** Covered wall-clock milliseconds of the month. */
	coveredMs: number;
	/** Wall-clock milliseconds of the whole month (days × 86,400,000). */
	monthMs: number;
}

export interface PeriodShare {
	/** Which whole unit the period is, charged as one full month; null when it is prorated. */
	whole: 'month' | 'billingCycle' | null;
	pieces: MonthPiece[];
	/** The share of a month as a number (for display), e.g. 0.3333. */
	months: number;
	/** Human-readable rule, e.g. "prorated 10/30 days" or "full month". */
	description: string;
}

/** Local wall-clock time as if it were UTC: differences count a 23-hour DST day as 24 hours. */
function wallMs(at: DateTime): number {
	return at.toMillis() + at.offset * 60_000;
}

function formatDays(ms: number): string {
	const days = ms / DAY_MS;
	return Number.isInteger(days) ? String(days) : String(Number(days.toFixed(2)));
}

export function periodShare(period: ResolvedPeriod, billingCycleDay: number): PeriodShare {
	const zone = period.timezone;
	const start = DateTime.fromMillis(period.startMs, { zone });
	const end = DateTime.fromMillis(period.endMs, { zone });
	const monthStart = start.startOf('month');
	if (start.equals(monthStart) && end.toMillis() === monthStart.plus({ months: 1 }).toMillis()) {
		const ms = wallMs(end) - wallMs(start);
		return {
			whole: 'month',
			pieces: [{ month: start.toFormat('LLL yyyy'), coveredMs: ms, monthMs: ms }],
			months: 1,
			description: 'full month',
		};
	}
	const cycle = billingCycleContaining(start, billingCycleDay);
	if (cycle.start.toMillis() === period.startMs && cycle.end.toMillis() === period.endMs) {
		const ms = wallMs(end) - wallMs(start);
		return {
			whole: 'billingCycle',
			pieces: [{ month: start.toFormat('LLL yyyy'), coveredMs: ms, monthMs: ms }],
			months: 1,
			description: 'full billing cycle',
		};
	}
	const pieces: MonthPiece[] = [];
	const loop = 'Prorating the period by month';
	const step = stepBound(loop, 100);
	for (let month = monthStart; month < end; ) {
		step();
		const next = month.plus({ months: 1 });
		advance(loop, month.toMillis(), next.toMillis());
		const from = start > month ? start : month;
		const to = end < next ? end : next;
		pieces.push({
			month: month.toFormat('LLL yyyy'),
			coveredMs: wallMs(to) - wallMs(from),
			monthMs: wallMs(next) - wallMs(month),
		});
		month = next;
	}
	const months = pieces.reduce((sum, piece) => sum + piece.coveredMs / piece.monthMs, 0);
	const describe = (piece: MonthPiece) => `${formatDays(piece.coveredMs)}/${formatDays(piece.monthMs)} days`;
	const allFull = pieces.every((piece) => piece.coveredMs === piece.monthMs);
	const only = pieces.length === 1 ? pieces[0] : undefined;
	const description = allFull
		? `${pieces.length} full calendar months`
		: only
			? `prorated ${describe(only)}`
			: `prorated ${pieces.map((piece) => `${describe(piece)} of ${piece.month}`).join(' + ')}`;
	return { whole: null, pieces, months: Number(months.toFixed(4)), description };
}

/** A monthly amount (money units, or any integer such as seconds) for the period, exactly. */
export function prorateMonthly(amount: number, share: PeriodShare): number {
	if (share.whole) return amount;
	return share.pieces.reduce<Units>((sum, piece) => sum + prorateUnits(amount, piece.coveredMs, piece.monthMs), 0);
}

export const PRORATION_RULE =
	'Monthly amounts (number rentals; in plan mode also the plan fee and included minutes) are charged in ' +
	'full when the period is exactly one calendar month or one billing cycle. Otherwise they are prorated ' +
	'by calendar days: each calendar month the period touches contributes (days covered ÷ days in that ' +
	'month), e.g. 10 days of a 30-day month = 10/30 of the monthly fee.';
