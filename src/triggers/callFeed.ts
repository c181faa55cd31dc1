/**
 * The Call Trigger's engine: every call once, with its final cost, oldest first — a ledger feed.
 *
 * It reads the call list with the stream reader and tracker the other triggers use (no reader of its
 * own), and takes a call from it only once the call can be emitted: created at least Settle Minutes
 * ago, and — if its status is final — ended (created_at + duration) at least Settle Minutes ago. The
 * reader stops at the first call that is not due yet and goes on from it next time, so nothing waits
 * in the state except calls still running when they were old enough (they are watched by the tracker
 * until they end, then emitted once due). A backfill (Start From: today, this month) is taken at
 * most Max Items per Poll calls a poll, so it is never held in the state either.
 *
 * Each call is taken once from the stream, so it is emitted once (`call:<id>`). Corrections: the
 * emitted calls of the last 24 hours (at most 1,000) are remembered with the cost they were emitted
 * with. Whenever one of them is read again — on a page this poll reads anyway, or on the one page a
 * poll may spend re-checking them in turn (only while the poll stays within 2 + new/100 requests) —
 * a different cost is emitted as `call:<id>:rev<n>`.
 */
import { olderThan, positionsOf } from '../pages';
import type { Call } from '../calls';
import type { CallsPage, FamulorClient } from '../client';
import { FamulorApiError } from '../errors';
import { newestCalls } from '../fetchCalls';
import { apiDateRange, resolvePeriod } from '../periods';
import type { RawCall } from '../schemas';
import { callEvent, dueAt, isDue, passes, startOf, type CallEvent, type CallFeedConfig } from './callFeedEvents';
import {
	CORRECTION_WINDOW_MS,
	loadCallFeed,
	newCallFeedState,
	storeCallFeed,
	type CallFeedModel,
	type CallFeedState,
	type Emitted,
} from './callFeedState';
import type { PollEnvironment } from './state';
import { MAX_WATCH_MS, newTracker, track, type TrackerChanges } from './tracker';

export * from './callFeedEvents';
export * from './callFeedState';

export interface CallFeedPollResult {
	state: CallFeedState;
	events: CallEvent[];
	/** The first read of the list is still being built (nothing newer than it can be read yet). */
	building: boolean;
}

const MINUTE_MS = 60_000;
/**
 * Late insertions (calls that show up after newer ones) are recognised in the stretch the tracker
 * watches below the newest call taken; the feed takes calls Settle Minutes late, so the tracker's
 * horizon is set that much further back to keep the same 15 minutes of it.
 */
const LATE_MARGIN_MS = 15 * MINUTE_MS;
/** A call still running this long after it started is emitted as it is then (the tracker stops watching it). */
export const STUCK_MS = MAX_WATCH_MS;
/** Calls shown by "Fetch Test Event". */
export const SAMPLE_SIZE = 3;

/** The calls of this poll as read: the raw object of each call read, and every page (for positions). */
class Recorder {
	readonly raw = new WeakMap<Call, RawCall>();
	/** The latest version read of each call, by id. */
	readonly latest = new Map<number, Call>();
	readonly pages: CallsPage[] = [];
	requests = 0;
	readonly client: FamulorClient;

	constructor(target: FamulorClient) {
		const getCallsPage: FamulorClient['getCallsPage'] = async (query, page, perPage) => {
			this.requests++;
			const result = await target.getCallsPage(query, page, perPage);
			this.pages.push(result);
			result.calls.forEach((call, index) => this.keep(call, result.raw[index]));
			return result;
		};
		const getCall: FamulorClient['getCall'] = async (id) => {
			this.requests++;
			const result = await target.getCall(id);
			this.keep(result.call, result.raw);
			return result;
		};
		// The reader and tracker get a client whose two call readers record what they read; everything
		// else (pacing, deadline, request counts) is the client's own.
		this.client = new Proxy(target, {
			get(object, property) {
				if (property === 'getCallsPage') return getCallsPage;
				if (property === 'getCall') return getCall;
				const value = Reflect.get(object, property, object) as unknown;
				return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(object) : value;
			},
		});
	}

	private keep(call: Call, raw: RawCall | undefined): void {
		if (raw) this.raw.set(call, raw);
		this.latest.set(call.id, call);
	}

	/** Positions from the oldest end of the calls read (as the pages showed them), in a list of `order`. */
	positions(order: -1 | 0 | 1): Map<number, number> {
		const positions = new Map<number, number>();
		if (order === 0) return positions;
		for (const page of this.pages) {
			if (!Number.isFinite(page.total)) continue;
			for (const { call, position } of positionsOf(page, order)) {
				// A page with rows beyond its own total carries other rows (the reader asks for it again).
				if (position >= 0 && position < page.total) positions.set(call.id, position);
			}
		}
		return positions;
	}
}

/** What a poll emits, before it is sorted. */
interface Emission {
	call: Call;
	raw: RawCall | undefined;
	revision?: { rev: number; previousTotalCost: number };
}

export async function pollCallFeed(
	client: FamulorClient,
	previous: CallFeedState,
	config: CallFeedConfig,
	env: PollEnvironment,
): Promise<CallFeedPollResult> {
	const now = env.now();
	const first = previous.tracker === null;
	const since = first ? startOf(previous.fromNow ? 'now' : config.startFrom, now, config.timezone) : previous.since;
	const tracker = previous.tracker ?? newTracker({ ...config.query, date_from: apiDateRange(since, now).date_from });
	const model = loadCallFeed(previous);
	const { readTo } = previous;
	/** Whether a call is one of the feed's: created since Start From, and not read before a re-read from the start. */
	const ours = (call: Call) =>
		call.createdAt >= since && (!readTo || olderThan({ id: readTo.id, createdAt: readTo.at }, call));

	const recorder = new Recorder(client);
	const changes = await track(recorder.client, tracker, {
		now,
		settleMs: config.settleMinutes * MINUTE_MS + LATE_MARGIN_MS,
		hasTime: env.hasTime,
		consumable: intake(config, model, ours, now),
	});
	if (changes.lost) {
		// Calls were deleted under the reader: read the list again from its start, without emitting
		// again what was read before (up to the newest call read so far).
		const anchor = tracker.stream.anchorId;
		const state: CallFeedState = {
			...previous,
			tracker: newTracker(tracker.query),
			since,
			readTo: anchor ? { at: tracker.stream.newestAt, id: anchor } : previous.readTo,
			updatedAt: now,
		};
		return { state, events: [], building: state.phase === 'building' };
	}

	const { emissions, positions } = await takeCalls(recorder, model, changes, config, ours, env, now);
	const corrections = config.emitCorrections
		? await correctionsOf(recorder, model, changes, previous.verifiedTo, env)
		: undefined;
	const events = [...emissions, ...(corrections?.emissions ?? [])]
		.sort(
			(a, b) =>
				a.call.createdAt - b.call.createdAt || a.call.id - b.call.id || (a.revision?.rev ?? 0) - (b.revision?.rev ?? 0),
		)
		.map(({ call, raw, revision }) => callEvent(config, call, raw, revision));
	remember(model, config, emissions, positions, now);
	const frontier = changes.state.stream.anchorId;
	const passedReadTo =
		readTo &&
		frontier !== null &&
		olderThan({ id: readTo.id, createdAt: readTo.at }, { id: frontier, createdAt: changes.state.stream.newestAt });
	const state: CallFeedState = {
		...previous,
		phase: previous.phase === 'building' && !changes.caughtUp ? 'building' : 'ready',
		tracker: changes.state,
		since,
		readTo: passedReadTo ? null : readTo,
		...storeCallFeed(model, now),
		verifiedTo: corrections?.verifiedTo ?? previous.verifiedTo,
		updatedAt: now,
	};
	return { state, events, building: state.phase === 'building' };
}

/**
 * What the reader may take now: a call only when it could be emitted now, and no more than a poll may
 * emit (the reader stops at the first call refused and goes on from it next time).
 */
function intake(config: CallFeedConfig, model: CallFeedModel, ours: (call: Call) => boolean, now: number) {
	const settleMs = config.settleMinutes * MINUTE_MS;
	let room = Math.max(0, config.maxItemsPerPoll - model.held.size);
	return (call: Call): boolean => {
		if (!ours(call)) return true;
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
 * The calls the reader took, and the held calls it read again or that are asked for by id: due ones are
 * emitted (if they pass the filters), the others held until they are due. Also where each call is in
 * the list, for the re-checks of emitted calls.
 */
async function takeCalls(
	recorder: Recorder,
	model: CallFeedModel,
	changes: TrackerChanges,
	config: CallFeedConfig,
	ours: (call: Call) => boolean,
	env: PollEnvironment,
	now: number,
): Promise<{ emissions: Emission[]; positions: Map<number, number> }> {
	const emissions: Emission[] = [];
	const emit = (call: Call) => {
		model.held.delete(call.id);
		if (passes(config, call)) emissions.push({ call, raw: recorder.raw.get(call) });
	};
	/** A held call read again: emitted once due, else it waits (with its due time once it ended). */
	const seeHeld = (call: Call) => {
		const held = model.held.get(call.id);
		if (!held) return;
		if (isDue(call, config.settleMinutes, now) || (call.settled && held.due > 0 && held.due <= now)) emit(call);
		else held.due = call.settled ? held.due || heldDue(call, config, now) : 0;
	};
	const positions = recorder.positions(changes.state.stream.order);
	for (const [id, held] of model.held) if (!positions.has(id) && held.pos >= 0) positions.set(id, held.pos);
	for (const call of changes.added) {
		if (model.held.has(call.id)) seeHeld(call);
		else if (!ours(call)) continue;
		else if (isDue(call, config.settleMinutes, now)) emit(call);
		else {
			const due = call.settled ? heldDue(call, config, now) : 0;
			model.held.set(call.id, { at: call.createdAt, pos: positions.get(call.id) ?? -1, due });
		}
	}
	for (const { after } of changes.updated) seeHeld(after);
	await settleHeld(recorder, model, config, env, emit);
	return { emissions, positions };
}

/** The emitted calls and their costs, for corrections (nothing is remembered with corrections off). */
function remember(
	model: CallFeedModel,
	config: CallFeedConfig,
	emissions: Emission[],
	positions: Map<number, number>,
	now: number,
): void {
	if (!config.emitCorrections) {
		model.emitted.clear();
		return;
	}
	for (const { call } of emissions) {
		model.emitted.set(call.id, {
			created: call.createdAt,
			pos: positions.get(call.id) ?? -1,
			cost: call.totalCost,
			at: now,
			rev: 0,
			seen: false,
		});
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
	recorder: Recorder,
	model: CallFeedModel,
	config: CallFeedConfig,
	env: PollEnvironment,
	emit: (call: Call) => void,
): Promise<void> {
	const now = env.now();
	const waiting = [...model.held].filter(
		([, held]) => (held.due > 0 && held.due <= now) || (held.due === 0 && held.at <= now - STUCK_MS),
	);
	for (const [id, held] of waiting.sort((a, b) => a[1].at - b[1].at)) {
		if (!env.hasTime()) return;
		const answer = await recorder.client.getCall(id).then(
			(value) => value,
			(error: unknown) => error,
		);
		if (answer instanceof FamulorApiError && answer.kind === 'notFound') {
			// Deleted: there is nothing to emit.
			model.held.delete(id);
			continue;
		}
		if (answer instanceof FamulorApiError && answer.kind === 'outOfTime') return;
		if (answer instanceof Error) throw answer;
		const { call } = answer as { call: Call };
		// Due by its own end, or by the time it was found ended (when its duration cannot be right).
		const due = call.settled && (isDue(call, config.settleMinutes, now) || (held.due > 0 && held.due <= now));
		if (due || held.at <= now - STUCK_MS) emit(call);
		else held.due = call.settled ? heldDue(call, config, now) : 0;
	}
}

/**
 * Cost changes of emitted calls: every emitted call this poll read again, plus, if the poll has room
 * within 2 + new/100 requests, one page of the list re-checking the remembered calls in turn.
 */
async function correctionsOf(
	recorder: Recorder,
	model: CallFeedModel,
	changes: TrackerChanges,
	verifiedTo: number,
	env: PollEnvironment,
): Promise<{ emissions: Emission[]; verifiedTo: number }> {
	const { stream, query } = changes.state;
	const now = env.now();
	let next = verifiedTo;
	const budget = 2 + changes.added.length / 100;
	// Emitted calls read again on this poll's pages have been re-checked once.
	for (const id of recorder.latest.keys()) {
		const entry = model.emitted.get(id);
		if (entry && entry.at < now) entry.seen = true;
	}
	const remembered = [...model.emitted].filter(([, entry]) => entry.pos >= 0).sort((a, b) => a[1].pos - b[1].pos);
	// The newest emitted call not read again since it was emitted goes first (costs are booked late
	// soon after a call, if at all); then all of them in turn.
	const unseen = remembered.filter(([, entry]) => !entry.seen && entry.at < now).pop();
	const located = stream.order === 1 || (stream.order === -1 && Number.isFinite(changes.total));
	if (remembered.length && located && recorder.requests + 1 <= budget && env.hasTime()) {
		const [id, target] = (unseen ?? remembered.find(([, entry]) => entry.pos > verifiedTo) ?? remembered[0]) as [
			number,
			Emitted,
		];
		const index = stream.order === 1 ? target.pos : changes.total - 1 - target.pos;
		const page = Math.floor(Math.max(0, index) / stream.perPage) + 1;
		const answer = await recorder.client.getCallsPage(query, page, stream.perPage).then(
			(value) => value,
			(error: unknown) => error,
		);
		if (!(answer instanceof FamulorApiError && answer.kind === 'outOfTime')) {
			if (answer instanceof Error) throw answer;
			const read = answer as CallsPage;
			const shown = Number.isFinite(read.total) ? positionsOf(read, stream.order as -1 | 1) : [];
			const turn = Math.max(target.pos, ...shown.map((p) => p.position));
			const found = !shown.length || shown.some((p) => p.call.id === id) ? turn : search(id, target, shown, read.total);
			// A first re-check leaves the turn where it was.
			if (!unseen) next = found;
			for (const { call } of shown) {
				const entry = model.emitted.get(call.id);
				if (entry) entry.seen = true;
			}
		}
	}
	// Where this poll saw the remembered calls (late insertions below them move them up).
	for (const [id, position] of recorder.positions(stream.order)) {
		const entry = model.emitted.get(id);
		if (entry) entry.pos = position;
	}
	const emissions: Emission[] = [];
	for (const [id, call] of recorder.latest) {
		const entry = model.emitted.get(id);
		if (!entry || call.totalCost === entry.cost || entry.at <= now - CORRECTION_WINDOW_MS) continue;
		emissions.push({
			call,
			raw: recorder.raw.get(call),
			revision: { rev: entry.rev + 1, previousTotalCost: entry.cost },
		});
		entry.rev++;
		entry.cost = call.totalCost;
	}
	return { emissions, verifiedTo: next };
}

/**
 * A remembered call not on the page of its position (calls inserted late below it moved it up, or the
 * position came from a page with another page's rows): by its created_at it lies above or below the
 * page — look there on the next poll — or within it, where it is no more (deleted: no more re-checks).
 * Returns where the next re-check starts so that it is this call's turn again.
 */
function search(id: number, target: Emitted, shown: Array<{ call: Call; position: number }>, total: number): number {
	const sorted = [...shown].sort((a, b) => a.position - b.position);
	const lowest = sorted[0] as { call: Call; position: number };
	const highest = sorted[sorted.length - 1] as { call: Call; position: number };
	const wanted = { id, createdAt: target.created };
	if (olderThan(highest.call, wanted) && highest.position + 1 < total) {
		target.pos = highest.position + 1;
		return highest.position;
	}
	if (olderThan(wanted, lowest.call) && lowest.position > 0) {
		target.pos = lowest.position - 1;
		return target.pos - 1;
	}
	target.pos = -1;
	return highest.position;
}

/**
 * "Fetch Test Event": the latest calls that are due and pass the filters, Min Cost and Min Duration
 * (read from the newest calls of the last 7 days; if none of those passes Min Cost and Min Duration,
 * the latest due call that passes the filters, so the item's fields can still be mapped). No state.
 */
export async function sampleCallFeed(
	client: FamulorClient,
	config: CallFeedConfig,
	env: PollEnvironment,
): Promise<CallEvent[]> {
	const now = env.now();
	const period = resolvePeriod('last7Days', { now, timezone: config.timezone });
	const newest = await newestCalls(client, { period, query: config.query, filters: config.filters }, 100);
	const due = newest.filter(({ call }) => isDue(call, config.settleMinutes, now));
	const chosen = due.filter(({ call }) => passes(config, call)).slice(0, SAMPLE_SIZE);
	const sample = chosen.length ? chosen : due.slice(0, 1);
	return sample.reverse().map(({ call, raw }) => callEvent(config, call, raw));
}

export { newCallFeedState };
