/**
 * Strict parsing (SPEC §15 Time; issue 23): dates from the API are the documented Laravel form
 * (`YYYY-MM-DD HH:mm:ss`, UTC) or ISO 8601 with `Z` or an offset, on real calendar dates — anything
 * else is a typed `malformed` error naming the field, where `Date.parse` made "2026-02-30" 2 March and
 * "1", "12" or "Mar 5" dates in 2001. Numbers from parameters are decimal only: " 0x2 ", "1e3" and
 * "Infinity" are refused with an error naming the parameter and the fix (spaces around are ignored).
 */
import { CallFieldError, normalizeCall } from '../../src/api/classic/calls';
import { parseTimestamp } from '../../src/calls';
import { FamulorClient } from '../../src/api/classic/client';
import { type TransportResponse } from '../../src/api/classic/transport';
import { parseClientRules } from '../../src/clients';
import { resolvePlan } from '../../src/chargeSummary/plans';
import { DECIMAL_FORM, decimalParameter, parseDecimal } from '../../src/decimal';
import { FamulorApiError, InvalidParameterError } from '../../src/errors';
import { buildFeeTable } from '../../src/numbers';
import { headerNumber } from '../../src/api/classic/pacing';
import { assertIdleDays } from '../../src/rentals';
import { callSchema } from '../../src/api/classic/schemas';

const failure = (run: () => unknown): unknown => {
	try {
		run();
	} catch (error) {
		return error;
	}
	return undefined;
};

describe('API timestamps', () => {
	it.each([
		['2026-02-28 23:59:59', '2026-02-28T23:59:59.000Z'],
		['2028-02-29 12:00:00', '2028-02-29T12:00:00.000Z'],
		['2026-11-26T12:00', '2026-11-26T12:00:00.000Z'],
		['2026-11-26T12:00:00.123456Z', '2026-11-26T12:00:00.123Z'],
		['2026-11-26T13:00:00+01:00', '2026-11-26T12:00:00.000Z'],
		['2026-11-26T00:15:00-0545', '2026-11-26T06:00:00.000Z'],
		['2026-11-26 12:00:00+00', '2026-11-26T12:00:00.000Z'],
		['0999-01-01 00:00:00', '0999-01-01T00:00:00.000Z'],
	])('%p is %p', (text, iso) => {
		expect(new Date(parseTimestamp(text)).toISOString()).toBe(iso);
	});

	it.each([
		'2026-02-30 10:00:00', // Date.parse: 2 March
		'2026-02-29 10:00:00', // 2026 is no leap year
		'2026-04-31T00:00:00Z',
		'2026-13-01 00:00:00',
		'2026-00-10 00:00:00',
		'2026-11-26 24:00:00',
		'2026-11-26 12:60:00',
		'2026-11-26 12:00:60',
		'2026-11-26T12:00:00+25:00',
		'1', // Date.parse: 1 January 2001
		'12',
		'Mar 5', // Date.parse: 5 March 2001
		'2026-03-05', // a date without a time
		'Thu, 26 Nov 2026 12:00:00 GMT',
		'1795000000',
		'yesterday',
		'',
	])('%p is no timestamp', (text) => {
		expect(parseTimestamp(text)).toBeNaN();
	});

	it("a call's created_at or updated_at that is no timestamp fails naming the field and the forms", () => {
		const call = (fields: Record<string, unknown>) =>
			normalizeCall(callSchema.parse({ id: 7, created_at: '2026-11-26 12:00:00', ...fields }));
		const created = failure(() => call({ created_at: '2026-02-30 10:00:00' }));
		expect(created).toBeInstanceOf(CallFieldError);
		expect((created as CallFieldError).field).toBe('created_at');
		expect((created as Error).message).toBe(
			'call 7: field `created_at` is not a timestamp (YYYY-MM-DD HH:mm:ss (UTC) or ISO 8601 with Z or an offset): ' +
				'2026-02-30 10:00:00',
		);
		expect((failure(() => call({ updated_at: 'Mar 5' })) as CallFieldError).field).toBe('updated_at');
		expect(call({ updated_at: null }).updatedAt).toBeNull();
	});

	describe('through the client: a typed malformed error', () => {
		function client(body: unknown): FamulorClient {
			const response: TransportResponse = { status: 200, headers: {}, body };
			return new FamulorClient({
				transport: async () => response,
				sleep: async () => undefined,
				limits: { perMinute: 1e9, perTenSeconds: 1e9 },
			});
		}

		it.each(['1', '12', 'Mar 5', '2026-02-30 09:00:00'])('a call created at %p', async (createdAt) => {
			const page = { data: [{ id: 5, created_at: createdAt }], current_page: 1, last_page: 1, per_page: 100, total: 1 };
			const error = await client(page)
				.getCallsPage({}, 1)
				.catch((e: unknown) => e);
			expect(error).toBeInstanceOf(FamulorApiError);
			expect((error as FamulorApiError).kind).toBe('malformed');
			expect((error as FamulorApiError).message).toContain('call 5: field `created_at` is not a timestamp');
		});

		it.each(['1', 'Mar 5', '2026-02-30 09:00:00'])('a rented number bought at %p (its renewal)', async (createdAt) => {
			const numbers = [{ id: 3, phone_number: '+4930555', type: 'normal', created_at: createdAt }];
			const error = await client({ data: numbers })
				.getPhoneNumbers()
				.catch((e: unknown) => e);
			expect(error).toBeInstanceOf(FamulorApiError);
			expect((error as FamulorApiError).kind).toBe('malformed');
			expect((error as FamulorApiError).message).toBe(
				"Famulor's response to GET /user/phone-numbers/all [0] has an unexpected shape (field `created_at`: is not " +
					'a timestamp (YYYY-MM-DD HH:mm:ss (UTC) or ISO 8601 with Z or an offset))',
			);
		});

		it('a number without a purchase date is still read (its renewal is unknown)', async () => {
			const numbers = [{ id: 3, phone_number: '+4930555', type: 'normal', created_at: null }];
			await expect(client(numbers).getPhoneNumbers()).resolves.toHaveLength(1);
		});
	});
});

describe('decimal numbers', () => {
	it.each([
		[12, 12],
		[-3.5, -3.5],
		['12', 12],
		['12.50', 12.5],
		['  7 ', 7],
		['-0.25', -0.25],
		['.5', 0.5],
		['0', 0],
	])('%p is %p', (value, expected) => {
		expect(parseDecimal(value)).toBe(expected);
	});

	it.each([
		' 0x2 ',
		'0x10',
		'1e3',
		'1E3',
		'Infinity',
		'-Infinity',
		'NaN',
		'0b11',
		'0o7',
		'1,5',
		'1.000,00',
		'+5',
		'5.',
		'',
		'  ',
		'1 2',
		Infinity,
		NaN,
		null,
		undefined,
		true,
		[],
		{},
	])('%p is not', (value) => {
		expect(parseDecimal(value)).toBeUndefined();
	});

	it('a parameter that is not decimal: an error naming it, its value and the fix', () => {
		const error = failure(() => decimalParameter(' 0x2 ', 'budget', 'Budget', '500')) as InvalidParameterError;
		expect(error).toBeInstanceOf(InvalidParameterError);
		expect(error.parameter).toBe('budget');
		expect(error.message).toBe('Budget " 0x2 " is not a decimal number');
		expect(error.fix).toBe(`Enter Budget as ${DECIMAL_FORM}, e.g. 500.`);
		expect(decimalParameter(' 500 ', 'budget', 'Budget', '500')).toBe(500);
	});

	const rule = { name: 'Acme', matchBy: 'assistant', values: 'Sales*' };

	it.each([
		[{ budget: ' 0x2 ' }, 'has budget " 0x2 ", which is not a decimal number'],
		[{ budget: '1e3' }, 'has budget "1e3", which is not a decimal number'],
		[{ markupPercent: 'Infinity' }, 'has markup "Infinity", which is not a decimal number'],
	])('client rule %p is refused', (fields, message) => {
		const error = failure(() => parseClientRules([{ ...rule, ...fields }])) as InvalidParameterError;
		expect(error).toBeInstanceOf(InvalidParameterError);
		expect(error.message).toBe(`Client rule 1 (Acme) ${message}`);
		expect(error.fix).toContain(DECIMAL_FORM);
	});

	it('a client budget with spaces around it is read', () => {
		expect(parseClientRules([{ ...rule, budget: ' 300 ' }]).clients[0]?.budget).toBe(300);
	});

	it('fees, plan terms and day counts', () => {
		expect(failure(() => buildFeeTable('0x10', []))).toMatchObject({ parameter: 'defaultMonthlyFee' });
		expect(failure(() => buildFeeTable(3.99, [{ country: 'DE', fee: '1e1' }]))).toMatchObject({
			parameter: 'monthlyFees',
		});
		expect(buildFeeTable(' 3.99 ', []).defaultFee).toBe(399_000_000);
		expect(
			failure(() => resolvePlan('custom', { includedMinutes: 100, planFee: 'Infinity', overageRate: 0.1 })),
		).toMatchObject({ parameter: 'planFee' });
		expect(failure(() => assertIdleDays('0x1E'))).toMatchObject({ parameter: 'idleDays' });
		expect(assertIdleDays(' 30 ')).toBe(30);
	});

	it('headers are read as decimals too (X-RateLimit-*, Retry-After)', () => {
		expect(headerNumber({ 'retry-after': '0x10' }, 'retry-after')).toBeUndefined();
		expect(headerNumber({ 'retry-after': '1e3' }, 'retry-after')).toBeUndefined();
		expect(headerNumber({ 'Retry-After': ' 12 ' }, 'retry-after')).toBe(12);
	});
});
