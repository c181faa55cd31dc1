/**
 * The credential's Base URL, checked before any request: https (http only to this machine), no user
 * name or password, no query or fragment.
 */
import { FamulorApiError } from '../../errors';
import { scrubSecret } from '../../secrets';

function parseUrl(text: string): URL | undefined {
	try {
		return new URL(text);
	} catch {
		return undefined;
	}
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\]|::1)$/i;

/**
 * `text` without the slashes at its end, in one pass from the end. (The regex `/\/+$/` tries every run
 * of slashes from each of its slashes: 40,000 slashes not at the end took 5.5 s.)
 */
export function withoutTrailingSlashes(text: string): string {
	let end = text.length;
	while (end > 0 && text.charCodeAt(end - 1) === 47) end--;
	return text.slice(0, end);
}
const BASE_URL_FIX = 'Set Base URL in the credential to https://app.famulor.de/api (with the https:// scheme).';

/**
 * Validates the credential's base URL: https, or http to this machine only; no user name or password,
 * no query and no fragment (an API root has none, and a key pasted there would travel in the clear or
 * into logs). Returns it without a trailing slash. Errors never repeat an unparseable value (it may be
 * a pasted key); the scheme and host of a parseable one are shown with the key cut out.
 */
export function checkBaseUrl(baseUrl: string, secret?: string): string {
	const trimmed = withoutTrailingSlashes((baseUrl ?? '').trim());
	const url = parseUrl(trimmed);
	if (!url) {
		throw new FamulorApiError(
			'insecureUrl',
			'Base URL is not a URL (it is not repeated here, in case a key was pasted into it)',
			BASE_URL_FIX,
		);
	}
	if (url.username || url.password) {
		throw new FamulorApiError(
			'insecureUrl',
			'Base URL contains a user name or password (user:password@host)',
			'Remove everything up to the @: the API key belongs in API Key, never in the address.',
		);
	}
	if (url.search || url.hash || /[?#]/.test(trimmed)) {
		throw new FamulorApiError(
			'insecureUrl',
			'Base URL has a query (?…) or fragment (#…)',
			'Use the API root alone, e.g. https://app.famulor.de/api: the package adds paths and parameters itself.',
		);
	}
	if (url.protocol === 'https:') return trimmed;
	if (url.protocol === 'http:' && LOOPBACK.test(url.hostname)) return trimmed;
	throw new FamulorApiError(
		'insecureUrl',
		`Base URL "${scrubSecret(`${url.protocol}//${url.host}`, secret)}" is not https`,
		'Use an https:// address; plain http:// is only accepted for localhost, so the API key never crosses ' +
			'a network unencrypted.',
	);
}
