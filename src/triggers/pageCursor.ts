/**
 * The stream reader's access to the call list: which page holds a position, fetching it (checked,
 * counted, asked again when the server answers with another page number), and the pages already
 * fetched in this poll so that none is requested twice unless something looked wrong.
 *
 * Page size. Pages are asked for at the server's page size — 100, or the smaller `per_page` a server
 * reports (a cap is simply used). A poll that expects nothing new (the previous one found nothing,
 * and no call waits for its cost) starts with a small probe page instead: the anchor and a few rows
 * after it prove that nothing changed for a few kilobytes; with more new calls the cursor goes on at
 * full size.
 */
import { PAGE_SIZE, type CallQuery, type CallsPage, type FamulorClient } from '../client';
import { FamulorApiError } from '../errors';
import { checkPage, incomplete, pageHolding } from '../pages';

/** Rows of the probe page of a quiet poll: the anchor and up to four new calls, a few KB. */
export const PROBE_SIZE = 5;
/** Rows of a page asked to confirm a few rows of a full page. */
export const CHECK_SIZE = 10;

/** A newest-first page set aside for later because arrivals shifted it past the position wanted. */
export interface PageSetAside {
	page: CallsPage;
	lowest: number;
	highest: number;
}

export class PageCursor {
	/** Requests sent for pages. */
	requests = 0;
	/** Rows a page at full size: what the server uses. */
	perPage: number;
	/** Size of the next page asked for: the probe, then full pages. */
	size: number;
	/** The page read last; used again while the next position is on it. */
	current: CallsPage | undefined;
	setAside: PageSetAside | undefined;
	private readonly pages = new Map<string, CallsPage>();

	constructor(
		private readonly client: FamulorClient,
		private readonly query: CallQuery,
		perPage: number,
		probe: boolean,
	) {
		this.perPage = perPage >= 1 && perPage <= PAGE_SIZE ? perPage : PAGE_SIZE;
		this.size = probe ? Math.min(PROBE_SIZE, this.perPage) : this.perPage;
	}

	/** The page number holding `position` at the current size. */
	pageNumber(position: number, total: number, order: -1 | 1): number {
		return pageHolding(Math.min(position, total - 1), total, order, this.size);
	}

	/** From now on full pages (after the probe page was read). */
	fullSize(): void {
		this.size = this.perPage;
	}

	/** Page `page` at the current size if this poll read it already (the current page, or an earlier one). */
	readThisPoll(page: number): CallsPage | undefined {
		const current = this.current;
		if (current && current.page === page && current.perPage === this.size) return current;
		return this.pages.get(key(page, this.size));
	}

	/** Forgets the current page (the next one is looked up or fetched). */
	drop(): void {
		this.current = undefined;
	}

	/**
	 * Forgets every page of this poll: something looked wrong, read again — at full size. A probe page
	 * only proves a quiet poll; re-read in probe pages, a wrong answer for a few rows would be taken as
	 * those rows, and the full page read after them would pass over the rows really there.
	 */
	forget(): void {
		this.current = undefined;
		this.pages.clear();
		this.fullSize();
	}

	/** Page `page` at the current size, fetched; undefined when the poll's time ran out before it could be asked. */
	async fetchOrStop(page: number, size = this.size): Promise<CallsPage | undefined> {
		const result = await this.fetch(page, size).then(
			(value) => value,
			(error: unknown) => error,
		);
		if (result instanceof FamulorApiError && result.kind === 'outOfTime') return undefined;
		if (result instanceof Error) throw result;
		return result as CallsPage;
	}

	/**
	 * The small page (CHECK_SIZE rows) holding `position`: a second view of a few rows, to confirm what a
	 * full page showed there; undefined when the poll's time ran out.
	 */
	async fetchSmall(position: number, total: number, order: -1 | 1): Promise<CallsPage | undefined> {
		return await this.fetchOrStop(pageHolding(Math.min(position, total - 1), total, order, CHECK_SIZE), CHECK_SIZE);
	}

	/** Page `page`, asked again (up to 3 times) while the server answers with another page number. */
	private async fetch(page: number, size: number): Promise<CallsPage> {
		for (let attempt = 1; ; attempt++) {
			const result = await this.client.getCallsPage(this.query, page, size);
			this.requests++;
			if (result.page !== page) {
				if (attempt < 3) continue;
				throw new FamulorApiError(
					'malformed',
					`Famulor answered a request for page ${page} of the calls with page ${result.page}`,
					'This is usually transient. Nothing was counted; the next poll reads the page again.',
				);
			}
			checkPage(result, { page, perPage: size });
			if (!Number.isFinite(result.total)) throw incomplete(`page ${page} of the calls has no total`);
			// A server that pages by fewer rows than asked: use its size from now on.
			if (size === this.perPage && result.perPage < this.perPage) this.perPage = this.size = result.perPage;
			this.pages.set(key(page, result.perPage), result);
			return result;
		}
	}
}

function key(page: number, size: number): string {
	return `${size}:${page}`;
}
