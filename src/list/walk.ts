/**
 * The one cursor every reader of the call list walks with (the period reader and the triggers'
 * reader): a `created_at` and the ids taken at it — Notion's and Gmail's inclusive cursor with its
 * boundary ids. Every call behind the cursor's time was taken; at its time, the ids listed were.
 *
 * `feed` takes one slice (one answer of the list). It uses a slice only when the slice goes on from the
 * cursor — it holds a row behind the cursor's time, or it starts at the end of the list behind the
 * walk — and then takes, in walk order and ties by id, every call of the slice ahead of what was
 * taken: the cursor's own group (ids not taken yet), then each group after it. A group that the slice
 * proves whole (src/list/slice.ts) is done; the last group of a slice that is not an end of the list is
 * left open: its calls are taken and their ids kept, and the next slice must show the group again with
 * a row behind it, so calls of that time that this slice did not show are taken then. A call is
 * therefore taken once, whatever order ties come in and wherever the page boundaries fall, and the
 * memory a walk needs is one group's ids.
 *
 * What a slice that cannot be used says instead: where to ask next (src/list/drive.ts asks).
 */
import type { CallRow, CallSlice, SliceRequest } from '../api/port';
import { incomplete } from '../errors';
import { createdAtOf, orderOf, walkKey, WalkView, type Direction, type ListOrder } from './slice';

export type Outcome =
	/** Everything the slice proves was taken; the walk goes on with `next`. */
	| 'more'
	/** The list holds nothing ahead of the cursor. */
	| 'end'
	/** `accept` refused a call: the walk stops at it (the cursor is just behind it). */
	| 'refused'
	/** The slice starts ahead of the cursor (rows between them were not shown): ask further behind. */
	| 'gap'
	/** The slice lies wholly behind the cursor: ask further ahead. */
	| 'behind'
	/** The slice shows no order (one time only) and is not the whole list. */
	| 'unordered'
	/** The slice has no rows although the list is not empty (asked beyond its end). */
	| 'empty';

export interface Step {
	outcome: Outcome;
	/** Calls taken from this slice, in walk order. */
	taken: CallRow[];
	/** Where the walk needs a row next: a slice holding index `at`, read `toward` the walk. */
	anchor?: { at: number; toward: 1 | -1 };
	/** The slice went on from the cursor: how many rows lay behind the cursor's time in it (before taking). */
	behind?: BehindCount;
}

/** A cursor as stored: the `created_at` of the group at the cursor (ms) and the ids taken there. */
export interface CursorState {
	at: number;
	ids: number[];
}

/** How many rows of the list lie behind the cursor's time, as counted in one answer (with its total). */
export interface BehindCount {
	count: number;
	total: number;
}

export class Walk {
	/** The cursor's walk key (-Infinity before the first call). */
	private key: number;
	private ids: Set<number>;
	/** The list's order, learnt from the slices of this walk (never from anything stored). */
	order: ListOrder | undefined;
	/** Rows behind the cursor's time, from the last slice that showed where its group begins. */
	behind: BehindCount | undefined;

	constructor(
		readonly direction: Direction,
		cursor: CursorState | undefined,
		private readonly accept?: (row: CallRow) => boolean,
		/** Calls taken at the cursor cannot have been deleted (a period read, start to end): see atEnd. */
		private readonly strictEnd = false,
		/**
		 * The order the list had when last read (a tracker's hint), for an answer whose calls all share one
		 * second and so show none: a wrong hint only makes the walk stop early (it goes on next time).
		 */
		private readonly hint: ListOrder | 0 = 0,
	) {
		this.key = cursor ? walkKey(cursor.at, direction) : -Infinity;
		this.ids = new Set(cursor?.ids ?? []);
	}

	/** The cursor: the time of its group and the ids taken there (undefined before the first call). */
	get cursor(): CursorState | undefined {
		if (this.key === -Infinity) return undefined;
		return { at: createdAtOf(this.key, this.direction), ids: [...this.ids].sort((a, b) => a - b) };
	}

	/** Whether the cursor lies beyond `createdAt` in the walk's direction (everything up to it was taken). */
	passed(createdAt: number): boolean {
		return this.key > walkKey(createdAt, this.direction);
	}

	/** Whether a call was taken (is behind the cursor, or one of its ids). */
	took(call: { id: number; createdAt: number }): boolean {
		const key = walkKey(call.createdAt, this.direction);
		return key < this.key || (key === this.key && this.ids.has(call.id));
	}

	/** Whether feeding `slice` would go on from the cursor (nothing is taken or changed). */
	continues(slice: CallSlice): boolean {
		if (slice.rows.length === 0) return slice.total === 0;
		const order = this.orderFor(slice);
		if (order === 0) return false;
		const view = new WalkView(slice, order, this.direction);
		const j = view.firstAtLeast(this.key);
		if (j === view.length) return view.aheadBounded;
		return j > 0 || view.behindBounded;
	}

	feed(slice: CallSlice): Step {
		if (slice.rows.length === 0) return slice.total === 0 ? this.emptyList() : { outcome: 'empty', taken: [] };
		const shown = orderOf(slice);
		const order = this.orderFor(slice, shown);
		if (order === 0) return { outcome: 'unordered', taken: [] };
		if (shown && shown !== this.order) {
			this.behind = undefined;
			this.order = shown;
		}
		const view = new WalkView(slice, order, this.direction);
		assertDistinct(view);
		const j = view.firstAtLeast(this.key);
		if (j === view.length) {
			if (view.aheadBounded) return this.atEnd(view, slice);
			return { outcome: 'behind', taken: [], anchor: { at: view.indexOf(j - 1), toward: view.step } };
		}
		if (j === 0 && !view.behindBounded) {
			return { outcome: 'gap', taken: [], anchor: { at: view.indexOf(0) - view.step, toward: view.step } };
		}
		const behind = { count: view.behindCount(j), total: slice.total };
		this.behind = behind;
		return { ...this.take(view, j), behind };
	}

	/** The order to read a slice by: the one it shows, else the one this walk saw, else the hint. */
	private orderFor(slice: CallSlice, shown = orderOf(slice)): ListOrder | 0 {
		return shown || this.order || this.hint || (wholeList(slice) ? 1 : 0);
	}

	/** Takes the groups from walk position `j` on (the slice goes on from the cursor). */
	private take(view: WalkView, j: number): Step {
		const taken: CallRow[] = [];
		for (let p = j; p < view.length; ) {
			const end = view.groupEnd(p);
			const key = view.keys[p] as number;
			if (key !== this.key) {
				// The cursor's group ends before row p: the cursor moves on to p's group.
				this.key = key;
				this.ids = new Set();
				this.behind = { count: view.behindCount(p), total: view.slice.total };
			}
			const fresh = view.rows
				.slice(p, end)
				.filter((row) => !this.ids.has(row.call.id))
				.sort((a, b) => a.call.id - b.call.id);
			for (const row of fresh) {
				if (this.accept && !this.accept(row)) return { outcome: 'refused', taken };
				this.ids.add(row.call.id);
				taken.push(row);
			}
			if (end === view.length && !view.aheadBounded) {
				// The slice may end inside this group: the next one must show it again, with a row behind it.
				const at = p > 0 ? view.indexOf(p - 1) : view.indexOf(0);
				return { outcome: 'more', taken, anchor: { at, toward: view.step } };
			}
			p = end;
		}
		return { outcome: 'end', taken };
	}

	/**
	 * Every row of the slice is behind the cursor, and nothing lies ahead of the slice. A walk that took
	 * calls at the cursor's time (and allows no deletion: `strictEnd`) refuses it: those calls would lie
	 * beyond the list's end — the answer is not where it says it is.
	 */
	private atEnd(view: WalkView, slice: CallSlice): Step {
		if (this.strictEnd && this.ids.size > 0) {
			throw incomplete(
				`an answer says the list ends at row ${slice.start + slice.rows.length}, before calls read already`,
			);
		}
		this.behind = { count: view.behindCount(view.length), total: view.slice.total };
		return { outcome: 'end', taken: [], behind: this.behind };
	}

	private emptyList(): Step {
		this.behind = { count: 0, total: 0 };
		return { outcome: 'end', taken: [], behind: this.behind };
	}
}

/** Whether a slice is the whole list (then its order does not matter). */
function wholeList(slice: CallSlice): boolean {
	return slice.start === 0 && slice.rows.length >= slice.total;
}

/** One answer listing a call twice shows a row in place of another: nothing in it can be trusted. */
function assertDistinct(view: WalkView): void {
	const ids = new Set<number>();
	for (const row of view.rows) {
		if (ids.has(row.call.id)) throw incomplete(`call ${row.call.id} appears twice in one answer`);
		ids.add(row.call.id);
	}
}

export type { SliceRequest };
