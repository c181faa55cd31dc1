/** Parameters shared by several operations and the triggers. */
import type { INodeProperties } from 'n8n-workflow';
import { TRIGGER_GROUP_BY } from '../../src/calls';

export const periodOptions = [
	{ name: 'Custom', value: 'custom', description: 'From Start Date (inclusive) to End Date (exclusive)' },
	{ name: 'Last 30 Days', value: 'last30Days', description: 'Today and the 29 days before it' },
	{ name: 'Last 7 Days', value: 'last7Days', description: 'Today and the 6 days before it' },
	{ name: 'Last Billing Cycle', value: 'lastBillingCycle' },
	{ name: 'Last Month', value: 'lastMonth' },
	{ name: 'Last Week', value: 'lastWeek', description: 'Monday to Sunday' },
	{
		name: 'This Billing Cycle',
		value: 'thisBillingCycle',
		description: 'Renews on the Billing Cycle Day of the credential',
	},
	{ name: 'This Month', value: 'thisMonth' },
	{ name: 'This Week', value: 'thisWeek', description: 'Since Monday' },
	{ name: 'Today', value: 'today' },
	{ name: 'Yesterday', value: 'yesterday' },
];

export function periodProperties(show: Record<string, string[]>, defaultPeriod: string): INodeProperties[] {
	return [
		{
			displayName: 'Period',
			name: 'period',
			type: 'options',
			options: periodOptions,
			default: defaultPeriod,
			description: 'Which calls to include, by their start time in the chosen timezone',
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

export const groupByOptions = [
	{ name: 'Assistant', value: 'assistant' },
	{ name: 'Campaign', value: 'campaign' },
	{ name: 'Day', value: 'day' },
	{ name: 'Direction', value: 'direction', description: 'Inbound, outbound or web' },
	{ name: 'Hour', value: 'hour' },
	{ name: 'None', value: 'none', description: 'One total' },
	{ name: 'Phone Number', value: 'phoneNumber', description: 'The Famulor number that made or took the call' },
	{ name: 'Status', value: 'status' },
];

const clientGroupOption = {
	name: 'Client',
	value: 'client',
	description: 'Per client, by the Clients rules (the same rules as Charge Summary → Generate)',
};

export const triggerGroupByOptions = [...groupByOptions, clientGroupOption]
	.filter((option) => (TRIGGER_GROUP_BY as readonly string[]).includes(option.value))
	.sort((a, b) => a.name.localeCompare(b.name));

/**
 * The client rules of agencies (SPEC §6, §11): one definition for Charge Summary → Generate and the
 * triggers' Group By Client, so rules can be copied between them. `budget` adds the Threshold
 * Trigger's per-client budget.
 */
export function clientsProperty(
	show: Record<string, string[]>,
	options: { description: string; markupDescription: string; budget?: boolean },
): INodeProperties {
	const budget: INodeProperties[] = options.budget
		? [
				{
					displayName: 'Budget',
					name: 'budget',
					type: 'number',
					typeOptions: { minValue: 0 },
					default: 0,
					description:
						"This client's budget for the period, in the metric unit (currency, minutes or calls). 0: the node's Budget.",
					displayOptions: { show: { '/thresholdType': ['percentOfBudget'] } },
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
						description: 'Client name shown in the report. Several rules with the same name form one client.',
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
					},
					{
						displayName: 'Values',
						name: 'values',
						type: 'string',
						default: '',
						placeholder: 'Acme Sales, Acme Support*',
						description: 'Comma-separated names or numbers; a trailing * matches a prefix (e.g. +4930*)',
					},
					{
						displayName: 'Markup Percent',
						name: 'markupPercent',
						type: 'number',
						typeOptions: { minValue: 0, numberPrecision: 2 },
						default: 0,
						description: options.markupDescription,
					},
					...budget,
				],
			},
		],
	};
}

function locator(displayName: string, name: string, searchListMethod: string, placeholder: string): INodeProperties {
	return {
		displayName,
		name,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
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
		...(Object.keys(show).length ? { displayOptions: { show } } : {}),
		options: [
			locator('Assistant', 'assistantId', 'searchAssistants', 'e.g. 42'),
			locator('Campaign', 'campaignId', 'searchCampaigns', 'e.g. 7'),
			{
				displayName: 'Direction',
				name: 'direction',
				type: 'options',
				default: 'outbound',
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
