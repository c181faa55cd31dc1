/**
 * Reading the calls of a period, completely or not at all (usage summary, calls, charge summary,
 * rentals audit). The list is asked for a day wider than the period on each side (its date filter uses
 * a timezone it does not state) and every call is re-checked by `created_at` and the filters here.
 *
 * The walk (src/list/walk.ts) starts at the list's first row and goes along it: toward older calls in a
 * newest-first list, toward newer ones in an oldest-first list. It stops once its cursor has passed the
 * far end of the period, or at the end of the list. Each call id is visited once, whatever order
 * calls of one second come in and however the list moves while it is read; memory is one group of
 * calls sharing a second.
 */
import type { CallQuery, CallRow, CallSource } from '../api/port';
import { MAX_SLICE } from '../api/port';
import { matchesFilters, type Call, type CallFilters } from '../calls';
import { apiDays, type ResolvedPeriod } from '../periods';
import { drive } from './drive';
import { orderOf, type Direction } from './slice';
import { Walk } from './walk';

export interface PeriodScan {
	period: ResolvedPeriod;
	/** Filters the API applies; always re-checked locally through `filters`. */
	query: CallQuery;
	filters: CallFilters;
}

/** The list query of a scan: its filters and the period's days, a day wider on each side. */
export function periodQuery(scan: PeriodScan): CallQuery {
	return { ...scan.query, ...apiDays(scan.period.startMs, scan.period.endMs) };
}

function inScan(call: Call, scan: PeriodScan): boolean {
	return (
		call.createdAt >= scan.period.startMs && call.createdAt < scan.period.endMs && matchesFilters(call, scan.filters)
	);
}

/** Visits every call of the period exactly once, or throws `incomplete`. */
export async function forEachCall(
	source: CallSource,
	scan: PeriodScan,
	visit: (row: CallRow) => void,
): Promise<{ requests: number }> {
	const query = periodQuery(scan);
	const before = source.requests;
	const first = await source.slice(query, { at: 0, toward: 1, rows: MAX_SLICE - 1 });
	// Along the list from its first row: toward older calls if it is newest first.
	const direction: Direction = (orderOf(first) || 1) === -1 ? 'older' : 'newer';
	const walk = new Walk(direction, undefined, undefined, true);
	const farEnd = direction === 'older' ? scan.period.startMs : scan.period.endMs - 1;
	const visitAll = (rows: CallRow[]) => {
		for (const row of rows) if (inScan(row.call, scan)) visit(row);
		return walk.passed(farEnd);
	};
	await drive(source, query, walk, { at: 0, toward: 1, rows: MAX_SLICE - 1 }, { taken: visitAll, pool: [first] });
	return { requests: source.requests - before };
}

/**
 * The newest `limit` calls of the period, newest first (ties by id, highest first). Walks toward older
 * calls from the newest end of the list: the first row of a newest-first list, the last row of an
 * oldest-first one (its first answer tells where that is). Stops once the calls taken from groups
 * proven whole are enough, or at the period's start.
 */
export async function newestCalls(source: CallSource, scan: PeriodScan, limit: number): Promise<CallRow[]> {
	const query = periodQuery(scan);
	// A few rows more than asked: the oldest group of an answer is only whole when a row after it shows.
	const wanted = Math.max(1, Math.min(MAX_SLICE - 1, limit + 3));
	const first = await source.slice(query, { at: 0, toward: 1, rows: wanted });
	const oldestFirst = orderOf(first) === 1;
	const walk = new Walk('older', undefined, undefined, true);
	const found: CallRow[] = [];
	const enough = (rows: CallRow[]) => {
		for (const row of rows) if (inScan(row.call, scan)) found.push(row);
		// Calls older than the cursor's group are not taken yet: those taken before it are final.
		const cursor = walk.cursor;
		const final = cursor ? found.filter((row) => row.call.createdAt > cursor.at).length : 0;
		return final >= limit || walk.passed(scan.period.startMs);
	};
	// An oldest-first list is walked back from its last row (the first answer told where that is).
	const start = oldestFirst
		? { at: Math.max(0, first.total - 1), toward: -1 as const, rows: wanted }
		: { at: 0, toward: 1 as const, rows: wanted };
	await drive(source, query, walk, start, { taken: enough, rows: () => wanted, pool: [first] });
	return found
		.sort((a, b) => b.call.createdAt - a.call.createdAt || b.call.id - a.call.id)
		.slice(0, Math.max(0, limit));
}
