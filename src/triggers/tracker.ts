/**
 * Call tracking for the triggers: the stream (new calls) plus a small watch list of recent calls.
 * Consumers get every change as "remove the old version, add the new one", so a call is counted once,
 * at its latest known cost, however often it changes.
 *
 * A call stays watched while it is unsettled or younger than the settle horizon; after that it is
 * history (a cost change later than that is not seen by the triggers; summaries always read the
 * latest). Watched calls also serve as the boundary ids: a recent call is never counted twice.
 *
 * Lean state. A settled call's cost is final (SPEC §4), so for a settled call the watch list keeps
 * only what dedupe and ordering need — id, position, created_at — as three delta-encoded columns
 * (a busy account watches thousands of calls: 250 calls a minute for 15 minutes). A call that may
 * still change also keeps what was counted for it, so that the change can be taken back.
 */
import { z } from 'zod';
import { billableSecondsOf, SETTLED_STATUSES, type Call } from '../calls';
import type { CallQuery, FamulorClient } from '../client';
import { FamulorApiError } from '../errors';
import { count, epochMs, epochMsOrZero, int } from './state';
import { newStream, readStream, streamStateSchema, type StreamState } from './stream';

/**
 * What was counted for a call that may still change (in the state: the `open` tuples below). Keys are
 * short because a busy account has hundreds of calls in progress: st status, cost and car total and
 * carrier cost (1e-8 units), dur duration (s), as assistant, ca campaign, ph the Famulor number,
 * dir direction.
 */
export interface Counted {
	st: string;
	cost: number;
	car: number;
	dur: number;
	as: string | null;
	ca: string | null;
	ph: string | null;
	dir: string | null;
}

/** A watched call: where it was last seen, and — while it may still change — what was counted for it. */
export interface WatchedCall {
	id: number;
	pos: number;
	at: number;
	counted?: Counted;
}

/** Settled watched calls, ascending by position: first values, then differences to the previous one. */
export interface SettledColumns {
	id: number[];
	pos: number[];
	at: number[];
}

/**
 * A watched call that may still change, as stored: a tuple rather than an object, because a busy
 * account keeps hundreds of them and keys would be a third of the state —
 * [id, position, created_at, status, total cost, carrier cost, duration, assistant, campaign, number, direction].
 */
export type OpenCall = [
	id: number,
	pos: number,
	at: number,
	st: string,
	cost: number,
	car: number,
	dur: number,
	as: string | null,
	ca: string | null,
	ph: string | null,
	dir: string | null,
];

export interface TrackerState {
	query: CallQuery;
	stream: StreamState;
	settled: SettledColumns;
	open: OpenCall[];
	/** created_at of the oldest call consumed (ms), 0 before the first. */
	oldestAt: number;
	/**
	 * The horizon the watch list was last pruned with (ms): every call consumed so far whose
	 * created_at is at or after it is watched. Unknown calls that recent are new, however late they
	 * were inserted. 0 before the first poll.
	 */
	horizon: number;
}

export const MAX_WATCH_MS = 2 * 60 * 60 * 1000;

const nullableText = z.string().nullable();
const openCallSchema = z.tuple([
	count,
	count,
	epochMs,
	z.string(),
	int,
	int,
	count,
	nullableText,
	nullableText,
	nullableText,
	nullableText,
]);

export const trackerStateSchema = z
	.object({
		query: z.object({
			date_from: z.string().optional(),
			date_to: z.string().optional(),
			assistant_id: z.union([z.string(), z.number()]).optional(),
			campaign_id: z.union([z.string(), z.number()]).optional(),
			type: z.string().optional(),
			status: z.string().optional(),
		}),
		stream: streamStateSchema,
		settled: z.object({ id: z.array(int), pos: z.array(int), at: z.array(int) }),
		open: z.array(openCallSchema),
		oldestAt: epochMsOrZero,
		horizon: z.union([z.literal(0), epochMs]),
	})
	.refine((state) => decodeSettled(state.settled) !== undefined, 'settled columns do not decode');

export function newTracker(query: CallQuery): TrackerState {
	return { query, stream: newStream(), settled: { id: [], pos: [], at: [] }, open: [], oldestAt: 0, horizon: 0 };
}

function countedOf(call: Call): Counted {
	return {
		st: call.status,
		cost: call.totalCost,
		car: call.carrierCost,
		dur: call.durationSeconds,
		as: call.assistantName,
		ca: call.campaignName,
		ph: call.assistantPhoneNumber,
		dir: call.direction,
	};
}

/** The watch-list entry of a call read at `position`: lean once settled. */
export function watchedOf(call: Call, position: number): WatchedCall {
	const watched: WatchedCall = { id: call.id, pos: position, at: call.createdAt };
	if (!call.settled) watched.counted = countedOf(call);
	return watched;
}

/** Rebuilds the counted version of a call that may still change (enough for every consumer). */
export function countedCall(watched: WatchedCall & { counted: Counted }): Call {
	const { counted } = watched;
	return {
		id: watched.id,
		createdAt: watched.at,
		updatedAt: null,
		status: counted.st,
		settled: SETTLED_STATUSES.has(counted.st),
		direction: counted.dir,
		durationSeconds: counted.dur,
		billableSeconds: billableSecondsOf(counted.dur),
		totalCost: counted.cost,
		carrierCost: counted.car,
		assistantName: counted.as,
		campaignName: counted.ca,
		assistantPhoneNumber: counted.ph,
		clientPhoneNumber: null,
		answeredBy: null,
	};
}

function changed(counted: Counted, call: Call): boolean {
	return (
		counted.st !== call.status ||
		counted.cost !== call.totalCost ||
		counted.car !== call.carrierCost ||
		counted.dur !== call.durationSeconds
	);
}

/** Delta-encodes settled calls (sorted by position). */
export function encodeSettled(calls: WatchedCall[]): SettledColumns {
	const sorted = [...calls].sort((a, b) => a.pos - b.pos || a.id - b.id);
	const columns: SettledColumns = { id: [], pos: [], at: [] };
	let previous = { id: 0, pos: 0, at: 0 };
	for (const call of sorted) {
		columns.id.push(call.id - previous.id);
		columns.pos.push(call.pos - previous.pos);
		columns.at.push(call.at - previous.at);
		previous = call;
	}
	return columns;
}

/** The settled calls of the columns, or undefined when they do not decode into calls. */
export function decodeSettled(columns: SettledColumns): WatchedCall[] | undefined {
	const { id, pos, at } = columns;
	if (id.length !== pos.length || id.length !== at.length) return undefined;
	const calls: WatchedCall[] = [];
	let previous = { id: 0, pos: 0, at: 0 };
	for (let i = 0; i < id.length; i++) {
		const call = {
			id: previous.id + (id[i] ?? NaN),
			pos: previous.pos + (pos[i] ?? NaN),
			at: previous.at + (at[i] ?? NaN),
		};
		if (!(call.id >= 1 && call.pos >= 0 && Number.isSafeInteger(call.id) && Number.isSafeInteger(call.pos)))
			return undefined;
		if (!(call.at >= 946_684_800_000 && Number.isSafeInteger(call.at))) return undefined;
		calls.push(call);
		previous = call;
	}
	return calls;
}

/** Every watched call of a (validated) tracker state, by id. */
function watchListOf(state: TrackerState): Map<number, WatchedCall> {
	const list = new Map<number, WatchedCall>();
	for (const call of decodeSettled(state.settled) ?? []) list.set(call.id, call);
	for (const [id, pos, at, st, cost, car, dur, as, ca, ph, dir] of state.open) {
		list.set(id, { id, pos, at, counted: { st, cost, car, dur, as, ca, ph, dir } });
	}
	return list;
}

export interface TrackerChanges {
	state: TrackerState;
	/** Calls counted for the first time. */
	added: Call[];
	/** Calls whose counted version changed: subtract `before`, add `after`. */
	updated: Array<{ before: Call; after: Call }>;
	caughtUp: boolean;
	lost: boolean;
	total: number;
}

export interface TrackOptions {
	now: number;
	settleMs: number;
	/** Whether there is time for one more request (or for `requests` more). */
	hasTime: (requests?: number) => boolean;
	/** Whether the next new call may be consumed now (see StreamOptions.consumable; default: every call). */
	consumable?: (call: Call) => boolean;
}

function lowestPosition(watch: WatchedCall[]): WatchedCall | undefined {
	return watch.reduce<WatchedCall | undefined>((min, w) => (!min || w.pos < min.pos ? w : min), undefined);
}

const isOpen = (watched: WatchedCall): watched is WatchedCall & { counted: Counted } => watched.counted !== undefined;

export async function track(
	client: FamulorClient,
	previous: TrackerState,
	options: TrackOptions,
): Promise<TrackerChanges> {
	const watch = watchListOf(previous);
	const horizon = options.now - Math.max(options.settleMs, 15 * 60 * 1000);
	// A late insertion is recognised against the watch list as it was pruned by the previous poll,
	// not by this one: a call inserted just after a poll read its page is then still counted when the
	// next poll comes a full settle horizon later.
	const knownSince = Math.min(horizon, previous.horizon || horizon);
	// Settled calls do not change any more: only the unsettled ones are read again. The settled recent
	// ones are kept for their ids (never counted twice) and mark where late insertions can land.
	const watched = [...watch.values()];
	const oldest = lowestPosition(watched);
	const unsettledCalls = watched.filter(isOpen);
	const unsettled = lowestPosition(unsettledCalls);
	const read = await readStream(client, previous.stream, {
		query: previous.query,
		rereadFrom: unsettled?.pos,
		rereadCall: unsettled ? { id: unsettled.id, createdAt: unsettled.at } : undefined,
		lateFrom: oldest?.pos,
		lateCall: oldest ? { id: oldest.id, createdAt: oldest.at } : undefined,
		rereadAt: unsettledCalls.map((w) => w.pos).sort((a, b) => a - b),
		watchedAt: watched,
		known: (id) => watch.has(id),
		hasTime: options.hasTime,
		horizon: knownSince,
		consumable: options.consumable,
	});
	// Fewer calls below the anchor than were counted (calls deleted under it, or an earlier answer that
	// overstated the total): the reader followed the anchor down, and the watched calls above the change
	// moved down with it. Left where they were, they would point past the anchor, and the stretch where
	// late insertions land would not be read again. Those read again this poll get their position below.
	const moved = previous.stream.k - read.state.k;
	if (moved > 0 && !read.lost)
		for (const w of watch.values()) if (w.pos >= 0) watch.set(w.id, { ...w, pos: Math.max(0, w.pos - moved) });
	const updated: Array<{ before: Call; after: Call }> = [];
	const refresh = (call: Call, position: number) => {
		const before = watch.get(call.id);
		if (before && isOpen(before) && changed(before.counted, call))
			updated.push({ before: countedCall(before), after: call });
		watch.set(call.id, watchedOf(call, position));
	};
	for (const { call, position } of read.reread) if (watch.has(call.id)) refresh(call, position);
	// A poll that read up to the newest call has read every unsettled call again. One it did not see
	// was hidden by a page answered with other rows: ask for it by its id (rare, one request each).
	// Gone (HTTP 404) means calls were deleted: the history changed, so the caller re-baselines.
	let lost = read.lost;
	if (read.caughtUp && !lost) lost = await refreshUnseen(client, unsettledCalls, read.reread, refresh);
	const added: Call[] = [];
	let oldestAt = previous.oldestAt;
	for (const { call, position } of read.fresh) {
		added.push(call);
		if (!oldestAt || call.createdAt < oldestAt) oldestAt = call.createdAt;
		watch.set(call.id, watchedOf(call, position));
	}
	// The watch list is pruned with the horizon the next poll may trust: this poll's once it read up to
	// the newest call, else the one it started from (insertions it did not reach stay recognisable).
	const keptSince = read.caughtUp ? horizon : knownSince;
	const kept = [...watch.values()].filter(
		(w) => w.at >= Math.min(options.now - MAX_WATCH_MS, keptSince) && (isOpen(w) || w.at >= keptSince),
	);
	const state: TrackerState = {
		query: previous.query,
		stream: read.state,
		settled: encodeSettled(kept.filter((w) => !isOpen(w))),
		open: kept
			.filter(isOpen)
			.map(
				({ id, pos, at, counted: c }): OpenCall => [id, pos, at, c.st, c.cost, c.car, c.dur, c.as, c.ca, c.ph, c.dir],
			),
		oldestAt,
		horizon: keptSince,
	};
	return { state, added, updated, caughtUp: read.caughtUp, lost, total: read.total };
}

/** Asks by id for the unsettled calls a caught-up poll did not read again; true when one is gone. */
async function refreshUnseen(
	client: FamulorClient,
	unsettled: WatchedCall[],
	reread: Array<{ call: Call }>,
	refresh: (call: Call, position: number) => void,
): Promise<boolean> {
	const seen = new Set(reread.map((r) => r.call.id));
	for (const watched of unsettled) {
		if (seen.has(watched.id)) continue;
		const answer = await client.getCall(watched.id).then(
			(value) => value,
			(error: unknown) => error,
		);
		if (answer instanceof FamulorApiError && answer.kind === 'notFound') return true;
		if (answer instanceof Error) throw answer;
		refresh((answer as { call: Call }).call, watched.pos);
	}
	return false;
}
