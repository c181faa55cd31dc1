/** Parameters shared by several operations and the triggers. */
import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';
import { TRIGGER_GROUP_BY } from '../../src/calls';

/** Periods in time order, nearest first, as n8n's own date pickers list them (not alphabetically). */
export const periodOptions = [
	{ name: 'Today', value: 'today' },
	{ name: 'Yesterday', value: 'yesterday' },
	{ name: 'This Week', value: 'thisWeek', description: 'Since Monday' },
	{ name: 'Last Week', value: 'lastWeek', description: 'Monday to Sunday' },
	{ name: 'This Month', value: 'thisMonth' },
	{ name: 'Last Month', value: 'lastMonth' },
	{
		name: 'This Billing Cycle',
		value: 'thisBillingCycle',
		description: 'Renews on the Billing Cycle Day of the credential',
	},
	{ name: 'Last Billing Cycle', value: 'lastBillingCycle' },
	{ name: 'Last 7 Days', value: 'last7Days', description: 'Today and the 6 days before it' },
	{ name: 'Last 30 Days', value: 'last30Days', description: 'Today and the 29 days before it' },
	{ name: 'Custom', value: 'custom', description: 'From Start Date (inclusive) to End Date (exclusive)' },
];

export function periodProperties(show: Record<string, string[]>, defaultPeriod: string): INodeProperties[] {
	return [
		{
			displayName: 'Period',
			name: 'period',
			type: 'options',
			options: periodOptions,
			default: defaultPeriod,
			description: 'Which calls count, by their start time in the timezone (Options → Timezone)',
			displayOptions: { show },
		},
		{
			displayName: 'Start Date',
			name: 'startDate',
			type: 'dateTime',
			default: '',
			description: 'First moment of the period (inclusive)',
			displayOptions: { show: { ...show, period: ['custom'] } },
		},
		{
			displayName: 'End Date',
			name: 'endDate',
			type: 'dateTime',
			default: '',
			description: 'End of the period (exclusive): 2026-11-01 to 2026-12-01 is all of November',
			displayOptions: { show: { ...show, period: ['custom'] } },
		},
	];
}

/** Group By: None (one total) first, then the groupings alphabetically. */
export const groupByOptions = [
	{ name: 'None', value: 'none', description: 'One total' },
	{ name: 'Assistant', value: 'assistant' },
	{ name: 'Campaign', value: 'campaign' },
	{ name: 'Day', value: 'day' },
	{ name: 'Direction', value: 'direction', description: 'Inbound, outbound or web' },
	{ name: 'Hour', value: 'hour' },
	{ name: 'Phone Number', value: 'phoneNumber', description: 'The Famulor number that made or took the call' },
	{ name: 'Status', value: 'status' },
];

const clientGroupOption = {
	name: 'Client',
	value: 'client',
	description: 'Per client, by the Clients rules (the same rules as Charge Summary → Generate)',
};

/** The triggers' Group By: None first, then Assistant, Campaign, Client, Phone Number. */
export const triggerGroupByOptions = [
	...groupByOptions.slice(0, 1),
	...[...groupByOptions.slice(1), clientGroupOption]
		.filter((option) => (TRIGGER_GROUP_BY as readonly string[]).includes(option.value))
		.sort((a, b) => a.name.localeCompare(b.name)),
];

/**
 * The client rules of agencies (SPEC §6, §11): one definition for Charge Summary → Generate and the
 * triggers' Group By Client, so rules can be copied between them. Each node adds what belongs to it:
 * the charge summary its Markup Percent and VAT (`vat`), the Threshold Trigger the client's Budget and
 * (with Include Markup) its Markup Percent; the Spike Trigger compares usage and needs neither.
 */
export function clientsProperty(
	show: Record<string, string[]>,
	options: {
		description: string;
		nameDescription: string;
		/** Markup Percent: its description, and when it is shown (absent: always). */
		markup?: { description: string; show?: IDisplayOptions['show'] };
		budget?: boolean;
		vat?: boolean;
	},
): INodeProperties {
	const markup: INodeProperties[] = options.markup
		? [
				{
					displayName: 'Markup Percent',
					name: 'markupPercent',
					type: 'number',
					typeOptions: { minValue: 0, numberPrecision: 2 },
					default: 0,
					description: options.markup.description,
					...(options.markup.show ? { displayOptions: { show: options.markup.show } } : {}),
				},
			]
		: [];
	const budget: INodeProperties[] = options.budget
		? [
				{
					displayName: 'Budget',
					name: 'budget',
					type: 'number',
					typeOptions: { minValue: 0 },
					default: 0,
					description:
						"This client's budget for the period, in the metric's unit (currency, minutes or calls). Leave it at " +
						"0 to use the node's Budget (a client cannot have a budget of 0).",
					displayOptions: { show: { '/thresholdType': ['percentOfBudget'] } },
				},
			]
		: [];
	const vat: INodeProperties[] = options.vat
		? [
				{
					displayName: 'VAT Percent',
					name: 'vatPercent',
					type: 'string',
					default: '',
					placeholder: 'e.g. 19',
					description:
						"This client's VAT rate in percent (a dot for decimals). Empty: Options → VAT Percent of the node, " +
						'or no VAT when that is not set.',
				},
				{
					displayName: 'Reverse Charge',
					name: 'reverseCharge',
					type: 'boolean',
					default: false,
					description:
						'Whether this client is a business in another EU country that accounts for the VAT itself (reverse ' +
						'charge): 0 % VAT, and its statement carries the note the law requires',
				},
			]
		: [];
	return {
		displayName: 'Clients',
		name: 'clients',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Client Rule',
		default: {},
		description: options.description,
		displayOptions: { show },
		options: [
			{
				displayName: 'Client',
				name: 'client',
				values: [
					{
						displayName: 'Name',
						name: 'name',
						type: 'string',
						default: '',
						placeholder: 'Acme GmbH',
						description: options.nameDescription,
					},
					{
						displayName: 'Match By',
						name: 'matchBy',
						type: 'options',
						options: [
							{
								name: 'Assistant',
								value: 'assistant',
								description: 'Assistant name (numbers: an assistant using the number)',
							},
							{ name: 'Campaign', value: 'campaign', description: 'Campaign name (calls only)' },
							{
								name: 'Phone Number',
								value: 'phoneNumber',
								description: 'The Famulor number that made or took the call',
							},
						],
						default: 'assistant',
						description:
							'What the Values are compared with: the assistant, the campaign or the Famulor number of a call',
					},
					{
						displayName: 'Values',
						name: 'values',
						type: 'string',
						default: '',
						placeholder: 'Acme Sales, Acme Support*',
						description: 'Comma-separated names or numbers; a trailing * matches a prefix (e.g. +4930*)',
					},
					...markup,
					...budget,
					...vat,
				],
			},
		],
	};
}

function locator(
	displayName: string,
	name: string,
	searchListMethod: string,
	placeholder: string,
	description: string,
): INodeProperties {
	return {
		displayName,
		name,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		description,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod, searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder,
				validation: [{ type: 'regex', properties: { regex: '^\\d+$', errorMessage: 'The ID is a whole number' } }],
			},
		],
	};
}

export function filtersProperty(show: Record<string, string[]>): INodeProperties {
	return {
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		description: 'Only the calls that match every filter added here',
		...(Object.keys(show).length ? { displayOptions: { show } } : {}),
		options: [
			locator('Assistant', 'assistantId', 'searchAssistants', 'e.g. 42', 'Only the calls of this assistant'),
			locator('Campaign', 'campaignId', 'searchCampaigns', 'e.g. 7', 'Only the calls of this campaign'),
			{
				displayName: 'Direction',
				name: 'direction',
				type: 'options',
				default: 'outbound',
				description: 'Only inbound, outbound or web calls',
				options: [
					{ name: 'Inbound', value: 'inbound' },
					{ name: 'Outbound', value: 'outbound' },
					{ name: 'Web', value: 'web' },
				],
			},
			{
				displayName: 'Phone Number',
				name: 'phoneNumber',
				type: 'string',
				default: '',
				placeholder: '+4930123456',
				description: 'Only calls made or taken by this Famulor number (E.164)',
			},
			{
				displayName: 'Status',
				name: 'status',
				type: 'options',
				default: 'completed',
				description: 'Only the calls with this status',
				options: [
					{ name: 'Busy', value: 'busy' },
					{ name: 'Completed', value: 'completed' },
					{ name: 'Ended', value: 'ended' },
					{ name: 'Ended by Assistant', value: 'ended_by_assistant' },
					{ name: 'Ended by Customer', value: 'ended_by_customer' },
					{ name: 'Failed', value: 'failed' },
					{ name: 'In Progress', value: 'in-progress' },
					{ name: 'Initiated', value: 'initiated' },
					{ name: 'No Answer', value: 'no-answer' },
					{ name: 'Ringing', value: 'ringing' },
				],
			},
		],
	};
}

export function timezoneOption(): INodeProperties {
	return {
		displayName: 'Timezone',
		name: 'timezone',
		type: 'string',
		default: '',
		placeholder: 'Europe/Berlin',
		description: "IANA timezone for days, weeks and months. Empty uses the workflow's timezone.",
	};
}

export function feeProperties(show: Record<string, string[]>): INodeProperties[] {
	return [
		{
			displayName: 'Default Monthly Fee',
			name: 'defaultMonthlyFee',
			type: 'number',
			typeOptions: { minValue: 0, numberPrecision: 2 },
			default: 3.99,
			description:
				'Monthly rental of a rented number whose country is not in Monthly Fees. The Famulor API does not ' +
				'return prices; 3.99 is its published standard rate.',
			displayOptions: { show },
		},
		{
			displayName: 'Monthly Fees',
			name: 'monthlyFees',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true },
			placeholder: 'Add Country Fee',
			default: {},
			description: 'Monthly rental per country, overriding the default',
			displayOptions: { show },
			options: [
				{
					displayName: 'Fee',
					name: 'fee',
					values: [
						{
							displayName: 'Country',
							name: 'country',
							type: 'string',
							default: '',
							placeholder: 'DE',
							description: 'Two-letter country code (ISO 3166)',
						},
						{
							displayName: 'Fee',
							name: 'fee',
							type: 'number',
							typeOptions: { minValue: 0, numberPrecision: 2 },
							default: 3.99,
							description: 'Monthly rental of one number in this country',
						},
					],
				},
			],
		},
	];
}

/**
 * The Language option of every node with human-readable output. Without it (the default) the words are
 * English; added, it starts at German, the other language. Parameters and errors stay English.
 */
export function languageOption(description: string): INodeProperties {
	return {
		displayName: 'Language',
		name: 'language',
		type: 'options',
		options: [
			{ name: 'English', value: 'en', description: '"1234.56 EUR", "6 Dec 2026" (used without this option)' },
			{ name: 'German (Deutsch)', value: 'de', description: '"1.234,56 €", "06.12.2026", German month names' },
		],
		default: 'de',
		description: `${description}. Without this option: English. Numbers in the JSON and ISO dates never change.`,
	};
}

/** Text Format: `text` as Slack Markdown (without the option) or as plain text. */
export function textFormatOption(): INodeProperties {
	return {
		displayName: 'Text Format',
		name: 'textFormat',
		type: 'options',
		options: [
			{
				name: 'Plain Text',
				value: 'plain',
				description: 'For email, SMS, Microsoft Teams or a spreadsheet cell: no Markdown marks',
			},
			{
				name: 'Slack',
				value: 'slack',
				description: 'Slack Markdown: *bold*, _italic_, names escaped (used without this option)',
			},
		],
		default: 'plain',
		description: 'How the text output is written',
	};
}

/**
 * A notice on operations that make one report: n8n runs a node once per input item, so after a node
 * with several items the report comes several times, unless Execute Once is on (the node's Settings).
 */
export function executeOnceNotice(show: Record<string, string[]>, what: string): INodeProperties {
	return {
		displayName:
			`This node makes one ${what} per input item. After a node that outputs several items, turn on ` +
			`<b>Execute Once</b> in this node's Settings to get one ${what}.`,
		name: `${what.replace(/\W/g, '')}ExecuteOnceNotice`,
		type: 'notice',
		default: '',
		displayOptions: { show },
	};
}
