import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { CallRow } from '../../../../src/api/port';
import { callItem } from '../../../../src/callItem';
import { InvalidParameterError } from '../../../../src/errors';
import { forEachCall, newestCalls } from '../../../../src/list/period';
import { resolveFilters } from '../../../../src/filters';
import { filtersProperty, periodProperties, timezoneOption } from '../../../shared/descriptions';
import { filterInput, numberParameter, periodOf, timezoneOf } from '../../../shared/parameters';
import type { ClientSetup } from '../../../shared/transport';
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
	const simplify = this.getNodeParameter('simplify', itemIndex, true) as boolean;
	const { query, filters } = await resolveFilters(
		setup.client,
		filterInput(this.getNodeParameter('filters', itemIndex, {}) as IDataObject),
	);
	const scan = { period, query, filters };
	let found: CallRow[];
	if (returnAll) {
		found = [];
		await forEachCall(setup.client, scan, (row) => found.push(row));
		found.sort((a, b) => b.call.createdAt - a.call.createdAt || b.call.id - a.call.id);
	} else {
		found = await newestCalls(setup.client, scan, limit);
	}
	const currency = setup.settings.currency;
	return found.map(({ call, raw }) => {
		const item = callItem(call, currency, timezone);
		return { json: simplify ? item : { ...(raw as IDataObject), ...item } };
	});
}
