/**
 * Response schemas and the per-call rules (SPEC §4 "Call fields"): the documented variants parse to
 * the same values, bad fields are rejected by name.
 */
import {
	billableSecondsOf,
	dimensionKey,
	matchesFilters,
	parseTimestamp,
	SETTLED_STATUSES,
	type Call,
} from '../../src/calls';
import { CallFieldError, normalizeCall } from '../../src/api/classic/calls';
import { FamulorClient } from '../../src/api/classic/client';
import { type Transport } from '../../src/api/classic/transport';
import { FamulorApiError } from '../../src/errors';
import {
	callSchema,
	describeIssue,
	listSchema,
	meSchema,
	paginatorSchema,
	phoneNumberSchema,
} from '../../src/api/classic/schemas';

const AUG_4_1430_UTC = Date.UTC(2025, 7, 4, 14, 30, 0);

function rawCall(fields: Record<string, unknown> = {}): Record<string, unknown> {
	return {
		id: 7,
		assistant_name: 'Sales',
		campaign_name: 'Autumn',
		type: 'outbound',
		duration: 95,
		assistant_phone_number: '+4930111111',
		client_phone_number: '+4917000000',
		status: 'completed',
		carrier_cost: '0.02000000',
		total_cost: '0.12000000',
		answered_by: 'human',
		created_at: '2025-08-04 14:30:00',
		updated_at: '2025-08-04 14:32:00',
		variables: { name: 'Ada' },
		...fields,
	};
}

const call = (fields: Record<string, unknown> = {}): Call => normalizeCall(callSchema.parse(rawCall(fields)));

describe('call schema variants', () => {
	it('cost as an 8-decimal string or as a number gives the same exact units', () => {
		const fromString = call({ total_cost: '0.12000000', carrier_cost: '0.02000000' });
		const fromNumber = call({ total_cost: 0.12, carrier_cost: 0.02 });
		expect(fromString.totalCost).toBe(12_000_000);
		expect(fromNumber.totalCost).toBe(12_000_000);
		expect(fromString.carrierCost).toBe(2_000_000);
		expect(fromNumber.carrierCost).toBe(2_000_000);
		expect(call({ total_cost: '100.67447094' }).totalCost).toBe(10_067_447_094);
		expect(call({ total_cost: 100.67447094 }).totalCost).toBe(10_067_447_094);
		expect(call({ total_cost: 0 }).totalCost).toBe(0);
	});

	it('naive timestamps are UTC; ISO with Z, with microseconds and with an offset agree', () => {
		for (const text of [
			'2025-08-04 14:30:00',
			'2025-08-04T14:30:00',
			'2025-08-04T14:30:00Z',
			'2025-08-04T14:30:00.000Z',
			'2025-08-04T14:30:00.000000Z',
			'2025-08-04T16:30:00+02:00',
			'2025-08-04T10:30:00-04:00',
		]) {
			expect(parseTimestamp(text)).toBe(AUG_4_1430_UTC);
			expect(call({ created_at: text }).createdAt).toBe(AUG_4_1430_UTC);
		}
		expect(call({ created_at: '2025-08-04 14:30:00.250000' }).createdAt).toBe(AUG_4_1430_UTC + 250);
		expect(call({ updated_at: '2025-08-04 14:32:00' }).updatedAt).toBe(AUG_4_1430_UTC + 120_000);
	});

	it('accepts variables as [] and passes unknown fields through', () => {
		const parsed = callSchema.parse(rawCall({ variables: [], brand_new_field: { x: 1 } }));
		expect(parsed.variables).toEqual([]);
		expect((parsed as Record<string, unknown>).brand_new_field).toEqual({ x: 1 });
	});

	it('missing optional fields default sensibly', () => {
		const minimal = normalizeCall(callSchema.parse({ id: 3, created_at: '2025-08-04T14:30:00Z' }));
		expect(minimal).toEqual({
			id: 3,
			createdAt: AUG_4_1430_UTC,
			updatedAt: null,
			status: 'unknown',
			settled: false,
			direction: null,
			durationSeconds: 0,
			billableSeconds: 0,
			totalCost: 0,
			carrierCost: 0,
			assistantName: null,
			campaignName: null,
			assistantPhoneNumber: null,
			clientPhoneNumber: null,
			answeredBy: null,
		});
		const nulls = call({ total_cost: null, carrier_cost: null, campaign_name: null, updated_at: null, duration: null });
		expect([nulls.totalCost, nulls.carrierCost, nulls.campaignName, nulls.updatedAt, nulls.durationSeconds]).toEqual([
			0,
			0,
			null,
			null,
			0,
		]);
	});

	it('id and duration as numeric strings', () => {
		const parsed = call({ id: '12345', duration: '45' });
		expect(parsed.id).toBe(12345);
		expect(parsed.durationSeconds).toBe(45);
		expect(callSchema.safeParse(rawCall({ id: 'abc' })).success).toBe(false);
		expect(callSchema.safeParse(rawCall({ id: 1.5 })).success).toBe(false);
	});

	it('a cost that is not a decimal is rejected naming the field', () => {
		expect(() => call({ total_cost: 'abc' })).toThrow(CallFieldError);
		try {
			call({ id: 99, total_cost: 'abc' });
		} catch (error) {
			expect((error as CallFieldError).field).toBe('total_cost');
			expect((error as Error).message).toContain('`total_cost`');
			expect((error as Error).message).toContain('99');
		}
		expect(() => call({ carrier_cost: '1,5' })).toThrow(/`carrier_cost`/);
		expect(() => call({ created_at: 'yesterday' })).toThrow(/`created_at`/);
	});

	it('a missing created_at fails the schema, and the issue names the field', () => {
		const { created_at: _omit, ...withoutCreatedAt } = rawCall();
		void _omit;
		const result = callSchema.safeParse(withoutCreatedAt);
		expect(result.success).toBe(false);
		if (!result.success) expect(describeIssue(result.error)).toMatch(/^field `created_at`/);
	});
});

describe('call rules', () => {
	it('billable seconds: 0 → 0, 10 → 30, 30 → 30, 45 → 45', () => {
		expect(billableSecondsOf(0)).toBe(0);
		expect(billableSecondsOf(10)).toBe(30);
		expect(billableSecondsOf(30)).toBe(30);
		expect(billableSecondsOf(45)).toBe(45);
		expect(call({ duration: 0 }).billableSeconds).toBe(0);
		expect(call({ duration: 10 }).billableSeconds).toBe(30);
		expect(call({ duration: 10 }).durationSeconds).toBe(10);
		expect(call({ duration: 45 }).billableSeconds).toBe(45);
		expect(call({ duration: 1 }).billableSeconds).toBe(30);
	});

	it('settled statuses are exactly the terminal ones', () => {
		const terminal = ['completed', 'ended', 'ended_by_customer', 'ended_by_assistant', 'busy', 'no-answer', 'failed'];
		expect([...SETTLED_STATUSES].sort()).toEqual([...terminal].sort());
		for (const status of terminal) expect(call({ status }).settled).toBe(true);
		for (const status of ['in-progress', 'ringing', 'queued', 'initiated', 'unknown']) {
			expect(call({ status }).settled).toBe(false);
		}
		expect(normalizeCall(callSchema.parse({ id: 1, created_at: '2025-08-04T14:30:00Z' })).settled).toBe(false);
	});

	it('group keys and local filters', () => {
		const c = call({ campaign_name: null, assistant_name: 'Support', type: 'inbound', status: 'busy' });
		expect(dimensionKey(c, 'campaign')).toBe('(no campaign)');
		expect(dimensionKey(c, 'assistant')).toBe('Support');
		expect(dimensionKey(c, 'phoneNumber')).toBe('+4930111111');
		expect(dimensionKey(c, 'direction')).toBe('inbound');
		expect(dimensionKey(c, 'status')).toBe('busy');
		expect(dimensionKey(c, 'none')).toBeNull();
		expect(matchesFilters(c, {})).toBe(true);
		expect(matchesFilters(c, { direction: 'inbound', status: 'busy', phoneNumber: '+4930111111' })).toBe(true);
		expect(matchesFilters(c, { direction: 'outbound' })).toBe(false);
		expect(matchesFilters(c, { assistantName: 'Sales' })).toBe(false);
		expect(matchesFilters(c, { campaignName: 'Autumn' })).toBe(false);
	});
});

describe('other schemas', () => {
	it('balance as string or number', () => {
		expect(meSchema.parse({ total_balance: '12.50' }).total_balance).toBe('12.50');
		expect(meSchema.parse({ total_balance: 12.5 }).total_balance).toBe(12.5);
		expect(meSchema.safeParse({ name: 'x' }).success).toBe(false);
	});

	it('paginator numbers as strings, lists bare or wrapped', () => {
		const page = paginatorSchema.parse({ data: [], current_page: '2', last_page: '5', per_page: '100', total: '450' });
		expect([page.current_page, page.last_page, page.per_page, page.total]).toEqual([2, 5, 100, 450]);
		expect(paginatorSchema.safeParse({ items: [] }).success).toBe(false);
		expect(listSchema.parse([1])).toEqual([1]);
		expect(listSchema.parse({ data: [1] })).toEqual({ data: [1] });
	});

	it('phone numbers need id, number and type', () => {
		expect(phoneNumberSchema.parse({ id: '4', phone_number: '+49301', type: 'local' }).id).toBe(4);
		const bad = phoneNumberSchema.safeParse({ id: 4, type: 'local' });
		expect(bad.success).toBe(false);
		if (!bad.success) expect(describeIssue(bad.error)).toContain('`phone_number`');
	});
});

describe('the client rejects malformed calls naming the field', () => {
	function clientAnswering(data: unknown[]): FamulorClient {
		const transport: Transport = async () => ({
			status: 200,
			headers: {},
			body: { data, current_page: 1, last_page: 1, per_page: 100, total: data.length },
		});
		return new FamulorClient({ transport, sleep: async () => undefined });
	}

	async function errorOf(promise: Promise<unknown>): Promise<FamulorApiError> {
		try {
			await promise;
		} catch (error) {
			expect(error).toBeInstanceOf(FamulorApiError);
			return error as FamulorApiError;
		}
		throw new Error('expected an error');
	}

	it('total_cost "abc"', async () => {
		const error = await errorOf(
			clientAnswering([rawCall({ id: 1 }), rawCall({ id: 2, total_cost: 'abc' })]).getCallsPage({}, 1),
		);
		expect(error.kind).toBe('malformed');
		expect(error.message).toContain('`total_cost`');
		expect(error.retryable).toBe(false);
	});

	it('id that is not a number, with the item index', async () => {
		const error = await errorOf(clientAnswering([rawCall({ id: 1 }), rawCall({ id: 'x7' })]).getCallsPage({}, 1));
		expect(error.kind).toBe('malformed');
		expect(error.message).toContain('data[1]');
		expect(error.message).toContain('`id`');
	});

	it('parses a valid page of mixed variants', async () => {
		const page = await clientAnswering([
			rawCall({ id: '1', total_cost: 0.12, created_at: '2025-08-04T14:30:00.000000Z', variables: [] }),
			rawCall({ id: 2, total_cost: '0.12000000', created_at: '2025-08-04 14:30:00' }),
		]).getCallsPage({}, 1);
		expect(page.calls.map((c) => [c.id, c.totalCost, c.createdAt])).toEqual([
			[1, 12_000_000, AUG_4_1430_UTC],
			[2, 12_000_000, AUG_4_1430_UTC],
		]);
		expect(page.total).toBe(2);
		expect(page.lastPage).toBe(1);
	});
});
