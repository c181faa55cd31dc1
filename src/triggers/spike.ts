/**
 * The spike engine: "tell me when minutes in the last hour are 3× normal, and which campaign did it".
 *
 * Each window (15 minutes, hour, 6 hours, day — aligned in the timezone) keeps one number per group
 * in the state. The most recent window that closed at least `settleMinutes` ago is compared with the
 * median of its matching windows over the previous `baselineDays` (same time of day, same weekday,
 * or simply the preceding windows). It fires when the value beats the median by both the relative
 * and the absolute bar, once per episode per group: a window back under the bar re-arms. Each window
 * is evaluated once. Windows before the account's history (or the trigger's first read) do not count
 * as samples: with fewer than `minBaselineSamples` the trigger is warming up and stays quiet.
 */
import { DateTime } from 'luxon';
import { dimensionKey, FAILED_STATUSES, matchesFilters, type Call, type CallFilters, type TriggerGroupBy } from '../calls';
import type { CallQuery, FamulorClient } from '../client';
import { assertOneOf, InvalidParameterError } from '../errors';
import { formatMoney, toAmount } from '../money';
import { apiDateRange } from '../periods';
import {
	addContribution,
	fingerprint,
	groupLabel,
	STATE_VERSION,
	topContributors,
	type Contributions,
	type Contributor,
	type PollEnvironment,
} from './common';
import { newTracker, track, type TrackerState } from './tracker';

export type SpikeMetric = 'spend' | 'minutes' | 'calls' | 'failedCalls';
export type SpikeWindow = 'fifteenMinutes' | 'hour' | 'sixHours' | 'day';
export type Seasonality = 'sameTimeOfDay' | 'sameWeekday' | 'none';

export interface SpikeConfig {
	metric: SpikeMetric;
	window: SpikeWindow;
	baselineDays: number;
	seasonality: Seasonality;
	minIncreasePercent: number;
	minAbsoluteIncrease: number;
	groupBy: TriggerGroupBy;
	query: CallQuery;
	filters: CallFilters;
	timezone: string;
	settleMinutes: number;
	minBaselineSamples: number;
	currency: string;
}

interface TopCall {
	id: number;
	v: number;
	cost: number;
	dur: number;
	as: string | null;
	ca: string | null;
	at: number;
}

interface OpenWindow {
	c: Contributions;
	top: TopCall[];
}

export interface SpikeState {
	v: number;
	config: string;
	phase: 'building' | 'ready';
	tracker: TrackerState | null;
	/** group → window start (ms, as string) → metric value. */
	buckets: Record<string, Record<string, number>>;
	/** window start → group → contributors of windows not evaluated yet. */
	open: Record<string, Record<string, OpenWindow>>;
	/** End (ms) of the last evaluated window. */
	evaluatedUntil: number;
	/** Windows starting before this hold no history (before the account's first call or the trigger's first read). */
	coverageStart: number;
	/** group → false while a spike episode is running. */
	armed: Record<string, boolean>;
	updatedAt: number;
}

export interface SpikeEvent {
	[key: string]: unknown;
	eventId: string;
	metric: SpikeMetric;
	unit: string;
	window: { start: string; end: string };
	value: number;
	baseline: number;
	increasePercent: number | null;
	excess: number;
	currency: string;
	group: string | null;
	topContributors: Contributor[];
	topCalls: Array<{ id: number; totalCost: number; durationSeconds: number; assistantName: string | null; campaignName: string | null; createdAt: string }>;
	message: string;
	baselineSamples: number;
}

const DAY_MS = 86_400_000;
const TOP_CALLS = 5;

export function validateSpikeConfig(config: SpikeConfig): void {
	assertOneOf(config.metric, ['spend', 'minutes', 'calls', 'failedCalls'], 'metric', 'Metric');
	assertOneOf(config.window, ['fifteenMinutes', 'hour', 'sixHours', 'day'], 'window', 'Window');
	assertOneOf(config.seasonality, ['sameTimeOfDay', 'sameWeekday', 'none'], 'seasonality', 'Seasonality');
	assertOneOf(config.groupBy, ['none', 'assistant', 'campaign', 'phoneNumber'], 'groupBy', 'Group By');
	const check = (ok: boolean, parameter: string, message: string, fix: string) => {
		if (!ok) throw new InvalidParameterError(parameter, message, fix);
	};
	check(
		Number.isInteger(config.baselineDays) && config.baselineDays >= 1 && config.baselineDays <= 60,
		'baselineDays',
		`Baseline Days ${config.baselineDays} is out of range`,
		'Use a whole number of days from 1 to 60 (7 by default; 21 or more for Same Weekday).',
	);
	check(
		Number.isFinite(config.minIncreasePercent) && config.minIncreasePercent >= 0,
		'minIncreasePercent',
		`Min Increase Percent ${config.minIncreasePercent} is not a positive percentage`,
		'Enter 0 or more, e.g. 100 for "at least double the usual".',
	);
	check(
		Number.isFinite(config.minAbsoluteIncrease) && config.minAbsoluteIncrease >= 0,
		'minAbsoluteIncrease',
		`Min Absolute Increase ${config.minAbsoluteIncrease} is negative`,
		'Enter 0 or more, in the metric unit (currency, minutes or calls).',
	);
	check(
		Number.isInteger(config.minBaselineSamples) && config.minBaselineSamples >= 1,
		'options.minBaselineSamples',
		`Min Baseline Samples ${config.minBaselineSamples} must be at least 1`,
		'Enter a whole number of 1 or more (3 by default).',
	);
	check(
		Number.isFinite(config.settleMinutes) && config.settleMinutes >= 0 && config.settleMinutes <= 1440,
		'options.settleMinutes',
		`Settle Minutes ${config.settleMinutes} is out of range`,
		'Enter 0 to 1440 minutes (5 by default).',
	);
}

export function spikeFingerprint(config: SpikeConfig, account: string): string {
	return fingerprint({ ...config, account });
}

export function newSpikeState(config: string): SpikeState {
	return {
		v: STATE_VERSION,
		config,
		phase: 'building',
		tracker: null,
		buckets: {},
		open: {},
		evaluatedUntil: 0,
		coverageStart: 0,
		armed: {},
		updatedAt: 0,
	};
}

/** Window arithmetic in a timezone, cached per 15-minute slot (every UTC offset is a multiple of 15 minutes). */
export class Windows {
	private readonly cache = new Map<number, { start: number; end: number }>();
	constructor(
		readonly kind: SpikeWindow,
		readonly timezone: string,
	) {}

	of(ms: number): { start: number; end: number } {
		const slot = Math.floor(ms / 900_000);
		let window = this.cache.get(slot);
		if (!window) {
			window = this.compute(slot * 900_000);
			this.cache.set(slot, window);
		}
		return window;
	}

	private compute(ms: number): { start: number; end: number } {
		if (this.kind === 'fifteenMinutes') return { start: ms, end: ms + 900_000 };
		const at = DateTime.fromMillis(ms, { zone: this.timezone });
		let start: DateTime;
		let end: DateTime;
		if (this.kind === 'hour') {
			start = at.startOf('hour');
			end = start.plus({ hours: 1 });
		} else if (this.kind === 'sixHours') {
			const day = at.startOf('day');
			start = day.set({ hour: Math.floor(at.hour / 6) * 6 });
			end = at.hour >= 18 ? day.plus({ days: 1 }) : day.set({ hour: Math.floor(at.hour / 6) * 6 + 6 });
		} else {
			start = at.startOf('day');
			end = start.plus({ days: 1 });
		}
		return { start: start.toMillis(), end: end.toMillis() };
	}

	/** The windows the baseline of `window` is taken from (matching, within baselineDays). */
	matching(start: number, seasonality: Seasonality, baselineDays: number): number[] {
		const result: number[] = [];
		if (seasonality === 'none') {
			let cursor = start;
			const earliest = start - baselineDays * DAY_MS;
			for (;;) {
				const previous = this.of(cursor - 1).start;
				if (previous < earliest) break;
				result.push(previous);
				cursor = previous;
			}
			return result;
		}
		const step = seasonality === 'sameWeekday' ? 7 : 1;
		const at = DateTime.fromMillis(start, { zone: this.timezone });
		for (let days = step; days <= baselineDays; days += step) {
			result.push(this.of(at.minus({ days }).toMillis()).start);
		}
		return result;
	}
}

function metricOf(metric: SpikeMetric, call: Call): number {
	switch (metric) {
		case 'spend':
			return call.totalCost;
		case 'minutes':
			return call.billableSeconds;
		case 'calls':
			return 1;
		case 'failedCalls':
			return FAILED_STATUSES.has(call.status) ? 1 : 0;
	}
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle] : Math.round((sorted[middle - 1] + sorted[middle]) / 2);
}

function deepCopy<T>(value: T): T {
	return JSON.parse(JSON.stringify(value)) as T;
}

export interface SpikePollResult {
	state: SpikeState;
	events: SpikeEvent[];
	building: boolean;
}

function applyCall(config: SpikeConfig, state: SpikeState, windows: Windows, call: Call, sign: 1 | -1): void {
	if (!matchesFilters(call, config.filters)) return;
	const value = metricOf(config.metric, call) * sign;
	const group = config.groupBy === 'none' ? '' : (dimensionKey(call, config.groupBy) as string);
	const window = windows.of(call.createdAt);
	const key = String(window.start);
	if (value !== 0) {
		const buckets = (state.buckets[group] ??= {});
		const next = (buckets[key] ?? 0) + value;
		if (next === 0) delete buckets[key];
		else buckets[key] = next;
	}
	if (window.end <= state.evaluatedUntil) return;
	const open = ((state.open[key] ??= {})[group] ??= { c: {}, top: [] });
	addContribution(open.c, call, value, config.groupBy);
	open.top = open.top.filter((entry) => entry.id !== call.id);
	if (sign > 0) {
		const rank = config.metric === 'minutes' ? call.billableSeconds : call.totalCost;
		open.top.push({ id: call.id, v: rank, cost: call.totalCost, dur: call.durationSeconds, as: call.assistantName, ca: call.campaignName, at: call.createdAt });
		open.top.sort((a, b) => b.v - a.v || b.id - a.id);
		open.top = open.top.slice(0, TOP_CALLS);
	}
}

export async function pollSpike(
	client: FamulorClient,
	previous: SpikeState,
	config: SpikeConfig,
	env: PollEnvironment,
): Promise<SpikePollResult> {
	const state = deepCopy(previous);
	const windows = new Windows(config.window, config.timezone);
	let now = env.now();
	const historyStart = now - (config.baselineDays + 1) * DAY_MS - windows.of(now).end + windows.of(now).start;
	if (!state.tracker) {
		state.tracker = newTracker({ ...config.query, date_from: apiDateRange(historyStart, now).date_from });
		state.coverageStart = windows.of(historyStart).end;
		// History is only counted, never alerted on: contributors are kept from the next window on.
		state.evaluatedUntil = windows.of(now - config.settleMinutes * 60_000).start;
	}
	const changes = await track(client, state.tracker, { now, settleMs: config.settleMinutes * 60_000, hasTime: env.hasTime });
	if (changes.lost) return { state: newSpikeState(state.config), events: [], building: true };
	for (const { before, after } of changes.updated) {
		applyCall(config, state, windows, before, -1);
		applyCall(config, state, windows, after, 1);
	}
	for (const call of changes.added) applyCall(config, state, windows, call, 1);
	state.tracker = changes.state;
	now = env.now();
	state.updatedAt = now;
	const eligibleEnd = windows.of(now - config.settleMinutes * 60_000).start;

	if (state.phase === 'building') {
		if (!changes.caughtUp) return { state, events: [], building: true };
		state.phase = 'ready';
		// History starts at the account's first call if that is later than what was read.
		const firstCall = state.tracker.oldestAt;
		if (firstCall) {
			const firstDay = DateTime.fromMillis(firstCall, { zone: config.timezone }).startOf('day').toMillis();
			state.coverageStart = Math.max(state.coverageStart, firstDay);
		} else {
			state.coverageStart = Math.max(state.coverageStart, windows.of(now).start);
		}
		state.evaluatedUntil = Math.max(state.evaluatedUntil, eligibleEnd);
		for (const start of Object.keys(state.open)) {
			if (windows.of(Number(start)).end <= state.evaluatedUntil) delete state.open[start];
		}
		prune(state, now, config);
		return { state, events: [], building: false };
	}
	if (!changes.caughtUp) return { state, events: [], building: false };
	const events = evaluateWindows(config, state, windows, eligibleEnd);
	prune(state, now, config);
	return { state, events, building: false };
}

function prune(state: SpikeState, now: number, config: SpikeConfig): void {
	const keepFrom = now - (config.baselineDays + 2) * DAY_MS;
	for (const group of Object.keys(state.buckets)) {
		const kept = Object.entries(state.buckets[group]).filter(([start]) => Number(start) >= keepFrom);
		if (kept.length) state.buckets[group] = Object.fromEntries(kept);
		else delete state.buckets[group];
	}
	for (const start of Object.keys(state.open)) {
		if (Number(start) < keepFrom) delete state.open[start];
	}
}

function evaluateWindows(config: SpikeConfig, state: SpikeState, windows: Windows, eligibleEnd: number): SpikeEvent[] {
	const events: SpikeEvent[] = [];
	// Windows that closed since the last evaluation, at most one day's worth (older ones after downtime are skipped).
	let start = Math.max(state.evaluatedUntil, eligibleEnd - DAY_MS);
	const due: Array<{ start: number; end: number }> = [];
	while (start < eligibleEnd) {
		const window = windows.of(start);
		if (window.end > eligibleEnd) break;
		due.push(window);
		start = window.end;
	}
	for (const window of due) {
		const key = String(window.start);
		const groups =
			config.groupBy === 'none'
				? ['']
				: [...new Set([...Object.keys(state.buckets), ...Object.keys(state.armed)])].sort();
		for (const group of groups) {
			const value = state.buckets[group]?.[key] ?? 0;
			const matching = windows
				.matching(window.start, config.seasonality, config.baselineDays)
				.filter((start) => start >= state.coverageStart);
			if (matching.length < config.minBaselineSamples) continue;
			const baseline = median(matching.map((start) => state.buckets[group]?.[String(start)] ?? 0));
			const bar = baseline * (1 + config.minIncreasePercent / 100);
			const absolute = minAbsoluteInUnits(config);
			const spike = value > bar && value - baseline >= absolute;
			if (!spike) {
				if (state.armed[group] === false) delete state.armed[group];
				continue;
			}
			if (state.armed[group] === false) continue;
			state.armed[group] = false;
			events.push(spikeEvent(config, window, group, value, baseline, matching.length, state.open[key]?.[group]));
		}
		delete state.open[key];
		state.evaluatedUntil = window.end;
	}
	return events;
}

function minAbsoluteInUnits(config: SpikeConfig): number {
	switch (config.metric) {
		case 'spend':
			return Math.round(config.minAbsoluteIncrease * 100_000_000);
		case 'minutes':
			return Math.round(config.minAbsoluteIncrease * 60);
		default:
			return config.minAbsoluteIncrease;
	}
}

function display(config: SpikeConfig, units: number): number {
	if (config.metric === 'spend') return toAmount(units);
	if (config.metric === 'minutes') return Number((units / 60).toFixed(2));
	return units;
}

function displayText(config: SpikeConfig, units: number): string {
	if (config.metric === 'spend') return formatMoney(units, config.currency);
	if (config.metric === 'minutes') return `${(units / 60).toFixed(2)} minutes`;
	if (config.metric === 'failedCalls') return `${units} failed calls`;
	return `${units} calls`;
}

const WINDOW_WORDS: Record<SpikeWindow, string> = {
	fifteenMinutes: '15 minutes',
	hour: 'hour',
	sixHours: '6 hours',
	day: 'day',
};

function spikeEvent(
	config: SpikeConfig,
	window: { start: number; end: number },
	group: string,
	value: number,
	baseline: number,
	samples: number,
	open: OpenWindow | undefined,
): SpikeEvent {
	const start = DateTime.fromMillis(window.start, { zone: config.timezone });
	const end = DateTime.fromMillis(window.end, { zone: config.timezone });
	const format = (units: number) => display(config, units);
	const contributors = topContributors(open?.c, format);
	const groupValue = config.groupBy === 'none' ? null : group;
	const metricName: Record<SpikeMetric, string> = {
		spend: 'Spend',
		minutes: 'Billable minutes',
		calls: 'Calls',
		failedCalls: 'Failed calls',
	};
	const ratio = baseline > 0 ? `${(value / baseline).toFixed(1)}× the usual ${displayText(config, baseline)}` : `against a usual ${displayText(config, 0)}`;
	const lead = contributors[0] ? `; top ${contributors[0].by === 'phoneNumber' ? 'number' : contributors[0].by}: ${contributors[0].key} (${displayText(config, Math.round(open?.c[`${contributors[0].by}|${contributors[0].key}`] ?? 0))})` : '';
	const span = `${start.toFormat('d LLL HH:mm')}–${end.toFormat('HH:mm')}`;
	return {
		eventId: `spike:${config.metric}:${groupValue ?? 'all'}:${start.toISO({ suppressMilliseconds: true })}`,
		metric: config.metric,
		unit: config.metric === 'spend' ? config.currency : config.metric === 'minutes' ? 'minutes' : 'calls',
		window: { start: start.toISO({ suppressMilliseconds: true }) as string, end: end.toISO({ suppressMilliseconds: true }) as string },
		value: display(config, value),
		baseline: display(config, baseline),
		increasePercent: baseline > 0 ? Number((((value - baseline) / baseline) * 100).toFixed(1)) : null,
		excess: display(config, value - baseline),
		currency: config.currency,
		group: groupValue,
		topContributors: contributors,
		topCalls: (open?.top ?? []).map((call) => ({
			id: call.id,
			totalCost: toAmount(call.cost),
			durationSeconds: call.dur,
			assistantName: call.as,
			campaignName: call.ca,
			createdAt: new Date(call.at).toISOString(),
		})),
		message: `${metricName[config.metric]}${groupLabel(config.groupBy, groupValue)} in the ${WINDOW_WORDS[config.window]} ${span} was ${displayText(config, value)}, ${ratio} (median of ${samples} ${samples === 1 ? 'window' : 'windows'})${lead}.`,
		baselineSamples: samples,
	};
}

/** For "Fetch Test Event": the latest closed window as an event-shaped sample, whether or not it is a spike. */
export function spikeSample(config: SpikeConfig, state: SpikeState, now: number): SpikeEvent[] {
	const windows = new Windows(config.window, config.timezone);
	const window = windows.of(windows.of(now - config.settleMinutes * 60_000).start - 1);
	const key = String(window.start);
	const groups = config.groupBy === 'none' ? [''] : Object.keys(state.buckets);
	const ranked = groups
		.map((group) => ({ group, value: state.buckets[group]?.[key] ?? 0 }))
		.sort((a, b) => b.value - a.value);
	const pick = ranked[0] ?? { group: '', value: 0 };
	const matching = windows.matching(window.start, config.seasonality, config.baselineDays).filter((s) => s >= state.coverageStart);
	const baseline = matching.length ? median(matching.map((s) => state.buckets[pick.group]?.[String(s)] ?? 0)) : 0;
	const event = spikeEvent(config, window, pick.group, pick.value, baseline, matching.length, state.open[key]?.[pick.group]);
	return [{ ...event, message: `Sample (not necessarily a spike): ${event.message}` }];
}
