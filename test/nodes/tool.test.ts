/**
 * The Famulor Billing node as an AI tool (SPEC §16), run by n8n-core's real engine in both ways n8n
 * runs a tool node: handed to the caller as a tool object (`supplyData`: MCP Server Trigger, AI Agent
 * before 3) and requested from the engine (`engineRequest`: AI Agent 3.x). The same parameters in a
 * workflow's main flow keep today's answers. Expected values come from the sandbox's raw calls.
 */
import { DateTime } from 'luxon';
import { FamulorBilling } from '../../nodes/FamulorBilling/FamulorBilling.node';
import { Sandbox, type RawCall } from '../sandbox/server';
import { executeAsTool, executeNode, type CredentialData } from '../helpers/engine';
import { costUnits, createdMs, lastMonthBounds } from '../helpers/truth';

let sandbox: Sandbox;
let credentials: CredentialData;
const node = new FamulorBilling();
const VIAS = ['supplyData', 'engineRequest'] as const;

beforeAll(async () => {
	sandbox = await Sandbox.start({ now: new Date().toISOString(), calls: 4000, days: 70 });
	credentials = { apiKey: sandbox.apiKey, baseUrl: sandbox.url, currency: 'EUR', billingCycleDay: 1 };
});

afterAll(async () => {
	await sandbox.stop();
});

beforeEach(() => sandbox.resetStats());

type Json = Record<string, any>;

const inWorkflow = async (parameters: Json, extra: Json = {}) => {
	const result = await executeNode({ node, parameters, credentials, ...extra });
	return { ...result, items: (result.output?.[0] ?? []).map((item) => item.json as Json) };
};

const asTool = async (via: (typeof VIAS)[number], parameters: Json, args: Json = {}, extra: Json = {}) =>
	await executeAsTool({ node, parameters, credentials, args, via, ...extra });

/** Calls of the last 7 UTC days (today and the 6 before), as the node's period `last7Days` in UTC. */
function last7DaysUtc(): RawCall[] {
	const start = DateTime.utc().startOf('day').minus({ days: 6 }).toMillis();
	return sandbox.visibleCalls().filter((call) => createdMs(call) >= start);
}

const newestFirst = (a: RawCall, b: RawCall) => createdMs(b) - createdMs(a) || b.id - a.id;

describe('usage/getCalls as a tool', () => {
	const parameters = {
		resource: 'usage',
		operation: 'getCalls',
		period: 'last7Days',
		returnAll: false,
		limit: 60,
		simplify: false,
		options: { timezone: 'UTC' },
	};

	it.each(VIAS)('answers at most 50 simplified calls and a note that it cut the list (%s)', async (via) => {
		const { answer, error } = await asTool(via, parameters);
		expect(error).toBeNull();
		const expected = last7DaysUtc().sort(newestFirst).slice(0, 50);
		expect(answer).toHaveLength(51);
		const calls = answer!.slice(0, 50);
		expect(calls.map((call) => call.id)).toEqual(expected.map((call) => call.id));
		// Simplified, whatever Simplify says: no transcript in a model's context.
		expect(calls.every((call) => !('transcript' in call) && call.currency === 'EUR')).toBe(true);
		const note = answer![50];
		expect(note).toMatchObject({ capped: true, returned: 50 });
		expect(note.note).toMatch(/50 newest calls of last 7 days; more calls match/);
		expect(note.note).toMatch(/at most 50 calls \(60 were asked for\)/);
	});

	it('keeps answering 60 raw calls in a workflow', async () => {
		const { items, error } = await inWorkflow(parameters);
		expect(error).toBeUndefined();
		expect(items).toHaveLength(60);
		expect(items.every((item) => 'transcript' in item && !('note' in item))).toBe(true);
	});

	it('adds no note when every call of the period fits', async () => {
		const calls = last7DaysUtc();
		const { answer } = await asTool('supplyData', { ...parameters, limit: 1, returnAll: true, options: {} }, {});
		// Return All as a tool: the 50 newest, and the note counts every match.
		expect(answer![50]).toMatchObject({ capped: true, returned: 50 });
		expect(calls.length).toBeGreaterThan(50);
		const day = DateTime.utc().startOf('day').minus({ days: 3 });
		const oneHour = calls.filter(
			(call) => createdMs(call) >= day.toMillis() && createdMs(call) < day.plus({ hours: 1 }).toMillis(),
		);
		const { answer: hour } = await asTool('supplyData', {
			...parameters,
			limit: 50,
			period: 'custom',
			startDate: day.toISO(),
			endDate: day.plus({ hours: 1 }).toISO(),
		});
		expect(oneHour.length).toBeLessThan(50);
		expect(hour!.map((call) => call.id)).toEqual(oneHour.sort(newestFirst).map((call) => call.id));
	});
});

describe('usage/getCalls sorted by cost, with a minimum cost', () => {
	const parameters = {
		resource: 'usage',
		operation: 'getCalls',
		period: 'lastMonth',
		returnAll: false,
		limit: 12,
		options: { timezone: 'Europe/Berlin', sortBy: 'mostExpensive', minCost: 0.5 },
	};

	function truth(): RawCall[] {
		const { start, end } = lastMonthBounds('Europe/Berlin');
		return sandbox
			.visibleCalls()
			.filter((call) => createdMs(call) >= start && createdMs(call) < end)
			.filter((call) => costUnits(call.total_cost) >= 50_000_000n)
			.sort((a, b) => {
				const cost = costUnits(b.total_cost) - costUnits(a.total_cost);
				return cost > 0n ? 1 : cost < 0n ? -1 : newestFirst(a, b);
			});
	}

	it('returns the most expensive calls of the period, highest first, all at or above the minimum', async () => {
		const expected = truth();
		expect(expected.length).toBeGreaterThan(12);
		const { items, error } = await inWorkflow(parameters);
		expect(error).toBeUndefined();
		expect(items.map((item) => item.id)).toEqual(expected.slice(0, 12).map((call) => call.id));
		expect(items.every((item) => item.totalCost >= 0.5)).toBe(true);
	});

	it.each(VIAS)('as a tool, its note counts every call that matched (%s)', async (via) => {
		const expected = truth();
		const { answer } = await asTool(via, parameters);
		expect(answer!.slice(0, 12).map((item) => item.id)).toEqual(expected.slice(0, 12).map((call) => call.id));
		expect(answer![12]).toMatchObject({ capped: true, returned: 12, matched: expected.length });
		expect(answer![12].note).toContain(`12 most expensive calls of the ${expected.length} calls of`);
	});

	it('Newest First with a minimum cost keeps the newest calls at or above it', async () => {
		const { items } = await inWorkflow({ ...parameters, options: { timezone: 'Europe/Berlin', minCost: 0.5 } });
		expect(items.map((item) => item.id)).toEqual(
			truth()
				.sort(newestFirst)
				.slice(0, 12)
				.map((call) => call.id),
		);
	});

	it('refuses an unknown order before any request', async () => {
		const { error } = await inWorkflow({ ...parameters, options: { sortBy: 'cheapest' } });
		expect(error?.message).toMatch(/Sort By "cheapest"/);
		expect(error?.description).toMatch(/newest, mostExpensive/);
		expect(sandbox.stats.requests).toBe(0);
	});
});

describe('usage/getSummary as a tool', () => {
	const parameters = {
		resource: 'usage',
		operation: 'getSummary',
		period: 'last7Days',
		groupBy: 'hour',
		options: { timezone: 'UTC' },
	};

	it.each(VIAS)('answers at most 100 groups, the earliest for hours, and a note (%s)', async (via) => {
		const hours = new Set(
			last7DaysUtc().map((call) => DateTime.fromMillis(createdMs(call)).toUTC().toFormat('yyyy-MM-dd HH')),
		);
		expect(hours.size).toBeGreaterThan(100);
		const { items } = await inWorkflow(parameters);
		expect(items).toHaveLength(hours.size);
		const { answer, error } = await asTool(via, parameters);
		expect(error).toBeNull();
		expect(answer).toHaveLength(101);
		expect(answer!.slice(0, 100)).toEqual(items.slice(0, 100));
		expect(answer![100]).toMatchObject({ capped: true, returned: 100, matched: hours.size });
		expect(answer![100].note).toMatch(/100 earliest of \d+ groups by hour/);
	});

	it('answers a total unchanged', async () => {
		const { items } = await inWorkflow({ ...parameters, groupBy: 'none' });
		const { answer } = await asTool('engineRequest', { ...parameters, groupBy: 'none' });
		expect(answer).toEqual(items);
	});
});

describe('reports as a tool', () => {
	const charges = {
		resource: 'chargeSummary',
		operation: 'generate',
		period: 'lastMonth',
		pricingMode: 'reported',
		defaultMonthlyFee: 3.99,
		outputs: { csv: true },
		options: { timezone: 'Europe/Berlin' },
	};

	it.each(VIAS)('the charge summary leaves out its HTML and CSV, figures unchanged (%s)', async (via) => {
		const inFlow = await executeNode({ node, parameters: charges, credentials });
		const workflowItem = inFlow.output![0][0];
		expect(typeof workflowItem.json.html).toBe('string');
		expect(workflowItem.binary?.data).toBeDefined();
		const { answer, error } = await asTool(via, charges);
		expect(error).toBeNull();
		expect(answer).toHaveLength(1);
		const { html, ...rest } = workflowItem.json;
		void html;
		expect(answer![0]).toEqual(rest);
	});

	it('keeps the HTML when asked for (HTML Report on)', async () => {
		const { answer } = await asTool(
			'supplyData',
			{
				...charges,
				outputs: { html: "={{ $fromAI('includeHtml', 'the HTML report', 'boolean', false) }}" },
			},
			{ includeHtml: true },
		);
		expect(String(answer![0].html)).toMatch(/^<!DOCTYPE html>/);
	});

	it.each(VIAS)('the rentals audit leaves out its HTML (%s)', async (via) => {
		const parameters = { resource: 'phoneNumber', operation: 'audit', idleDays: 30, options: { timezone: 'UTC' } };
		const { items } = await inWorkflow(parameters);
		expect(typeof items[0].html).toBe('string');
		const { answer } = await asTool(via, parameters);
		expect(answer![0]).not.toHaveProperty('html');
		expect(answer![0].text).toBe(items[0].text);
		expect(answer![0].numbers).toEqual(items[0].numbers);
	});
});

describe('errors as a tool', () => {
	const parameters = {
		resource: 'usage',
		operation: 'getSummary',
		period: "={{ $fromAI('period', 'which period', 'string', 'thisMonth') }}",
		groupBy: 'none',
	};

	it.each(VIAS)('a bad argument answers one line with the fix and the values that work (%s)', async (via) => {
		const { error, runError } = await asTool(via, parameters, { period: 'fortnight' });
		expect(runError).toBeUndefined();
		expect(error).toMatch(/^(NodeOperationError: )?Parameter "period": Unknown period "fortnight"\. Choose one/);
		// SPEC §4: the period names, in whatever order the node lists them.
		const values = /Valid values: ([^.]+)\.$/.exec(error ?? '')?.[1].split(', ');
		expect(values?.sort()).toEqual(
			[
				'today',
				'yesterday',
				'thisWeek',
				'lastWeek',
				'thisMonth',
				'lastMonth',
				'thisBillingCycle',
				'lastBillingCycle',
				'last7Days',
				'last30Days',
				'custom',
			].sort(),
		);
		expect(sandbox.stats.requests).toBe(0);
	});

	it('in a workflow the message and the description stay apart, as before', async () => {
		const { error } = await inWorkflow({ ...parameters, period: 'fortnight' });
		expect(error?.message).toBe('Parameter "period": Unknown period "fortnight"');
		expect(error?.description).toBe('Choose one of the listed periods.');
	});

	it('a wrong key answers with the fix and without the key', async () => {
		const wrongKey = 'sk-live-WRONG-0000-secret-value';
		const { error } = await executeAsTool({
			node,
			parameters: { resource: 'account', operation: 'getBalance' },
			credentials: { ...credentials, apiKey: wrongKey },
			args: {},
			via: 'engineRequest',
		});
		expect(error).toMatch(/api-keys/);
		expect(error).not.toContain(wrongKey);
	});
});

describe('tool descriptions set automatically', () => {
	// What n8n tells a model about a Famulor Billing tool whose Tool Description is "Set Automatically":
	// the operation's action and the node's name.
	it.each([
		['account', 'getBalance', 'Get the prepaid balance and how many days it lasts in Famulor Billing'],
		['usage', 'getSummary', 'Get the spend and minutes of a period in total or per group in Famulor Billing'],
		['usage', 'getCalls', 'Get the newest or most expensive calls of a period with their costs in Famulor Billing'],
		['phoneNumber', 'getAll', 'Get many phone numbers with their monthly fees in Famulor Billing'],
		['phoneNumber', 'audit', 'Audit rented numbers for idle lines and renewals in Famulor Billing'],
		['chargeSummary', 'generate', 'Generate a charge summary of what a period cost per client in Famulor Billing'],
	])('%s/%s says what it returns', async (resource, operation, expected) => {
		const { description } = await asTool('supplyData', { descriptionType: 'auto', resource, operation });
		expect(description).toBe(expected);
	});
});
