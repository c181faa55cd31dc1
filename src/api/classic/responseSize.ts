/**
 * A cap on the size of Famulor's answers, checked before any JSON is parsed. The largest answer the
 * package asks for is a page of 100 calls (about 75 KB with transcripts); an answer of 10 MB or more
 * is not one of Famulor's (a server that ignores `per_page` and sends 100,000 calls, a proxy's error
 * page, a hostile server) and would otherwise be read and parsed whole (150 MB for 100,000 calls)
 * before it is refused. The n8n transport stops reading at the cap (nodes/shared/transport.ts); the
 * client refuses a text body above it before parsing (errors.ts).
 */
import { FamulorApiError } from '../../errors';

/** 10 MB: more than a hundred pages of calls with transcripts. */
export const MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

/** A response body the transport stopped reading at the cap (what it read so far is dropped). */
export class OversizedBody {
	constructor(
		/** Bytes announced by Content-Length, or read when reading stopped. */
		readonly bytes: number,
		readonly limit = MAX_RESPONSE_BYTES,
	) {}
}

const megabytes = (bytes: number) => `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;

/** The error for an answer larger than the cap: typed, not retried (the same request gets the same answer). */
export function tooLargeError(
	path: string,
	status: number,
	bytes: number,
	limit = MAX_RESPONSE_BYTES,
): FamulorApiError {
	return new FamulorApiError(
		'tooLarge',
		`Famulor's answer to GET ${path} is larger than ${megabytes(limit)} (at least ${megabytes(bytes)}); ` +
			'it was not read further',
		'Famulor pages hold at most 100 calls (well under 1 MB). Check that Base URL points at the Famulor Classic ' +
			'API (https://app.famulor.de/api) and not at a proxy or another service; if it does, please report it to ' +
			'the package maintainers.',
		{ status, retryable: false },
	);
}
