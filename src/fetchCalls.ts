/**
 * Reading the calls of a period: pages of 100, a day wider than the period on each side (the API's
 * date filter uses an unstated timezone), precise filtering by `created_at` on our side, and dedupe
 * by call id so that pages shifting under new calls never count a call twice, whatever the sort order.
 */
import { matchesFilters, type Call, type CallFilters } from './calls';
import type { CallQuery, CallsPage, FamulorClient } from './client';
import { FamulorApiError } from './errors';
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
	return call.createdAt >= scan.period.startMs && call.createdAt < scan.period.endMs && matchesFilters(call, scan.filters);
}

/** Order of a page by creation time: 1 oldest first, -1 newest first, 0 unknown. */
export function pageOrder(calls: Call[]): -1 | 0 | 1 {
	if (calls.length < 2) return 0;
	const first = calls[0];
	const last = calls[calls.length - 1];
	if (first.createdAt !== last.createdAt) return first.createdAt < last.createdAt ? 1 : -1;
	if (first.id !== last.id) return first.id < last.id ? 1 : -1;
	return 0;
}

/**
 * Visits every call of the period exactly once. Memory: the ids of the calls seen (to dedupe), never
 * the calls themselves.
 */
export async function forEachCall(
	client: FamulorClient,
	scan: PeriodScan,
	visit: (call: Call, raw: RawCall) => void,
): Promise<{ pages: number }> {
	const query = periodQuery(scan);
	const seen = new Set<number>();
	let pages = 0;
	let previous: CallsPage | undefined;
	for (let page = 1; ; page++) {
		const result = await pageNotRepeated(client, query, page, seen, previous);
		previous = result;
		pages++;
		result.calls.forEach((call, index) => {
			if (seen.has(call.id)) return;
			seen.add(call.id);
			if (inScan(call, scan)) visit(call, result.raw[index]);
		});
		if (result.calls.length === 0 || page >= result.lastPage || isPastPeriod(result, scan)) break;
	}
	return { pages };
}

/**
 * Whether a page repeats rows already read although the list did not grow by a page since the
 * previous answer: the server answered with another page's rows, and the calls of this page would be
 * skipped. (New calls shifting a newest-first list overlap pages only partly, unless a page or more
 * of them arrived in between, which the total shows.)
 */
function isRepeatedPage(result: CallsPage, seen: Set<number>, previous: CallsPage | undefined): boolean {
	if (!previous || result.calls.length === 0 || !result.calls.every((call) => seen.has(call.id))) return false;
	return !(result.total - previous.total >= result.perPage);
}

const MAX_PAGE_READS = 3;

function repeatedPageError(page: number): FamulorApiError {
	return new FamulorApiError(
		'malformed',
		`Famulor answered page ${page} of the calls with the rows of another page`,
		'This is usually transient: run the node again. Nothing was returned from an incomplete read. If it repeats, please report it to the package maintainers.',
		{ retryable: true },
	);
}

/** Page `page`, asked again while the answer repeats rows already read (see isRepeatedPage). */
async function pageNotRepeated(
	client: FamulorClient,
	query: CallQuery,
	page: number,
	seen: Set<number>,
	previous: CallsPage | undefined,
): Promise<CallsPage> {
	for (let read = 1; ; read++) {
		const result = await client.getCallsPage(query, page);
		if (!isRepeatedPage(result, seen, previous)) return result;
		if (read >= MAX_PAGE_READS) throw repeatedPageError(page);
	}
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

/** With the list in a known order, a full page entirely outside the period on the far side ends the scan early. */
function isPastPeriod(page: CallsPage, scan: PeriodScan): boolean {
	const order = pageOrder(page.calls);
	if (order === 0 || page.calls.length < page.perPage) return false;
	if (order === -1) return page.calls.every((call) => call.createdAt < scan.period.startMs);
	return page.calls.every((call) => call.createdAt >= scan.period.endMs);
}

/**
 * The newest `limit` calls of the period, newest first. Reads from whichever end of the list holds
 * the newest calls, so a small limit costs one or two requests in either sort order.
 */
export async function newestCalls(
	client: FamulorClient,
	scan: PeriodScan,
	limit: number,
): Promise<Array<{ call: Call; raw: RawCall }>> {
	const query = periodQuery(scan);
	const seen = new Set<number>();
	const found: Array<{ call: Call; raw: RawCall }> = [];
	const collect = (page: CallsPage) =>
		page.calls.forEach((call, index) => {
			if (seen.has(call.id)) return;
			seen.add(call.id);
			if (inScan(call, scan)) found.push({ call, raw: page.raw[index] });
		});
	const first = await client.getCallsPage(query, 1);
	if (pageOrder(first.calls) !== 1) {
		// Newest first (or a single page): read forward until enough.
		collect(first);
		let previous = first;
		for (let page = 2; page <= first.lastPage && found.length < limit && !isPastPeriod(first, scan); page++) {
			const next = await pageNotRepeated(client, query, page, seen, previous);
			previous = next;
			collect(next);
			if (next.calls.length === 0 || isPastPeriod(next, scan)) break;
		}
	} else {
		// Oldest first: the newest calls are on the last pages; read backwards until enough. A page that
		// repeats rows already read shows that the page read before it (one higher) carried this page's
		// rows instead of its own: that one is read again.
		// When `limit` newest calls fit on one page of some size, one request fetches them all.
		const size = tailPageSize(first.total, limit, first.perPage);
		if (size !== undefined && first.total > first.perPage) {
			const tail = await client.getCallsPage(query, Math.ceil(first.total / size), size);
			if (tail.total === first.total && pageOrder(tail.calls) !== -1) {
				collect(tail);
				if (found.length >= limit || tail.calls.every((call) => call.createdAt < scan.period.startMs)) {
					found.sort((a, b) => b.call.createdAt - a.call.createdAt || b.call.id - a.call.id);
					return found.slice(0, limit);
				}
			}
		}
		let previous: CallsPage | undefined;
		for (let page = first.lastPage; page >= 1 && found.length < limit; page--) {
			const next = page === 1 ? first : await client.getCallsPage(query, page);
			if (page < first.lastPage && isRepeatedPage(next, seen, previous)) {
				const again = await pageNotRepeated(client, query, page + 1, seen, next);
				collect(again);
			}
			previous = next;
			collect(next);
			if (next.calls.length && next.calls.every((call) => call.createdAt < scan.period.startMs)) break;
		}
	}
	found.sort((a, b) => b.call.createdAt - a.call.createdAt || b.call.id - a.call.id);
	return found.slice(0, limit);
}
