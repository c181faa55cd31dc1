/**
 * Call tracking for the triggers: every poll, the calls that are new since the last one, the changes of
 * the calls that may still change, and the calls that showed up late. Consumers get every change as
 * "remove the old version, add the new one", so a call is counted once, at its latest known cost.
 *
 * A poll walks the list toward newer calls from the stored cursor (src/list/walk.ts: a time and the
 * ids taken at it), so its first answer is where the last poll stopped: the row just behind the
 * cursor, the cursor's calls, and whatever came after — one small answer when nothing is new, since
 * the stored total, growth and order say where to ask (src/triggers/forward.ts; they are only hints:
 * every answer is checked, and an answer elsewhere is simply asked again where it shows the cursor is).
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
import { incomplete, settled } from '../errors';
import { Walk, type BehindCount, type CursorState } from '../list/walk';
import { HOUR_MS, MINUTE_MS } from '../clock';
import { readForward } from './forward';
import { findLate, timedOut } from './late';
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
	hints: {
		order: -1 | 0 | 1;
		total: number;
		grew: number;
		/** The unexplained difference the last poll saw, 0 for none (see unexplained). */
		doubt: number;
	};
}

/** A call still unsettled this long after it started is no longer watched: it is taken as it is. */
export const MAX_WATCH_MS = 2 * HOUR_MS;
/**
 * Calls taken in the last RECENT_MS are kept by id (at most MAX_RECENT of them, src/triggers/ledger.ts):
 * a call listed that late is told apart by its id; one listed later, by its stretch's checksums.
 */
export const RECENT_MS = 6 * HOUR_MS;

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
		hints: z.object({
			order: z.union([z.literal(-1), z.literal(0), z.literal(1)]),
			total: count,
			grew: count,
			doubt: int,
		}),
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
		ledger: Ledger.empty(startAt).store(),
		open: [],
		oldestAt: 0,
		hints: { order: 0, total: 0, grew: 0, doubt: 0 },
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
	/** The unexplained difference seen by this poll (see unexplained). */
	private doubt = 0;

	constructor(
		private readonly source: CallSource,
		private readonly previous: TrackerState,
		private readonly options: TrackOptions,
	) {
		this.ledger = Ledger.load(previous.ledger) ?? Ledger.empty();
		for (const [id, at, st, cost, car, dur, as, ca, ph, dir] of previous.open) {
			this.open.set(id, { at, counted: { st, cost, car, dur, as, ca, ph, dir } });
		}
		this.walk = new Walk('newer', previous.cursor ?? undefined);
	}

	async run(): Promise<TrackerChanges> {
		const { previous, options } = this;
		const read = await readForward({
			source: this.source,
			from: previous,
			ledger: this.ledger,
			openAts: [...this.open.values()].map((entry) => entry.at),
			accept: options.accept,
			// One request is kept for confirming the list's end before its counts are acted on (confirmEnd):
			// a read that used the poll's last request would leave the poll unable to finish, every time.
			hasTime: () => options.hasTime(2),
			read: (slice) => this.record(slice),
		});
		this.walk = read.walk;
		this.measured = read.measured;
		this.added.push(...read.taken);
		const end = read.end;
		const taken = [...this.added];
		this.checkCounts(taken);
		this.account(taken);
		if (this.measured && !this.lost) await this.reconcile();
		if (!this.lost) await this.refreshOpen();
		return this.result(end === 'end' || end === 'refused');
	}

	private record(slice: CallSlice): void {
		this.last = slice;
		for (const row of slice.rows) this.rows.set(row.call.id, row);
	}

	/**
	 * The first answer's count of rows behind the stored cursor, and the last answer's count behind the
	 * new cursor, must agree with the calls taken between them. More in the last: calls listed late
	 * meanwhile (the next poll finds them). Fewer: calls deleted meanwhile, or a first answer that was not
	 * where it said it was (a server answering another page's rows) — the later answer is the list as it
	 * is now, and the count behind the stored cursor is taken from it.
	 */
	private checkCounts(taken: CallRow[]): void {
		const first = this.measured;
		const last = this.walk.behind;
		const before = this.previous.cursor;
		const after = this.walk.cursor;
		if (!first || !last || !before || !after || after.at <= before.at) return;
		const since = before.ids.length + taken.filter(({ call }) => call.createdAt < after.at).length;
		if (last.count < first.count + since) this.measured = { count: Math.max(0, last.count - since), total: last.total };
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
		await this.confirmEnd(measured);
		// The first read of a tracker started at a time: what lies before that time is passed over.
		if (this.previous.hints.total === 0 && accounted === 0 && cursor.ids.length === 0) {
			this.ledger.behind += delta;
			return;
		}
		if (delta < 0) return this.unexplained(delta);
		const late = await findLate({
			source: this.source,
			query: this.previous.query,
			ledger: this.ledger,
			cursorAt: cursor.at,
			accounted,
			unaccounted: delta,
			order: this.walk.order ?? -1,
			total: this.last?.total ?? measured.total,
			hasTime: this.options.hasTime,
		});
		if (late.inconsistent) return this.unexplained(delta);
		for (const row of late.found) {
			this.rows.set(row.call.id, row);
			this.added.push(row);
			this.ledger.add(row.call.id, row.call.createdAt);
			if (!row.call.settled) this.open.set(row.call.id, { at: row.call.createdAt, counted: countedOf(row.call) });
		}
		// Found, and rows beyond what the ledger keeps (nothing to find there): counted as taken. Rows not
		// placed for lack of time are looked for again by the next poll.
		this.ledger.behind += late.found.length + late.beyond;
	}

	/**
	 * In a newest-first list a count of rows before a time comes from the list's total: before a tracker
	 * acts on a count that differs from the ledger's, the last row that total promises must be there (a
	 * total overstated by the server would look like calls listed late, or make every later count look
	 * like deleted calls). One small request, and only when the counts differ.
	 */
	private async confirmEnd(measured: BehindCount): Promise<void> {
		if (this.walk.order !== -1 || measured.total === 0) return;
		const last = measured.total - 1;
		const slice = await this.source.slice(this.previous.query, { at: last, toward: -1, rows: 1 });
		const holds = slice.rows.length > 0 && slice.start <= last && slice.start + slice.rows.length > last;
		if (!holds) {
			throw incomplete(`the list's total ${measured.total} has no row at its end (row ${measured.total})`);
		}
	}

	/**
	 * Rows behind the cursor that cannot be explained: fewer than were taken (deleted calls) or more that
	 * cannot be told apart. Believed only when the next poll sees the same difference (a history that
	 * changed stays changed; a server that answered wrongly, or a list read while it moved, rarely gives
	 * the same difference twice); then the threshold and spike triggers rebuild, the Call Trigger goes on
	 * from the list as it is.
	 */
	private unexplained(delta: number): void {
		if (this.previous.hints.doubt !== delta) {
			this.doubt = delta;
			return;
		}
		if (this.options.onShrink === 'rebuild') this.lost = true;
		else this.ledger.behind = Math.max(0, this.ledger.behind + delta);
	}

	/**
	 * Reads again the calls that may still change and were not in this poll's answers (while time lasts).
	 * A call still unsettled MAX_WATCH_MS after it started is read a last time and then left as it is.
	 */
	private async refreshOpen(): Promise<void> {
		let time = true;
		for (const [id, entry] of [...this.open].sort((a, b) => a[1].at - b[1].at)) {
			if (!this.rows.has(id) && time && this.options.hasTime()) {
				const read = await settled(this.readAround(id, entry.at));
				if ('error' in read && !timedOut(read.error)) throw read.error;
				time = !('error' in read);
			}
			const row = this.rows.get(id);
			if (row) this.see(id, entry, row.call);
			if (row && entry.at < this.options.now - MAX_WATCH_MS) this.open.delete(id);
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
			// Deleted: the calls counted before changed (rebuilt, for totals).
			this.open.delete(id);
			if (this.options.onShrink === 'rebuild') this.lost = true;
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
		const recentFrom = options.now - Math.max(RECENT_MS, options.settleMs + 15 * MINUTE_MS);
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
				doubt: this.doubt,
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
