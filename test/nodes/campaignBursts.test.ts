/**
 * A month with dialer bursts — campaigns starting 600 calls in a minute, 10 a second, one of them across
 * the month's end — in a call list whose calls of one second come in a new order on every answer (the
 * sandbox's shuffleTies, as a database serves ties under LIMIT/OFFSET). The action node's usage summary
 * and charge summary, executed by n8n-core's WorkflowExecute over real HTTP, equal an independent sum
 * over the sandbox's calls, in either list order (SPEC §15: a call is its id, never its position).
 */
import { DateTime } from 'luxon';
import { FamulorBilling } from '../../nodes/FamulorBilling/FamulorBilling.node';
import { Sandbox, type RawCall } from '../sandbox/server';
import { executeNode, type CredentialData } from '../helpers/engine';
import { costUnits, createdMs, lastMonthBounds, totalsBy } from '../helpers/truth';

const TZ = 'Europe/Berlin';
const NOW = '2026-11-20T12:00:00Z';
const CAMPAIGN = 'Black Friday Blitz';
/** Dialer bursts: 600 calls over a minute each. The last one starts 30 s before November in Berlin. */
const BURSTS = ['2026-10-07T09:00:00Z', '2026-10-15T13:30:00Z', '2026-10-24T07:45:10Z', '2026-10-31T22:59:30Z'];

const node = new FamulorBilling();
type Json = Record<string, any>;

/** 1e-8 units → whole cents, half away from zero (amounts here are never negative). */
const cents = (units: bigint) => (2n * units + 1_000_000n) / 2_000_000n;
const amountCents = (amount: unknown) => BigInt(Math.round((amount as number) * 100));

describe.each(['desc', 'asc'] as const)('campaign bursts, ties in a new order on every answer (%s)', (sort) => {
	let sandbox: Sandbox;
	let credentials: CredentialData;

	beforeAll(async () => {
		sandbox = await Sandbox.start({ now: NOW, calls: 2500, days: 60, seed: 23, sort, shuffleTies: true });
		for (const from of BURSTS) {
			const to = new Date(Date.parse(from) + 60_000).toISOString();
			sandbox.addCalls(600, { from, to, campaign: CAMPAIGN });
		}
		credentials = { apiKey: sandbox.apiKey, baseUrl: sandbox.url, currency: 'EUR', billingCycleDay: 1 };
	});

	afterAll(async () => {
		await sandbox.stop();
	});

	const inLastMonth = () => {
		const { start, end } = lastMonthBounds(TZ, DateTime.fromISO(NOW));
		return (call: RawCall) => createdMs(call) >= start && createdMs(call) < end;
	};

	it('the month really has seconds shared by ten calls and more', () => {
		const perSecond = new Map<number, number>();
		for (const call of sandbox.visibleCalls().filter(inLastMonth())) {
			perSecond.set(createdMs(call), (perSecond.get(createdMs(call)) ?? 0) + 1);
		}
		const crowded = [...perSecond.values()].filter((n) => n >= 10).length;
		expect(crowded).toBeGreaterThan(20);
	});

	it('usage summary of last month by campaign equals the sum over the calls, to 1e-8', async () => {
		const { output, error } = await executeNode({
			node,
			parameters: {
				resource: 'usage',
				operation: 'getSummary',
				period: 'lastMonth',
				groupBy: 'campaign',
				options: { timezone: TZ },
			} as never,
			credentials,
		});
		expect(error).toBeUndefined();
		const truth = totalsBy(sandbox.visibleCalls(), (call) => String(call.campaign_name ?? ''), inLastMonth());
		const items = output![0].map((item) => item.json as Json);
		const byGroup = new Map(items.map((item) => [String(item.group ?? ''), item]));
		expect(truth.get(CAMPAIGN)?.calls).toBeGreaterThan(2_000);
		for (const [campaign, expected] of truth) {
			// The summary names calls without a campaign its own way: matched by count and cost instead.
			const item =
				byGroup.get(campaign) ?? items.find((i) => i.calls === expected.calls && !truth.has(String(i.group)));
			expect(item).toBeDefined();
			expect(item!.calls).toBe(expected.calls);
			expect(BigInt(Math.round((item!.totalCost as number) * 1e8))).toBe(expected.totalCost);
			expect(BigInt(Math.round((item!.carrierCost as number) * 1e8))).toBe(expected.carrierCost);
		}
		expect(items.reduce((n, item) => n + (item.calls as number), 0)).toBe(
			[...truth.values()].reduce((n, t) => n + t.calls, 0),
		);
	});

	it('charge summary of the last billing cycle: platform and carrier lines are the sums, to the cent', async () => {
		const { output, error } = await executeNode({
			node,
			parameters: {
				resource: 'chargeSummary',
				operation: 'generate',
				period: 'lastBillingCycle',
				pricingMode: 'reported',
				options: { timezone: TZ },
			} as never,
			credentials,
			timezone: TZ,
		});
		expect(error).toBeUndefined();
		const item = output![0][0].json as Json;
		let total = 0n;
		let carrier = 0n;
		let calls = 0;
		for (const call of sandbox.visibleCalls().filter(inLastMonth())) {
			calls++;
			total += costUnits(call.total_cost as string);
			carrier += costUnits(call.carrier_cost as string);
		}
		expect(item.usage.calls).toBe(calls);
		const line = (kind: string) => (item.lines as Json[]).find((l) => l.kind === kind);
		expect(amountCents(line('platform')?.amount)).toBe(cents(total - carrier));
		expect(amountCents(line('carrier')?.amount)).toBe(cents(carrier));
	});
});
