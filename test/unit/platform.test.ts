/**
 * Famulor Platform 2.0 recognition (src/platform.ts): keys starting with fam_, famulor.io hosts and
 * Platform 2.0 error bodies are told apart from Famulor Classic, and the client turns a 2.0 error
 * answer into the same clear error instead of "wrong or revoked key".
 */
import { FamulorClient, type TransportResponse } from '../../src/client';
import { FamulorApiError } from '../../src/errors';
import {
	assertClassicCredential,
	isPlatform2Key,
	platform2CredentialError,
	platform2Host,
	platform2ResponseError,
	PLATFORM2_FIX,
} from '../../src/platform';

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

describe('platform2ResponseError', () => {
	it.each([
		[404, { error: { code: 'not_found', message: 'Route not found' } }],
		[401, { error: { code: 'unauthorized' } }],
		[403, { error: 'api_access_required' }],
		[401, { error: 'invalid_api_key' }],
	])('HTTP %i %j is a Platform 2.0 answer', (status, body) => {
		const error = platform2ResponseError(status, body);
		expect(error?.kind).toBe('unsupportedPlatform');
		expect(error?.status).toBe(status);
		expect(error?.message).toBe(
			`The Base URL answered like Famulor Platform 2.0 (HTTP ${status} with a Platform 2.0 error code), ` +
				'but this package reads Famulor Classic (app.famulor.de)',
		);
	});

	it.each([
		// Famulor Classic's documented error bodies (research: famulor-api.md §1.2), and the sandbox's.
		[401, { error: 'Unauthenticated', message: 'Invalid API key' }],
		[429, { error: 'Rate limit exceeded', message: 'Too many requests', retry_after: 60 }],
		[404, { message: 'Call not found' }],
		[402, { error: 'Insufficient balance', error_code: 'INSUFFICIENT_BALANCE' }],
		[422, { message: 'The given data was invalid.', errors: { page: ['must be an integer'] } }],
		[500, '<html>Server Error</html>'],
		[404, { error: { message: 'no code' } }],
		[200, { error: { code: 'not_an_error_status' } }],
		[401, { error: 'Token fam_live_x is not allowed here' }],
	])('HTTP %i %j is not', (status, body) => {
		expect(platform2ResponseError(status, body)).toBeUndefined();
	});

	it('never repeats the code a server sent (it could be anything, even the key)', () => {
		const error = platform2ResponseError(401, { error: KEY_2 });
		expect(error?.kind).toBe('unsupportedPlatform');
		expect(`${error?.message} ${error?.fix}`).not.toContain(KEY_2);
	});
});

describe('the client turns a Platform 2.0 error answer into that error, without retrying', () => {
	function client(response: TransportResponse) {
		let sent = 0;
		const famulor = new FamulorClient({
			transport: async () => {
				sent++;
				return response;
			},
			sleep: async () => undefined,
			limits: { perMinute: 1e9, perTenSeconds: 1e9 },
		});
		return { famulor, sent: () => sent };
	}

	it('a white-label Platform 2.0 host answering /user/me with a 2.0 error body', async () => {
		const { famulor, sent } = client({ status: 404, headers: {}, body: { error: { code: 'not_found' } } });
		const error = await famulor.getMe().catch((e: unknown) => e);
		expect(error).toBeInstanceOf(FamulorApiError);
		expect((error as FamulorApiError).kind).toBe('unsupportedPlatform');
		expect((error as FamulorApiError).fix).toBe(PLATFORM2_FIX);
		expect(sent()).toBe(1);
	});

	it('Classic answers keep their meaning (401 wrong key, 404 wrong path)', async () => {
		const unauthenticated = { error: 'Unauthenticated', message: 'Invalid API key' };
		const wrongKey = await client({ status: 401, headers: {}, body: unauthenticated })
			.famulor.getMe()
			.catch((e: unknown) => e as FamulorApiError);
		expect((wrongKey as FamulorApiError).kind).toBe('auth');
		const wrongPath = await client({ status: 404, headers: {}, body: { message: 'Not Found' } })
			.famulor.getMe()
			.catch((e: unknown) => e as FamulorApiError);
		expect((wrongPath as FamulorApiError).kind).toBe('notFound');
	});
});
