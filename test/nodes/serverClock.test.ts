/**
 * Time from elsewhere, bounded (SPEC §15 Time; issue 23), through n8n-core's real PollContext and
 * execution: the nodes take "now" from Famulor's `Date` header only within 5 minutes of the local
 * clock. A `Date` header a day ahead — at the Call Trigger's activation it used to store Start From a
 * day ahead, so 343 calls came due and none was emitted — moves nothing, and no offset beyond the bound
 * is stored or believed. The local clock here agrees with the sandbox's (test/sandbox/hostClock.ts),
 * as a real host's agrees with Famulor's.
 */
import type { INodeParameters } from 'n8n-workflow';
import { FamulorBilling } from '../../nodes/FamulorBilling/FamulorBilling.node';
import { FamulorCallTrigger } from '../../nodes/FamulorCallTrigger/FamulorCallTrigger.node';
import { FamulorThresholdTrigger } from '../../nodes/FamulorThresholdTrigger/FamulorThresholdTrigger.node';
import { MAX_CLOCK_SKEW_MS } from '../../src/clock';
import { createPollingWorkflow, executeNode, type CredentialData } from '../helpers/engine';
import { Sandbox } from '../sandbox/server';

const TZ = 'Europe/Berlin';
const MINUTE = 60_000;
const DAY = 86_400_000;
let sandbox: Sandbox;
let credentials: CredentialData;

const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

beforeEach(async () => {
	sandbox = await Sandbox.start({ now: '2026-11-12T10:00:00Z', calls: 300, days: 5, futureDays: 0 });
	credentials = { apiKey: sandbox.apiKey, baseUrl: sandbox.url, currency: 'EUR', billingCycleDay: 1 };
});

afterEach(async () => {
	await sandbox.stop();
});

/** A settled call created `agoMs` before the sandbox clock. */
function settledCall(agoMs: number): number {
	return sandbox.addCall({
		created_at: iso(sandbox.clock.nowMs() - agoMs),
		status: 'completed',
		duration: 45,
		total_cost: '0.31415926',
		carrier_cost: '0.02000000',
		assistant_name: 'Sales Assistant',
		type: 'outbound',
	}).id;
}

describe('Call Trigger: a Date header a day ahead at activation', () => {
	it('does not move Start From: calls after the activation are emitted when due, and no day is stored', async () => {
		const workflow = createPollingWorkflow({
			node: new FamulorCallTrigger(),
			parameters: { options: { timezone: TZ, settleMinutes: 5 } } as INodeParameters,
			credentials,
			timezone: TZ,
		});
		sandbox.injectFaults([{ kind: 'future-date', count: Infinity, aheadMs: DAY }]);
		const activation = await workflow.poll();
		expect(activation.error).toBeUndefined();
		expect(sandbox.requestLog.filter((entry) => entry.fault === 'future-date').length).toBeGreaterThan(0);
		const skew = workflow.staticData().skew as number;
		expect(Math.abs(skew)).toBeLessThanOrEqual(MAX_CLOCK_SKEW_MS);
		sandbox.clearFaults();

		sandbox.clock.advance(MINUTE);
		const ids = [settledCall(30_000), settledCall(20_000), settledCall(10_000)];
		sandbox.clock.advance(10 * MINUTE);
		const outcome = await workflow.poll();
		expect(outcome.error).toBeUndefined();
		const emitted = (outcome.result?.[0] ?? []).map((item) => item.json.eventId);
		expect(emitted).toEqual(ids.map((id) => `call:${id}`));
	});

	it('a stored offset of a day (a damaged state) is not believed', async () => {
		const workflow = createPollingWorkflow({
			node: new FamulorCallTrigger(),
			parameters: { options: { timezone: TZ, settleMinutes: 5 } } as INodeParameters,
			credentials,
			timezone: TZ,
		});
		expect((await workflow.poll()).error).toBeUndefined();
		workflow.staticData().skew = DAY;
		sandbox.clock.advance(MINUTE);
		const id = settledCall(10_000);
		sandbox.clock.advance(10 * MINUTE);
		// Every answer a day ahead too: neither the stored offset nor the header moves the clock.
		sandbox.injectFaults([{ kind: 'future-date', count: Infinity, aheadMs: DAY }]);
		const outcome = await workflow.poll();
		expect(outcome.error).toBeUndefined();
		expect((outcome.result?.[0] ?? []).map((item) => item.json.eventId)).toEqual([`call:${id}`]);
		expect(Math.abs(workflow.staticData().skew as number)).toBeLessThanOrEqual(MAX_CLOCK_SKEW_MS);
	});
});

describe('Threshold Trigger: a Date header a day ahead', () => {
	it('does not roll the day over: the crossing is reported in the day it happened', async () => {
		const workflow = createPollingWorkflow({
			node: new FamulorThresholdTrigger(),
			parameters: {
				metric: 'calls',
				period: 'day',
				thresholdType: 'absolute',
				thresholds: '1000',
				groupBy: 'none',
				options: { timezone: TZ },
			} as unknown as INodeParameters,
			credentials,
			timezone: TZ,
		});
		expect((await workflow.poll()).error).toBeUndefined();
		sandbox.injectFaults([{ kind: 'future-date', count: Infinity, aheadMs: DAY }]);
		sandbox.clock.advance(MINUTE);
		for (let i = 0; i < 1000; i++) settledCall(1_000 + i * 30);
		sandbox.clock.advance(20 * MINUTE);
		const outcome = await workflow.poll();
		expect(outcome.error).toBeUndefined();
		const items = (outcome.result?.[0] ?? []).map((item) => item.json);
		expect(items.map((item) => item.eventId)).toEqual(['threshold:calls:all:2026-11-12:1000']);
	});
});

describe('the action node', () => {
	const balance = { resource: 'account', operation: 'getBalance', options: {} } as INodeParameters;
	const checkedAt = async () => {
		const { output, error } = await executeNode({ node: new FamulorBilling(), parameters: balance, credentials });
		expect(error).toBeUndefined();
		return Date.parse(output?.[0]?.[0]?.json.checkedAt as string);
	};

	it('uses the server clock within 5 minutes of its own (checkedAt two minutes ahead)', async () => {
		sandbox.injectFaults([{ kind: 'future-date', count: Infinity, aheadMs: 2 * MINUTE }]);
		// The server's time, plus the moments the request took on the local clock.
		const at = await checkedAt();
		expect(at).toBeGreaterThanOrEqual(sandbox.clock.nowMs() + 2 * MINUTE);
		expect(at).toBeLessThan(sandbox.clock.nowMs() + 3 * MINUTE);
	});

	it('keeps its own clock when the server says it is a day later', async () => {
		sandbox.injectFaults([{ kind: 'future-date', count: Infinity, aheadMs: DAY }]);
		const at = await checkedAt();
		expect(at).toBeGreaterThanOrEqual(sandbox.clock.nowMs());
		expect(at).toBeLessThan(sandbox.clock.nowMs() + MINUTE);
	});
});
