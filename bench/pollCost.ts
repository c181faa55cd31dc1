/**
 * Poll cost: requests and bytes of a steady-state poll of each trigger, counted at the sandbox, the
 * triggers run by n8n-core's real polling engine (PollContext, TriggersAndPollers) as in
 * test/nodes/triggerScale.test.ts. The rate limit is off here (the baseline is built first); the
 * naive peer is measured on the same sandbox, right after our poll, with the same calls.
 *
 * - isolated: after a quiet quarter of an hour (the settle horizon), `n` new settled calls arrive
 *   within a minute, then one poll. This is the figure the target (≤ 2 + n/100) is about.
 * - sustained: `n` new calls every minute for 16 minutes, then the poll. Calls younger than the
 *   15-minute settle horizon are re-read on every poll (their cost may still change), so a sustained
 *   rate costs about 1 + 16·n/100 requests.
 * - the Call Trigger takes a call once it is due (see DUE_AFTER_MS): its isolated poll is the one
 *   after the new calls became due.
 */
import { wallNow } from '../test/sandbox/hostClock';
import type { Sandbox } from '../test/sandbox/server';
import { createPollingWorkflow, type PollingWorkflow } from '../test/helpers/engine';
import { TZ, loadNode, log, sandboxMonth } from './lib';
import { naivePoll, type NaivePoll } from './naive';

const { FamulorThresholdTrigger } = loadNode<
	typeof import('../nodes/FamulorThresholdTrigger/FamulorThresholdTrigger.node')
>('nodes/FamulorThresholdTrigger/FamulorThresholdTrigger.node');
const { FamulorSpikeTrigger } = loadNode<typeof import('../nodes/FamulorSpikeTrigger/FamulorSpikeTrigger.node')>(
	'nodes/FamulorSpikeTrigger/FamulorSpikeTrigger.node',
);
const { FamulorCallTrigger } = loadNode<typeof import('../nodes/FamulorCallTrigger/FamulorCallTrigger.node')>(
	'nodes/FamulorCallTrigger/FamulorCallTrigger.node',
);

export const FRESH_LEVELS = [0, 10, 250];
const REPEATS = 3;
export const SUSTAINED_LEVELS = [10, 30, 250];
const SUSTAINED_MINUTES = 16;

export interface PollSample {
	fresh: number;
	requests: number[];
	bytes: number[];
	/** The new calls' own bytes, as the API serves them (the rows the poll needs). */
	newRowBytes: number[];
	meanRequests: number;
	maxRequests: number;
	meanBytes: number;
	target: number;
	withinTarget: boolean;
}

export interface TriggerPollCost {
	trigger: BenchTrigger;
	parameters: Record<string, unknown>;
	baseline: { polls: number; requests: number; ms: number };
	isolated: PollSample[];
	/** The poll after 16 minutes of `perMinute` new calls a minute, and the state size then. */
	sustained: Array<{ perMinute: number; requests: number; bytes: number; stateChars: number; watched: number }>;
	/** JSON.stringify(staticData.state).length after the isolated polls, and of all the node's static data. */
	stateChars: number;
	staticDataChars: number;
}

export interface NaiveSample extends NaivePoll {
	fresh: number;
}

export interface PollCostResult {
	label: string;
	callsInMonth: number;
	triggers: TriggerPollCost[];
	naive: NaiveSample[];
}

export const THRESHOLD_PARAMETERS = {
	metric: 'spend',
	period: 'month',
	thresholdType: 'absolute',
	thresholds: '10000000',
	groupBy: 'none',
	options: { timezone: TZ },
};

/** The Call Trigger as shipped: every call, Settle Minutes 5. */
export const CALL_PARAMETERS = {
	minCost: 0,
	minDurationMinutes: 0,
	options: { timezone: TZ },
};

/**
 * The Call Trigger takes a call once it is due (ended Settle Minutes ago): its isolated poll comes
 * when the new calls are due, 7 minutes after they arrived (75 s long, Settle Minutes 5), with no
 * poll in between. Its sustained polls, every minute, take the calls that became due since.
 */
const DUE_AFTER_MS: Record<BenchTrigger, number> = { threshold: 0, spike: 0, calls: 7 * 60_000 };

export type BenchTrigger = 'threshold' | 'spike' | 'calls';

export const SPIKE_PARAMETERS = {
	metric: 'spend',
	window: 'hour',
	baselineDays: 7,
	seasonality: 'sameTimeOfDay',
	minIncreasePercent: 100,
	minAbsoluteIncrease: 1000,
	groupBy: 'none',
	options: { timezone: TZ },
};

/** `n` settled calls created during the last minute; returns their bytes as the API serves them. */
export function addSettledCalls(sandbox: Sandbox, n: number): number {
	const now = sandbox.clock.nowMs();
	let bytes = 0;
	for (let i = 0; i < n; i++) {
		const call = sandbox.addCall({
			created_at: new Date(now - 60_000 + Math.floor(((i + 1) * 59_000) / (n + 1)))
				.toISOString()
				.replace(/\.\d+Z$/, 'Z'),
			status: 'completed',
			duration: 75,
			total_cost: '0.21345678',
			carrier_cost: '0.01500000',
			assistant_name: 'Sales Assistant',
			campaign_name: 'Q4 Lead Follow-up',
			type: 'outbound',
		});
		bytes += Buffer.byteLength(JSON.stringify(call));
	}
	return bytes;
}

/**
 * Moves the sandbox's clock, and with it the local clock (Date.now() follows the sandbox clock moved
 * last, as a host's clock agrees with Famulor's: test/sandbox/hostClock.ts). The sandbox's clock
 * stands still between moves while the host's runs, so the offset the last poll stored (the wall time
 * that poll took, behind) would start the next poll a moment before the sandbox's time: it is zeroed,
 * as it is between two clocks that agree.
 */
export function advance(sandbox: Sandbox, workflow: PollingWorkflow, ms: number): void {
	sandbox.clock.advance(ms);
	const data = workflow.staticData();
	if (typeof data.skew === 'number') data.skew = 0;
}

async function poll(workflow: PollingWorkflow): Promise<void> {
	const outcome = await workflow.poll();
	if (outcome.error) throw new Error(`poll failed: ${outcome.error.message}`);
}

const phaseOf = (workflow: PollingWorkflow) => (workflow.staticData().state as { phase?: string } | undefined)?.phase;

export async function measureTrigger(
	sandbox: Sandbox,
	trigger: BenchTrigger,
	measureNaive: ((fresh: number) => Promise<void>) | undefined,
	sustainedLevels: number[],
): Promise<TriggerPollCost> {
	const parameters = { threshold: THRESHOLD_PARAMETERS, spike: SPIKE_PARAMETERS, calls: CALL_PARAMETERS }[trigger];
	const node =
		trigger === 'threshold'
			? new FamulorThresholdTrigger()
			: trigger === 'spike'
				? new FamulorSpikeTrigger()
				: new FamulorCallTrigger();
	const workflow = createPollingWorkflow({
		node,
		parameters: parameters as never,
		credentials: { apiKey: sandbox.apiKey, baseUrl: sandbox.url },
		timezone: TZ,
	});
	sandbox.resetStats();
	const started = wallNow();
	let polls = 0;
	while (phaseOf(workflow) !== 'ready') {
		await poll(workflow);
		if (++polls > 50) throw new Error(`${trigger}: the baseline never completed`);
	}
	const baseline = { polls, requests: sandbox.stats.requests, ms: wallNow() - started };
	log(
		`poll cost ${trigger}: baseline in ${polls} poll(s), ${baseline.requests} requests, ` +
			`${(baseline.ms / 1000).toFixed(1)} s`,
	);

	const isolated: PollSample[] = [];
	for (const fresh of FRESH_LEVELS) {
		const requests: number[] = [];
		const bytes: number[] = [];
		const newRowBytes: number[] = [];
		for (let repeat = 0; repeat < REPEATS; repeat++) {
			// A quiet quarter of an hour: calls of earlier rounds pass the settle horizon.
			advance(sandbox, workflow, 16 * 60_000);
			await poll(workflow);
			advance(sandbox, workflow, 60_000);
			newRowBytes.push(addSettledCalls(sandbox, fresh));
			if (DUE_AFTER_MS[trigger]) advance(sandbox, workflow, DUE_AFTER_MS[trigger]);
			sandbox.resetStats();
			await poll(workflow);
			requests.push(sandbox.stats.requests);
			bytes.push(sandbox.stats.bytes);
			if (repeat === 0 && measureNaive) await measureNaive(fresh);
		}
		const target = 2 + fresh / 100;
		const sample: PollSample = {
			fresh,
			requests,
			bytes,
			newRowBytes,
			meanRequests: requests.reduce((a, b) => a + b, 0) / requests.length,
			maxRequests: Math.max(...requests),
			meanBytes: bytes.reduce((a, b) => a + b, 0) / bytes.length,
			target,
			withinTarget: Math.max(...requests) <= target,
		};
		isolated.push(sample);
		log(`poll cost ${trigger}: ${fresh} new → requests ${requests.join('/')} (target ≤ ${target})`);
	}

	const stateChars = JSON.stringify(workflow.staticData().state).length;
	const staticDataChars = JSON.stringify(workflow.staticData()).length;
	const sustained: TriggerPollCost['sustained'] = [];
	for (const perMinute of sustainedLevels) {
		advance(sandbox, workflow, 16 * 60_000);
		await poll(workflow);
		for (let minute = 0; minute < SUSTAINED_MINUTES; minute++) {
			advance(sandbox, workflow, 60_000);
			addSettledCalls(sandbox, perMinute);
			await poll(workflow);
		}
		advance(sandbox, workflow, 60_000);
		addSettledCalls(sandbox, perMinute);
		sandbox.resetStats();
		await poll(workflow);
		const state = workflow.staticData().state as {
			tracker?: { ledger?: { recent?: { id?: unknown[] } }; open?: unknown[] };
		};
		sustained.push({
			perMinute,
			requests: sandbox.stats.requests,
			bytes: sandbox.stats.bytes,
			stateChars: JSON.stringify(state).length,
			// Calls kept by id: the ledger's recent ones (src/triggers/ledger.ts) and those that may still change.
			watched: (state.tracker?.ledger?.recent?.id?.length ?? 0) + (state.tracker?.open?.length ?? 0),
		});
		log(`poll cost ${trigger}: sustained ${perMinute}/min → ${sandbox.stats.requests} requests`);
	}
	return {
		trigger,
		parameters,
		baseline,
		isolated,
		sustained,
		stateChars,
		staticDataChars,
	};
}

export async function measurePollCost(
	sandbox: Sandbox,
	label: string,
	sustainedLevels = SUSTAINED_LEVELS,
): Promise<PollCostResult> {
	sandbox.setRateLimit(false);
	const month = sandboxMonth(sandbox);
	const naive: NaiveSample[] = [];
	let callsInMonth = 0;
	const measureNaive = async (fresh: number) => {
		const result = await naivePoll(sandbox, month.startDate);
		callsInMonth = result.calls;
		naive.push({ fresh, ...result });
		log(
			`naive peer: ${result.requests} requests, ${(result.bytes / 2 ** 20).toFixed(1)} MB per poll (${result.calls} ` +
				`calls)`,
		);
	};
	const triggers = [
		await measureTrigger(sandbox, 'threshold', measureNaive, sustainedLevels),
		await measureTrigger(sandbox, 'spike', undefined, sustainedLevels),
		await measureTrigger(sandbox, 'calls', undefined, sustainedLevels),
	];
	return { label, callsInMonth, triggers, naive };
}

/** The naive peer against Famulor's real limit, from an unused window: how far does one poll get? */
export async function naiveUnderRealLimit(sandbox: Sandbox): Promise<NaivePoll> {
	sandbox.setRateLimit({ perMinute: 100, perTenSeconds: 20 });
	const month = sandboxMonth(sandbox);
	try {
		const result = await naivePoll(sandbox, month.startDate);
		log(
			`naive peer at 100/min: ` +
				`${result.failed ? `HTTP ${result.failed.status} at request ${result.failed.request}` : 'completed'}`,
		);
		return result;
	} finally {
		sandbox.setRateLimit(false);
	}
}
