import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { CallRow } from '../../../../src/api/port';
import { callItem } from '../../../../src/callItem';
import { assertOneOf, InvalidParameterError } from '../../../../src/errors';
import { newestCalls } from '../../../../src/list/period';
import { resolveFilters } from '../../../../src/filters';
import { amountToUnits } from '../../../../src/money';
import { CALL_ORDERS, selectCalls, type CallOrder } from '../../../../src/rankCalls';
import { callsNote, TOOL_MAX_CALLS } from '../../../../src/tool';
import { filtersProperty, periodProperties, timezoneOption } from '../../../shared/descriptions';
import { filterInput, numberParameter, periodOf, timezoneOf } from '../../../shared/parameters';
import type { ClientSetup } from '../../../shared/transport';
import { isToolRun } from '../../tool';
import type { OperationResult } from '../types';

const show = { resource: ['usage'], operation: ['getCalls'] };

export const description: INodeProperties[] = [
	...periodProperties(show, 'today'),
	filtersProperty(show),
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
		displayOptions: { show },
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { ...show, returnAll: [false] } },
	},
	{
		displayName: 'Simplify',
		name: 'simplify',
		type: 'boolean',
		default: true,
		description:
			'Whether to return the billing fields only instead of the raw Famulor call (with transcript) plus those fields',
		displayOptions: { show },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'Minimum Cost',
				name: 'minCost',
				type: 'number',
				typeOptions: { minValue: 0, numberPrecision: 2 },
				default: 0,
				description:
					"Only calls whose total cost is at least this much, in the credential's currency. Reads every call " +
					'of the period (requests like a usage summary).',
			},
			{
				displayName: 'Sort By',
				name: 'sortBy',
				type: 'options',
				options: [
					{
						name: 'Most Expensive First',
						value: 'mostExpensive',
						description: 'Highest total cost first. Reads every call of the period (requests like a usage summary).',
					},
					{ name: 'Newest First', value: 'newest' },
				],
				default: 'newest',
				description: 'Which calls come first, and so which calls the Limit keeps',
			},
			timezoneOption(),
		],
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
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const limit = returnAll
		? Infinity
		: numberParameter(this.getNodeParameter('limit', itemIndex, 50), 'limit', 'Limit', '50');
	if (!returnAll && !(Number.isInteger(limit) && limit >= 1)) {
		throw new InvalidParameterError(
			'limit',
			`Limit ${limit} is not a whole number of 1 or more`,
			'Enter how many calls to return, e.g. 50, or turn on Return All.',
		);
	}
	const order: CallOrder =
		options.sortBy === undefined ? 'newest' : assertOneOf(options.sortBy, CALL_ORDERS, 'options.sortBy', 'Sort By');
	const minCost =
		options.minCost === undefined ? 0 : numberParameter(options.minCost, 'options.minCost', 'Minimum Cost', '1.50');
	if (minCost < 0) {
		throw new InvalidParameterError(
			'options.minCost',
			`Minimum Cost ${minCost} is negative`,
			'Enter 0 (every call) or a cost in the currency of the credential, e.g. 1.50.',
		);
	}
	// As an AI tool: at most TOOL_MAX_CALLS simplified calls, and a note when there are more.
	const asTool = isToolRun(this);
	const simplify = asTool || (this.getNodeParameter('simplify', itemIndex, true) as boolean);
	const { query, filters } = await resolveFilters(
		setup.client,
		filterInput(this.getNodeParameter('filters', itemIndex, {}) as IDataObject),
	);
	const scan = { period, query, filters };
	const kept = asTool ? Math.min(limit, TOOL_MAX_CALLS) : limit;
	let found: CallRow[];
	let matched: number | undefined;
	if (returnAll || order !== 'newest' || minCost > 0) {
		// Every call of the period is read; the selection keeps the first `kept` in the wanted order.
		({ rows: found, matched } = await selectCalls(setup.client, scan, {
			order,
			minCost: minCost > 0 ? amountToUnits(minCost) : undefined,
			limit: kept,
		}));
	} else {
		// The newest only: one more than kept tells a tool whether there are more.
		found = await newestCalls(setup.client, scan, asTool ? kept + 1 : kept);
	}
	const currency = setup.settings.currency;
	const results: OperationResult[] = found.slice(0, kept).map(({ call, raw }) => {
		const item = callItem(call, currency, timezone);
		return { json: simplify ? item : { ...(raw as IDataObject), ...item } };
	});
	const more = matched === undefined ? found.length > kept : matched > kept;
	if (asTool && more) {
		const note = callsNote({
			returned: results.length,
			matched,
			order,
			periodLabel: period.label,
			requested: returnAll ? undefined : limit,
		});
		results.push({ json: note as IDataObject });
	}
	return results;
}
