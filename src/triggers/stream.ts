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
 * A poll reads from position k−1 (or further back, to re-read calls whose cost may still change)
 * toward the newest end. With nothing new that is one request, with n new calls about 1 + n/100,
 * whatever the sort order. The same loop builds the baseline from k = 0, a page at a time, and
 * stops when the poll's time runs out; the next poll continues from k.
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
	/** Re-read from this position (≤ k−1) to refresh calls that may still change. */
	rereadFrom?: number;
	/** Ids already counted (recent calls): never counted again. */
	known: (id: number) => boolean;
	/** Whether there is time for one more request. */
	hasTime: () => boolean;
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

	let position = Math.max(0, Math.min(state.k - 1, options.rereadFrom ?? state.k - 1));
	let checkedAnchor = state.k === 0;
	let readsAtPosition = 0;
	let inserted = 0;
	let beforeLastPage: { state: StreamState; fresh: PositionedCall[]; reread: PositionedCall[] } | undefined;
	let pagesConsumed = 0;
	while (position < total || cached === undefined) {
		if (cached === undefined && !options.hasTime()) break;
		const pageNumber = pageContaining(Math.min(position, total - 1), total, order);
		const page = (cached && cached.page === pageNumber ? cached : pages.get(pageNumber)) ?? (await fetchOrStop(pageNumber));
		if (page === undefined) break;
		cached = page;
		total = page.total;
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
		if (position < lowest || position > highest) {
			// New calls shifted the page under us; ask again for the page that now holds `position`.
			if (++readsAtPosition > MAX_READS_PER_POSITION) break;
			cached = undefined;
			pages.clear();
			continue;
		}
		readsAtPosition = 0;
		if (!checkedAnchor && state.k - 1 >= lowest && state.k - 1 <= highest) {
			checkedAnchor = true;
			const anchorPosition = positioned.find((p) => p.call.id === state.anchorId)?.position;
			if (anchorPosition === undefined) {
				// The anchor is gone from where it must be: calls were deleted around it. Re-baseline.
				lost = true;
				break;
			}
			if (anchorPosition < state.k - 1) {
				// Older calls were deleted: positions moved down. Follow the anchor, and read the calls
				// that moved down to just above it (they are new) in this poll.
				state.k = anchorPosition + 1;
				position = Math.min(position, state.k);
			} else if (anchorPosition > state.k - 1) {
				// Calls were inserted below the anchor (arrived late). Recent ones are picked up below.
				inserted += anchorPosition - (state.k - 1);
				state.k = anchorPosition + 1;
			}
		}
		beforeLastPage = { state: { ...state }, fresh: [...fresh], reread: [...reread] };
		pagesConsumed++;
		for (const item of positioned) {
			if (item.position < position) continue;
			const { call } = item;
			if (item.position < state.k) {
				if (inserted > 0 && call.createdAt >= options.horizon && !consumedNow.has(call.id) && !options.known(call.id)) {
					inserted--;
					consumedNow.add(call.id);
					fresh.push(item);
				} else {
					reread.push(item);
				}
				continue;
			}
			if (item.position !== state.k) break;
			if (consumedNow.has(call.id) || options.known(call.id) || call.createdAt < state.newestAt) {
				// A call already counted, or older than one counted, where only newer calls can be:
				// the server answered with the wrong rows (a repeated page). Count nothing of this poll.
				throw inconsistentPage(pageNumber);
			}
			state.k = item.position + 1;
			state.anchorId = call.id;
			consumedNow.add(call.id);
			state.newestAt = Math.max(state.newestAt, call.createdAt);
			fresh.push(item);
		}
		position = Math.max(position, highest + 1, state.k);
		if (position >= total) break;
		cached = undefined;
		if (!options.hasTime()) break;
	}
	const caughtUp = !lost && state.k >= total;
	if (!caughtUp && !lost && beforeLastPage && pagesConsumed >= 2) {
		// The poll stops mid-list. Its last page is the one a repeated page could not be told apart
		// from (nothing after it was read), so it is left for the next poll to read again.
		return { ...beforeLastPage, caughtUp: false, lost: false, total, requests };
	}
	return { state, fresh, reread, caughtUp, lost, total, requests };
}

function inconsistentPage(page: number): FamulorApiError {
	return new FamulorApiError(
		'malformed',
		`Famulor answered page ${page} of the calls with rows that belong elsewhere in the list`,
		'Nothing was counted from this poll; the next poll reads the pages again. If this repeats, please report it to the package maintainers.',
		{ retryable: true },
	);
}
