/**
 * The Famulor API as the core sees it: the shapes it consumes and the one narrow interface through
 * which readers and triggers read the call list. Famulor Classic (src/api/classic/) is one adapter
 * behind it; the tests' in-memory list (test/helpers/memorySource.ts) is another. Nothing in here
 * knows a Classic query key, a Laravel paginator or an HTTP status.
 *
 * The call list is a list of calls ordered by `created_at` (ascending or descending: not documented,
 * so every reader learns it from the rows, every time). Calls that share a `created_at` come in any
 * order, a different one on every request (a database serves ties under LIMIT/OFFSET that way). A
 * slice is one answer: a contiguous run of the list as it was at that moment, where it starts, and
 * how long the list was then. Positions are only where to look next: a call is its id.
 */
import type { Call } from '../calls';

/** Which calls a list holds: the filters Famulor applies itself (every reader re-checks them locally). */
export interface CallQuery {
	/** First day (YYYY-MM-DD, the server's own timezone, which is not stated): read a day wider. */
	from?: string;
	/** Last day, inclusive (YYYY-MM-DD). */
	to?: string;
	assistantId?: string | number;
	campaignId?: string | number;
	direction?: string;
	status?: string;
}

/** A call as read: the normalised call and the API's own object (for outputs that return it raw). */
export interface CallRow {
	call: Call;
	raw: Record<string, unknown>;
}

/** One answer of the call list. */
export interface CallSlice {
	/** The rows as the list served them (its order, ties in any order). */
	rows: CallRow[];
	/** Index of the first row in the list (0 = the first row the list serves). */
	start: number;
	/** Length of the list when this answer was made. */
	total: number;
	/** The most rows one answer can hold at this server (its page size, or a smaller cap it reported). */
	capacity: number;
}

/**
 * Which slice to read: one holding index `at`, reaching up to `rows` rows beyond it `toward` higher
 * (1) or lower (-1) indices. The adapter answers with the slice it can serve that holds `at` and
 * reaches furthest, never more than that (bytes are what a poll pays for).
 */
export interface SliceRequest {
	at: number;
	toward: 1 | -1;
	rows: number;
}

export interface CallSource {
	/** One slice of the calls matching `query`. */
	slice(query: CallQuery, request: SliceRequest): Promise<CallSlice>;
	/** One call by id, or undefined when the API says it does not exist (deleted). */
	call(id: number): Promise<CallRow | undefined>;
	/** Requests sent so far (retries included), for accounting. */
	readonly requests: number;
}

/** The largest slice any adapter serves: Famulor Classic's `per_page` limit. */
export const MAX_SLICE = 100;

/** Whether a slice holds the last row of the list (nothing after it). */
export function reachesEnd(slice: CallSlice): boolean {
	return slice.start + slice.rows.length >= slice.total;
}
