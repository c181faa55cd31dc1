/**
 * Finding calls listed late (SPEC §15): the list holds `unaccounted` more rows behind the cursor's time
 * than the trigger took there. They are calls that appeared after newer ones (listed when they ended,
 * or delayed); this finds them, spending requests only when it happens.
 *
 * For any time K at a mark — a start of a ledger stretch, or the time of a recent call — the ledger
 * knows how many calls it took before K, and one small answer around where the boundary at K should be
 * tells how many rows lie before K now: the difference D(K) is how many late calls lie before K. D
 * grows toward the cursor, where it is `unaccounted`. The search gallops back from the cursor (a
 * stretch of REGION_ROWS rows, then twice as far each time) and halves stretches where D changes until
 * they are small, then reads each such stretch whole (a walk, so ties and page boundaries do not
 * matter) and tells the late calls apart: by id where the ledger keeps ids, by the checksum of the
 * stretch before that. Late calls before the oldest stretch kept are counted, not found (`beyond`).
 */
import type { CallQuery, CallRow, CallSlice, CallSource, SliceRequest } from '../api/port';
import { MAX_SLICE } from '../api/port';
import { drive } from '../list/drive';
import { Walk } from '../list/walk';
import { FamulorApiError, settled } from '../errors';
import { findByChecksum, type Ledger } from './ledger';

/** A stretch this short (in rows) is read whole instead of halved again. */
export const REGION_ROWS = 150;
/** Rows more on each side of where a boundary should be: calls arriving meanwhile move it. */
const MARGIN = 3;
/** Answers asked for one boundary before the counts count as contradicting each other. */
const MEASURE_TRIES = 3;

export interface LateSearch {
	source: CallSource;
	query: CallQuery;
	ledger: Ledger;
	/** The stored cursor's time, and how many calls were taken before it. */
	cursorAt: number;
	accounted: number;
	/** How many more rows the list holds before the cursor's time. */
	unaccounted: number;
	order: 1 | -1;
	/** The list's length when `unaccounted` was counted. */
	total: number;
	hasTime: (requests?: number) => boolean;
}

export interface LateResult {
	found: CallRow[];
	/** Late rows before the oldest stretch the ledger keeps: counted, not found. */
	beyond: number;
	/** The counts contradict each other (calls deleted meanwhile, or a server that changed its answers). */
	inconsistent: boolean;
}

class Inconsistent extends Error {}
class OutOfTime extends Error {}

/** A wait the poll's deadline cut short. */
export const timedOut = (error: unknown): boolean => error instanceof FamulorApiError && error.kind === 'outOfTime';

export async function findLate(search: LateSearch): Promise<LateResult> {
	const finder = new LateFinder(search);
	const outcome = await settled(finder.gallop());
	if ('error' in outcome && outcome.error instanceof Inconsistent) {
		return { found: finder.found, beyond: 0, inconsistent: true };
	}
	// Out of time: what was found is kept; the next poll looks for the rest.
	if ('error' in outcome && !(outcome.error instanceof OutOfTime)) throw outcome.error;
	return { found: finder.found, beyond: finder.beyond, inconsistent: false };
}

class LateFinder {
	readonly found: CallRow[] = [];
	beyond = 0;
	/** Times where the ledger's count before them is exact, ascending, ending with the cursor's time. */
	private readonly marks: number[];
	private total: number;

	constructor(private readonly search: LateSearch) {
		const { ledger, cursorAt } = search;
		const times = [...ledger.buckets.map((bucket) => bucket.at), ledger.horizon, ...ledger.recentTimes()];
		this.marks = [...new Set(times.filter((t) => t > 0 && t < cursorAt)), cursorAt].sort((a, b) => a - b);
		this.total = search.total;
	}

	/** Calls taken before time `at` (a mark). */
	private takenBefore(at: number): number {
		return this.search.accounted - this.search.ledger.takenIn(at, this.search.cursorAt);
	}

	/** Back from the cursor, a stretch at a time, twice as long each time, until every late call is placed. */
	async gallop(): Promise<void> {
		let hi = this.marks.length - 1;
		let dHi = this.search.unaccounted;
		for (let distance = REGION_ROWS; dHi > 0; distance *= 2) {
			const lo = this.markBefore(hi, distance);
			const dLo = lo === hi ? dHi : await this.measure(lo, 0, dHi);
			if (lo < hi && dLo < dHi) await this.bisect(lo, hi, dLo, dHi);
			if (lo === 0) {
				this.beyond = dLo;
				return;
			}
			hi = lo;
			dHi = dLo;
		}
	}

	/** The mark furthest back from mark `hi` with at most `distance` calls taken between them (at least one step). */
	private markBefore(hi: number, distance: number): number {
		const top = this.takenBefore(this.marks[hi] as number);
		let lo = hi - 1;
		while (lo > 0 && top - this.takenBefore(this.marks[lo - 1] as number) <= distance) lo--;
		return Math.max(0, lo);
	}

	/** Between marks lo and hi lie dHi − dLo late calls: halve the stretch until it is small, then read it. */
	private async bisect(lo: number, hi: number, dLo: number, dHi: number): Promise<void> {
		if (dHi === dLo) return;
		const from = this.marks[lo] as number;
		const to = this.marks[hi] as number;
		const rows = this.takenBefore(to) - this.takenBefore(from) + (dHi - dLo);
		if (rows <= REGION_ROWS || hi - lo <= 1) return await this.readStretch(from, to, dLo, dHi - dLo);
		const middle = (this.takenBefore(from) + this.takenBefore(to)) / 2;
		let mid = lo + 1;
		while (mid < hi - 1 && this.takenBefore(this.marks[mid] as number) < middle) mid++;
		const dMid = await this.measure(mid, dLo, dHi);
		await this.bisect(lo, mid, dLo, dMid);
		await this.bisect(mid, hi, dMid, dHi);
	}

	/**
	 * How many late calls lie before mark `m`, known to be between `low` and `high`: one answer around
	 * where the boundary at that time must be (rows before it, then rows at or after it).
	 */
	private async measure(m: number, low: number, high: number): Promise<number> {
		const at = this.marks[m] as number;
		const taken = this.takenBefore(at);
		const rows = Math.min(MAX_SLICE - 1, high - low + 1 + 2 * MARGIN);
		// Rows before `at` lie at indices 0… (oldest first) or from the end (newest first).
		const indexOf = (d: number) => (this.search.order === 1 ? taken + d - 1 - MARGIN : this.total - taken - d + MARGIN);
		let range = { low, high };
		for (let attempt = 0; attempt < MEASURE_TRIES; attempt++) {
			const toward = this.search.order === 1 ? 1 : -1;
			const slice = await this.read({ at: Math.max(0, indexOf(range.low)), toward, rows });
			const before = rowsBefore(slice, at, this.search.order);
			if (before !== undefined) {
				const d = before - taken;
				if (d < low || d > high) throw new Inconsistent();
				return d;
			}
			// The boundary is not in the answer (more late calls than one answer spans, or calls arriving
			// meanwhile moved it): the answer's rows narrow how many late calls lie before it — a count that
			// calls arriving after it leave as it is — and the next answer looks there, by the new total.
			// (An answer that contradicts what is known, a page from elsewhere, narrows nothing.)
			const next = narrowed(slice, at, this.search.order, taken, range);
			range = next.low <= next.high ? next : { low, high };
		}
		throw new Inconsistent();
	}

	/** Reads the calls of [from, to) whole and tells the `missing` late ones apart. */
	private async readStretch(from: number, to: number, lateBefore: number, missing: number): Promise<void> {
		const { search } = this;
		const before = this.takenBefore(from) + lateBefore;
		const walk = new Walk('newer', { at: from, ids: [] });
		const rows: CallRow[] = [];
		const first: SliceRequest =
			search.order === 1
				? { at: Math.max(0, before - 1), toward: 1, rows: MAX_SLICE - 1 }
				: { at: Math.max(0, this.total - before + MARGIN), toward: -1, rows: MAX_SLICE - 1 };
		const end = await drive(search.source, search.query, walk, first, {
			read: (slice) => (this.total = slice.total),
			taken: (taken) => {
				for (const row of taken) if (row.call.createdAt < to) rows.push(row);
				return walk.passed(to - 1);
			},
			hasTime: () => search.hasTime(),
		});
		if (end === 'outOfTime') throw new OutOfTime();
		const late = this.tellApart(rows, from, to);
		// More than expected: calls listed late while this poll was reading (all of them are taken); fewer:
		// the counts contradict each other.
		if (late.length < missing) throw new Inconsistent();
		this.found.push(...late);
	}

	/** The rows of a stretch the ledger did not take: by id after its horizon, by checksum before. */
	private tellApart(rows: CallRow[], from: number, to: number): CallRow[] {
		const { ledger } = this.search;
		const late = rows.filter(({ call }) => call.createdAt >= ledger.horizon && !ledger.knows(call.id));
		for (const bucket of ledger.buckets) {
			if (bucket.at < from || bucket.at >= to) continue;
			const end = ledger.bucketEnd(bucket.at);
			const inBucket = rows.filter(({ call }) => call.createdAt >= bucket.at && call.createdAt < end);
			const missing = inBucket.length - bucket.n;
			if (missing < 0) throw new Inconsistent();
			if (missing === 0) continue;
			const ids = findByChecksum(
				inBucket.map(({ call }) => call.id),
				bucket,
				missing,
			);
			if (!ids) throw new Inconsistent();
			late.push(...inBucket.filter(({ call }) => ids.includes(call.id)));
		}
		return late;
	}

	private async read(request: SliceRequest): Promise<CallSlice> {
		if (!this.search.hasTime()) throw new OutOfTime();
		const answer = await settled(this.search.source.slice(this.search.query, request));
		if ('error' in answer) throw timedOut(answer.error) ? new OutOfTime() : answer.error;
		this.total = answer.value.total;
		return answer.value;
	}
}

/**
 * What a slice that does not show the boundary at time `at` says about D, the late calls before it (the
 * rows before `at` are `taken` + D): every row in it on one side puts the boundary past that end.
 */
function narrowed(
	slice: CallSlice,
	at: number,
	order: 1 | -1,
	taken: number,
	range: { low: number; high: number },
): { low: number; high: number } {
	const first = slice.rows[0];
	if (!first) return range;
	const end = slice.start + slice.rows.length - 1;
	const allBefore = first.call.createdAt < at;
	// Oldest first, rows before `at` are the indices [0, taken + D); newest first, [total − taken − D, total).
	const bound =
		order === 1
			? allBefore
				? { low: end + 1 - taken }
				: { high: slice.start - taken }
			: allBefore
				? { low: slice.total - slice.start - taken }
				: { high: slice.total - end - 1 - taken };
	return { low: Math.max(range.low, bound.low ?? range.low), high: Math.min(range.high, bound.high ?? range.high) };
}

/**
 * How many rows of the list lie before time `at`, told by a slice that shows the boundary (a row before
 * `at` next to a row at or after it, or an end of the list); undefined when it does not show it.
 */
export function rowsBefore(slice: CallSlice, at: number, order: 1 | -1): number | undefined {
	const rows = slice.rows;
	if (order === 1) {
		const i = rows.findIndex((row) => row.call.createdAt >= at);
		if (i > 0 || (i === 0 && slice.start === 0)) return slice.start + i;
		if (i === -1 && slice.start + rows.length >= slice.total) return slice.total;
		return undefined;
	}
	const i = rows.findIndex((row) => row.call.createdAt < at);
	if (i > 0 || (i === 0 && slice.start === 0)) return slice.total - (slice.start + i);
	if (i === -1 && slice.start + rows.length >= slice.total) return 0;
	return undefined;
}
