/**
 * The skeleton the three call-reading triggers share (Threshold, Spike, Call): check the stored state,
 * make or continue its tracker, read what changed, and rebuild when the history changed under it.
 * Each engine adds only what is its own: what a call counts for, and what it emits.
 *
 * A state holding times after "now" (beyond a small clock skew: the clock was stepped back, or the
 * state is damaged) would keep a trigger blind until then; it is treated as lost here, for every
 * engine, and the engine starts a new baseline.
 */
import type { CallQuery, CallSource } from '../api/port';
import { fromTheFuture, type PollEnvironment } from './state';
import { newTracker, track, type TrackerChanges, type TrackerState, type TrackOptions } from './tracker';

export interface TrackedState {
	tracker: TrackerState | null;
	updatedAt: number;
}

export interface TrackedSpec<S extends TrackedState> {
	/** A new state (a new baseline) of the same configuration. */
	fresh(state: S): S;
	/** The state's own times (beside the tracker's) that cannot lie in the future. */
	times?(state: S): Array<number | undefined>;
	/** The list a new tracker reads (its first day at least), and the time it starts at. */
	query(state: S, now: number): CallQuery;
	startAt(state: S, now: number): number;
	/** How the tracker reads (see TrackOptions), for this state and time. */
	reading(state: S, now: number): Omit<TrackOptions, 'now' | 'hasTime'>;
}

export type TrackedPoll<S> =
	/** What changed since the last poll, over the state it applies to (after the checks); `started`: the poll's time. */
	| { state: S; changes: TrackerChanges; started: number; now: number; rebuilt?: undefined }
	/** The calls counted before changed (deleted): this new baseline replaces the state. */
	| { rebuilt: S; now: number };

/** The times of a tracker that cannot lie in the future. */
function trackerTimes(tracker: TrackerState | null): Array<number | undefined> {
	if (!tracker) return [];
	return [tracker.cursor?.at, tracker.ledger.horizon, tracker.oldestAt, ...tracker.open.map((open) => open[1])];
}

export async function pollTracked<S extends TrackedState>(
	source: CallSource,
	stored: S,
	spec: TrackedSpec<S>,
	env: PollEnvironment,
): Promise<TrackedPoll<S>> {
	const started = env.now();
	const times = [stored.updatedAt, ...trackerTimes(stored.tracker), ...(spec.times?.(stored) ?? [])];
	const state = fromTheFuture(times, started) ? spec.fresh(stored) : stored;
	const tracker = state.tracker ?? newTracker(spec.query(state, started), spec.startAt(state, started));
	const changes = await track(source, tracker, { ...spec.reading(state, started), now: started, hasTime: env.hasTime });
	const now = env.now();
	if (changes.lost) return { rebuilt: spec.fresh(state), now };
	return { state, changes, started, now };
}
