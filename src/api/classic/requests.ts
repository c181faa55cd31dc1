/**
 * One GET to Famulor Classic, as FamulorClient (client.ts) sends every request: pacing (pacing.ts),
 * retries with backoff and jitter, bounded waits and the poll's deadline. What each answer means is
 * decided in errors.ts.
 */
import { FamulorApiError } from '../../errors';
import { scrubSecret } from '../../secrets';
import { classifyResponse, classifyTransportError } from './errors';
import { Pacer, type RateLimits } from './pacing';
import type { Transport, TransportRequest, TransportResponse } from './transport';

export interface ClientOptions {
	transport: Transport;
	now?: () => number;
	sleep: (ms: number) => Promise<void>;
	random?: () => number;
	limits?: RateLimits;
	/** Send times of the previous requests with this key (see Pacer). */
	pacingHistory?: number[];
	/** Per-request timeout. */
	timeoutMs?: number;
	/** Give up retrying one request after this long. */
	maxRetryMs?: number;
	/**
	 * The longest single wait the client accepts (a rate-limit reset, a Retry-After, pacing). A longer
	 * one fails at once with a `rateLimited` error that says when to try again.
	 */
	maxWaitMs?: number;
	maxAttempts?: number;
	/** Absolute time (epoch ms) after which no new wait or retry starts (a trigger's poll budget). */
	deadline?: number;
	/** The API key, only to cut it out of any text taken from a response (a server may echo it). */
	secret?: string;
}

/**
 * Famulor counts requests per minute: no wait it asks for should be longer. One that is (a reset days
 * ahead, a huge Retry-After) is not slept through; the caller gets a typed error with the time.
 */
export const MAX_WAIT_MS = 65_000;

/** Pacing, retries and deadlines of the Classic client's requests. */
export class ClassicRequests {
	readonly pacer: Pacer;
	private readonly transport: Transport;
	private readonly now: () => number;
	private readonly sleep: (ms: number) => Promise<void>;
	private readonly random: () => number;
	private readonly timeoutMs: number;
	private readonly maxRetryMs: number;
	private readonly maxWaitMs: number;
	private readonly maxAttempts: number;
	deadline: number | undefined;
	/** Cuts the API key out of text taken from a response. */
	protected readonly scrub: (text: string) => string;
	/** Requests sent (including retries), for accounting. */
	requestCount = 0;

	constructor(options: ClientOptions) {
		this.transport = options.transport;
		this.now = options.now ?? Date.now;
		this.sleep = options.sleep;
		this.random = options.random ?? Math.random;
		this.pacer = new Pacer(options.limits, options.pacingHistory, this.now());
		this.timeoutMs = options.timeoutMs ?? 30_000;
		this.maxRetryMs = options.maxRetryMs ?? 120_000;
		this.maxWaitMs = options.maxWaitMs ?? MAX_WAIT_MS;
		this.maxAttempts = options.maxAttempts ?? 6;
		this.deadline = options.deadline;
		const secret = options.secret;
		this.scrub = (text) => scrubSecret(text, secret);
	}

	/** Milliseconds left before the deadline (Infinity without one). */
	timeLeft(): number {
		return this.deadline === undefined ? Infinity : this.deadline - this.now();
	}

	/** Whether one more request can start (after pacing) and still leave `reserveMs` before the deadline. */
	hasTimeForRequest(reserveMs: number): boolean {
		return this.timeLeft() - this.pacer.delayBefore(this.now()) > reserveMs;
	}

	/** One GET with pacing and retries; returns the parsed JSON body of a 2xx response. */
	async get(path: string, query?: Record<string, string | number | undefined>): Promise<unknown> {
		const cleanQuery: Record<string, string | number> = {};
		for (const [key, value] of Object.entries(query ?? {})) {
			if (value !== undefined && value !== '') cleanQuery[key] = value;
		}
		const started = this.now();
		let lastError: FamulorApiError | undefined;
		for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
			await this.waitFor(this.pacer.delayBefore(this.now()), lastError);
			this.pacer.recordSent(this.now());
			this.requestCount++;
			// Never wait for an answer past the deadline (at least a second, so a request can still succeed).
			const timeoutMs = Math.max(1_000, Math.min(this.timeoutMs, Math.floor(this.timeLeft())));
			const response = await this.send({ method: 'GET', path, query: cleanQuery, timeoutMs });
			let error: FamulorApiError;
			if (response instanceof FamulorApiError) {
				error = response;
			} else {
				this.pacer.observe(response.headers ?? {}, this.now());
				const outcome = classifyResponse(response, path, this.scrub);
				if (!(outcome instanceof FamulorApiError)) return outcome.body;
				error = outcome;
			}
			if (!error.retryable || attempt === this.maxAttempts) throw error;
			const wait = error.retryAfterMs ?? this.backoff(attempt);
			if (wait > this.maxWaitMs) throw this.waitTooLong(wait, error);
			if (this.now() + wait - started > this.maxRetryMs) throw error;
			lastError = error;
			await this.waitFor(wait, error);
		}
		throw lastError ?? new FamulorApiError('network', 'The request failed', 'Try again later.');
	}

	/** The transport's answer, or the classified reason none arrived. */
	private async send(request: TransportRequest): Promise<TransportResponse | FamulorApiError> {
		try {
			return await this.transport(request);
		} catch (thrown) {
			return classifyTransportError(thrown);
		}
	}

	private async waitFor(ms: number, pending: FamulorApiError | undefined): Promise<void> {
		if (ms <= 0) return;
		if (ms > this.maxWaitMs) throw this.waitTooLong(ms, pending);
		if (this.deadline !== undefined && this.now() + ms > this.deadline) {
			throw (
				pending ??
				new FamulorApiError(
					'outOfTime',
					'The poll ran out of time while waiting for the Famulor rate limit',
					'Nothing is lost: the next poll continues where this one stopped. If this repeats, poll less often ' +
						'or let fewer workflows share the API key.',
					{ retryAfterMs: ms, retryable: false },
				)
			);
		}
		await this.sleep(ms);
	}

	/** The error for a wait longer than maxWaitMs: rate limited, with the time to try again. */
	private waitTooLong(ms: number, pending: FamulorApiError | undefined): FamulorApiError {
		const retryAt = new Date(this.now() + ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
		return new FamulorApiError(
			'rateLimited',
			`Famulor's rate limit asks to wait ${describeWait(ms)} before the next request (until ${retryAt})${
				pending?.status ? ` (HTTP ${pending.status})` : ''
			}`,
			`Try again after ${retryAt}. The package waits at most ${Math.round(this.maxWaitMs / 1000)} s for the rate limit; ` +
				"a longer wait usually means other workflows or apps use up this API key's requests.",
			{ status: pending?.status, retryAfterMs: ms, retryable: false },
		);
	}

	private backoff(attempt: number): number {
		const base = Math.min(15_000, 500 * 2 ** (attempt - 1));
		return Math.round(base * (0.7 + 0.6 * this.random()));
	}
}

function describeWait(ms: number): string {
	const seconds = Math.ceil(ms / 1000);
	if (seconds < 120) return `${seconds} s`;
	if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
	return `${Math.round(seconds / 3600)} h`;
}
