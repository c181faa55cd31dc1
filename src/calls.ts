/**
 * One call as the package computes with it, normalised from the raw API object, and the
 * per-call rules of SPEC §4: platform cost, billable minutes, settled statuses, group keys.
 */
import type { RawCall } from './schemas';
import { tryParseMoney, type Units } from './money';
import { localeOf, type Locale } from './i18n';

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

const NAIVE_TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

/** ISO 8601 with zone, or naive `YYYY-MM-DD HH:mm:ss` which the API uses for UTC. Returns epoch ms or NaN. */
export function parseTimestamp(text: string): number {
	const trimmed = text.trim();
	if (NAIVE_TIMESTAMP.test(trimmed)) return Date.parse(`${trimmed.replace(' ', 'T')}Z`);
	return Date.parse(trimmed);
}

/** Famulor's published rule: a connected call bills at least 30 s of platform time. */
export function billableSecondsOf(durationSeconds: number): number {
	return durationSeconds > 0 ? Math.max(durationSeconds, 30) : 0;
}

export class CallFieldError extends Error {
	constructor(
		readonly field: string,
		readonly callId: unknown,
		detail: string,
	) {
		super(`call ${String(callId)}: field \`${field}\` ${detail}`);
		this.name = 'CallFieldError';
	}
}

/** A cost field: null/absent is 0, an unreadable value is undefined. */
function moneyField(value: string | number | null | undefined): Units | undefined {
	if (value === null || value === undefined) return 0;
	return tryParseMoney(value);
}

export function normalizeCall(raw: RawCall): Call {
	const createdAt = parseTimestamp(raw.created_at);
	if (Number.isNaN(createdAt)) throw new CallFieldError('created_at', raw.id, `is not a timestamp: ${raw.created_at}`);
	const updatedAt = raw.updated_at ? parseTimestamp(raw.updated_at) : NaN;
	const totalCost = moneyField(raw.total_cost);
	if (totalCost === undefined) {
		throw new CallFieldError('total_cost', raw.id, `is not a decimal amount: ${JSON.stringify(raw.total_cost)}`);
	}
	const carrierCost = moneyField(raw.carrier_cost);
	if (carrierCost === undefined) {
		throw new CallFieldError('carrier_cost', raw.id, `is not a decimal amount: ${JSON.stringify(raw.carrier_cost)}`);
	}
	const durationSeconds = Math.max(0, Math.round(raw.duration ?? 0));
	const status = raw.status ?? 'unknown';
	return {
		id: raw.id,
		createdAt,
		updatedAt: Number.isNaN(updatedAt) ? null : updatedAt,
		status,
		settled: SETTLED_STATUSES.has(status),
		direction: raw.type ?? null,
		durationSeconds,
		billableSeconds: billableSecondsOf(durationSeconds),
		totalCost,
		carrierCost,
		assistantName: raw.assistant_name ?? null,
		campaignName: raw.campaign_name ?? null,
		assistantPhoneNumber: raw.assistant_phone_number ?? null,
		clientPhoneNumber: raw.client_phone_number ?? null,
		answeredBy: raw.answered_by ?? null,
	};
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

/** normalizeCall, with the field error returned instead of thrown. */
export function normalizeCallSafely(raw: RawCall): Call | CallFieldError {
	try {
		return normalizeCall(raw);
	} catch (error) {
		if (error instanceof CallFieldError) return error;
		return new CallFieldError('(call)', raw.id, String(error));
	}
}
