/**
 * State size after a simulated month: the pure trigger engines (pollThreshold / pollSpike / pollCallFeed, exactly
 * what the nodes run inside runTriggerPoll) poll a sandbox every hour from the first to the
 * last hour of November while ~100,000 calls arrive (business hours, weekdays, and the sandbox's
 * spike campaign on 18 November). Records JSON.stringify(state).length at every poll (largest and
 * final), requests per poll and the events fired.
 */
import { wallNow } from '../test/sandbox/hostClock';
import { DateTime } from 'luxon';
import {
	newSpikeState,
	pollSpike,
	spikeFingerprint,
	validateSpikeConfig,
	type SpikeConfig,
	type SpikeState,
} from '../src/triggers/spike';
import {
	newThresholdState,
	pollThreshold,
	thresholdFingerprint,
	validateThresholdConfig,
	type ThresholdConfig,
	type ThresholdState,
} from '../src/triggers/threshold';
import {
	callFeedFingerprint,
	newCallFeedState,
	pollCallFeed,
	validateCallFeedConfig,
	type CallFeedConfig,
	type CallFeedState,
} from '../src/triggers/callFeed';
import type { PollEnvironment } from '../src/triggers/state';
import type { TriggerGroupBy } from '../src/calls';
import { Sandbox } from '../test/sandbox/server';
import { TZ, log, sandboxClient, visibleCallsBetween } from './lib';

const MONTH_START = DateTime.fromISO('2026-11-01T00:00:00', { zone: TZ });
const MONTH_END = MONTH_START.plus({ months: 1 });
const STEP_MS = 60 * 60_000;

export interface StateSizeCase {
	name: string;
	trigger: 'threshold' | 'spike' | 'calls';
	window: string | null;
	groupBy: TriggerGroupBy;
	finalChars: number;
	maxChars: number;
	maxAt: string;
	polls: number;
	requests: number;
	meanRequestsPerPoll: number;
	maxRequestsPerPoll: number;
	events: number;
	withinTarget: boolean;
}

export interface StateSizeResult {
	callsInMonth: number;
	pollEveryMinutes: number;
	targetChars: number;
	cases: StateSizeCase[];
}

/** SPEC §9: under 64 KB for an account with 100,000 calls a month. */
export const STATE_TARGET_CHARS = 64 * 1024;

function thresholdConfig(groupBy: TriggerGroupBy): ThresholdConfig {
	const config: ThresholdConfig = {
		metric: 'spend',
		period: 'month',
		timezone: TZ,
		billingCycleDay: 1,
		thresholdType: 'percentOfBudget',
		budget: groupBy === 'none' ? 40_000 : 10_000,
		thresholds: [50, 80, 100],
		groupBy,
		query: {},
		filters: {},
		rearmMarginPercent: 10,
		fireOnActivation: false,
		currency: 'EUR',
		settleMinutes: 15,
	};
	validateThresholdConfig(config);
	return config;
}

function spikeConfig(window: SpikeConfig['window'], groupBy: TriggerGroupBy): SpikeConfig {
	const config: SpikeConfig = {
		metric: 'spend',
		window,
		baselineDays: 7,
		seasonality: 'sameTimeOfDay',
		minIncreasePercent: 100,
		minAbsoluteIncrease: 10,
		groupBy,
		query: {},
		filters: {},
		timezone: TZ,
		settleMinutes: 5,
		minBaselineSamples: 3,
		currency: 'EUR',
	};
	validateSpikeConfig(config);
	return config;
}

interface Runner {
	name: string;
	trigger: 'threshold' | 'spike' | 'calls';
	window: string | null;
	groupBy: TriggerGroupBy;
	poll: (env: PollEnvironment) => Promise<{ state: unknown; events: unknown[] }>;
	stats: {
		max: number;
		maxAt: number;
		last: number;
		polls: number;
		requests: number;
		maxRequests: number;
		events: number;
	};
}

function thresholdRunner(groupBy: TriggerGroupBy, sandbox: Sandbox): Runner {
	const config = thresholdConfig(groupBy);
	let state: ThresholdState = newThresholdState(thresholdFingerprint(config, sandbox.url), false);
	return {
		name: `threshold spend/month, groupBy ${groupBy}`,
		trigger: 'threshold',
		window: null,
		groupBy,
		poll: async (env) => {
			const result = await pollThreshold(sandboxClient(sandbox), state, config, env);
			state = result.state;
			return result;
		},
		stats: { max: 0, maxAt: 0, last: 0, polls: 0, requests: 0, maxRequests: 0, events: 0 },
	};
}

function spikeRunner(window: SpikeConfig['window'], groupBy: TriggerGroupBy, sandbox: Sandbox): Runner {
	const config = spikeConfig(window, groupBy);
	let state: SpikeState = newSpikeState(spikeFingerprint(config, sandbox.url));
	return {
		name: `spike spend/${window}, groupBy ${groupBy}`,
		trigger: 'spike',
		window,
		groupBy,
		poll: async (env) => {
			const result = await pollSpike(sandboxClient(sandbox), state, config, env);
			state = result.state;
			return result;
		},
		stats: { max: 0, maxAt: 0, last: 0, polls: 0, requests: 0, maxRequests: 0, events: 0 },
	};
}

/** The Call Trigger as shipped (every call, Settle Minutes 5, 1000 a poll), emitting the whole month. */
function callRunner(sandbox: Sandbox): Runner {
	const config: CallFeedConfig = {
		query: {},
		filters: {},
		minCost: 0,
		minDurationMinutes: 0,
		settleMinutes: 5,
		timezone: TZ,
		startFrom: 'now',
		emitCorrections: true,
		maxItemsPerPoll: 1000,
		simplify: true,
		currency: 'EUR',
	};
	validateCallFeedConfig(config);
	let state: CallFeedState = newCallFeedState(callFeedFingerprint(config, sandbox.url));
	return {
		name: 'calls, every call',
		trigger: 'calls',
		window: null,
		groupBy: 'none',
		poll: async (env) => {
			const result = await pollCallFeed(sandboxClient(sandbox), state, config, env);
			state = result.state;
			return result;
		},
		stats: { max: 0, maxAt: 0, last: 0, polls: 0, requests: 0, maxRequests: 0, events: 0 },
	};
}

export async function measureStateSize(): Promise<StateSizeResult> {
	// 10 days of history before November (the spike baseline reads 8), then 30 days revealed by the clock.
	const sandbox = await Sandbox.start({
		now: MONTH_START.toUTC().toISO() as string,
		days: 10,
		calls: 34_000,
		futureDays: 30,
		spikeAt: MONTH_START.plus({ days: 17, hours: 10 }).toUTC().toISO() as string,
		rateLimit: false,
		seed: 3,
	});
	try {
		const runners: Runner[] = [
			thresholdRunner('none', sandbox),
			thresholdRunner('campaign', sandbox),
			spikeRunner('fifteenMinutes', 'none', sandbox),
			spikeRunner('fifteenMinutes', 'campaign', sandbox),
			spikeRunner('hour', 'none', sandbox),
			spikeRunner('hour', 'campaign', sandbox),
			callRunner(sandbox),
		];
		const env: PollEnvironment = { now: () => sandbox.clock.nowMs(), hasTime: () => true };
		const end = process.env.BENCH_SIM_DAYS
			? MONTH_START.plus({ days: Number(process.env.BENCH_SIM_DAYS) }).toMillis()
			: MONTH_END.toMillis() - STEP_MS;
		const started = wallNow();
		for (let day = -1; sandbox.clock.nowMs() <= end; ) {
			for (const runner of runners) {
				const before = sandbox.stats.requests;
				const result = await runner.poll(env);
				const requests = sandbox.stats.requests - before;
				const chars = JSON.stringify(result.state).length;
				const stats = runner.stats;
				stats.polls++;
				if (stats.polls > 1) {
					// The first poll builds the baseline; its requests are not a steady-state poll.
					stats.requests += requests;
					stats.maxRequests = Math.max(stats.maxRequests, requests);
				}
				stats.events += result.events.length;
				stats.last = chars;
				if (chars > stats.max) {
					stats.max = chars;
					stats.maxAt = sandbox.clock.nowMs();
				}
			}
			sandbox.clock.advance(STEP_MS);
			const today = DateTime.fromMillis(sandbox.clock.nowMs(), { zone: TZ }).day;
			if (today !== day && today % 10 === 0)
				log(`state size: simulated ${today} November (${((wallNow() - started) / 1000).toFixed(0)} s)`);
			day = today;
		}
		const callsInMonth = visibleCallsBetween(sandbox, MONTH_START.toMillis(), MONTH_END.toMillis());
		const cases = runners.map((runner): StateSizeCase => {
			const { stats } = runner;
			return {
				name: runner.name,
				trigger: runner.trigger,
				window: runner.window,
				groupBy: runner.groupBy,
				finalChars: stats.last,
				maxChars: stats.max,
				maxAt: DateTime.fromMillis(stats.maxAt, { zone: TZ }).toFormat('d LLL HH:mm'),
				polls: stats.polls,
				requests: stats.requests,
				meanRequestsPerPoll: stats.requests / Math.max(1, stats.polls - 1),
				maxRequestsPerPoll: stats.maxRequests,
				events: stats.events,
				withinTarget: stats.max < STATE_TARGET_CHARS,
			};
		});
		for (const c of cases)
			log(`state size ${c.name}: final ${c.finalChars}, max ${c.maxChars} chars (${c.maxAt}), ${c.events} events`);
		return { callsInMonth, pollEveryMinutes: STEP_MS / 60_000, targetChars: STATE_TARGET_CHARS, cases };
	} finally {
		await sandbox.stop();
	}
}
