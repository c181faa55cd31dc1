/**
 * What one answer of the call list proves, read in the direction a reader walks.
 *
 * The list is ordered by `created_at`; calls sharing one (a *group*) come in any order. One answer is a
 * contiguous run of the list at one moment, so every group that lies strictly inside it — with a row
 * of another group before it and after it in the same answer — is there whole. A group at either edge
 * of the answer may go on beyond it, unless that edge is an end of the list. That is the only proof of
 * completeness the readers use: it holds whatever order ties come in, wherever page boundaries fall
 * and however positions shift between requests.
 *
 * A walk goes toward newer or toward older calls. Its *walk key* grows along the walk (`created_at`,
 * or its negation for a walk toward older calls), so "behind" (already walked) and "ahead" mean the
 * same in either direction and either list order.
 */
import type { CallRow, CallSlice } from '../api/port';
import { reachesEnd } from '../api/port';
import { incomplete } from '../errors';

/** 1 oldest first, -1 newest first. */
export type ListOrder = 1 | -1;
export type Direction = 'newer' | 'older';

/**
 * The order a slice shows: from its first and last distinct `created_at`; 0 when it shows none (fewer
 * than two distinct times). A slice whose times go both ways is not a sorted list: refused.
 */
export function orderOf(slice: CallSlice): ListOrder | 0 {
	let order: ListOrder | 0 = 0;
	for (let i = 1; i < slice.rows.length; i++) {
		const step = Math.sign(at(slice, i) - at(slice, i - 1));
		if (step === 0) continue;
		if (order !== 0 && step !== order) throw incomplete(`an answer is not sorted by time (rows ${i - 1} and ${i})`);
		order = step as ListOrder;
	}
	return order;
}

const at = (slice: CallSlice, i: number): number => (slice.rows[i] as CallRow).call.createdAt;

/** A slice seen along a walk: rows in walk order, with walk keys and list indices. */
export class WalkView {
	readonly rows: CallRow[];
	readonly keys: number[];
	/** +1 when the walk goes along the list's indices, -1 against them. */
	readonly step: 1 | -1;
	/** No row of the list lies behind the first row of the view (it is an end of the list). */
	readonly behindBounded: boolean;
	/** No row of the list lies ahead of the last row of the view. */
	readonly aheadBounded: boolean;

	constructor(
		readonly slice: CallSlice,
		order: ListOrder,
		readonly direction: Direction,
	) {
		this.step = (order === 1) === (direction === 'newer') ? 1 : -1;
		this.rows = this.step === 1 ? slice.rows : [...slice.rows].reverse();
		this.keys = this.rows.map((row) => walkKey(row.call.createdAt, direction));
		const atStart = slice.start === 0;
		const atEnd = reachesEnd(slice);
		this.behindBounded = this.step === 1 ? atStart : atEnd;
		this.aheadBounded = this.step === 1 ? atEnd : atStart;
	}

	get length(): number {
		return this.rows.length;
	}

	/** List index of the row at walk position `p`. */
	indexOf(p: number): number {
		return this.step === 1 ? this.slice.start + p : this.slice.start + this.rows.length - 1 - p;
	}

	/** How many rows of the whole list lie behind walk position `p` (all of them are in the view or beyond its bound). */
	behindCount(p: number): number {
		return this.step === 1 ? this.indexOf(p) : this.slice.total - 1 - this.indexOf(p);
	}

	/** First walk position at or after `from` whose key is at least `key` (length if none). */
	firstAtLeast(key: number, from = 0): number {
		let p = from;
		while (p < this.keys.length && (this.keys[p] as number) < key) p++;
		return p;
	}

	/** First walk position after `from` whose key differs from the key at `from`. */
	groupEnd(from: number): number {
		const key = this.keys[from];
		let p = from + 1;
		while (p < this.keys.length && this.keys[p] === key) p++;
		return p;
	}
}

/** The key a walk in `direction` sorts by: `created_at`, negated when walking toward older calls. */
export function walkKey(createdAt: number, direction: Direction): number {
	return direction === 'newer' ? createdAt : -createdAt;
}

/** The `created_at` of a walk key. */
export function createdAtOf(key: number, direction: Direction): number {
	return direction === 'newer' ? key : -key;
}
