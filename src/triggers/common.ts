/** What both triggers share: config fingerprints, contributors, and the poll context. */
import type { Call, TriggerGroupBy } from '../calls';
import { dimensionKey } from '../calls';
import { InvalidParameterError } from '../errors';

export const STATE_VERSION = 1;

/** FNV-1a of the JSON of the configuration: a change starts a new baseline. */
export function fingerprint(value: unknown): string {
	const text = JSON.stringify(value);
	let hash = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) {
		hash ^= text.charCodeAt(i);
		hash = Math.imul(hash, 0x01000193) >>> 0;
	}
	return hash.toString(16).padStart(8, '0');
}

export interface PollEnvironment {
	/** Server time (ms). */
	now: () => number;
	/** Whether there is time for one more request in this poll (or for `requests` more). */
	hasTime: (requests?: number) => boolean;
}

export const CONTRIBUTOR_DIMENSIONS = ['campaign', 'assistant', 'phoneNumber'] as const;
export type ContributorDimension = (typeof CONTRIBUTOR_DIMENSIONS)[number];

/** Contributions of one group: `${dimension}|${key}` → metric value. */
export type Contributions = Record<string, number>;

export function addContribution(target: Contributions, call: Call, value: number, groupBy: TriggerGroupBy): void {
	if (value === 0) return;
	for (const dimension of CONTRIBUTOR_DIMENSIONS) {
		if (dimension === groupBy) continue;
		const key = `${dimension}|${dimensionKey(call, dimension)}`;
		const next = (target[key] ?? 0) + value;
		if (next === 0) delete target[key];
		else target[key] = next;
	}
}

export interface Contributor {
	by: ContributorDimension;
	key: string;
	value: number;
}

/**
 * The largest contributors: campaigns first (a burst usually starts with a campaign), then
 * assistants, then numbers — each kind by value, highest first, at most `perDimension` of each.
 */
export function topContributors(
	contributions: Contributions | undefined,
	format: (value: number) => number,
	perDimension = 3,
): Contributor[] {
	const byDimension = new Map<string, Array<{ key: string; value: number }>>();
	for (const [compound, value] of Object.entries(contributions ?? {})) {
		if (value <= 0) continue;
		const separator = compound.indexOf('|');
		const dimension = compound.slice(0, separator);
		const list = byDimension.get(dimension) ?? [];
		list.push({ key: compound.slice(separator + 1), value });
		byDimension.set(dimension, list);
	}
	const result: Contributor[] = [];
	for (const dimension of CONTRIBUTOR_DIMENSIONS) {
		const list = byDimension.get(dimension) ?? [];
		list.sort((a, b) => b.value - a.value || (a.key < b.key ? -1 : 1));
		for (const entry of list.slice(0, perDimension)) result.push({ by: dimension, key: entry.key, value: format(entry.value) });
	}
	return result;
}

/** "50, 80, 100" → [50, 80, 100] (sorted, unique), or a parameter error. */
export function parseThresholds(text: unknown): number[] {
	const raw = String(text ?? '').trim();
	if (!raw) {
		throw new InvalidParameterError(
			'thresholds',
			'No thresholds are set',
			'Enter one or more numbers separated by commas, e.g. 50, 80, 100.',
		);
	}
	const values = raw.split(/[,;]/).map((part) => part.trim()).filter((part) => part !== '');
	const numbers = values.map((part) => {
		const value = Number(part);
		if (!/^-?\d+(\.\d+)?$/.test(part) || !Number.isFinite(value)) {
			throw new InvalidParameterError(
				'thresholds',
				`Threshold "${part}" is not a number`,
				'Enter numbers separated by commas, e.g. 50, 80, 100 (a dot for decimals).',
			);
		}
		if (value < 0) {
			throw new InvalidParameterError(
				'thresholds',
				`Threshold ${part} is negative`,
				'Thresholds are zero or positive amounts, minutes, calls or percentages.',
			);
		}
		return value;
	});
	return [...new Set(numbers)].sort((a, b) => a - b);
}

export function groupLabel(groupBy: TriggerGroupBy, group: string | null): string {
	if (group === null) return '';
	const names: Record<string, string> = { assistant: 'assistant', campaign: 'campaign', phoneNumber: 'number' };
	return ` of ${names[groupBy] ?? groupBy} "${group}"`;
}
