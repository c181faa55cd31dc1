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
 *
 * Page place. In an oldest-first list pages stay where they are: the page after a full one starts
 * where it ended. In a newest-first list every arrival moves the page boundaries, so a position is
 * as likely in the middle of a page as at its end, and half a page of calls already read would be
 * paid for again. There the cursor picks, among the sizes from half a page to a full one, the page
 * holding the position with the most rows toward the newest end (`newestFirstPlace`): as many
 * requests as full pages read in order would take, from wherever the reader starts.
 */
import { PAGE_SIZE, type CallQuery, type CallsPage, type FamulorClient } from '../client';
import { FamulorApiError } from '../errors';
import { checkPage, incomplete, pageHolding } from '../pages';

/** Rows of the probe page of a quiet poll: the anchor and up to four new calls, a few KB. */
export const PROBE_SIZE = 5;
/** Rows of a page asked to confirm a few rows of a full page. */
export const CHECK_SIZE = 10;

/** A page of the call list: its number at a page size. */
export interface PagePlace {
	page: number;
	size: number;
}

/**
 * In a newest-first list, the page holding `index` (counted from the newest call) with the most rows
 * from it toward the newest end, at a size from ⌈perPage ÷ 2⌉ to perPage (the larger on a tie).
 */
export function newestFirstPlace(index: number, perPage: number): PagePlace {
	let best: PagePlace = { page: Math.floor(index / perPage) + 1, size: perPage };
	let rows = (index % perPage) + 1;
	for (let size = perPage - 1; size >= Math.ceil(perPage / 2) && rows < perPage; size--) {
		if ((index % size) + 1 > rows) {
			rows = (index % size) + 1;
			best = { page: Math.floor(index / size) + 1, size };
		}
	}
	return best;
}

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

	/**
	 * The page to ask for `position` (in a list of `total` calls): at the current size, or, reading
	 * full pages of a newest-first list, the one with the most rows from it toward the newest end.
	 */
	place(position: number, total: number, order: -1 | 1): PagePlace {
		const at = Math.max(0, Math.min(position, total - 1));
		if (order === 1 || this.size < this.perPage) {
			return { page: pageHolding(at, total, order, this.size), size: this.size };
		}
		return newestFirstPlace(Math.max(0, total - 1 - at), this.perPage);
	}

	/** From now on full pages (after the probe page was read). */
	fullSize(): void {
		this.size = this.perPage;
	}

	/** The page at `place` if this poll read it already (the current page, or an earlier one). */
	readThisPoll(place: PagePlace): CallsPage | undefined {
		const current = this.current;
		if (current && current.page === place.page && current.perPage === place.size) return current;
		return this.pages.get(key(place.page, place.size));
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

	/** Page `page` at the current size (or `size`), fetched; undefined when the poll ran out of time before asking. */
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
			// A server that pages by fewer rows than a page asked for: use its size from now on.
			if (size > CHECK_SIZE && result.perPage < size) {
				this.perPage = Math.min(this.perPage, result.perPage);
				this.size = Math.min(this.size, this.perPage);
			}
			this.pages.set(key(page, result.perPage), result);
			return result;
		}
	}
}

function key(page: number, size: number): string {
	return `${size}:${page}`;
}
