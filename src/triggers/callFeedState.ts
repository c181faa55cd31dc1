/**
 * The Call Trigger's state: its stored (JSON) form with the schema it is checked against when read
 * back, and the working form the engine computes with (Maps by call id).
 *
 * What it holds, and why it stays bounded whatever the account's size:
 * - the tracker (the shared call-list reader's cursor, its ledger and the calls that may still change);
 * - `held`: calls read before they were due — only calls still running when they were old enough to
 *   be due (the reader takes a call only once it could be due, see callFeed.ts), so a few long calls;
 * - `emitted`: the most recent emitted calls with the cost they were emitted with, for corrections —
 *   at most MAX_REMEMBERED, for at most CORRECTION_WINDOW_MS after emission — as delta-encoded columns.
 */
import { z } from 'zod';
import { DAY_MS } from '../clock';
import { fromDeltas, toDeltas } from './deltaColumn';
import { count, EARLIEST_MS, epochMs, epochMsOrZero, int, readState, STATE_VERSION } from './state';
import { trackerStateSchema, type TrackerState } from './tracker';

/** Emitted calls remembered for corrections. */
export const MAX_REMEMBERED = 1_000;
/** A cost change is reported as a correction when it is seen within this time after the emission. */
export const CORRECTION_WINDOW_MS = DAY_MS;

/**
 * Emitted calls in emission order: id, at (emission) and created (the call's created_at) as first values
 * then differences to the previous one; cost, rev and seen (1: read again since it was emitted) as they are.
 */
export interface EmittedColumns {
	id: number[];
	created: number[];
	cost: number[];
	at: number[];
	rev: number[];
	seen: number[];
}

export interface CallFeedState {
	v: number;
	config: string;
	phase: 'building' | 'ready';
	tracker: TrackerState | null;
	/** Calls created before this (ms) are not emitted (Start From); 0 before the first poll. */
	since: number;
	/**
	 * This state replaces one that was lost (damaged, or of an older version): the first poll starts at
	 * its own time, not at Start From — the calls before were emitted by the lost state, and emitting them
	 * again would duplicate rows and alerts. (Calls that were not yet due when it was lost are not emitted:
	 * a lost state cannot tell which they are. SPEC §9: a lost state is a silent new baseline.)
	 */
	fromNow: boolean;
	/** Calls read before they were due: created_at, and when due (0: still running). */
	held: Array<{ id: number; at: number; due: number }>;
	emitted: EmittedColumns;
	/** The created_at up to which the round-robin re-check of emitted calls got (0: from the start). */
	verifiedTo: number;
	updatedAt: number;
}

const columnsSchema = z
	.object({
		id: z.array(int),
		created: z.array(int),
		cost: z.array(int),
		at: z.array(int),
		rev: z.array(count),
		seen: z.array(z.union([z.literal(0), z.literal(1)])),
	})
	.refine(
		(c) => [c.created, c.cost, c.at, c.rev, c.seen].every((column) => column.length === c.id.length),
		'columns differ in length',
	)
	.refine((c) => decodeEmitted(c) !== undefined, 'emitted columns do not decode');

export const callFeedStateSchema = z.object({
	v: count,
	config: z.string(),
	phase: z.enum(['building', 'ready']),
	tracker: trackerStateSchema.nullable(),
	since: epochMsOrZero,
	fromNow: z.boolean(),
	held: z.array(z.object({ id: count.min(1), at: epochMs, due: epochMsOrZero })),
	emitted: columnsSchema,
	verifiedTo: epochMsOrZero,
	updatedAt: epochMsOrZero,
});

export function newCallFeedState(config: string, replacesLost = false): CallFeedState {
	return {
		v: STATE_VERSION,
		config,
		phase: 'building',
		tracker: null,
		since: 0,
		fromNow: replacesLost,
		held: [],
		emitted: { id: [], created: [], cost: [], at: [], rev: [], seen: [] },
		verifiedTo: 0,
		updatedAt: 0,
	};
}

/** The stored state if it is valid and this configuration's, else undefined (a new baseline). */
export function readCallFeedState(stored: unknown, config: string): CallFeedState | undefined {
	return readState(callFeedStateSchema, stored, config);
}

/**
 * A call emitted: its created_at (to find it in the list again), the total cost it was emitted with
 * (1e-8 units), when, its revision, and whether it was read again since.
 */
export interface Emitted {
	created: number;
	cost: number;
	at: number;
	rev: number;
	seen: boolean;
}

export interface Held {
	at: number;
	due: number;
}

/** The state's calls as the engine computes with them. */
export interface CallFeedModel {
	held: Map<number, Held>;
	/** In emission order (a Map keeps insertion order). */
	emitted: Map<number, Emitted>;
}

export function decodeEmitted(columns: EmittedColumns): Map<number, Emitted> | undefined {
	const rows = columns.id.length;
	const ids = fromDeltas(columns.id);
	const ats = fromDeltas(columns.at.slice(0, rows));
	const creates = fromDeltas(columns.created.slice(0, rows));
	if (!ids || !ats || !creates || ats.length < rows || creates.length < rows) return undefined;
	const emitted = new Map<number, Emitted>();
	for (let i = 0; i < rows; i++) {
		const id = ids[i] as number;
		const at = ats[i] as number;
		const created = creates[i] as number;
		const cost = columns.cost[i] ?? NaN;
		const rev = columns.rev[i] ?? NaN;
		if (!(id >= 1 && at >= EARLIEST_MS && created >= EARLIEST_MS)) return undefined;
		if (!(Number.isSafeInteger(cost) && Number.isSafeInteger(rev))) return undefined;
		if (emitted.has(id)) return undefined;
		emitted.set(id, { created, cost, at, rev, seen: columns.seen[i] === 1 });
	}
	return emitted;
}

export function encodeEmitted(emitted: Map<number, Emitted>): EmittedColumns {
	const entries = [...emitted.values()];
	return {
		id: toDeltas([...emitted.keys()]),
		created: toDeltas(entries.map((entry) => entry.created)),
		cost: entries.map((entry) => entry.cost),
		at: toDeltas(entries.map((entry) => entry.at)),
		rev: entries.map((entry) => entry.rev),
		seen: entries.map((entry) => (entry.seen ? 1 : 0)),
	};
}

export function loadCallFeed(state: CallFeedState): CallFeedModel {
	return {
		held: new Map(state.held.map(({ id, at, due }) => [id, { at, due }])),
		emitted: decodeEmitted(state.emitted) ?? new Map(),
	};
}

/**
 * The stored form of the calls: emitted calls older than the correction window or beyond the most
 * recent MAX_REMEMBERED are forgotten.
 */
export function storeCallFeed(model: CallFeedModel, now: number): Pick<CallFeedState, 'held' | 'emitted'> {
	const recent = [...model.emitted].filter(([, entry]) => entry.at > now - CORRECTION_WINDOW_MS).slice(-MAX_REMEMBERED);
	return {
		held: [...model.held].map(([id, held]) => ({ id, ...held })).sort((a, b) => a.at - b.at || a.id - b.id),
		emitted: encodeEmitted(new Map(recent)),
	};
}
