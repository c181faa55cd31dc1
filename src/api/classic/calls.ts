/**
 * A Famulor Classic call row (schemas.ts) as the core's `Call` (src/calls.ts): timestamps parsed, costs
 * in exact units, billable seconds and the settled flag derived. A field the package computes with that
 * cannot be read is a CallFieldError naming it.
 */
import { billableSecondsOf, parseTimestamp, SETTLED_STATUSES, TIMESTAMP_FORMS, type Call } from '../../calls';
import { tryParseMoney, type Units } from '../../money';
import type { RawCall } from './schemas';

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
	if (Number.isNaN(createdAt)) {
		throw new CallFieldError('created_at', raw.id, `is not a timestamp (${TIMESTAMP_FORMS}): ${raw.created_at}`);
	}
	const updatedAt = raw.updated_at ? parseTimestamp(raw.updated_at) : NaN;
	if (raw.updated_at && Number.isNaN(updatedAt)) {
		throw new CallFieldError('updated_at', raw.id, `is not a timestamp (${TIMESTAMP_FORMS}): ${raw.updated_at}`);
	}
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

/** normalizeCall, with the field error returned instead of thrown. */
export function normalizeCallSafely(raw: RawCall): Call | CallFieldError {
	try {
		return normalizeCall(raw);
	} catch (error) {
		if (error instanceof CallFieldError) return error;
		return new CallFieldError('(call)', raw.id, String(error));
	}
}
