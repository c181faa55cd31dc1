/**
 * The Threshold Trigger's state: its stored (JSON) form with the schema it is checked against when
 * read back, and the working form the engines compute with, where group names are Map keys (a
 * campaign may be called `__proto__`; in the stored form names are values in lists, never keys).
 */
import { z } from 'zod';
import type { ResolvedPeriod } from '../periods';
import { CONTRIBUTOR_DIMENSIONS, Contributions, type ContributionEntry } from './contributors';
import { count, epochMs, epochMsOrZero, finite, readState, STATE_VERSION } from './state';
import { trackerStateSchema, type TrackerState } from './tracker';

/**
 * One group of a period as stored. `value` is absent when the group's calls were all taken back;
 * `peak` is the highest forecast seen while a baseline is built (forecastSpend only).
 */
export interface StoredGroup {
	name: string;
	value?: number;
	peak?: number;
	fired: number[];
	contributors: ContributionEntry[];
}

export interface StoredPeriod {
	id: string;
	start: number;
	end: number;
	groups: StoredGroup[];
}

export interface ThresholdState {
	v: number;
	config: string;
	phase: 'building' | 'ready';
	/** Emit what the baseline finds (fireOnActivation on the first activation). */
	announce: boolean;
	tracker: TrackerState | null;
	periods: StoredPeriod[];
	/**
	 * Balance: thresholds fired (with their eventId) until the balance rises again, and how often each
	 * fired on `day`, which keeps the eventIds of a threshold that re-armed and fired again unique.
	 */
	balance: { fired: Array<[number, string]>; day: string; counts: Array<[number, number]> };
	updatedAt: number;
}

const storedGroupSchema = z.object({
	name: z.string(),
	value: finite.optional(),
	peak: finite.optional(),
	fired: z.array(finite),
	contributors: z.array(z.tuple([z.enum(CONTRIBUTOR_DIMENSIONS), z.string(), finite])),
});

export const thresholdStateSchema = z.object({
	v: count,
	config: z.string(),
	phase: z.enum(['building', 'ready']),
	announce: z.boolean(),
	tracker: trackerStateSchema.nullable(),
	periods: z.array(z.object({ id: z.string(), start: epochMs, end: epochMs, groups: z.array(storedGroupSchema) })),
	balance: z.object({
		fired: z.array(z.tuple([finite, z.string()])),
		day: z.string(),
		counts: z.array(z.tuple([finite, count])),
	}),
	updatedAt: epochMsOrZero,
});

export function newThresholdState(config: string, announce: boolean): ThresholdState {
	return {
		v: STATE_VERSION,
		config,
		phase: 'building',
		announce,
		tracker: null,
		periods: [],
		balance: { fired: [], day: '', counts: [] },
		updatedAt: 0,
	};
}

/** The stored state if it is valid and this configuration's, else undefined (a new baseline). */
export function readThresholdState(stored: unknown, config: string): ThresholdState | undefined {
	return readState(thresholdStateSchema, stored, config);
}

/** A period's totals as the engine computes with them. */
export interface PeriodTotals {
	id: string;
	start: number;
	end: number;
	/** Metric value per group ('' = all calls), in the metric's counting unit. */
	values: Map<string, number>;
	contributions: Map<string, Contributions>;
	/** Thresholds already reported (or absorbed by a baseline) per group. */
	fired: Map<string, Set<number>>;
	/** The highest forecast per group while a baseline is built. */
	peaks: Map<string, number>;
}

export function emptyPeriod(period: ResolvedPeriod): PeriodTotals {
	const { id, startMs: start, endMs: end } = period;
	return { id, start, end, values: new Map(), contributions: new Map(), fired: new Map(), peaks: new Map() };
}

export function loadPeriod(stored: StoredPeriod): PeriodTotals {
	const { id, start, end } = stored;
	const totals: PeriodTotals = {
		id,
		start,
		end,
		values: new Map(),
		contributions: new Map(),
		fired: new Map(),
		peaks: new Map(),
	};
	for (const group of stored.groups) {
		if (group.value !== undefined) totals.values.set(group.name, group.value);
		if (group.peak !== undefined) totals.peaks.set(group.name, group.peak);
		totals.fired.set(group.name, new Set(group.fired));
		totals.contributions.set(group.name, Contributions.from(group.contributors));
	}
	return totals;
}

export function storePeriod(totals: PeriodTotals): StoredPeriod {
	const names = new Set([...totals.values.keys(), ...totals.fired.keys(), ...totals.contributions.keys()]);
	const groups = [...names].sort().map((name): StoredGroup => {
		const group: StoredGroup = {
			name,
			fired: [...(totals.fired.get(name) ?? [])].sort((a, b) => a - b),
			contributors: totals.contributions.get(name)?.entries() ?? [],
		};
		const value = totals.values.get(name);
		if (value !== undefined) group.value = value;
		const peak = totals.peaks.get(name);
		if (peak !== undefined) group.peak = peak;
		return group;
	});
	return { id: totals.id, start: totals.start, end: totals.end, groups };
}
