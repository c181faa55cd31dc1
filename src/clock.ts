/**
 * Time from Famulor's clock, bounded (SPEC §15, Time). The triggers take "now" from the `Date` header
 * of Famulor's answers, the clock that stamps the calls, so that a call is never "in the future" or
 * "settled" because n8n's clock runs a little ahead or behind. But only within MAX_CLOCK_SKEW_MS of the
 * local clock: a `Date` header further off (a server clock gone wrong, a proxy answering from its
 * cache, a hostile server) is ignored and the local clock stands, so it can never move a trigger's
 * periods, windows or Start From hours or days ahead — and no such offset is ever stored.
 */

/** Units of time in milliseconds (a day is 24 hours here; calendar days are luxon's). */
export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/**
 * How far Famulor's clock may be from the local one and still be used: 5 minutes. Clocks kept by NTP
 * agree within a second; five minutes leaves room for a host whose clock is not synchronised, while a
 * wrong `Date` header can shift a trigger's time by no more than this.
 */
export const MAX_CLOCK_SKEW_MS = 5 * MINUTE_MS;

/** An offset (server − local, ms) if it is one to believe: a finite number within MAX_CLOCK_SKEW_MS. */
export function believableSkew(value: unknown): number | undefined {
	return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= MAX_CLOCK_SKEW_MS
		? value
		: undefined;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const IMF_FIXDATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;

/**
 * Epoch ms of an HTTP date in the form every current server sends (IMF-fixdate, RFC 9110 §5.6.7:
 * `Sun, 06 Nov 1994 08:49:37 GMT`), or undefined for anything else — including dates that do not exist
 * (`31 Feb`), which `Date.parse` would move into the next month.
 */
export function parseHttpDate(value: unknown): number | undefined {
	if (typeof value !== 'string') return undefined;
	const match = IMF_FIXDATE.exec(value.trim());
	if (!match) return undefined;
	const [, day, monthName, year, hour, minute, second] = match;
	const month = MONTHS.indexOf(monthName as string);
	const ms = Date.UTC(Number(year), month, Number(day), Number(hour), Number(minute), Number(second));
	const back = new Date(ms);
	const real =
		month >= 0 &&
		back.getUTCDate() === Number(day) &&
		back.getUTCMonth() === month &&
		Number(hour) < 24 &&
		Number(minute) < 60 &&
		Number(second) < 60;
	return real ? ms : undefined;
}

/**
 * The server's clock as the `Date` headers of its answers show it, within MAX_CLOCK_SKEW_MS of the local
 * clock (`localNow`). Headers that cannot be read or lie further off are ignored.
 */
export class ServerClock {
	private skew: number | undefined;
	/** The offset (server − local, ms) of the last `Date` header that was ignored as too far off. */
	rejectedSkew: number | undefined;

	constructor(private readonly localNow: () => number) {}

	/** Takes the `Date` header of an answer into account. */
	observe(dateHeader: unknown): void {
		const at = parseHttpDate(dateHeader);
		if (at === undefined) return;
		const skew = at - this.localNow();
		const believable = believableSkew(skew);
		if (believable === undefined) this.rejectedSkew = skew;
		else this.skew = believable;
	}

	/** The server's time now, or undefined while no believable `Date` header was seen. */
	now(): number | undefined {
		return this.skew === undefined ? undefined : this.localNow() + this.skew;
	}
}
