/**
 * Call tracking for the triggers: every poll, the calls that are new since the last one, the changes of
 * the calls that may still change, and the calls that showed up late. Consumers get every change as
 * "remove the old version, add the new one", so a call is counted once, at its latest known cost.
 *
 * A poll walks the list toward newer calls from the stored cursor (src/list/walk.ts: a time and the
 * ids taken at it), so its first answer is where the last poll stopped: the row just behind the
 * cursor, the cursor's calls, and whatever came after — one small answer when nothing is new, since
 * the stored total, growth and order say where to ask (they are only hints: every answer is checked,
 * and an answer elsewhere is simply asked again where it shows the cursor is).
 *
 * The same answer counts the rows behind the cursor's time. The ledger (src/triggers/ledger.ts) knows
 * how many calls were taken there: more rows means calls were listed late, and src/triggers/late.ts
 * finds them; fewer means calls were deleted (the threshold and spike triggers rebuild their baseline
 * then, silently; the Call Trigger goes on). Calls that may still change (not settled yet) are kept
 * with what was counted for them and read again on every poll until they settle.
 */
import { z } from 'zod';
import type { CallQuery, CallRow, CallSlice, CallSource, SliceRequest } from '../api/port';
import { MAX_SLICE } from '../api/port';
import { billableSecondsOf, SETTLED_STATUSES, type Call } from '../calls';
import { settled } from '../errors';
import { drive, type DriveEnd } from '../list/drive';
import { orderOf } from '../list/slice';
import { Walk, type BehindCount, type CursorState } from '../list/walk';
import { readDown, TOP_ROWS } from './fromTop';
import { findLate, timedOut, type LateSearch } from './late';
import { Ledger, ledgerStateSchema, type LedgerState } from './ledger';
import { count, epochMs, epochMsOrZero, int } from './state';

/**
 * What was counted for a call that may still change. Keys are short because a busy account has
 * hundreds of calls in progress: st status, cost and car total and carrier cost (1e-8 units), dur
 * duration (s), as assistant, ca campaign, ph the Famulor number, dir direction.
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

/** A call that may still change, as stored: [id, created_at, …Counted]. */
export type OpenCall = [
	id: number,
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
	/** Where the last poll stopped (null before the first call). */
	cursor: CursorState | null;
	ledger: LedgerState;
	open: OpenCall[];
	/** created_at of the oldest call taken (ms), 0 before the first. */
	oldestAt: number;
	/** Where to ask first: the list's order, total and growth as the last poll saw them (checked by every answer). */
	hints: { order: -1 | 0 | 1; total: number; grew: number };
}

/** The fewest rows of a first answer from the top: a few new calls more than expected fit it. */
const TOP_FIRST_ROWS = 20;
/** A call still unsettled this long after it started is no longer watched: it is taken as it is. */
export const MAX_WATCH_MS = 2 * 60 * 60 * 1000;
/** Calls taken in the last RECENT_MS are kept by id: a call listed that late is told apart by its id. */
export const RECENT_MS = 45 * 60 * 1000;

const nullableText = z.string().nullable();
const text = z.string().max(1000);
const openCallSchema = z.tuple([
	count.min(1),
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
		query: z
			.object({
				from: text.optional(),
				to: text.optional(),
				assistantId: z.union([text, int]).optional(),
				campaignId: z.union([text, int]).optional(),
				direction: text.optional(),
				status: text.optional(),
			})
			.strict(),
		cursor: z.object({ at: epochMs, ids: z.array(count.min(1)).max(10_000) }).nullable(),
		ledger: ledgerStateSchema,
		open: z.array(openCallSchema),
		oldestAt: epochMsOrZero,
		hints: z.object({ order: z.union([z.literal(-1), z.literal(0), z.literal(1)]), total: count, grew: count }),
	})
	// The ledger's horizon is never ahead of the cursor: every call taken at or after it is kept by id.
	.refine((state) => !state.cursor || state.ledger.horizon <= state.cursor.at, 'ledger horizon beyond the cursor');

/**
 * A tracker of the calls matching `query`; from `startAt` on (ms), when given: the calls before it are
 * passed over as if taken (the rows before that time are counted at the first read).
 */
export function newTracker(query: CallQuery, startAt?: number): TrackerState {
	return {
		query,
		cursor: startAt === undefined ? null : { at: startAt, ids: [] },
		ledger: Ledger.empty().store(),
		open: [],
		oldestAt: 0,
		hints: { order: 0, total: 0, grew: 0 },
	};
}

export interface TrackerChanges {
	state: TrackerState;
	/** Calls taken for the first time: the new ones oldest first, then any found listed late. */
	added: CallRow[];
	/** Calls whose counted version changed: subtract `before`, add `after`. */
	updated: Array<{ before: Call; after: Call }>;
	/** Every call up to the newest (or up to the first one `accept` refused) was taken. */
	caughtUp: boolean;
	/** Calls were deleted under the cursor, or the counts cannot be explained: rebuild (see onShrink). */
	lost: boolean;
	/** The latest version of every call read in this poll, by id. */
	rows: Map<number, CallRow>;
	/** The list's length as the last answer of this poll told it (undefined without an answer). */
	total: number | undefined;
}

export interface TrackOptions {
	now: number;
	/** How long a call's cost may still change after it ended: the recent window is at least this long. */
	settleMs: number;
	/** Whether there is time for one more request (or for `requests` more). */
	hasTime: (requests?: number) => boolean;
	/** Whether a call may be taken now (default: every call); the walk stops at the first one refused. */
	accept?: (call: Call) => boolean;
	/** Calls before this time are never needed again: their stretches of the ledger are dropped. */
	keepFrom: number;
	/**
	 * Fewer rows behind the cursor than were taken (calls deleted), or counts that cannot be explained:
	 * `rebuild` reports `lost` (totals must be rebuilt); `adopt` goes on with the list as it is now.
	 */
	onShrink: 'rebuild' | 'adopt';
}

export async function track(
	source: CallSource,
	previous: TrackerState,
	options: TrackOptions,
): Promise<TrackerChanges> {
	return await new TrackerPoll(source, previous, options).run();
}

interface OpenEntry {
	at: number;
	counted: Counted;
}

class TrackerPoll {
	private readonly ledger: Ledger;
	private readonly open = new Map<number, OpenEntry>();
	private readonly rows = new Map<number, CallRow>();
	private readonly added: CallRow[] = [];
	private readonly updated: Array<{ before: Call; after: Call }> = [];
	private walk: Walk;
	/** Rows behind the stored cursor's time, as the first answer that went on from it counted them. */
	private measured: BehindCount | undefined;
	private last: CallSlice | undefined;
	private lost = false;

	constructor(
		private readonly source: CallSource,
		private readonly previous: TrackerState,
		private readonly options: TrackOptions,
	) {
		this.ledger = Ledger.load(previous.ledger) ?? Ledger.empty();
		for (const [id, at, st, cost, car, dur, as, ca, ph, dir] of previous.open) {
			this.open.set(id, { at, counted: { st, cost, car, dur, as, ca, ph, dir } });
		}
		const accept = options.accept;
		this.walk = new Walk('newer', previous.cursor ?? undefined, accept ? (row) => accept(row.call) : undefined);
	}

	async run(): Promise<TrackerChanges> {
		const end = await this.readForward();
		const taken = [...this.added];
		this.account(taken);
		if (this.measured && !this.lost) await this.reconcile();
		if (!this.lost) await this.refreshOpen();
		return this.result(end === 'end' || end === 'refused');
	}

	/** Reads what is new: down from the top when the backlog is a few answers, else from the cursor up. */
	private async readForward(): Promise<DriveEnd> {
		const top = await this.readTop();
		if (top && (await this.readDown(top))) return 'end';
		return await this.readUp(top);
	}

	/**
	 * The top of a newest-first list, when the poll reads up to the newest call anyway (see fromTop.ts).
	 * After a quiet poll: as many rows as are expected (with the calls to read again that fit), a margin,
	 * at least TOP_FIRST_ROWS — a few kilobytes. After a poll that found new calls: a full page, since
	 * calls keep coming (a burst after a few calls would otherwise cost a request more).
	 */
	private async readTop(): Promise<CallSlice | undefined> {
		const { cursor, hints } = this.previous;
		if (!cursor || hints.order !== -1 || this.options.accept) return undefined;
		const { behind, total, margin } = this.expected(cursor);
		const expected = hints.grew > 0 ? MAX_SLICE : total - behind + margin;
		const rows = Math.max(TOP_FIRST_ROWS, Math.min(MAX_SLICE - 1, expected));
		const answer = await settled(this.source.slice(this.previous.query, { at: 0, toward: 1, rows }));
		if ('error' in answer && timedOut(answer.error)) return undefined;
		if ('error' in answer) throw answer.error;
		this.record(answer.value);
		return answer.value;
	}

	/** Down from the top to the cursor (and the calls to read again within TOP_ROWS); whether it got there. */
	private async readDown(top: CallSlice): Promise<boolean> {
		const cursor = this.previous.cursor as CursorState;
		const backlog = top.total - this.ledger.behind;
		if (backlog > TOP_ROWS) return false;
		const read = await readDown({
			source: this.source,
			query: this.previous.query,
			top,
			cursor,
			// Calls to read again on the way, if they lie within an answer beyond the cursor (else one answer
			// around them is cheaper: refreshOpen).
			readTo: Math.min(cursor.at, this.openFrom(cursor, top.total, backlog + MAX_SLICE)),
			hasTime: () => this.options.hasTime(),
			read: (slice) => this.record(slice),
		});
		if (!read) return false;
		this.added.push(...read.taken);
		this.measured = read.measured;
		this.walk = new Walk('newer', read.cursor);
		this.walk.order = -1;
		return true;
	}

	/** Walks from the cursor toward the newest call (or the first refused one), taking what is new. */
	private async readUp(top: CallSlice | undefined): Promise<DriveEnd> {
		const behind = this.ledger.behind;
		const first = top ? this.whereBehind(top, this.expected(this.previous.cursor as CursorState).behind) : undefined;
		return await drive(this.source, this.previous.query, this.walk, first ?? this.firstRequest(), {
			read: (slice) => this.record(slice),
			fed: (step) => {
				if (step.behind && !this.measured && this.previous.cursor) this.measured = step.behind;
			},
			taken: (rows) => {
				this.added.push(...rows);
			},
			hasTime: () => this.options.hasTime(),
			relocate: (slice) => this.whereBehind(slice, behind),
			pool: top ? [top] : [],
		});
	}

	/**
	 * What the last poll leads to expect: the list's length now (as many new calls as last time), a
	 * margin that grows with their number, and the calls to read from — behind the cursor, or behind the
	 * oldest call that may still change when that fits one answer with everything after it.
	 */
	private expected(cursor: CursorState): { behind: number; total: number; margin: number } {
		const { hints } = this.previous;
		const total = Math.max(hints.total + hints.grew, this.ledger.behind + cursor.ids.length);
		const margin = Math.min(25, 2 + 2 * Math.ceil(Math.sqrt(hints.grew)));
		const from = this.openFrom(cursor, total + margin);
		return { behind: this.ledger.behind - this.ledger.takenIn(from, cursor.at), total, margin };
	}

	/** The oldest call that may still change within `rows` of the list's top (else the cursor's time). */
	private openFrom(cursor: CursorState, total: number, rows = MAX_SLICE): number {
		let from = cursor.at;
		for (const { at } of this.open.values()) {
			const behind = this.ledger.behind - this.ledger.takenIn(at, cursor.at);
			if (at < from && total - behind < rows) from = at;
		}
		return from;
	}

	/**
	 * Where the first answer should be: the row just behind the cursor (or behind the oldest call to read
	 * again) and what came after it.
	 */
	private firstRequest(): SliceRequest {
		const { cursor, hints } = this.previous;
		if (!cursor || hints.order === 0) return { at: 0, toward: 1, rows: MAX_SLICE - 1 };
		const { behind, total, margin } = this.expected(cursor);
		const wanted = total - behind + margin;
		// Two rows behind the cursor, so that the answer shows the list's order even with nothing new.
		if (hints.order === 1) return { at: Math.max(0, behind - 2), toward: 1, rows: Math.min(MAX_SLICE - 1, wanted + 1) };
		// Newest first: the row behind the cursor is `behind` rows from the end; arrivals push it further.
		const at = total - behind + margin - (behind === 0 ? 1 : 0);
		return { at, toward: -1, rows: Math.min(MAX_SLICE - 1, at) };
	}

	/** After an answer that did not reach back to the cursor: where the row behind it is, by that answer's total. */
	private whereBehind(slice: CallSlice, behind: number): SliceRequest | undefined {
		// (The stored order only says where to look; the walk reads every answer by the order it shows.)
		const order = orderOf(slice) || this.walk.order || this.previous.hints.order;
		if (order === 1) return { at: Math.max(0, behind - 1), toward: 1, rows: MAX_SLICE - 1 };
		if (order !== -1) return undefined;
		const at = slice.total - behind - (behind === 0 ? 1 : 0);
		return { at: Math.max(0, at), toward: -1, rows: MAX_SLICE - 1 };
	}

	private record(slice: CallSlice): void {
		this.last = slice;
		for (const row of slice.rows) this.rows.set(row.call.id, row);
	}

	/** Counts what the walk took into the ledger: by id when recent, and behind the cursor when passed. */
	private account(taken: CallRow[]): void {
		const before = this.previous.cursor;
		const after = this.walk.cursor;
		let behind = this.ledger.behind;
		if (before && after && after.at > before.at) behind += before.ids.length;
		for (const { call } of taken) {
			if (after && call.createdAt < after.at) behind++;
			this.ledger.add(call.id, call.createdAt);
			if (!call.settled) this.open.set(call.id, { at: call.createdAt, counted: countedOf(call) });
		}
		this.ledger.behind = behind;
	}

	/** Compares the rows behind the stored cursor with what was taken there (late calls, deletions). */
	private async reconcile(): Promise<void> {
		const measured = this.measured as BehindCount;
		const cursor = this.previous.cursor as CursorState;
		const accounted = this.previous.ledger.behind;
		const delta = measured.count - accounted;
		if (delta === 0) return;
		// The first read of a tracker started at a time: what lies before that time is passed over.
		if (this.previous.hints.total === 0 && accounted === 0 && cursor.ids.length === 0) {
			this.ledger.behind += delta;
			return;
		}
		if (delta < 0) return this.shrank(-delta);
		const search: LateSearch = {
			source: this.source,
			query: this.previous.query,
			ledger: this.ledger,
			cursorAt: cursor.at,
			accounted,
			unaccounted: delta,
			order: this.walk.order ?? -1,
			total: measured.total,
			hasTime: this.options.hasTime,
		};
		const late = await findLate(search);
		for (const row of late.found) this.rows.set(row.call.id, row);
		for (const row of late.found) {
			this.added.push(row);
			this.ledger.add(row.call.id, row.call.createdAt);
			if (!row.call.settled) this.open.set(row.call.id, { at: row.call.createdAt, counted: countedOf(row.call) });
		}
		if (late.inconsistent) {
			// Counts that cannot be explained: rebuilt, or taken as they are now (nothing to look for next time).
			this.ledger.behind += delta;
			this.shrank(0);
			return;
		}
		// Found, and rows beyond what the ledger keeps (nothing to find there): counted as taken. Rows not
		// placed for lack of time are looked for again by the next poll.
		this.ledger.behind += late.found.length + late.beyond;
	}

	/** Calls were deleted (or the counts cannot be explained): rebuild, or go on from the list as it is. */
	private shrank(deleted: number): void {
		if (this.options.onShrink === 'rebuild') this.lost = true;
		else this.ledger.behind = Math.max(0, this.ledger.behind - deleted);
	}

	/** Reads again the calls that may still change and were not in this poll's answers (while time lasts). */
	private async refreshOpen(): Promise<void> {
		const now = this.options.now;
		let time = true;
		for (const [id, entry] of [...this.open].sort((a, b) => a[1].at - b[1].at)) {
			if (entry.at < now - MAX_WATCH_MS) {
				this.open.delete(id);
				continue;
			}
			if (!this.rows.has(id) && time && this.options.hasTime()) {
				const read = await settled(this.readAround(id, entry.at));
				if ('error' in read && !timedOut(read.error)) throw read.error;
				time = !('error' in read);
			}
			const row = this.rows.get(id);
			if (row === undefined) continue;
			if (row.call.id !== id) continue;
			this.see(id, entry, row.call);
		}
	}

	/** One answer around where a call should be; if it is not there, the call by its id. */
	private async readAround(id: number, at: number): Promise<void> {
		const order = this.walk.order;
		const total = this.last?.total;
		const cursor = this.walk.cursor;
		if (order !== undefined && total !== undefined && cursor) {
			const request = requestAt(this.ledger, cursor.at, at, { order, total }, 'newer');
			this.record(await this.source.slice(this.previous.query, request));
			if (this.rows.has(id) || !this.options.hasTime()) return;
		}
		const row = await this.source.call(id);
		if (row) this.rows.set(id, row);
		else {
			// Deleted: the calls counted before changed.
			this.open.delete(id);
			this.shrank(0);
		}
	}

	private see(id: number, entry: OpenEntry, call: Call): void {
		if (changed(entry.counted, call)) this.updated.push({ before: countedCall(id, entry), after: call });
		if (call.settled) this.open.delete(id);
		else this.open.set(id, { at: entry.at, counted: countedOf(call) });
	}

	private result(caughtUp: boolean): TrackerChanges {
		const { options, previous } = this;
		const cursor = this.walk.cursor ?? null;
		const recentFrom = options.now - Math.max(RECENT_MS, options.settleMs + 15 * 60_000);
		this.ledger.prune(Math.min(recentFrom, cursor?.at ?? recentFrom), options.keepFrom);
		const oldest = this.added.reduce((min, { call }) => Math.min(min, call.createdAt), Infinity);
		const total = this.last?.total;
		const state: TrackerState = {
			query: previous.query,
			cursor,
			ledger: this.ledger.store(),
			open: [...this.open].map(
				([id, { at, counted: c }]): OpenCall => [id, at, c.st, c.cost, c.car, c.dur, c.as, c.ca, c.ph, c.dir],
			),
			oldestAt:
				Number.isFinite(oldest) && (!previous.oldestAt || oldest < previous.oldestAt) ? oldest : previous.oldestAt,
			hints: {
				order: this.walk.order ?? previous.hints.order,
				total: total ?? previous.hints.total,
				grew: total !== undefined && previous.hints.total > 0 ? Math.max(0, total - previous.hints.total) : 0,
			},
		};
		return { state, added: this.added, updated: this.updated, caughtUp, lost: this.lost, rows: this.rows, total };
	}
}

/**
 * A slice holding the calls of time `at` (behind the cursor), by the ledger's count of the calls taken
 * before it, and reaching on toward newer or older calls: a place to look, checked by what it shows.
 */
function requestAt(
	ledger: Ledger,
	cursorAt: number,
	at: number,
	list: { order: 1 | -1; total: number },
	toward: 'newer' | 'older',
): SliceRequest {
	const behind = ledger.behind - ledger.takenIn(at, cursorAt);
	const group = Math.max(1, ledger.takenIn(at, at + 1));
	// Indices of the calls of that time: oldest first from `behind` on; newest first counted from the end.
	const oldest = list.order === 1 ? behind : list.total - 1 - behind;
	const newest = list.order === 1 ? behind + group - 1 : list.total - behind - group;
	const step = list.order === 1 ? 1 : -1;
	const request: SliceRequest =
		toward === 'newer'
			? { at: oldest, toward: step, rows: MAX_SLICE - 1 }
			: { at: newest, toward: step === 1 ? -1 : 1, rows: MAX_SLICE - 1 };
	return { ...request, at: Math.max(0, request.at) };
}

/** Where to look for the calls of time `at` in the list a tracker state reads (undefined: not known yet). */
export function sliceAt(state: TrackerState, at: number, toward: 'newer' | 'older'): SliceRequest | undefined {
	const ledger = Ledger.load(state.ledger);
	const { order, total } = state.hints;
	if (!ledger || !state.cursor || order === 0 || at > state.cursor.at) return undefined;
	return requestAt(ledger, state.cursor.at, at, { order, total }, toward);
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

/** Rebuilds the counted version of a call that may still change (enough for every consumer). */
export function countedCall(id: number, entry: OpenEntry): Call {
	const { counted } = entry;
	return {
		id,
		createdAt: entry.at,
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
