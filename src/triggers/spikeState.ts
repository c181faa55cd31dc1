/**
 * The Spike Trigger's state: its stored (JSON) form and schema, and the working form the engine
 * computes with. Group names are Map keys in the working form and values in lists when stored (a
 * campaign may be called `__proto__`). A group's windows are stored as two columns: window starts in
 * minutes (windows begin on whole minutes in every timezone) as differences to the previous start,
 * and values — a week of 15-minute windows stays a few kilobytes.
 */
import { z } from 'zod';
import { MINUTE_MS } from '../clock';
import { toDeltas } from './deltaColumn';
import { CONTRIBUTOR_DIMENSIONS, Contributions, type ContributionEntry } from './contributors';
import { count, epochMs, epochMsOrZero, finite, int, readState, STATE_VERSION } from './state';
import { trackerStateSchema, type TrackerState } from './tracker';

/** One of a window's largest calls (v: what it is ranked by: cost, or billable seconds for minutes). */
export interface TopCall {
	id: number;
	v: number;
	cost: number;
	dur: number;
	as: string | null;
	ca: string | null;
	at: number;
}

/** A window not evaluated yet: who contributed, and its largest calls. */
export interface OpenWindow {
	contributions: Contributions;
	top: TopCall[];
}

export interface SpikeState {
	v: number;
	config: string;
	phase: 'building' | 'ready';
	tracker: TrackerState | null;
	/** Per group, the metric value of each window: starts in minutes (first, then differences) and values. */
	groups: Array<{ name: string; starts: number[]; values: number[] }>;
	/** Contributors and top calls of the windows not evaluated yet. */
	open: Array<{ start: number; group: string; contributors: ContributionEntry[]; top: TopCall[] }>;
	/** End (ms) of the last evaluated window. */
	evaluatedUntil: number;
	/** Windows starting before this hold no history (before the account's first call or the trigger's first read). */
	coverageStart: number;
	/** Groups in a spike episode: they alert again only after a window back under the bar. */
	disarmed: string[];
	updatedAt: number;
}

const nullableText = z.string().nullable();

export const spikeStateSchema = z.object({
	v: count,
	config: z.string(),
	phase: z.enum(['building', 'ready']),
	tracker: trackerStateSchema.nullable(),
	groups: z
		.array(z.object({ name: z.string(), starts: z.array(int), values: z.array(finite) }))
		.refine((groups) => groups.every((g) => g.starts.length === g.values.length), 'starts and values differ in length'),
	open: z.array(
		z.object({
			start: epochMs,
			group: z.string(),
			contributors: z.array(z.tuple([z.enum(CONTRIBUTOR_DIMENSIONS), z.string(), finite])),
			top: z.array(
				z.object({ id: count, v: finite, cost: int, dur: count, as: nullableText, ca: nullableText, at: epochMs }),
			),
		}),
	),
	evaluatedUntil: epochMsOrZero,
	coverageStart: epochMsOrZero,
	disarmed: z.array(z.string()),
	updatedAt: epochMsOrZero,
});

export function newSpikeState(config: string): SpikeState {
	return {
		v: STATE_VERSION,
		config,
		phase: 'building',
		tracker: null,
		groups: [],
		open: [],
		evaluatedUntil: 0,
		coverageStart: 0,
		disarmed: [],
		updatedAt: 0,
	};
}

/** The stored state if it is valid and this configuration's, else undefined (a new baseline). */
export function readSpikeState(stored: unknown, config: string): SpikeState | undefined {
	return readState(spikeStateSchema, stored, config);
}

/** The working form. */
export interface SpikeModel {
	/** group → window start → metric value. */
	buckets: Map<string, Map<number, number>>;
	/** window start → group → its open window. */
	open: Map<number, Map<string, OpenWindow>>;
	evaluatedUntil: number;
	coverageStart: number;
	disarmed: Set<string>;
}

export function loadSpike(state: SpikeState): SpikeModel {
	const buckets = new Map<string, Map<number, number>>();
	for (const group of state.groups) {
		const windows = new Map<number, number>();
		let start = 0;
		group.starts.forEach((delta, index) => {
			start += delta;
			windows.set(start * MINUTE_MS, group.values[index] ?? 0);
		});
		buckets.set(group.name, windows);
	}
	const open = new Map<number, Map<string, OpenWindow>>();
	for (const window of state.open) {
		const groups = open.get(window.start) ?? new Map<string, OpenWindow>();
		groups.set(window.group, {
			contributions: Contributions.from(window.contributors),
			top: window.top.map((call) => ({ ...call })),
		});
		open.set(window.start, groups);
	}
	const { evaluatedUntil, coverageStart } = state;
	return { buckets, open, evaluatedUntil, coverageStart, disarmed: new Set(state.disarmed) };
}

/** The stored form of a model (the fields besides the model's come from `base`). */
export function storeSpike(base: SpikeState, model: SpikeModel, updates: Partial<SpikeState>): SpikeState {
	const groups = [...model.buckets]
		.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
		.map(([name, windows]) => {
			const sorted = [...windows].sort(([a], [b]) => a - b);
			return {
				name,
				starts: toDeltas(sorted.map(([start]) => Math.round(start / MINUTE_MS))),
				values: sorted.map(([, value]) => value),
			};
		});
	const open: SpikeState['open'] = [];
	for (const [start, byGroup] of [...model.open].sort(([a], [b]) => a - b)) {
		for (const [group, window] of byGroup) {
			open.push({ start, group, contributors: window.contributions.entries(), top: window.top });
		}
	}
	const { evaluatedUntil, coverageStart } = model;
	return { ...base, ...updates, groups, open, evaluatedUntil, coverageStart, disarmed: [...model.disarmed].sort() };
}
