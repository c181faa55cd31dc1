/**
 * The client's retries, error classification and pacing over scripted transports and a fake clock.
 * Sleeps are recorded and advance the fake clock instead of waiting.
 */
import { checkBaseUrl } from '../../src/api/classic/baseUrl';
import { FamulorClient } from '../../src/api/classic/client';
import type { ClientOptions } from '../../src/api/classic/requests';
import { type Transport, type TransportResponse } from '../../src/api/classic/transport';
import { FamulorApiError } from '../../src/errors';
import { Pacer } from '../../src/api/classic/pacing';

const KEY = 'fam_live_4f9c2a7e1b0d3c5e8a6b';
const OK: TransportResponse = { status: 200, headers: {}, body: { total_balance: '12.50000000' } };

type Step = TransportResponse | { throws: unknown };

/** A transport answering from a script (the last step repeats), and a fake clock. */
function harness(steps: Step[], options: Partial<ClientOptions> = {}) {
	const clock = { now: 1_800_000_000_000 };
	const sleeps: number[] = [];
	const sentAt: number[] = [];
	let index = 0;
	const transport: Transport = async () => {
		sentAt.push(clock.now);
		const step = steps[Math.min(index++, steps.length - 1)];
		if ('throws' in step) throw step.throws;
		return step;
	};
	const client = new FamulorClient({
		transport,
		now: () => clock.now,
		sleep: async (ms) => {
			sleeps.push(ms);
			clock.now += ms;
		},
		random: () => 0.5,
		limits: { perMinute: 1e9, perTenSeconds: 1e9 },
		...options,
	});
	return { client, clock, sleeps, sentAt, attempts: () => index };
}

async function failure(promise: Promise<unknown>): Promise<FamulorApiError> {
	try {
		await promise;
	} catch (error) {
		expect(error).toBeInstanceOf(FamulorApiError);
		return error as FamulorApiError;
	}
	throw new Error('expected the request to fail');
}

/** Everything an error could carry into a log or an n8n error view. */
function everything(error: unknown): string {
	const e = error as FamulorApiError;
	return [e.message, e.fix, e.stack, JSON.stringify(e), String(e)].join('\n');
}

describe('429 rate limited', () => {
	it('retries after the body retry_after', async () => {
		const h = harness([{ status: 429, headers: {}, body: { message: 'Too Many Attempts.', retry_after: 7 } }, OK]);
		await expect(h.client.getMe()).resolves.toMatchObject({ total_balance: '12.50000000' });
		expect(h.attempts()).toBe(2);
		expect(h.sleeps).toHaveLength(1);
		expect(h.sleeps[0]).toBeGreaterThanOrEqual(7_000);
		expect(h.sleeps[0]).toBeLessThan(10_000);
		expect(h.sentAt[1] - h.sentAt[0]).toBeGreaterThanOrEqual(7_000);
	});

	it('retries after the Retry-After header', async () => {
		const h = harness([{ status: 429, headers: { 'Retry-After': '3' }, body: 'Too Many Requests' }, OK]);
		await h.client.getMe();
		expect(h.attempts()).toBe(2);
		expect(h.sleeps[0]).toBeGreaterThanOrEqual(3_000);
		expect(h.sleeps[0]).toBeLessThan(5_000);
	});

	it('retries a bare 429 with a backoff', async () => {
		const h = harness([{ status: 429, headers: {}, body: {} }, { status: 429, headers: {}, body: {} }, OK]);
		await h.client.getMe();
		expect(h.attempts()).toBe(3);
		expect(h.sleeps).toHaveLength(2);
		expect(h.sleeps[0]).toBeGreaterThan(0);
		expect(h.sleeps[1]).toBeGreaterThan(h.sleeps[0]);
	});

	it('gives up with a rate-limit error that says what to do', async () => {
		const h = harness([{ status: 429, headers: {}, body: { retry_after: 1 } }], { maxAttempts: 4 });
		const error = await failure(h.client.getMe());
		expect(h.attempts()).toBe(4);
		expect(error.kind).toBe('rateLimited');
		expect(error.status).toBe(429);
		expect(error.message).toMatch(/429/);
		expect(error.fix).toMatch(/less often|fewer workflows/);
	});

	it('gives up when the server asks to wait longer than the retry budget', async () => {
		const h = harness([{ status: 429, headers: {}, body: { retry_after: 3_600 } }, OK], { maxRetryMs: 120_000 });
		const error = await failure(h.client.getMe());
		expect(error.kind).toBe('rateLimited');
		expect(h.attempts()).toBe(1);
		expect(h.sleeps).toEqual([]);
	});
});

describe('waits are bounded (MAX_WAIT_MS)', () => {
	it('a 200 with X-RateLimit-Remaining 0 and a reset 3 days ahead fails at once with the time to retry', async () => {
		const start = 1_800_000_000_000;
		const reset = String((start + 3 * 86_400_000) / 1000);
		const h = harness([
			{ status: 200, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }, body: OK.body },
			OK,
		]);
		await h.client.getMe();
		const error = await failure(h.client.getMe());
		expect(error.kind).toBe('rateLimited');
		expect(error.retryAfterMs).toBeGreaterThan(2 * 86_400_000);
		expect(error.message).toMatch(/72 h before the next request \(until 2027-01-18T/);
		expect(error.fix).toMatch(/^Try again after 2027-01-18T.*waits at most 65 s/);
		expect(h.sleeps).toEqual([]);
		expect(h.attempts()).toBe(1);
	});

	it('a 429 asking for an hour fails with the time to retry, without sleeping', async () => {
		const h = harness([{ status: 429, headers: { 'Retry-After': '3600' }, body: {} }, OK]);
		const error = await failure(h.client.getMe());
		expect(error.kind).toBe('rateLimited');
		expect(error.status).toBe(429);
		expect(error.message).toMatch(/60 min before the next request .*\(HTTP 429\)/);
		expect(error.retryAfterMs).toBe(3_600_000);
		expect(h.sleeps).toEqual([]);
	});

	it('pacing history from the future (a clock stepped back, a damaged state) is dropped', async () => {
		const start = 1_800_000_000_000;
		const future = Array.from({ length: 100 }, (_, i) => start + 86_400_000 + i);
		const h = harness([OK], { limits: { perMinute: 100, perTenSeconds: 20 }, pacingHistory: future });
		await h.client.getMe();
		expect(h.sleeps).toEqual([]);
		expect(new Pacer(undefined, future, start).delayBefore(start)).toBe(0);
		// Send times of the last minute still count.
		const recent = Array.from({ length: 20 }, (_, i) => start - 5_000 + i);
		expect(new Pacer(undefined, recent, start).delayBefore(start)).toBeGreaterThan(0);
	});

	it("limits that are not positive whole numbers fall back to Famulor's", () => {
		const pacer = new Pacer({ perMinute: -1, perTenSeconds: Number.NaN }, [], 0);
		expect(pacer.currentLimits).toEqual({ perMinute: 100, perTenSeconds: 20 });
	});

	it('an aborted request (the hard deadline of the transport) is a timeout, retried', async () => {
		const canceled = Object.assign(new Error('canceled'), { name: 'CanceledError', code: 'ERR_CANCELED' });
		const h = harness([{ throws: { message: 'wrapped', cause: canceled } }, OK]);
		await h.client.getMe();
		expect(h.attempts()).toBe(2);
		const timeout = harness(
			[{ throws: new DOMException('The operation was aborted due to timeout', 'TimeoutError') }],
			{ maxAttempts: 2 },
		);
		expect((await failure(timeout.client.getMe())).kind).toBe('timeout');
	});
});

describe('listing assistants', () => {
	const assistants = (from: number, n: number) =>
		Array.from({ length: n }, (_, i) => ({ id: from + i, name: `A${from + i}` }));
	const paginated = (page: number, data: unknown[], extra: Record<string, unknown> = {}) => ({
		status: 200,
		headers: {},
		body: { current_page: page, data, per_page: 100, total: 250, last_page: 3, ...extra },
	});

	it('reads every page up to last_page', async () => {
		const h = harness([
			paginated(1, assistants(1, 100)),
			paginated(2, assistants(101, 100)),
			paginated(3, assistants(201, 50)),
		]);
		expect((await h.client.getAssistants()).map((a) => a.id)).toEqual(assistants(1, 250).map((a) => a.id));
		expect(h.attempts()).toBe(3);
	});

	it('a server that ignores `page` fails after two requests (it asked 1,000 times)', async () => {
		const h = harness([paginated(1, assistants(1, 100)), paginated(2, assistants(1, 100))]);
		const error = await failure(h.client.getAssistants());
		expect(error.kind).toBe('incomplete');
		expect(error.message).toBe(
			"Famulor's assistant list cannot be proven complete: page 2 repeats assistants of an earlier page",
		);
		expect(h.attempts()).toBe(2);
	});

	it('a page other than the one asked for, or fewer assistants than the total, fails typed', async () => {
		const wrongPage = harness([paginated(1, assistants(1, 100)), paginated(1, assistants(101, 100))]);
		expect((await failure(wrongPage.client.getAssistants())).message).toMatch(
			/asked for page 2, Famulor answered with page 1/,
		);
		const short = harness([paginated(1, assistants(1, 100), { last_page: 1 })]);
		expect((await failure(short.client.getAssistants())).message).toMatch(/100 of 250 assistants were listed/);
	});
});

describe('5xx, malformed bodies and network errors', () => {
	it('retries 5xx with growing backoff, then fails after maxAttempts', async () => {
		const h = harness([{ status: 503, headers: {}, body: 'Service Unavailable' }], { maxAttempts: 4 });
		const error = await failure(h.client.getMe());
		expect(h.attempts()).toBe(4);
		expect(h.sleeps).toHaveLength(3);
		expect(h.sleeps[1]).toBeGreaterThan(h.sleeps[0]);
		expect(h.sleeps[2]).toBeGreaterThan(h.sleeps[1]);
		expect(error.kind).toBe('server');
		expect(error.status).toBe(503);
		expect(error.message).toContain('503');
	});

	it('recovers when a 5xx is followed by a success', async () => {
		const h = harness([{ status: 500, headers: {}, body: {} }, { status: 502, headers: {}, body: {} }, OK]);
		await expect(h.client.getMe()).resolves.toMatchObject({ total_balance: '12.50000000' });
		expect(h.attempts()).toBe(3);
	});

	it('backoff has jitter', async () => {
		const low = harness([{ status: 500, headers: {}, body: {} }, OK], { random: () => 0 });
		const high = harness([{ status: 500, headers: {}, body: {} }, OK], { random: () => 0.999 });
		await low.client.getMe();
		await high.client.getMe();
		expect(low.sleeps[0]).toBeLessThan(high.sleeps[0]);
	});

	it('retries a body that is not JSON, then fails naming the problem', async () => {
		const recovered = harness([{ status: 200, headers: {}, body: '<html>maintenance' }, OK]);
		await expect(recovered.client.getMe()).resolves.toMatchObject({ total_balance: '12.50000000' });
		expect(recovered.attempts()).toBe(2);

		const broken = harness([{ status: 200, headers: {}, body: '{"total_balance": 1' }], { maxAttempts: 3 });
		const error = await failure(broken.client.getMe());
		expect(broken.attempts()).toBe(3);
		expect(error.kind).toBe('malformed');
		expect(error.message).toMatch(/not valid JSON/);
	});

	it('parses a JSON body delivered as text', async () => {
		const h = harness([{ status: 200, headers: {}, body: '{"total_balance":"3.5"}' }]);
		await expect(h.client.getMe()).resolves.toMatchObject({ total_balance: '3.5' });
	});

	it('a body of the wrong shape is not retried and names the field', async () => {
		const h = harness([{ status: 200, headers: {}, body: { name: 'x' } }]);
		const error = await failure(h.client.getMe());
		expect(h.attempts()).toBe(1);
		expect(error.kind).toBe('malformed');
		expect(error.message).toContain('`total_balance`');
	});

	it('retries a network error (ECONNRESET)', async () => {
		const h = harness([{ throws: { code: 'ECONNRESET', message: 'socket hang up' } }, OK]);
		await expect(h.client.getMe()).resolves.toMatchObject({ total_balance: '12.50000000' });
		expect(h.attempts()).toBe(2);
		expect(h.sleeps).toHaveLength(1);
	});

	it('a persistent network error fails with its code', async () => {
		const h = harness([{ throws: { code: 'ECONNRESET' } }], { maxAttempts: 3 });
		const error = await failure(h.client.getMe());
		expect(h.attempts()).toBe(3);
		expect(error.kind).toBe('network');
		expect(error.message).toContain('ECONNRESET');
	});

	it('finds the code of a wrapped error and classifies timeouts and unknown hosts', async () => {
		const wrapped = harness([{ throws: { message: 'wrapped', cause: { code: 'ETIMEDOUT' } } }], { maxAttempts: 1 });
		expect((await failure(wrapped.client.getMe())).kind).toBe('timeout');
		const unknownHost = harness([{ throws: { code: 'ENOTFOUND' } }], { maxAttempts: 1 });
		const error = await failure(unknownHost.client.getMe());
		expect(error.kind).toBe('network');
		expect(error.fix).toMatch(/Base URL/);
	});
});

describe('errors that are not retried', () => {
	it.each([
		[401, 'auth', /API key/, /new key|API Keys/],
		[403, 'forbidden', /403/, /plan/],
		[404, 'notFound', /404/, /Base URL/],
		[422, 'badRequest', /422/, /parameters/],
	])('HTTP %i', async (status, kind, message, fix) => {
		const h = harness([{ status, headers: {}, body: { message: 'nope' } }, OK]);
		const error = await failure(h.client.getMe());
		expect(h.attempts()).toBe(1);
		expect(h.sleeps).toEqual([]);
		expect(error.kind).toBe(kind);
		expect(error.status).toBe(status);
		expect(error.retryable).toBe(false);
		expect(error.message).toMatch(message);
		expect(error.fix).toMatch(fix);
	});

	it('a redirect is not followed and the error says so', async () => {
		const h = harness([
			{ status: 301, headers: { Location: 'https://famulor.example/api/user/me?session=abc' }, body: '' },
			OK,
		]);
		const error = await failure(h.client.getMe());
		expect(h.attempts()).toBe(1);
		expect(error.message).toMatch(/redirect/i);
		expect(error.message).toMatch(/not followed/);
		expect(error.message).toContain('https://famulor.example/api/user/me');
		expect(error.message).not.toContain('session=abc');
		expect(error.fix).toMatch(/Base URL/);
	});
});

describe('the API key never appears in an error', () => {
	const axiosLikeError = (code?: string) => ({
		message: `Request failed with Authorization: Bearer ${KEY}`,
		code,
		config: { headers: { Authorization: `Bearer ${KEY}` }, url: 'https://app.famulor.de/api/user/me' },
		request: { _header: `GET /api/user/me HTTP/1.1\r\nAuthorization: Bearer ${KEY}\r\n` },
		response: undefined,
	});

	it.each([['ECONNRESET'], ['ETIMEDOUT'], ['ENOTFOUND'], [undefined]])('transport error %s', async (code) => {
		const h = harness([{ throws: axiosLikeError(code) }], { maxAttempts: 2 });
		const error = await failure(h.client.getMe());
		expect(everything(error)).not.toContain(KEY);
	});

	it('a response body that echoes the Authorization header', async () => {
		const h = harness([
			{ status: 400, headers: {}, body: { message: `Malformed header Authorization: Bearer ${KEY}` } },
		]);
		const error = await failure(h.client.getMe());
		expect(error.status).toBe(400);
		expect(everything(error)).not.toContain(KEY);
	});

	it('a body that echoes the key cut short, percent-encoded or base64-encoded', async () => {
		const basic = Buffer.from(`user:${KEY}`).toString('base64');
		const echoes = [
			`key ${KEY.slice(0, 14)}… rejected`,
			`tail …${KEY.slice(-12)}`,
			`url /api?key=${encodeURIComponent(KEY + '/+=')}`,
			`token ${Buffer.from(KEY).toString('base64')}`,
			`header Basic ${basic}`,
			`urlsafe ${Buffer.from(`xy${KEY}`).toString('base64url')}`,
		];
		for (const message of echoes) {
			const h = harness([{ status: 400, headers: {}, body: { message } }], { secret: KEY });
			const text = everything(await failure(h.client.getMe()));
			for (let i = 0; i + 8 <= KEY.length; i++) expect(text).not.toContain(KEY.slice(i, i + 8));
			expect(text).not.toContain(Buffer.from(KEY).toString('base64').slice(4, 16));
			expect(text).not.toContain(basic.slice(8, 24));
		}
	});

	it('401, 5xx and malformed bodies', async () => {
		for (const step of [
			{ status: 401, headers: { 'www-authenticate': `Bearer ${KEY}` }, body: { message: 'Unauthenticated.' } },
			{ status: 500, headers: {}, body: { message: `boom Bearer ${KEY}` } },
			{ status: 200, headers: {}, body: `not json Bearer ${KEY}` },
		]) {
			const h = harness([step], { maxAttempts: 2 });
			expect(everything(await failure(h.client.getMe()))).not.toContain(KEY);
		}
	});
});

describe('deadline', () => {
	it('a retry wait beyond the deadline throws instead of sleeping', async () => {
		const h = harness([{ status: 429, headers: {}, body: { retry_after: 60 } }, OK]);
		h.client.deadline = h.clock.now + 5_000;
		const error = await failure(h.client.getMe());
		expect(error.kind).toBe('rateLimited');
		expect(h.sleeps).toEqual([]);
		expect(h.attempts()).toBe(1);
	});

	it('a pacing wait beyond the deadline throws instead of sleeping', async () => {
		const h = harness([OK], { limits: { perMinute: 100, perTenSeconds: 1 } });
		h.client.deadline = h.clock.now + 5_000;
		await h.client.getMe();
		const error = await failure(h.client.getMe());
		expect(error.kind).toBe('outOfTime');
		expect(error.retryable).toBe(false);
		expect(error.message).toMatch(/ran out of time/);
		expect(h.sleeps).toEqual([]);
		expect(h.attempts()).toBe(1);
	});

	// Regression: a request sent just before the deadline could wait its full timeout (30 s) past it.
	it('a request never waits past the deadline: its timeout is the time left', async () => {
		const timeouts: number[] = [];
		const client = new FamulorClient({
			transport: async (request) => {
				timeouts.push(request.timeoutMs);
				return OK;
			},
			now: () => 1_800_000_000_000,
			sleep: async () => undefined,
			limits: { perMinute: 1e9, perTenSeconds: 1e9 },
			timeoutMs: 30_000,
			deadline: 1_800_000_000_000 + 7_000,
		});
		await client.getMe();
		client.deadline = undefined;
		await client.getMe();
		expect(timeouts).toEqual([7_000, 30_000]);
	});

	it('waits that fit before the deadline are slept', async () => {
		const h = harness([{ status: 429, headers: {}, body: { retry_after: 2 } }, OK]);
		h.client.deadline = h.clock.now + 5_000;
		await h.client.getMe();
		expect(h.sleeps).toHaveLength(1);
		expect(h.clock.now).toBeLessThanOrEqual(h.client.deadline);
		expect(h.client.timeLeft()).toBeGreaterThan(0);
	});
});

describe('pacing', () => {
	/** Largest number of sends within any closed window [t, t + windowMs]. */
	function maxInWindow(times: number[], windowMs: number): number {
		let best = 0;
		for (let i = 0; i < times.length; i++) {
			let count = 0;
			for (let j = i; j < times.length && times[j] <= times[i] + windowMs; j++) count++;
			best = Math.max(best, count);
		}
		return best;
	}

	it('150 requests at Famulor limits never exceed 20 per 10 s nor 100 per minute', async () => {
		const h = harness([OK], { limits: { perMinute: 100, perTenSeconds: 20 } });
		for (let i = 0; i < 150; i++) await h.client.getMe();
		expect(h.sentAt).toHaveLength(150);
		expect(maxInWindow(h.sentAt, 10_000)).toBeLessThanOrEqual(20);
		expect(maxInWindow(h.sentAt, 60_000)).toBeLessThanOrEqual(100);
		// And it does not crawl: 150 requests fit in well under 3 minutes.
		expect(h.sentAt[149] - h.sentAt[0]).toBeLessThan(3 * 60_000);
		// The first 20 go out at once.
		expect(h.sentAt[19]).toBe(h.sentAt[0]);
	});

	it('raises its limits from an X-RateLimit-Limit header', async () => {
		const h = harness([{ status: 200, headers: { 'X-RateLimit-Limit': '1000' }, body: OK.body }], {
			limits: { perMinute: 100, perTenSeconds: 20 },
		});
		await h.client.getMe();
		expect(h.client.pacer.currentLimits.perMinute).toBe(1000);
		expect(h.client.pacer.currentLimits.perTenSeconds).toBeGreaterThan(20);
		for (let i = 0; i < 149; i++) await h.client.getMe();
		// With the default limits the 21st request would have waited.
		expect(h.sleeps).toEqual([]);
	});

	it('an exhausted X-RateLimit-Remaining waits for X-RateLimit-Reset', async () => {
		const start = 1_800_000_000_000;
		const h = harness([
			{
				status: 200,
				headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String((start + 30_000) / 1000) },
				body: OK.body,
			},
			OK,
		]);
		await h.client.getMe();
		await h.client.getMe();
		expect(h.sleeps).toHaveLength(1);
		expect(h.sentAt[1]).toBeGreaterThanOrEqual(start + 30_000);
	});

	it('Pacer alone: delays only once a window is full', () => {
		const pacer = new Pacer({ perMinute: 100, perTenSeconds: 2 });
		expect(pacer.delayBefore(0)).toBe(0);
		pacer.recordSent(0);
		expect(pacer.delayBefore(0)).toBe(0);
		pacer.recordSent(1_000);
		const wait = pacer.delayBefore(1_000);
		// The first send leaves the 10 s window at 10 000.
		expect(wait).toBeGreaterThanOrEqual(9_000);
		expect(pacer.delayBefore(1_000 + wait)).toBe(0);
	});
});

describe('checkBaseUrl', () => {
	it('accepts https and loopback http', () => {
		expect(checkBaseUrl('https://app.famulor.de/api')).toBe('https://app.famulor.de/api');
		expect(checkBaseUrl(' https://app.famulor.de/api/ ')).toBe('https://app.famulor.de/api');
		expect(checkBaseUrl('http://localhost:8080/api')).toBe('http://localhost:8080/api');
		expect(checkBaseUrl('http://127.0.0.1:3000')).toBe('http://127.0.0.1:3000');
	});

	it('never repeats an unparseable value; shows the host of a parseable one without the key', () => {
		const pasted = () => checkBaseUrl(KEY);
		expect(pasted).toThrow(/^Base URL is not a URL \(it is not repeated here/);
		expect(() => checkBaseUrl(`${KEY} https://app.famulor.de/api`)).toThrow(
			expect.objectContaining({ message: expect.not.stringContaining(KEY) }),
		);
		let caught: FamulorApiError | undefined;
		try {
			checkBaseUrl(`http://${KEY.replace(/_/g, '-')}.example.com/api`, KEY.replace(/_/g, '-'));
		} catch (error) {
			caught = error as FamulorApiError;
		}
		expect(caught?.message).toMatch(/is not https/);
		expect(caught?.message).not.toContain(KEY.replace(/_/g, '-').slice(0, 8));
	});

	it.each([
		['https://user:S3cretPw@app.famulor.de/api', /user name or password/],
		[`https://${KEY}@app.famulor.de/api`, /user name or password/],
		['https://app.famulor.de/api?key=abc', /query \(\?…\) or fragment/],
		['https://app.famulor.de/api#frag', /query \(\?…\) or fragment/],
		['https://app.famulor.de/api?', /query \(\?…\) or fragment/],
	])('refuses %p', (url, message) => {
		let caught: FamulorApiError | undefined;
		try {
			checkBaseUrl(url);
		} catch (error) {
			caught = error as FamulorApiError;
		}
		expect(caught?.kind).toBe('insecureUrl');
		expect(caught?.message).toMatch(message);
		expect(everything(caught)).not.toContain(KEY);
		expect(everything(caught)).not.toContain('S3cretPw');
	});

	it.each([
		'http://example.com/api',
		'http://localhost.example.com/api',
		'ftp://app.famulor.de/api',
		'app.famulor.de/api',
		'',
	])('rejects %p', (url) => {
		let caught: unknown;
		try {
			checkBaseUrl(url);
		} catch (error) {
			caught = error;
		}
		expect(caught).toBeInstanceOf(FamulorApiError);
		expect((caught as FamulorApiError).kind).toBe('insecureUrl');
		expect((caught as FamulorApiError).fix).toMatch(/https/);
	});
});
