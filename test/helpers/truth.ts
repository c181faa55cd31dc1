/**
 * Ground truth computed straight from the sandbox's raw data, independently of src/: BigInt sums of
 * the cost strings and luxon period bounds written out here, so a bug in the package's money,
 * period or aggregation code cannot hide in the expected values.
 */
import { DateTime } from 'luxon';
import type { RawCall } from '../sandbox/server';

export function costUnits(value: string | number | null | undefined): bigint {
	if (value === null || value === undefined) return 0n;
	const text = typeof value === 'number' ? value.toFixed(8) : value;
	const [whole, fraction = ''] = text.split('.');
	const sign = whole.startsWith('-') ? -1n : 1n;
	return sign * (BigInt(whole.replace('-', '')) * 100_000_000n + BigInt((fraction + '00000000').slice(0, 8)));
}

export function toNumber(units: bigint): number {
	return Number(units) / 1e8;
}

export function createdMs(call: RawCall): number {
	const text = String(call.created_at);
	return Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`);
}

export function lastMonthBounds(timezone: string, now: DateTime = DateTime.now()): { start: number; end: number } {
	const thisMonth = now.setZone(timezone).startOf('month');
	return { start: thisMonth.minus({ months: 1 }).toMillis(), end: thisMonth.toMillis() };
}

export interface Truth {
	calls: number;
	totalCost: bigint;
	carrierCost: bigint;
	talkSeconds: number;
	billableSeconds: number;
}

export function totalsBy(calls: RawCall[], keyOf: (call: RawCall) => string, inRange: (call: RawCall) => boolean): Map<string, Truth> {
	const result = new Map<string, Truth>();
	for (const call of calls) {
		if (!inRange(call)) continue;
		const key = keyOf(call);
		const truth = result.get(key) ?? { calls: 0, totalCost: 0n, carrierCost: 0n, talkSeconds: 0, billableSeconds: 0 };
		const duration = Number(call.duration ?? 0);
		truth.calls += 1;
		truth.totalCost += costUnits(call.total_cost as string);
		truth.carrierCost += costUnits(call.carrier_cost as string);
		truth.talkSeconds += duration;
		truth.billableSeconds += duration > 0 ? Math.max(30, duration) : 0;
		result.set(key, truth);
	}
	return result;
}
