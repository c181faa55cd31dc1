/**
 * The Call Trigger's engine: every call once, with its final cost, oldest first — a ledger feed.
 *
 * It reads the call list with the tracker the other triggers use, and takes a call from it only once
 * the call can be emitted: created at least Settle Minutes ago, and — if its status is final — ended
 * (created_at + duration) at least Settle Minutes ago. The tracker stops at the first call that is not
 * due yet and goes on from it next time, so nothing waits in the state except calls still running when
 * they were old enough (they are watched until they end, then emitted once due). A backfill (Start
 * From: today, this month) is taken at most Max Items per Poll calls a poll, so it is never held in the
 * state either. A call found listed late is emitted when it is found (after newer ones, then).
 *
 * Each call is taken once from the list, so it is emitted once (`call:<id>`); an id already emitted is
 * never emitted again as new. Corrections: the emitted calls of the last 24 hours (at most 1,000) are
 * remembered with the cost they were emitted with. Whenever one of them is read again — on an answer
 * this poll reads anyway, or on the one answer a poll may spend re-checking them in turn (only while
 * the poll stays within 2 + new/100 requests) — a different cost is emitted as `call:<id>:rev<n>`.
 */
import type { CallRow, CallSource } from '../api/port';
import type { Call } from '../calls';
import { newestCalls } from '../list/period';
import { apiDays, resolvePeriod } from '../periods';
import { DAY_MS, MINUTE_MS } from '../clock';
import { callEvent, dueAt, isDue, passes, startOf, type CallEvent, type CallFeedConfig } from './callFeedEvents';
import {
	CORRECTION_WINDOW_MS,
	loadCallFeed,
	newCallFeedState,
	storeCallFeed,
	type CallFeedModel,
	type CallFeedState,
} from './callFeedState';
import { pollTracked, type TrackedSpec } from './engine';
import type { PollEnvironment } from './state';
import { MAX_WATCH_MS, sliceAt, type TrackerChanges } from './tracker';

export * from './callFeedEvents';
export * from './callFeedState';

export interface CallFeedPollResult {
	state: CallFeedState;
	events: CallEvent[];
	/** The first read of the list is still being built (nothing newer than it can be read yet). */
	building: boolean;
}

/** A call's cost may be booked a while after Settle Minutes: it is watched that much longer. */
const LATE_MARGIN_MS = 15 * MINUTE_MS;
/** A call still running this long after it started is emitted as it is then (the tracker stops watching it). */
export const STUCK_MS = MAX_WATCH_MS;
/** Calls listed this late are still emitted (the tracker keeps counts of this much of the list). */
export const FEED_LATE_MS = 31 * DAY_MS;
/** Calls shown by "Fetch Test Event". */
export const SAMPLE_SIZE = 3;

/** What a poll emits, before it is sorted. */
interface Emission {
	call: Call;
	raw: Record<string, unknown> | undefined;
	revision?: { rev: number; previousTotalCost: number };
}

/**
 * Calls created before this are not emitted: Start From at the first poll (now, for a state that
 * replaced a lost one).
 */
function sinceOf(state: CallFeedState, config: CallFeedConfig, now: number): number {
	if (state.tracker !== null) return state.since;
	return startOf(state.fromNow ? 'now' : config.startFrom, now, config.timezone);
}

/** How the feed reads; the working form of its calls, made once the stored state passed its checks. */
function feedSpec(config: CallFeedConfig): { spec: TrackedSpec<CallFeedState>; model: () => CallFeedModel } {
	let model: CallFeedModel | undefined;
	const spec: TrackedSpec<CallFeedState> = {
		fresh: (state) => newCallFeedState(state.config, true),
		times: (state) => [state.since, ...state.held.flatMap((held) => [held.at, held.due])],
		query: (state, now) => ({ ...config.query, from: apiDays(sinceOf(state, config, now), now + 1).from }),
		startAt: (state, now) => sinceOf(state, config, now),
		reading: (state, now) => {
			model = loadCallFeed(state);
			const since = sinceOf(state, config, now);
			return {
				settleMs: config.settleMinutes * MINUTE_MS + LATE_MARGIN_MS,
				keepFrom: Math.max(since, now - FEED_LATE_MS),
				// Emitted calls stay emitted: after deletions the feed goes on from the list as it is.
				onShrink: 'adopt',
				accept: intake(config, model, since, now),
			};
		},
	};
	return { spec, model: () => model as CallFeedModel };
}

export async function pollCallFeed(
	source: CallSource,
	stored: CallFeedState,
	config: CallFeedConfig,
	env: PollEnvironment,
): Promise<CallFeedPollResult> {
	const requestsBefore = source.requests;
	const feed = feedSpec(config);
	const polled = await pollTracked(source, stored, feed.spec, env);
	// (The feed never rebuilds on deletions; only a state from the future is replaced, by a feed from now.)
	if (polled.rebuilt) return { state: polled.rebuilt, events: [], building: true };
	const { state: previous, changes, started } = polled;
	const model = feed.model();
	const since = sinceOf(previous, config, started);
	const emissions = await takeCalls(source, model, changes, config, since, env, started);
	const budget = 2 + changes.added.length / 100;
	const withinBudget = () => source.requests - requestsBefore + 1 <= budget;
	const corrections = config.emitCorrections
		? await correctionsOf(source, model, changes, previous.verifiedTo, env, withinBudget)
		: undefined;
	const events = [...emissions, ...(corrections?.emissions ?? [])]
		.sort(
			(a, b) =>
				a.call.createdAt - b.call.createdAt || a.call.id - b.call.id || (a.revision?.rev ?? 0) - (b.revision?.rev ?? 0),
		)
		.map(({ call, raw, revision }) => callEvent(config, call, raw, revision));
	remember(model, config, emissions, started);
	const state: CallFeedState = {
		...previous,
		phase: previous.phase === 'building' && !changes.caughtUp ? 'building' : 'ready',
		tracker: changes.state,
		since,
		...storeCallFeed(model, started),
		verifiedTo: corrections?.verifiedTo ?? previous.verifiedTo,
		updatedAt: polled.now,
	};
	return { state, events, building: state.phase === 'building' };
}

/**
 * What the tracker may take now: a call only when it could be emitted now, and no more than a poll may
 * emit (the tracker stops at the first call refused and goes on from it next time).
 */
function intake(config: CallFeedConfig, model: CallFeedModel, since: number, now: number) {
	const settleMs = config.settleMinutes * MINUTE_MS;
	let room = Math.max(0, config.maxItemsPerPoll - model.held.size);
	return (call: Call): boolean => {
		if (call.createdAt < since) return true;
		if (call.createdAt + settleMs > now) return false;
		// An ended call is due within Settle Minutes: the calls after it wait for it (oldest first). One
		// whose duration says it ends in the future (data that cannot be right) waits among the held.
		if (call.settled && !isDue(call, config.settleMinutes, now) && !endsLater(call, now)) return false;
		// A due call the user did not ask for is passed over without using room.
		if (call.settled && isDue(call, config.settleMinutes, now) && !passes(config, call)) return true;
		if (room <= 0) return false;
		room--;
		return true;
	};
}

/**
 * The calls the tracker took, and the held calls it read again or that are asked for by id: due ones are
 * emitted (if they pass the filters, and were never emitted), the others held until they are due.
 */
async function takeCalls(
	source: CallSource,
	model: CallFeedModel,
	changes: TrackerChanges,
	config: CallFeedConfig,
	since: number,
	env: PollEnvironment,
	now: number,
): Promise<Emission[]> {
	const emissions: Emission[] = [];
	const emit = (call: Call, raw = changes.rows.get(call.id)?.raw) => {
		model.held.delete(call.id);
		// An id emitted before (a damaged state, a call listed twice) is not emitted again.
		if (model.emitted.has(call.id)) return;
		if (passes(config, call)) emissions.push({ call, raw });
	};
	/** A held call read again: emitted once due, else it waits (with its due time once it ended). */
	const seeHeld = (call: Call) => {
		const held = model.held.get(call.id);
		if (!held) return;
		if (isDue(call, config.settleMinutes, now) || (call.settled && held.due > 0 && held.due <= now)) emit(call);
		else held.due = call.settled ? held.due || heldDue(call, config, now) : 0;
	};
	for (const { call } of changes.added) {
		if (model.held.has(call.id)) seeHeld(call);
		else if (call.createdAt < since) continue;
		else if (isDue(call, config.settleMinutes, now)) emit(call);
		else model.held.set(call.id, { at: call.createdAt, due: call.settled ? heldDue(call, config, now) : 0 });
	}
	for (const { after } of changes.updated) seeHeld(after);
	await settleHeld(source, model, config, env, emit);
	return emissions;
}

/** The emitted calls and their costs, for corrections (nothing is remembered with corrections off). */
function remember(model: CallFeedModel, config: CallFeedConfig, emissions: Emission[], now: number): void {
	if (!config.emitCorrections) {
		model.emitted.clear();
		return;
	}
	for (const { call } of emissions) {
		model.emitted.set(call.id, { created: call.createdAt, cost: call.totalCost, at: now, rev: 0, seen: false });
	}
}

/** Whether a call's duration says it ends after `now` (it cannot have ended yet, though settled). */
function endsLater(call: Call, now: number): boolean {
	return call.createdAt + call.durationSeconds * 1000 > now;
}

/** When a held call that ended is due: Settle Minutes after its end, or after now if its end cannot be right. */
function heldDue(call: Call, config: CallFeedConfig, now: number): number {
	return Math.min(dueAt(call, config.settleMinutes), now + config.settleMinutes * MINUTE_MS);
}

/**
 * Held calls the tracker no longer reports: those that ended and are now due (the tracker does not
 * read a settled call again), and those still running STUCK_MS after they started (it stops watching
 * them) are asked for by id — one request each, while the poll has time.
 */
async function settleHeld(
	source: CallSource,
	model: CallFeedModel,
	config: CallFeedConfig,
	env: PollEnvironment,
	emit: (call: Call, raw: Record<string, unknown>) => void,
): Promise<void> {
	const now = env.now();
	const waiting = [...model.held].filter(
		([, held]) => (held.due > 0 && held.due <= now) || (held.due === 0 && held.at <= now - STUCK_MS),
	);
	for (const [id, held] of waiting.sort((a, b) => a[1].at - b[1].at)) {
		if (!env.hasTime()) return;
		const row = await source.call(id);
		if (!row) {
			// Deleted: there is nothing to emit.
			model.held.delete(id);
			continue;
		}
		const { call } = row;
		// Due by its own end, or by the time it was found ended (when its duration cannot be right).
		const due = call.settled && (isDue(call, config.settleMinutes, now) || (held.due > 0 && held.due <= now));
		if (due || held.at <= now - STUCK_MS) emit(call, row.raw);
		else held.due = call.settled ? heldDue(call, config, now) : 0;
	}
}

/**
 * Cost changes of emitted calls: every emitted call this poll read again, plus, if the poll has room
 * within 2 + new/100 requests, one answer of the list re-checking the remembered calls in turn (by
 * created_at: the newest one not read again since it was emitted first, then all of them in a round).
 */
async function correctionsOf(
	source: CallSource,
	model: CallFeedModel,
	changes: TrackerChanges,
	verifiedTo: number,
	env: PollEnvironment,
	withinBudget: () => boolean,
): Promise<{ emissions: Emission[]; verifiedTo: number }> {
	const now = env.now();
	const rows = new Map(changes.rows);
	let next = verifiedTo;
	const remembered = [...model.emitted].sort((a, b) => a[1].created - b[1].created || a[0] - b[0]);
	const unseen = remembered.filter(([id, entry]) => !entry.seen && entry.at < now && !rows.has(id)).pop();
	const target = unseen ?? remembered.find(([, entry]) => entry.created > verifiedTo) ?? remembered[0];
	// The newest unseen call with the older ones after it; in a round, the next ones in turn.
	const request = target ? sliceAt(changes.state, target[1].created, unseen ? 'older' : 'newer') : undefined;
	if (target && request && withinBudget() && env.hasTime()) {
		const slice = await source.slice(changes.state.query, request);
		for (const row of slice.rows) rows.set(row.call.id, row);
		// The turn moves past the target whether or not the answer showed it (a deleted call is not re-checked forever).
		if (!unseen) next = Math.max(target[1].created, ...slice.rows.map((row) => row.call.createdAt));
		if (target[1].created >= (remembered[remembered.length - 1]?.[1].created ?? 0)) next = 0;
	}
	const emissions: Emission[] = [];
	for (const [id, row] of rows) {
		const entry = model.emitted.get(id);
		if (!entry) continue;
		if (entry.at < now) entry.seen = true;
		if (row.call.totalCost === entry.cost || entry.at <= now - CORRECTION_WINDOW_MS) continue;
		emissions.push({ call: row.call, raw: row.raw, revision: { rev: entry.rev + 1, previousTotalCost: entry.cost } });
		entry.rev++;
		entry.cost = row.call.totalCost;
	}
	return { emissions, verifiedTo: next };
}

/**
 * "Fetch Test Event": the latest calls that are due and pass the filters, Min Cost and Min Duration
 * (read from the newest calls of the last 7 days; if none of those passes Min Cost and Min Duration,
 * the latest due call that passes the filters, so the item's fields can still be mapped). No state.
 */
export async function sampleCallFeed(
	source: CallSource,
	config: CallFeedConfig,
	env: PollEnvironment,
): Promise<CallEvent[]> {
	const now = env.now();
	const period = resolvePeriod('last7Days', { now, timezone: config.timezone });
	const newest: CallRow[] = await newestCalls(source, { period, query: config.query, filters: config.filters }, 100);
	const due = newest.filter(({ call }) => isDue(call, config.settleMinutes, now));
	const chosen = due.filter(({ call }) => passes(config, call)).slice(0, SAMPLE_SIZE);
	const sample = chosen.length ? chosen : due.slice(0, 1);
	return sample.reverse().map(({ call, raw }) => callEvent(config, call, raw));
}

export { newCallFeedState };
