/**
 * What Famulor's answer means, for the client's request loop (client.ts): the JSON body of a good
 * response, or a typed FamulorApiError with a fix, per status family; and the error for a request that
 * got no answer at all. Whether to retry is the error's `retryable` (see FamulorApiError); how long to
 * wait first is its `retryAfterMs`, read from the response. Text taken from a response is cut short and
 * passes through `scrub`, which removes the API key.
 */
import { parseHttpDate } from '../../clock';
import { parseDecimal } from '../../decimal';
import { FamulorApiError } from '../../errors';
import { headerNumber, headerValue } from './pacing';
import { platform2ResponseError } from './platform';
import { MAX_RESPONSE_BYTES, OversizedBody, tooLargeError } from './responseSize';
import type { TransportResponse } from './transport';

type Scrub = (text: string) => string;

/** The parsed body of a 2xx response, or why the response cannot be used. */
export function classifyResponse(
	response: TransportResponse,
	path: string,
	scrub: Scrub,
): { body: unknown } | FamulorApiError {
	const { status } = response;
	// An answer the transport stopped reading at the size cap, whatever its status (responseSize.ts).
	if (response.body instanceof OversizedBody)
		return tooLargeError(path, status, response.body.bytes, response.body.limit);
	if (status >= 200 && status < 300) {
		const success = successBody(response, path);
		if (success instanceof FamulorApiError) return success;
		// A (white-label) Famulor Platform 2.0 host answering our path: say so (platform.ts). Only a
		// successful answer tells: 429, 5xx and 401 keep their meaning whatever their body's error code.
		return platform2ResponseError(status, success.body) ?? success;
	}
	if (status >= 300 && status < 400) return redirectError(response, scrub);
	if (status >= 500) return serverError(status, path);
	return refusalError(response, path, scrub);
}

/** A 2xx body: JSON (parsed here when the transport left it as text), never empty. */
function successBody(response: TransportResponse, path: string): { body: unknown } | FamulorApiError {
	const { status } = response;
	let body = response.body;
	if (typeof body === 'string') {
		// Each character is at least one byte: more characters than the cap is more bytes than the cap.
		if (body.length > MAX_RESPONSE_BYTES) return tooLargeError(path, status, body.length);
		try {
			body = JSON.parse(body);
		} catch {
			return new FamulorApiError(
				'malformed',
				`Famulor's response to GET ${path} is not valid JSON`,
				'This is usually a transient fault; the request was retried. If it persists, check that Base URL ' +
					'points at the Famulor API and not at a web page or proxy.',
				{ status, retryable: true },
			);
		}
	}
	if (body === undefined || body === null || body === '') {
		return new FamulorApiError('malformed', `Famulor's response to GET ${path} is empty`, 'Try again later.', {
			status,
			retryable: true,
		});
	}
	return { body };
}

/** A 3xx: redirects are not followed, so the API key never travels to another address. */
function redirectError(response: TransportResponse, scrub: Scrub): FamulorApiError {
	const { status } = response;
	const location = headerValue(response.headers, 'location') ?? 'another address';
	return new FamulorApiError(
		'badRequest',
		`The Base URL redirects (HTTP ${status}) to ${scrub(stripQuery(location))}; the request was not followed, ` +
			'so the API key was not sent there',
		'Set Base URL in the credential to the final API address (https://app.famulor.de/api).',
		{ status },
	);
}

function serverError(status: number, path: string): FamulorApiError {
	return new FamulorApiError(
		'server',
		`Famulor answered GET ${path} with HTTP ${status}`,
		'Famulor had a temporary problem; the request was retried. Try again in a few minutes.',
		{ status },
	);
}

/** A 4xx (or any other status that is neither success, redirect nor server error). */
function refusalError(response: TransportResponse, path: string, scrub: Scrub): FamulorApiError {
	const { status } = response;
	switch (status) {
		case 401:
			return new FamulorApiError(
				'auth',
				'Famulor rejected the API key (HTTP 401): it is wrong or was revoked',
				'Create a new key in the Famulor dashboard under API Keys (https://app.famulor.de/api-keys) and ' +
					'update the Famulor Billing API credential.',
				{ status },
			);
		case 403:
			return new FamulorApiError(
				'forbidden',
				'Famulor refused access (HTTP 403): the plan or the key does not allow API access',
				'Check that API access is enabled for your Famulor plan and that the key belongs to the right account.',
				{ status },
			);
		case 404:
			return new FamulorApiError(
				'notFound',
				`Nothing answers at GET ${path} (HTTP 404)`,
				'Check Base URL in the credential: it must be the API root, e.g. https://app.famulor.de/api ' +
					'(no trailing path).',
				{ status },
			);
		case 429:
			return new FamulorApiError(
				'rateLimited',
				'Famulor rate limit reached (HTTP 429) and retries did not get through',
				'Poll less often, or make fewer workflows share this API key (Famulor allows 100 requests a minute).',
				{ status, retryAfterMs: retryAfterOf(response) },
			);
		default: {
			const detail = messageOf(response.body, scrub);
			return new FamulorApiError(
				'badRequest',
				`Famulor rejected GET ${path} (HTTP ${status})${detail ? `: ${detail}` : ''}`,
				'Check the node parameters (IDs, dates and filters).',
				{ status },
			);
		}
	}
}

function stripQuery(url: string): string {
	return (url.split('?')[0] ?? '').slice(0, 200);
}

function messageOf(body: unknown, scrub: Scrub): string | undefined {
	if (body && typeof body === 'object') {
		const record = body as Record<string, unknown>;
		const text = record.message ?? record.error;
		if (typeof text === 'string') return scrub(text).slice(0, 200);
	}
	return undefined;
}

function retryAfterOf(response: TransportResponse): number | undefined {
	const body = response.body;
	if (body && typeof body === 'object') {
		const value = (body as Record<string, unknown>).retry_after;
		const seconds = parseDecimal(value);
		if (seconds !== undefined && seconds >= 0) return Math.ceil(seconds * 1000);
	}
	const header = headerNumber(response.headers, 'retry-after');
	if (header !== undefined && header >= 0) return Math.ceil(header * 1000);
	const at = parseHttpDate(headerValue(response.headers, 'retry-after'));
	if (at !== undefined) return Math.max(0, at - Date.now());
	return undefined;
}

/** The system error code of a failed request, looked up through wrappers (n8n wraps axios errors). */
function errorCode(error: unknown): string {
	let current = error as Record<string, unknown> | undefined;
	for (let depth = 0; current && depth < 5; depth++) {
		if (typeof current.code === 'string' && /^E[A-Z_]+$/.test(current.code)) return current.code;
		current = (current.cause ?? current.error) as Record<string, unknown> | undefined;
	}
	return '';
}

/** Why a request got no response: a timeout or abort, an unknown host, a refused or failed connection. */
export function classifyTransportError(error: unknown): FamulorApiError {
	const record = (error ?? {}) as Record<string, unknown>;
	const code = errorCode(error);
	const aborted =
		code === 'ERR_CANCELED' ||
		code === 'ABORT_ERR' ||
		/^(AbortError|CanceledError|TimeoutError)$/.test(String(record.name ?? ''));
	const timedOut =
		code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout|timed out/i.test(String(record.message ?? ''));
	if (aborted || timedOut) {
		return new FamulorApiError(
			'timeout',
			'Famulor did not answer in time',
			'Famulor may be slow right now; the request was retried. Try again in a few minutes.',
		);
	}
	if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
		return new FamulorApiError(
			'network',
			'The Base URL host could not be found',
			'Check Base URL in the credential (https://app.famulor.de/api).',
		);
	}
	if (code === 'ECONNREFUSED') {
		return new FamulorApiError(
			'network',
			'Nothing accepts connections at the Base URL',
			'Check Base URL in the credential (https://app.famulor.de/api) and that the host is reachable from n8n.',
		);
	}
	return new FamulorApiError(
		'network',
		`The connection to Famulor failed${code ? ` (${code})` : ''}`,
		'Check the network between n8n and Famulor; the request was retried. Try again in a few minutes.',
	);
}
