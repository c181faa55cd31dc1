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
import {
	groupLabel,
	matchesFilters,
	TRIGGER_GROUP_BY,
	type Call,
	type CallFilters,
	type TriggerGroupBy,
} from '../calls';
import type { CallQuery, CallSource } from '../api/port';
import { assertOneOf, assertSettleMinutes, requireValid } from '../errors';
import { advance, stepBound } from '../guard';
import { isoInZone, localeOf, type Language } from '../i18n';
import { displayText, displayValue, metricName, toCountingUnits, unitOf, valueOfCall } from '../metrics';
import { MAX_AMOUNT, toAmount } from '../money';
import { apiDays } from '../periods';
import { DAY_MS, MINUTE_MS } from '../clock';
import { validateClientGrouping, type ClientGrouping } from './clientGroups';
import { Contributions, type Contributor } from './contributors';
import { loadSpike, newSpikeState, storeSpike, type OpenWindow, type SpikeModel, type SpikeState } from './spikeState';
import { pollTracked, type TrackedSpec } from './engine';
import { groupOf } from './groups';
import { fingerprint, type PollEnvironment } from './state';
import { Windows, type Seasonality, type SpikeWindow } from './windows';

export * from './spikeState';
export { Windows, ZoneOffsets, type Seasonality, type SpikeWindow } from './windows';

export type SpikeMetric = 'spend' | 'minutes' | 'calls' | 'failedCalls';

export interface SpikeConfig {
	metric: SpikeMetric;
	window: SpikeWindow;
	baselineDays: number;
	seasonality: Seasonality;
	minIncreasePercent: number;
	minAbsoluteIncrease: number;
	groupBy: TriggerGroupBy;
	/** Group By Client: the client rules and their options (absent otherwise, so older fingerprints stay). */
	clients?: ClientGrouping;
	query: CallQuery;
	filters: CallFilters;
	timezone: string;
	settleMinutes: number;
	minBaselineSamples: number;
	currency: string;
	/** The language of `message` (absent: English). Not part of the fingerprint. */
	language?: Language;
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
	/** Group By Client only: the client's name (as `group`). */
	client?: string | null;
	topContributors: Contributor[];
	topCalls: Array<{
		id: number;
		totalCost: number;
		durationSeconds: number;
		assistantName: string | null;
		campaignName: string | null;
		createdAt: string;
	}>;
	message: string;
	baselineSamples: number;
}

const TOP_CALLS = 5;

export function validateSpikeConfig(config: SpikeConfig): void {
	assertOneOf(config.metric, ['spend', 'minutes', 'calls', 'failedCalls'], 'metric', 'Metric');
	assertOneOf(config.window, ['fifteenMinutes', 'hour', 'sixHours', 'day'], 'window', 'Window');
	assertOneOf(config.seasonality, ['sameTimeOfDay', 'sameWeekday', 'none'], 'seasonality', 'Seasonality');
	assertOneOf(config.groupBy, TRIGGER_GROUP_BY, 'groupBy', 'Group By');
	validateClientGrouping(config);
	requireValid(
		Number.isInteger(config.baselineDays) && config.baselineDays >= 1 && config.baselineDays <= 60,
		'baselineDays',
		`Baseline Days ${config.baselineDays} is out of range`,
		'Use a whole number of days from 1 to 60 (7 by default; 21 or more for Same Weekday).',
	);
	requireValid(
		Number.isFinite(config.minIncreasePercent) && config.minIncreasePercent >= 0,
		'minIncreasePercent',
		`Min Increase Percent ${config.minIncreasePercent} is not a positive percentage`,
		'Enter 0 or more, e.g. 100 for "at least double the usual".',
	);
	requireValid(
		Number.isFinite(config.minAbsoluteIncrease) && config.minAbsoluteIncrease >= 0,
		'minAbsoluteIncrease',
		`Min Absolute Increase ${config.minAbsoluteIncrease} is negative`,
		'Enter 0 or more, in the metric unit (currency, minutes or calls).',
	);
	requireValid(
		config.minAbsoluteIncrease <= MAX_AMOUNT,
		'minAbsoluteIncrease',
		`Min Absolute Increase ${config.minAbsoluteIncrease} is beyond what the package can count exactly`,
		`Use up to ${MAX_AMOUNT.toLocaleString('en-US')}.`,
	);
	requireValid(
		Number.isInteger(config.minBaselineSamples) && config.minBaselineSamples >= 1,
		'options.minBaselineSamples',
		`Min Baseline Samples ${config.minBaselineSamples} must be at least 1`,
		'Enter a whole number of 1 or more (3 by default).',
	);
	assertSettleMinutes(config.settleMinutes);
}

export function spikeFingerprint(config: SpikeConfig, account: string): string {
	return fingerprint({ ...config, language: undefined, account });
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	if (sorted.length % 2) return sorted[middle] ?? 0;
	return Math.round(((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2);
}

export interface SpikePollResult {
	state: SpikeState;
	events: SpikeEvent[];
	building: boolean;
}

/** Adds (or, with sign -1, takes back) a call in its window; windows not evaluated yet also record who contributed. */
function applyCall(config: SpikeConfig, model: SpikeModel, windows: Windows, call: Call, sign: 1 | -1): void {
	if (!matchesFilters(call, config.filters)) return;
	const group = groupOf(config, call);
	if (group === undefined) return;
	const value = valueOfCall(config.metric, call) * sign;
	const window = windows.of(call.createdAt);
	if (value !== 0) {
		const buckets = model.buckets.get(group) ?? new Map<number, number>();
		model.buckets.set(group, buckets);
		const next = (buckets.get(window.start) ?? 0) + value;
		if (next === 0) buckets.delete(window.start);
		else buckets.set(window.start, next);
	}
	if (window.end <= model.evaluatedUntil) return;
	const byGroup = model.open.get(window.start) ?? new Map<string, OpenWindow>();
	model.open.set(window.start, byGroup);
	const open = byGroup.get(group) ?? { contributions: new Contributions(), top: [] };
	byGroup.set(group, open);
	open.contributions.addCall(call, value, config.groupBy);
	open.top = open.top.filter((entry) => entry.id !== call.id);
	if (sign > 0) {
		const rank = config.metric === 'minutes' ? call.billableSeconds : call.totalCost;
		const { id, totalCost: cost, durationSeconds: dur, assistantName: as, campaignName: ca, createdAt: at } = call;
		open.top.push({ id, v: rank, cost, dur, as, ca, at });
		open.top = open.top.sort((a, b) => b.v - a.v || b.id - a.id).slice(0, TOP_CALLS);
	}
}

/** The history a new baseline reads: the baseline days before the window now, and a window more. */
function historyStart(config: SpikeConfig, windows: Windows, now: number): number {
	return now - (config.baselineDays + 1) * DAY_MS - windows.of(now).end + windows.of(now).start;
}

function spikeSpec(config: SpikeConfig, windows: Windows): TrackedSpec<SpikeState> {
	return {
		fresh: (state) => newSpikeState(state.config),
		times: (state) => [state.evaluatedUntil],
		query: (_state, now) => ({ ...config.query, from: apiDays(historyStart(config, windows, now), now + 1).from }),
		startAt: (_state, now) => historyStart(config, windows, now),
		reading: (_state, now) => ({
			settleMs: config.settleMinutes * MINUTE_MS,
			// Windows older than the baseline no longer count: a call listed that late changes nothing.
			keepFrom: now - (config.baselineDays + 2) * DAY_MS,
			onShrink: 'rebuild',
		}),
	};
}

export async function pollSpike(
	source: CallSource,
	stored: SpikeState,
	config: SpikeConfig,
	env: PollEnvironment,
): Promise<SpikePollResult> {
	const windows = new Windows(config.window, config.timezone);
	const settleMs = config.settleMinutes * MINUTE_MS;
	const polled = await pollTracked(source, stored, spikeSpec(config, windows), env);
	if (polled.rebuilt) return { state: polled.rebuilt, events: [], building: true };
	const { state: previous, changes, now } = polled;
	const model = loadSpike(previous);
	if (!previous.tracker) {
		const start = historyStart(config, windows, now);
		model.coverageStart = windows.of(start).end;
		// History is only counted, never alerted on: contributors are kept from the next window on.
		model.evaluatedUntil = windows.of(now - settleMs).start;
	}
	for (const { before, after } of changes.updated) {
		applyCall(config, model, windows, before, -1);
		applyCall(config, model, windows, after, 1);
	}
	for (const { call } of changes.added) applyCall(config, model, windows, call, 1);
	const eligibleEnd = windows.of(now - settleMs).start;
	const updates = { tracker: changes.state, updatedAt: now };
	if (!changes.caughtUp) {
		return { state: storeSpike(previous, model, updates), events: [], building: previous.phase === 'building' };
	}
	if (previous.phase === 'building') {
		completeBaseline(model, windows, changes.state.oldestAt, now, eligibleEnd, config.timezone);
		absorbRunningSpikes(config, model, windows, eligibleEnd);
		prune(model, now, config);
		return { state: storeSpike(previous, model, { ...updates, phase: 'ready' }), events: [], building: false };
	}
	const events = evaluateWindows(config, model, windows, eligibleEnd);
	prune(model, now, config);
	return { state: storeSpike(previous, model, updates), events, building: false };
}

/** The baseline is read: history starts at the account's first call (if later than what was read). */
function completeBaseline(
	model: SpikeModel,
	windows: Windows,
	firstCall: number,
	now: number,
	eligibleEnd: number,
	timezone: string,
): void {
	const firstDay = firstCall
		? DateTime.fromMillis(firstCall, { zone: timezone }).startOf('day').toMillis()
		: windows.of(now).start;
	model.coverageStart = Math.max(model.coverageStart, firstDay);
	model.evaluatedUntil = Math.max(model.evaluatedUntil, eligibleEnd);
	for (const start of model.open.keys()) {
		if (windows.of(start).end <= model.evaluatedUntil) model.open.delete(start);
	}
}

/**
 * A baseline alerts on nothing, and a spike it finds running in the last closed window counts as one
 * already reported: its group stays disarmed until the spike ends. Else a state rebuilt in the middle
 * of a spike (damaged, or of an older version) would report it again in the next window.
 */
function absorbRunningSpikes(config: SpikeConfig, model: SpikeModel, windows: Windows, eligibleEnd: number): void {
	const last = windows.of(eligibleEnd - 1);
	if (last.end !== eligibleEnd) return;
	const until = model.evaluatedUntil;
	model.evaluatedUntil = last.start;
	evaluateWindows(config, model, windows, eligibleEnd);
	model.evaluatedUntil = Math.max(until, eligibleEnd);
}

function prune(model: SpikeModel, now: number, config: SpikeConfig): void {
	const keepFrom = now - (config.baselineDays + 2) * DAY_MS;
	for (const [group, buckets] of model.buckets) {
		for (const start of buckets.keys()) if (start < keepFrom) buckets.delete(start);
		if (buckets.size === 0) model.buckets.delete(group);
	}
	for (const start of model.open.keys()) if (start < keepFrom) model.open.delete(start);
}

/**
 * Windows that closed since the last evaluation, at most one day's worth (older ones after downtime are
 * skipped). Guarded: each window must end after the instant it was computed for, and a day holds at most
 * one window a minute, so this loop ends whatever a timezone (or a damaged clock) does.
 */
export function dueWindows(windows: Windows, from: number, eligibleEnd: number): Array<{ start: number; end: number }> {
	const due: Array<{ start: number; end: number }> = [];
	const loop = 'Listing the spike windows due';
	const step = stepBound(loop, DAY_MS / MINUTE_MS + 2);
	for (let start = Math.max(from, eligibleEnd - DAY_MS); start < eligibleEnd; ) {
		step();
		const window = windows.of(start);
		if (window.end > eligibleEnd) break;
		// A window that began before the last evaluation ended was evaluated already (a state from older windows).
		if (window.start >= from) due.push(window);
		start = advance(loop, start, window.end);
	}
	return due;
}

function evaluateWindows(config: SpikeConfig, model: SpikeModel, windows: Windows, eligibleEnd: number): SpikeEvent[] {
	const events: SpikeEvent[] = [];
	const absolute = toCountingUnits(config.metric, config.minAbsoluteIncrease);
	for (const window of dueWindows(windows, model.evaluatedUntil, eligibleEnd)) {
		const groups = config.groupBy === 'none' ? [''] : [...new Set([...model.buckets.keys(), ...model.disarmed])].sort();
		const matching = windows
			.matching(window.start, config.seasonality, config.baselineDays)
			.filter((start) => start >= model.coverageStart);
		for (const group of groups) {
			if (matching.length < config.minBaselineSamples) continue;
			const buckets = model.buckets.get(group);
			const value = buckets?.get(window.start) ?? 0;
			const baseline = median(matching.map((start) => buckets?.get(start) ?? 0));
			const spike = value > baseline * (1 + config.minIncreasePercent / 100) && value - baseline >= absolute;
			if (!spike) {
				model.disarmed.delete(group);
				continue;
			}
			if (model.disarmed.has(group)) continue;
			model.disarmed.add(group);
			events.push(
				spikeEvent(
					config,
					window,
					group,
					{ value, baseline, samples: matching.length },
					model.open.get(window.start)?.get(group),
				),
			);
		}
		model.open.delete(window.start);
		model.evaluatedUntil = window.end;
	}
	return events;
}

const iso = (at: DateTime) => at.toISO({ suppressMilliseconds: true }) as string;

interface SpikeFigures {
	value: number;
	baseline: number;
	samples: number;
}

/**
 * The event's sentence in the configured language: the window's value, how it compares with the usual
 * one ("2.4× the usual 5.58 EUR"), over how many windows, and the top contributor.
 */
function spikeMessage(
	config: SpikeConfig,
	window: { start: number; end: number },
	groupValue: string | null,
	figures: SpikeFigures,
	open: OpenWindow | undefined,
	leader: Contributor | undefined,
): string {
	const { value, baseline, samples } = figures;
	const zone = config.timezone;
	const l = localeOf(config.language ?? 'en');
	const words = l.m.spike;
	const text = (units: number) => displayText(config.metric, units, config.currency, l);
	// "2.4× the usual 5.58 EUR"; a window under its usual value says so instead of "0.4×".
	const ratio =
		baseline <= 0
			? words.againstZero(text(0))
			: value >= baseline
				? words.times(l.num((value / baseline).toFixed(1)), text(baseline))
				: words.under(text(baseline));
	const lead = leader
		? words.lead(leader.by, leader.key, text(Math.round(open?.contributions.valueOf(leader.by, leader.key) ?? 0)))
		: '';
	const span = `${l.dayMonthTime(window.start, zone)}–${l.time(window.end, zone)}`;
	const median = words.median(samples, l.int(samples));
	return words.message(
		`${metricName(config.metric, l)}${groupLabel(config.groupBy, groupValue, l)}`,
		config.window,
		span,
		text(value),
		ratio,
		median,
		lead,
	);
}

/** The largest calls of a window, as the event lists them. */
function topCallsOf(open: OpenWindow | undefined, zone: string): SpikeEvent['topCalls'] {
	return (open?.top ?? []).map((call) => ({
		id: call.id,
		totalCost: toAmount(call.cost),
		durationSeconds: call.dur,
		assistantName: call.as,
		campaignName: call.ca,
		createdAt: isoInZone(call.at, zone),
	}));
}

function spikeEvent(
	config: SpikeConfig,
	window: { start: number; end: number },
	group: string,
	figures: SpikeFigures,
	open: OpenWindow | undefined,
): SpikeEvent {
	const { value, baseline, samples } = figures;
	const zone = config.timezone;
	const start = DateTime.fromMillis(window.start, { zone });
	const end = DateTime.fromMillis(window.end, { zone });
	const format = (units: number) => displayValue(config.metric, units);
	const contributors = open?.contributions.top(format) ?? [];
	const groupValue = config.groupBy === 'none' ? null : group;
	return {
		eventId: `spike:${config.metric}:${groupValue ?? 'all'}:${iso(start)}`,
		metric: config.metric,
		unit: unitOf(config.metric, config.currency),
		window: { start: iso(start), end: iso(end) },
		value: format(value),
		baseline: format(baseline),
		increasePercent: baseline > 0 ? Number((((value - baseline) / baseline) * 100).toFixed(1)) : null,
		excess: format(value - baseline),
		currency: config.currency,
		group: groupValue,
		...(config.groupBy === 'client' ? { client: groupValue } : {}),
		topContributors: contributors,
		topCalls: topCallsOf(open, zone),
		message: spikeMessage(config, window, groupValue, figures, open, contributors[0]),
		baselineSamples: samples,
	};
}

/** For "Fetch Test Event": the latest closed window as an event-shaped sample, whether or not it is a spike. */
export function spikeSample(config: SpikeConfig, state: SpikeState, now: number): SpikeEvent[] {
	const model = loadSpike(state);
	const windows = new Windows(config.window, config.timezone);
	const window = windows.of(windows.of(now - config.settleMinutes * MINUTE_MS).start - 1);
	const groups = config.groupBy === 'none' ? [''] : [...model.buckets.keys()];
	const ranked = groups
		.map((group) => ({ group, value: model.buckets.get(group)?.get(window.start) ?? 0 }))
		.sort((a, b) => b.value - a.value);
	const pick = ranked[0] ?? { group: '', value: 0 };
	const matching = windows
		.matching(window.start, config.seasonality, config.baselineDays)
		.filter((s) => s >= model.coverageStart);
	const buckets = model.buckets.get(pick.group);
	const baseline = matching.length ? median(matching.map((s) => buckets?.get(s) ?? 0)) : 0;
	const figures = { value: pick.value, baseline, samples: matching.length };
	const event = spikeEvent(config, window, pick.group, figures, model.open.get(window.start)?.get(pick.group));
	return [{ ...event, message: localeOf(config.language ?? 'en').m.spike.sample(event.message) }];
}

export { newSpikeState };
