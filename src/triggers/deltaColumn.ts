/**
 * Delta-encoded number columns, the stored form of sorted ids and times in the triggers' states
 * (ledger.ts, callFeedState.ts, spikeState.ts): the first value, then each value's difference to the one
 * before. Sorted values that lie close together store as short numbers in the JSON.
 */

/** The column of `values`: the first value, then the differences. */
export function toDeltas(values: readonly number[]): number[] {
	return values.map((value, index) => value - (values[index - 1] ?? 0));
}

/** The values of a column (its running sums), or undefined when one of them is not a safe integer. */
export function fromDeltas(deltas: readonly number[]): number[] | undefined {
	const values: number[] = [];
	let value = 0;
	for (const delta of deltas) {
		value += delta;
		if (!Number.isSafeInteger(value)) return undefined;
		values.push(value);
	}
	return values;
}
