/**
 * Finding the cursor's place in the list when answers miss it: a tracker started at a time (a billing
 * period's start, a baseline's) walks from a cursor thousands of rows into the list, and an estimate of
 * where the cursor is can be off by the calls listed since. Like a galloping search over a sorted
 * array: leaps that double (1, 2, 4 … answers) away from the one bound known — an index behind the
 * cursor or one ahead of it — until the other is found, then halving between the two. A few requests
 * where stepping answer by answer would take one per hundred rows.
 *
 * Indices are the list's as the last answer told them; a newest-first list moves every row by the
 * calls that arrive, and the bounds move with it. Bounds that stop making sense (the list changed
 * under the search) end the search, and the walk goes on as it would without it.
 */
import type { CallSlice, SliceRequest } from '../api/port';
import type { Step } from './walk';

/** An index known to lie behind (or ahead of) the cursor; not `seen`: the list's end on that side. */
interface Bound {
	at: number;
	seen: boolean;
}

export class Seek {
	/** Answers in a row that missed the cursor on the same side: the next leap is 2^leaps answers. */
	private leaps = 0;

	private constructor(
		private readonly toward: 1 | -1,
		private behind: Bound,
		private ahead: Bound,
	) {}

	/**
	 * The search after `step` (undefined: none, or no longer). `shift` is how far the list's rows moved
	 * toward higher indices since the last answer (calls arriving at the top of a newest-first list).
	 */
	static after(seek: Seek | undefined, step: Step, slice: CallSlice, shift: number): Seek | undefined {
		const anchor = step.anchor;
		if (!anchor || (step.outcome !== 'behind' && step.outcome !== 'gap')) return undefined;
		const behindAt = step.outcome === 'behind' ? anchor.at : undefined;
		const aheadAt = step.outcome === 'gap' ? anchor.at + anchor.toward : undefined;
		if (!seek || seek.toward !== anchor.toward) return Seek.start(anchor.toward, slice.total, behindAt, aheadAt);
		seek.move(shift, slice.total);
		const narrowed = behindAt !== undefined ? seek.behindAt(behindAt) : seek.aheadAt(aheadAt as number);
		return narrowed && seek.span() > 0 ? seek : undefined;
	}

	private static start(toward: 1 | -1, total: number, behindAt?: number, aheadAt?: number): Seek {
		const ends = Seek.ends(toward, total);
		return new Seek(
			toward,
			behindAt === undefined ? { at: ends.behind, seen: false } : { at: behindAt, seen: true },
			aheadAt === undefined ? { at: ends.ahead, seen: false } : { at: aheadAt, seen: true },
		);
	}

	/** Just beyond the list's ends, behind the walk and ahead of it. */
	private static ends(toward: 1 | -1, total: number): { behind: number; ahead: number } {
		return toward === 1 ? { behind: -1, ahead: total } : { behind: total, ahead: -1 };
	}

	/** Where to ask next: a slice of `rows` rows read toward the walk from a place between the bounds. */
	next(rows: number): SliceRequest {
		const { toward, behind, ahead } = this;
		const span = this.span();
		const half = Math.max(1, Math.floor((span - rows) / 2));
		let at: number;
		if (span <= rows) at = behind.at + (behind.seen ? 0 : toward);
		else if (behind.seen && ahead.seen) at = behind.at + toward * half;
		// Away from the one bound seen: from behind toward the walk, or from ahead back against it.
		else if (behind.seen) at = behind.at + toward * Math.min((2 ** this.leaps - 1) * rows, half);
		else at = ahead.at - toward * Math.min(2 ** this.leaps * rows, span - 1);
		return { at: Math.max(0, at), toward, rows };
	}

	private span(): number {
		return (this.ahead.at - this.behind.at) * this.toward;
	}

	private move(shift: number, total: number): void {
		const ends = Seek.ends(this.toward, total);
		this.behind.at = this.behind.seen ? this.behind.at + shift : ends.behind;
		this.ahead.at = this.ahead.seen ? this.ahead.at + shift : ends.ahead;
	}

	/** An answer wholly behind the cursor, up to `index`: whether it narrowed the search. */
	private behindAt(index: number): boolean {
		if (this.behind.seen && (index - this.behind.at) * this.toward <= 0) return false;
		this.leaps = this.ahead.seen ? 0 : this.behind.seen ? this.leaps + 1 : 0;
		this.behind = { at: index, seen: true };
		return true;
	}

	/** An answer that starts ahead of the cursor, at `index`: whether it narrowed the search. */
	private aheadAt(index: number): boolean {
		if (this.ahead.seen && (this.ahead.at - index) * this.toward <= 0) return false;
		this.leaps = this.behind.seen ? 0 : this.ahead.seen ? this.leaps + 1 : 0;
		this.ahead = { at: index, seen: true };
		return true;
	}
}
