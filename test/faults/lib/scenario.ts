/**
 * Poll sequences and fault schedules for the fault suite (fast-check arbitraries), and one run of a
 * sequence against a fresh sandbox: the same sequence is run once without faults and once with them,
 * and the two runs are compared by the properties in faults.test.ts.
 *
 * Time model. Each poll i has a scheduled server instant T_i: the sandbox clock is set to it for the
 * whole poll (calls appear and settle by it) and the engines' `now` is T_i, so both runs see the
 * same data at the same poll index. The client runs on a separate virtual clock (latency, backoff,
 * rate-limit waits, timeouts), never behind T_i; that clock is what pacing, deadlines and the
 * rate-limit check use.
 */
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { parseClientRules } from '../../../src/clients';
import { filtersFromInput } from '../../../src/filters';
import type { ClientGrouping } from '../../../src/triggers/clientGroups';
import type { ThresholdConfig, ThresholdMetric } from '../../../src/triggers/threshold';
import type { SpikeConfig, SpikeMetric, SpikeWindow, Seasonality } from '../../../src/triggers/spike';
import type { TriggerGroupBy } from '../../../src/calls';
import { FAULT_KINDS, type Fault, type FaultKind, type RawCall, type Sandbox } from '../../sandbox/server';

export const MINUTE = 60_000;

/** Classic query keys that cases recorded before the neutral query kept; case files stay as they were found. */
const RECORDED_KEYS: ReadonlyArray<[string, string]> = [
	['type', 'direction'],
	['assistant_id', 'assistantId'],
	['campaign_id', 'campaignId'],
];

/** A recorded case's config with its query in today's neutral keys. */
export function recorded<T extends { query: object }>(config: T): T {
	const query = new Map(Object.entries(config.query));
	for (const [classic, neutral] of RECORDED_KEYS) {
		if (!query.has(classic)) continue;
		query.set(neutral, query.get(classic));
		query.delete(classic);
	}
	return { ...config, query: Object.fromEntries(query) };
}
export const HOUR = 60 * MINUTE;

export const ASSISTANT_NAMES = ['Sales Assistant', 'Support Bot', 'Booking Agent', 'Survey Caller'];
export const CAMPAIGN_NAMES = ['Q4 Lead Follow-up', 'Customer Feedback Survey', 'Black Friday Blitz'];

/**
 * Starts chosen so that short sequences cross midnight, the DST change in Europe/Berlin (2026-10-25 03:00 →
 * 02:00) and month ends.
 */
export const STARTS = [
	'2026-10-24T20:40:00Z', // 22:40 CEST, before midnight and the DST night
	'2026-10-25T00:20:00Z', // 02:20 CEST, 40 minutes before the clocks go back
	'2026-10-31T21:30:00Z', // 22:30 CET on 31 October: month end, then a Monday
	'2026-11-30T21:50:00Z', // 22:50 CET on 30 November: month end
	'2026-10-28T09:00:00Z', // an ordinary weekday
];

/**
 * Zones whose clocks change by half an hour (Australia/Lord_Howe) or sit at 45 minutes
 * (Pacific/Chatham, +12:45 / +13:45): a sequence in one of them starts shortly before one of its own
 * changes instead (the start of the same index, SPEC §15 Time), so its polls cross it.
 */
export const ZONE_STARTS: ReadonlyMap<string, readonly string[]> = new Map([
	[
		'Australia/Lord_Howe',
		[
			'2027-04-03T13:20:00Z', // 00:20 +11:00, 1 h 40 before the clocks go back half an hour
			'2027-04-03T14:50:00Z', // 01:50 +11:00, 10 minutes before
			'2026-10-03T14:10:00Z', // 00:40 +10:30, before the clocks go forward half an hour
			'2027-04-03T12:30:00Z',
			'2026-10-03T15:20:00Z', // 01:50 +10:30
		],
	],
	[
		'Pacific/Chatham',
		[
			'2027-04-03T12:50:00Z', // 02:35 +13:45, 1 h 10 before the clocks go back at 03:45
			'2027-04-03T13:50:00Z', // 03:35 +13:45
			'2026-09-26T12:40:00Z', // 01:25 +12:45, before the clocks go forward at 02:45
			'2026-09-26T13:55:00Z', // 02:40 +12:45
			'2027-04-03T10:00:00Z',
		],
	],
]);

/** The sequence as run in `timezone`: in the zones of ZONE_STARTS, from the start of the same index there. */
export function inZone(sequence: Sequence, timezone: string): Sequence {
	const starts = ZONE_STARTS.get(timezone);
	if (!starts || starts.includes(sequence.start)) return sequence;
	const start = starts[Math.max(0, STARTS.indexOf(sequence.start)) % starts.length] as string;
	return { ...sequence, start };
}

// ---------------------------------------------------------------------------------------------
// The plan
// ---------------------------------------------------------------------------------------------

export type Step = { kind: 'ms'; ms: number } | { kind: 'boundary'; beforeMs: number };

export type Arrival =
	/** Calls with their final status and cost right away. */
	| {
			kind: 'settled';
			n: number;
			offsetSec: number;
			assistant: number;
			campaign: number;
			cents: number;
			failed: boolean;
	  }
	/** Calls that are in progress (cost 0) until they end and settle (the sandbox lifecycle). */
	| { kind: 'live'; n: number; offsetSec: number; assistant: number; campaign: number; duration: number }
	/** Generated calls spread over the next minutes, revealed as the clock passes them. */
	| { kind: 'burst'; n: number; minutes: number; campaign: number }
	/** A dialer starting a campaign: `n` calls over the last n/10 seconds (10 a second, many sharing one). */
	| { kind: 'dialer'; n: number; campaign: number };

export interface PollPlan {
	step: Step;
	arrivals: Arrival[];
	/** Calls that arrive between two requests of the poll (after request `afterRequest`). */
	midPoll: { afterRequest: number; arrivals: Arrival[] } | null;
	faults: Fault[];
	/** The faulty run finds its stored state damaged this way before the poll. */
	damage?: StateDamage | null;
}

/**
 * Every sandbox fault but the trickle (real-time byte timers; its deadline is proved in
 * test/nodes/hostile.test.ts).
 */
export const SEQUENCE_FAULT_KINDS: FaultKind[] = FAULT_KINDS.filter((kind) => kind !== 'trickle');

/**
 * Ways the stored state comes back damaged before a poll of the faulty run (SPEC §9: a state that
 * does not have the expected shape is lost — a silent new baseline):
 * a field of the wrong type, a list where an object belongs (or the reverse), a missing key, times
 * from the future (a clock stepped back), a state of an older version, pacing history from the future.
 */
export const STATE_DAMAGE = [
	'wrong-type',
	'object-for-list',
	'missing-key',
	'future-times',
	'older-version',
	'future-pacing',
] as const;
export type StateDamage = (typeof STATE_DAMAGE)[number];

/** Wall-clock delay of an injected `slow` answer: longer than the transport's wall timeout, so it times out. */
export const SLOW_WALL_MS = 600;

const faultArb: fc.Arbitrary<Fault> = fc
	.record({
		kind: fc.constantFrom(...SEQUENCE_FAULT_KINDS),
		path: fc.constantFrom<string | undefined>(undefined, undefined, '/user/calls', '&page=1', '&page=2', '/user/me'),
		count: fc.oneof(
			{ weight: 4, arbitrary: fc.integer({ min: 1, max: 3 }) },
			{ weight: 1, arbitrary: fc.integer({ min: 4, max: 8 }) },
		),
		retryAfterSec: fc.constantFrom(1, 3, 12, 40),
		aheadHours: fc.constantFrom(1, 6, 24),
	})
	.map(({ kind, path, count, retryAfterSec, aheadHours }) => {
		const fault: Fault = { kind, count: kind === 'slow' ? Math.min(count, 2) : count };
		if (path !== undefined) fault.path = path;
		if (kind === 'slow') fault.delayMs = SLOW_WALL_MS;
		if (kind.startsWith('429')) fault.delayMs = retryAfterSec * 1000;
		// A Date header hours or a day ahead: beyond the 5 minutes the triggers believe (src/clock.ts).
		if (kind === 'future-date') fault.aheadMs = aheadHours * HOUR;
		return fault;
	});

const nameIndex = (n: number) => fc.integer({ min: 0, max: n - 1 });
const campaignIndex = fc.integer({ min: -1, max: CAMPAIGN_NAMES.length - 1 });

const arrivalArb: fc.Arbitrary<Arrival> = fc.oneof(
	{
		weight: 3,
		arbitrary: fc.record({
			kind: fc.constant('settled' as const),
			n: fc.integer({ min: 1, max: 6 }),
			offsetSec: fc.integer({ min: 0, max: 600 }),
			assistant: nameIndex(ASSISTANT_NAMES.length),
			campaign: campaignIndex,
			cents: fc.integer({ min: 1, max: 900 }),
			failed: fc.boolean(),
		}),
	},
	{
		weight: 3,
		arbitrary: fc.record({
			kind: fc.constant('live' as const),
			n: fc.integer({ min: 1, max: 5 }),
			offsetSec: fc.integer({ min: 0, max: 300 }),
			assistant: nameIndex(ASSISTANT_NAMES.length),
			campaign: campaignIndex,
			duration: fc.integer({ min: 20, max: 900 }),
		}),
	},
	{
		weight: 1,
		arbitrary: fc.record({
			kind: fc.constant('burst' as const),
			n: fc.integer({ min: 10, max: 70 }),
			minutes: fc.constantFrom(15, 30, 60),
			campaign: fc.integer({ min: 0, max: CAMPAIGN_NAMES.length - 1 }),
		}),
	},
	{
		weight: 1,
		arbitrary: fc.record({
			kind: fc.constant('dialer' as const),
			n: fc.integer({ min: 20, max: 250 }),
			campaign: fc.integer({ min: 0, max: CAMPAIGN_NAMES.length - 1 }),
		}),
	},
);

const stepArb: fc.Arbitrary<Step> = fc.oneof(
	{ weight: 6, arbitrary: fc.constantFrom(1, 2, 5, 10, 15).map((m) => ({ kind: 'ms' as const, ms: m * MINUTE })) },
	{
		weight: 2,
		arbitrary: fc.constantFrom(20_000, 70_000, 4 * MINUTE).map((beforeMs) => ({ kind: 'boundary' as const, beforeMs })),
	},
	{ weight: 2, arbitrary: fc.constantFrom(1, 3, 5).map((h) => ({ kind: 'ms' as const, ms: h * HOUR })) },
);

/**
 * Longest step between two polls. A fault burst (at most MAX_FAULTY_RUN failing polls, then a clean
 * one) then spans less than a day, the most the spike trigger catches up after a gap: windows that
 * closed more than a day before a poll are skipped by design (src/triggers/spike.ts, evaluateWindows).
 */
export const MAX_STEP_MS = 5 * HOUR;

const pollArb: fc.Arbitrary<PollPlan> = fc.record({
	step: stepArb,
	arrivals: fc.oneof(
		{ weight: 2, arbitrary: fc.constant([] as Arrival[]) },
		{ weight: 3, arbitrary: fc.array(arrivalArb, { minLength: 1, maxLength: 3 }) },
	),
	midPoll: fc.option(
		fc.record({
			afterRequest: fc.integer({ min: 1, max: 3 }),
			arrivals: fc.array(arrivalArb, { minLength: 1, maxLength: 2 }),
		}),
		{ freq: 5 },
	),
	faults: fc.oneof(
		{ weight: 1, arbitrary: fc.constant([] as Fault[]) },
		{ weight: 1, arbitrary: fc.array(faultArb, { minLength: 1, maxLength: 4 }) },
	),
	damage: fc.oneof(
		{ weight: 15, arbitrary: fc.constant(null) },
		{ weight: 1, arbitrary: fc.constantFrom(...STATE_DAMAGE) },
	),
});

/**
 * Polls at the end of a sequence without state damage: a damaged state is rebuilt by a new baseline
 * (a 12,000-call baseline takes several polls), which must complete before the sequence ends.
 */
export const UNDAMAGED_TAIL = 6;

/** Longest run of consecutive polls with faults; every burst is followed by a clean poll. */
export const MAX_FAULTY_RUN = 3;
/**
 * Most repeated pages in one poll. A page that keeps answering with other rows than the ones at its
 * positions cannot be told from a list whose calls were deleted; the stream reads the anchor's page
 * up to 4 times before it re-baselines (src/triggers/stream.ts, MAX_READS_PER_POSITION).
 */
export const MAX_DUPLICATE_PAGES = 3;

export function limitBursts(polls: PollPlan[]): PollPlan[] {
	let run = 0;
	return polls.map((poll) => {
		if (poll.faults.length === 0) {
			run = 0;
			return poll;
		}
		run++;
		if (run > MAX_FAULTY_RUN) {
			run = 0;
			return { ...poll, faults: [] };
		}
		let duplicates = MAX_DUPLICATE_PAGES;
		const faults = poll.faults
			.map((fault) => {
				if (fault.kind !== 'duplicate-page') return fault;
				const count = Math.min(fault.count ?? 1, duplicates);
				duplicates -= count;
				return { ...fault, count };
			})
			.filter((fault) => (fault.count ?? 1) > 0);
		return { ...poll, faults };
	});
}

export interface Sequence {
	start: string;
	seed: number;
	sort: 'asc' | 'desc';
	/** Calls in the sandbox's 9 seeded days: 360 (a page or two per poll), 2,500 (a 25-page baseline that the
	 * pacer spreads out), 12,000 (a baseline longer than one poll's 45 s, built over several polls). */
	calls: number;
	/** Calls sharing a second come in a new order in every answer (the sandbox's shuffleTies). */
	ties?: boolean;
	/** A share of the calls is listed minutes to hours after it started (the sandbox's lateListing). */
	late?: { share: number; minSeconds: number; maxSeconds: number } | null;
	polls: PollPlan[];
}

/**
 * Late listing in the suite: up to a tenth of the calls, listed a minute to three hours late (the Call
 * Trigger tells calls listed within RECENT_MS = 6 hours apart by id; src/triggers/tracker.ts).
 */
const lateArb = fc.option(
	fc.record({
		share: fc.constantFrom(0.02, 0.1),
		minSeconds: fc.constantFrom(60, 600),
		maxSeconds: fc.constantFrom(1_800, 3 * 3_600),
	}),
	{ freq: 3 },
);

export function sequenceArb(minPolls: number, maxPolls: number): fc.Arbitrary<Sequence> {
	return fc.record({
		start: fc.constantFrom(...STARTS),
		seed: fc.integer({ min: 1, max: 1_000_000 }),
		sort: fc.constantFrom<'asc' | 'desc'>('desc', 'asc'),
		calls: fc.oneof(
			{ weight: 6, arbitrary: fc.constant(360) },
			{ weight: 2, arbitrary: fc.constant(2_500) },
			{ weight: 1, arbitrary: fc.constant(12_000) },
		),
		ties: fc.boolean(),
		late: lateArb,
		polls: fc
			.array(pollArb, { minLength: minPolls, maxLength: maxPolls })
			.map(limitBursts)
			.map((polls) =>
				polls.map((poll, index) =>
					index === 0 || index >= polls.length - UNDAMAGED_TAIL ? { ...poll, damage: null } : poll,
				),
			),
	});
}

// ---------------------------------------------------------------------------------------------
// Configurations
// ---------------------------------------------------------------------------------------------

const LADDER = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610];
const PERCENTS = [10, 25, 50, 75, 90, 100, 120, 150, 200, 300];

const timezoneArb = fc.constantFrom(
	'Europe/Berlin',
	'Europe/Berlin',
	'Europe/Berlin',
	'America/New_York',
	'UTC',
	'Australia/Lord_Howe',
	'Pacific/Chatham',
);
const groupByArb = fc.constantFrom<TriggerGroupBy>('none', 'none', 'assistant', 'campaign', 'phoneNumber', 'client');

/**
 * Group By Client: rules over the sandbox's names, with client names that are also names of
 * Object.prototype's members. lib/truth.ts restates them (clientOf).
 */
export const CLIENT_RULES = [
	{ name: '__proto__', matchBy: 'assistant', values: 'Sales*', markupPercent: 10, budget: 30 },
	{ name: 'Northwind', matchBy: 'campaign', values: 'Customer Feedback Survey', markupPercent: 0 },
	{ name: 'constructor', matchBy: 'phoneNumber', values: '+4989*, +31 20 555 0303', markupPercent: 5.5 },
];

/** The `clients` of a configuration grouped by client (none otherwise, as the nodes build it). */
function clientsOf(
	groupBy: TriggerGroupBy,
	includeUnassigned: boolean,
	includeMarkup: boolean,
): { clients?: ClientGrouping } {
	if (groupBy !== 'client') return {};
	return { clients: { rules: parseClientRules(CLIENT_RULES), includeUnassigned, includeMarkup } };
}
const directionArb = fc.constantFrom<string | undefined>(undefined, undefined, undefined, 'outbound', 'inbound');

export const thresholdConfigArb: fc.Arbitrary<ThresholdConfig> = fc
	.record({
		metric: fc.constantFrom<ThresholdMetric>('spend', 'spend', 'minutes', 'calls', 'forecastSpend'),
		period: fc.constantFrom<ThresholdConfig['period']>('day', 'day', 'week', 'month', 'billingCycle'),
		timezone: timezoneArb,
		billingCycleDay: fc.constantFrom(1, 25, 31),
		percent: fc.boolean(),
		budget: fc.constantFrom(20, 100, 400),
		ladder: fc.subarray(LADDER, { minLength: 2, maxLength: 9 }),
		percents: fc.subarray(PERCENTS, { minLength: 2, maxLength: 6 }),
		groupBy: groupByArb,
		direction: directionArb,
		fireOnActivation: fc.boolean(),
		includeUnassigned: fc.boolean(),
		includeMarkup: fc.boolean(),
	})
	.map((c) => {
		const scale = c.metric === 'minutes' ? 5 : c.metric === 'forecastSpend' ? 3 : 1;
		const { query, filters } = filtersFromInput({ direction: c.direction }, { includeStatusInQuery: false });
		return {
			metric: c.metric,
			period: c.period,
			timezone: c.timezone,
			billingCycleDay: c.billingCycleDay,
			thresholdType: c.percent ? 'percentOfBudget' : 'absolute',
			budget: c.percent ? c.budget : 0,
			thresholds: c.percent ? [...c.percents] : c.ladder.map((v) => v * scale),
			groupBy: c.groupBy,
			...clientsOf(c.groupBy, c.includeUnassigned, c.includeMarkup),
			query,
			filters,
			rearmMarginPercent: 10,
			fireOnActivation: c.fireOnActivation,
			currency: 'EUR',
			settleMinutes: 15,
		} satisfies ThresholdConfig;
	});

export const spikeConfigArb: fc.Arbitrary<SpikeConfig> = fc
	.record({
		metric: fc.constantFrom<SpikeMetric>('calls', 'calls', 'spend', 'minutes', 'failedCalls'),
		window: fc.constantFrom<SpikeWindow>('fifteenMinutes', 'hour', 'hour', 'sixHours', 'day'),
		baselineDays: fc.integer({ min: 1, max: 7 }),
		seasonality: fc.constantFrom<Seasonality>('sameTimeOfDay', 'sameTimeOfDay', 'none', 'sameWeekday'),
		minIncreasePercent: fc.constantFrom(0, 50, 100, 200),
		minAbsoluteIncrease: fc.constantFrom(0, 1, 3),
		groupBy: groupByArb,
		direction: directionArb,
		timezone: timezoneArb,
		fastSettle: fc.constantFrom(0, 5, 15),
		minBaselineSamples: fc.constantFrom(1, 2, 3),
		includeUnassigned: fc.boolean(),
	})
	.map((c) => {
		const { query, filters } = filtersFromInput({ direction: c.direction }, { includeStatusInQuery: false });
		// Evaluate a window only once its values are final, as Settle Minutes is meant to be set: calls
		// show up at most 10 minutes late (arrival offsets), and costs, minutes and failed statuses are
		// final 21 minutes after a call started (longest call 20 min + 1 min settle lag).
		const settleMinutes = (c.metric === 'calls' ? 15 : 25) + c.fastSettle;
		return {
			metric: c.metric,
			window: c.window,
			baselineDays: c.baselineDays,
			seasonality: c.seasonality,
			minIncreasePercent: c.minIncreasePercent,
			minAbsoluteIncrease: c.minAbsoluteIncrease,
			groupBy: c.groupBy,
			...clientsOf(c.groupBy, c.includeUnassigned, false),
			query,
			filters,
			timezone: c.timezone,
			settleMinutes,
			minBaselineSamples: c.minBaselineSamples,
			currency: 'EUR',
		} satisfies SpikeConfig;
	});

// ---------------------------------------------------------------------------------------------
// Schedules and arrivals
// ---------------------------------------------------------------------------------------------

/** Midnights, month starts, Mondays, billing-cycle starts and UTC-offset changes in `timezone` within [from, to]. */
export function boundaries(from: number, to: number, timezone: string, cycleDay = 1): number[] {
	const result = new Set<number>();
	let day = DateTime.fromMillis(from, { zone: timezone }).startOf('day');
	while (day.toMillis() <= to + 86_400_000) {
		result.add(day.toMillis());
		const clamped = Math.min(cycleDay, day.daysInMonth as number);
		if (day.day === clamped) result.add(day.toMillis());
		// An offset change inside this day (DST): find the hour it happens.
		const next = day.plus({ days: 1 });
		if (next.offset !== day.offset) {
			for (let t = day.toMillis(); t < next.toMillis(); t += 15 * MINUTE) {
				if (DateTime.fromMillis(t, { zone: timezone }).offset !== day.offset) {
					result.add(t);
					break;
				}
			}
		}
		day = next;
	}
	return [...result].filter((t) => t > from).sort((a, b) => a - b);
}

/** The server instant of every poll: steps from the start, `boundary` jumping to just before the next boundary. */
export function schedule(sequence: Sequence, timezone: string, cycleDay: number): number[] {
	const start = Date.parse(sequence.start);
	const marks = boundaries(start, start + 12 * 86_400_000, timezone, cycleDay);
	const times: number[] = [];
	let t = start;
	sequence.polls.forEach((poll, index) => {
		if (index > 0) {
			if (poll.step.kind === 'ms') t += poll.step.ms;
			else {
				const { beforeMs } = poll.step;
				const next = marks.find((m) => m - beforeMs > t + MINUTE);
				t = next !== undefined && next - beforeMs - t <= MAX_STEP_MS ? next - beforeMs : t + MAX_STEP_MS;
			}
		}
		times.push(t);
	});
	return times;
}

const isoSec = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/**
 * Adds the calls of `arrivals` to the sandbox, as of server time `now`. Deterministic: both runs add the same
 * calls with the same ids.
 */
export function applyArrivals(sandbox: Sandbox, arrivals: Arrival[], now: number): void {
	for (const arrival of arrivals) {
		if (arrival.kind === 'dialer') {
			sandbox.addCalls(arrival.n, {
				from: isoSec(now - Math.ceil(arrival.n / 10) * 1000),
				to: isoSec(now),
				campaign: CAMPAIGN_NAMES[arrival.campaign],
			});
			continue;
		}
		if (arrival.kind === 'burst') {
			sandbox.addCalls(arrival.n, {
				from: isoSec(now),
				to: isoSec(now + arrival.minutes * MINUTE),
				campaign: CAMPAIGN_NAMES[arrival.campaign],
			});
			continue;
		}
		for (let i = 0; i < arrival.n; i++) {
			const createdAt = isoSec(now - arrival.offsetSec * 1000 + i * 1000 - (arrival.n - 1) * 1000);
			const base: Partial<RawCall> & { created_at: string } = {
				created_at: createdAt,
				assistant_name: ASSISTANT_NAMES[arrival.assistant],
				campaign_name: arrival.campaign < 0 ? null : CAMPAIGN_NAMES[arrival.campaign],
			};
			if (arrival.campaign >= 0) base.type = 'outbound';
			if (arrival.kind === 'live') {
				sandbox.addCall({ ...base, duration: arrival.duration });
			} else if (arrival.failed) {
				sandbox.addCall({
					...base,
					status: i % 2 ? 'busy' : 'failed',
					duration: 0,
					total_cost: '0.00000000',
					carrier_cost: '0.00000000',
				});
			} else {
				const units = arrival.cents * 1_000_000 + ((arrival.cents * 7_919 + i) % 1_000_000);
				sandbox.addCall({
					...base,
					status: 'completed',
					duration: 30 + ((arrival.cents + i) % 300),
					total_cost: (units / 1e8).toFixed(8),
					carrier_cost: (Math.floor(units / 5) / 1e8).toFixed(8),
				});
			}
		}
	}
}

/** Damages a stored state (and pacing) in place, the way `damage` says. */
export function damageStored(
	stored: { state?: unknown; pacing?: unknown; skew?: unknown },
	damage: StateDamage,
	now: number,
): void {
	const state = stored.state as Record<string, unknown> | undefined;
	if (!state) return;
	switch (damage) {
		case 'wrong-type':
			state.updatedAt = String(state.updatedAt);
			break;
		case 'object-for-list':
			if ('periods' in state) state.periods = { current: state.periods };
			else if (Array.isArray(state.groups))
				state.groups = Object.fromEntries((state.groups as Array<{ name: string }>).map((g) => [g.name, g]));
			// A state without groups (the Call Trigger's) gets one as an object; one damaged so before keeps it.
			else state.groups = {};
			break;
		case 'missing-key':
			delete state.tracker;
			break;
		case 'future-times':
			state.updatedAt = now + 3 * 86_400_000;
			break;
		case 'older-version':
			state.v = 1;
			break;
		case 'future-pacing':
			stored.pacing = {
				sent: Array.from({ length: 120 }, (_, i) => now + 86_400_000 + i),
				limits: { perMinute: 100, perTenSeconds: 20 },
			};
			break;
	}
}
