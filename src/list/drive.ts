/**
 * Drives a walk through the call list: asks for the slice the walk needs next, feeds it, and asks
 * again — further behind after a gap, further ahead after a slice wholly behind the cursor, with a
 * bounded number of tries. Every loop here makes progress or stops with a typed error: a walk that
 * took nothing and did not move for MAX_MISSES answers in a row fails (a server that ignores `page`,
 * answers with other rows, or keeps changing while it is read).
 *
 * In a newest-first list, calls arriving while it is read push every row toward higher indices: a
 * walk toward newer calls (toward lower indices) asks a little further behind by the growth it saw
 * between its answers, so that the row it needs is still in the next slice.
 */
import type { CallQuery, CallRow, CallSlice, CallSource, SliceRequest } from '../api/port';
import { MAX_SLICE } from '../api/port';
import { FamulorApiError, settled } from '../errors';
import { incomplete } from './errors';
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
}

export type DriveEnd = 'end' | 'refused' | 'enough' | 'outOfTime';

export async function drive(
	source: CallSource,
	query: CallQuery,
	walk: Walk,
	first: SliceRequest | CallSlice,
	options: DriveOptions = {},
): Promise<DriveEnd> {
	// A first answer already read (to learn the list's order) is fed as it is.
	let read: CallSlice | undefined = isSlice(first) ? first : undefined;
	let request: SliceRequest = isSlice(first) ? { at: first.start, toward: 1, rows: MAX_SLICE - 1 } : first;
	let misses = 0;
	let ahead: number | undefined;
	let asked = false;
	let growth = 0;
	let lastTotal: number | undefined;
	// The first request is always sent (a poll makes progress however little time it has); others fit the time.
	for (let sent = 0; ; sent++) {
		if (!read && sent > 0 && options.hasTime && !options.hasTime()) return 'outOfTime';
		const answer = read ? { value: read } : await settled(source.slice(query, request));
		read = undefined;
		// The poll's time ran out while waiting to send (the rate limit): what was taken stays taken.
		if ('error' in answer) return outOfTime(answer.error);
		const slice = answer.value;
		options.read?.(slice);
		if (lastTotal !== undefined) growth = Math.max(0, slice.total - lastTotal);
		lastTotal = slice.total;
		const mark = progressMark(walk);
		const step = walk.feed(slice);
		options.fed?.(step, slice);
		if (step.taken.length && options.taken?.(step.taken, slice)) return 'enough';
		if (step.outcome === 'end' || step.outcome === 'refused') return step.outcome;
		// A slice wholly behind the cursor still moves the walk on when its last row is further along than
		// any before it.
		const nearer = step.outcome === 'behind' && approaches(step, ahead);
		if (nearer) ahead = step.anchor?.at;
		misses = step.taken.length > 0 || progressMark(walk) !== mark || nearer ? 0 : misses + 1;
		if (misses >= MAX_MISSES) throw stuck(step, slice);
		// Not where the walk needs to be: the caller may know where that is (asked once a walk).
		const lost = step.outcome === 'gap' || step.outcome === 'behind' || step.outcome === 'unordered';
		const relocated: SliceRequest | undefined = lost && !asked ? options.relocate?.(slice) : undefined;
		asked ||= relocated !== undefined;
		const planned = nextRequest(step, slice, request, { misses, growth, order: walk.order, rows: options.rows });
		request = relocated && relocated.at !== request.at ? relocated : planned;
	}
}

/** Whether a step's anchor lies further along the walk than `furthest` (an index; none yet: any). */
function approaches(step: Step, furthest: number | undefined): boolean {
	const anchor = step.anchor;
	return anchor !== undefined && (furthest === undefined || (anchor.at - furthest) * anchor.toward > 0);
}

const isSlice = (value: SliceRequest | CallSlice): value is CallSlice => 'start' in value;

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
function outOfTime(error: unknown): DriveEnd {
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
