/**
 * The checks the stream reader runs on each page before it trusts it. A page can carry another
 * page's rows (a repeated page), rows shift while a poll reads, and calls arrive late (after newer
 * ones) or are deleted. Each check here looks at one page and returns a verdict; the reader
 * (stream.ts) acts on it. None of them sends a request.
 *
 * - AnchorCheck: the call at position k−1 (the anchor) must be where it was left. Found higher up,
 *   calls were inserted below it; gone, calls were deleted (the caller re-baselines); an anomaly is
 *   only believed when a second read of the page shows it too.
 * - WatchCheck: the oldest watched call (the first page re-read below k) must be on that page, or
 *   — pushed up by late insertions — on the next one.
 * - Checkpoints: what the poll had before each of its last two pages, so that it can stop before a
 *   page that turned out doubtful instead of counting it.
 */
import type { Call } from '../calls';
import { olderThan, type PositionedCall } from '../pages';

/** Reads of one page allowed to settle an anomaly before the poll gives up on it. */
export const MAX_READS_PER_POSITION = 4;

export interface CallRef {
	id: number;
	createdAt: number;
}

export type AnchorVerdict =
	/** The page does not hold the anchor (or it was checked already). */
	| { kind: 'notHere' }
	/** Calls were inserted below the anchor: read every page again from the oldest recent call. */
	| { kind: 'restart' }
	/** Not believed yet: read the page again. */
	| { kind: 'reask' }
	/** Not believed after all: read again from where the search for the anchor began. */
	| { kind: 'reaskFrom'; position: number }
	/** Every call of the page is older than the anchor: insertions pushed it further; look on the next page. */
	| { kind: 'pushedAbove' }
	/** The anchor is gone: calls were deleted around it. */
	| { kind: 'lost' }
	/** The anchor is at `position` (k−1, or higher after insertions, or lower after deletions). */
	| { kind: 'found'; position: number };

export interface AnchorPage {
	positioned: PositionedCall[];
	lowest: number;
	highest: number;
	total: number;
}

export interface AnchorContext {
	/** Where the reader is in the list. */
	position: number;
	/** Where the poll started reading, and where late insertions can land (the oldest recent call). */
	start: number;
	lateStart: number;
	/** Pages below the anchor were skipped (they hold only settled calls). */
	skipped: boolean;
	/** Watched calls last seen on this page's positions. */
	watchedHere: Array<{ id: number; pos: number }>;
}

export class AnchorCheck {
	checked: boolean;
	/** Calls were inserted below the anchor (seen once; the reader then reads every page). */
	insertedBelow = false;
	restarted = false;
	private misses = 0;
	/** The anchor was not on its page, which held only older calls: late insertions pushed it further. */
	private above = false;
	private searchFrom = 0;
	/** Ids of a page that showed an anomaly, to confirm it with a second read. */
	private anomalyIds: string | undefined;

	constructor(
		private readonly k: () => number,
		/** The anchor: its id, and the newest created_at consumed. */
		private readonly anchor: () => CallRef,
	) {
		this.checked = k() === 0;
	}

	inspect(page: AnchorPage, context: AnchorContext): AnchorVerdict {
		const k = this.k();
		if (this.checked || !(this.above || (k - 1 >= page.lowest && k - 1 <= page.highest))) return { kind: 'notHere' };
		const anchor = this.anchor();
		const at = page.positioned.find((p) => p.call.id === anchor.id)?.position;
		const ids = page.positioned.map((p) => p.call.id).join(',');
		const confirmed = ids === this.anomalyIds;
		const olderThanAnchor = (call: Call) => olderThan(call, anchor);
		const pushedAbove =
			at === undefined && page.highest < page.total - 1 && page.positioned.every((p) => olderThanAnchor(p.call));
		const foundAbove = at !== undefined && this.above;
		if (pushedAbove || (at !== undefined && at > k - 1)) this.insertedBelow = true;
		if (this.insertedBelow && !this.restarted && (context.lateStart < context.start || context.skipped)) {
			this.restarted = true;
			return { kind: 'restart' };
		}
		// Pushed past its page by insertions, the page still shows the watched calls that were on it,
		// unless more calls were inserted than the page holds: a page showing none of them is more
		// likely another page's rows, and is asked again until the tries run out.
		const suspect =
			pushedAbove &&
			context.watchedHere.length > 0 &&
			!context.watchedHere.some((w) => page.positioned.some((p) => p.call.id === w.id));
		if ((pushedAbove || foundAbove) && (!confirmed || suspect) && ++this.misses < MAX_READS_PER_POSITION) {
			this.anomalyIds = ids;
			return { kind: 'reask' };
		}
		this.anomalyIds = undefined;
		if (pushedAbove) {
			if (!this.above) this.searchFrom = context.position;
			this.above = true;
			return { kind: 'pushedAbove' };
		}
		if (at === undefined) {
			// A page answered with the wrong rows looks just like deleted calls: ask again first.
			if (++this.misses < MAX_READS_PER_POSITION) {
				if (!this.above) return { kind: 'reask' };
				this.above = false;
				return { kind: 'reaskFrom', position: this.searchFrom };
			}
			return { kind: 'lost' };
		}
		this.checked = true;
		return { kind: 'found', position: at };
	}
}

export type WatchVerdict = 'ok' | 'reask' | 'stop';

/**
 * The oldest watched call was last seen at `from`: the first page there must show it, or a call not
 * older than it ('expect'); a page of only older calls means late insertions pushed it up, and then the
 * next page must show it ('above') — else that page held another page's rows.
 */
export class WatchCheck {
	private phase: 'expect' | 'above' | 'done';
	private misses = 0;
	/** The highest position of the page that sent the check 'above'. */
	private aboveAfter = -1;

	constructor(
		public from: number | undefined,
		public call: CallRef | undefined,
	) {
		this.phase = call && from !== undefined ? 'expect' : 'done';
	}

	/** Starts over from another call (after a restart for late insertions). */
	reset(from: number | undefined, call: CallRef | undefined): void {
		this.from = from;
		this.call = call;
		this.phase = call ? 'expect' : 'done';
	}

	inspect(positioned: PositionedCall[], lowest: number, highest: number): WatchVerdict {
		const watched = this.call;
		// The same page asked again (after an anomaly) is checked as the first page, not as the next one.
		if (this.phase === 'above' && lowest <= this.aboveAfter) this.phase = 'expect';
		if (!watched || this.phase === 'done' || (this.phase === 'expect' && (this.from as number) < lowest)) return 'ok';
		const seen = positioned.some((p) => p.call.id === watched.id);
		const newer = positioned.some((p) => !olderThan(p.call, watched));
		const older = positioned.some((p) => olderThan(p.call, watched));
		if (seen || (this.phase === 'expect' && newer) || (this.phase === 'above' && older)) {
			this.phase = 'done';
			return 'ok';
		}
		if (this.phase === 'expect') {
			this.phase = 'above';
			this.aboveAfter = highest;
			return 'ok';
		}
		// Only newer calls after a page of only older ones: that page was another page's rows.
		this.phase = 'expect';
		return ++this.misses >= MAX_READS_PER_POSITION ? 'stop' : 'reask';
	}
}

/** What a poll holds at one moment: enough to stop there and keep only what came before. */
export interface Checkpoint<State> {
	state: State;
	fresh: PositionedCall[];
	reread: PositionedCall[];
}

export class Checkpoints<State> {
	/** Before the page consumed last, and before the one consumed before it. */
	beforeLast: Checkpoint<State> | undefined;
	beforePrevious: Checkpoint<State> | undefined;
	pagesConsumed = 0;

	/** A copy of what the poll holds now. */
	static take<State extends object>(
		state: State,
		fresh: PositionedCall[],
		reread: PositionedCall[],
	): Checkpoint<State> {
		return { state: { ...state }, fresh: [...fresh], reread: [...reread] };
	}

	/** A page is about to be consumed; `before` is what the poll held before it. */
	consuming(before: Checkpoint<State>): void {
		this.beforePrevious = this.beforeLast;
		this.beforeLast = before;
		this.pagesConsumed++;
	}
}
