/**
 * Cutting the API key out of text that came from outside (response bodies, headers, error causes)
 * before it reaches a message. A server or proxy may echo the key as sent, cut short, percent-encoded
 * or base64-encoded (alone or inside a longer value such as `Basic base64(user:key)`), so each of those
 * forms is removed, not only the key itself.
 */

/** The shortest run of the key's characters treated as the key (a cut-off key still identifies it). */
const MIN_FRAGMENT = 8;
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 of the UTF-8 bytes of `text`, without padding. */
function base64(text: string): string {
	const bytes = new TextEncoder().encode(text);
	let out = '';
	for (let i = 0; i < bytes.length; i += 3) {
		const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
		const chars = Math.min(4, Math.ceil(((bytes.length - i) * 4) / 3));
		for (let c = 0; c < chars; c++) out += BASE64.charAt((n >> (18 - 6 * c)) & 63);
	}
	return out;
}

/**
 * The parts of the key's base64 that do not depend on what surrounds it: the key starts at any of the
 * three byte offsets of a base64 group, and the first and last characters mix in neighbouring bytes.
 */
function base64Cores(secret: string): string[] {
	const cores: string[] = [];
	for (let offset = 0; offset < 3; offset++) {
		const encoded = base64('\0'.repeat(offset) + secret);
		const core = encoded.slice(Math.ceil((offset * 4) / 3), encoded.length - 4);
		if (core.length >= MIN_FRAGMENT) {
			cores.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
		}
	}
	return cores;
}

/** Every form of the key worth removing, longest first. */
function secretForms(secret: string): string[] {
	const forms = new Set<string>([secret, encodeURIComponent(secret), ...base64Cores(secret)]);
	const fragment = Math.min(MIN_FRAGMENT, secret.length);
	for (let i = 0; i + fragment <= secret.length; i++) forms.add(secret.slice(i, i + fragment));
	return [...forms]
		.filter((form) => form.length >= Math.min(MIN_FRAGMENT, secret.length))
		.sort((a, b) => b.length - a.length);
}

/**
 * Removes the key in any of its forms from `text`, and any bearer token. Runs of the key's characters
 * (MIN_FRAGMENT or more) count as the key, so a truncated key is removed as well.
 */
export function scrubSecret(text: string, secret?: string): string {
	let result = text.replace(/Bearer\s+[^\s"',}]+/gi, 'Bearer ***');
	if (!secret || secret.length < 4) return result;
	for (const form of secretForms(secret)) {
		if (result.includes(form)) result = result.split(form).join('***');
	}
	// Fragments removed one after another can leave `***` runs; show one.
	return result.replace(/(?:\*{3})+/g, '***');
}
