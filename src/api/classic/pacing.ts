/**
 * Request pacing under Famulor's limits (SPEC §4): at most `perTenSeconds` requests in any 10 s and
 * `perMinute` in any 60 s, measured over the requests this client sent, plus whatever the server
 * says through `X-RateLimit-Limit` / `X-RateLimit-Remaining` / `X-RateLimit-Reset`. The server is
 * authoritative: a larger advertised limit (a white-label host, the sandbox) raises ours, and an
 * exhausted `Remaining` waits for `Reset`. Time comes from an injected clock so tests and
 * benchmarks can drive it.
 */
import { parseDecimal } from '../../decimal';
import { MINUTE_MS } from '../../clock';

export interface RateLimits {
	perMinute: number;
	perTenSeconds: number;
}

export const FAMULOR_RATE_LIMITS: RateLimits = { perMinute: 100, perTenSeconds: 20 };

/** Slack added to each window so that our clock and the server's never disagree at the edge. */
const WINDOW_MARGIN_MS = 150;

export class Pacer {
	private readonly sent: number[] = [];
	private limits: RateLimits;
	private remaining: number | undefined;
	private resetAt: number | undefined;

	/**
	 * `history`: send times of requests made earlier with the same key (e.g. by the previous poll).
	 * Times after `now` (a clock stepped back, a damaged state) are dropped: they would block every
	 * request for as long as they lie ahead. Limits that are not positive whole numbers are Famulor's.
	 */
	constructor(limits: RateLimits = FAMULOR_RATE_LIMITS, history: number[] = [], now = Date.now()) {
		this.limits = validLimits(limits) ? { ...limits } : { ...FAMULOR_RATE_LIMITS };
		const past = history.filter(
			(t) => Number.isFinite(t) && t <= now + WINDOW_MARGIN_MS && t > now - MINUTE_MS - WINDOW_MARGIN_MS,
		);
		this.sent.push(...past.sort((a, b) => a - b));
	}

	/** Send times within the last minute, to hand to the next pacer for the same key. */
	history(now: number): number[] {
		return this.sent.filter((t) => t > now - MINUTE_MS - WINDOW_MARGIN_MS);
	}

	get currentLimits(): RateLimits {
		return { ...this.limits };
	}

	/** Milliseconds to wait before the next request may be sent at `now`. */
	delayBefore(now: number): number {
		let wait = 0;
		wait = Math.max(wait, this.windowWait(now, 10_000, this.limits.perTenSeconds));
		wait = Math.max(wait, this.windowWait(now, MINUTE_MS, this.limits.perMinute));
		if (this.remaining !== undefined && this.remaining <= 0 && this.resetAt !== undefined && this.resetAt > now) {
			wait = Math.max(wait, this.resetAt - now + WINDOW_MARGIN_MS);
		}
		return wait;
	}

	private windowWait(now: number, windowMs: number, limit: number): number {
		if (this.sent.length < limit) return 0;
		const oldestInWindow = this.sent[this.sent.length - limit] ?? now;
		const freeAt = oldestInWindow + windowMs + WINDOW_MARGIN_MS;
		return freeAt > now ? freeAt - now : 0;
	}

	private ownWindowFull(now: number): boolean {
		return (
			this.windowWait(now, 10_000, this.limits.perTenSeconds) > 0 ||
			this.windowWait(now, MINUTE_MS, this.limits.perMinute) > 0
		);
	}

	recordSent(now: number): void {
		this.sent.push(now);
		if (this.remaining !== undefined) this.remaining -= 1;
		const keep = Math.max(this.limits.perMinute, this.limits.perTenSeconds);
		if (this.sent.length > keep * 2) this.sent.splice(0, this.sent.length - keep);
	}

	/** Reads the rate-limit headers of a response. */
	observe(headers: Record<string, unknown>, now: number): void {
		// The server counts a request when it arrives, somewhere between our send and its answer, so
		// a request is counted from its answer: never early, whatever the latency (a cold connection
		// can take longer than any fixed margin). Requests go out one at a time: the newest send is
		// the one answered.
		const newest = this.sent.length - 1;
		const sentAt = this.sent[newest];
		if (sentAt !== undefined && sentAt < now) this.sent[newest] = now;
		const limit = headerNumber(headers, 'x-ratelimit-limit');
		if (limit !== undefined && limit > 0 && limit !== this.limits.perMinute) {
			this.limits = { perMinute: limit, perTenSeconds: Math.max(1, Math.floor(limit / 5)) };
		}
		const remaining = headerNumber(headers, 'x-ratelimit-remaining');
		// An exhausted budget that this client's own full window explains (its last 10 s or minute)
		// is waited out by that window. X-RateLimit-Reset counts the minute, so obeying it here
		// would stall every 10 s burst for the rest of the minute (20 instead of 100 requests a
		// minute). Only an exhaustion our windows do not explain (other clients on the key) waits
		// for Reset.
		if (remaining !== undefined) this.remaining = remaining <= 0 && this.ownWindowFull(now) ? undefined : remaining;
		const reset = headerNumber(headers, 'x-ratelimit-reset');
		if (reset !== undefined) this.resetAt = reset > 1e11 ? reset : reset * 1000;
		else if (remaining !== undefined) this.resetAt = now + MINUTE_MS;
	}
}

function validLimits(limits: RateLimits | undefined): limits is RateLimits {
	const whole = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 1;
	return !!limits && whole(limits.perMinute) && whole(limits.perTenSeconds);
}

export function headerValue(headers: Record<string, unknown>, name: string): string | undefined {
	for (const key of Object.keys(headers)) {
		if (key.toLowerCase() === name) {
			const value = headers[key];
			if (Array.isArray(value)) return value.length ? String(value[0]) : undefined;
			return value === undefined || value === null ? undefined : String(value);
		}
	}
	return undefined;
}

/** A header's decimal number (not "0x10", "1e3" or "Infinity", which Number() would read). */
export function headerNumber(headers: Record<string, unknown>, name: string): number | undefined {
	return parseDecimal(headerValue(headers, name));
}
