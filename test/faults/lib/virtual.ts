/**
 * Virtual time for the fault suite: a clock the client sleeps on (backoff and rate-limit waits cost
 * no wall time), a seeded random source, and a real HTTP transport to the sandbox that
 *  - charges a fixed virtual latency per request, and a request's full timeout when the answer is
 *    slower than a short wall-clock timeout (the sandbox's `slow` fault);
 *  - stands in front of the sandbox as Famulor's rate limiter in *virtual* time (the sandbox's own
 *    limiter counts wall-clock time, which means nothing here): it answers like Laravel's throttle
 *    (`X-RateLimit-Limit` / `X-RateLimit-Remaining`; a request over 20 per 10 s or 100 per minute
 *    gets a 429 with `Retry-After` and is recorded as a violation);
 *  - records the client-side send time of every request, for the rate-limit invariant.
 */
import http from 'node:http';
import type { Transport, TransportRequest, TransportResponse } from '../../../src/api/classic/transport';

export { seededRandom } from '../../helpers/random';

export class VirtualClock {
	constructor(public now: number) {}

	/** The client's `sleep`: advances virtual time, returns at once. */
	readonly sleep = async (ms: number): Promise<void> => {
		if (ms > 0) this.now += ms;
	};

	/** Moves the clock forward to `at` (never backwards). */
	advanceTo(at: number): void {
		if (at > this.now) this.now = at;
	}
}

export const FAMULOR_LIMITS = { perMinute: 100, perTenSeconds: 20 };

/** Sliding windows over virtual send times, like Laravel's throttle per key. */
export class VirtualRateLimiter {
	readonly accepted: number[] = [];
	violations = 0;

	constructor(readonly limits = FAMULOR_LIMITS) {}

	/** Counts a request arriving at `at`; returns the headers to send, or a refusal. */
	hit(at: number): { allowed: true; headers: Record<string, string> } | { allowed: false; retryAfterSec: number } {
		const inMinute = this.accepted.filter((t) => t > at - 60_000);
		const inTen = inMinute.filter((t) => t > at - 10_000);
		let retryAfterMs = 0;
		if (inMinute.length >= this.limits.perMinute)
			retryAfterMs = inMinute[inMinute.length - this.limits.perMinute] + 60_000 - at;
		if (inTen.length >= this.limits.perTenSeconds) {
			retryAfterMs = Math.max(retryAfterMs, inTen[inTen.length - this.limits.perTenSeconds] + 10_000 - at);
		}
		if (retryAfterMs > 0) {
			this.violations++;
			return { allowed: false, retryAfterSec: Math.max(1, Math.ceil(retryAfterMs / 1000)) };
		}
		this.accepted.push(at);
		if (this.accepted.length > 4 * this.limits.perMinute)
			this.accepted.splice(0, this.accepted.length - 2 * this.limits.perMinute);
		return {
			allowed: true,
			headers: {
				'x-ratelimit-limit': String(this.limits.perMinute),
				'x-ratelimit-remaining': String(Math.max(0, this.limits.perMinute - inMinute.length - 1)),
			},
		};
	}
}

/** Largest number of send times inside any window of `windowMs` (a send at t counts in (t − window, t]). */
export function maxInWindow(times: number[], windowMs: number): number {
	const sorted = [...times].sort((a, b) => a - b);
	let best = 0;
	let lo = 0;
	for (let hi = 0; hi < sorted.length; hi++) {
		while (sorted[lo] <= sorted[hi] - windowMs) lo++;
		best = Math.max(best, hi - lo + 1);
	}
	return best;
}

export interface TransportOptions {
	baseUrl: string;
	apiKey: string;
	clock: VirtualClock;
	limiter: VirtualRateLimiter;
	/** Virtual milliseconds one answered request takes. */
	latencyMs?: number;
	/** Wall-clock timeout standing in for the request's (virtual) timeoutMs. */
	wallTimeoutMs?: number;
	/** Called with the request number (1-based, in this transport's life) before it is sent. */
	beforeSend?: (n: number, request: TransportRequest) => void;
}

export interface HttpTransport {
	transport: Transport;
	/** Virtual send time of every request the client sent. */
	sentAt: number[];
	requests: number;
	close(): void;
}

class TransportFailure extends Error {
	constructor(
		message: string,
		readonly code: string,
	) {
		super(message);
	}
}

export function httpTransport(options: TransportOptions): HttpTransport {
	const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
	const latency = options.latencyMs ?? 120;
	const wallTimeout = options.wallTimeoutMs ?? 400;
	const sentAt: number[] = [];
	const state = { requests: 0 };

	const send = (
		request: TransportRequest,
	): Promise<{ status: number; headers: Record<string, unknown>; text: string }> =>
		new Promise((resolve, reject) => {
			const query = new URLSearchParams(
				Object.entries(request.query ?? {}).map(([k, v]): [string, string] => [k, String(v)]),
			).toString();
			const url = new URL(`${options.baseUrl}${request.path}${query ? `?${query}` : ''}`);
			let settled = false;
			const finish = (fn: () => void) => {
				if (settled) return;
				settled = true;
				clearTimeout(timer);
				fn();
			};
			const req = http.request(
				url,
				{ method: 'GET', agent, headers: { Authorization: `Bearer ${options.apiKey}`, Accept: 'application/json' } },
				(res) => {
					const chunks: Buffer[] = [];
					res.on('data', (chunk: Buffer) => chunks.push(chunk));
					res.on('error', (error: NodeJS.ErrnoException) =>
						finish(() =>
							reject(new TransportFailure(`response aborted: ${error.message}`, error.code ?? 'ECONNRESET')),
						),
					);
					res.on('aborted', () => finish(() => reject(new TransportFailure('response aborted', 'ECONNRESET'))));
					res.on('close', () => {
						if (!res.complete) finish(() => reject(new TransportFailure('response incomplete', 'ECONNRESET')));
					});
					res.on('end', () =>
						finish(() =>
							resolve({
								status: res.statusCode ?? 0,
								headers: res.headers as Record<string, unknown>,
								text: Buffer.concat(chunks).toString('utf8'),
							}),
						),
					);
				},
			);
			const timer = setTimeout(() => {
				finish(() => reject(new TransportFailure('timeout', 'ETIMEDOUT')));
				req.destroy();
			}, wallTimeout);
			req.on('error', (error: NodeJS.ErrnoException) =>
				finish(() => reject(new TransportFailure(error.message, error.code ?? 'ECONNRESET'))),
			);
			req.end();
		});

	const transport: Transport = async (request) => {
		state.requests++;
		options.beforeSend?.(state.requests, request);
		const at = options.clock.now;
		sentAt.push(at);
		const decision = options.limiter.hit(at);
		if (!decision.allowed) {
			options.clock.now += latency;
			return {
				status: 429,
				headers: {
					'retry-after': String(decision.retryAfterSec),
					'x-ratelimit-limit': '100',
					'x-ratelimit-remaining': '0',
				},
				body: { message: 'Too Many Attempts.', retry_after: decision.retryAfterSec },
			};
		}
		let answer: { status: number; headers: Record<string, unknown>; text: string };
		try {
			answer = await send(request);
		} catch (error) {
			const failure = error as TransportFailure;
			options.clock.now += failure.code === 'ETIMEDOUT' ? request.timeoutMs : latency;
			throw failure;
		}
		options.clock.now += latency;
		const headers: Record<string, unknown> = {};
		for (const [name, value] of Object.entries(answer.headers)) {
			// The sandbox's limiter runs on wall-clock time; the virtual limiter above replaces it.
			if (!name.startsWith('x-ratelimit-')) headers[name] = value;
		}
		Object.assign(headers, decision.headers);
		let body: unknown = answer.text;
		try {
			body = answer.text === '' ? '' : JSON.parse(answer.text);
		} catch {
			body = answer.text;
		}
		const response: TransportResponse = { status: answer.status, headers, body };
		return response;
	};

	return {
		transport,
		sentAt,
		get requests() {
			return state.requests;
		},
		close: () => agent.destroy(),
	};
}
