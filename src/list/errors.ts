/** The typed errors of reading the call list. */
import { FamulorApiError } from '../errors';

const INCOMPLETE_FIX =
	'Nothing was returned from this read, so no total is short. This is usually transient: run the node again ' +
	'(a trigger retries on its next poll). If it repeats, the Famulor API changed: please report the message ' +
	'to the package maintainers.';

/** The error for a list that cannot be proven complete. */
export function incomplete(what: string, list = 'call list'): FamulorApiError {
	return new FamulorApiError('incomplete', `Famulor's ${list} cannot be proven complete: ${what}`, INCOMPLETE_FIX, {
		retryable: true,
	});
}
