import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { buildFeeTable, describePhoneNumbers, phoneNumberItem } from '../../../../src/numbers';
import { renewalOf } from '../../../../src/renewals';
import { feeProperties, timezoneOption } from '../../../shared/descriptions';
import { timezoneOf } from '../../../shared/parameters';
import type { ClientSetup } from '../../../shared/transport';
import type { OperationResult } from '../types';

const show = { resource: ['phoneNumber'], operation: ['getAll'] };

export const description: INodeProperties[] = [
	...feeProperties(show),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'Rented Only',
				name: 'rentedOnly',
				type: 'boolean',
				default: true,
				description:
					'Whether to return only dedicated numbers with an active rental (leave out SIP trunks, caller IDs ' +
					'and released numbers)',
			},
			{
				...timezoneOption(),
				description: "IANA timezone in which renewal days are counted. Empty uses the workflow's timezone.",
			},
		],
	},
];

/** Reads the fee parameters of an item into a validated fee table. */
export function feeTableOf(context: IExecuteFunctions, itemIndex: number) {
	const rows = (context.getNodeParameter('monthlyFees', itemIndex, {}) as IDataObject).fee as
		| Array<{ country?: unknown; fee?: unknown }>
		| undefined;
	return buildFeeTable(context.getNodeParameter('defaultMonthlyFee', itemIndex, 3.99), rows ?? []);
}

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	setup: ClientSetup,
): Promise<OperationResult[]> {
	const fees = feeTableOf(this, itemIndex);
	const options = this.getNodeParameter('options', itemIndex, {}) as { rentedOnly?: boolean; timezone?: unknown };
	const rentedOnly = options.rentedOnly !== false;
	const timezone = timezoneOf(this, options.timezone);
	const [numbers, assistants] = [await setup.client.phoneNumbers(), await setup.client.assistants()];
	// Today is Famulor's (its Date header), like the triggers' clock; the local clock before any answer.
	const now = setup.serverNow() ?? Date.now();
	return describePhoneNumbers(numbers, assistants, fees)
		.filter((info) => !rentedOnly || info.rented)
		.map((info) => ({
			json: phoneNumberItem(info, setup.settings.currency, renewalOf(info, now, timezone), timezone) as IDataObject,
		}));
}
