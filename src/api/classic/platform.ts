/**
 * Famulor has two API generations, and this package reads only one of them:
 *
 * - Famulor Classic (famulor.de): https://app.famulor.de/api, keys from app.famulor.de/api-keys.
 *   This package reads it.
 * - Famulor Platform 2.0 (famulor.io): https://app.famulor.io/api/v1, keys that start with `fam_`,
 *   other paths, ids and response shapes. Newer accounts are on it. This package does not read it.
 *
 * A Platform 2.0 key sent to the Classic API is simply unknown there (HTTP 401), so without this
 * check its owner is told the key is "wrong or revoked" and goes looking for a typo. Instead the
 * credential is recognised before any request (the key's prefix, the Base URL's host) and, for a
 * white-label Platform 2.0 host, by the shape of a successful answer (never by an error body: an error
 * keeps its meaning), and the message says which generation the account is on and what to do. The key
 * itself is never part of a message.
 */
import { FamulorApiError } from '../../errors';

export const CLASSIC_API_URL = 'https://app.famulor.de/api';

/** Famulor Platform 2.0 keys start with `fam_` (service-account and user keys alike). */
const PLATFORM2_KEY = /^fam_/i;

/** Hosts of Platform 2.0 (app.famulor.io and any other famulor.io host); Classic is famulor.de. */
const PLATFORM2_HOST = /(^|\.)famulor\.io\.?$/i;

/** What gave a Platform 2.0 credential away. */
export type Platform2Signal = 'key' | 'host' | 'response';

export const PLATFORM2_FIX =
	`This package reads Famulor Classic. If your account is on Famulor Classic, create a key at ` +
	`https://app.famulor.de/api-keys and set Base URL to ${CLASSIC_API_URL}. Accounts on Famulor Platform 2.0 ` +
	`(app.famulor.io, keys starting with fam_) cannot use this package yet; Famulor's own n8n node ` +
	`(n8n-nodes-famulor) reads Platform 2.0.`;

export function isPlatform2Key(apiKey: unknown): boolean {
	return typeof apiKey === 'string' && PLATFORM2_KEY.test(apiKey.trim());
}

/** The Platform 2.0 host of a Base URL (e.g. "app.famulor.io"), or undefined for any other address. */
export function platform2Host(baseUrl: unknown): string | undefined {
	if (typeof baseUrl !== 'string') return undefined;
	const text = baseUrl.trim();
	let host: string;
	try {
		host = new URL(/^[a-z][a-z\d+.-]*:\/\//i.test(text) ? text : `https://${text}`).hostname;
	} catch {
		return undefined;
	}
	return PLATFORM2_HOST.test(host) ? host.toLowerCase().replace(/\.$/, '') : undefined;
}

/**
 * The error for a credential of Famulor Platform 2.0 (its key or its Base URL), or undefined for
 * one that can be Famulor Classic. Called before any request, so a Platform 2.0 key is never sent.
 */
export function platform2CredentialError(credentials: {
	apiKey?: unknown;
	baseUrl?: unknown;
}): FamulorApiError | undefined {
	const host = platform2Host(credentials.baseUrl);
	if (isPlatform2Key(credentials.apiKey)) {
		return new FamulorApiError(
			'unsupportedPlatform',
			`API Key is a Famulor Platform 2.0 key (it starts with fam_)${host ? ` and Base URL is ${host}` : ''}, ` +
				'but this package reads Famulor Classic (app.famulor.de); nothing was sent',
			PLATFORM2_FIX,
		);
	}
	if (host) {
		return new FamulorApiError(
			'unsupportedPlatform',
			`Base URL points at ${host}, which is Famulor Platform 2.0, ` +
				'but this package reads Famulor Classic (app.famulor.de); nothing was sent',
			PLATFORM2_FIX,
		);
	}
	return undefined;
}

/** Throws platform2CredentialError's error, if any. */
export function assertClassicCredential(credentials: { apiKey?: unknown; baseUrl?: unknown }): void {
	const error = platform2CredentialError(credentials);
	if (error) throw error;
}

/**
 * Whether a successful (2xx) body has Platform 2.0's list envelope, `{ data, meta: { pagination:
 * { total, limit, offset } } }` (research: famulor-api.md, addendum A3). Famulor Classic lists are
 * Laravel paginators (`current_page`, `per_page`, `total` at the top) or bare `{ data }`, and never
 * carry `meta.pagination`.
 */
function platform2Envelope(body: unknown): boolean {
	if (!body || typeof body !== 'object' || Array.isArray(body)) return false;
	const meta = (body as { meta?: unknown }).meta;
	if (!meta || typeof meta !== 'object') return false;
	const pagination = (meta as { pagination?: unknown }).pagination;
	if (!pagination || typeof pagination !== 'object') return false;
	const { limit, offset } = pagination as { limit?: unknown; offset?: unknown };
	return typeof limit === 'number' || typeof offset === 'number';
}

/**
 * The error for a successful answer in Platform 2.0's shape (a white-label Platform 2.0 host that
 * answers our paths), or undefined. Only a 2xx answer says which API this is: an error status keeps
 * its own meaning whatever its body says — a gateway or a Classic server in front of a rate limiter may
 * well answer 429 `{ "error": "rate_limit_exceeded" }` or 401 `{ "error": "invalid_api_key" }`, and
 * those must still be retried, wait for `retry_after`, or name the key (errors.ts).
 */
export function platform2ResponseError(status: number, body: unknown): FamulorApiError | undefined {
	if (status < 200 || status >= 300 || !platform2Envelope(body)) return undefined;
	return new FamulorApiError(
		'unsupportedPlatform',
		`The Base URL answered like Famulor Platform 2.0 (HTTP ${status} with a Platform 2.0 list envelope), ` +
			'but this package reads Famulor Classic (app.famulor.de)',
		PLATFORM2_FIX,
		{ status },
	);
}
