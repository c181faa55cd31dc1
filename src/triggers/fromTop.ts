/**
 * The tracker's way down from the top of a newest-first list, for a poll that reads up to the newest
 * call anyway (the threshold and spike triggers). Its first answer is the top of the list, sized for
 * what is expected to be new; when it reaches down to the cursor (a quiet poll, a few new calls) it
 * is all the poll needs. When more came, the walk goes on down from it — a walk toward older calls
 * (src/list/walk.ts), whose answers line up with Laravel's pages from row 0 — as long as the backlog
 * is a few answers (TOP_ROWS). Nothing is taken unless the walk reaches the cursor: a larger backlog
 * (a baseline, a poll after downtime) is read from the cursor up, which keeps what it took however
 * early the poll has to stop, and ends with the top answer already read.
 */
import type { CallQuery, CallRow, CallSlice, CallSource } from '../api/port';
import { MAX_SLICE } from '../api/port';
import { drive } from '../list/drive';
import { orderOf } from '../list/slice';
import { Walk, type BehindCount, type CursorState } from '../list/walk';
import { rowsBefore } from './late';

/** The most rows read down from the top before the tracker reads from its cursor up instead. */
export const TOP_ROWS = 400;

export interface FromTop {
	/** Calls new since the cursor, oldest first. */
	taken: CallRow[];
	/** The new cursor: the newest time of the list and the ids there. */
	cursor: CursorState;
	/** Rows before the old cursor's time, as the answer holding that boundary counted them. */
	measured: BehindCount;
}

export interface Down {
	source: CallSource;
	query: CallQuery;
	/** The top of the list (an answer from row 0). */
	top: CallSlice;
	cursor: CursorState;
	/** Read down to this time at least (the cursor's, or that of an older call to read again). */
	readTo: number;
	hasTime: () => boolean;
	/** Every further answer read. */
	read: (slice: CallSlice) => void;
	/** Rows from the top the walk is expected to need to pass `readTo`: its next answer is sized to them. */
	reach: number;
}

/** Rows more than expected in the first answer below the top: calls arriving meanwhile push rows down. */
const REACH_MARGIN = 4;

/** Reads from the top down to `readTo`; undefined when the list is not newest first, or it could not get there. */
export async function readDown(down: Down): Promise<FromTop | undefined> {
	const { top, cursor } = down;
	const whole = top.start === 0 && top.rows.length >= top.total;
	if (top.start !== 0 || (orderOf(top) !== -1 && !whole)) return undefined;
	const walk = new Walk('older', undefined);
	const seen: CallRow[] = [];
	let measured = count(top, cursor.at);
	// The first answer below the top holds what is expected; any after it (more came than expected) a full one.
	let sized = false;
	const rows = () => {
		if (sized) return MAX_SLICE - 1;
		sized = true;
		return Math.max(REACH_MARGIN, down.reach - top.rows.length + REACH_MARGIN);
	};
	const end = await drive(
		down.source,
		down.query,
		walk,
		{ at: 0, toward: 1, rows: MAX_SLICE - 1 },
		{
			pool: [top],
			read: (slice) => {
				if (slice !== top) down.read(slice);
				measured ??= count(slice, cursor.at);
			},
			taken: (rows) => {
				seen.push(...rows);
				return walk.passed(down.readTo) || (walk.behind?.count ?? 0) > TOP_ROWS;
			},
			hasTime: down.hasTime,
			rows,
		},
	);
	if (!measured || (end !== 'end' && !walk.passed(down.readTo))) return undefined;
	return taken(seen, cursor, measured);
}

/** The calls after the cursor (and at its time, the ids not taken), and the new cursor at the newest time. */
function taken(seen: CallRow[], cursor: CursorState, measured: BehindCount): FromTop {
	const old = new Set(cursor.ids);
	const fresh = seen.filter(
		({ call }) => call.createdAt > cursor.at || (call.createdAt === cursor.at && !old.has(call.id)),
	);
	// The cursor moves on to the newest time of the list, never back (a list with nothing after it).
	const newest = Math.max(cursor.at, seen[0]?.call.createdAt ?? cursor.at);
	const ids = seen.filter(({ call }) => call.createdAt === newest).map(({ call }) => call.id);
	return {
		taken: fresh.reverse(),
		cursor: { at: newest, ids: newest === cursor.at ? [...new Set([...cursor.ids, ...ids])] : ids },
		measured,
	};
}

/** Rows before time `at` in a newest-first answer that shows where they begin. */
function count(slice: CallSlice, at: number): BehindCount | undefined {
	const before = rowsBefore(slice, at, -1);
	return before === undefined ? undefined : { count: before, total: slice.total };
}
