/**
 * Names are data, never keys (SPEC §14): assistants, campaigns, numbers and clients called
 * `__proto__`, `constructor`, `toString`, `hasOwnProperty` or `valueOf` are grouped, counted and
 * reported like any other name — by every operation of the action node and by both triggers, through
 * n8n's engine against the sandbox — and Object.prototype of the process is the same afterwards.
 * Expected figures come from the sandbox's raw calls, summed here in Maps.
 */
import type { INodeParameters } from 'n8n-workflow';
import { FamulorBilling } from '../../nodes/FamulorBilling/FamulorBilling.node';
import { FamulorSpikeTrigger } from '../../nodes/FamulorSpikeTrigger/FamulorSpikeTrigger.node';
import { FamulorThresholdTrigger } from '../../nodes/FamulorThresholdTrigger/FamulorThresholdTrigger.node';
import { createPollingWorkflow, executeNode, type CredentialData } from '../helpers/engine';
import { costUnits, createdMs, toNumber } from '../helpers/truth';
import { Sandbox, type RawCall } from '../sandbox/server';

const NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];
const TZ = 'UTC';
const NOW = '2026-11-20T12:00:00Z';
const DAY_START = Date.parse('2026-11-20T00:00:00Z');

let sandbox: Sandbox;
let credentials: CredentialData;
const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();

/** Object.prototype as a fresh object sees it: nothing added, nothing replaced. */
function expectPrototypeUntouched(): void {
	expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
	const probe: Record<string, unknown> = {};
	for (const name of ['', 'value', 'Sales Assistant', ...NAMES.map((n) => `${n}x`)])
		expect(probe[name]).toBeUndefined();
	expect(Object.getPrototypeOf(probe)).toBe(Object.prototype);
	expect(typeof probe.toString).toBe('function');
	expect(typeof probe.hasOwnProperty).toBe('function');
}

beforeAll(async () => {
	sandbox = await Sandbox.start({ now: NOW, calls: 300, days: 10, futureDays: 0 });
	credentials = { apiKey: sandbox.apiKey, baseUrl: sandbox.url, currency: 'EUR', billingCycleDay: 1 };
	// Today, every hostile name as an assistant, a campaign and a Famulor number, with distinct costs.
	NAMES.forEach((name, index) => {
		for (let i = 0; i <= index; i++) {
			sandbox.addCall({
				created_at: new Date(DAY_START + (index * 10 + i + 1) * 60_000).toISOString().replace('.000Z', 'Z'),
				status: 'completed',
				duration: 60 + index,
				total_cost: `${index + 1}.${String(i + 1).padStart(8, '0')}`,
				carrier_cost: '0.10000000',
				assistant_name: name,
				campaign_name: NAMES[(index + 1) % NAMES.length],
				assistant_phone_number: NAMES[(index + 2) % NAMES.length],
			});
		}
	});
});

afterAll(async () => {
	await sandbox.stop();
	expectPrototypeUntouched();
});

const today = (call: RawCall) => createdMs(call) >= DAY_START && createdMs(call) < DAY_START + 86_400_000;

/** Sum of cost units per name, from the raw calls, in a Map. */
function truthBy(field: 'assistant_name' | 'campaign_name' | 'assistant_phone_number'): Map<string, bigint> {
	const sums = new Map<string, bigint>();
	for (const call of sandbox.visibleCalls().filter(today)) {
		const name = String(call[field] ?? '');
		sums.set(name, (sums.get(name) ?? 0n) + costUnits(call.total_cost as string));
	}
	return sums;
}

describe('the action node', () => {
	const billing = new FamulorBilling();
	// The action node's periods follow the local clock; the sandbox's day is given as a custom period.
	const run = (parameters: Record<string, unknown>) =>
		executeNode({ node: billing, parameters: parameters as INodeParameters, credentials, timezone: TZ });

	it.each([
		['assistant', 'assistant_name'],
		['campaign', 'campaign_name'],
		['phoneNumber', 'assistant_phone_number'],
	] as const)('usage/getSummary grouped by %s: one exact row per name', async (groupBy, field) => {
		const { output, error } = await run({
			resource: 'usage',
			operation: 'getSummary',
			period: 'custom',
			startDate: '2026-11-20',
			endDate: '2026-11-21',
			groupBy,
			options: { timezone: TZ },
		});
		expect(error).toBeUndefined();
		const rows = new Map((output?.[0] ?? []).map((item) => [item.json.group as string, item.json.totalCost as number]));
		const truth = truthBy(field);
		for (const name of NAMES) expect([name, rows.get(name)]).toEqual([name, toNumber(truth.get(name) ?? 0n)]);
		expectPrototypeUntouched();
	});

	it('a resource or operation called __proto__ or constructor is an unsupported operation, nothing more', async () => {
		for (const [resource, operation] of [
			['__proto__', 'constructor'],
			['usage', '__proto__'],
			['constructor', 'toString'],
		]) {
			const { error } = await run({ resource, operation });
			// n8n itself may refuse first (the operation parameter is not shown for an unknown resource).
			expect(error?.message).toMatch(/is not supported$|^Could not get parameter "operation"$/);
		}
		expectPrototypeUntouched();
	});

	it('usage/getCalls returns the calls with their names', async () => {
		const { output, error } = await run({
			resource: 'usage',
			operation: 'getCalls',
			period: 'custom',
			startDate: '2026-11-20',
			endDate: '2026-11-21',
			returnAll: true,
			simplify: true,
			options: { timezone: TZ },
		});
		expect(error).toBeUndefined();
		const assistants = new Set((output?.[0] ?? []).map((item) => item.json.assistantName));
		for (const name of NAMES) expect(assistants.has(name)).toBe(true);
		expectPrototypeUntouched();
	});

	it('chargeSummary/generate with clients named like prototype keys: exact per client', async () => {
		const clients = NAMES.map((name, index) => ({
			name,
			matchBy: 'assistant',
			values: NAMES[(index + 3) % NAMES.length],
			markupPercent: 0,
		}));
		const { output, error } = await run({
			resource: 'chargeSummary',
			operation: 'generate',
			period: 'custom',
			startDate: '2026-11-20',
			endDate: '2026-11-21',
			pricingMode: 'reported',
			defaultMonthlyFee: 0,
			clients: { client: clients },
			outputs: { onePerClient: true },
			options: { timezone: TZ },
		});
		expect(error).toBeUndefined();
		const byClient = new Map(
			(output?.[0] ?? []).map((item) => [item.json.client as string, item.json as Record<string, any>]),
		);
		const truth = truthBy('assistant_name');
		for (const [index, name] of NAMES.entries()) {
			const assistant = NAMES[(index + 3) % NAMES.length] as string;
			const calls = sandbox.visibleCalls().filter((call) => today(call) && call.assistant_name === assistant).length;
			expect([name, byClient.get(name)?.usage.calls]).toEqual([name, calls]);
			const cents = Number(((truth.get(assistant) ?? 0n) + 500_000n) / 1_000_000n) / 100;
			expect([name, byClient.get(name)?.charges.calls]).toEqual([name, cents]);
		}
		expectPrototypeUntouched();
	});
});

describe('the triggers', () => {
	it('threshold trigger by assistant: each name crosses and is reported once, with its exact value', async () => {
		const parameters = {
			metric: 'spend',
			period: 'day',
			thresholdType: 'absolute',
			thresholds: '0.5',
			groupBy: 'assistant',
			options: { timezone: TZ, fireOnActivation: true },
		};
		const workflow = createPollingWorkflow({
			node: new FamulorThresholdTrigger(),
			parameters,
			credentials,
			timezone: TZ,
		});
		const outcome = await workflow.poll();
		expect(outcome.error).toBeUndefined();
		const events = ((outcome.result?.[0] ?? []) as Array<{ json: Record<string, any> }>).map((item) => item.json);
		const truth = truthBy('assistant_name');
		for (const name of NAMES) {
			const event = events.find((e) => e.group === name);
			expect([name, event?.eventId]).toEqual([name, `threshold:spend:${name}:2026-11-20:0.5`]);
			expect([name, event?.value]).toEqual([name, toNumber(truth.get(name) ?? 0n)]);
		}
		expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
		sandbox.clock.advance(60_000);
		const again = await workflow.poll();
		expect(again.error).toBeUndefined();
		expect(again.result).toBeNull();
		expectPrototypeUntouched();
	});

	it('spike trigger grouped by campaign: a burst of a campaign called __proto__ alerts under its name', async () => {
		const parameters = {
			metric: 'calls',
			window: 'hour',
			baselineDays: 3,
			seasonality: 'none',
			minIncreasePercent: 100,
			minAbsoluteIncrease: 5,
			groupBy: 'campaign',
			options: { timezone: TZ, settleMinutes: 0, minBaselineSamples: 1 },
		};
		const workflow = createPollingWorkflow({ node: new FamulorSpikeTrigger(), parameters, credentials, timezone: TZ });
		expect((await workflow.poll()).error).toBeUndefined();
		const hour = Math.ceil(sandbox.clock.nowMs() / 3_600_000) * 3_600_000;
		for (let i = 0; i < 30; i++) {
			const at = new Date(hour + i * 60_000).toISOString().replace('.000Z', 'Z');
			sandbox.addCall({
				created_at: at,
				status: 'completed',
				duration: 30,
				campaign_name: '__proto__',
				assistant_name: 'constructor',
			});
		}
		sandbox.clock.set(new Date(hour + 61 * 60_000));
		const outcome = await workflow.poll();
		expect(outcome.error).toBeUndefined();
		const events = ((outcome.result?.[0] ?? []) as Array<{ json: Record<string, any> }>).map((item) => item.json);
		const spike = events.find((e) => e.group === '__proto__');
		expect(spike?.eventId).toBe(`spike:calls:__proto__:${new Date(hour).toISOString().replace('.000Z', 'Z')}`);
		expect(spike?.value).toBe(30);
		expect(spike?.topContributors).toEqual(
			expect.arrayContaining([{ by: 'assistant', key: 'constructor', value: 30 }]),
		);
		expectPrototypeUntouched();
	});
});
