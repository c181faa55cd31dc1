/**
 * The threshold engine: "tell me when this month's spend passes 80% of the budget". Pure logic over
 * a JSON state; the node only reads parameters, builds the client and stores the state this returns.
 * (The balance metric has its own engine, balance.ts, reached through pollThreshold as well.)
 *
 * Rules:
 * - Each threshold fires at most once per period per group, when the metric first reaches it.
 *   Several crossed in one poll → one event each, lowest first.
 * - A period rollover re-arms.
 * - A baseline (activation, config change, lost state) never emits, except with fireOnActivation on
 *   the first activation: every threshold already reached when the baseline completes counts as
 *   reported. That is what makes eventIds unique even after the state is deleted mid-period: the
 *   crossings reported before are already reached, so the new baseline absorbs them silently.
 */
import { matchesFilters, type Call } from '../calls';
import type { CallSource } from '../api/port';
import type { AccountSource } from '../api/account';
import { displayText, toCountingUnits, valueOfCall } from '../metrics';
import { apiDays, periodContaining, type ResolvedPeriod } from '../periods';
import { HOUR_MS, MINUTE_MS } from '../clock';
import { pollBalance } from './balance';
import { billedValue } from './clientGroups';
import { Contributions } from './contributors';
import { pollTracked, type TrackedSpec } from './engine';
import { groupOf } from './groups';
import { fromTheFuture, type PollEnvironment } from './state';
import {
	localeOfConfig,
	thresholdEvent,
	thresholdInUnits,
	thresholdSubject,
	type ThresholdConfig,
	type ThresholdEvent,
} from './thresholdEvents';
import {
	emptyPeriod,
	loadPeriod,
	newThresholdState,
	storePeriod,
	type PeriodTotals,
	type ThresholdState,
} from './thresholdState';
import { MAX_WATCH_MS, type TrackerChanges } from './tracker';

export * from './thresholdEvents';
export * from './thresholdState';

export interface ThresholdPollResult {
	state: ThresholdState;
	events: ThresholdEvent[];
	/** The baseline is still being built (nothing can be evaluated yet). */
	building: boolean;
	/** The current values, for manual-mode samples. */
	current: Array<{ group: string | null; value: number; period: ResolvedPeriod | null }>;
}

const periodOf = (config: ThresholdConfig, at: number) =>
	periodContaining(config.period, at, config.timezone, config.billingCycleDay);

/** Adds (or, with sign -1, takes back) a call in the period that holds it. */
function applyCall(config: ThresholdConfig, periods: PeriodTotals[], call: Call, sign: 1 | -1): void {
	if (!matchesFilters(call, config.filters)) return;
	const group = groupOf(config, call);
	if (group === undefined) return;
	const target = periods.find((p) => call.createdAt >= p.start && call.createdAt < p.end);
	if (!target) return;
	const value = valueOfCall(config.metric, call) * sign;
	if (value === 0) return;
	const next = (target.values.get(group) ?? 0) + value;
	if (next === 0 && sign < 0) target.values.delete(group);
	else target.values.set(group, next);
	let contributions = target.contributions.get(group);
	if (!contributions) target.contributions.set(group, (contributions = new Contributions()));
	contributions.addCall(call, value, config.groupBy);
}

/** The metric's value now: the period total, or for the forecast, that total projected to the period's end. */
function valueAt(
	config: ThresholdConfig,
	totals: PeriodTotals,
	group: string,
	period: ResolvedPeriod,
	now: number,
): number {
	const value = billedValue(config, group, totals.values.get(group) ?? 0);
	if (config.metric !== 'forecastSpend') return value;
	const elapsed = Math.max(1, Math.min(now, period.endMs) - period.startMs);
	return Math.round((value * (period.endMs - period.startMs)) / elapsed);
}

/** The earliest time the forecast is trusted: 10% of the period, at least an hour. */
function forecastReady(period: ResolvedPeriod, now: number): boolean {
	return now - period.startMs >= Math.max(HOUR_MS, (period.endMs - period.startMs) / 10);
}

const groupsOf = (config: ThresholdConfig, totals: PeriodTotals) =>
	config.groupBy === 'none' ? [''] : [...totals.values.keys()].sort();

/** Puts the tracker's changes into their periods (the current one and any later one a call falls in). */
function applyChanges(
	config: ThresholdConfig,
	stored: ThresholdState,
	changes: TrackerChanges,
	current: ResolvedPeriod,
): PeriodTotals[] {
	const periods = stored.periods.map(loadPeriod);
	if (!periods.some((p) => p.id === current.id)) periods.push(emptyPeriod(current));
	for (const { call } of changes.added) {
		const callPeriod = periodOf(config, call.createdAt);
		if (callPeriod.startMs >= current.startMs && !periods.some((p) => p.id === callPeriod.id))
			periods.push(emptyPeriod(callPeriod));
	}
	for (const { before, after } of changes.updated) {
		applyCall(config, periods, before, -1);
		applyCall(config, periods, after, 1);
	}
	for (const { call } of changes.added) {
		applyCall(config, periods, call, 1);
		if (config.metric === 'forecastSpend' && stored.phase === 'building') notePeak(config, periods, call);
	}
	return periods.sort((a, b) => a.start - b.start);
}

/**
 * While a baseline is built, the highest forecast the period reached so far, per group: right after a
 * call, when spend jumps (between calls a forecast only falls). Calls come oldest first, so the period
 * value after each is the spend at that moment. A rebuilt baseline absorbs the thresholds below this
 * peak: a forecast that fell since it was reported must not be reported again when it rises back.
 */
function notePeak(config: ThresholdConfig, periods: PeriodTotals[], call: Call): void {
	const totals = periods.find((p) => call.createdAt >= p.start && call.createdAt < p.end);
	if (!totals || !matchesFilters(call, config.filters)) return;
	const period = periodOf(config, totals.start);
	if (!forecastReady(period, call.createdAt)) return;
	const group = groupOf(config, call);
	if (group === undefined) return;
	const forecast = valueAt(config, totals, group, period, call.createdAt);
	totals.peaks.set(group, Math.max(totals.peaks.get(group) ?? 0, forecast));
}

/**
 * The crossings of every period not in the future: the current one, and a period that ended but is
 * still kept because its calls could change (a crossing there is reported late rather than never).
 */
function evaluateAll(
	config: ThresholdConfig,
	periods: PeriodTotals[],
	current: ResolvedPeriod,
	now: number,
	absorbPeaks = false,
): ThresholdEvent[] {
	const events: ThresholdEvent[] = [];
	for (const totals of periods) {
		if (totals.start > current.startMs) continue;
		const closed = totals.id !== current.id;
		const period = closed ? periodOf(config, totals.start) : current;
		if (config.metric === 'forecastSpend' && !forecastReady(period, now)) continue;
		for (const group of groupsOf(config, totals)) {
			const value = valueAt(config, totals, group, period, now);
			const fired = totals.fired.get(group) ?? new Set<number>();
			// A rebuilt baseline (not announcing) absorbs what the forecast reached since the period began.
			const reached = absorbPeaks ? Math.max(value, totals.peaks.get(group) ?? 0) : value;
			for (const threshold of config.thresholds) {
				const limit = thresholdInUnits(config, threshold, group);
				if (fired.has(threshold) || reached < limit) continue;
				fired.add(threshold);
				const crossing = {
					value,
					threshold,
					limit,
					period,
					now,
					closed,
					contributions: totals.contributions.get(group),
				};
				events.push(thresholdEvent(config, { ...crossing, group: config.groupBy === 'none' ? null : group }));
			}
			totals.fired.set(group, fired);
		}
	}
	return events.sort((a, b) => a.threshold - b.threshold || String(a.group).localeCompare(String(b.group)));
}

export async function pollThreshold(
	client: CallSource & AccountSource,
	previous: ThresholdState,
	config: ThresholdConfig,
	env: PollEnvironment,
): Promise<ThresholdPollResult> {
	if (config.metric === 'balance') {
		const stored = fromTheFuture([previous.updatedAt], env.now())
			? newThresholdState(previous.config, false)
			: previous;
		return pollBalance(client, stored, config, env);
	}
	return await pollUsage(client, previous, config, env);
}

/** How the usage metrics read the calls: from the first day of the period the trigger started in. */
function usageSpec(config: ThresholdConfig): TrackedSpec<ThresholdState> {
	return {
		fresh: (state) => newThresholdState(state.config, false),
		query: (_state, now) => ({ ...config.query, from: apiDays(periodOf(config, now).startMs, now + 1).from }),
		startAt: (_state, now) => periodOf(config, now).startMs,
		reading: (state, now) => ({
			settleMs: config.settleMinutes * MINUTE_MS,
			// Calls of the periods still kept; a call listed late in an earlier period changes nothing reported.
			keepFrom: Math.min(periodOf(config, now).startMs, ...state.periods.map((p) => p.start)),
			onShrink: 'rebuild',
		}),
	};
}

async function pollUsage(
	source: CallSource,
	stored: ThresholdState,
	config: ThresholdConfig,
	env: PollEnvironment,
): Promise<ThresholdPollResult> {
	const polled = await pollTracked(source, stored, usageSpec(config), env);
	// Calls counted before were deleted: start over, silently.
	if (polled.rebuilt) return { state: polled.rebuilt, events: [], building: true, current: [] };
	const { state: previous, changes, now } = polled;
	const started = periodOf(config, now);
	const base = previous.tracker ? previous : { ...previous, periods: [storePeriod(emptyPeriod(started))] };
	const current = periodOf(config, now);
	const periods = applyChanges(config, base, changes, current);
	const totals = periods.find((p) => p.id === current.id) as PeriodTotals;
	const currentValues = groupsOf(config, totals).map((group) => ({
		group: config.groupBy === 'none' ? null : group,
		value: valueAt(config, totals, group, current, now),
		period: current,
	}));
	// Evaluate only once every call up to now is read (a baseline or a burst can take several polls).
	const baseline = previous.phase === 'building';
	const events = changes.caughtUp ? evaluateAll(config, periods, current, now, baseline && !previous.announce) : [];
	// The peaks served the baseline; a ready state does not need them.
	if (baseline && changes.caughtUp) for (const totals of periods) totals.peaks.clear();
	// A period that ended stays while its calls can still change (calls are watched for at most MAX_WATCH_MS).
	const kept = periods.filter((p) => p.end > current.startMs || p.end > now - MAX_WATCH_MS);
	const state: ThresholdState = {
		...previous,
		phase: baseline && !changes.caughtUp ? 'building' : 'ready',
		announce: baseline && !changes.caughtUp ? previous.announce : false,
		tracker: changes.state,
		periods: kept.map(storePeriod),
		updatedAt: now,
	};
	const emitted = baseline ? (changes.caughtUp && previous.announce ? events : []) : events;
	return { state, events: emitted, building: state.phase === 'building', current: currentValues };
}

/**
 * "Fetch Test Event" (manual mode, state untouched): what the node would emit right now, from the
 * current values. Every group that has reached a threshold gives one sample, at its highest threshold
 * reached (for the balance: the lowest it fell to), most urgent first — so a per-client setup shows
 * each client that is over. When no group has reached one, the one group closest to its next threshold
 * gives a sample labelled as such.
 */
export function thresholdSample(config: ThresholdConfig, result: ThresholdPollResult, now: number): ThresholdEvent[] {
	const l = localeOfConfig(config);
	const words = l.m.threshold;
	const balance = config.metric === 'balance';
	const status = result.building ? words.building : '';
	const current = periodContaining(balance ? 'day' : config.period, now, config.timezone, config.billingCycleDay);
	const groups = sampleGroups(config, result, current);
	const limitOf = (threshold: number, group: string | null) => thresholdInUnits(config, threshold, group);
	const reached = (value: number, limit: number) => (balance ? value <= limit : value >= limit);
	// How close a value is to a limit, 1 = at it: spend 60 of 80 is 0.75; a balance of 80 above 60 is 0.75.
	const closeness = (value: number, limit: number) =>
		balance ? (value <= 0 ? 1 : limit / value) : limit <= 0 ? 1 : value / limit;
	const samples: Array<{ event: ThresholdEvent; urgency: number }> = [];
	for (const { group, value, period } of groups) {
		const crossed = config.thresholds.filter((threshold) => reached(value, limitOf(threshold, group)));
		if (crossed.length === 0) continue;
		const threshold = balance ? Math.min(...crossed) : Math.max(...crossed);
		const limit = limitOf(threshold, group);
		const event = thresholdEvent(config, { group, value, threshold, limit, period: period ?? current, now });
		samples.push({
			event: { ...event, message: words.sampleReached(event.message) + status },
			urgency: closeness(value, limit),
		});
	}
	if (samples.length) {
		return samples
			.sort((a, b) => b.urgency - a.urgency || String(a.event.group).localeCompare(String(b.event.group)))
			.map((sample) => sample.event);
	}
	// Nothing reached: the group closest to its next threshold.
	const next = groups
		.map((entry) => {
			const ordered = balance ? [...config.thresholds].sort((a, b) => b - a) : config.thresholds;
			const threshold = ordered.find((t) => !reached(entry.value, limitOf(t, entry.group))) ?? ordered[0] ?? 0;
			const limit = limitOf(threshold, entry.group);
			return { ...entry, threshold, limit, urgency: closeness(entry.value, limit) };
		})
		.sort((a, b) => b.urgency - a.urgency || String(a.group).localeCompare(String(b.group)))[0];
	if (!next) return [];
	const period = next.period ?? current;
	const event = thresholdEvent(config, { ...next, period, now });
	const text = (units: number) => displayText(config.metric, units, config.currency, l);
	const when = balance ? '' : ` ${words.periodWord[config.period]}`;
	const budget = event.budget === null ? null : toCountingUnits(config.metric, event.budget);
	const nextText =
		budget === null ? text(next.limit) : words.nextOfBudget(l.percent(next.threshold), text(budget), text(next.limit));
	const subject = thresholdSubject(config, next.group, when, l);
	return [{ ...event, message: words.sampleClosest(subject, text(next.value), nextText) + status }];
}

/**
 * The groups a sample looks at: those with a value in the current period, and the configured clients
 * that have none yet (at 0); with no group at all, the whole account at 0.
 */
function sampleGroups(
	config: ThresholdConfig,
	result: ThresholdPollResult,
	current: ResolvedPeriod,
): Array<{ group: string | null; value: number; period: ResolvedPeriod | null }> {
	const groups = [...result.current];
	if (config.groupBy === 'client' && config.metric !== 'balance') {
		for (const client of config.clients?.rules.clients ?? []) {
			if (!groups.some((entry) => entry.group === client.name)) {
				groups.push({ group: client.name, value: 0, period: current });
			}
		}
	}
	if (groups.length === 0) groups.push({ group: null, value: 0, period: config.metric === 'balance' ? null : current });
	return groups;
}
