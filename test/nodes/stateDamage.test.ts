/**
 * Trigger state is validated when read (SPEC §9, §14): whatever n8n hands back — a damaged state,
 * one of an older version, pacing history or times from the future — is either trusted because it
 * passes the schema, or treated as lost: a silent new baseline. Through n8n's engine against the
 * sandbox: every damaged state polls without an error, emits nothing it emitted before (the
 * deterministic eventIds and the baseline absorb it), and is not blind afterwards — the next
 * crossing fires once.
 */
import { DateTime } from 'luxon';
import type { IDataObject } from 'n8n-workflow';
import { FamulorSpikeTrigger } from '../../nodes/FamulorSpikeTrigger/FamulorSpikeTrigger.node';
import { FamulorThresholdTrigger } from '../../nodes/FamulorThresholdTrigger/FamulorThresholdTrigger.node';
import { createPollingWorkflow, type CredentialData } from '../helpers/engine';
import { Sandbox } from '../sandbox/server';

const TZ = 'Europe/Berlin';
const DAY = 86_400_000;
let sandbox: Sandbox;
let credentials: CredentialData;

beforeEach(async () => {
	sandbox = await Sandbox.start({ now: '2026-11-12T10:00:00Z', calls: 800, days: 20, futureDays: 0 });
	credentials = { apiKey: sandbox.apiKey, baseUrl: sandbox.url, currency: 'EUR', billingCycleDay: 1 };
});

afterEach(async () => {
	await sandbox.stop();
});

/** Settled calls worth `amount` at the clock's time; the clock moves a minute. */
function spend(amount: number): void {
	const at = new Date(sandbox.clock.nowMs() - 1000).toISOString().replace(/\.\d+Z$/, 'Z');
	sandbox.addCall({
		created_at: at,
		status: 'completed',
		duration: 60,
		total_cost: amount.toFixed(8),
		assistant_name: 'Sales Assistant',
	});
	sandbox.clock.advance(60_000);
}

const eventIds = (outcome: { result: unknown }) =>
	((outcome.result as Array<Array<{ json: { eventId: string } }>> | null)?.[0] ?? []).map((item) => item.json.eventId);

type Damage = [string, (data: IDataObject) => void];

const state = (data: IDataObject) => data.state as Record<string, any>;

/** Ways a stored threshold state can come back damaged. */
const THRESHOLD_DAMAGE: Damage[] = [
	['periods: null', (data) => void (state(data).periods = null)],
	['tracker: {}', (data) => void (state(data).tracker = {})],
	['fired as an object instead of a list', (data) => void (state(data).periods[0].groups[0].fired = { 50: true })],
	['groups as an object keyed by name', (data) => void (state(data).periods[0].groups = { '': { value: 1 } })],
	['a missing key (balance)', (data) => void delete state(data).balance],
	['a number as a string', (data) => void (state(data).updatedAt = String(state(data).updatedAt))],
	['ledger columns of different lengths', (data) => void state(data).tracker.ledger.recent.id.push(1)],
	['a state of version 1', (data) => void (state(data).v = 1)],
	['a whole state that is an array', (data) => void (data.state = [])],
	['updatedAt three days ahead (clock stepped back)', (data) => void (state(data).updatedAt += 3 * DAY)],
	['the cursor three days ahead', (data) => void (state(data).tracker.cursor.at += 3 * DAY)],
	[
		'pacing history a day in the future',
		(data) =>
			void (data.pacing = {
				sent: Array.from({ length: 120 }, (_, i) => Date.now() + DAY + i),
				limits: { perMinute: 100, perTenSeconds: 20 },
			}),
	],
	[
		'pacing limits that are not numbers',
		(data) => void (data.pacing = { sent: 'x', limits: { perMinute: 'many', perTenSeconds: -3 } }),
	],
	['a clock offset of 10^15 ms', (data) => void (data.skew = 1e15)],
];

describe('threshold trigger: a damaged state is trusted only if valid, else a silent new baseline', () => {
	it.each(THRESHOLD_DAMAGE)('%s', async (_name, damage) => {
		const parameters = {
			metric: 'spend',
			period: 'month',
			thresholdType: 'absolute',
			thresholds: '1, 1000000',
			groupBy: 'none',
			options: { timezone: TZ },
		};
		const workflow = createPollingWorkflow({
			node: new FamulorThresholdTrigger(),
			parameters,
			credentials,
			timezone: TZ,
		});
		// Activation: the month's spend is already past 1: absorbed by the baseline, not reported.
		expect((await workflow.poll()).error).toBeUndefined();
		sandbox.clock.advance(60_000);
		expect(eventIds(await workflow.poll())).toEqual([]);
		const reportedBefore = 'threshold:spend:all:2026-11:1';

		damage(workflow.staticData());
		sandbox.clock.advance(60_000);
		const after = await workflow.poll();
		expect(after.error).toBeUndefined();
		expect(eventIds(after)).not.toContain(reportedBefore);
		expect(eventIds(after)).toEqual([]);
		expect(state(workflow.staticData()).phase).toBe('ready');

		// Not blind: spend past the second threshold fires it, once.
		spend(1_000_000);
		const fired = await workflow.poll();
		expect(fired.error).toBeUndefined();
		expect(eventIds(fired)).toEqual(['threshold:spend:all:2026-11:1000000']);
		sandbox.clock.advance(60_000);
		expect(eventIds(await workflow.poll())).toEqual([]);
	});
});

describe('Fire on Activation', () => {
	it('announces on the first activation only, not when a damaged state is rebuilt', async () => {
		const parameters = {
			metric: 'spend',
			period: 'month',
			thresholdType: 'absolute',
			thresholds: '1',
			groupBy: 'none',
			options: { timezone: TZ, fireOnActivation: true },
		};
		const workflow = createPollingWorkflow({
			node: new FamulorThresholdTrigger(),
			parameters,
			credentials,
			timezone: TZ,
		});
		expect(eventIds(await workflow.poll())).toEqual(['threshold:spend:all:2026-11:1']);
		state(workflow.staticData()).v = 1;
		sandbox.clock.advance(60_000);
		const rebuilt = await workflow.poll();
		expect(rebuilt.error).toBeUndefined();
		expect(eventIds(rebuilt)).toEqual([]);
	});
});

/** Ways a stored spike state can come back damaged. */
const SPIKE_DAMAGE: Damage[] = [
	['groups: null', (data) => void (state(data).groups = null)],
	['buckets of the old format (an object keyed by group)', (data) => void (state(data).groups = { '': { 1: 2 } })],
	[
		'starts and values of different lengths',
		(data) => void state(data).groups.push({ name: 'x', starts: [1], values: [] }),
	],
	['disarmed as an object', (data) => void (state(data).disarmed = { '': false })],
	['a state of version 1', (data) => void (state(data).v = 1)],
	[
		'evaluatedUntil three days ahead (every window would wait for it)',
		(data) => void (state(data).evaluatedUntil += 3 * DAY),
	],
];

describe('spike trigger: a damaged state is trusted only if valid, else a silent new baseline', () => {
	it.each(SPIKE_DAMAGE)('%s', async (_name, damage) => {
		const parameters = {
			metric: 'calls',
			window: 'fifteenMinutes',
			baselineDays: 3,
			seasonality: 'none',
			minIncreasePercent: 100,
			minAbsoluteIncrease: 20,
			groupBy: 'none',
			options: { timezone: TZ, settleMinutes: 0, minBaselineSamples: 1 },
		};
		const workflow = createPollingWorkflow({ node: new FamulorSpikeTrigger(), parameters, credentials, timezone: TZ });
		expect((await workflow.poll()).error).toBeUndefined();
		damage(workflow.staticData());
		sandbox.clock.advance(60_000);
		const after = await workflow.poll();
		expect(after.error).toBeUndefined();
		expect(eventIds(after)).toEqual([]);
		// Not blind: a burst of 60 calls in the next quarter hour alerts once it closes.
		const quarter = Math.ceil(sandbox.clock.nowMs() / 900_000) * 900_000;
		sandbox.clock.set(new Date(quarter + 60_000));
		for (let i = 0; i < 60; i++) {
			const at = new Date(quarter + i * 10_000).toISOString().replace(/\.\d+Z$/, 'Z');
			sandbox.addCall({ created_at: at, status: 'completed', duration: 30, assistant_name: 'Sales Assistant' });
		}
		expect((await workflow.poll()).error).toBeUndefined();
		sandbox.clock.set(new Date(quarter + 16 * 60_000));
		const fired = await workflow.poll();
		expect(fired.error).toBeUndefined();
		const start = DateTime.fromMillis(quarter, { zone: TZ }).toISO({ suppressMilliseconds: true });
		expect(eventIds(fired)).toEqual([`spike:calls:all:${start}`]);
	});
});
