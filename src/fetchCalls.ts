/**
 * Reading the calls of a period, completely or not at all: pages of 100 (or the smaller `per_page`
 * a server reports), a day wider than the period on each side (the API's date filter uses an
 * unstated timezone), precise filtering by `created_at` on our side.
 *
 * A walk through the pages keeps one call as its boundary — the last one it visited — and position
 * arithmetic (src/pages.ts) does the rest: a row at or behind the boundary was visited already (pages
 * shift when new calls arrive), a row beyond it is new, and a page that does not reach back to the
 * boundary leaves rows unseen, which is an error, never a short total. Memory stays flat however
 * many calls the period holds. A list whose order cannot be told (pages of one row, or no `total`)
 * falls back to remembering ids.
 */
import { matchesFilters, type Call, type CallFilters } from './calls';
import type { CallQuery, CallsPage, FamulorClient } from './client';
import { PAGE_SIZE } from './client';
import type { FamulorApiError } from './errors';
import {
	checkPage,
	incomplete,
	isSorted,
	orderOf,
	pageHolding,
	positionsOf,
	type ListOrder,
	type PositionedCall,
} from './pages';
import type { RawCall } from './schemas';
import { apiDateRange, type ResolvedPeriod } from './periods';

export interface PeriodScan {
	period: ResolvedPeriod;
	/** Filters the API applies (ids); always re-checked locally through `filters`. */
	query: CallQuery;
	filters: CallFilters;
}

export function periodQuery(scan: PeriodScan): CallQuery {
	return { ...scan.query, ...apiDateRange(scan.period.startMs, scan.period.endMs) };
}

function inScan(call: Call, scan: PeriodScan): boolean {
	return (
		call.createdAt >= scan.period.startMs && call.createdAt < scan.period.endMs && matchesFilters(call, scan.filters)
	);
}

/** A call read from a page, with its raw API object. */
interface Row extends PositionedCall {
	raw: RawCall;
}

const MAX_PAGE_READS = 3;

/** One page of the calls, checked against itself (src/pages.ts checkPage). */
async function readPage(
	client: FamulorClient,
	query: CallQuery,
	page: number,
	perPage = PAGE_SIZE,
): Promise<CallsPage> {
	const result = await client.getCallsPage(query, page, perPage);
	checkPage(result, { page, perPage });
	return result;
}

/**
 * One pass through the list, page by page, in one direction: toward the oldest calls (-1: a
 * newest-first list read forward, or an oldest-first list read backward) or toward the newest (1).
 * `take` hands back the rows of a page that were not visited before, in walking order, after
 * checking that nothing lies between them and the rows visited so far. The order comes from the
 * first page; a list whose order it does not show (a page of one row) is walked by id.
 */
class PageWalk {
	/** The last row visited: the boundary between what was read and what was not. */
	private boundary: Row | undefined;
	/** Ids visited, only while walking by id. */
	private readonly seen = new Set<number>();
	/** The largest total seen: a list only grows while it is read (a smaller one means calls were deleted). */
	private total = 0;
	pages = 1;

	constructor(
		private readonly client: FamulorClient,
		private readonly query: CallQuery,
		readonly order: ListOrder,
		private readonly direction: -1 | 1,
	) {}

	/** Whether rows are told apart by position (else by id). */
	private positional(page: CallsPage): boolean {
		return this.order !== 0 && Number.isFinite(page.total);
	}

	/** Page `page`, asked again while it repeats rows already visited although the list did not grow. */
	async read(page: number, perPage: number): Promise<CallsPage> {
		for (let attempt = 1; ; attempt++) {
			const result = await readPage(this.client, this.query, page, perPage);
			this.pages++;
			if (!this.repeats(result)) return result;
			if (attempt >= MAX_PAGE_READS) throw repeatedPage(page);
		}
	}

	/** The rows of `page` not visited yet, in walking order. */
	take(page: CallsPage): Row[] {
		if (!this.positional(page)) return this.takeById(page);
		if (!isSorted(page.calls, this.order as -1 | 1)) {
			throw incomplete(`page ${page.page} of the calls is not sorted by time like the first page`);
		}
		const rows: Row[] = positionsOf(page, this.order as -1 | 1).map((row, index) => ({
			...row,
			raw: page.raw[index] as RawCall,
		}));
		// Positions grow toward the newest end; walking order follows the direction.
		if (this.order !== this.direction) rows.reverse();
		if (page.total < this.total) {
			throw incomplete(
				`the list shrank from ${this.total} to ${page.total} calls while it was read (calls were deleted)`,
			);
		}
		this.total = page.total;
		const ahead = rows.filter((row) => this.beyond(row));
		this.checkReachesBoundary(page, rows, ahead);
		const last = ahead[ahead.length - 1];
		if (last) this.boundary = last;
		return ahead;
	}

	/** Whether a row lies beyond the boundary in the walking direction. */
	private beyond(row: PositionedCall): boolean {
		return !this.boundary || (row.position - this.boundary.position) * this.direction > 0;
	}

	/** A page whose nearest new row is not next to the boundary leaves rows unseen; an overlap must agree. */
	private checkReachesBoundary(page: CallsPage, rows: Row[], ahead: Row[]): void {
		const boundary = this.boundary;
		const nearest = ahead[0];
		if (!boundary || !nearest) return;
		if (ahead.length < rows.length) {
			const atBoundary = rows.find((row) => row.position === boundary.position);
			if (atBoundary && atBoundary.call.id !== boundary.call.id) {
				throw incomplete(`calls were deleted or reordered while the list was read (page ${page.page})`);
			}
			return;
		}
		if (nearest.position !== boundary.position + this.direction) {
			const gap = Math.abs(nearest.position - boundary.position) - 1;
			throw incomplete(`${gap} row(s) between page ${page.page} and the page read before it were never shown`);
		}
	}

	/** The fallback for a list whose order is unknown: dedupe by id. */
	private takeById(page: CallsPage): Row[] {
		const rows: Row[] = [];
		page.calls.forEach((call, index) => {
			if (this.seen.has(call.id)) return;
			this.seen.add(call.id);
			rows.push({ call, position: -1, raw: page.raw[index] as RawCall });
		});
		const last = rows[rows.length - 1];
		if (last) this.boundary = last;
		return rows;
	}

	/**
	 * Whether a page holds only rows already visited: the server answered with another page's rows
	 * (new calls shift a newest-first list by fewer rows than a page, unless a page or more arrived,
	 * and then rows beyond the boundary show up too).
	 */
	private repeats(page: CallsPage): boolean {
		const boundary = this.boundary;
		if (!boundary || page.calls.length === 0) return false;
		if (!this.positional(page)) return page.calls.every((call) => this.seen.has(call.id));
		const rows = positionsOf(page, this.order as -1 | 1);
		if (rows.every((row) => !this.beyond(row))) return true;
		// Rows placed beyond the boundary must also lie beyond it in time: a page answered with the rows
		// of an earlier page has them on the wrong side of the boundary call.
		// (Positions and time both grow toward the newest end.)
		return rows.some((row) => this.beyond(row) && (row.call.createdAt - boundary.call.createdAt) * this.direction < 0);
	}

	/** Position of the last row visited (undefined before the first, or when walking by id). */
	get boundaryPosition(): number | undefined {
		return this.boundary && this.boundary.position >= 0 ? this.boundary.position : undefined;
	}

	/** After the walk: whether it reached the end it walked toward (position 0, or the newest call). */
	reachedEnd(last: CallsPage): boolean {
		if (!this.positional(last)) return true;
		if (!this.boundary) return last.total === 0;
		return this.direction === -1 ? this.boundary.position === 0 : this.boundary.position >= last.total - 1;
	}
}

function repeatedPage(page: number): FamulorApiError {
	return incomplete(
		`Famulor answered page ${page} of the calls with the rows of another page, ${MAX_PAGE_READS} times`,
	);
}

/**
 * With the list in a known order, a full page entirely on the far side of the period (older than
 * its start when walking toward the old end, newer than its end when walking toward the new end)
 * ends the walk early: every call of the period lies behind it.
 */
function isPastPeriod(page: CallsPage, scan: PeriodScan, direction: -1 | 1): boolean {
	if (page.calls.length < page.perPage) return false;
	if (direction === -1) return page.calls.every((call) => call.createdAt < scan.period.startMs);
	return page.calls.every((call) => call.createdAt >= scan.period.endMs);
}

/**
 * Visits every call of the period exactly once, or throws `incomplete`. Memory: one boundary call
 * (an id per call only for a list whose order cannot be told).
 */
export async function forEachCall(
	client: FamulorClient,
	scan: PeriodScan,
	visit: (call: Call, raw: RawCall) => void,
): Promise<{ pages: number }> {
	const query = periodQuery(scan);
	let page = await readPage(client, query, 1);
	const order = orderOf(page.calls);
	// Pages are read forward: toward the old end in a newest-first list, toward the new end otherwise.
	const direction = order === 1 ? 1 : -1;
	const walk = new PageWalk(client, query, order, direction);
	for (let number = 1; ; ) {
		for (const row of walk.take(page)) if (inScan(row.call, scan)) visit(row.call, row.raw);
		if (page.calls.length === 0 || number >= page.lastPage) break;
		if (order !== 0 && isPastPeriod(page, scan, direction)) return { pages: walk.pages };
		number++;
		page = await walk.read(number, page.perPage);
	}
	if (!walk.reachedEnd(page)) {
		throw incomplete(`the last page (${page.page}) ends before the end of the list (total ${page.total})`);
	}
	return { pages: walk.pages };
}

/**
 * A page size (limit…max) whose last page of a `total`-long list holds at least `limit` rows, so the
 * newest `limit` calls of an oldest-first list come in one request; undefined if there is none.
 */
function tailPageSize(total: number, limit: number, max: number): number | undefined {
	if (!Number.isFinite(total) || limit > max) return undefined;
	for (let size = Math.max(1, limit); size <= max; size++) {
		const rest = total % size;
		if (rest === 0 || rest >= limit) return size;
	}
	return undefined;
}

/** The last page at `size` rows a page, collected; whether that was enough. */
async function collectTail(
	walk: PageWalk,
	first: CallsPage,
	size: number,
	collect: (page: CallsPage) => boolean,
): Promise<boolean> {
	const tail = await walk.read(Math.ceil(first.total / size), size);
	return collect(tail) || walk.boundaryPosition === 0;
}

/**
 * The newest `limit` calls of the period, newest first. Reads from whichever end of the list holds
 * the newest calls (an oldest-first list backward from its last page), so a small limit costs one
 * or two requests in either sort order; the same boundary checks as forEachCall apply.
 */
export async function newestCalls(
	client: FamulorClient,
	scan: PeriodScan,
	limit: number,
): Promise<Array<{ call: Call; raw: RawCall }>> {
	const query = periodQuery(scan);
	const first = await readPage(client, query, 1);
	const order = orderOf(first.calls);
	const walk = new PageWalk(client, query, order, -1);
	const found: Array<{ call: Call; raw: RawCall }> = [];
	/** Collects a page; true once enough, or once a whole page is older than the period. */
	const collect = (page: CallsPage): boolean => {
		for (const row of walk.take(page)) if (inScan(row.call, scan)) found.push({ call: row.call, raw: row.raw });
		return found.length >= limit || (order !== 0 && isPastPeriod(page, scan, -1));
	};
	if (order === 1 && first.lastPage > 1) {
		let next = first.lastPage;
		// When the newest `limit` calls fit on the last page of some page size, one request fetches them.
		const size = tailPageSize(first.total, limit, first.perPage);
		if (size !== undefined && (await collectTail(walk, first, size, collect))) next = 0;
		else if (walk.boundaryPosition !== undefined)
			next = pageHolding(walk.boundaryPosition - 1, first.total, 1, first.perPage);
		for (let number = next; number >= 1; number--) {
			const page = number === 1 ? first : await walk.read(number, first.perPage);
			if (collect(page)) break;
		}
	} else {
		let page = first;
		for (let number = 1; !collect(page) && page.calls.length > 0 && number < page.lastPage; ) {
			number++;
			page = await walk.read(number, page.perPage);
		}
	}
	found.sort((a, b) => b.call.createdAt - a.call.createdAt || b.call.id - a.call.id);
	return found.slice(0, limit);
}
