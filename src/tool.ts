/**
 * Answers of the Famulor Billing node when it runs as an AI tool (an AI Agent's tool, or a tool of
 * n8n's MCP Server Trigger): what a model reads should be small and plain. The node decides that it
 * runs as a tool (nodes/FamulorBilling/tool.ts); this file says what changes then:
 *
 * - a call list holds at most TOOL_MAX_CALLS calls, a grouped usage summary at most TOOL_MAX_GROUPS
 *   groups; a list that was cut ends with a note item saying so and how to narrow the question;
 * - reports leave out their HTML (a charge summary keeps it when asked for);
 * - an error is one line of plain text: what happened, then the fix.
 *
 * Figures never change: the items that remain are the ones a workflow gets, field for field.
 */

export const TOOL_MAX_CALLS = 50;
export const TOOL_MAX_GROUPS = 100;

/** The last item of a cut list. `returned` items came before it; `matched` when it is known. */
export type ToolNote = {
	note: string;
	capped: true;
	returned: number;
	matched?: number;
};

function count(n: number, one: string, many: string): string {
	return `${n} ${n === 1 ? one : many}`;
}

/**
 * The note of a call list cut at `returned` calls. `matched` is how many calls of the period matched
 * when the whole period was read; undefined when only the newest were read (more exist, how many is
 * not known). `requested` is the limit asked for when it was above the tool's maximum.
 */
export function callsNote(input: {
	returned: number;
	matched?: number;
	order: 'newest' | 'mostExpensive';
	periodLabel: string;
	requested?: number;
}): ToolNote {
	const which = input.order === 'mostExpensive' ? 'most expensive' : 'newest';
	const these = `${input.returned} ${which} ${input.returned === 1 ? 'call' : 'calls'}`;
	const of =
		input.matched === undefined
			? `of ${input.periodLabel}; more calls match`
			: `of the ${count(input.matched, 'call', 'calls')} of ${input.periodLabel} that match`;
	const lowered =
		input.requested !== undefined && input.requested > TOOL_MAX_CALLS
			? ` A tool answer holds at most ${TOOL_MAX_CALLS} calls (${input.requested} were asked for).`
			: '';
	return {
		note:
			`Capped: these are the ${these} ${of}.${lowered} For totals use ` +
			'the usage summary; to see other calls ask for a shorter period, a minimum cost or a filter.',
		capped: true,
		returned: input.returned,
		...(input.matched !== undefined ? { matched: input.matched } : {}),
	};
}

/** The note of a grouped usage summary cut at `returned` of `matched` groups (the node's order). */
export function groupsNote(input: {
	returned: number;
	matched: number;
	groupBy: string;
	chronological: boolean;
}): ToolNote {
	const which = input.chronological ? 'earliest' : 'most expensive';
	return {
		note:
			`Capped: these are the ${input.returned} ${which} of ${input.matched} groups by ${input.groupBy}. Ask for ` +
			'a shorter period or a coarser grouping (e.g. day instead of hour, or none for one total).',
		capped: true,
		returned: input.returned,
		matched: input.matched,
	};
}

/** `items` cut to `max`, plus the note `noteFor(returned)` when anything was cut. */
export function capItems<T>(items: T[], max: number, noteFor: (returned: number) => ToolNote): Array<T | ToolNote> {
	return items.length > max ? [...items.slice(0, max), noteFor(max)] : items;
}

/** A report item without its `html` (and nothing else changed). */
export function withoutHtml<T extends { html?: unknown }>(item: T): Omit<T, 'html'> {
	const copy = { ...item };
	delete copy.html;
	return copy;
}

/** One line a model can act on: what happened, then the fix (each ending with a full stop). */
export function toolErrorText(message: string, fix?: string): string {
	const sentence = (text: string) => {
		const flat = text.replace(/\s+/g, ' ').trim();
		return flat && !/[.!?]$/.test(flat) ? `${flat}.` : flat;
	};
	const what = sentence(message);
	const how = fix ? sentence(fix) : '';
	return how && !what.includes(how) ? `${what} ${how}` : what;
}
