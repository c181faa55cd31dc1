/**
 * One call as the package computes with it (an API adapter makes it from its own rows: Famulor Classic's
 * in src/api/classic/calls.ts), and the per-call rules of SPEC §4: platform cost, billable minutes,
 * settled statuses, group keys; and the timestamp forms the package reads.
 */
import type { Units } from './money';
import { localeOf, type Locale } from './i18n';
import { MINUTE_MS } from './clock';

export const SETTLED_STATUSES: ReadonlySet<string> = new Set([
	'completed',
	'ended',
	'ended_by_customer',
	'ended_by_assistant',
	'busy',
	'no-answer',
	'failed',
]);
export const FAILED_STATUSES: ReadonlySet<string> = new Set(['failed', 'busy', 'no-answer']);

export interface Call {
	id: number;
	createdAt: number;
	updatedAt: number | null;
	status: string;
	settled: boolean;
	direction: string | null;
	durationSeconds: number;
	billableSeconds: number;
	totalCost: Units;
	carrierCost: Units;
	assistantName: string | null;
	campaignName: string | null;
	assistantPhoneNumber: string | null;
	clientPhoneNumber: string | null;
	answeredBy: string | null;
}

/**
 * The API's timestamps: Laravel's `YYYY-MM-DD HH:mm:ss` (naive, which the API uses for UTC) or ISO 8601
 * with `Z` or an offset (`2025-08-04T14:30:00.000000Z`, `2025-08-04T16:30:00+02:00`); seconds and a
 * fraction are optional, `T` or a space separates date and time.
 */
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;
export const TIMESTAMP_FORMS = 'YYYY-MM-DD HH:mm:ss (UTC) or ISO 8601 with Z or an offset';

const daysIn = (year: number, month: number) =>
	month === 2
		? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
			? 29
			: 28
		: [4, 6, 9, 11].includes(month)
			? 30
			: 31;

/**
 * Epoch ms of one of the API's timestamp forms (TIMESTAMP) on a real calendar date, or NaN: no other
 * form is guessed at. `Date.parse` would read "2026-02-30" as 2 March and "1", "12" or "Mar 5" as
 * dates in 2001.
 */
export function parseTimestamp(text: string): number {
	const match = TIMESTAMP.exec(text.trim());
	if (!match) return NaN;
	const [, y, mo, d, h, mi, s = '0', fraction = '', zone = 'Z'] = match;
	const [year, month, day, hour, minute, second] = [Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s)];
	let offsetMinutes = 0;
	if (zone !== 'Z') {
		const digits = zone.slice(1).replace(':', '');
		const offsetHours = Number(digits.slice(0, 2));
		const offsetMins = Number(digits.slice(2) || '0');
		if (offsetHours > 23 || offsetMins > 59) return NaN;
		offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (offsetHours * 60 + offsetMins);
	}
	const real =
		month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month) && hour <= 23 && minute <= 59 && second <= 59;
	if (!real) return NaN;
	const date = new Date(0);
	date.setUTCFullYear(year, month - 1, day);
	date.setUTCHours(hour, minute, second, Number(fraction.padEnd(3, '0').slice(0, 3)));
	return date.getTime() - offsetMinutes * MINUTE_MS;
}

/** Famulor's published rule: a connected call bills at least 30 s of platform time. */
export function billableSecondsOf(durationSeconds: number): number {
	return durationSeconds > 0 ? Math.max(durationSeconds, 30) : 0;
}

export const NO_CAMPAIGN = '(no campaign)';
export const NO_ASSISTANT = '(no assistant)';
export const NO_NUMBER = '(no number)';

/** How usage summaries can group calls. */
export const GROUP_BY = ['none', 'day', 'hour', 'assistant', 'campaign', 'phoneNumber', 'direction', 'status'] as const;
export type GroupBy = (typeof GROUP_BY)[number];
/**
 * How the triggers can group calls (each group is evaluated on its own). `client` groups by the
 * client rules of charge summaries (src/clients.ts, src/triggers/clientGroups.ts).
 */
export const TRIGGER_GROUP_BY = ['none', 'assistant', 'campaign', 'phoneNumber', 'client'] as const;
export type TriggerGroupBy = (typeof TRIGGER_GROUP_BY)[number];

/** The group a call belongs to for the dimension groups (time groups are handled by the aggregator). */
export function dimensionKey(call: Call, groupBy: GroupBy): string | null {
	switch (groupBy) {
		case 'none':
			return null;
		case 'assistant':
			return call.assistantName ?? NO_ASSISTANT;
		case 'campaign':
			return call.campaignName ?? NO_CAMPAIGN;
		case 'phoneNumber':
			return call.assistantPhoneNumber ?? NO_NUMBER;
		case 'direction':
			return call.direction ?? 'unknown';
		case 'status':
			return call.status;
		default:
			return null;
	}
}

/** ` of campaign "X"` for messages about one group; '' for all calls. */
export function groupLabel(groupBy: TriggerGroupBy, group: string | null, locale: Locale = localeOf('en')): string {
	if (group === null || groupBy === 'none') return '';
	return locale.m.threshold.groupLabel(groupBy, group);
}

/**
 * Filters re-checked locally (the API applies some of them, we never trust that it did).
 * `phoneNumber` is the Famulor-side number (`assistant_phone_number`), like groupBy `phoneNumber`;
 * the API's own `phone_number` filter means the client's number, so it is never sent.
 */
export interface CallFilters {
	assistantName?: string;
	campaignName?: string;
	phoneNumber?: string;
	direction?: string;
	status?: string;
}

export function matchesFilters(call: Call, filters: CallFilters): boolean {
	if (filters.assistantName !== undefined && call.assistantName !== filters.assistantName) return false;
	if (filters.campaignName !== undefined && call.campaignName !== filters.campaignName) return false;
	if (filters.phoneNumber !== undefined && call.assistantPhoneNumber !== filters.phoneNumber) return false;
	if (filters.direction !== undefined && call.direction !== filters.direction) return false;
	if (filters.status !== undefined && call.status !== filters.status) return false;
	return true;
}
