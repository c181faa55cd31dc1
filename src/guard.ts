/**
 * Guards for loops over time (windows, periods, days, months): each step must move, and a loop has a
 * bound on its steps. A loop that would spin (a timezone rule nobody foresaw, date arithmetic gone
 * wrong because something changed a shared prototype) stops with a typed error instead of running
 * until n8n's heap is exhausted.
 */
import { FamulorApiError } from './errors';

const FIX =
	'This is a defect, not something in your data: choose another timezone in the node options for now, and ' +
	'please report it to the package maintainers with the timezone and the time of the poll.';

/** The error of a loop that did not advance (or ran past its bound). */
export function noProgress(loop: string, detail: string): FamulorApiError {
	return new FamulorApiError('noProgress', `${loop} did not advance (${detail}); stopped instead of looping`, FIX, {
		retryable: false,
	});
}

/** `next`, after checking that it lies strictly beyond `current` in the loop's direction. */
export function advance(loop: string, current: number, next: number, direction: 1 | -1 = 1): number {
	if (!Number.isFinite(next) || (direction > 0 ? next <= current : next >= current)) {
		throw noProgress(loop, `from ${current} to ${next}`);
	}
	return next;
}

/** A step counter: call it once per iteration; it throws after `max` steps. */
export function stepBound(loop: string, max: number): () => void {
	let steps = 0;
	return () => {
		if (++steps > max) throw noProgress(loop, `more than ${max} steps`);
	};
}
