/**
 * Who contributed to a group's value: which campaigns, assistants and numbers added how much. The
 * answer to the help page's question "which campaign did it", attached to every alert.
 *
 * Names are data: they live in Maps, never as keys of a plain object (an assistant may be called
 * `__proto__`). In the trigger state the same data is a list of `[dimension, name, value]` entries.
 */
import { dimensionKey, type Call, type TriggerGroupBy } from '../calls';

export const CONTRIBUTOR_DIMENSIONS = ['campaign', 'assistant', 'phoneNumber'] as const;
export type ContributorDimension = (typeof CONTRIBUTOR_DIMENSIONS)[number];

/** One entry of the stored form: dimension, name, value in the metric's counting unit. */
export type ContributionEntry = [ContributorDimension, string, number];

export interface Contributor {
	by: ContributorDimension;
	key: string;
	value: number;
}

export class Contributions {
	private readonly byDimension = new Map<ContributorDimension, Map<string, number>>(
		CONTRIBUTOR_DIMENSIONS.map((dimension) => [dimension, new Map<string, number>()]),
	);

	static from(entries: ContributionEntry[]): Contributions {
		const contributions = new Contributions();
		for (const [dimension, name, value] of entries) contributions.add(dimension, name, value);
		return contributions;
	}

	/** A call's value, to every dimension but the one the groups are made of (that one is the group). */
	addCall(call: Call, value: number, groupBy: TriggerGroupBy): void {
		if (value === 0) return;
		for (const dimension of CONTRIBUTOR_DIMENSIONS) {
			if (dimension !== groupBy) this.add(dimension, dimensionKey(call, dimension) as string, value);
		}
	}

	/** The value of one name (0 when it contributed nothing). */
	valueOf(dimension: ContributorDimension, name: string): number {
		return this.byDimension.get(dimension)?.get(name) ?? 0;
	}

	entries(): ContributionEntry[] {
		const entries: ContributionEntry[] = [];
		for (const [dimension, names] of this.byDimension) {
			for (const [name, value] of names) entries.push([dimension, name, value]);
		}
		return entries;
	}

	/**
	 * The largest contributors: campaigns first (a burst usually starts with a campaign), then
	 * assistants, then numbers — each kind by value, highest first, at most `perDimension` of each.
	 */
	top(format: (value: number) => number, perDimension = 3): Contributor[] {
		const result: Contributor[] = [];
		for (const dimension of CONTRIBUTOR_DIMENSIONS) {
			const ranked = [...(this.byDimension.get(dimension) ?? new Map<string, number>())]
				.filter(([, value]) => value > 0)
				.sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1));
			for (const [key, value] of ranked.slice(0, perDimension))
				result.push({ by: dimension, key, value: format(value) });
		}
		return result;
	}

	private add(dimension: ContributorDimension, name: string, value: number): void {
		const names = this.byDimension.get(dimension);
		if (!names) return;
		const next = (names.get(name) ?? 0) + value;
		if (next === 0) names.delete(name);
		else names.set(name, next);
	}
}
