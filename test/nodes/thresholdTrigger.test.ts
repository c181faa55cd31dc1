/**
 * The threshold trigger driven through n8n-core's real PollContext (test/helpers/engine.ts) against
 * the sandbox, with the sandbox clock moving: days of polls simulated in seconds. Expected values
 * come from the sandbox's raw data (test/helpers/truth.ts).
 */
import { DateTime } from 'luxon';
import { FamulorThresholdTrigger } from '../../nodes/FamulorThresholdTrigger/FamulorThresholdTrigger.node';
import { Sandbox } from '../sandbox/server';
import { createPollingWorkflow, type CredentialData } from '../helpers/engine';
import { costUnits, createdMs } from '../helpers/truth';

const TZ = 'Europe/Berlin';
const node = new FamulorThresholdTrigger();
let sandbox: Sandbox;
let credentials: CredentialData;

function monthSpendUnits(at: DateTime): bigint {
	const start = at.setZone(TZ).startOf('month').toMillis();
	const end = at.setZone(TZ).startOf('month').plus({ months: 1 }).toMillis();
	return sandbox
		.visibleCalls()
		.filter((call) => createdMs(call) >= start && createdMs(call) < end)
		.reduce((sum, call) => sum + costUnits(call.total_cost as string), 0n);
}

/** Adds settled calls worth `amount` in total at the clock's current time, and moves the clock a minute. */
function spend(amount: number, campaign = 'Q4 Lead Follow-up', pieces = 4): void {
	const each = Math.round((amount * 1e8) / pieces);
	for (let i = 0; i < pieces; i++) {
		const at = new Date(sandbox.clock.nowMs() - (pieces - i) * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
		sandbox.addCall({
			created_at: at,
			status: 'completed',
			duration: 120,
			total_cost: (each / 1e8).toFixed(8),
			carrier_cost: '0.01000000',
			campaign_name: campaign,
			assistant_name: 'Sales Assistant',
			type: 'outbound',
		});
	}
	sandbox.clock.advance(60_000);
}

const events = (outcome: { result: unknown }) =>
	((outcome.result as Array<Array<{ json: Record<string, any> }>> | null)?.[0] ?? []).map((item) => item.json);

beforeEach(async () => {
	sandbox = await Sandbox.start({ now: '2026-11-12T10:00:00Z', calls: 1500, days: 25, futureDays: 0 });
	credentials = { apiKey: sandbox.apiKey, baseUrl: sandbox.url, currency: 'EUR', billingCycleDay: 1 };
});

afterEach(async () => {
	await sandbox.stop();
});

describe('spend of the month against a budget', () => {
	it(
		'emits 50, 80 and 100 % exactly once each, in order, re-arms next month, and re-baselines silently on a ' +
			'config change',
		async () => {
			const startSpend = Number(monthSpendUnits(DateTime.fromISO('2026-11-12T10:00:00Z'))) / 1e8;
			const budget = Math.round((startSpend / 0.4) * 100) / 100; // month-to-date is 40 % of budget
			const parameters = {
				metric: 'spend',
				period: 'month',
				thresholdType: 'percentOfBudget',
				budget,
				thresholds: '50, 80, 100',
				groupBy: 'none',
				options: { timezone: TZ },
			};
			const workflow = createPollingWorkflow({ node, parameters, credentials, timezone: TZ });
			const emitted: Array<Record<string, any>> = [];
			const poll = async () => {
				const outcome = await workflow.poll();
				expect(outcome.error).toBeUndefined();
				const items = events(outcome);
				emitted.push(...items);
				return items;
			};

			expect(await poll()).toEqual([]); // activation: baseline, silent
			expect(await poll()).toEqual([]);
			spend(budget * 0.05); // 45 %
			expect(await poll()).toEqual([]);
			spend(budget * 0.06); // 51 %
			const first = await poll();
			expect(first.map((e) => e.threshold)).toEqual([50]);
			expect(first[0].eventId).toBe('threshold:spend:all:2026-11:50');
			const expectedValue = Number(monthSpendUnits(DateTime.fromMillis(sandbox.clock.nowMs()))) / 1e8;
			expect(first[0].value).toBeCloseTo(expectedValue, 8);
			expect(first[0].percentOfBudget).toBeCloseTo((expectedValue / budget) * 100, 1);
			expect(first[0].message).toMatch(/^Spend this month reached 50% of the [\d.]+ EUR budget: [\d.]+ EUR\.$/);
			expect(first[0].topContributors[0]).toMatchObject({ by: expect.any(String), key: expect.any(String) });
			expect(await poll()).toEqual([]);
			spend(budget * 0.55); // ~106 %: crosses 80 and 100 in one poll
			const both = await poll();
			expect(both.map((e) => e.threshold)).toEqual([80, 100]);
			for (let i = 0; i < 5; i++) {
				sandbox.clock.advance(3_600_000);
				expect(await poll()).toEqual([]);
			}

			// December: the month rolls over and the thresholds re-arm.
			sandbox.clock.set('2026-12-01T08:00:00Z');
			expect(await poll()).toEqual([]);
			spend(budget * 0.52);
			const december = await poll();
			expect(december.map((e) => e.eventId)).toEqual(['threshold:spend:all:2026-12:50']);
			const decemberValue = Number(monthSpendUnits(DateTime.fromMillis(sandbox.clock.nowMs()))) / 1e8;
			expect(december[0].value).toBeCloseTo(decemberValue, 8);

			// A config change starts a new baseline: 30 % and 50 % are already reached, nothing fires.
			workflow.setParameters({ ...parameters, thresholds: '30, 50, 90' });
			expect(await poll()).toEqual([]);
			expect(await poll()).toEqual([]);

			const ids = emitted.map((e) => e.eventId);
			expect(ids).toEqual([
				'threshold:spend:all:2026-11:50',
				'threshold:spend:all:2026-11:80',
				'threshold:spend:all:2026-11:100',
				'threshold:spend:all:2026-12:50',
			]);
		},
	);

	it('after the state is deleted mid-month, crossings already reported are not reported again', async () => {
		const startSpend = Number(monthSpendUnits(DateTime.fromISO('2026-11-12T10:00:00Z'))) / 1e8;
		const budget = Math.round((startSpend / 0.4) * 100) / 100;
		const parameters = {
			metric: 'spend',
			period: 'month',
			thresholdType: 'percentOfBudget',
			budget,
			thresholds: '50, 80, 100',
			groupBy: 'none',
			options: { timezone: TZ },
		};
		const workflow = createPollingWorkflow({ node, parameters, credentials, timezone: TZ });
		const ids: string[] = [];
		const poll = async () => {
			const outcome = await workflow.poll();
			expect(outcome.error).toBeUndefined();
			ids.push(...events(outcome).map((e) => e.eventId));
		};
		await poll();
		spend(budget * 0.45); // 85 %: 50 and 80 fire
		await poll();
		expect(ids).toHaveLength(2);
		for (const key of Object.keys(workflow.staticData())) delete workflow.staticData()[key];
		await poll(); // re-baseline: 50 and 80 are already reached
		await poll();
		spend(budget * 0.2); // 105 %
		await poll();
		await poll();
		expect(ids).toEqual([
			'threshold:spend:all:2026-11:50',
			'threshold:spend:all:2026-11:80',
			'threshold:spend:all:2026-11:100',
		]);
		expect(new Set(ids).size).toBe(ids.length);
	});

	it('evaluates each campaign separately with groupBy campaign', async () => {
		const parameters = {
			metric: 'spend',
			period: 'day',
			thresholdType: 'absolute',
			thresholds: '5',
			groupBy: 'campaign',
			options: { timezone: TZ },
		};
		const workflow = createPollingWorkflow({ node, parameters, credentials, timezone: TZ });
		await workflow.poll();
		spend(6, 'Black Friday Blitz');
		const outcome = await workflow.poll();
		const items = events(outcome);
		expect(items.map((e) => [e.group, e.threshold])).toEqual([['Black Friday Blitz', 5]]);
		expect(items[0].eventId).toBe('threshold:spend:Black Friday Blitz:2026-11-12:5');
		expect(items[0].message).toContain('campaign "Black Friday Blitz"');
	});
});

describe('balance', () => {
	it('balance below 50 fires once; with a 10 % margin a top-up to 54 does not re-arm, 56 does', async () => {
		sandbox.setBalance(80);
		const parameters = { metric: 'balance', thresholdType: 'absolute', thresholds: '50', options: { timezone: TZ } };
		const workflow = createPollingWorkflow({ node, parameters, credentials, timezone: TZ });
		const fired: Array<Record<string, any>> = [];
		const poll = async () => {
			const outcome = await workflow.poll();
			expect(outcome.error).toBeUndefined();
			fired.push(...events(outcome));
			return events(outcome).length;
		};
		expect(await poll()).toBe(0);
		sandbox.setBalance(49.5);
		expect(await poll()).toBe(1);
		expect(fired[0]).toMatchObject({ metric: 'balance', value: 49.5, threshold: 50, currency: 'EUR' });
		expect(fired[0].message).toBe('Balance fell to 50.00 EUR or below: 49.50 EUR.');
		expect(await poll()).toBe(0);
		sandbox.setBalance(54);
		expect(await poll()).toBe(0);
		sandbox.setBalance(48);
		expect(await poll()).toBe(0); // not re-armed: 54 < 50 + 10 %
		sandbox.setBalance(56);
		expect(await poll()).toBe(0); // re-armed
		sandbox.setBalance(47);
		expect(await poll()).toBe(1);
		expect(fired).toHaveLength(2);
		expect(fired[1].eventId).not.toBe(fired[0].eventId);
	});
});

describe('modes', () => {
	it('manual mode returns a live sample and leaves static data byte-for-byte unchanged', async () => {
		const parameters = {
			metric: 'spend',
			period: 'month',
			thresholdType: 'absolute',
			thresholds: '1000000',
			groupBy: 'none',
			options: { timezone: TZ },
		};
		const workflow = createPollingWorkflow({ node, parameters, credentials, timezone: TZ });
		await workflow.poll();
		spend(3);
		await workflow.poll();
		const before = JSON.stringify(workflow.staticData());
		const persistedBefore = JSON.stringify(workflow.persisted());
		spend(2);
		const outcome = await workflow.poll({ mode: 'manual' });
		expect(outcome.error).toBeUndefined();
		const sample = events(outcome);
		expect(sample).toHaveLength(1);
		expect(sample[0].sample).toBe(true);
		const expectedValue = Number(monthSpendUnits(DateTime.fromMillis(sandbox.clock.nowMs()))) / 1e8;
		expect(sample[0].value).toBeCloseTo(expectedValue, 8);
		expect(JSON.stringify(workflow.staticData())).toBe(before);
		expect(JSON.stringify(workflow.persisted())).toBe(persistedBefore);
	});

	it('invalid parameters fail with the parameter named and the fix, before any request', async () => {
		const cases: Array<[Record<string, unknown>, RegExp]> = [
			[{ thresholds: '' }, /thresholds/],
			[{ thresholds: '50, abc' }, /thresholds/],
			[{ thresholds: '-5' }, /thresholds/],
			[{ thresholdType: 'percentOfBudget', budget: 0 }, /budget/],
			[{ options: { timezone: 'Nowhere/City' } }, /timezone/],
		];
		for (const [override, pattern] of cases) {
			sandbox.resetStats();
			const parameters = {
				metric: 'spend',
				period: 'month',
				thresholdType: 'absolute',
				thresholds: '50',
				groupBy: 'none',
				options: {},
				...override,
			};
			const workflow = createPollingWorkflow({ node, parameters, credentials, timezone: TZ });
			const outcome = await workflow.poll();
			expect(outcome.error?.message).toMatch(pattern);
			expect(outcome.error?.description).toBeTruthy();
			expect(sandbox.stats.requests).toBe(0);
		}
	});
});
