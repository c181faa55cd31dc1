/**
 * The Famulor Billing action node, executed by n8n-core's real WorkflowExecute against the sandbox
 * over real HTTP. Expected values come from test/helpers/truth.ts, never from src/.
 */
import { DateTime } from 'luxon';
import { FamulorBilling } from '../../nodes/FamulorBilling/FamulorBilling.node';
import { Sandbox } from '../sandbox/server';
import { capturedLogText, executeNode, type CredentialData } from '../helpers/engine';
import { createdMs, lastMonthBounds, toNumber, totalsBy } from '../helpers/truth';

let sandbox: Sandbox;
let credentials: CredentialData;
const node = new FamulorBilling();

beforeAll(async () => {
	sandbox = await Sandbox.start({ now: new Date().toISOString(), calls: 4000, days: 70 });
	credentials = { apiKey: sandbox.apiKey, baseUrl: sandbox.url, currency: 'EUR', billingCycleDay: 1 };
});

afterAll(async () => {
	await sandbox.stop();
});

beforeEach(() => sandbox.resetStats());

const run = (parameters: Record<string, unknown>, extra: Partial<Parameters<typeof executeNode>[0]> = {}) =>
	executeNode({ node, parameters: parameters as never, credentials, ...extra });

describe('usage/getSummary', () => {
	it('lastMonth in Europe/Berlin grouped by assistant equals the sandbox totals to 1e-8', async () => {
		const { output, error } = await run({
			resource: 'usage',
			operation: 'getSummary',
			period: 'lastMonth',
			groupBy: 'assistant',
			options: { timezone: 'Europe/Berlin' },
		});
		expect(error).toBeUndefined();
		const { start, end } = lastMonthBounds('Europe/Berlin');
		const truth = totalsBy(
			sandbox.visibleCalls(),
			(call) => String(call.assistant_name),
			(call) => createdMs(call) >= start && createdMs(call) < end,
		);
		const items = output![0].map((item) => item.json);
		expect(items).toHaveLength(truth.size);
		for (const item of items) {
			const expected = truth.get(item.group as string)!;
			expect(item.calls).toBe(expected.calls);
			expect(Math.abs((item.totalCost as number) - toNumber(expected.totalCost))).toBeLessThan(1e-9);
			expect(Math.abs((item.carrierCost as number) - toNumber(expected.carrierCost))).toBeLessThan(1e-9);
			expect(
				Math.abs((item.platformCost as number) - toNumber(expected.totalCost - expected.carrierCost)),
			).toBeLessThan(1e-9);
			expect(item.talkSeconds).toBe(expected.talkSeconds);
			expect(item.billableMinutes).toBeCloseTo(expected.billableSeconds / 60, 4);
			expect(item.currency).toBe('EUR');
			expect((item.period as { timezone: string }).timezone).toBe('Europe/Berlin');
			expect((item.period as { start: string }).start).toBe(
				DateTime.fromMillis(start, { zone: 'Europe/Berlin' }).toISO({ suppressMilliseconds: true }),
			);
		}
		const sum = [...truth.values()].reduce((a, t) => a + t.totalCost, 0n);
		const itemSum = items.reduce((a, item) => a + Math.round((item.totalCost as number) * 1e8), 0);
		expect(itemSum).toBe(Number(sum));
		expect(output![0].every((item) => item.pairedItem && (item.pairedItem as { item: number }).item === 0)).toBe(true);
	});

	it('resolves expressions in parameters and filters by campaign through the resource locator', async () => {
		const campaign = sandbox.campaigns()[0];
		const { output, error } = await run(
			{
				resource: 'usage',
				operation: 'getSummary',
				period: '={{ $json.period }}',
				groupBy: 'none',
				filters: { campaignId: { __rl: true, mode: 'id', value: String(campaign.id) } },
				options: { timezone: '={{ $json.tz }}' },
			},
			{ inputItems: [{ period: 'last30Days', tz: 'America/New_York' }] },
		);
		expect(error).toBeUndefined();
		const today = DateTime.now().setZone('America/New_York').startOf('day');
		const start = today.minus({ days: 29 }).toMillis();
		const end = today.plus({ days: 1 }).toMillis();
		const truth = totalsBy(
			sandbox.visibleCalls(),
			() => 'all',
			(call) => call.campaign_name === campaign.name && createdMs(call) >= start && createdMs(call) < end,
		);
		const item = output![0][0].json;
		expect(item.group).toBeNull();
		expect(item.calls).toBe(truth.get('all')?.calls ?? 0);
		expect(Math.round((item.totalCost as number) * 1e8)).toBe(Number(truth.get('all')?.totalCost ?? 0n));
	});

	it('rejects an unknown timezone before sending any request', async () => {
		const { error } = await run({
			resource: 'usage',
			operation: 'getSummary',
			period: 'today',
			groupBy: 'none',
			options: { timezone: 'Mars/Olympus' },
		});
		expect(error?.message).toMatch(/timezone/i);
		expect(error?.description).toMatch(/IANA/);
		expect(sandbox.stats.requests).toBe(0);
	});

	it('rejects a reversed custom period before sending any request', async () => {
		const { error } = await run({
			resource: 'usage',
			operation: 'getSummary',
			period: 'custom',
			startDate: '2026-11-10',
			endDate: '2026-11-01',
			groupBy: 'none',
		});
		expect(error?.message).toMatch(/endDate/);
		expect(error?.description).toMatch(/after Start Date/);
		expect(sandbox.stats.requests).toBe(0);
	});
});

describe('usage/getCalls', () => {
	it.each(['desc', 'asc'] as const)('returns the newest calls first with a limit, sort order %s', async (sort) => {
		sandbox.setSort(sort);
		const { output, error } = await run({
			resource: 'usage',
			operation: 'getCalls',
			period: 'last7Days',
			limit: 25,
			simplify: true,
			returnAll: false,
			options: { timezone: 'UTC' },
		});
		sandbox.setSort('desc');
		expect(error).toBeUndefined();
		const start = DateTime.utc().startOf('day').minus({ days: 6 }).toMillis();
		const expected = sandbox
			.visibleCalls()
			.filter((call) => createdMs(call) >= start)
			.sort((a, b) => createdMs(b) - createdMs(a) || b.id - a.id)
			.slice(0, 25);
		const items = output![0].map((item) => item.json);
		expect(items.map((item) => item.id)).toEqual(expected.map((call) => call.id));
		expect(Object.keys(items[0]).sort()).toEqual(
			[
				'id',
				'createdAt',
				'direction',
				'status',
				'durationSeconds',
				'billableMinutes',
				'totalCost',
				'carrierCost',
				'platformCost',
				'currency',
				'assistantName',
				'campaignName',
				'assistantPhoneNumber',
				'clientPhoneNumber',
				'answeredBy',
			].sort(),
		);
		expect(sandbox.stats.requests).toBeLessThanOrEqual(2);
	});

	it('returns the raw call plus the billing fields when Simplify is off', async () => {
		const { output } = await run({
			resource: 'usage',
			operation: 'getCalls',
			period: 'last7Days',
			limit: 3,
			simplify: false,
			returnAll: false,
		});
		const item = output![0][0].json;
		expect(item).toHaveProperty('transcript');
		expect(item).toHaveProperty('total_cost');
		expect(item).toHaveProperty('platformCost');
	});
});

describe('account/getBalance', () => {
	it('matches the sandbox balance and computes the runway from the last 7 full days', async () => {
		const { output, error } = await run({
			resource: 'account',
			operation: 'getBalance',
			options: { includeRunway: true, timezone: 'UTC' },
		});
		expect(error).toBeUndefined();
		const item = output![0][0].json as Record<string, any>;
		expect(item.balance).toBe(sandbox.me().total_balance);
		expect(item.currency).toBe('EUR');
		expect(item.name).toBe(sandbox.me().name);
		const todayStart = DateTime.utc().startOf('day');
		const start = todayStart.minus({ days: 7 }).toMillis();
		const end = todayStart.toMillis();
		const spent = totalsBy(
			sandbox.visibleCalls(),
			() => 'all',
			(call) => createdMs(call) >= start && createdMs(call) < end,
		).get('all')!;
		const average = Number(spent.totalCost) / 7 / 1e8;
		expect(item.runway.basedOnDays).toBe(7);
		expect(item.runway.averageDailySpend).toBeCloseTo(average, 7);
		expect(item.runway.days).toBeCloseTo(Math.floor((item.balance / average) * 10) / 10, 5);
	});
});

describe('phoneNumber/getAll', () => {
	it('lists rented numbers with country fees, the default fee, and their assistants', async () => {
		const { output, error } = await run({
			resource: 'phoneNumber',
			operation: 'getAll',
			defaultMonthlyFee: 3.99,
			monthlyFees: {
				fee: [
					{ country: 'DE', fee: 4.5 },
					{ country: 'gb', fee: 2.75 },
				],
			},
			options: {},
		});
		expect(error).toBeUndefined();
		const items = output![0].map((item) => item.json as Record<string, any>);
		const rented = sandbox.phoneNumbers().filter((n) => n.type === 'normal' && n.has_active_subscription);
		expect(items.map((i) => i.id).sort()).toEqual(rented.map((n) => n.id).sort());
		for (const item of items) {
			const raw = rented.find((n) => n.id === item.id)!;
			const fee = raw.country_code === 'DE' ? 4.5 : raw.country_code === 'GB' ? 2.75 : 3.99;
			expect(item.monthlyFee).toBe(fee);
			expect(item.rented).toBe(true);
			expect(item.assistants).toEqual(
				sandbox
					.assistants()
					.filter((a) => a.phone_number_id === raw.id)
					.map((a) => a.name),
			);
		}
	});

	it('shows SIP trunks and caller IDs at no fee when Rented Only is off', async () => {
		const { output } = await run({
			resource: 'phoneNumber',
			operation: 'getAll',
			defaultMonthlyFee: 3.99,
			options: { rentedOnly: false },
		});
		const items = output![0].map((item) => item.json as Record<string, any>);
		expect(items).toHaveLength(sandbox.phoneNumbers().length);
		for (const item of items.filter((i) => i.type !== 'normal')) expect(item.monthlyFee).toBe(0);
	});

	it('names the bad row of a malformed fee table', async () => {
		const { error } = await run({
			resource: 'phoneNumber',
			operation: 'getAll',
			defaultMonthlyFee: 3.99,
			monthlyFees: { fee: [{ country: 'Germany', fee: 4 }] },
		});
		expect(error?.message).toMatch(/monthlyFees/);
		expect(error?.description).toMatch(/ISO 3166/);
	});
});

describe('errors', () => {
	it('a wrong key fails with a message that names the fix and never contains the key', async () => {
		const wrongKey = 'sk-live-WRONG-0000-secret-value';
		const { error } = await executeNode({
			node,
			parameters: { resource: 'account', operation: 'getBalance' } as never,
			credentials: { ...credentials, apiKey: wrongKey },
		});
		expect(error?.message).toMatch(/401|API key/);
		expect(error?.description).toMatch(/api-keys/);
		const everything =
			JSON.stringify({ message: error?.message, description: error?.description, error }) + capturedLogText();
		expect(everything).not.toContain(wrongKey);
	});

	it('a base URL that answers 404 tells how to fix the URL', async () => {
		const { error } = await executeNode({
			node,
			parameters: { resource: 'account', operation: 'getBalance' } as never,
			credentials: { ...credentials, baseUrl: sandbox.url.replace(/\/api$/, '/wrong') },
		});
		expect(error?.message).toMatch(/404/);
		expect(error?.description).toMatch(/Base URL/);
	});

	it('refuses plain http to a host that is not this machine, before sending the key', async () => {
		const { error } = await executeNode({
			node,
			parameters: { resource: 'account', operation: 'getBalance' } as never,
			credentials: { ...credentials, baseUrl: 'http://famulor.example.com/api' },
		});
		expect(error?.message).toMatch(/not https/);
		expect(error?.description).toMatch(/https/);
	});

	it('retries a malformed JSON response and succeeds', async () => {
		sandbox.injectFaults([{ kind: 'malformed', path: '/user/me', count: 1 }]);
		const { output, error } = await run({ resource: 'account', operation: 'getBalance' });
		expect(error).toBeUndefined();
		expect(output![0][0].json.balance).toBe(sandbox.me().total_balance);
		expect(sandbox.stats.requests).toBe(2);
	});

	it(
		'a response that stays malformed fails clearly after bounded retries, and continueOnFail turns it into an ' +
			'error item',
		async () => {
			sandbox.injectFaults([{ kind: 'malformed', path: '/user/me', count: 100 }]);
			const { output, error } = await run({ resource: 'account', operation: 'getBalance' }, { continueOnFail: true });
			sandbox.clearFaults();
			expect(error).toBeUndefined();
			const item = output![0][0];
			expect(item.json.error).toMatch(/not valid JSON/);
			expect(item.pairedItem).toEqual({ item: 0 });
		},
		60_000,
	);
});
