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

export function totalsBy(
	calls: RawCall[],
	keyOf: (call: RawCall) => string,
	inRange: (call: RawCall) => boolean,
): Map<string, Truth> {
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

/** A timestamp of the API (ISO, or naive `YYYY-MM-DD HH:mm:ss` in UTC) as epoch ms. */
export function timestampMs(text: string): number {
	return Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`);
}

/**
 * The next renewal of a number bought at `createdAt` (SPEC §13), found by walking the calendar day by
 * day from today in `timezone`: the first day after the purchase day that is its monthly anniversary
 * (the purchase's day of the month, or the month's last day when the month is shorter).
 */
export function renewalTruth(
	createdAt: string,
	nowMs: number,
	timezone: string,
): { nextRenewalAt: string; daysToRenewal: number } {
	const bought = DateTime.fromMillis(timestampMs(createdAt), { zone: timezone }).startOf('day');
	const today = DateTime.fromMillis(nowMs, { zone: timezone }).startOf('day');
	for (let days = 0; days <= 400; days++) {
		const day = today.plus({ days }).startOf('day');
		if (day > bought && day.day === Math.min(bought.day, day.daysInMonth as number)) {
			return { nextRenewalAt: day.toISO({ suppressMilliseconds: true }) as string, daysToRenewal: days };
		}
	}
	throw new Error(`no renewal of a number bought at ${createdAt} within 400 days`);
}

/** The digits of a phone number, to compare numbers written differently. */
export function digitsOf(phone: string | null | undefined): string {
	return (phone ?? '').replace(/\D/g, '');
}
