/**
 * When a rented number renews: an estimate, since the Famulor API publishes no renewal date. A number
 * is a monthly subscription from its purchase (`created_at`), so it renews on the same day of each
 * later month, in the timezone, on the month's last day when the month is shorter (bought on 31 Jan:
 * 28/29 Feb, 31 Mar, 30 Apr). The estimate is the next such day that is today or later; a number
 * bought today renews in a month, not today.
 */
import { DateTime } from 'luxon';
import { parseTimestamp } from './calls';
import { DAY_MS } from './clock';

export interface RenewalEstimate {
	/** 00:00 of the renewal day in the timezone (its first moment where midnight does not exist), ISO with offset. */
	nextRenewalAt: string;
	/** Whole calendar days from today to the renewal day, in the timezone: 0 = renews today. */
	daysToRenewal: number;
}

/** Calendar days from `from` to `to` (dates only, so a 23- or 25-hour DST day counts as one). */
function calendarDays(from: DateTime, to: DateTime): number {
	return Math.round((Date.UTC(to.year, to.month - 1, to.day) - Date.UTC(from.year, from.month - 1, from.day)) / DAY_MS);
}

/** The renewal `months` months after a purchase on `day` of `year`/`month`, at the start of that day. */
function anniversary(year: number, month: number, day: number, months: number, timezone: string): DateTime {
	const index = year * 12 + (month - 1) + months;
	const first = DateTime.fromObject(
		{ year: Math.floor(index / 12), month: (index % 12) + 1, day: 1 },
		{ zone: timezone },
	);
	return first.set({ day: Math.min(day, first.daysInMonth as number) }).startOf('day');
}

/**
 * The next renewal of a number bought at `createdAt` (ISO, or naive UTC), seen at `nowMs` in
 * `timezone` (a valid IANA name); null when the purchase time is missing or unreadable.
 */
export function estimateRenewal(
	createdAt: string | null | undefined,
	nowMs: number,
	timezone: string,
): RenewalEstimate | null {
	if (!createdAt) return null;
	const boughtMs = parseTimestamp(createdAt);
	if (!Number.isFinite(boughtMs)) return null;
	const bought = DateTime.fromMillis(boughtMs, { zone: timezone });
	const today = DateTime.fromMillis(nowMs, { zone: timezone }).startOf('day');
	if (!bought.isValid || !today.isValid) return null;
	// The renewal in this month (at least one month after the purchase), else the one a month later.
	const monthsSince = (today.year - bought.year) * 12 + (today.month - bought.month);
	const months = Math.max(1, monthsSince);
	let renewal = anniversary(bought.year, bought.month, bought.day, months, timezone);
	if (calendarDays(today, renewal) < 0) {
		renewal = anniversary(bought.year, bought.month, bought.day, months + 1, timezone);
	}
	return {
		nextRenewalAt: renewal.toISO({ suppressMilliseconds: true }) as string,
		daysToRenewal: calendarDays(today, renewal),
	};
}

/** The estimate for a number of `phoneNumber/getAll`: only rented numbers renew. */
export function renewalOf(
	number: { rented: boolean; createdAt: string | null },
	nowMs: number,
	timezone: string,
): RenewalEstimate | null {
	return number.rented ? estimateRenewal(number.createdAt, nowMs, timezone) : null;
}
