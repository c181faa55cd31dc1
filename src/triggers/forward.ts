/**
 * A tracker's read of what is new since its cursor (src/triggers/tracker.ts): down from the top of a
 * newest-first list when the backlog is a few answers (src/triggers/fromTop.ts), else from the cursor
 * up (src/list/drive.ts). The stored total, growth and order say where to ask first; they are only
 * hints: every answer is checked by the walk, and an answer elsewhere is asked again where it shows
 * the cursor is.
 */
import type { CallQuery, CallRow, CallSlice, CallSource, SliceRequest } from '../api/port';
import { MAX_SLICE } from '../api/port';
import type { Call } from '../calls';
import { settled } from '../errors';
import { drive, type DriveEnd } from '../list/drive';
import { orderOf } from '../list/slice';
import { Walk, type BehindCount, type CursorState } from '../list/walk';
import { readDown, TOP_ROWS } from './fromTop';
import { timedOut } from './late';
import type { Ledger } from './ledger';

/** The fewest rows of a first answer from the top: a few new calls more than expected fit it. */
const TOP_FIRST_ROWS = 20;

/** Where the last poll stopped, and what it saw of the list. */
export interface ReadFrom {
	query: CallQuery;
	cursor: CursorState | null;
	hints: { order: -1 | 0 | 1; total: number; grew: number };
}

export interface ForwardContext {
	source: CallSource;
	from: ReadFrom;
	/** The calls taken so far (its count behind the cursor places the cursor in the list). */
	ledger: Ledger;
	/** created_at of the calls that may still change: read on the way when they are near the top. */
	openAts: number[];
	/** Whether a call may be taken now; the read stops at the first one refused. */
	accept?: (call: Call) => boolean;
	hasTime: () => boolean;
	/** Every answer read. */
	read: (slice: CallSlice) => void;
}

export interface ForwardRead {
	end: DriveEnd;
	/** The walk, at the new cursor. */
	walk: Walk;
	/** Calls taken, in walk order. */
	taken: CallRow[];
	/** Rows behind the stored cursor's time, as the first answer that went on from it counted them. */
	measured: BehindCount | undefined;
}

export async function readForward(context: ForwardContext): Promise<ForwardRead> {
	const forward = new Forward(context);
	const end = await forward.run();
	return { end, walk: forward.walk, taken: forward.taken, measured: forward.measured };
}

class Forward {
	walk: Walk;
	readonly taken: CallRow[] = [];
	measured: BehindCount | undefined;
	private readonly from: ReadFrom;

	constructor(private readonly context: ForwardContext) {
		this.from = context.from;
		const accept = context.accept;
		const taking = accept ? (row: CallRow) => accept(row.call) : undefined;
		this.walk = new Walk('newer', this.from.cursor ?? undefined, taking, false, this.from.hints.order);
	}

	/** Reads what is new: down from the top when the backlog is a few answers, else from the cursor up. */
	async run(): Promise<DriveEnd> {
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
		const { cursor, hints } = this.from;
		if (!cursor || hints.order !== -1 || this.context.accept) return undefined;
		const { behind, total, margin } = this.expected(cursor);
		const expected = hints.grew > 0 ? MAX_SLICE : total - behind + margin;
		const rows = Math.max(TOP_FIRST_ROWS, Math.min(MAX_SLICE - 1, expected));
		const answer = await settled(this.context.source.slice(this.from.query, { at: 0, toward: 1, rows }));
		if ('error' in answer && timedOut(answer.error)) return undefined;
		if ('error' in answer) throw answer.error;
		this.context.read(answer.value);
		return answer.value;
	}

	/** Down from the top to the cursor (and the calls to read again within TOP_ROWS); whether it got there. */
	private async readDown(top: CallSlice): Promise<boolean> {
		const cursor = this.from.cursor as CursorState;
		const backlog = top.total - this.context.ledger.behind;
		if (backlog > TOP_ROWS) return false;
		const read = await readDown({
			source: this.context.source,
			query: this.from.query,
			top,
			cursor,
			// Calls to read again on the way, if they lie within an answer beyond the cursor (else one answer
			// around them is cheaper: refreshOpen).
			readTo: Math.min(cursor.at, this.openFrom(cursor, top.total, backlog + MAX_SLICE)),
			hasTime: () => this.context.hasTime(),
			read: (slice) => this.context.read(slice),
		});
		if (!read) return false;
		this.taken.push(...read.taken);
		this.measured = read.measured;
		this.walk = new Walk('newer', read.cursor);
		this.walk.order = -1;
		return true;
	}

	/** Walks from the cursor toward the newest call (or the first refused one), taking what is new. */
	private async readUp(top: CallSlice | undefined): Promise<DriveEnd> {
		const behind = this.context.ledger.behind;
		const first = top ? this.whereBehind(top, this.expected(this.from.cursor as CursorState).behind) : undefined;
		return await drive(this.context.source, this.from.query, this.walk, first ?? this.firstRequest(), {
			read: (slice) => this.context.read(slice),
			fed: (step) => {
				if (step.behind && !this.measured && this.from.cursor) this.measured = step.behind;
			},
			taken: (rows) => {
				this.taken.push(...rows);
			},
			hasTime: () => this.context.hasTime(),
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
		const { hints } = this.from;
		const total = Math.max(hints.total + hints.grew, this.context.ledger.behind + cursor.ids.length);
		const margin = Math.min(25, 2 + 2 * Math.ceil(Math.sqrt(hints.grew)));
		const from = this.openFrom(cursor, total + margin);
		return { behind: this.context.ledger.behind - this.context.ledger.takenIn(from, cursor.at), total, margin };
	}

	/** The oldest call that may still change within `rows` of the list's top (else the cursor's time). */
	private openFrom(cursor: CursorState, total: number, rows = MAX_SLICE): number {
		let from = cursor.at;
		for (const at of this.context.openAts) {
			const behind = this.context.ledger.behind - this.context.ledger.takenIn(at, cursor.at);
			if (at < from && total - behind < rows) from = at;
		}
		return from;
	}

	/**
	 * Where the first answer should be: the row just behind the cursor (or behind the oldest call to read
	 * again) and what came after it.
	 */
	private firstRequest(): SliceRequest {
		const { cursor, hints } = this.from;
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
		const order = orderOf(slice) || this.walk.order || this.from.hints.order;
		if (order === 1) return { at: Math.max(0, behind - 1), toward: 1, rows: MAX_SLICE - 1 };
		if (order !== -1) return undefined;
		const at = slice.total - behind - (behind === 0 ? 1 : 0);
		return { at: Math.max(0, at), toward: -1, rows: MAX_SLICE - 1 };
	}
}
