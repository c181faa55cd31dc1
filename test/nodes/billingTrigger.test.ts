/**
 * The Famulor Billing Trigger (issue 28: the triggers under their app in the nodes panel), driven
 * through n8n-core's real PollContext against the sandbox. Each "Trigger On" event must behave exactly
 * like the trigger node it stands for: the same items, polls, state rules — so each test runs both
 * nodes on the same sandbox and compares what they emit.
 */
import { FamulorBillingTrigger } from '../../nodes/FamulorBillingTrigger/FamulorBillingTrigger.node';
import { FamulorCallTrigger } from '../../nodes/FamulorCallTrigger/FamulorCallTrigger.node';
import { FamulorSpikeTrigger } from '../../nodes/FamulorSpikeTrigger/FamulorSpikeTrigger.node';
import { FamulorThresholdTrigger } from '../../nodes/FamulorThresholdTrigger/FamulorThresholdTrigger.node';
import { createPollingWorkflow, type CredentialData, type PollOutcome } from '../helpers/engine';
import { Sandbox } from '../sandbox/server';

const TZ = 'Europe/Berlin';
type Json = Record<string, any>;

let sandbox: Sandbox;
let credentials: CredentialData;

beforeEach(async () => {
	sandbox = await Sandbox.start({ now: '2026-11-12T10:00:00Z', calls: 1500, days: 25, futureDays: 0 });
	credentials = { apiKey: sandbox.apiKey, baseUrl: sandbox.url, currency: 'EUR', billingCycleDay: 1 };
});

afterEach(async () => {
	await sandbox.stop();
});

const items = (outcome: PollOutcome) => {
	expect(outcome.error).toBeUndefined();
	return (outcome.result?.[0] ?? []).map((item) => item.json as Json);
};

/** The same parameters on the standalone trigger and on the Famulor Billing Trigger. */
function pair(standalone: object, event: string, parameters: Json) {
	const options = { credentials, timezone: TZ };
	return {
		alone: createPollingWorkflow({ node: standalone as never, parameters, ...options }),
		merged: createPollingWorkflow({
			node: new FamulorBillingTrigger(),
			parameters: { event, ...parameters },
			...options,
		}),
	};
}

it('Threshold Crossed: the same baseline, the same alerts, the same Fetch Test Event sample', async () => {
	const { alone, merged } = pair(new FamulorThresholdTrigger(), 'threshold', {
		metric: 'spend',
		period: 'month',
		thresholdType: 'absolute',
		thresholds: '1, 2, 1000000',
		options: { timezone: TZ, fireOnActivation: true },
	});
	const first = items(await alone.poll());
	expect(first.map((event) => event.threshold)).toEqual([1, 2]);
	expect(items(await merged.poll())).toEqual(first);
	const sample = items(await alone.poll({ mode: 'manual' }));
	expect(sample.length).toBeGreaterThan(0);
	expect(items(await merged.poll({ mode: 'manual' }))).toEqual(sample);
	// Both remember what they reported: nothing twice.
	expect((await alone.poll()).result).toBeNull();
	expect((await merged.poll()).result).toBeNull();
});

it('Usage Spike: the same Fetch Test Event sample', async () => {
	const { alone, merged } = pair(new FamulorSpikeTrigger(), 'spike', {
		metric: 'calls',
		window: 'hour',
		baselineDays: 3,
		seasonality: 'sameTimeOfDay',
		minIncreasePercent: 100,
		minAbsoluteIncrease: 0,
		groupBy: 'none',
		options: { timezone: TZ },
	});
	const sample = items(await alone.poll({ mode: 'manual' }));
	expect(sample).toHaveLength(1);
	expect(sample[0]).toMatchObject({ sample: true, metric: 'calls' });
	expect(items(await merged.poll({ mode: 'manual' }))).toEqual(sample);
});

it('Call Ended: the same calls, once each', async () => {
	const { alone, merged } = pair(new FamulorCallTrigger(), 'call', {
		minCost: 0,
		minDurationMinutes: 0,
		options: { timezone: TZ, startFrom: 'startOfToday' },
	});
	const calls = items(await alone.poll());
	expect(calls.length).toBeGreaterThan(0);
	expect(items(await merged.poll())).toEqual(calls);
	expect(await merged.poll()).toMatchObject({ result: null });
});

it('an unknown Trigger On is refused with the fix', async () => {
	const workflow = createPollingWorkflow({
		node: new FamulorBillingTrigger(),
		parameters: { event: 'webhook' },
		credentials,
		timezone: TZ,
	});
	const outcome = await workflow.poll();
	expect(outcome.error?.message).toBe('Trigger On "webhook" is not one of its options');
	expect(outcome.error?.description).toBe('Choose Threshold Crossed, Usage Spike or Call Ended.');
});
