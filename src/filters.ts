/**
 * The `filters` parameter: which parts go to the API (ids, direction, status) and which are
 * re-checked locally on every call. The list returns names, not ids, so the action node resolves
 * assistant and campaign ids to names (one request each) to re-check them too; the triggers, which
 * must stay cheap, trust the API's id filter.
 */
import type { CallFilters } from './calls';
import type { CallQuery } from './api/port';
import type { AssistantSource, CampaignSource } from './api/account';
import { InvalidParameterError } from './errors';

export interface FilterInput {
	assistantId?: string | number;
	campaignId?: string | number;
	phoneNumber?: string;
	direction?: string;
	status?: string;
}

export interface ResolvedFilters {
	query: CallQuery;
	filters: CallFilters;
}

const DIRECTIONS = new Set(['inbound', 'outbound', 'web']);

function idOf(value: string | number | undefined, parameter: string, what: string): number | undefined {
	if (value === undefined || value === null || String(value).trim() === '') return undefined;
	const text = String(value).trim();
	if (!/^\d+$/.test(text)) {
		throw new InvalidParameterError(
			parameter,
			`${what} ID "${text}" is not a number`,
			`Pick the ${what.toLowerCase()} from the list, or enter its numeric ID.`,
		);
	}
	return Number(text);
}

/**
 * Validates the filters and splits them into the API query and the local re-check, without any
 * request. `includeStatusInQuery` is false for the triggers: a call moves from status to status, so
 * a status sent to the API would hide calls whose status changes later.
 */
export function filtersFromInput(
	input: FilterInput,
	options: { includeStatusInQuery?: boolean } = {},
): ResolvedFilters {
	const query: CallQuery = {};
	const filters: CallFilters = {};
	const assistantId = idOf(input.assistantId, 'filters.assistantId', 'Assistant');
	const campaignId = idOf(input.campaignId, 'filters.campaignId', 'Campaign');
	if (assistantId !== undefined) query.assistantId = assistantId;
	if (campaignId !== undefined) query.campaignId = campaignId;
	if (input.direction) {
		if (!DIRECTIONS.has(input.direction)) {
			throw new InvalidParameterError(
				'filters.direction',
				`Direction "${input.direction}" is unknown`,
				'Choose inbound, outbound or web.',
			);
		}
		query.direction = input.direction;
		filters.direction = input.direction;
	}
	if (input.status) {
		if (options.includeStatusInQuery !== false) query.status = input.status;
		filters.status = input.status;
	}
	if (input.phoneNumber && input.phoneNumber.trim()) {
		const number = input.phoneNumber.replace(/[\s()-]/g, '');
		if (!/^\+?\d{4,16}$/.test(number)) {
			throw new InvalidParameterError(
				'filters.phoneNumber',
				`Phone number "${input.phoneNumber}" is not in E.164 format`,
				'Enter the Famulor number with country code, e.g. +4930123456.',
			);
		}
		filters.phoneNumber = number.startsWith('+') ? number : `+${number}`;
	}
	return { query, filters };
}

/** filtersFromInput plus assistant and campaign names for the local re-check (checks the ids exist). */
export async function resolveFilters(
	client: AssistantSource & CampaignSource,
	input: FilterInput,
): Promise<ResolvedFilters> {
	const resolved = filtersFromInput(input);
	const { query, filters } = resolved;
	if (query.assistantId !== undefined) {
		const assistant = (await client.assistants()).find((a) => a.id === query.assistantId);
		if (!assistant) {
			throw new InvalidParameterError(
				'filters.assistantId',
				`Assistant ${query.assistantId} does not exist in this Famulor account`,
				'Pick the assistant from the list, or check the ID in the Famulor dashboard.',
			);
		}
		filters.assistantName = assistant.name;
	}
	if (query.campaignId !== undefined) {
		const campaign = (await client.campaigns()).find((c) => c.id === query.campaignId);
		if (!campaign) {
			throw new InvalidParameterError(
				'filters.campaignId',
				`Campaign ${query.campaignId} does not exist in this Famulor account`,
				'Pick the campaign from the list, or check the ID in the Famulor dashboard.',
			);
		}
		filters.campaignName = campaign.name;
	}
	return resolved;
}
