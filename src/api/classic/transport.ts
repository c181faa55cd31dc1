/**
 * The Famulor Classic wire, as the client (client.ts), the meaning of its answers (errors.ts) and the
 * page checks (pages.ts) all see it: one request, one response, one Laravel page of the call list, and
 * the Classic query keys. The nodes inject a `Transport` over n8n's `httpRequestWithAuthentication`;
 * tests and benchmarks inject a plain HTTP one.
 */
import type { Call } from '../../calls';
import type { RawCall } from './schemas';

export interface TransportRequest {
	method: 'GET';
	/** Path relative to the base URL, starting with `/`. */
	path: string;
	query?: Record<string, string | number>;
	timeoutMs: number;
}

export interface TransportResponse {
	status: number;
	headers: Record<string, unknown>;
	/** Parsed JSON, or the raw text when the body was not JSON. */
	body: unknown;
}

/** Sends one request. Resolves with any HTTP status; rejects only when no response arrived. */
export type Transport = (request: TransportRequest) => Promise<TransportResponse>;

/** The Classic query keys of `GET /user/calls` (see classicQuery in client.ts for the port's keys). */
export interface CallQuery {
	date_from?: string;
	date_to?: string;
	assistant_id?: string | number;
	campaign_id?: string | number;
	type?: string;
	status?: string;
}

/** One Laravel page of the call list, read and normalised. */
export interface CallsPage {
	calls: Call[];
	raw: RawCall[];
	page: number;
	perPage: number;
	total: number;
	lastPage: number;
}

/** The page size the client asks for (Famulor Classic's `per_page` limit). */
export const PAGE_SIZE = 100;
