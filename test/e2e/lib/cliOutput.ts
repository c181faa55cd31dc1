/**
 * JSON out of a command's stdout, whatever else the command printed around it.
 *
 * `n8n execute --rawOutput` prints the execution with JSON.stringify(…, null, 2): a line `{`, lines
 * indented by two spaces or more, and a line `}`. n8n's logger writes to the same stdout whenever
 * something happens, and the task runner registers whenever it is ready: `Registered runner "JS Task
 * Runner" (…)` comes before the JSON on an idle machine, after it (or, from another writer, between
 * its lines) on a busy one. `npm pack --json` does the same with an array and lifecycle output.
 *
 * Pretty-printed JSON has no literal line break inside a string, so every line of the document is
 * one structural line of a known shape. A document is the lines from an opening line at column 0 to
 * its closing line at column 0, keeping the lines of that shape and passing over any other line (a
 * log line, a stack trace). Compact JSON on a single line is accepted too.
 */

const STRING = '"(?:[^"\\\\]|\\\\.)*"';
const SCALAR = `(?:${STRING}|-?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?|true|false|null)`;
/** One inner line of JSON.stringify(value, null, 2): indentation, an optional key, a value or bracket, a comma. */
const PRETTY_LINE = new RegExp(`^ +(?:${STRING}: )?(?:${SCALAR}|[[{]|[\\]}]|\\[\\]|\\{\\})?,?$`);

const CLOSER = { '{': '}', '[': ']' } as const;

/**
 * The first JSON document in `text` that opens with `opener` at the start of a line and satisfies
 * `accept`; undefined when there is none.
 */
export function findJson<T>(text: string, opener: '{' | '[', accept: (value: unknown) => value is T): T | undefined {
	const lines = text.split('\n').map((line) => line.replace(/\r$/, ''));
	for (let start = 0; start < lines.length; start++) {
		const first = lines[start];
		if (!first.startsWith(opener)) continue;
		for (const candidate of [first, prettyDocument(lines, start, opener)]) {
			if (candidate === undefined) continue;
			const value = tryParse(candidate);
			if (value !== undefined && accept(value)) return value;
		}
	}
	return undefined;
}

/** The pretty-printed document opening at `lines[start]` (other lines left out), or undefined if it never closes. */
function prettyDocument(lines: string[], start: number, opener: '{' | '['): string | undefined {
	if (lines[start] !== opener) return undefined;
	const closer = CLOSER[opener];
	const kept: string[] = [opener];
	for (let i = start + 1; i < lines.length; i++) {
		const line = lines[i];
		if (line === closer) {
			kept.push(line);
			return kept.join('\n');
		}
		if (PRETTY_LINE.test(line)) kept.push(line);
	}
	return undefined;
}

function tryParse(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return undefined;
	}
}
