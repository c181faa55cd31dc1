import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { runwayOf } from '../../../../src/usage';
import { toAmount } from '../../../../src/money';
import { isoInZone } from '../../../../src/i18n';
import { timezoneOf } from '../../../shared/parameters';
import type { ClientSetup } from '../../../shared/transport';
import type { OperationResult } from '../types';

const show = { resource: ['account'], operation: ['getBalance'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'Include Runway',
				name: 'includeRunway',
				type: 'boolean',
				default: true,
				description:
					'Whether to add how many days the balance lasts at the average daily spend of the last 7 full days ' +
					'(costs extra requests to read those calls)',
			},
			{
				displayName: 'Timezone',
				name: 'timezone',
				type: 'string',
				default: '',
				placeholder: 'Europe/Berlin',
				description: "IANA timezone of checkedAt and of the days of the runway. Empty uses the workflow's timezone.",
			},
		],
	},
];

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	setup: ClientSetup,
): Promise<OperationResult[]> {
	const options = this.getNodeParameter('options', itemIndex, {}) as { includeRunway?: boolean; timezone?: string };
	const timezone = timezoneOf(this, options.timezone);
	const { balance, name, email } = await setup.client.account();
	const json: OperationResult['json'] = {
		balance: toAmount(balance),
		currency: setup.settings.currency,
		name,
		email,
		checkedAt: isoInZone(setup.serverNow() ?? Date.now(), timezone),
	};
	if (options.includeRunway) {
		json.runway = await runwayOf(setup.client, balance, { now: setup.serverNow() ?? Date.now(), timezone });
	}
	return [{ json }];
}
