/**
 * The threshold engine: "tell me when this month's spend passes 80% of the budget", "when the
 * balance drops under 50". Pure logic over a JSON state; the node only reads parameters, builds the
 * client and stores the state this returns.
 *
 * Rules:
 * - Each threshold fires at most once per period per group, when the metric first reaches it
 *   (balance: falls to or below it). Several crossed in one poll → one event each, lowest first.
 * - A period rollover re-arms (balance: rising to threshold + rearmMargin % re-arms).
 * - A baseline (activation, config change, lost state) never emits, except with fireOnActivation on
 *   the first activation: every threshold already reached when the baseline completes counts as
 *   reported. That is what makes eventIds unique even after the state is deleted mid-period: the
 *   crossings reported before are already reached, so the new baseline absorbs them silently.
 */
import { dimensionKey, matchesFilters, type Call, type CallFilters, type TriggerGroupBy } from '../calls';
import type { CallQuery, FamulorClient } from '../client';
import { assertOneOf, InvalidParameterError } from '../errors';
import { amountToUnits, formatMoney, parseMoney, toAmount } from '../money';
import { apiDateRange, periodContaining, publicPeriod, type Period, type ResolvedPeriod, type TriggerPeriod } from '../periods';
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
import { MAX_WATCH_MS, newTracker, track, type TrackerState } from './tracker';

export type ThresholdMetric = 'spend' | 'minutes' | 'calls' | 'balance' | 'forecastSpend';

export interface ThresholdConfig {
	metric: ThresholdMetric;
	period: TriggerPeriod;
	timezone: string;
	billingCycleDay: number;
	thresholdType: 'absolute' | 'percentOfBudget';
	budget: number;
	thresholds: number[];
	groupBy: TriggerGroupBy;
	query: CallQuery;
	filters: CallFilters;
	/** Balance re-arm margin, percent of the threshold. */
	rearmMarginPercent: number;
	fireOnActivation: boolean;
	currency: string;
	settleMinutes: number;
}

interface PeriodTotals {
	id: string;
	start: number;
	end: number;
	/** Metric value per group ('' = all). */
	values: Record<string, number>;
	contributions: Record<string, Contributions>;
	/** Thresholds already reported (or absorbed by a baseline) per group. */
	fired: Record<string, number[]>;
}

export interface ThresholdState {
	v: number;
	config: string;
	phase: 'building' | 'ready';
	/** Emit what the baseline finds (fireOnActivation on the first activation). */
	announce: boolean;
	tracker: TrackerState | null;
	periods: PeriodTotals[];
	/** Balance: fired thresholds → eventId; and per-day counters that keep re-armed eventIds unique. */
	balanceFired: Record<string, string>;
	balanceDays: Record<string, number>;
	updatedAt: number;
}

export interface ThresholdEvent {
	[key: string]: unknown;
	eventId: string;
	metric: ThresholdMetric;
	unit: string;
	value: number;
	threshold: number;
	thresholdValue: number;
	budget: number | null;
	percentOfBudget: number | null;
	currency: string;
	period: Period | null;
	group: string | null;
	crossedAt: string;
	topContributors: Contributor[];
	message: string;
}

/** The largest amount kept exact in 1e-8 units within JavaScript's safe integers. */
const MAX_AMOUNT = 90_000_000;

export function validateThresholdConfig(config: ThresholdConfig): void {
	assertOneOf(config.metric, ['spend', 'minutes', 'calls', 'balance', 'forecastSpend'], 'metric', 'Metric');
	assertOneOf(config.period, ['day', 'week', 'month', 'billingCycle'], 'period', 'Period');
	assertOneOf(config.thresholdType, ['absolute', 'percentOfBudget'], 'thresholdType', 'Threshold Type');
	assertOneOf(config.groupBy, ['none', 'assistant', 'campaign', 'phoneNumber'], 'groupBy', 'Group By');
	if (config.thresholds.length === 0) {
		throw new InvalidParameterError('thresholds', 'No thresholds are set', 'Enter numbers separated by commas, e.g. 50, 80, 100.');
	}
	if (config.thresholdType === 'percentOfBudget' && !(config.budget > 0)) {
		throw new InvalidParameterError(
			'budget',
			`Budget is ${config.budget}, so percentages of it mean nothing`,
			'Set Budget to a positive amount (e.g. 500 for a 500 EUR monthly budget), or use absolute thresholds.',
		);
	}
	const largest = config.thresholdType === 'percentOfBudget' ? (config.budget * Math.max(...config.thresholds)) / 100 : Math.max(...config.thresholds);
	if (largest > MAX_AMOUNT) {
		throw new InvalidParameterError(
			config.thresholdType === 'percentOfBudget' ? 'budget' : 'thresholds',
			`A threshold of ${largest} is beyond what the package can count exactly`,
			`Use thresholds up to ${MAX_AMOUNT.toLocaleString('en-US')}.`,
		);
	}
	if (!(config.rearmMarginPercent >= 0) || config.rearmMarginPercent > 1000) {
		throw new InvalidParameterError(
			'options.rearmMargin',
			`Re-arm margin ${config.rearmMarginPercent} is not a percentage`,
			'Enter a percentage of the threshold from 0 to 1000 (default 10).',
		);
	}
}

/** The fingerprint of everything that defines what is counted: a change means a new baseline. */
export function thresholdFingerprint(config: ThresholdConfig, account: string): string {
	return fingerprint({ ...config, fireOnActivation: undefined, account });
}

export function newThresholdState(config: string, announce: boolean): ThresholdState {
	return {
		v: STATE_VERSION,
		config,
		phase: 'building',
		announce,
		tracker: null,
		periods: [],
		balanceFired: {},
		balanceDays: {},
		updatedAt: 0,
	};
}

const PERIOD_WORDS: Record<TriggerPeriod, string> = {
	day: 'today',
	week: 'this week',
	month: 'this month',
	billingCycle: 'this billing cycle',
};

function metricValue(metric: ThresholdMetric, call: Call): number {
	switch (metric) {
		case 'minutes':
			return call.billableSeconds;
		case 'calls':
			return 1;
		default:
			return call.totalCost;
	}
}

/** A threshold in the metric's integer unit (money units, seconds, calls). */
function thresholdInUnits(config: ThresholdConfig, threshold: number): number {
	const amount = config.thresholdType === 'percentOfBudget' ? (config.budget * threshold) / 100 : threshold;
	switch (config.metric) {
		case 'minutes':
			return Math.round(amount * 60);
		case 'calls':
			return amount;
		default:
			return amountToUnits(Number(amount.toFixed(8)));
	}
}

function display(config: ThresholdConfig, units: number): number {
	switch (config.metric) {
		case 'minutes':
			return Number((units / 60).toFixed(2));
		case 'calls':
			return units;
		default:
			return toAmount(units);
	}
}

function displayText(config: ThresholdConfig, units: number): string {
	switch (config.metric) {
		case 'minutes':
			return `${(units / 60).toFixed(2)} minutes`;
		case 'calls':
			return `${units} calls`;
		default:
			return formatMoney(units, config.currency);
	}
}

function unitOf(config: ThresholdConfig): string {
	return config.metric === 'minutes' ? 'minutes' : config.metric === 'calls' ? 'calls' : config.currency;
}

/** The earliest time the forecast is trusted: 10% of the period, at least an hour. */
function forecastReady(period: ResolvedPeriod, now: number): boolean {
	const elapsed = now - period.startMs;
	return elapsed >= Math.max(3_600_000, (period.endMs - period.startMs) / 10);
}

function forecastOf(value: number, period: ResolvedPeriod, now: number): number {
	const elapsed = Math.max(1, Math.min(now, period.endMs) - period.startMs);
	return Math.round((value * (period.endMs - period.startMs)) / elapsed);
}

export interface ThresholdPollResult {
	state: ThresholdState;
	events: ThresholdEvent[];
	/** The baseline is still being built (nothing can be evaluated yet). */
	building: boolean;
	/** The current values, for manual-mode samples. */
	current: Array<{ group: string | null; value: number; period: ResolvedPeriod | null }>;
}

function groupKey(config: ThresholdConfig, call: Call): string {
	return config.groupBy === 'none' ? '' : (dimensionKey(call, config.groupBy) as string);
}

function applyCall(config: ThresholdConfig, periods: PeriodTotals[], call: Call, sign: 1 | -1): void {
	if (!matchesFilters(call, config.filters)) return;
	const target = periods.find((p) => call.createdAt >= p.start && call.createdAt < p.end);
	if (!target) return;
	const value = metricValue(config.metric, call) * sign;
	if (value === 0) return;
	const group = groupKey(config, call);
	target.values[group] = (target.values[group] ?? 0) + value;
	if (target.values[group] === 0 && sign < 0) delete target.values[group];
	const contributions = (target.contributions[group] ??= {});
	addContribution(contributions, call, value, config.groupBy);
}

function periodEntry(period: ResolvedPeriod): PeriodTotals {
	return { id: period.id, start: period.startMs, end: period.endMs, values: {}, contributions: {}, fired: {} };
}

function deepCopy<T>(value: T): T {
	return JSON.parse(JSON.stringify(value)) as T;
}

export async function pollThreshold(
	client: FamulorClient,
	previous: ThresholdState,
	config: ThresholdConfig,
	env: PollEnvironment,
): Promise<ThresholdPollResult> {
	if (config.metric === 'balance') return pollBalance(client, previous, config, env);
	const state = deepCopy(previous);
	let now = env.now();
	let current = periodContaining(config.period, now, config.timezone, config.billingCycleDay);
	if (!state.tracker) {
		state.tracker = newTracker({ ...config.query, date_from: apiDateRange(current.startMs, current.endMs).date_from });
		state.periods = [periodEntry(current)];
	}
	const changes = await track(client, state.tracker, {
		now,
		settleMs: config.settleMinutes * 60_000,
		hasTime: env.hasTime,
	});
	if (changes.lost) {
		// Calls were deleted under us: start over, silently.
		const restarted = newThresholdState(state.config, false);
		return { state: restarted, events: [], building: true, current: [] };
	}
	now = env.now();
	current = periodContaining(config.period, now, config.timezone, config.billingCycleDay);
	// Periods are kept from the current one on; calls are routed by their own created_at.
	if (!state.periods.some((p) => p.id === current.id)) state.periods.push(periodEntry(current));
	for (const call of changes.added) {
		const callPeriod = periodContaining(config.period, call.createdAt, config.timezone, config.billingCycleDay);
		if (callPeriod.startMs >= current.startMs && !state.periods.some((p) => p.id === callPeriod.id)) {
			state.periods.push(periodEntry(callPeriod));
		}
	}
	for (const { before, after } of changes.updated) {
		applyCall(config, state.periods, before, -1);
		applyCall(config, state.periods, after, 1);
	}
	for (const call of changes.added) applyCall(config, state.periods, call, 1);
	state.periods.sort((a, b) => a.start - b.start);
	state.tracker = changes.state;
	state.updatedAt = now;
	// A period that ended stays while its calls can still change (a call arriving late, or settling,
	// after the last poll of the period), and is evaluated until then: such a crossing is reported
	// late rather than never. Calls are watched for at most MAX_WATCH_MS.
	const nowCurrent = current;
	const prune = () => {
		state.periods = state.periods.filter((p) => p.end > nowCurrent.startMs || p.end > now - MAX_WATCH_MS);
	};
	const evaluateAll = (): ThresholdEvent[] => {
		const events: ThresholdEvent[] = [];
		for (const entry of state.periods) {
			if (entry.start > nowCurrent.startMs) continue;
			const closed = entry.id !== nowCurrent.id;
			const period = closed ? periodContaining(config.period, entry.start, config.timezone, config.billingCycleDay) : nowCurrent;
			const entryGroups = config.groupBy === 'none' ? [''] : Object.keys(entry.values).sort();
			const entryValue = (group: string) => {
				const value = entry.values[group] ?? 0;
				return config.metric === 'forecastSpend' ? forecastOf(value, period, now) : value;
			};
			events.push(...evaluate(config, state, entry, period, now, entryValue, entryGroups, closed));
		}
		return events;
	};

	const totals = state.periods.find((p) => p.id === current.id) as PeriodTotals;
	const groups = config.groupBy === 'none' ? [''] : Object.keys(totals.values).sort();
	const valueOf = (group: string) => {
		const value = totals.values[group] ?? 0;
		return config.metric === 'forecastSpend' ? forecastOf(value, current, now) : value;
	};
	const currentValues = groups.map((group) => ({ group: group === '' && config.groupBy === 'none' ? null : group, value: valueOf(group), period: current }));

	if (state.phase === 'building') {
		if (!changes.caughtUp) {
			prune();
			return { state, events: [], building: true, current: currentValues };
		}
		state.phase = 'ready';
		const announce = state.announce;
		state.announce = false;
		const events = evaluateAll();
		prune();
		return { state, events: announce ? events : [], building: false, current: currentValues };
	}
	if (!changes.caughtUp) {
		// A burst larger than this poll's time: evaluate once the rest is read.
		prune();
		return { state, events: [], building: false, current: currentValues };
	}
	const events = evaluateAll();
	prune();
	return { state, events, building: false, current: currentValues };
}

function evaluate(
	config: ThresholdConfig,
	state: ThresholdState,
	totals: PeriodTotals,
	period: ResolvedPeriod,
	now: number,
	valueOf: (group: string) => number,
	groups: string[],
	closed = false,
): ThresholdEvent[] {
	if (config.metric === 'forecastSpend' && !forecastReady(period, now)) return [];
	const events: ThresholdEvent[] = [];
	for (const group of groups) {
		const value = valueOf(group);
		const fired = new Set(totals.fired[group] ?? []);
		for (const threshold of config.thresholds) {
			const limit = thresholdInUnits(config, threshold);
			if (fired.has(threshold) || value < limit) continue;
			fired.add(threshold);
			events.push(thresholdEvent(config, {
				group: config.groupBy === 'none' ? null : group,
				value,
				threshold,
				limit,
				period,
				now,
				contributions: totals.contributions[group],
				closed,
			}));
		}
		totals.fired[group] = [...fired].sort((a, b) => a - b);
	}
	return events.sort((a, b) => a.threshold - b.threshold || String(a.group).localeCompare(String(b.group)));
}

function thresholdEvent(
	config: ThresholdConfig,
	input: {
		group: string | null;
		value: number;
		threshold: number;
		limit: number;
		period: ResolvedPeriod | null;
		now: number;
		contributions?: Contributions;
		eventId?: string;
		/** The period has ended (a late crossing): it is named instead of "this month". */
		closed?: boolean;
	},
): ThresholdEvent {
	const { group, value, threshold, limit, period } = input;
	const budgetUnits = config.thresholdType === 'percentOfBudget' ? thresholdInUnits({ ...config, thresholdType: 'absolute' }, config.budget) : null;
	const percentOfBudget = budgetUnits ? Number(((value / budgetUnits) * 100).toFixed(2)) : null;
	const metricName: Record<ThresholdMetric, string> = {
		spend: 'Spend',
		minutes: 'Billable minutes',
		calls: 'Calls',
		balance: 'Balance',
		forecastSpend: 'Forecast spend',
	};
	const when = config.metric === 'balance' ? '' : input.closed && period ? ` in ${period.label}` : ` ${PERIOD_WORDS[config.period]}`;
	const subject = `${metricName[config.metric]}${groupLabel(config.groupBy, group)}${when}`;
	let message: string;
	if (config.metric === 'balance') {
		message =
			config.thresholdType === 'percentOfBudget'
				? `${subject} fell to ${threshold}% of ${displayText(config, budgetUnits as number)} or below: ${displayText(config, value)}.`
				: `${subject} fell to ${displayText(config, limit)} or below: ${displayText(config, value)}.`;
	} else if (config.thresholdType === 'percentOfBudget') {
		const verb = config.metric === 'forecastSpend' ? 'is on track to reach' : 'reached';
		message = `${subject} ${verb} ${threshold}% of the ${displayText(config, budgetUnits as number)} budget: ${displayText(config, value)}.`;
	} else {
		const verb = config.metric === 'forecastSpend' ? 'is on track to reach' : 'reached';
		message = `${subject} ${verb} ${displayText(config, limit)}: ${displayText(config, value)}.`;
	}
	const format = (units: number) => display(config, units);
	return {
		eventId:
			input.eventId ??
			`threshold:${config.metric}:${group ?? 'all'}:${period ? period.id : 'balance'}:${threshold}`,
		metric: config.metric,
		unit: unitOf(config),
		value: display(config, value),
		threshold,
		thresholdValue: display(config, limit),
		budget: config.thresholdType === 'percentOfBudget' ? config.budget : null,
		percentOfBudget,
		currency: config.currency,
		period: period ? publicPeriod(period) : null,
		group,
		crossedAt: new Date(input.now).toISOString(),
		topContributors: topContributors(input.contributions, format),
		message,
	};
}

async function pollBalance(
	client: FamulorClient,
	previous: ThresholdState,
	config: ThresholdConfig,
	env: PollEnvironment,
): Promise<ThresholdPollResult> {
	const state = deepCopy(previous);
	const me = await client.getMe();
	const balance = parseMoney(me.total_balance);
	const now = env.now();
	const day = periodContaining('day', now, config.timezone);
	const baseline = state.phase === 'building';
	const events: ThresholdEvent[] = [];
	for (const threshold of config.thresholds) {
		const limit = thresholdInUnits(config, threshold);
		const key = String(threshold);
		const margin = Math.round((limit * config.rearmMarginPercent) / 100);
		if (state.balanceFired[key] && balance >= limit + margin) {
			delete state.balanceFired[key];
			continue;
		}
		if (state.balanceFired[key] || balance > limit) continue;
		const dayKey = `${day.id}:${key}`;
		const count = (state.balanceDays[dayKey] ?? 0) + 1;
		state.balanceDays = Object.fromEntries(
			Object.entries(state.balanceDays).filter(([k]) => k.startsWith(`${day.id}:`)),
		);
		state.balanceDays[dayKey] = count;
		const eventId = `threshold:balance:all:${day.id}${count > 1 ? `#${count}` : ''}:${threshold}`;
		state.balanceFired[key] = eventId;
		if (!baseline || state.announce) {
			events.push(thresholdEvent(config, { group: null, value: balance, threshold, limit, period: day, now, eventId }));
		}
	}
	state.phase = 'ready';
	state.announce = false;
	state.updatedAt = now;
	return { state, events, building: false, current: [{ group: null, value: balance, period: null }] };
}

/** A human sample for "Fetch Test Event" when nothing crosses right now. */
export function thresholdSample(config: ThresholdConfig, result: ThresholdPollResult, now: number): ThresholdEvent[] {
	const top = [...result.current].sort((a, b) => b.value - a.value)[0] ?? { group: null, value: 0, period: null };
	const upcoming =
		config.metric === 'balance'
			? [...config.thresholds].reverse().find((t) => top.value > thresholdInUnits(config, t)) ?? config.thresholds[0]
			: config.thresholds.find((t) => top.value < thresholdInUnits(config, t)) ?? config.thresholds[config.thresholds.length - 1];
	const period = config.metric === 'balance' ? periodContaining('day', now, config.timezone) : top.period;
	const event = thresholdEvent(config, {
		group: top.group,
		value: top.value,
		threshold: upcoming,
		limit: thresholdInUnits(config, upcoming),
		period,
		now,
	});
	const status = result.building
		? ' The baseline is still being built; values are partial.'
		: '';
	return [
		{
			...event,
			message: `Sample: ${displayText(config, top.value)} now${groupLabel(config.groupBy, top.group)}; the next threshold is ${displayText(
				config,
				thresholdInUnits(config, upcoming),
			)}.${status}`,
		},
	];
}
