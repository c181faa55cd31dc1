/**
 * Incremental reading of the call list for the triggers.
 *
 * The API has no "changed since" filter and no documented sort order, but a call list only grows at
 * its newest end. So every call gets a stable *position counted from the oldest end* (src/pages.ts):
 * new calls arriving between two page requests shift indices, never positions. The stream state is
 * one number `k` — how many calls, counted from the old end, have been consumed — plus the id at
 * position k−1 (the anchor) to notice when the list changed underneath (deleted calls), in which case
 * the caller re-baselines.
 *
 * A poll reads from position k−1 toward the newest end, plus the pages below that hold calls whose
 * cost may still change (unsettled ones). With nothing new that is one small request, with n new
 * calls about 1 + n/100, whatever the sort order. When the anchor moved up, calls were inserted below
 * it (they appeared after newer ones): then every page from the oldest recent call is read, and the
 * unknown recent calls there are counted. The same loop builds the baseline from k = 0, a page at a
 * time, and stops when the poll's time runs out; the next poll continues from k. In a newest-first
 * list positions depend on the total, which the first answer tells: that is page 1 when the poll reads
 * up to the newest call anyway, else (the Call Trigger stops Settle Minutes short of it) the page
 * where k−1 should be now, from the last poll's total and arrivals (expectedPlace).
 *
 * One page at a time, the reader (StreamReader.read) runs these steps:
 *   1. placePage   — the page holding the position (PageCursor), set aside or asked again when
 *                    arrivals shifted it;
 *   2. continuity  — it goes on where the previous page of the poll ended (where the two overlap,
 *                    they show the same calls);
 *   3. watch check — the oldest watched call is where it was left (WatchCheck);
 *   4. anchor check — the anchor is where it was left (AnchorCheck);
 *   5. consume     — rows below k are re-reads (or late insertions), rows from k on are new;
 *   6. advance     — to the next page worth reading (pages with only settled calls are skipped).
 * A poll that stops mid-list leaves its last page for the next poll (Checkpoints), and in a
 * newest-first list checks its anchor with one small request first (finish).
 */
import { z } from 'zod';
import type { Call } from '../calls';
import { PAGE_SIZE, type CallQuery, type CallsPage, type FamulorClient } from '../client';
import { FamulorApiError } from '../errors';
import { agreeWhereOverlap, olderThan, orderOf, positionsOf, type PositionedCall } from '../pages';
import { PageCursor, type PagePlace } from './pageCursor';
import { count, epochMsOrZero } from './state';
import { AnchorCheck, Checkpoints, MAX_READS_PER_POSITION, WatchCheck, type Checkpoint } from './streamChecks';

export type { PositionedCall } from '../pages';

export interface StreamState {
	/** Order of the list: 1 oldest first, -1 newest first, 0 not known yet. */
	order: -1 | 0 | 1;
	/** Calls consumed, counted from the oldest end. */
	k: number;
	/** Id of the call at position k−1. */
	anchorId: number | null;
	/** Newest created_at consumed (ms). */
	newestAt: number;
	/** The server's page size (100, or a smaller cap it reports). */
	perPage: number;
	/** The list's total as the last poll saw it (0: not known), and how much it grew since the poll before. */
	total: number;
	grew: number;
	/** The last poll read up to the newest call and found nothing new: the next starts with a small probe. */
	quiet: boolean;
}

export const streamStateSchema = z.object({
	order: z.union([z.literal(-1), z.literal(0), z.literal(1)]),
	k: count,
	anchorId: count.min(1).nullable(),
	newestAt: epochMsOrZero,
	perPage: count.min(1).max(PAGE_SIZE),
	// Added in 0.2.1: a state written before has neither (the first poll then starts at page 1).
	total: count.default(0),
	grew: count.default(0),
	quiet: z.boolean(),
});

export function newStream(): StreamState {
	return { order: 0, k: 0, anchorId: null, newestAt: 0, perPage: PAGE_SIZE, total: 0, grew: 0, quiet: false };
}

export interface StreamRead {
	state: StreamState;
	/** Calls not consumed before: positions ≥ the old k (oldest first), and recent late insertions. */
	fresh: PositionedCall[];
	/** Calls re-read at positions below the old k (their cost may have changed). */
	reread: PositionedCall[];
	/** All calls up to the newest end were consumed. */
	caughtUp: boolean;
	/** The anchor was not where it should be: calls were deleted or the list reordered. Re-baseline. */
	lost: boolean;
	total: number;
	requests: number;
}

export interface StreamOptions {
	query: CallQuery;
	/** Re-read from this position (≤ k−1) to refresh calls that may still change (unsettled ones). */
	rereadFrom?: number;
	/** The call last seen at `rereadFrom`: a page that should hold it is checked against it. */
	rereadCall?: { id: number; createdAt: number };
	/**
	 * Where the oldest recent call was last seen, and that call. Late insertions (calls that appear
	 * after newer ones) land between it and the anchor; that stretch is only read again when the
	 * anchor shows that calls were inserted below it.
	 */
	lateFrom?: number;
	lateCall?: { id: number; createdAt: number };
	/** Positions of the calls that may still change, ascending: the pages below k worth reading. */
	rereadAt?: number[];
	/** Every watched call and where it was last seen. */
	watchedAt?: Array<{ id: number; pos: number }>;
	/** Ids already counted (recent calls): never counted again. */
	known: (id: number) => boolean;
	/** Whether there is time for one more request (or for `requests` more). */
	hasTime: (requests?: number) => boolean;
	/** Calls created before this (ms) are settled history: a late insertion older than it is not counted. */
	horizon: number;
	/**
	 * Whether the next call at the newest end may be consumed now (default: every call). The read ends
	 * at the first call refused, as caught up to what the caller takes; the next poll reads on from it.
	 * (In a newest-first list a page of the refused call other than the newest one or the anchor's is first
	 * confirmed by the next newer page, as a poll that reads to the newest call confirms each page: it
	 * could carry a newer page's rows.)
	 */
	consumable?: (call: Call) => boolean;
}

export async function readStream(
	client: FamulorClient,
	previous: StreamState,
	options: StreamOptions,
): Promise<StreamRead> {
	return await new StreamReader(client, previous, options).read();
}

/** How far above the wanted position a newest-first page may come back and still be set aside for later. */
const HOLD_SHIFT = PAGE_SIZE / 2;

/** What a step decided: go on with this page, read the next one (`again`), stop, or end the poll with a result. */
type Step = 'go' | 'again' | 'stop' | { done: StreamRead };

class StreamReader {
	private readonly state: StreamState;
	private readonly fresh: PositionedCall[] = [];
	private readonly reread: PositionedCall[] = [];
	/** Calls consumed by this poll (a late insertion is counted once even if a page is read twice). */
	private readonly consumedNow = new Set<number>();
	private readonly cursor: PageCursor;
	private readonly anchor: AnchorCheck;
	private readonly watch: WatchCheck;
	private readonly checkpoints = new Checkpoints<StreamState>();
	private order: -1 | 1 = 1;
	private total = 0;
	private position = 0;
	/** Where this poll starts reading, and where late insertions can land. */
	private start = 0;
	private lateStart = 0;
	/** Pages below the anchor were skipped (they hold only settled calls). */
	private skipped = false;
	private lost = false;
	/**
	 * The caller refused the next call (options.consumable): the read ends there, caught up — once the
	 * page is confirmed ('pending': a newest-first page not known to hold what it claims, until the next
	 * page shows that it went on where that page ended).
	 */
	private refused: 'no' | 'pending' | 'confirmed' = 'no';
	/**
	 * The page being read holds the rows it claims: the anchor is on it where it was left, or it shows
	 * the same calls as such a page read just before it where the two overlap. The rows of the last such
	 * page, for the next one to overlap.
	 */
	private confirmed = false;
	private confirmedRows: PositionedCall[] | undefined;
	private readsAtPosition = 0;
	/**
	 * The rows of the previous page read in this poll: the next page must show the same calls where the
	 * two overlap (pages of a newest-first list differ in size), and go on with newer calls after them.
	 */
	private previousRows: PositionedCall[] | undefined;
	private orderMisses = 0;
	/** The page open() read in a newest-first list, until the first page is placed (placePage). */
	private opening: CallsPage | undefined;

	constructor(
		client: FamulorClient,
		private readonly previous: StreamState,
		private readonly options: StreamOptions,
	) {
		this.state = { ...previous };
		// A quiet poll starts with a small page: nothing to re-read, the previous poll found nothing new.
		const probe = previous.quiet && previous.k > 0 && previous.order !== 0 && options.rereadFrom === undefined;
		this.cursor = new PageCursor(client, options.query, this.state.perPage, probe);
		this.anchor = new AnchorCheck(
			() => this.state.k,
			() => ({ id: this.state.anchorId ?? 0, createdAt: this.state.newestAt }),
		);
		this.watch = new WatchCheck(options.rereadFrom, options.rereadCall);
	}

	async read(): Promise<StreamRead> {
		const opened = await this.open();
		if (opened) return opened;
		while (this.position < this.total || this.cursor.current === undefined) {
			const step = await this.readOnePage();
			if (step === 'again') continue;
			if (step === 'stop') break;
			if (step !== 'go') return await this.finish(step.done);
		}
		return await this.close();
	}

	// --- the poll's start and end ----------------------------------------------------------------

	/** The first request tells the total and, if not known yet, the order; undefined to go on reading. */
	private async open(): Promise<StreamRead | undefined> {
		const { state, cursor } = this;
		if (state.order === 0) {
			const first = await cursor.fetchOrStop(1);
			if (first === undefined) return this.result({ caughtUp: false, total: 0 });
			cursor.current = first;
			this.total = first.total;
			state.order = orderOf(first.calls);
			if (state.order === 0) return this.tinyList(first);
		} else if (state.order === -1) {
			// Newest first: the first page tells the total. A poll that reads up to the newest call starts with
			// page 1 (the newest calls, read anyway; a quiet poll's probe); one whose last poll stopped short
			// of the newest call (the Call Trigger waits for calls to be due) asks for the page where its first
			// position should be now.
			const opening = state.total <= state.k ? { page: 1, size: cursor.size } : this.expectedPlace();
			const head = await cursor.fetchOrStop(opening.page, opening.size);
			if (head === undefined) return this.result({ caughtUp: false, total: state.k });
			this.opening = head;
			this.total = head.total;
			if (this.total < state.k) {
				// Fewer calls than were read: calls were deleted, or an earlier answer overstated its total
				// (the positions it gave are too high). Look for the anchor from the newest call down, as after
				// deletions (step 4 follows it there); left at k, the reader would wait for the list to grow
				// past k, blind to new calls.
				state.k = this.total;
			}
			// A probe page that does not reach back to the anchor: go on with full pages.
			if (head.perPage < cursor.perPage && this.total - state.k >= head.perPage) cursor.fullSize();
		} else {
			// Oldest first: positions are indices, the page of position k−1 does not depend on the total.
			this.total = Math.max(state.k, 1);
		}
		this.order = state.order as -1 | 1;
		this.position = this.firstPosition();
		this.start = this.position;
		this.lateStart = Math.min(this.start, this.options.lateFrom ?? this.start);
		return undefined;
	}

	/** Where the poll starts reading: the anchor, or the oldest call to read again. */
	private firstPosition(): number {
		const { k } = this.state;
		return Math.max(0, Math.min(k - 1, this.options.rereadFrom ?? k - 1));
	}

	/**
	 * The page of a newest-first list where the poll's first position should be now, with the calls
	 * after it: the last poll's total plus as many arrivals as it saw, and a margin for more (more
	 * arrivals move the position away from the newest end). A wrong guess costs nothing: the answer
	 * tells the total, and the page holding the position is asked for then, as it would have been.
	 */
	private expectedPlace(): PagePlace {
		const { state } = this;
		const total = Math.max(state.total + state.grew, state.k);
		const margin = Math.min(Math.floor(state.perPage / 4), 5 + 2 * Math.ceil(Math.sqrt(state.grew)));
		return this.cursor.place(Math.max(0, this.firstPosition() - margin), total, -1);
	}

	/** 0 or 1 call in the list: the order does not matter yet. */
	private tinyList(first: CallsPage): StreamRead {
		const { state } = this;
		const only = first.calls[0];
		if (first.calls.length === 1 && only && state.k === 0 && !this.options.known(only.id)) {
			this.fresh.push({ call: only, position: 0 });
			state.k = 1;
			state.anchorId = only.id;
			state.newestAt = only.createdAt;
		}
		state.order = 0;
		return this.result({ caughtUp: this.total <= state.k, total: this.total });
	}

	/** After the last page: caught up, or stopped mid-list (then the last page is left for the next poll). */
	private async close(): Promise<StreamRead> {
		const caughtUp = !this.lost && (this.state.k >= this.total || this.refused === 'confirmed');
		const { beforeLast, pagesConsumed } = this.checkpoints;
		if (!caughtUp && !this.lost && beforeLast && pagesConsumed >= 2) {
			// Its last page is the one a repeated page could not be told apart from (nothing after it was read).
			return await this.finish(this.rollback(beforeLast));
		}
		return await this.finish(this.result({ caughtUp, total: this.total }));
	}

	private result(outcome: { caughtUp: boolean; total: number }): StreamRead {
		const quiet = outcome.caughtUp && !this.lost && this.fresh.length === 0 && this.state.k >= outcome.total;
		const state = { ...this.state, ...this.seen(outcome.total), perPage: this.cursor.perPage, quiet };
		return {
			state,
			fresh: this.fresh,
			reread: this.reread,
			caughtUp: outcome.caughtUp,
			lost: this.lost,
			total: outcome.total,
			requests: this.cursor.requests,
		};
	}

	/** The total this poll saw, and how much the list grew since the last poll (for the next poll's first page). */
	private seen(total: number): Pick<StreamState, 'total' | 'grew'> {
		if (!(total > 0)) return { total: this.previous.total, grew: this.previous.grew };
		return { total, grew: this.previous.total > 0 ? Math.max(0, total - this.previous.total) : 0 };
	}

	private rollback(to: Checkpoint<StreamState>): StreamRead {
		const state = { ...to.state, ...this.seen(this.total), perPage: this.cursor.perPage, quiet: false };
		return {
			state,
			fresh: to.fresh,
			reread: to.reread,
			caughtUp: false,
			lost: false,
			total: this.total,
			requests: this.cursor.requests,
		};
	}

	/**
	 * In a newest-first list a page answered with the rows of a newer page (a repeated page) fits in
	 * seamlessly; only reading the newer page shows it, as rows repeated. A poll that ends before the
	 * newest page therefore checks its last consumed call where it must be, with one small request;
	 * if it is not there, nothing of the poll is kept.
	 */
	private async finish(read: StreamRead): Promise<StreamRead> {
		if (this.order !== -1 || read.caughtUp || read.lost || read.state.k <= this.previous.k) return read;
		const holds = await this.anchorHolds(read.state, read.total);
		read.requests = this.cursor.requests;
		if (holds.verdict === 'moved') throw inconsistentPage(holds.page);
		if (holds.verdict === 'unknown')
			return { ...read, state: { ...this.previous, quiet: false }, fresh: [], reread: [] };
		return read;
	}

	/** Whether the call at position k−1 of a newest-first list is the anchor (one small page, or two if calls arrived). */
	private async anchorHolds(
		state: StreamState,
		total: number,
	): Promise<{ verdict: 'holds' | 'moved' | 'unknown'; page: number }> {
		let page = 0;
		for (let attempt = 0; attempt < 2; attempt++) {
			const checked = await this.cursor.fetchSmall(state.k - 1, total, -1);
			if (checked === undefined) break;
			page = checked.page;
			total = checked.total;
			const at = positionsOf(checked, -1).find((p) => p.position === state.k - 1);
			// Calls that arrived meanwhile moved it to the next small page: look there.
			if (at) return { verdict: at.call.id === state.anchorId ? 'holds' : 'moved', page };
		}
		return { verdict: 'unknown', page };
	}

	// --- one page ------------------------------------------------------------------------------

	private async readOnePage(): Promise<Step> {
		const placed = await this.placePage();
		if (typeof placed === 'string') return placed;
		const { page, positioned } = placed;
		const lowest = (positioned[0] as PositionedCall).position;
		const highest = (positioned[positioned.length - 1] as PositionedCall).position;
		const continuity = this.checkContinuity(positioned);
		if (continuity !== 'go') return continuity;
		const watch = this.checkWatch(positioned, lowest, highest);
		if (watch !== 'go') return watch;
		// What this poll has before this page, the anchor check included (it moves k when calls were
		// inserted, and the next poll must see that again to look for them).
		const before = Checkpoints.take(this.state, this.fresh, this.reread);
		const checked = this.anchor.checked;
		const anchor = this.checkAnchor(positioned, lowest, highest);
		if (anchor === 'lost') return await this.confirmLost(positioned, lowest, highest);
		if (anchor !== 'go') return anchor;
		if (!checked && this.anchor.checked) this.confirmed = true;
		this.checkpoints.consuming(before);
		const consumed = this.consume(positioned, page.page);
		if (consumed !== 'go') return consumed;
		return this.advance(positioned, highest);
	}

	/**
	 * Step 1: the page holding the position, its rows sorted by position. A newest-first page that
	 * arrivals shifted a few rows past the position is set aside for later; any other page that does not
	 * hold the position is asked again.
	 */
	private async placePage(): Promise<{ page: CallsPage; positioned: PositionedCall[] } | 'again' | 'stop'> {
		const { cursor } = this;
		if (cursor.current === undefined && !this.roomForPage()) return 'stop';
		// A read that may stop at a call the caller refuses, in a newest-first list: the next page also holds
		// the newest row of the page before it. The two must show the same call there, so a page answered
		// with another page's rows is caught on it, and a refused call on it needs no page after it to be
		// confirmed. (It costs a row a page; a read up to the newest call confirms each page by the next.)
		const overlap = this.order === -1 && this.previousRows !== undefined && this.options.consumable !== undefined;
		const from = overlap ? this.position - 1 : this.position;
		const place = cursor.place(from, this.total, this.order);
		const aside = cursor.setAside;
		const fromAside = aside && this.position >= aside.lowest && this.position <= aside.highest ? aside.page : undefined;
		if (fromAside) cursor.setAside = undefined;
		// The page open() read, tried once for the first position: if it does not hold it, the guess of where
		// the position is missed, and the page that holds it is asked for now (no anomaly).
		const opened = fromAside ? undefined : this.opening;
		this.opening = undefined;
		const page =
			fromAside ?? opened ?? cursor.readThisPoll(place) ?? (await cursor.fetchOrStop(place.page, place.size));
		if (page === undefined) return 'stop';
		cursor.current = page;
		// A page set aside has an older total than the one read since: use the larger.
		this.total = fromAside ? Math.max(this.total, page.total) : page.total;
		if (page.calls.length === 0) return page === opened ? 'again' : 'stop';
		const positioned = positionsOf(page, this.order).sort((a, b) => a.position - b.position);
		if (orderOf(page.calls) === -this.order && page.calls.length > 1) {
			throw new FamulorApiError(
				'malformed',
				'The call list changed its sort order while it was read',
				'Nothing was counted twice. The next poll reads again; if this repeats, please report it to the ' +
					'package maintainers.',
			);
		}
		const lowest = (positioned[0] as PositionedCall).position;
		const highest = (positioned[positioned.length - 1] as PositionedCall).position;
		if (this.order === -1 && this.position < lowest && lowest - this.position <= HOLD_SHIFT && highest < this.total) {
			// Newest first: calls that arrived since the total was read shifted the page toward older
			// positions by a few rows, all above the position. Set it aside, read the few rows below it from
			// the next page, and go on with the rows set aside: under steady arrivals the reader still
			// advances a page per request instead of by the arrivals.
			cursor.setAside = { page, lowest, highest };
			cursor.forget();
			return ++this.readsAtPosition > MAX_READS_PER_POSITION ? 'stop' : 'again';
		}
		if (this.position < lowest || this.position > highest || lowest < 0 || highest >= this.total) {
			if (page === opened) {
				cursor.drop();
				return 'again';
			}
			// New calls shifted the page under us (or it holds rows beyond the total: another page's
			// rows); ask again for the page that now holds the position.
			if (++this.readsAtPosition > MAX_READS_PER_POSITION) return 'stop';
			cursor.forget();
			return 'again';
		}
		this.readsAtPosition = 0;
		return { page, positioned };
	}

	/**
	 * Step 2: the page goes on where the previous page of this poll ended: the same calls where the two
	 * overlap, and a newer call right after the last one.
	 */
	private checkContinuity(positioned: PositionedCall[]): Step {
		const previous = this.previousRows;
		const last = previous?.[previous.length - 1];
		this.confirmed = false;
		if (!previous || !last) return 'go';
		const next = positioned.find((item) => item.position === last.position + 1);
		if (agreeWhereOverlap(previous, positioned) && (!next || olderThan(last.call, next.call))) {
			// Calls of a confirmed page shown again where they were: this page is not another page's rows.
			const overlaps = (positioned[0] as PositionedCall).position <= last.position;
			this.confirmed = previous === this.confirmedRows && overlaps;
			return 'go';
		}
		// One of the two pages holds another page's rows, or calls inserted below them arrived between
		// the two requests.
		if (++this.orderMisses < 2) {
			this.cursor.forget();
			return 'again';
		}
		const before = this.checkpoints.beforeLast;
		return before ? { done: this.rollback(before) } : 'stop';
	}

	/** Step 3: the oldest watched call is on the first page re-read (or, pushed up, the next). */
	private checkWatch(positioned: PositionedCall[], lowest: number, highest: number): Step {
		const verdict = this.watch.inspect(positioned, lowest, highest);
		if (verdict === 'ok') return 'go';
		this.previousRows = undefined;
		this.cursor.forget();
		if (verdict === 'stop') return 'stop';
		this.position = this.watch.from as number;
		return 'again';
	}

	/** Step 4: the anchor is where it was left; act on what the check found. */
	private checkAnchor(positioned: PositionedCall[], lowest: number, highest: number): Step | 'lost' {
		const watchedHere = this.options.watchedAt?.filter((w) => w.pos >= lowest && w.pos <= highest) ?? [];
		const verdict = this.anchor.inspect(
			{ positioned, lowest, highest, total: this.total },
			{ position: this.position, start: this.start, lateStart: this.lateStart, skipped: this.skipped, watchedHere },
		);
		const { state, cursor } = this;
		switch (verdict.kind) {
			case 'notHere':
				return 'go';
			case 'restart': {
				// Calls were inserted below the anchor: read every page again from the oldest recent call,
				// where they can be, so each is counted once (a poll without insertions never pays for this).
				const { lateStart, options } = this;
				this.position = lateStart;
				const from =
					lateStart === options.lateFrom
						? options.lateCall
						: lateStart === options.rereadFrom
							? options.rereadCall
							: undefined;
				this.watch.reset(lateStart, from);
				this.previousRows = undefined;
				cursor.forget();
				return 'again';
			}
			case 'reask':
				cursor.forget();
				return 'again';
			case 'reaskFrom':
				this.position = verdict.position;
				cursor.forget();
				return 'again';
			case 'pushedAbove': {
				// Every call here is older than the anchor: calls inserted below it (late arrivals) pushed it
				// past this page. Look on the next one; the calls of this page may be among the insertions.
				for (const item of positioned) if (item.position >= this.position) this.belowK(item);
				this.previousRows = positioned;
				this.position = highest + 1;
				cursor.drop();
				return this.roomForPage() ? 'again' : 'stop';
			}
			case 'lost':
				return 'lost';
			case 'found':
				if (verdict.position < state.k - 1) {
					// Older calls were deleted: positions moved down. Follow the anchor, and read the calls
					// that moved down to just above it (they are new) in this poll.
					state.k = verdict.position + 1;
					this.position = Math.min(this.position, state.k);
				} else if (verdict.position > state.k - 1) {
					// Calls were inserted below the anchor (arrived late): they are counted as they are met below k.
					state.k = verdict.position + 1;
				}
				return 'go';
		}
	}

	/**
	 * Step 4, when the anchor is gone from where it must be: calls were deleted around it, and the caller
	 * re-baselines — but only once a second view agrees. A small page around the anchor's position that
	 * shows other rows there (or the anchor) means the list moved while it was read or the server answered
	 * with another page's rows (one that ignores `page` looks just like deleted calls): nothing can be told
	 * about the anchor then, and the poll fails (nothing is kept; the next poll reads again) rather than
	 * throw the state away. One request more, and only on this path.
	 */
	private async confirmLost(positioned: PositionedCall[], lowest: number, highest: number): Promise<Step> {
		const pageNumber = this.cursor.current?.page ?? 0;
		const at = Math.min(Math.max(this.state.k - 1, lowest), highest);
		const small = await this.cursor.fetchSmall(at, this.total, this.order);
		if (small === undefined) return 'stop';
		const rows = positionsOf(small, this.order);
		if (rows.some(({ call }) => call.id === this.state.anchorId) || !agreeWhereOverlap(positioned, rows)) {
			throw inconsistentPage(pageNumber);
		}
		this.lost = true;
		return 'stop';
	}

	/** Step 5: rows below k are re-reads (or late insertions); the row at k is the next new call, and so on. */
	private consume(positioned: PositionedCall[], pageNumber: number): Step {
		const { state, options } = this;
		if (this.refused === 'pending') {
			// The page after the one with the refused call goes on where it ended: that page was its own.
			this.refused = 'confirmed';
			return 'stop';
		}
		for (const item of positioned) {
			if (item.position < this.position) continue;
			const { call } = item;
			if (item.position < state.k) {
				this.belowK(item);
				continue;
			}
			if (item.position !== state.k) break;
			if (this.consumedNow.has(call.id) || options.known(call.id) || call.createdAt < state.newestAt) {
				// A call already counted, or older than one counted, where only newer calls can be.
				const beforePrevious = this.checkpoints.beforePrevious;
				// Read after another page of this poll: the rows shifted between the two requests (calls
				// inserted below them arrived late), or one of the two pages repeated the other. Keep what
				// was read before both; the next poll reads on from there and sees any insertion at the anchor.
				if (beforePrevious) return { done: this.rollback(beforePrevious) };
				// The server answered with the wrong rows (a repeated page). Count nothing of this poll.
				throw inconsistentPage(pageNumber);
			}
			if (options.consumable && !options.consumable(call)) {
				if (this.order === 1 || pageNumber <= 1 || this.confirmed) {
					this.refused = 'confirmed';
					return 'stop';
				}
				this.refused = 'pending';
				return 'go';
			}
			state.k = item.position + 1;
			state.anchorId = call.id;
			this.consumedNow.add(call.id);
			state.newestAt = Math.max(state.newestAt, call.createdAt);
			this.fresh.push(item);
		}
		return 'go';
	}

	/**
	 * Step 6: the rest of the list. Below the anchor only the pages that hold unsettled calls matter
	 * (settled calls do not change), unless calls were inserted there: then every page, for them.
	 */
	private advance(positioned: PositionedCall[], highest: number): Step {
		this.previousRows = positioned;
		this.confirmedRows = this.confirmed ? positioned : undefined;
		this.position = Math.max(this.position, highest + 1);
		if (!this.anchor.insertedBelow) {
			const next = Math.min(this.options.rereadAt?.find((at) => at > highest) ?? Infinity, this.state.k - 1);
			if (next > this.position) {
				this.position = next;
				this.previousRows = undefined;
				this.skipped = true;
			}
		}
		// The probe page is read; anything further comes in full pages.
		this.cursor.fullSize();
		if (this.position >= this.total) return 'stop';
		this.cursor.drop();
		return this.roomForPage() ? 'go' : 'stop';
	}

	/**
	 * A call below k that was never counted: a late insertion (it arrived after newer calls). Every
	 * call counted so far that was created at or after `options.horizon` is known (the watch list), so
	 * an unknown call that recent is new; being older than the anchor, it sorts below the anchor and is
	 * never met again above k. Anything else below k is a re-read.
	 */
	private belowK(item: PositionedCall): void {
		const { call } = item;
		const anchor = { id: this.state.anchorId ?? 0, createdAt: this.state.newestAt };
		const late = call.createdAt >= this.options.horizon && olderThan(call, anchor);
		if (late && !this.consumedNow.has(call.id) && !this.options.known(call.id)) {
			this.consumedNow.add(call.id);
			this.fresh.push(item);
		} else {
			this.reread.push(item);
		}
	}

	/** Time for one more page, and in a newest-first list for the check that may follow it. */
	private roomForPage(): boolean {
		return this.options.hasTime(this.order === -1 ? 2 : 1);
	}
}

function inconsistentPage(page: number): FamulorApiError {
	return new FamulorApiError(
		'malformed',
		`Famulor answered page ${page} of the calls with rows that belong elsewhere in the list`,
		'Nothing was counted from this poll; the next poll reads the pages again. If this repeats, please report ' +
			'it to the package maintainers.',
		{ retryable: true },
	);
}

export type { Call };
