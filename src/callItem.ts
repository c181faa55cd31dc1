/**
 * The simplified call (SPEC §5 `usage/getCalls`): one call as the package hands it to a workflow.
 * The action node's Get Calls and the Call Trigger emit exactly this shape, so a sheet filled by
 * either has the same columns.
 */
import type { Call } from './calls';
import { isoInZone } from './i18n';
import { toAmount } from './money';

/** A type alias (not an interface), so that it is a plain JSON record to n8n. */
export type CallItem = {
	id: number;
	createdAt: string;
	direction: string | null;
	status: string;
	durationSeconds: number;
	billableMinutes: number;
	totalCost: number;
	carrierCost: number;
	platformCost: number;
	currency: string;
	assistantName: string | null;
	campaignName: string | null;
	assistantPhoneNumber: string | null;
	clientPhoneNumber: string | null;
	answeredBy: string | null;
};

/** `createdAt` is ISO 8601 with the offset of `timezone` (like every date the nodes output). */
export function callItem(call: Call, currency: string, timezone = 'UTC'): CallItem {
	return {
		id: call.id,
		createdAt: isoInZone(call.createdAt, timezone),
		direction: call.direction,
		status: call.status,
		durationSeconds: call.durationSeconds,
		billableMinutes: Number((call.billableSeconds / 60).toFixed(4)),
		totalCost: toAmount(call.totalCost),
		carrierCost: toAmount(call.carrierCost),
		platformCost: toAmount(call.totalCost - call.carrierCost),
		currency,
		assistantName: call.assistantName,
		campaignName: call.campaignName,
		assistantPhoneNumber: call.assistantPhoneNumber,
		clientPhoneNumber: call.clientPhoneNumber,
		answeredBy: call.answeredBy,
	};
}
