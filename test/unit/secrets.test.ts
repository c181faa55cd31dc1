/**
 * The API key cut out of text from outside (src/secrets.ts; SPEC §14 Secrets, issue 23). The rule:
 * any run that spells MIN_FRAGMENT (8) or more consecutive characters of the key — raw, or with any of
 * its characters percent-encoded in either case — and any base64 or base64url run whose decoding holds
 * 8 bytes of the key, is removed whole. Property tests draw keys, the part of the key a server echoes
 * (cut anywhere, at least 8 characters), how it is encoded, and the text around it; what is left is
 * searched with an independent decoder (Node's Buffer) for any 8 characters of the key. Examples pin
 * the exact output: no tail of a cut-off key, no character of a base64 value, is left behind.
 */
import fc from 'fast-check';
import { FamulorClient } from '../../src/api/classic/client';
import { FamulorApiError } from '../../src/errors';
import { MIN_FRAGMENT, scrubSecret } from '../../src/secrets';

const KEY_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~|+/=!*';
const keyArb = fc.string({ unit: fc.constantFrom(...KEY_CHARS), minLength: 8, maxLength: 64 });
const contextArb = fc.string({ maxLength: 24 });

/** A key, and a part of it of at least 8 characters (the whole key, or cut at either end). */
const keyAndPartArb = keyArb.chain((key) =>
	fc
		.integer({ min: MIN_FRAGMENT, max: key.length })
		.chain((length) => fc.integer({ min: 0, max: key.length - length }).map((start) => ({ key, length, start })))
		.map(({ key: k, length, start }) => ({ key: k, part: k.slice(start, start + length) })),
);

/** Percent-encodes each character where `mask` says so, in upper or lower case hex. */
function percentEncode(text: string, mask: boolean[], lower: boolean[]): string {
	return [...text]
		.map((char, i) => {
			if (!mask[i % mask.length]) return char;
			const hex = char.charCodeAt(0).toString(16).padStart(2, '0');
			return `%${lower[i % lower.length] ? hex.toLowerCase() : hex.toUpperCase()}`;
		})
		.join('');
}

type Encoding =
	| { kind: 'raw' }
	| { kind: 'percent'; mask: boolean[]; lower: boolean[] }
	| { kind: 'base64'; url: boolean; padded: boolean; wrapper: [string, string] }
	| { kind: 'cut-base64'; keep: number };

const encodingArb: fc.Arbitrary<Encoding> = fc.oneof(
	fc.constant({ kind: 'raw' as const }),
	fc.record({
		kind: fc.constant('percent' as const),
		mask: fc.array(fc.boolean(), { minLength: 1, maxLength: 7 }),
		lower: fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
	}),
	fc.record({
		kind: fc.constant('base64' as const),
		url: fc.boolean(),
		padded: fc.boolean(),
		wrapper: fc.tuple(fc.constantFrom('', 'user:', 'x', 'ab', 'Bearer-less '), fc.constantFrom('', ':', ':more', 'z')),
	}),
	fc.record({ kind: fc.constant('cut-base64' as const), keep: fc.integer({ min: 0, max: 20 }) }),
);

function encode(part: string, encoding: Encoding): string {
	switch (encoding.kind) {
		case 'raw':
			return part;
		case 'percent':
			return percentEncode(part, encoding.mask, encoding.lower);
		case 'base64': {
			const bytes = Buffer.from(`${encoding.wrapper[0]}${part}${encoding.wrapper[1]}`);
			const text = bytes.toString(encoding.url ? 'base64url' : 'base64');
			return encoding.padded ? text : text.replace(/=+$/, '');
		}
		case 'cut-base64': {
			// base64 of "user:<part>…", cut after the characters that carry the part's first 8 bytes (or later).
			const text = Buffer.from(`user:${part}`).toString('base64');
			const needed = Math.ceil(((5 + MIN_FRAGMENT) * 4) / 3) + 1;
			return text.slice(0, Math.min(text.length, needed + encoding.keep));
		}
	}
}

/** Runs of 8 characters of the key. */
const gramsOf = (key: string) => {
	const grams = new Set<string>();
	for (let i = 0; i + MIN_FRAGMENT <= key.length; i++) grams.add(key.slice(i, i + MIN_FRAGMENT));
	return grams;
};
const holds = (text: string, grams: Set<string>) => {
	for (let i = 0; i + MIN_FRAGMENT <= text.length; i++) if (grams.has(text.slice(i, i + MIN_FRAGMENT))) return true;
	return false;
};

/**
 * Where 8 characters of the key are still to be read in `text`: as they are, after percent-decoding,
 * or in the base64 (or base64url) decoding of any run, read from any of the four places in a group.
 * Decoded here with Node's own Buffer, independently of src/secrets.ts.
 */
function leak(text: string, key: string): string | undefined {
	const grams = gramsOf(key);
	const decoded = text.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
	for (const view of [text, decoded]) {
		if (holds(view, grams)) return `as text: ${view}`;
		for (const run of view.match(/[A-Za-z0-9+/_-]+/g) ?? []) {
			for (let skip = 0; skip < 4; skip++) {
				const bytes = Buffer.from(run.slice(skip).replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('latin1');
				if (holds(bytes, grams)) return `in base64 ${run}`;
			}
		}
	}
	return undefined;
}

describe('the key in any encoding, cut anywhere, inside any text', () => {
	it('leaves no 8 characters of the key readable (property)', () => {
		fc.assert(
			fc.property(keyAndPartArb, encodingArb, contextArb, contextArb, ({ key, part }, encoding, before, after) => {
				const text = `${before}${encode(part, encoding)}${after}`;
				const scrubbed = scrubSecret(text, key);
				const found = leak(scrubbed, key);
				if (found !== undefined) throw new Error(`${JSON.stringify(text)} → ${JSON.stringify(scrubbed)}: ${found}`);
			}),
			{ numRuns: 2_000 },
		);
	});

	it('removes every character of the match: what is left is the text around it (property, raw and percent)', () => {
		// Text around the key drawn from characters that are not the key's, so it cannot extend the match.
		const around = fc.string({
			unit: fc.constantFrom(' ', '"', ':', ',', '(', ')', '#', '&', '?', '<', '>'),
			maxLength: 8,
		});
		fc.assert(
			fc.property(keyAndPartArb, fc.boolean(), around, around, ({ key, part }, percent, before, after) => {
				const encoded = percent ? percentEncode(part, [true, false], [true, false, false]) : part;
				expect(scrubSecret(`${before}${encoded}${after}`, key)).toBe(`${before}***${after}`);
			}),
			{ numRuns: 500 },
		);
	});

	it('leaves text without the key as it is (property)', () => {
		const innocent = fc.string({ maxLength: 80 }).filter((text) => !/bearer/i.test(text));
		const randomKey = fc.string({ unit: fc.constantFrom(...KEY_CHARS.slice(0, 62)), minLength: 24, maxLength: 48 });
		fc.assert(
			fc.property(innocent, randomKey, (text, key) => {
				expect(scrubSecret(text, key)).toBe(text);
			}),
			{ numRuns: 1_000 },
		);
	});
});

describe('examples: the whole form goes, not a part of it', () => {
	const KEY = 'fam-SECRET-7c1d9e2f4a6b8c0d5e3f';

	it.each([
		['a cut-off key (10 characters)', `token=${KEY.slice(0, 10)} rejected`, 'token=*** rejected'],
		['a key cut at the front', `…${KEY.slice(-9)}"`, '…***"'],
		[
			'a redirect Location with "-" as %2D',
			`https://x.example/k/fam%2DSECRET%2d7c1d9e2f/next`,
			'https://x.example/k/***/next',
		],
		[
			'every character percent-encoded',
			`?k=${[...KEY].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('')}&x`,
			'?k=***&x',
		],
		['base64 of the key', `token ${Buffer.from(KEY).toString('base64')} end`, 'token *** end'],
		['Basic base64(user:key)', `Basic ${Buffer.from(`user:${KEY}`).toString('base64')}`, 'Basic ***'],
		['base64url, no padding, cut short', `v=${Buffer.from(`xy${KEY}`).toString('base64url').slice(0, 22)};`, 'v=***;'],
		[
			'base64 with its "+" and "/" percent-encoded',
			`q=${encodeURIComponent(Buffer.from(`~~${KEY}`).toString('base64'))}`,
			'q=***',
		],
		['a bearer token of any kind', 'Authorization: Bearer abc.def.ghi', 'Authorization: Bearer ***'],
	])('%s', (_what, text, expected) => {
		expect(scrubSecret(text, KEY)).toBe(expected);
	});

	it('7 characters of the key are not the key (nothing else is touched)', () => {
		expect(scrubSecret(`id ${KEY.slice(0, 7)} and SECRET-`, KEY)).toBe(`id ${KEY.slice(0, 7)} and SECRET-`);
	});

	it('a key shorter than 8 characters is removed whole, only whole', () => {
		expect(scrubSecret('k=Ab3-xY done', 'Ab3-xY')).toBe('k=*** done');
		expect(scrubSecret('k=Ab3-x done', 'Ab3-xY')).toBe('k=Ab3-x done');
	});

	it('Famulor messages without the key are unchanged', () => {
		for (const text of [
			'Too many requests. Please retry later.',
			'The given data was invalid.',
			'Call not found',
			'https://app.famulor.de/api/user/calls?page=2&per_page=100',
			'{"error":"rate_limit_exceeded","retry_after":60}',
		]) {
			expect(scrubSecret(text, KEY)).toBe(text);
		}
	});
});

describe('through the client', () => {
	const KEY = '123|AbCd-EfGh-IjKl-MnOp-QrSt';

	it('a redirect whose Location carries the key with "-" and "|" percent-encoded does not show it', async () => {
		const location = `https://elsewhere.example/login/123%7cAbCd%2dEfGh%2DIjKl/next?key=${KEY}`;
		const famulor = new FamulorClient({
			transport: async () => ({ status: 302, headers: { location }, body: '' }),
			sleep: async () => undefined,
			secret: KEY,
		});
		const error = (await famulor.getMe().catch((e: unknown) => e)) as FamulorApiError;
		expect(error.message).toBe(
			'The Base URL redirects (HTTP 302) to https://elsewhere.example/login/***/next; the request was not ' +
				'followed, so the API key was not sent there',
		);
	});
});
