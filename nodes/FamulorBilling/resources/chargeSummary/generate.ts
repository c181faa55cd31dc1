import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import {
	assertPricingMode,
	ChargeSummaryBuilder,
	CSV_DIALECTS,
	CSV_MIME_TYPE,
	csvFileName,
	parseClientRules,
	parseVatPercent,
	renderCsv,
	resolvePlan,
	summariesToOutput,
	summaryItem,
	TEXT_FORMATS,
	type ClientRuleInput,
	type CsvDialect,
	type PlanTerms,
	type TextFormat,
} from '../../../../src/chargeSummary';
import { assertOneOf } from '../../../../src/errors';
import { assertLanguage } from '../../../../src/i18n';
import { describePhoneNumbers } from '../../../../src/numbers';
import { forEachCall } from '../../../../src/list/period';
import { withoutHtml } from '../../../../src/tool';
import {
	clientsProperty,
	executeOnceNotice,
	feeProperties,
	languageOption,
	periodProperties,
	textFormatOption,
	timezoneOption,
} from '../../../shared/descriptions';
import { periodOf, timezoneOf } from '../../../shared/parameters';
import type { ClientSetup } from '../../../shared/transport';
import { feeTableOf } from '../phoneNumber/getAll';
import { isToolRun } from '../../tool';
import type { OperationResult } from '../types';

const show = { resource: ['chargeSummary'], operation: ['generate'] };

/** Famulor's plans from the smallest to the largest, then Custom. */
const planOptions = [
	{ name: 'Flex (30 Min, 19/Month, 0.50/Min Over)', value: 'flex' },
	{ name: 'Starter (100 Min, 49/Month, 0.40/Min Over)', value: 'starter' },
	{ name: 'Business (600 Min, 199/Month, 0.15/Min Over)', value: 'business' },
	{ name: 'Scale (4000 Min, 999/Month, 0.11/Min Over)', value: 'scale' },
	{ name: 'Custom', value: 'custom', description: 'Enter included minutes, plan fee and overage rate' },
];
const showPlan = { ...show, pricingMode: ['plan'] };
const showCustomPlan = { ...showPlan, plan: ['custom'] };

export const description: INodeProperties[] = [
	executeOnceNotice(show, 'summary'),
	...periodProperties(show, 'lastBillingCycle'),
	{
		displayName: 'Pricing Mode',
		name: 'pricingMode',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Reported Costs',
				value: 'reported',
				description: 'The sum of the call costs Famulor reports, split into platform and carrier',
			},
			{
				name: 'Plan',
				value: 'plan',
				description: 'Plan fee, plus minutes beyond the included ones at the overage rate, plus reported carrier costs',
			},
		],
		default: 'reported',
		description: 'How the calls are charged',
		displayOptions: { show },
	},
	{
		displayName: 'Plan',
		name: 'plan',
		type: 'options',
		options: planOptions,
		default: 'business',
		description: "Famulor plan whose terms price the calls (Famulor's published terms)",
		displayOptions: { show: showPlan },
	},
	{
		displayName: 'Included Minutes',
		name: 'includedMinutes',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 600,
		description: 'Billable minutes included in the plan per month',
		displayOptions: { show: showCustomPlan },
	},
	{
		displayName: 'Plan Fee',
		name: 'planFee',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 2 },
		default: 199,
		description: 'Monthly plan fee',
		displayOptions: { show: showCustomPlan },
	},
	{
		displayName: 'Overage Rate',
		name: 'overageRate',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 4 },
		default: 0.15,
		description: 'Price of one billable minute beyond the included minutes',
		displayOptions: { show: showCustomPlan },
	},
	...feeProperties(show),
	clientsProperty(show, {
		description:
			'For agencies: which calls and numbers belong to which client. Each call goes to the first rule that ' +
			'matches; the rest is "Unassigned".',
		nameDescription:
			'The client as its summary and statement name it. Several rules with the same name form one client.',
		markup: { description: "Percentage added to this client's charges (calls and rentals) as a markup line" },
		vat: true,
	}),
	{
		displayName: 'Outputs',
		name: 'outputs',
		type: 'collection',
		placeholder: 'Add Output',
		default: {},
		description: 'A CSV file of the lines, one item per client instead of one for the account, the HTML report',
		displayOptions: { show },
		options: [
			{
				displayName: 'CSV File',
				name: 'csv',
				type: 'boolean',
				default: true,
				description: 'Whether to attach the lines as a CSV file in the binary property "data"',
			},
			{
				displayName: 'CSV Format',
				name: 'csvDialect',
				type: 'options',
				options: [
					{
						name: 'Comma, Decimal Point',
						value: 'comma',
						description:
							'Comma-separated, 1234.56 — Google Sheets, English Excel, most tools (used without this output)',
					},
					{
						name: 'Semicolon, Decimal Comma (German Excel)',
						value: 'semicolon',
						description: 'Semicolon-separated, 1234,56, UTF-8 with a byte-order mark: opens in a German Excel as is',
					},
				],
				default: 'semicolon',
				description: 'How the CSV File is written',
			},
			{
				displayName: 'HTML Report',
				name: 'html',
				type: 'boolean',
				default: true,
				description:
					'Whether to include the email-ready report in html. Without this output: included in workflows, left ' +
					'out when the node answers an AI agent or MCP client as a tool.',
			},
			{
				displayName: 'One Item per Client',
				name: 'onePerClient',
				type: 'boolean',
				default: true,
				description:
					'Whether to return one item per client, each a full summary of that client (e.g. for a Send Email ' +
					'node per client), instead of one item with byClient',
			},
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options: [
			languageOption('The language of the text, the HTML, the line descriptions and the CSV headers'),
			textFormatOption(),
			timezoneOption(),
			{
				displayName: 'VAT Percent',
				name: 'vatPercent',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 100, numberPrecision: 2 },
				default: 19,
				description:
					'VAT added on top of the net charges, in percent (19 in Germany). Without this option: no VAT. A ' +
					"client rule's own VAT Percent or Reverse Charge takes precedence for that client.",
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
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const timezone = timezoneOf(this, options.timezone);
	const period = periodOf(this, itemIndex, timezone, setup.settings.billingCycleDay, 'lastBillingCycle');
	const pricingMode = assertPricingMode(this.getNodeParameter('pricingMode', itemIndex, 'reported'));
	let plan: PlanTerms | undefined;
	if (pricingMode === 'plan') {
		const planName = this.getNodeParameter('plan', itemIndex, 'business');
		plan = resolvePlan(
			planName,
			planName === 'custom'
				? {
						includedMinutes: this.getNodeParameter('includedMinutes', itemIndex, 0),
						planFee: this.getNodeParameter('planFee', itemIndex, 0),
						overageRate: this.getNodeParameter('overageRate', itemIndex, 0),
					}
				: {},
		);
	}
	const fees = feeTableOf(this, itemIndex);
	const clientRows = ((this.getNodeParameter('clients', itemIndex, {}) as IDataObject).client ??
		[]) as ClientRuleInput[];
	const clients = parseClientRules(clientRows);
	const outputs = this.getNodeParameter('outputs', itemIndex, {}) as {
		onePerClient?: boolean;
		csv?: boolean;
		csvDialect?: unknown;
		html?: boolean;
	};
	const csvDialect: CsvDialect =
		outputs.csvDialect === undefined
			? 'comma'
			: assertOneOf(outputs.csvDialect, CSV_DIALECTS, 'outputs.csvDialect', 'CSV Format');
	const language = assertLanguage(options.language);
	const textFormat: TextFormat =
		options.textFormat === undefined
			? 'slack'
			: assertOneOf(options.textFormat, TEXT_FORMATS, 'options.textFormat', 'Text Format');
	const vatPercent = parseVatPercent(options.vatPercent, 'options.vatPercent');
	// As an AI tool: no CSV (a model gets no binary data) and no HTML unless asked for.
	const asTool = isToolRun(this);
	const withHtml = outputs.html ?? !asTool;

	const builder = new ChargeSummaryBuilder({
		period,
		currency: setup.settings.currency,
		pricingMode,
		plan,
		clients,
		billingCycleDay: setup.settings.billingCycleDay,
		language,
		vatPercent,
	});
	await forEachCall(setup.client, { period, query: {}, filters: {} }, ({ call }) => builder.add(call));
	const numbers = await setup.client.phoneNumbers();
	const assistants = await setup.client.assistants();
	const result = builder.finish(describePhoneNumbers(numbers, assistants, fees));

	const items: OperationResult[] = [];
	for (const summary of summariesToOutput(result, outputs.onePerClient === true)) {
		const full = summaryItem(summary, { textFormat });
		const item: OperationResult = { json: (withHtml ? full : withoutHtml(full)) as unknown as IDataObject };
		if (outputs.csv && !asTool) {
			const fileName = csvFileName(summary);
			const data = await this.helpers.prepareBinaryData(
				Buffer.from(renderCsv(summary, csvDialect), 'utf8'),
				fileName,
				CSV_MIME_TYPE,
			);
			item.binary = {
				data: { ...data, fileName: data.fileName ?? fileName, mimeType: data.mimeType ?? CSV_MIME_TYPE },
			};
		}
		items.push(item);
	}
	return items;
}
