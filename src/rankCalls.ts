/**
 * Calls of a period picked by cost or recency (`usage/getCalls` with a Minimum Cost or Most Expensive
 * First, and every Return All): reads every call of the period once (src/list/period.ts), keeps those
 * at or above the minimum cost (when there is one), and returns the first `limit` in the wanted order
 * together with how many matched. Memory holds `limit` calls, not the period's (all of them only when
 * `limit` is Infinity).
 */
import type { CallRow, CallSource } from './api/port';
import { forEachCall, type PeriodScan } from './list/period';
import type { Units } from './money';

export const CALL_ORDERS = ['newest', 'mostExpensive'] as const;
export type CallOrder = (typeof CALL_ORDERS)[number];

type Compare = (a: CallRow, b: CallRow) => number;

const newestFirst: Compare = (a, b) => b.call.createdAt - a.call.createdAt || b.call.id - a.call.id;
const mostExpensiveFirst: Compare = (a, b) => b.call.totalCost - a.call.totalCost || newestFirst(a, b);

export function compareCalls(order: CallOrder): Compare {
	return order === 'mostExpensive' ? mostExpensiveFirst : newestFirst;
}

export interface CallSelection {
	/** The first `limit` matching calls in the wanted order. */
	rows: CallRow[];
	/** How many calls of the period matched (the minimum cost and the filters). */
	matched: number;
}

export async function selectCalls(
	source: CallSource,
	scan: PeriodScan,
	options: { order: CallOrder; minCost?: Units; limit: number },
): Promise<CallSelection> {
	const compare = compareCalls(options.order);
	const limit = options.limit;
	const rows: CallRow[] = [];
	let matched = 0;
	await forEachCall(source, scan, (row) => {
		if (options.minCost !== undefined && row.call.totalCost < options.minCost) return;
		matched += 1;
		if (limit === Infinity) {
			rows.push(row);
			return;
		}
		if (rows.length === limit && compare(row, rows[rows.length - 1] as CallRow) >= 0) return;
		// Binary search for the first kept row that sorts after this one.
		let low = 0;
		let high = rows.length;
		while (low < high) {
			const middle = (low + high) >>> 1;
			if (compare(rows[middle] as CallRow, row) <= 0) low = middle + 1;
			else high = middle;
		}
		rows.splice(low, 0, row);
		if (rows.length > limit) rows.pop();
	});
	if (limit === Infinity) rows.sort(compare);
	return { rows, matched };
}
