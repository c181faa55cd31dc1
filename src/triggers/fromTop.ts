/**
 * The tracker's other way of reading what is new, for a newest-first list whose newest calls are read
 * anyway (the threshold and spike triggers): from the top of the list down to the cursor, a walk toward
 * older calls (src/list/walk.ts) that starts at row 0. Its first answer is always of use — the newest
 * calls — so a poll with a few more calls than expected needs no second request to find where the
 * cursor went, and the last answer ends at the list's top, where Laravel's pages line up best.
 *
 * It is tried only when what is new is expected to fit a few answers: a larger backlog (a baseline,
 * or a poll after downtime) is read from the cursor up (the tracker's walk toward newer calls), which
 * keeps what it took however early the poll has to stop. Taken rows are those after the cursor (and
 * at its time, the ids not taken); rows at or before it are only read again.
 */
import type { CallQuery, CallRow, CallSlice, CallSource } from '../api/port';
import { drive } from '../list/drive';
import { orderOf } from '../list/slice';
import { Walk, type BehindCount, type CursorState } from '../list/walk';
import { rowsBefore } from './late';

/** The most rows read from the top before the tracker reads from its cursor up instead. */
export const TOP_ROWS = 400;

export interface FromTop {
	/** Calls new since the cursor, newest first. */
	taken: CallRow[];
	/** The new cursor: the newest time of the list and the ids there. */
	cursor: CursorState;
	/** Rows before the old cursor's time, as the answer holding that boundary counted them. */
	measured: BehindCount;
}

export interface TopRead {
	cursor: CursorState;
	/** Read down to this time at least (the cursor's, or that of an older call to read again). */
	readTo: number;
	/** Rows the first answer asks for: what is expected to be new, and a margin. */
	rows: number;
	hasTime: () => boolean;
	/** Every answer read. */
	read: (slice: CallSlice) => void;
}

/** Reads from the top down to `read.readTo`; undefined when the list is not newest first or the backlog is large. */
export async function readFromTop(source: CallSource, query: CallQuery, read: TopRead): Promise<FromTop | undefined> {
	const old = new Set(read.cursor.ids);
	const walk = new Walk('older', undefined);
	const taken: CallRow[] = [];
	let measured: BehindCount | undefined;
	let newest: CursorState | undefined;
	let wrongWay = false;
	const end = await drive(
		source,
		query,
		walk,
		{ at: 0, toward: 1, rows: read.rows },
		{
			read: (slice) => {
				read.read(slice);
				if (slice.start === 0 && orderOf(slice) === 1) wrongWay = true;
				measured ??= count(slice, read.cursor.at);
			},
			taken: (rows) => {
				newest ??= { at: (rows[0] as CallRow).call.createdAt, ids: [] };
				for (const row of rows) {
					const { id, createdAt } = row.call;
					if (createdAt === newest.at) newest.ids.push(id);
					if (createdAt > read.cursor.at || (createdAt === read.cursor.at && !old.has(id))) taken.push(row);
				}
				return wrongWay || walk.passed(read.readTo) || (walk.behind?.count ?? 0) > TOP_ROWS;
			},
			hasTime: read.hasTime,
		},
	);
	if (wrongWay || end === 'outOfTime' || !measured || !walk.passed(read.readTo)) return undefined;
	return { taken, cursor: newest ?? read.cursor, measured };
}

/** Rows before time `at` in a newest-first answer that shows where they begin. */
function count(slice: CallSlice, at: number): BehindCount | undefined {
	const before = rowsBefore(slice, at, -1);
	return before === undefined ? undefined : { count: before, total: slice.total };
}
