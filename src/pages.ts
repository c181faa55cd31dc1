/**
 * The call list as Laravel pages, and what a page must be to be trusted.
 *
 * Famulor does not document the list's sort order, so it is detected from the rows (by `created_at`,
 * then id). In a sorted list every call has a *position counted from the oldest end*: its index in
 * an oldest-first list, `total − 1 − index` in a newest-first one (from the `total` of the very
 * response that carried it). New calls arrive at the newest end, so they shift indices but never
 * positions: positions are how both readers (the period reader and the triggers' stream reader)
 * dedupe rows and prove that no row between two pages went unseen.
 *
 * A page must also agree with itself: the page asked for, `per_page` (a server cap is used as
 * reported), `last_page` = ⌈total ÷ per_page⌉, and as many rows as those promise. A page that does
 * not is refused with a typed error naming the contradiction: a total computed from it could be short.
 */
import type { Call } from './calls';
import type { CallsPage } from './client';
import { FamulorApiError } from './errors';

/** 1 oldest first, -1 newest first, 0 not known (fewer than two rows, or all rows alike). */
export type ListOrder = -1 | 0 | 1;

export interface PositionedCall {
	call: Call;
	position: number;
}

/** Whether `a` sorts before `b` in an oldest-first list (created_at, then id). */
export function olderThan(a: Pick<Call, 'createdAt' | 'id'>, b: Pick<Call, 'createdAt' | 'id'>): boolean {
	return a.createdAt < b.createdAt || (a.createdAt === b.createdAt && a.id < b.id);
}

/**
 * The order of a page's rows: from the first row whose created_at differs from the first row's, or,
 * when all rows share one created_at, from their ids.
 */
export function orderOf(calls: Call[]): ListOrder {
	const first = calls[0];
	if (!first) return 0;
	const later = calls.find((call) => call.createdAt !== first.createdAt);
	if (later) return later.createdAt > first.createdAt ? 1 : -1;
	const other = calls.find((call) => call.id !== first.id);
	if (!other) return 0;
	return other.id > first.id ? 1 : -1;
}

/** Whether every row follows the one before it in `order` (ties in created_at in any id order). */
export function isSorted(calls: Call[], order: -1 | 1): boolean {
	for (let i = 1; i < calls.length; i++) {
		const previous = calls[i - 1] as Call;
		const current = calls[i] as Call;
		if ((current.createdAt - previous.createdAt) * order < 0) return false;
	}
	return true;
}

/** The rows of a page with their positions counted from the oldest end, in the page's own order. */
export function positionsOf(page: CallsPage, order: -1 | 1): PositionedCall[] {
	const offset = (page.page - 1) * page.perPage;
	return page.calls.map((call, index) => ({
		call,
		position: order === 1 ? offset + index : page.total - 1 - (offset + index),
	}));
}

/** Whether two views of the list show the same call at every position both hold. */
export function agreeWhereOverlap(a: PositionedCall[], b: PositionedCall[]): boolean {
	const ids = new Map(a.map((item) => [item.position, item.call.id]));
	return b.every((item) => (ids.get(item.position) ?? item.call.id) === item.call.id);
}

/** The page (of `perPage` rows) holding `position` in a list of `total` calls. */
export function pageHolding(position: number, total: number, order: -1 | 1, perPage: number): number {
	const index = order === 1 ? position : total - 1 - position;
	return Math.floor(Math.max(0, index) / perPage) + 1;
}

const INCOMPLETE_FIX =
	'Nothing was returned from this read, so no total is short. This is usually transient: run the node again ' +
	'(a trigger retries on its next poll). If it repeats, the Famulor API changed: please report the message ' +
	'to the package maintainers.';

/** The error for a list that cannot be proven complete. */
export function incomplete(what: string, list = 'call list'): FamulorApiError {
	return new FamulorApiError('incomplete', `Famulor's ${list} cannot be proven complete: ${what}`, INCOMPLETE_FIX, {
		retryable: true,
	});
}

/**
 * Checks that a page agrees with itself and with the request: the page number, a `per_page` no larger
 * than asked, `last_page` matching `total`, and the rows those promise (a full page before the last;
 * on the last page at least the rest of `total` — a call arriving between Laravel's count and its
 * select may add one). Throws `incomplete` naming the first contradiction.
 */
export function checkPage(page: CallsPage, requested: { page: number; perPage: number }): void {
	const where = `page ${requested.page} of the calls`;
	if (page.page !== requested.page) throw incomplete(`asked for ${where}, Famulor answered with page ${page.page}`);
	if (!(page.perPage >= 1 && page.perPage <= requested.perPage)) {
		throw incomplete(`${where} reports per_page ${page.perPage}, but ${requested.perPage} were asked for`);
	}
	const rows = page.calls.length;
	if (!Number.isFinite(page.total)) return; // no total: nothing to check the rows against
	const lastPage = Math.max(1, Math.ceil(page.total / page.perPage));
	if (page.lastPage !== lastPage) {
		throw incomplete(
			`${where} reports last_page ${page.lastPage}, but total ${page.total} at ${page.perPage} a page makes ${lastPage}`,
		);
	}
	if (requested.page < lastPage && rows !== page.perPage) {
		throw incomplete(`${where} has ${rows} rows, but per_page is ${page.perPage} and it is not the last page`);
	}
	const rest = Math.max(0, page.total - (requested.page - 1) * page.perPage);
	if (requested.page >= lastPage && (rows < Math.min(rest, page.perPage) || rows > page.perPage)) {
		throw incomplete(
			`${where} has ${rows} rows, but total ${page.total} leaves ${Math.min(rest, page.perPage)} for it`,
		);
	}
}
