/**
 * Cutting the API key out of text that came from outside (response bodies, headers such as a
 * redirect's `Location`, error causes) before it reaches a message. A server or proxy may echo the key
 * as sent, cut short, percent-encoded or base64-encoded (alone or inside a longer value such as
 * `Basic base64(user:key)`), so the rule is about the key's characters, not one spelling of it:
 *
 *   Any run of the text that spells MIN_FRAGMENT or more consecutive characters of the key (the whole
 *   key if it is shorter) is removed, whole — where any of its characters may be percent-encoded
 *   (`%2D` or `%2d` for `-`, any character, any case). And any run of base64 or base64url characters
 *   (padded or not, percent-encoded or not, cut anywhere) whose decoding holds MIN_FRAGMENT bytes of
 *   the key is removed, whole.
 *
 * "Whole" means the full extent of the match, so a cut-off key leaves no tail behind, and a base64
 * value leaves none of its characters. Bearer tokens are removed whatever they are. The work is linear
 * in the text (times MIN_FRAGMENT).
 */

/** The shortest run of the key's characters treated as the key (a cut-off key still identifies it). */
export const MIN_FRAGMENT = 8;

const REPLACEMENT = '***';

/** One byte of the text as read: a character's UTF-8 byte, or the byte of a `%XX` escape; [start, end) in the text. */
interface Unit {
	byte: number;
	start: number;
	end: number;
}

const HEX = /^[0-9a-fA-F]{2}$/;

/**
 * The text as bytes: every character as its UTF-8 bytes, and with `decodeEscapes` each `%XX` escape as
 * the one byte it stands for.
 */
function unitsOf(text: string, decodeEscapes: boolean): Unit[] {
	const units: Unit[] = [];
	const encoder = new TextEncoder();
	for (let index = 0; index < text.length; ) {
		if (decodeEscapes && text.charCodeAt(index) === 37 && HEX.test(text.slice(index + 1, index + 3))) {
			units.push({ byte: parseInt(text.slice(index + 1, index + 3), 16), start: index, end: index + 3 });
			index += 3;
			continue;
		}
		const codePoint = text.codePointAt(index) as number;
		const width = codePoint > 0xffff ? 2 : 1;
		for (const byte of encoder.encode(text.slice(index, index + width))) {
			units.push({ byte, start: index, end: index + width });
		}
		index += width;
	}
	return units;
}

/** Bytes as a string of the same length (one character per byte), to compare runs of them cheaply. */
function byteString(bytes: ArrayLike<number>): string {
	let out = '';
	for (let i = 0; i < bytes.length; i++) out += String.fromCharCode(bytes[i] as number);
	return out;
}

/** Every run of `length` consecutive bytes of the key. */
function gramsOf(key: string, length: number): Set<string> {
	const grams = new Set<string>();
	for (let i = 0; i + length <= key.length; i++) grams.add(key.slice(i, i + length));
	return grams;
}

/** Whether `bytes` (a byte string) holds one of the key's runs of `length` bytes. */
function holdsGram(bytes: string, grams: Set<string>, length: number): boolean {
	for (let i = 0; i + length <= bytes.length; i++) if (grams.has(bytes.slice(i, i + length))) return true;
	return false;
}

/** The value of a base64 or base64url character, or -1. */
function base64Value(byte: number): number {
	if (byte >= 65 && byte <= 90) return byte - 65; // A-Z
	if (byte >= 97 && byte <= 122) return byte - 71; // a-z
	if (byte >= 48 && byte <= 57) return byte + 4; // 0-9
	if (byte === 43 || byte === 45) return 62; // + -
	if (byte === 47 || byte === 95) return 63; // / _
	return -1;
}

/** The bytes of base64 `values` read from the `skip`-th one on (a run cut in the middle of a group). */
function decodeBase64(values: number[], skip: number): string {
	const bytes: number[] = [];
	let buffer = 0;
	let bits = 0;
	for (let i = skip; i < values.length; i++) {
		buffer = ((buffer << 6) | (values[i] as number)) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			bytes.push((buffer >> bits) & 0xff);
		}
	}
	return byteString(bytes);
}

/**
 * Which units to remove: those inside a run of the key's bytes at least `length` long, and every unit of
 * a base64 run whose decoding (from any of the four positions in a group) holds such a run.
 */
function coveredUnits(units: Unit[], key: string, length: number): boolean[] {
	const covered = new Array<boolean>(units.length).fill(false);
	const grams = gramsOf(key, length);
	const bytes = units.map((unit) => unit.byte);
	const text = byteString(bytes);
	for (let i = 0; i + length <= text.length; i++) {
		if (grams.has(text.slice(i, i + length))) covered.fill(true, i, i + length);
	}
	// Base64 runs (padding `=` belongs to the run it ends).
	for (let start = 0; start < units.length; ) {
		if (base64Value(bytes[start] as number) < 0) {
			start++;
			continue;
		}
		let end = start;
		const values: number[] = [];
		while (end < units.length && base64Value(bytes[end] as number) >= 0)
			values.push(base64Value(bytes[end++] as number));
		while (end < units.length && bytes[end] === 61) end++;
		if (values.length * 6 >= length * 8) {
			for (let skip = 0; skip < 4; skip++) {
				if (holdsGram(decodeBase64(values, skip), grams, length)) {
					covered.fill(true, start, end);
					break;
				}
			}
		}
		start = end;
	}
	return covered;
}

/**
 * Removes the key in any of its forms from `text` (the rule in the header), and any bearer token.
 * Removed runs become `***`. The text is read twice, with and without decoding `%XX` escapes, since
 * `%d0FB…` may be an escape or the start of a base64 value.
 */
export function scrubSecret(text: string, secret?: string): string {
	const result = text.replace(/Bearer\s+[^\s"',}]+/gi, `Bearer ${REPLACEMENT}`);
	if (!secret || secret.length < 4) return result;
	const key = byteString(new TextEncoder().encode(secret));
	const length = Math.min(MIN_FRAGMENT, key.length);
	// Which characters of the text to remove, from either reading.
	const remove = new Array<boolean>(result.length).fill(false);
	for (const decodeEscapes of [true, false]) {
		const units = unitsOf(result, decodeEscapes);
		const covered = coveredUnits(units, key, length);
		units.forEach((unit, index) => {
			if (covered[index]) remove.fill(true, unit.start, unit.end);
		});
	}
	let out = '';
	for (let index = 0; index < result.length; ) {
		if (!remove[index]) {
			out += result.charAt(index++);
			continue;
		}
		while (index < result.length && remove[index]) index++;
		out += REPLACEMENT;
	}
	// Runs removed next to each other, or next to a bearer token already removed, show as one.
	return out.replace(/(?:\*{3})+/g, REPLACEMENT);
}
