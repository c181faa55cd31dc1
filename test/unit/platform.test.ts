/**
 * Famulor Platform 2.0 recognition (src/api/classic/platform.ts): keys starting with fam_, famulor.io hosts and
 * successful answers in Platform 2.0's list envelope are told apart from Famulor Classic, and the
 * client turns such an answer into the same clear error. Error answers keep their meaning whatever
 * their body says (issue 23): a 429 with `{"error":"rate_limit_exceeded"}` is retried after its
 * `retry_after`, a 5xx is retried, a 401 names the key.
 */
import { FamulorClient } from '../../src/api/classic/client';
import { type TransportResponse } from '../../src/api/classic/transport';
import { FamulorApiError } from '../../src/errors';
import {
	assertClassicCredential,
	isPlatform2Key,
	platform2CredentialError,
	platform2Host,
	platform2ResponseError,
	PLATFORM2_FIX,
} from '../../src/api/classic/platform';

const CLASSIC = 'https://app.famulor.de/api';
const KEY_2 = 'fam_live_9d2c4b7a1e3f5a8c0b6d';

describe('isPlatform2Key', () => {
	it.each([
		[KEY_2, true],
		['  fam_sa_0123456789abcdef  ', true],
		['FAM_live_0123', true],
		['fam-SECRET-7c1d9e2f4a6b', false],
		['sandbox-key-0123456789', false],
		['123|AbCdEfGhIjKlMnOp', false],
		['famulor_key', false],
		['', false],
		[undefined, false],
		[42, false],
	])('%p → %p', (key, expected) => {
		expect(isPlatform2Key(key)).toBe(expected);
	});
});

describe('platform2Host', () => {
	it.each([
		['https://app.famulor.io/api/v1', 'app.famulor.io'],
		['https://APP.FAMULOR.IO/api/v1/', 'app.famulor.io'],
		['app.famulor.io/api/v1', 'app.famulor.io'],
		['https://famulor.io', 'famulor.io'],
		['https://api.famulor.io./v1', 'api.famulor.io'],
		['http://app.famulor.io:8443/api', 'app.famulor.io'],
		[CLASSIC, undefined],
		['https://app.famulor.de/api/v1', undefined],
		['https://famulor.io.example.com/api', undefined],
		['https://notfamulor.io/api', undefined],
		['https://white-label.example/api/v1', undefined],
		['http://127.0.0.1:5680/api', undefined],
		['not a url at all', undefined],
		['', undefined],
		[undefined, undefined],
	])('%p → %p', (baseUrl, expected) => {
		expect(platform2Host(baseUrl)).toBe(expected);
	});
});

describe('platform2CredentialError', () => {
	it('accepts a Classic credential (and the sandbox)', () => {
		expect(platform2CredentialError({ apiKey: 'classic-key', baseUrl: CLASSIC })).toBeUndefined();
		const sandbox = { apiKey: 'sandbox-key-0123456789', baseUrl: 'http://127.0.0.1:5680/api' };
		expect(platform2CredentialError(sandbox)).toBeUndefined();
		expect(() => assertClassicCredential({ apiKey: 'classic-key', baseUrl: CLASSIC })).not.toThrow();
	});

	it('names a fam_ key as Platform 2.0, says nothing was sent, and never repeats the key', () => {
		const error = platform2CredentialError({ apiKey: KEY_2, baseUrl: CLASSIC });
		expect(error).toBeInstanceOf(FamulorApiError);
		expect(error?.kind).toBe('unsupportedPlatform');
		expect(error?.retryable).toBe(false);
		expect(error?.message).toBe(
			'API Key is a Famulor Platform 2.0 key (it starts with fam_), ' +
				'but this package reads Famulor Classic (app.famulor.de); nothing was sent',
		);
		expect(error?.fix).toBe(PLATFORM2_FIX);
		expect(`${error?.message} ${error?.fix} ${error?.stack}`).not.toContain(KEY_2.slice(4));
	});

	it('names a famulor.io Base URL as Platform 2.0, with or without a 2.0 key', () => {
		const hostOnly = platform2CredentialError({ apiKey: 'classic-key', baseUrl: 'https://app.famulor.io/api/v1' });
		expect(hostOnly?.kind).toBe('unsupportedPlatform');
		expect(hostOnly?.message).toBe(
			'Base URL points at app.famulor.io, which is Famulor Platform 2.0, ' +
				'but this package reads Famulor Classic (app.famulor.de); nothing was sent',
		);
		const both = platform2CredentialError({ apiKey: KEY_2, baseUrl: 'https://app.famulor.io/api/v1' });
		expect(both?.message).toContain(
			'API Key is a Famulor Platform 2.0 key (it starts with fam_) and Base URL is app.famulor.io',
		);
		expect(() => assertClassicCredential({ apiKey: KEY_2, baseUrl: CLASSIC })).toThrow(FamulorApiError);
	});

	it('the fix says what to do for either generation', () => {
		expect(PLATFORM2_FIX).toContain('https://app.famulor.de/api-keys');
		expect(PLATFORM2_FIX).toContain(`set Base URL to ${CLASSIC}`);
		expect(PLATFORM2_FIX).toContain('n8n-nodes-famulor');
	});
});

describe('platform2ResponseError: only a successful answer in the 2.0 shape', () => {
	const ENVELOPE = { data: [], meta: { pagination: { total: 0, limit: 100, offset: 0 } } };

	it.each([
		[200, ENVELOPE],
		[200, { data: { id: 1 }, meta: { pagination: { limit: 50, offset: 0, total: 1 } } }],
		[203, { data: [], meta: { pagination: { offset: 100 } } }],
	])('HTTP %i %j is a Platform 2.0 answer', (status, body) => {
		const error = platform2ResponseError(status, body);
		expect(error?.kind).toBe('unsupportedPlatform');
		expect(error?.status).toBe(status);
		expect(error?.message).toBe(
			`The Base URL answered like Famulor Platform 2.0 (HTTP ${status} with a Platform 2.0 list envelope), ` +
				'but this package reads Famulor Classic (app.famulor.de)',
		);
	});

	it.each([
		// Error statuses never tell, whatever the body: they keep their meaning (retry, wait, wrong key).
		[404, { error: { code: 'not_found', message: 'Route not found' } }],
		[401, { error: { code: 'unauthorized' } }],
		[403, { error: 'api_access_required' }],
		[401, { error: 'invalid_api_key' }],
		[429, { error: 'rate_limit_exceeded', retry_after: 2 }],
		[503, { error: 'service_unavailable' }],
		[500, ENVELOPE],
		// Famulor Classic's documented bodies (research: famulor-api.md §1.2), the sandbox's, and Laravel's.
		[200, { name: 'Acme', email: 'a@example.com', total_balance: '12.50' }],
		[200, { current_page: 1, data: [], per_page: 100, total: 0, last_page: 1 }],
		[200, { data: [], links: {}, meta: { current_page: 1, per_page: 100, total: 0 } }],
		[200, { data: [] }],
		[200, []],
		[200, { meta: { pagination: 'limit=100' } }],
	])('HTTP %i %j is not', (status, body) => {
		expect(platform2ResponseError(status, body)).toBeUndefined();
	});
});

describe('the client: a 2.0 answer is recognised once; an error keeps its meaning whatever its body', () => {
	function client(...responses: TransportResponse[]) {
		const waits: number[] = [];
		let sent = 0;
		const famulor = new FamulorClient({
			transport: async () => responses[Math.min(sent++, responses.length - 1)] as TransportResponse,
			sleep: async (ms) => void waits.push(ms),
			random: () => 0.5,
			limits: { perMinute: 1e9, perTenSeconds: 1e9 },
		});
		return { famulor, sent: () => sent, waits };
	}
	const ME = { status: 200, headers: {}, body: { name: 'Acme', email: 'a@example.com', total_balance: '12.50' } };
	const failure = (promise: Promise<unknown>) =>
		promise.then(() => undefined).catch((e: unknown) => e as FamulorApiError);

	it('a white-label Platform 2.0 host answering /user/me with a 2.0 envelope: one request, no retry', async () => {
		const body = { data: { id: 7 }, meta: { pagination: { limit: 1, offset: 0, total: 1 } } };
		const { famulor, sent } = client({ status: 200, headers: {}, body });
		const error = await failure(famulor.getMe());
		expect(error).toBeInstanceOf(FamulorApiError);
		expect(error?.kind).toBe('unsupportedPlatform');
		expect(error?.fix).toBe(PLATFORM2_FIX);
		expect(sent()).toBe(1);
	});

	it('429 {"error":"rate_limit_exceeded","retry_after":2}: waits the 2 s asked for and retries', async () => {
		const limited = { status: 429, headers: {}, body: { error: 'rate_limit_exceeded', retry_after: 2 } };
		const { famulor, sent, waits } = client(limited, ME);
		await expect(famulor.getMe()).resolves.toMatchObject({ name: 'Acme' });
		expect(sent()).toBe(2);
		expect(waits).toEqual([2_000]);
	});

	it('429 with a snake_case code every time: a rate-limit error in the end, with its wait and fix', async () => {
		const limited = { status: 429, headers: {}, body: { error: { code: 'too_many_requests' }, retry_after: 1 } };
		const { famulor, sent } = client(limited);
		const error = await failure(famulor.getMe());
		expect(error?.kind).toBe('rateLimited');
		expect(error?.retryAfterMs).toBe(1_000);
		expect(error?.fix).toContain('Famulor allows 100 requests a minute');
		expect(sent()).toBe(6);
	});

	it.each([
		[500, { error: { code: 'internal_error' } }],
		[503, { error: 'service_unavailable' }],
	])('HTTP %i %j: retried like any server error', async (status, body) => {
		const { famulor, sent } = client({ status, headers: {}, body }, ME);
		await expect(famulor.getMe()).resolves.toMatchObject({ name: 'Acme' });
		expect(sent()).toBe(2);
	});

	it('401 {"error":"invalid_api_key"}: the key is wrong or revoked, not "Platform 2.0"', async () => {
		const { famulor, sent } = client({ status: 401, headers: {}, body: { error: 'invalid_api_key' } });
		const error = await failure(famulor.getMe());
		expect(error?.kind).toBe('auth');
		expect(error?.message).toBe('Famulor rejected the API key (HTTP 401): it is wrong or was revoked');
		expect(sent()).toBe(1);
	});

	it('404 with a 2.0 error body: the address is wrong (the fix names the Classic API root)', async () => {
		const { famulor } = client({ status: 404, headers: {}, body: { error: { code: 'not_found' } } });
		const error = await failure(famulor.getMe());
		expect(error?.kind).toBe('notFound');
		expect(error?.fix).toContain('https://app.famulor.de/api');
	});

	it('Classic answers keep their meaning (401 wrong key, 404 wrong path)', async () => {
		const unauthenticated = { error: 'Unauthenticated', message: 'Invalid API key' };
		const wrongKey = await failure(client({ status: 401, headers: {}, body: unauthenticated }).famulor.getMe());
		expect(wrongKey?.kind).toBe('auth');
		const wrongPath = await failure(
			client({ status: 404, headers: {}, body: { message: 'Not Found' } }).famulor.getMe(),
		);
		expect(wrongPath?.kind).toBe('notFound');
	});
});
