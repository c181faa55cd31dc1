/**
 * The delta-encoded number columns of the triggers' states (src/triggers/deltaColumn.ts): the first
 * value, then differences. A column decodes back to what was encoded, and one whose running sums leave
 * the safe integers (a damaged or hand-edited state) does not decode at all.
 */
import { fromDeltas, toDeltas } from '../../src/triggers/deltaColumn';

const NOW = Date.parse('2026-11-26T12:00:00Z');

describe('toDeltas and fromDeltas', () => {
	it.each([
		[[], []],
		[[7], [7]],
		[
			[NOW, NOW, NOW + 60_000, NOW + 45_000],
			[NOW, 0, 60_000, -15_000],
		],
		[
			[500, 498, 512],
			[500, -2, 14],
		],
	])('%p ⇄ %p', (values, deltas) => {
		expect(toDeltas(values)).toEqual(deltas);
		expect(fromDeltas(deltas)).toEqual(values);
	});

	it('round-trips any safe integers, unsorted and negative ones included', () => {
		const values = [Number.MAX_SAFE_INTEGER, 0, -Number.MAX_SAFE_INTEGER, 3, 3, -1];
		expect(fromDeltas(toDeltas(values))).toEqual(values);
	});

	it.each([
		['a fraction', [1, 0.5]],
		['NaN', [1, NaN]],
		['Infinity', [Infinity]],
		['a running sum beyond the safe integers', [Number.MAX_SAFE_INTEGER, 1]],
		['an unsafe sum that a later delta brings back', [2 ** 60, -(2 ** 60)]],
	])('refuses %s', (_name, deltas) => {
		expect(fromDeltas(deltas)).toBeUndefined();
	});
});
