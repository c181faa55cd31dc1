/**
 * Framework-free errors of the core. The n8n adapters translate them into NodeApiError /
 * NodeOperationError (nodes/shared/errors.ts). Messages say what happened; `fix` says what to do.
 * Nothing here ever contains the API key: messages are built from our own words and from the
 * status, field names and short, key-scrubbed bodies of responses.
 */
export type FamulorErrorKind =
	| 'auth'
	| 'forbidden'
	| 'notFound'
	| 'rateLimited'
	| 'server'
	| 'network'
	| 'timeout'
	| 'malformed'
	| 'badRequest'
	| 'insecureUrl'
	/** The API's pages contradict themselves or each other: a total read from them could be short. */
	| 'incomplete'
	/** A Famulor Platform 2.0 key or address (src/api/classic/platform.ts); this package reads Famulor Classic. */
	| 'unsupportedPlatform'
	/** The poll's time budget ended before the next request could be sent: stop, keep what was read. */
	| 'outOfTime'
	/** A loop over windows, periods or days did not advance (src/guard.ts): stopped instead of spinning. */
	| 'noProgress'
	/** An answer larger than MAX_RESPONSE_BYTES (src/api/classic/responseSize.ts), refused before it was parsed. */
	| 'tooLarge';

export class FamulorApiError extends Error {
	readonly kind: FamulorErrorKind;
	readonly status?: number;
	readonly fix: string;
	readonly retryAfterMs?: number;
	readonly retryable: boolean;

	constructor(
		kind: FamulorErrorKind,
		message: string,
		fix: string,
		extra: { status?: number; retryAfterMs?: number; retryable?: boolean } = {},
	) {
		super(message);
		this.name = 'FamulorApiError';
		this.kind = kind;
		this.fix = fix;
		this.status = extra.status;
		this.retryAfterMs = extra.retryAfterMs;
		this.retryable =
			extra.retryable ?? (kind === 'rateLimited' || kind === 'server' || kind === 'network' || kind === 'timeout');
	}
}

/** An invalid parameter, detected before any request is sent. */
export class InvalidParameterError extends Error {
	constructor(
		readonly parameter: string,
		message: string,
		readonly fix: string,
	) {
		super(message);
		this.name = 'InvalidParameterError';
	}
}

/** A parameter error unless `ok`: the parameter, what is wrong with its value, and the fix. */
export function requireValid(ok: boolean, parameter: string, message: string, fix: string): void {
	if (!ok) throw new InvalidParameterError(parameter, message, fix);
}

/** The triggers' Settle Minutes: 0 to 1440. `meaning`: what it does in this trigger, told in the fix. */
export function assertSettleMinutes(value: number, meaning?: string): void {
	requireValid(
		Number.isFinite(value) && value >= 0 && value <= 1440,
		'options.settleMinutes',
		`Settle Minutes ${value} is out of range`,
		`Enter 0 to 1440 minutes (5 by default)${meaning ? `: ${meaning}` : ''}.`,
	);
}

/**
 * `value` when it is one of `allowed`; else a parameter error. Options arrive checked from the UI, but
 * an expression (or an imported workflow) can put anything there.
 */
export function assertOneOf<T extends string>(
	value: unknown,
	allowed: readonly T[],
	parameter: string,
	label: string,
): T {
	if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
	throw new InvalidParameterError(
		parameter,
		`${label} "${String(value)}" is not one of its options`,
		`Pick one from the list; an expression must return one of: ${allowed.join(', ')}.`,
	);
}

/**
 * The value of a promise, or what it failed with — for the few places that decide what a failure
 * means (a call that is gone, a search that ran out of time) instead of passing it on.
 */
export async function settled<T>(promise: Promise<T>): Promise<{ value: T } | { error: unknown }> {
	return await promise.then(
		(value) => ({ value }),
		(error: unknown) => ({ error }),
	);
}

const INCOMPLETE_FIX =
	'Nothing was returned from this read, so no total is short. This is usually transient: run the node again ' +
	'(a trigger retries on its next poll). If it repeats, the Famulor API changed: please report the message ' +
	'to the package maintainers.';

/** The error for a list that cannot be proven complete (the call list, or another list of the API). */
export function incomplete(what: string, list = 'call list'): FamulorApiError {
	return new FamulorApiError('incomplete', `Famulor's ${list} cannot be proven complete: ${what}`, INCOMPLETE_FIX, {
		retryable: true,
	});
}
