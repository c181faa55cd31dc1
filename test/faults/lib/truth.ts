/**
 * Expected totals computed from the sandbox's raw calls (BigInt cost sums, luxon periods written out
 * here), independently of src/.
 */
import { DateTime } from 'luxon';
import type { SpikeConfig } from '../../../src/triggers/spike';
import type { ThresholdConfig } from '../../../src/triggers/threshold';
import type { RawCall, Sandbox } from '../../sandbox/server';
import { costUnits, createdMs } from '../../helpers/truth';

const DAY = 86_400_000;

const digits = (phone: string) => (phone.trim().startsWith('+') ? '+' : '') + phone.replace(/\D/g, '');

/** CLIENT_RULES of lib/scenario.ts restated: the first rule that matches, else Unassigned. */
function clientOf(call: RawCall): string {
	if (
		String(call.assistant_name ?? '')
			.trim()
			.toLowerCase()
			.startsWith('sales')
	)
		return '__proto__';
	if (
		String(call.campaign_name ?? '')
			.trim()
			.toLowerCase() === 'customer feedback survey'
	)
		return 'Northwind';
	const own = call.assistant_phone_number ? digits(call.assistant_phone_number) : '';
	if (own.startsWith('+4989') || own === '+31205550303') return 'constructor';
	return 'Unassigned';
}

/** The group of a call, or undefined when it is not counted (Unassigned without Include Unassigned). */
function groupOf(
	call: RawCall,
	config: { groupBy: string; clients?: { includeUnassigned: boolean } },
): string | undefined {
	switch (config.groupBy) {
		case 'client': {
			const client = clientOf(call);
			return client === 'Unassigned' && !config.clients?.includeUnassigned ? undefined : client;
		}
		case 'assistant':
			return call.assistant_name ?? '(no assistant)';
		case 'campaign':
			return call.campaign_name ?? '(no campaign)';
		case 'phoneNumber':
			return call.assistant_phone_number ?? '(no number)';
		default:
			return '';
	}
}

function billable(call: RawCall): number {
	const duration = Number(call.duration ?? 0);
	return duration > 0 ? Math.max(30, duration) : 0;
}

function matches(call: RawCall, filters: { direction?: string }): boolean {
	return filters.direction === undefined || call.type === filters.direction;
}

/** [start, end) of the trigger period containing `at`. */
export function periodBounds(
	kind: ThresholdConfig['period'],
	at: number,
	timezone: string,
	cycleDay: number,
): { start: number; end: number } {
	const t = DateTime.fromMillis(at, { zone: timezone });
	if (kind === 'day') return { start: t.startOf('day').toMillis(), end: t.startOf('day').plus({ days: 1 }).toMillis() };
	if (kind === 'week')
		return { start: t.startOf('week').toMillis(), end: t.startOf('week').plus({ weeks: 1 }).toMillis() };
	if (kind === 'month')
		return { start: t.startOf('month').toMillis(), end: t.startOf('month').plus({ months: 1 }).toMillis() };
	const cycleStart = (month: DateTime) =>
		month.set({ day: Math.min(cycleDay, month.daysInMonth as number) }).startOf('day');
	let start = cycleStart(t.startOf('month'));
	if (t < start) start = cycleStart(t.startOf('month').minus({ months: 1 }));
	return { start: start.toMillis(), end: cycleStart(start.startOf('month').plus({ months: 1 })).toMillis() };
}

/**
 * The threshold metric per group over the current period, as exact integers (1e-8 units, seconds or calls); zero
 * groups left out.
 */
export function thresholdTruth(sandbox: Sandbox, config: ThresholdConfig, now: number): Record<string, number> {
	const { start, end } = periodBounds(config.period, now, config.timezone, config.billingCycleDay);
	const sums = new Map<string, bigint>();
	for (const call of sandbox.visibleCalls()) {
		const at = createdMs(call);
		if (at < start || at >= end || !matches(call, config.filters)) continue;
		const value =
			config.metric === 'minutes'
				? BigInt(billable(call))
				: config.metric === 'calls'
					? 1n
					: costUnits(call.total_cost as string);
		const group = groupOf(call, config);
		if (group === undefined) continue;
		sums.set(group, (sums.get(group) ?? 0n) + value);
	}
	return Object.fromEntries([...sums].filter(([, v]) => v !== 0n).map(([k, v]) => [k, Number(v)]));
}

const SLOT = 900_000;

/**
 * The wall-clock label of a 15-minute UTC slot: its day (and six hours, hour or 15 minutes) in the
 * timezone, and for hour and 15-minute windows its UTC offset too (they end where the offset changes).
 */
function slotLabel(kind: SpikeConfig['window'], slot: number, timezone: string): string {
	const at = DateTime.fromMillis(slot, { zone: timezone });
	const day = at.toFormat('yyyy-MM-dd');
	if (kind === 'day') return day;
	if (kind === 'sixHours') return `${day} ${Math.floor(at.hour / 6)}`;
	if (kind === 'hour') return `${day} ${at.hour} ${at.offset}`;
	return `${day} ${at.hour}:${Math.floor(at.minute / 15)} ${at.offset}`;
}

/**
 * The start of the spike window holding `ms`, independently of src/triggers/windows.ts: the first of
 * the run of 15-minute UTC slots around it that share its wall-clock label (offsets and their changes
 * fall on 15-minute marks in every zone the suite runs in, Lord Howe's and Chatham's included).
 */
function windowStart(
	kind: SpikeConfig['window'],
	ms: number,
	timezone: string,
	labels = new Map<number, string>(),
): number {
	const label = (slot: number) => {
		let text = labels.get(slot);
		if (text === undefined) labels.set(slot, (text = slotLabel(kind, slot, timezone)));
		return text;
	};
	let start = Math.floor(ms / SLOT) * SLOT;
	const own = label(start);
	while (label(start - SLOT) === own) start -= SLOT;
	return start;
}

const FAILED = new Set(['failed', 'busy', 'no-answer']);

/** The spike trigger's buckets (group → window start → value) for windows the trigger keeps at `now`. */
export function spikeTruth(sandbox: Sandbox, config: SpikeConfig, now: number): Record<string, Record<string, number>> {
	const keepFrom = now - (config.baselineDays + 2) * DAY;
	// Maps: a group may be called __proto__.
	const result = new Map<string, Map<string, bigint>>();
	const labels = new Map<number, string>();
	for (const call of sandbox.visibleCalls()) {
		if (!matches(call, config.filters)) continue;
		const start = windowStart(config.window, createdMs(call), config.timezone, labels);
		if (start < keepFrom) continue;
		const value =
			config.metric === 'spend'
				? costUnits(call.total_cost as string)
				: config.metric === 'minutes'
					? BigInt(billable(call))
					: config.metric === 'calls'
						? 1n
						: FAILED.has(String(call.status))
							? 1n
							: 0n;
		if (value === 0n) continue;
		const group = groupOf(call, config);
		if (group === undefined) continue;
		const buckets = result.get(group) ?? new Map<string, bigint>();
		result.set(group, buckets);
		buckets.set(String(start), (buckets.get(String(start)) ?? 0n) + value);
	}
	const asRecord = (buckets: Map<string, bigint>) => Object.fromEntries([...buckets].map(([k, v]) => [k, Number(v)]));
	return Object.fromEntries([...result].map(([group, buckets]) => [group, asRecord(buckets)]));
}

/** Usage per assistant over [start, end): calls and exact cost units. */
export function usageTruth(
	sandbox: Sandbox,
	start: number,
	end: number,
): Record<string, { calls: number; totalCost: number; carrierCost: number }> {
	const result: Record<string, { calls: number; totalCost: bigint; carrierCost: bigint }> = {};
	for (const call of sandbox.visibleCalls()) {
		const at = createdMs(call);
		if (at < start || at >= end) continue;
		const entry = (result[call.assistant_name ?? '(no assistant)'] ??= { calls: 0, totalCost: 0n, carrierCost: 0n });
		entry.calls++;
		entry.totalCost += costUnits(call.total_cost as string);
		entry.carrierCost += costUnits(call.carrier_cost as string);
	}
	return Object.fromEntries(
		Object.entries(result).map(([k, v]) => [
			k,
			{ calls: v.calls, totalCost: Number(v.totalCost), carrierCost: Number(v.carrierCost) },
		]),
	);
}

/** Sorted-key JSON, for comparing records exactly. */
export function canonical(value: unknown): string {
	return JSON.stringify(value, (_key, v) =>
		v && typeof v === 'object' && !Array.isArray(v)
			? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
			: v,
	);
}
