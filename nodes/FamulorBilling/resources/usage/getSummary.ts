import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { GROUP_BY, type GroupBy } from '../../../../src/calls';
import { assertOneOf } from '../../../../src/errors';
import { resolveFilters } from '../../../../src/filters';
import { capItems, groupsNote, TOOL_MAX_GROUPS } from '../../../../src/tool';
import { summarizeUsage } from '../../../../src/usage';
import { filtersProperty, groupByOptions, periodProperties, timezoneOption } from '../../../shared/descriptions';
import { filterInput, periodOf, timezoneOf } from '../../../shared/parameters';
import type { ClientSetup } from '../../../shared/transport';
import { isToolRun } from '../../tool';
import type { OperationResult } from '../types';

const show = { resource: ['usage'], operation: ['getSummary'] };

export const description: INodeProperties[] = [
	...periodProperties(show, 'thisMonth'),
	{
		displayName: 'Group By',
		name: 'groupBy',
		type: 'options',
		options: groupByOptions,
		default: 'none',
		description: 'Return one item per group, e.g. one per assistant or one per day',
		displayOptions: { show },
	},
	filtersProperty(show),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options: [timezoneOption()],
	},
];

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	setup: ClientSetup,
): Promise<OperationResult[]> {
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const timezone = timezoneOf(this, options.timezone);
	const period = periodOf(this, itemIndex, timezone, setup.settings.billingCycleDay);
	const groupBy = assertOneOf<GroupBy>(
		this.getNodeParameter('groupBy', itemIndex, 'none'),
		GROUP_BY,
		'groupBy',
		'Group By',
	);
	const { query, filters } = await resolveFilters(
		setup.client,
		filterInput(this.getNodeParameter('filters', itemIndex, {}) as IDataObject),
	);
	const rows = await summarizeUsage(setup.client, { period, query, filters }, groupBy, setup.settings.currency);
	const items = rows.map((row) => row as unknown as IDataObject);
	// As an AI tool: at most TOOL_MAX_GROUPS groups (the node's order), and a note when there were more.
	const answer = isToolRun(this)
		? capItems(items, TOOL_MAX_GROUPS, (returned) =>
				groupsNote({
					returned,
					matched: items.length,
					groupBy,
					chronological: groupBy === 'day' || groupBy === 'hour',
				}),
			)
		: items;
	return answer.map((json) => ({ json: json as IDataObject }));
}
