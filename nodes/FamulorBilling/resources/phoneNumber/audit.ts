import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { describePhoneNumbers } from '../../../../src/numbers';
import {
	assertIdleDays,
	assertRenewingWithinDays,
	auditRentals,
	DEFAULT_IDLE_DAYS,
	DEFAULT_RENEWING_WITHIN_DAYS,
	MAX_IDLE_DAYS,
	MAX_RENEWING_WITHIN_DAYS,
} from '../../../../src/rentals';
import { withoutHtml } from '../../../../src/tool';
import { TEXT_FORMATS, type TextFormat } from '../../../../src/chargeSummary';
import { assertOneOf } from '../../../../src/errors';
import { assertLanguage } from '../../../../src/i18n';
import {
	executeOnceNotice,
	feeProperties,
	languageOption,
	textFormatOption,
	timezoneOption,
} from '../../../shared/descriptions';
import { timezoneOf } from '../../../shared/parameters';
import type { ClientSetup } from '../../../shared/transport';
import { isToolRun } from '../../tool';
import type { OperationResult } from '../types';
import { feeTableOf } from './getAll';

const show = { resource: ['phoneNumber'], operation: ['audit'] };

export const description: INodeProperties[] = [
	executeOnceNotice(show, 'audit'),
	...feeProperties(show),
	{
		displayName: 'Idle Days',
		name: 'idleDays',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: MAX_IDLE_DAYS, numberPrecision: 0 },
		default: DEFAULT_IDLE_DAYS,
		description:
			'A rented number with no call made or taken through it in this many days (× 24 hours up to now) is ' +
			'idle. Reading the calls of these days costs requests like a usage summary of them.',
		displayOptions: { show },
	},
	{
		displayName: 'Renewing Within Days',
		name: 'renewingWithinDays',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: MAX_RENEWING_WITHIN_DAYS, numberPrecision: 0 },
		default: DEFAULT_RENEWING_WITHIN_DAYS,
		description: 'A number whose estimated renewal is at most this many days away renews soon (0 = today)',
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
			languageOption('The language of the text and the HTML'),
			textFormatOption(),
			{
				...timezoneOption(),
				description: "IANA timezone in which renewal days are counted. Empty uses the workflow's timezone.",
			},
		],
	},
];

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	setup: ClientSetup,
): Promise<OperationResult[]> {
	// Everything is read and validated before the first request.
	const fees = feeTableOf(this, itemIndex);
	const idleDays = assertIdleDays(this.getNodeParameter('idleDays', itemIndex, DEFAULT_IDLE_DAYS));
	const renewingWithinDays = assertRenewingWithinDays(
		this.getNodeParameter('renewingWithinDays', itemIndex, DEFAULT_RENEWING_WITHIN_DAYS),
	);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const timezone = timezoneOf(this, options.timezone);
	const language = assertLanguage(options.language);
	const textFormat: TextFormat =
		options.textFormat === undefined
			? 'slack'
			: assertOneOf(options.textFormat, TEXT_FORMATS, 'options.textFormat', 'Text Format');

	const numbers = await setup.client.phoneNumbers();
	const assistants = await setup.client.assistants();
	// Now is Famulor's (its Date header), like the triggers' clock: the clock that stamps the calls.
	const nowMs = setup.serverNow() ?? Date.now();
	const item = await auditRentals(setup.client, {
		numbers: describePhoneNumbers(numbers, assistants, fees),
		nowMs,
		timezone,
		idleDays,
		renewingWithinDays,
		currency: setup.settings.currency,
		language,
		textFormat,
	});
	// As an AI tool: the text, the figures and the numbers, without the HTML table.
	return [{ json: (isToolRun(this) ? withoutHtml(item) : item) as unknown as IDataObject }];
}
