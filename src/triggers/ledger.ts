/**
 * What a trigger has taken behind its cursor, kept small enough for n8n's static data and exact
 * enough to find a call that shows up late (SPEC §15 "Late listing").
 *
 * - `behind`: how many calls with a `created_at` before the cursor's were taken. Never measured, only
 *   counted up as calls are taken: when the list later holds more rows behind the cursor than this, the
 *   difference was listed late (or, fewer, deleted).
 * - `recent`: the id and time of every call taken since `horizon` (the last six hours, or fewer calls
 *   at a high rate): a late call there is told apart by its id.
 * - `buckets`: before the horizon, only a count and a checksum (the sum of a 32-bit hash of each id)
 *   per stretch of at most BUCKET_CALLS calls or an hour: a late call there is told apart by the
 *   checksum of the stretch read again. Stretches older than the trigger needs are dropped.
 *
 * The stored form is delta-encoded columns; the working form answers "how many taken calls lie in
 * [from, to)" for any time at or after the horizon, and for any bucket start before it.
 */
import { z } from 'zod';
import { HOUR_MS } from '../clock';
import { fromDeltas, toDeltas } from './deltaColumn';
import { count, epochMs, epochMsOrZero, int } from './state';

export const BUCKET_CALLS = 500;
const BUCKET_MS = HOUR_MS;
/** Most stretches kept (about 25 characters each in the state). */
export const MAX_BUCKETS = 1_500;
/** Most calls kept by id (about 12 characters each). */
export const MAX_RECENT = 2_000;

export interface LedgerState {
	behind: number;
	horizon: number;
	/** Calls taken since the horizon, by (time, id): first values, then differences. */
	recent: { id: number[]; at: number[] };
	/** Stretches before the horizon, by start time: first start, then differences; counts; two checksums. */
	buckets: { at: number[]; n: number[]; h: number[]; g: number[] };
}

export const ledgerStateSchema = z
	.object({
		behind: count,
		horizon: epochMsOrZero,
		recent: z.object({ id: z.array(int), at: z.array(int) }),
		buckets: z.object({
			at: z.array(int),
			n: z.array(count),
			h: z.array(count.max(0xffffffff)),
			g: z.array(count.max(0xffffffff)),
		}),
	})
	.refine((state) => Ledger.load(state) !== undefined, 'ledger columns do not decode');

/**
 * Two 32-bit mixes of a call id (murmur3's finaliser, with two seeds): a stretch's checksums sum them
 * (mod 2³²), 64 bits together, so that the calls a search picks by checksum are the right ones.
 */
export function idHash(id: number, seed = 0): number {
	let h = (id ^ Math.floor(id / 0x100000000) ^ seed) >>> 0;
	h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
	h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
	return (h ^ (h >>> 16)) >>> 0;
}
const SECOND = 0x5bd1e995;

export interface Bucket {
	at: number;
	n: number;
	h: number;
	g: number;
}

export class Ledger {
	/** Recent calls sorted by (time, id). */
	private recentIds: number[] = [];
	private recentAt: number[] = [];
	private readonly known = new Set<number>();

	private constructor(
		public behind: number,
		public horizon: number,
		public buckets: Bucket[],
	) {}

	/** A ledger with nothing taken; kept by id from `from` on (a tracker's start time, or 0). */
	static empty(from = 0): Ledger {
		return new Ledger(0, from, []);
	}

	/** The working form of a stored ledger, or undefined when the columns do not decode. */
	static load(state: LedgerState): Ledger | undefined {
		const { recent, buckets } = state;
		if (recent.id.length !== recent.at.length) return undefined;
		const lengths = [buckets.n.length, buckets.h.length, buckets.g.length];
		if (lengths.some((length) => length !== buckets.at.length)) return undefined;
		const ids = fromDeltas(recent.id);
		const times = fromDeltas(recent.at);
		const starts = fromDeltas(buckets.at);
		if (!ids || !times || !starts) return undefined;
		const ledger = new Ledger(state.behind, state.horizon, []);
		for (let i = 0; i < ids.length; i++) {
			const id = ids[i] as number;
			const at = times[i] as number;
			if (!(id >= 1 && epochMs.safeParse(at).success)) return undefined;
			if (at < state.horizon || ledger.known.has(id)) return undefined;
			ledger.push(id, at);
		}
		for (let i = 0; i < starts.length; i++) {
			const start = starts[i] as number;
			const previous = ledger.buckets[ledger.buckets.length - 1];
			if (!epochMs.safeParse(start).success || (previous && start <= previous.at)) return undefined;
			ledger.buckets.push({
				at: start,
				n: buckets.n[i] as number,
				h: buckets.h[i] as number,
				g: buckets.g[i] as number,
			});
		}
		const last = ledger.buckets[ledger.buckets.length - 1];
		if (last && last.at >= state.horizon) return undefined;
		return ledger;
	}

	store(): LedgerState {
		const recent = { id: toDeltas(this.recentIds), at: toDeltas(this.recentAt) };
		const buckets = {
			at: toDeltas(this.buckets.map((bucket) => bucket.at)),
			n: this.buckets.map((bucket) => bucket.n),
			h: this.buckets.map((bucket) => bucket.h),
			g: this.buckets.map((bucket) => bucket.g),
		};
		return { behind: this.behind, horizon: this.horizon, recent, buckets };
	}

	/** Whether a call was taken, by id, if its time is at or after the horizon (else: not known here). */
	knows(id: number): boolean {
		return this.known.has(id);
	}

	get recentCount(): number {
		return this.recentIds.length;
	}

	/** Records a call taken (time at or after the horizon; older ones go into their stretch). */
	add(id: number, at: number): void {
		if (this.known.has(id)) return;
		if (at >= this.horizon) {
			const index = this.insertionPoint(at, id);
			this.recentIds.splice(index, 0, id);
			this.recentAt.splice(index, 0, at);
			this.known.add(id);
			return;
		}
		const bucket = this.bucketOf(at);
		if (bucket) countInto(bucket, id);
	}

	/** Taken calls with a time in [from, to): exact for `from` at or after the horizon or at a bucket start. */
	takenIn(from: number, to: number): number {
		let n = this.lowerBound(to) - this.lowerBound(Math.max(from, this.horizon));
		for (const bucket of this.buckets) if (bucket.at >= from && bucket.at < to) n += bucket.n;
		return Math.max(0, n);
	}

	/** The stretch holding time `at` (before the horizon), if it is kept. */
	bucketOf(at: number): Bucket | undefined {
		for (let i = this.buckets.length - 1; i >= 0; i--) {
			const bucket = this.buckets[i] as Bucket;
			if (bucket.at <= at) return bucket;
		}
		return undefined;
	}

	/** Where the stretch starting at `start` ends (the next start, or the horizon). */
	bucketEnd(start: number): number {
		return this.buckets.find((bucket) => bucket.at > start)?.at ?? this.horizon;
	}

	/** The distinct times of the recent calls, ascending. */
	recentTimes(): number[] {
		return [...new Set(this.recentAt)];
	}

	/**
	 * Moves the horizon up to `horizon` (never down), folding the calls before it into stretches, and
	 * drops stretches before `keepFrom`. A group of calls sharing a time is never split.
	 */
	prune(horizon: number, keepFrom: number): void {
		let target = Math.max(this.horizon, horizon);
		// Too many calls by id: the horizon moves up to the time that keeps MAX_RECENT of them.
		if (this.recentIds.length > MAX_RECENT) {
			target = Math.max(target, this.recentAt[this.recentIds.length - MAX_RECENT] as number);
		}
		// The stretches cover every time from the first one on, calls or not: a call listed late into a
		// stretch where none was taken is found by its count and checksum as well.
		if (this.buckets.length === 0 && this.horizon > 0 && target > this.horizon) {
			this.buckets.push({ at: this.horizon, n: 0, h: 0, g: 0 });
		}
		let moved = 0;
		let previous = -Infinity;
		while (moved < this.recentIds.length && (this.recentAt[moved] as number) < target) {
			const at = this.recentAt[moved] as number;
			this.fold(this.recentIds[moved] as number, at, at === previous);
			previous = at;
			this.known.delete(this.recentIds[moved] as number);
			moved++;
		}
		this.recentIds.splice(0, moved);
		this.recentAt.splice(0, moved);
		this.horizon = target;
		const keep = this.buckets.filter((bucket) => this.bucketEnd(bucket.at) > keepFrom);
		this.buckets = keep.slice(Math.max(0, keep.length - MAX_BUCKETS));
	}

	/** Adds a call leaving the recent list to the last stretch, or starts a new one (never inside a group). */
	private fold(id: number, at: number, sameTimeAsPrevious: boolean): void {
		const last = this.buckets[this.buckets.length - 1];
		if (!last || (!sameTimeAsPrevious && (last.n >= BUCKET_CALLS || at - last.at >= BUCKET_MS))) {
			this.buckets.push({ at, n: 0, h: 0, g: 0 });
		}
		countInto(this.buckets[this.buckets.length - 1] as Bucket, id);
	}

	private push(id: number, at: number): void {
		this.recentIds.push(id);
		this.recentAt.push(at);
		this.known.add(id);
	}

	private insertionPoint(at: number, id: number): number {
		let lo = 0;
		let hi = this.recentAt.length;
		while (lo < hi) {
			const mid = (lo + hi) >> 1;
			const t = this.recentAt[mid] as number;
			if (t < at || (t === at && (this.recentIds[mid] as number) < id)) lo = mid + 1;
			else hi = mid;
		}
		return lo;
	}

	/** Index of the first recent call with a time at or after `at`. */
	private lowerBound(at: number): number {
		let lo = 0;
		let hi = this.recentAt.length;
		while (lo < hi) {
			const mid = (lo + hi) >> 1;
			if ((this.recentAt[mid] as number) < at) lo = mid + 1;
			else hi = mid;
		}
		return lo;
	}
}

/** Counts a call into a stretch. */
function countInto(bucket: Bucket, id: number): void {
	bucket.n++;
	bucket.h = (bucket.h + idHash(id)) >>> 0;
	bucket.g = (bucket.g + idHash(id, SECOND)) >>> 0;
}

/** The two checksums of some ids. */
function checksum(ids: number[]): [number, number] {
	let h = 0;
	let g = 0;
	for (const id of ids) {
		h = (h + idHash(id)) >>> 0;
		g = (g + idHash(id, SECOND)) >>> 0;
	}
	return [h, g];
}

/** Subsets searched at most, per half, before a stretch's late calls count as not found. */
const SEARCH_LIMIT = 50_000;

/**
 * The calls among `ids` (a whole stretch read again) that were not taken: `missing` of them, whose
 * checksums make up the difference to the stretch's. Tries the newest ids first (a call listed late
 * was often stored late), then every choice, met in the middle (subsets of half the size, looked up by
 * checksum). Undefined when there are too many to search: the caller rebuilds.
 */
export function findByChecksum(ids: number[], bucket: Bucket, missing: number): number[] | undefined {
	const [h, g] = checksum(ids);
	const target: [number, number] = [(h - bucket.h) >>> 0, (g - bucket.g) >>> 0];
	const fits = (chosen: number[]) => {
		const [ch, cg] = checksum(chosen);
		return ch === target[0] && cg === target[1];
	};
	const newest = [...ids].sort((a, b) => b - a).slice(0, missing + 4);
	for (const chosen of choose(newest, missing)) if (fits(chosen)) return chosen;
	const half = Math.floor(missing / 2);
	if (combinations(ids.length, missing - half) > SEARCH_LIMIT) return undefined;
	const byChecksum = new Map<string, number[]>();
	for (const part of choose(ids, half)) byChecksum.set(checksum(part).join(':'), part);
	for (const part of choose(ids, missing - half)) {
		const [ph, pg] = checksum(part);
		const other = byChecksum.get(`${(target[0] - ph) >>> 0}:${(target[1] - pg) >>> 0}`);
		if (other && other.every((id) => !part.includes(id))) return [...other, ...part];
	}
	return undefined;
}

/** n choose k, stopping once it passes SEARCH_LIMIT. */
function combinations(n: number, k: number): number {
	let result = 1;
	for (let i = 0; i < k && result <= SEARCH_LIMIT; i++) result = (result * (n - i)) / (i + 1);
	return result;
}

/** Every choice of `k` of `items`, in order. */
function* choose(items: number[], k: number, from = 0): Generator<number[]> {
	if (k === 0) {
		yield [];
		return;
	}
	for (let i = from; i + k <= items.length; i++) {
		for (const rest of choose(items, k - 1, i + 1)) yield [items[i] as number, ...rest];
	}
}
