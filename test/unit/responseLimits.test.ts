/**
 * Costs bounded (SPEC §14; issue 23): an answer larger than MAX_RESPONSE_BYTES (10 MB) is refused with a
 * typed error before any JSON is parsed — by the n8n transport, which stops reading the stream at the
 * cap (nodes/shared/transport.ts readBody), and by the client for a text body (src/clientErrors.ts).
 */
import { Readable } from 'node:stream';
import { FamulorClient } from '../../src/api/classic/client';
import { type TransportResponse } from '../../src/api/classic/transport';
import { FamulorApiError } from '../../src/errors';
import { MAX_RESPONSE_BYTES, OversizedBody } from '../../src/api/classic/responseSize';
import { readBody } from '../../nodes/shared/transport';

const CHUNK = 64 * 1024;

/** A body that would go on for `chunks` chunks of 64 KB, counting how many were read. */
function endlessBody(chunks = 1_600) {
	const counter = { pulled: 0 };
	const stream = Readable.from(
		(function* () {
			for (let i = 0; i < chunks; i++) {
				counter.pulled++;
				yield Buffer.alloc(CHUNK, i === 0 ? '[' : '1');
			}
		})(),
	);
	return { stream, counter };
}

describe('the n8n transport reads at most 10 MB of an answer', () => {
	it('a 100 MB answer: reading stops at the cap, nothing is parsed', async () => {
		const { stream, counter } = endlessBody();
		const body = await readBody(stream, {});
		expect(body).toBeInstanceOf(OversizedBody);
		expect((body as OversizedBody).bytes).toBeGreaterThan(MAX_RESPONSE_BYTES);
		expect(counter.pulled).toBeLessThanOrEqual(MAX_RESPONSE_BYTES / CHUNK + 2);
		expect(stream.destroyed).toBe(true);
	});

	it('an answer announced larger than the cap is not read at all', async () => {
		const { stream, counter } = endlessBody();
		const body = await readBody(stream, { 'content-length': String(100 * 1024 * 1024) });
		expect(body).toEqual(new OversizedBody(100 * 1024 * 1024));
		expect(counter.pulled).toBe(0);
	});

	it('answers within the cap: JSON parsed, other text kept, an empty body empty', async () => {
		expect(await readBody(Readable.from([Buffer.from('{"total_balance":'), Buffer.from('"1.50"}')]), {})).toEqual({
			total_balance: '1.50',
		});
		expect(await readBody(Readable.from([Buffer.from('<html>Bad Gateway</html>')]), {})).toBe(
			'<html>Bad Gateway</html>',
		);
		expect(await readBody(Readable.from([]), {})).toBe('');
		expect(await readBody({ already: 'parsed' }, {})).toEqual({ already: 'parsed' });
	});
});

describe('the client refuses an answer over the cap, typed, without a retry', () => {
	function client(body: unknown, status = 200) {
		let sent = 0;
		const famulor = new FamulorClient({
			transport: async (): Promise<TransportResponse> => {
				sent++;
				return { status, headers: {}, body };
			},
			sleep: async () => undefined,
			limits: { perMinute: 1e9, perTenSeconds: 1e9 },
		});
		return { famulor, sent: () => sent };
	}

	it.each([
		['a text body over 10 MB (never parsed)', 'x'.repeat(MAX_RESPONSE_BYTES + 1), 200],
		['a body the transport stopped reading', new OversizedBody(MAX_RESPONSE_BYTES + CHUNK), 200],
		['an oversized error page', new OversizedBody(MAX_RESPONSE_BYTES + CHUNK), 502],
	])('%s', async (_what, body, status) => {
		const { famulor, sent } = client(body, status);
		const error = await famulor.getMe().catch((e: unknown) => e as FamulorApiError);
		expect(error).toBeInstanceOf(FamulorApiError);
		expect(error.kind).toBe('tooLarge');
		expect(error.message).toMatch(/^Famulor's answer to GET \/user\/me is larger than 10 MB \(at least 10(\.\d)? MB\)/);
		expect(error.fix).toContain('Base URL');
		expect(sent()).toBe(1);
	});
});
