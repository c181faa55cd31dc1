/**
 * Drives a walk through the call list: asks for the slice the walk needs next, feeds it, and asks
 * again — further behind after a gap, further ahead after a slice wholly behind the cursor, with a
 * bounded number of tries. Every loop here makes progress or stops with a typed error: a walk that
 * took nothing and did not move for MAX_MISSES answers in a row fails (a server that ignores `page`,
 * answers with other rows, or keeps changing while it is read).
 *
 * Answers read before (`pool`: the first page that told the list's order, the top of the list) are
 * fed as soon as the walk can use them, instead of asking for their rows again.
 *
 * In a newest-first list, calls arriving while it is read push every row toward higher indices: a
 * walk toward newer calls (toward lower indices) asks a little further behind by the growth it saw
 * between its answers, so that the row it needs is still in the next slice.
 */
import type { CallQuery, CallRow, CallSlice, CallSource, SliceRequest } from '../api/port';
import { MAX_SLICE } from '../api/port';
import { FamulorApiError, incomplete, settled } from '../errors';
import { Seek } from './seek';
import type { Step, Walk } from './walk';

/** Answers in a row that neither took a call nor moved the cursor before the read fails. */
export const MAX_MISSES = 4;

export interface DriveOptions {
	/** Rows to ask for beyond the row the walk needs (default: a full slice). */
	rows?: () => number;
	/** Each answer's calls taken, in walk order; return true when the caller has what it needs. */
	taken?: (rows: CallRow[], slice: CallSlice) => boolean | void;
	/** Every answer read (for calls read again, or accounting). */
	read?: (slice: CallSlice) => void;
	/** Whether one more request fits the time left. */
	hasTime?: () => boolean;
	/** Every step of the walk, with the answer it came from. */
	fed?: (step: Step, slice: CallSlice) => void;
	/** A better place to look after a gap than "further behind" (a caller that knows where the cursor is). */
	relocate?: (slice: CallSlice) => SliceRequest | undefined;
	/** Answers read before, fed when the walk can use them. */
	pool?: CallSlice[];
}

export type DriveEnd = 'end' | 'refused' | 'enough' | 'outOfTime';

export async function drive(
	source: CallSource,
	query: CallQuery,
	walk: Walk,
	first: SliceRequest,
	options: DriveOptions = {},
): Promise<DriveEnd> {
	return await new Driver(source, query, walk, options).run(first);
}

class Driver {
	private misses = 0;
	/** The search for the cursor's place, while answers lie behind it. */
	private seek: Seek | undefined;
	/** The furthest index an answer wholly behind the cursor reached (such answers move the walk on). */
	private furthest: number | undefined;
	private relocated = false;
	private growth = 0;
	private lastTotal: number | undefined;
	private sent = 0;
	private readonly pool: CallSlice[];

	constructor(
		private readonly source: CallSource,
		private readonly query: CallQuery,
		private readonly walk: Walk,
		private readonly options: DriveOptions,
	) {
		this.pool = [...(options.pool ?? [])];
		// Rows that arrive after a pooled answer move the rows a request made from it aims at.
		if (this.pool.length) this.lastTotal = Math.max(...this.pool.map((slice) => slice.total));
	}

	async run(first: SliceRequest): Promise<DriveEnd> {
		let request = first;
		for (;;) {
			const slice = this.fromPool() ?? (await this.ask(request));
			if (slice === 'outOfTime') return slice;
			const next = this.use(slice, request);
			if (typeof next === 'string') return next;
			request = next;
		}
	}

	/**
	 * A pooled answer the walk can go on with, taken out of the pool. Only while the list's length is as
	 * it was: calls listed since may lie among an older answer's rows (and its counts are of another list).
	 */
	private fromPool(): CallSlice | undefined {
		const current = (slice: CallSlice) => this.lastTotal === undefined || slice.total === this.lastTotal;
		const index = this.pool.findIndex((slice) => current(slice) && this.walk.continues(slice));
		return index < 0 ? undefined : this.pool.splice(index, 1)[0];
	}

	/** The answer to a request; the first is always sent (a poll makes progress however little time it has). */
	private async ask(request: SliceRequest): Promise<CallSlice | 'outOfTime'> {
		if (this.sent > 0 && this.options.hasTime && !this.options.hasTime()) return 'outOfTime';
		this.sent++;
		const answer = await settled(this.source.slice(this.query, request));
		// The poll's time ran out while waiting to send (the rate limit): what was taken stays taken.
		if ('error' in answer) return outOfTime(answer.error);
		if (this.lastTotal !== undefined) this.growth = Math.max(0, answer.value.total - this.lastTotal);
		this.lastTotal = answer.value.total;
		return answer.value;
	}

	/** Feeds one answer; how the drive ends, or the next request. */
	private use(slice: CallSlice, asked: SliceRequest): DriveEnd | SliceRequest {
		const { walk, options } = this;
		options.read?.(slice);
		const mark = progressMark(walk);
		const step = walk.feed(slice);
		options.fed?.(step, slice);
		if (step.taken.length && options.taken?.(step.taken, slice)) return 'enough';
		if (step.outcome === 'end' || step.outcome === 'refused') return step.outcome;
		// An answer wholly behind the cursor, or one after it that narrows the search, moves the walk on.
		const searching = this.seek !== undefined;
		this.seek = Seek.after(this.seek, step, slice, walk.order === -1 ? this.growth : 0);
		const nearer = step.outcome === 'behind' ? approaches(step, this.furthest) : searching && this.seek !== undefined;
		if (step.outcome === 'behind' && nearer) this.furthest = step.anchor?.at;
		this.misses = step.taken.length > 0 || progressMark(walk) !== mark || nearer ? 0 : this.misses + 1;
		if (this.misses >= MAX_MISSES) throw stuck(step, slice);
		return this.plan(step, slice, asked);
	}

	private plan(step: Step, slice: CallSlice, asked: SliceRequest): SliceRequest {
		// Not where the walk needs to be: the caller may know where that is (asked once a walk).
		const lost = step.outcome === 'gap' || step.outcome === 'behind' || step.outcome === 'unordered';
		const relocated = lost && !this.relocated ? this.options.relocate?.(slice) : undefined;
		this.relocated ||= relocated !== undefined;
		const planned = nextRequest(step, slice, asked, {
			misses: this.misses,
			growth: this.growth,
			order: this.walk.order,
			rows: this.options.rows,
		});
		if (relocated && relocated.at !== asked.at) return relocated;
		return this.seek?.next(planned.rows) ?? planned;
	}
}

/** What tells that a walk moved: its cursor's time and how many ids it holds there. */
function progressMark(walk: Walk): string {
	const cursor = walk.cursor;
	return cursor ? `${cursor.at}:${cursor.ids.length}` : '';
}

interface Planning {
	misses: number;
	growth: number;
	order: 1 | -1 | undefined;
	rows?: () => number;
}

/** Whether a step's anchor lies further along the walk than `furthest` (an index; none yet: any). */
function approaches(step: Step, furthest: number | undefined): boolean {
	const anchor = step.anchor;
	return anchor !== undefined && (furthest === undefined || (anchor.at - furthest) * anchor.toward > 0);
}

/** The request after a step that did not end the walk. */
export function nextRequest(step: Step, slice: CallSlice, asked: SliceRequest, plan: Planning): SliceRequest {
	const rows = Math.max(1, Math.min(MAX_SLICE - 1, plan.rows?.() ?? MAX_SLICE - 1));
	const anchor = step.anchor;
	if (!anchor) {
		const at = Math.max(0, Math.min(asked.at, slice.total - 1));
		// A slice with one time only: the same place, read the other way and as large as the server allows.
		if (step.outcome === 'unordered') return { at, toward: asked.toward === 1 ? -1 : 1, rows: MAX_SLICE - 1 };
		// Beyond the list's end: its last row.
		return { at, toward: asked.toward, rows };
	}
	let at = anchor.at;
	// Rows pushed toward higher indices by arrivals while a newest-first list is walked toward newer calls.
	if (plan.order === -1 && anchor.toward === -1) at += plan.growth;
	// After a gap the rows wanted lie further behind: twice as far at every miss.
	if (step.outcome === 'gap') at -= anchor.toward * (2 ** plan.misses - 1);
	return { at: Math.max(0, at), toward: anchor.toward, rows };
}

/** 'outOfTime' for a wait the poll's deadline cut short; any other failure is passed on. */
function outOfTime(error: unknown): 'outOfTime' {
	if (error instanceof FamulorApiError && error.kind === 'outOfTime') return 'outOfTime';
	throw error;
}

function stuck(step: Step, slice: CallSlice): Error {
	const what: Record<string, string> = {
		gap: 'the rows between two answers were never shown',
		behind: 'the answers stay behind calls already read (the page asked for is not the one answered)',
		empty: `the list claims ${slice.total} calls but shows none where they should be`,
		unordered: 'the answers show no order of the calls (many calls share one second, or pages are tiny)',
		more: 'the answers keep repeating the same calls',
	};
	return incomplete(`${what[step.outcome] ?? step.outcome}, ${MAX_MISSES} times in a row`);
}
