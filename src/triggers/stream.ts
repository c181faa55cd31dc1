/**
 * Incremental reading of the call list for the triggers.
 *
 * The API has no "changed since" filter and no documented sort order, but a call list only grows at
 * its newest end. So every call gets a stable *position counted from the oldest end*: in an
 * oldest-first list it is its index, in a newest-first list it is `total − 1 − index`, computed from
 * the `total` of the very response that carried it. New calls arriving between two page requests
 * shift indices, never these positions. The stream state is one number `k` — how many calls, counted
 * from the old end, have been consumed — plus the id at position k−1 (the anchor) to notice when
 * the list changed underneath (deleted calls), in which case the caller re-baselines.
 *
 * A poll reads from position k−1 toward the newest end, plus the pages below that hold calls whose
 * cost may still change (unsettled ones). With nothing new that is one request, with n new calls
 * about 1 + n/100, whatever the sort order. When the anchor moved up, calls were inserted below it
 * (they appeared after newer ones): then every page from the oldest recent call is read, and the
 * unknown recent calls there are counted. The same loop builds the baseline from k = 0, a page at a
 * time, and stops when the poll's time runs out; the next poll continues from k.
 *
 * Faults the reader tells apart from real changes: a page answered with another page's rows (checked
 * against the order of the previous page, the anchor and the oldest watched call, and asked again
 * before anything is concluded), rows that shift between two requests, and a poll that ends
 * mid-list (its last page is read again next time; in a newest-first list the anchor is checked).
 */
import type { Call } from '../calls';
import { PAGE_SIZE, type CallQuery, type CallsPage, type FamulorClient } from '../client';
import { FamulorApiError } from '../errors';

export interface StreamState {
	/** Order of the list: 1 oldest first, -1 newest first, 0 not known yet. */
	order: -1 | 0 | 1;
	/** Calls consumed, counted from the oldest end. */
	k: number;
	/** Id of the call at position k−1. */
	anchorId: number | null;
	/** Newest created_at consumed (ms). */
	newestAt: number;
}

export function newStream(): StreamState {
	return { order: 0, k: 0, anchorId: null, newestAt: 0 };
}

export interface PositionedCall {
	call: Call;
	position: number;
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
}

function orderOf(calls: Call[]): -1 | 0 | 1 {
	for (let i = 1; i < calls.length; i++) {
		const a = calls[0];
		const b = calls[i];
		if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
		if (a.id !== b.id) return a.id < b.id ? 1 : -1;
	}
	return 0;
}

function positionsOf(page: CallsPage, order: -1 | 1): PositionedCall[] {
	const offset = (page.page - 1) * page.perPage;
	return page.calls.map((call, index) => ({
		call,
		position: order === 1 ? offset + index : page.total - 1 - (offset + index),
	}));
}

function pageContaining(position: number, total: number, order: -1 | 1): number {
	const index = order === 1 ? position : total - 1 - position;
	return Math.floor(index / PAGE_SIZE) + 1;
}

const MAX_READS_PER_POSITION = 4;
/** How far above the wanted position a newest-first page may come back and still be kept. */
const HOLD_SHIFT = PAGE_SIZE / 2;

export async function readStream(client: FamulorClient, previous: StreamState, options: StreamOptions): Promise<StreamRead> {
	const state: StreamState = { ...previous };
	const fresh: PositionedCall[] = [];
	const reread: PositionedCall[] = [];
	const consumedNow = new Set<number>();
	let requests = 0;
	let lost = false;

	const pages = new Map<number, CallsPage>();
	const fetchPage = async (page: number): Promise<CallsPage> => {
		for (let attempt = 1; ; attempt++) {
			const result = await client.getCallsPage(options.query, page, PAGE_SIZE);
			requests++;
			pages.set(page, result);
			if (result.page === page || attempt >= 3) {
				if (result.page !== page) {
					throw new FamulorApiError(
						'malformed',
						`Famulor answered a request for page ${page} of the calls with page ${result.page}`,
						'This is usually transient. Nothing was counted; the next poll reads the page again.',
					);
				}
				return result;
			}
		}
	};

	/** A page, or undefined when the poll's time ran out before it could be requested. */
	const fetchOrStop = async (page: number): Promise<CallsPage | undefined> => {
		const result = await fetchPage(page).then(
			(value) => value,
			(error: unknown) => error,
		);
		if (result instanceof FamulorApiError && result.kind === 'outOfTime') return undefined;
		if (result instanceof Error) throw result;
		return result as CallsPage;
	};

	// The first request tells the total and, if not known yet, the order.
	let total: number;
	let cached: CallsPage | undefined;
	if (state.order === 0) {
		cached = await fetchOrStop(1);
		if (cached === undefined) return { state, fresh, reread, caughtUp: false, lost, total: 0, requests };
		total = cached.total;
		state.order = orderOf(cached.calls);
		if (state.order === 0) {
			// 0 or 1 call in the list: the order does not matter yet.
			if (cached.calls.length === 1 && state.k === 0 && !options.known(cached.calls[0].id)) {
				const only = cached.calls[0];
				fresh.push({ call: only, position: 0 });
				state.k = 1;
				state.anchorId = only.id;
				state.newestAt = only.createdAt;
			}
			state.order = 0;
			return { state, fresh, reread, caughtUp: total <= state.k, lost, total, requests };
		}
	} else if (state.order === -1) {
		// Newest first: page 1 tells the total and holds the newest calls, which are read anyway.
		const head = await fetchOrStop(1);
		if (head === undefined) return { state, fresh, reread, caughtUp: false, lost, total: state.k, requests };
		total = head.total;
	} else {
		// Oldest first: positions are indices, the page of position k−1 does not depend on the total.
		total = Math.max(state.k, 1);
	}
	const order = state.order as -1 | 1;

	/**
	 * In a newest-first list a page answered with the rows of a newer page (a repeated page) fits in
	 * seamlessly; only reading the newer page shows it, as rows repeated. A poll that ends before the
	 * newest page therefore checks its last consumed call where it must be, with one small request;
	 * if it is not there, nothing of the poll is kept.
	 */
	/** Time for one more page, and in a newest-first list for the check that may follow it. */
	const roomForPage = () => options.hasTime(order === -1 ? 2 : 1);
	const finish = async (read: StreamRead): Promise<StreamRead> => {
		if (order !== -1 || read.caughtUp || read.lost || read.state.k <= previous.k) return read;
		const holds = await anchorHolds(client, options.query, read.state, read.total);
		read.requests = requests + holds.requests;
		if (holds.verdict === 'moved') throw inconsistentPage(holds.page);
		if (holds.verdict === 'unknown') return { ...read, state: { ...previous }, fresh: [], reread: [] };
		return read;
	};

	let position = Math.max(0, Math.min(state.k - 1, options.rereadFrom ?? state.k - 1));
	let watchFrom = options.rereadFrom;
	let watchCall = options.rereadCall;
	const start = position;
	const lateStart = Math.min(start, options.lateFrom ?? start);
	/** Pages below the anchor were skipped (they hold only settled calls). */
	let skipped = false;
	/** Calls were inserted below the anchor. */
	let insertedBelow = false;
	let restarted = false;
	let checkedAnchor = state.k === 0;
	let readsAtPosition = 0;
	/** A newest-first page that came back a few rows above the position wanted, kept for after them. */
	let held: { page: CallsPage; lowest: number; highest: number } | undefined;
	let anchorMisses = 0;
	/** The anchor was not on its page, which held only older calls: late insertions pushed it further. */
	let anchorAbove = false;
	let anchorSearchFrom = 0;
	/** Ids of a page that showed an anomaly at the anchor, to confirm it with a second read. */
	let anomalyIds: string | undefined;
	/**
	 * The oldest watched call was last seen at `rereadFrom`: the first page there must show it, or a
	 * call not older than it ('expect'); a page of only older calls means late insertions pushed it up,
	 * and then the next page must show it ('above') — else that page held another page's rows.
	 */
	let watchCheck: 'expect' | 'above' | 'done' = watchCall && watchFrom !== undefined ? 'expect' : 'done';
	let watchMisses = 0;
	/** The highest position of the page that sent the check 'above'. */
	let aboveAfter = -1;
	/** The last call of the previous page read in this poll: the next page must go on with newer calls. */
	let previousLast: PositionedCall | undefined;
	let orderMisses = 0;
	let beforeLastPage: { state: StreamState; fresh: PositionedCall[]; reread: PositionedCall[] } | undefined;
	let beforePreviousPage: typeof beforeLastPage;
	let pagesConsumed = 0;
	/**
	 * A call below k that was never counted: a late insertion (it arrived after newer calls). Every
	 * call counted so far that was created at or after `options.horizon` is known (the watch list), so
	 * an unknown call that recent is new; being older than the anchor, it sorts below the anchor and is
	 * never met again above k. Anything else below k is a re-read.
	 */
	const belowK = (item: PositionedCall) => {
		const { call } = item;
		if (call.createdAt >= options.horizon && olderThanAnchor(call, state) && !consumedNow.has(call.id) && !options.known(call.id)) {
			consumedNow.add(call.id);
			fresh.push(item);
		} else {
			reread.push(item);
		}
	};
	while (position < total || cached === undefined) {
		if (cached === undefined && !roomForPage()) break;
		const pageNumber = pageContaining(Math.min(position, total - 1), total, order);
		const kept = held && position >= held.lowest && position <= held.highest ? held.page : undefined;
		held = kept ? undefined : held;
		const page = kept ?? (cached && cached.page === pageNumber ? cached : pages.get(pageNumber)) ?? (await fetchOrStop(pageNumber));
		if (page === undefined) break;
		cached = page;
		// A kept page's total is older than the one read since: keep the larger.
		total = kept ? Math.max(total, page.total) : page.total;
		if (page.calls.length === 0) break;
		const positioned = positionsOf(page, order).sort((a, b) => a.position - b.position);
		if (orderOf(page.calls) === -order && page.calls.length > 1) {
			throw new FamulorApiError(
				'malformed',
				'The call list changed its sort order while it was read',
				'Nothing was counted twice. The next poll reads again; if this repeats, please report it to the package maintainers.',
			);
		}
		const lowest = positioned[0].position;
		const highest = positioned[positioned.length - 1].position;
		if (order === -1 && position < lowest && lowest - position <= HOLD_SHIFT && highest < total) {
			// Newest first: calls that arrived since the total was read shifted the page toward older
			// positions by a few rows, all above `position`. Keep it, read the few rows below it from
			// the next page, and go on with the kept rows: under steady arrivals the reader still
			// advances a page per request instead of by the arrivals.
			held = { page, lowest, highest };
			cached = undefined;
			pages.clear();
			if (++readsAtPosition > MAX_READS_PER_POSITION) break;
			continue;
		}
		if (position < lowest || position > highest || lowest < 0 || highest >= total) {
			// New calls shifted the page under us (or it holds rows beyond the total: another page's
			// rows); ask again for the page that now holds `position`.
			if (++readsAtPosition > MAX_READS_PER_POSITION) break;
			cached = undefined;
			pages.clear();
			continue;
		}
		readsAtPosition = 0;
		const first = positioned[0];
		if (previousLast && lowest === previousLast.position + 1 && !olderThan(previousLast.call, first.call.createdAt, first.call.id)) {
			// This page does not go on where the previous one ended: one of them holds another page's rows,
			// or calls inserted below them arrived between the two requests.
			if (++orderMisses < 2) {
				cached = undefined;
				pages.clear();
				continue;
			}
			if (beforeLastPage) return finish({ ...beforeLastPage, caughtUp: false, lost: false, total, requests });
			break;
		}
		const watched = watchCall;
		// The same page asked again (after an anomaly) is checked as the first page, not as the next one.
		if (watchCheck === 'above' && lowest <= aboveAfter) watchCheck = 'expect';
		if (watched && watchCheck !== 'done' && (watchCheck === 'above' || (watchFrom as number) >= lowest)) {
			const seen = positioned.some((p) => p.call.id === watched.id);
			const newer = positioned.some((p) => !olderThan(p.call, watched.createdAt, watched.id));
			const older = positioned.some((p) => olderThan(p.call, watched.createdAt, watched.id));
			if (seen || (watchCheck === 'expect' && newer) || (watchCheck === 'above' && older)) {
				watchCheck = 'done';
			} else if (watchCheck === 'expect') {
				watchCheck = 'above';
				aboveAfter = highest;
			} else {
				// Only newer calls after a page of only older ones: that page was another page's rows.
				watchCheck = 'expect';
				previousLast = undefined;
				cached = undefined;
				pages.clear();
				if (++watchMisses >= MAX_READS_PER_POSITION) break;
				position = watchFrom as number;
				continue;
			}
		}
		// What this poll has before this page, the anchor check included (it moves k when calls were
		// inserted, and the next poll must see that again to look for them).
		const beforeThisPage = { state: { ...state }, fresh: [...fresh], reread: [...reread] };
		if (!checkedAnchor && (anchorAbove || (state.k - 1 >= lowest && state.k - 1 <= highest))) {
			const anchorPosition = positioned.find((p) => p.call.id === state.anchorId)?.position;
			// An anomaly at the anchor is only acted on when a second read of the page says the same: a
			// page answered once with the rows of another page is not mistaken for a changed list.
			const ids = page.calls.map((call) => call.id).join(',');
			const confirmed = ids === anomalyIds;
			const pushedAbove = anchorPosition === undefined && highest < total - 1 && positioned.every((p) => olderThanAnchor(p.call, state));
			const foundAbove = anchorPosition !== undefined && anchorAbove;
			if (pushedAbove || (anchorPosition !== undefined && anchorPosition > state.k - 1)) insertedBelow = true;
			if (insertedBelow && !restarted && (lateStart < start || skipped)) {
				// Calls were inserted below the anchor: read every page again from the oldest recent call,
				// where they can be, so each is counted once (a poll without insertions never pays for this).
				restarted = true;
				position = lateStart;
				watchFrom = lateStart;
				watchCall = lateStart === options.lateFrom ? options.lateCall : lateStart === options.rereadFrom ? options.rereadCall : undefined;
				watchCheck = watchCall ? 'expect' : 'done';
				previousLast = undefined;
				// Read every page again, the one that showed the insertions too: it may have been wrong.
				cached = undefined;
				pages.clear();
				continue;
			}
			// Pushed past its page by insertions, the page still shows the watched calls that were on it,
			// unless more calls were inserted than the page holds: a page showing none of them is more
			// likely another page's rows, and is asked again until the tries run out.
			const watchedHere = options.watchedAt?.filter((w) => w.pos >= lowest && w.pos <= highest) ?? [];
			const suspect = pushedAbove && watchedHere.length > 0 && !watchedHere.some((w) => positioned.some((p) => p.call.id === w.id));
			if ((pushedAbove || foundAbove) && (!confirmed || suspect) && ++anchorMisses < MAX_READS_PER_POSITION) {
				anomalyIds = ids;
				cached = undefined;
				pages.clear();
				continue;
			}
			anomalyIds = undefined;
			if (pushedAbove) {
				// Every call here is older than the anchor: calls inserted below it (late arrivals) pushed it
				// past this page. Look on the next one; the calls of this page may be among the insertions.
				if (!anchorAbove) anchorSearchFrom = position;
				anchorAbove = true;
				for (const item of positioned) {
					if (item.position >= position) belowK(item);
				}
				previousLast = positioned[positioned.length - 1];
				position = highest + 1;
				cached = undefined;
				if (!roomForPage()) break;
				continue;
			}
			if (anchorPosition === undefined) {
				// A page answered with the wrong rows (a repeated page) looks just like deleted calls: ask
				// for the page again before concluding that the list changed.
				if (++anchorMisses < MAX_READS_PER_POSITION) {
					if (anchorAbove) {
						// Not pushed past its page after all (that page was wrong): read from there again.
						anchorAbove = false;
						position = anchorSearchFrom;
					}
					cached = undefined;
					pages.clear();
					continue;
				}
				// The anchor is gone from where it must be: calls were deleted around it. Re-baseline.
				lost = true;
				break;
			}
			checkedAnchor = true;
			if (anchorPosition < state.k - 1) {
				// Older calls were deleted: positions moved down. Follow the anchor, and read the calls
				// that moved down to just above it (they are new) in this poll.
				state.k = anchorPosition + 1;
				position = Math.min(position, state.k);
			} else if (anchorPosition > state.k - 1) {
				// Calls were inserted below the anchor (arrived late): they are counted as they are met below k.
				state.k = anchorPosition + 1;
			}
		}
		beforePreviousPage = beforeLastPage;
		beforeLastPage = beforeThisPage;
		pagesConsumed++;
		for (const item of positioned) {
			if (item.position < position) continue;
			const { call } = item;
			if (item.position < state.k) {
				belowK(item);
				continue;
			}
			if (item.position !== state.k) break;
			if (consumedNow.has(call.id) || options.known(call.id) || call.createdAt < state.newestAt) {
				// A call already counted, or older than one counted, where only newer calls can be.
				if (beforePreviousPage) {
					// Read after another page of this poll: the rows shifted between the two requests (calls
					// inserted below them arrived late), or one of the two pages repeated the other. Keep
					// what was read before both; the next poll reads on from there and sees any insertion
					// at the anchor.
					return finish({ ...beforePreviousPage, caughtUp: false, lost: false, total, requests });
				}
				// The server answered with the wrong rows (a repeated page). Count nothing of this poll.
				throw inconsistentPage(pageNumber);
			}
			state.k = item.position + 1;
			state.anchorId = call.id;
			consumedNow.add(call.id);
			state.newestAt = Math.max(state.newestAt, call.createdAt);
			fresh.push(item);
		}
		// Next: the rest of the list. Below the anchor only the pages that hold unsettled calls matter
		// (settled calls do not change), unless calls were inserted there: then every page, for them.
		previousLast = positioned[positioned.length - 1];
		position = Math.max(position, highest + 1);
		if (!insertedBelow) {
			const next = Math.min(options.rereadAt?.find((at) => at > highest) ?? Infinity, state.k - 1);
			if (next > position) {
				position = next;
				previousLast = undefined;
				skipped = true;
			}
		}
		if (position >= total) break;
		cached = undefined;
		if (!roomForPage()) break;
	}
	const caughtUp = !lost && state.k >= total;
	if (!caughtUp && !lost && beforeLastPage && pagesConsumed >= 2) {
		// The poll stops mid-list. Its last page is the one a repeated page could not be told apart
		// from (nothing after it was read), so it is left for the next poll to read again.
		return finish({ ...beforeLastPage, caughtUp: false, lost: false, total, requests });
	}
	return finish({ state, fresh, reread, caughtUp, lost, total, requests });
}

/** Whether `call` sorts before the call created at `createdAt` with id `id` (the list's order is created_at, then id). */
function olderThan(call: Call, createdAt: number, id: number): boolean {
	return call.createdAt < createdAt || (call.createdAt === createdAt && call.id < id);
}

/** Whether `call` sorts before the anchor. */
function olderThanAnchor(call: Call, state: StreamState): boolean {
	return olderThan(call, state.newestAt, state.anchorId ?? 0);
}

const CHECK_PAGE_SIZE = 10;

/** Whether the call at position k−1 of a newest-first list is the anchor (one request, or two if calls arrived). */
async function anchorHolds(
	client: FamulorClient,
	query: CallQuery,
	state: StreamState,
	total: number,
): Promise<{ verdict: 'holds' | 'moved' | 'unknown'; page: number; requests: number }> {
	let requests = 0;
	let page = 0;
	for (let attempt = 0; attempt < 2; attempt++) {
		page = Math.floor((total - 1 - (state.k - 1)) / CHECK_PAGE_SIZE) + 1;
		const result = await client.getCallsPage(query, page, CHECK_PAGE_SIZE).then(
			(value) => value,
			(error: unknown) => error,
		);
		if (result instanceof FamulorApiError && result.kind === 'outOfTime') break;
		if (result instanceof Error) throw result;
		requests++;
		const checked = result as CallsPage;
		total = checked.total;
		const at = positionsOf(checked, -1).find((p) => p.position === state.k - 1);
		// Calls that arrived meanwhile moved it to the next small page: look there.
		if (at) return { verdict: at.call.id === state.anchorId ? 'holds' : 'moved', page, requests };
	}
	return { verdict: 'unknown', page, requests };
}

function inconsistentPage(page: number): FamulorApiError {
	return new FamulorApiError(
		'malformed',
		`Famulor answered page ${page} of the calls with rows that belong elsewhere in the list`,
		'Nothing was counted from this poll; the next poll reads the pages again. If this repeats, please report it to the package maintainers.',
		{ retryable: true },
	);
}
