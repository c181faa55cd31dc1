/**
 * Reading the calls of a period: pages of 100, a day wider than the period on each side (the API's
 * date filter uses an unstated timezone), precise filtering by `created_at` on our side, and dedupe
 * by call id so that pages shifting under new calls never count a call twice, whatever the sort order.
 */
import { matchesFilters, type Call, type CallFilters } from './calls';
import type { CallQuery, CallsPage, FamulorClient } from './client';
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
	for (let page = 1; ; page++) {
		const result = await client.getCallsPage(query, page);
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
		for (let page = 2; page <= first.lastPage && found.length < limit && !isPastPeriod(first, scan); page++) {
			const next = await client.getCallsPage(query, page);
			collect(next);
			if (next.calls.length === 0 || isPastPeriod(next, scan)) break;
		}
	} else {
		// Oldest first: the newest calls are on the last pages; read backwards until enough.
		for (let page = first.lastPage; page >= 1 && found.length < limit; page--) {
			const next = page === 1 ? first : await client.getCallsPage(query, page);
			collect(next);
			if (next.calls.length && next.calls.every((call) => call.createdAt < scan.period.startMs)) break;
		}
	}
	found.sort((a, b) => b.call.createdAt - a.call.createdAt || b.call.id - a.call.id);
	return found.slice(0, limit);
}
