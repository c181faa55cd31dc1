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
import { localeOf, type Locale } from '../i18n';
import { prorateUnits, type Units } from '../money';
import { advance, stepBound } from '../guard';
import { billingCycleContaining, type ResolvedPeriod } from '../periods';
import { DAY_MS, MINUTE_MS } from '../clock';

export interface MonthPiece {
	/** The first moment of the month (named in a report's language). */
	startMs: number;
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
	/** The rule in English, e.g. "prorated 10/30 days" or "full month" (shareText: in a language). */
	description: string;
	timezone: string;
}

/** Local wall-clock time as if it were UTC: differences count a 23-hour DST day as 24 hours. */
function wallMs(at: DateTime): number {
	return at.toMillis() + at.offset * MINUTE_MS;
}

function formatDays(ms: number): string {
	const days = ms / DAY_MS;
	return Number.isInteger(days) ? String(days) : String(Number(days.toFixed(2)));
}

/** The rule applied, in the language: "prorated 12/31 days of Oct 2026 + 9/30 days of Nov 2026". */
export function shareText(share: Omit<PeriodShare, 'description'>, locale: Locale): string {
	const words = locale.m.chargeSummary.proration;
	if (share.whole === 'month') return words.fullMonth;
	if (share.whole === 'billingCycle') return words.fullCycle;
	const { pieces } = share;
	if (pieces.every((piece) => piece.coveredMs === piece.monthMs)) return words.fullMonths(pieces.length);
	const piece = (one: MonthPiece, named: boolean) =>
		words.piece(
			locale.num(formatDays(one.coveredMs)),
			locale.num(formatDays(one.monthMs)),
			named ? locale.shortMonthYear(one.startMs, share.timezone) : null,
		);
	return words.prorated(pieces.map((one) => piece(one, pieces.length > 1)));
}

function withDescription(share: Omit<PeriodShare, 'description'>): PeriodShare {
	return { ...share, description: shareText(share, localeOf('en')) };
}

export function periodShare(period: ResolvedPeriod, billingCycleDay: number): PeriodShare {
	const zone = period.timezone;
	const start = DateTime.fromMillis(period.startMs, { zone });
	const end = DateTime.fromMillis(period.endMs, { zone });
	const monthStart = start.startOf('month');
	if (start.equals(monthStart) && end.toMillis() === monthStart.plus({ months: 1 }).toMillis()) {
		const ms = wallMs(end) - wallMs(start);
		return withDescription({
			whole: 'month',
			pieces: [{ startMs: start.toMillis(), coveredMs: ms, monthMs: ms }],
			months: 1,
			timezone: zone,
		});
	}
	const cycle = billingCycleContaining(start, billingCycleDay);
	if (cycle.start.toMillis() === period.startMs && cycle.end.toMillis() === period.endMs) {
		const ms = wallMs(end) - wallMs(start);
		return withDescription({
			whole: 'billingCycle',
			pieces: [{ startMs: start.toMillis(), coveredMs: ms, monthMs: ms }],
			months: 1,
			timezone: zone,
		});
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
			startMs: month.toMillis(),
			coveredMs: wallMs(to) - wallMs(from),
			monthMs: wallMs(next) - wallMs(month),
		});
		month = next;
	}
	const months = pieces.reduce((sum, piece) => sum + piece.coveredMs / piece.monthMs, 0);
	return withDescription({ whole: null, pieces, months: Number(months.toFixed(4)), timezone: zone });
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
