/**
 * What a Laravel page of the call list must be to be trusted: the page asked for, `per_page` no
 * larger than asked (a server cap is used as reported), `last_page` = ⌈total ÷ per_page⌉, and as many
 * rows as those promise — a full page before the last; on the last page the rest of `total` (a call
 * arriving between Laravel's count and its select may add a row or two). A page that does not is
 * refused with a typed error naming the contradiction: what it claims about its place is what tells
 * the readers where the list ends.
 */
import type { CallsPage } from './transport';
import { incomplete } from '../../errors';

/** Rows a last page may hold beyond what its total leaves: calls that arrived between count and select. */
const ARRIVALS_SLACK = 5;

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
	const fewest = Math.min(rest, page.perPage);
	if (requested.page >= lastPage && (rows < fewest || rows > Math.min(page.perPage, rest + ARRIVALS_SLACK))) {
		throw incomplete(`${where} has ${rows} rows, but total ${page.total} leaves ${fewest} for it`);
	}
}
