/**
 * Call tracking for the triggers: the stream (new calls) plus a small watch list of recent calls
 * whose cost or status may still change. Consumers get every change as "remove the old version,
 * add the new one", so a call is counted once, at its latest known cost, however often it changes.
 *
 * A call stays watched while it is unsettled or younger than the settle horizon; after that it is
 * history (a cost change later than that is not seen by the triggers; summaries always read the
 * latest). Watched calls also serve as the boundary ids: a recent call is never counted twice.
 */
import type { Call } from '../calls';
import type { CallQuery, FamulorClient } from '../client';
import { FamulorApiError } from '../errors';
import { newStream, readStream, type StreamState } from './stream';

/** A watched call: what was counted for it, and where it sits in the list. */
export interface WatchedCall {
	id: number;
	pos: number;
	at: number;
	st: string;
	cost: number;
	car: number;
	dur: number;
	as: string | null;
	ca: string | null;
	ph: string | null;
	/** Direction (type): the filters re-check it on the counted version too. */
	dir?: string | null;
}

export interface TrackerState {
	query: CallQuery;
	stream: StreamState;
	watch: WatchedCall[];
	/** created_at of the oldest call consumed (ms), 0 before the first. */
	oldestAt: number;
	/**
	 * The horizon `watch` was last pruned with (ms): every call consumed so far whose created_at is at
	 * or after it is in `watch`. Unknown calls that recent are new, however late they were inserted.
	 */
	horizon?: number;
}

export const MAX_WATCH_MS = 2 * 60 * 60 * 1000;

export function newTracker(query: CallQuery): TrackerState {
	return { query, stream: newStream(), watch: [], oldestAt: 0 };
}

export function snapshot(call: Call, position: number): WatchedCall {
	return {
		id: call.id,
		pos: position,
		at: call.createdAt,
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

/** Rebuilds the counted version of a watched call (enough for every consumer). */
export function fromSnapshot(watched: WatchedCall): Call {
	return {
		id: watched.id,
		createdAt: watched.at,
		updatedAt: null,
		status: watched.st,
		settled: SETTLED.has(watched.st),
		direction: watched.dir ?? null,
		durationSeconds: watched.dur,
		billableSeconds: watched.dur > 0 ? Math.max(30, watched.dur) : 0,
		totalCost: watched.cost,
		carrierCost: watched.car,
		assistantName: watched.as,
		campaignName: watched.ca,
		assistantPhoneNumber: watched.ph,
		clientPhoneNumber: null,
		answeredBy: null,
	};
}

const SETTLED = new Set(['completed', 'ended', 'ended_by_customer', 'ended_by_assistant', 'busy', 'no-answer', 'failed']);

function changed(watched: WatchedCall, call: Call): boolean {
	return (
		watched.st !== call.status ||
		watched.cost !== call.totalCost ||
		watched.car !== call.carrierCost ||
		watched.dur !== call.durationSeconds
	);
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
}

function lowestPosition(watch: WatchedCall[]): WatchedCall | undefined {
	return watch.reduce<WatchedCall | undefined>((min, w) => (!min || w.pos < min.pos ? w : min), undefined);
}

export async function track(client: FamulorClient, previous: TrackerState, options: TrackOptions): Promise<TrackerChanges> {
	const watchById = new Map(previous.watch.map((w) => [w.id, w]));
	const horizon = options.now - Math.max(options.settleMs, 15 * 60 * 1000);
	// A late insertion is recognised against the watch list as it was pruned by the previous poll,
	// not by this one: a call inserted just after a poll read its page is then still counted when the
	// next poll comes a full settle horizon later.
	const knownSince = Math.min(horizon, previous.horizon ?? horizon);
	// Settled calls do not change any more: only the unsettled ones are read again. The settled recent
	// ones are kept for their ids (never counted twice) and mark where late insertions can land.
	const oldest = lowestPosition(previous.watch);
	const unsettledCalls = previous.watch.filter((w) => !SETTLED.has(w.st));
	const unsettled = lowestPosition(unsettledCalls);
	const read = await readStream(client, previous.stream, {
		query: previous.query,
		rereadFrom: unsettled?.pos,
		rereadCall: unsettled ? { id: unsettled.id, createdAt: unsettled.at } : undefined,
		lateFrom: oldest?.pos,
		lateCall: oldest ? { id: oldest.id, createdAt: oldest.at } : undefined,
		rereadAt: unsettledCalls.map((w) => w.pos).sort((a, b) => a - b),
		watchedAt: previous.watch,
		known: (id) => watchById.has(id),
		hasTime: options.hasTime,
		horizon: knownSince,
	});
	const added: Call[] = [];
	const updated: Array<{ before: Call; after: Call }> = [];
	let oldestAt = previous.oldestAt;
	for (const { call, position } of read.reread) {
		const watched = watchById.get(call.id);
		if (!watched) continue;
		if (changed(watched, call)) updated.push({ before: fromSnapshot(watched), after: call });
		watchById.set(call.id, snapshot(call, position));
	}
	// A poll that read up to the newest call has read every unsettled call again. One it did not see
	// was hidden by a page answered with other rows: ask for it by its id (rare, one request each).
	// Gone (HTTP 404) means calls were deleted: the history changed, so the caller re-baselines.
	let lost = read.lost;
	if (read.caughtUp && !lost) {
		const seen = new Set(read.reread.map((r) => r.call.id));
		for (const watched of unsettledCalls) {
			if (seen.has(watched.id)) continue;
			const answer = await client.getCall(watched.id).then(
				(value) => value,
				(error: unknown) => error,
			);
			if (answer instanceof FamulorApiError && answer.kind === 'notFound') {
				lost = true;
				break;
			}
			if (answer instanceof Error) throw answer;
			const { call } = answer as { call: Call };
			if (changed(watched, call)) updated.push({ before: fromSnapshot(watched), after: call });
			watchById.set(call.id, snapshot(call, watched.pos));
		}
	}
	for (const { call, position } of read.fresh) {
		added.push(call);
		if (!oldestAt || call.createdAt < oldestAt) oldestAt = call.createdAt;
		watchById.set(call.id, snapshot(call, position));
	}
	// The watch list is pruned with the horizon the next poll may trust: this poll's once it read up to
	// the newest call, else the one it started from (insertions it did not reach stay recognisable).
	const keptSince = read.caughtUp ? horizon : knownSince;
	const watch = [...watchById.values()].filter(
		(w) => w.at >= Math.min(options.now - MAX_WATCH_MS, keptSince) && (!SETTLED.has(w.st) || w.at >= keptSince),
	);
	return {
		state: { query: previous.query, stream: read.state, watch, oldestAt, horizon: keptSince },
		added,
		updated,
		caughtUp: read.caughtUp,
		lost,
		total: read.total,
	};
}
