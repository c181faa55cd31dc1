import {
	NodeConnectionTypes,
	type IDataObject,
	type INodeType,
	type INodeTypeDescription,
	type IPollFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';
import type { TriggerGroupBy } from '../../src/calls';
import { assertBillingCycleDay } from '../../src/periods';
import {
	newThresholdState,
	parseThresholds,
	pollThreshold,
	readThresholdState,
	thresholdFingerprint,
	thresholdSample,
	validateThresholdConfig,
	type ThresholdConfig,
	type ThresholdMetric,
	type ThresholdPollResult,
} from '../../src/triggers/threshold';
import type { TriggerPeriod } from '../../src/periods';
import { readClientGrouping } from '../../src/triggers/clientGroups';
import {
	clientsProperty,
	filtersProperty,
	languageOption,
	timezoneOption,
	triggerGroupByOptions,
} from '../shared/descriptions';
import { assertLanguage } from '../../src/i18n';
import { clientRows, filterInput, numberParameter, timezoneOf } from '../shared/parameters';
import { searchAssistants, searchCampaigns } from '../shared/listSearch';
import { subtitle, THRESHOLD_SUBTITLE } from '../shared/subtitles';
import { runTriggerPoll, type TriggerSpec } from '../shared/trigger';
import { filtersFromInput } from '../../src/filters';

const usageMetrics = ['spend', 'minutes', 'calls', 'forecastSpend'];

/** The metrics in the order a user thinks of them: money first, then usage, the balance last. */
const metricOptions = [
	{ name: 'Spend', value: 'spend', description: 'Sum of call costs in the period, in the currency' },
	{
		name: 'Forecast Spend',
		value: 'forecastSpend',
		description: 'Spend projected to the end of the period from the pace so far, in the currency',
	},
	{
		name: 'Billable Minutes',
		value: 'minutes',
		description: 'Minutes billed in the period (at least 30 s per connected call)',
	},
	{ name: 'Calls', value: 'calls', description: 'Number of calls in the period' },
	{
		name: 'Balance',
		value: 'balance',
		description: 'The account balance: fires when it falls to or below a threshold',
	},
];

/** Periods from the shortest to the longest. */
const periodOptions = [
	{ name: 'Day', value: 'day' },
	{ name: 'Week', value: 'week', description: 'Monday to Sunday' },
	{ name: 'Month', value: 'month' },
	{
		name: 'Billing Cycle',
		value: 'billingCycle',
		description: 'Renews on the Billing Cycle Day of the credential',
	},
];

export class FamulorThresholdTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Famulor Threshold Trigger',
		name: 'famulorThresholdTrigger',
		icon: { light: 'file:famulor.svg', dark: 'file:famulor.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: subtitle(THRESHOLD_SUBTITLE),
		description: 'Starts the workflow once when spend, minutes, calls or the balance cross a threshold',
		defaults: { name: 'Famulor Threshold Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'famulorBillingApi', required: true }],
		properties: [
			{
				displayName: 'Metric',
				name: 'metric',
				type: 'options',
				default: 'spend',
				description: 'What is measured against the thresholds',
				options: metricOptions,
			},
			{
				displayName: 'Period',
				name: 'period',
				type: 'options',
				default: 'month',
				description: 'The period the metric adds up over; thresholds re-arm when it rolls over',
				options: periodOptions,
				displayOptions: { show: { metric: usageMetrics } },
			},
			{
				displayName: 'Threshold Type',
				name: 'thresholdType',
				type: 'options',
				default: 'percentOfBudget',
				description: "Whether the thresholds are percentages of a budget or values in the metric's own unit",
				options: [
					{ name: 'Percent of Budget', value: 'percentOfBudget', description: 'Thresholds are percentages of Budget' },
					{
						name: 'Absolute',
						value: 'absolute',
						description: "Thresholds in the metric's unit: an amount, minutes or calls",
					},
				],
			},
			{
				displayName: 'Budget',
				name: 'budget',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 500,
				description:
					'The budget for the period in the metric unit (currency for spend and balance, minutes, or calls). ' +
					'With Group By Client: the budget of each client without one of its own.',
				displayOptions: { show: { thresholdType: ['percentOfBudget'] } },
			},
			{
				displayName: 'Thresholds',
				name: 'thresholds',
				type: 'string',
				default: '50, 80, 100',
				required: true,
				placeholder: '50, 80, 100',
				description:
					"One or more numbers separated by commas: percentages of Budget, or values in the metric's unit. Each " +
					'fires at most once per period (and group).',
			},
			{
				displayName: 'Group By',
				name: 'groupBy',
				type: 'options',
				options: triggerGroupByOptions,
				default: 'none',
				description: 'Evaluate the thresholds separately for each assistant, campaign, number or client',
				displayOptions: { show: { metric: usageMetrics } },
			},
			clientsProperty(
				{ metric: usageMetrics, groupBy: ['client'] },
				{
					description:
						'Which calls belong to which client: the same rules as Charge Summary → Generate. Each call goes ' +
						'to the first rule that matches; the rest is "Unassigned". Each client is evaluated against its ' +
						'own budget.',
					nameDescription:
						'The client, as the alert names it (its group, client and message). Several rules with the same ' +
						'name form one client.',
					markup: {
						description:
							'Only with Options → Include Markup: the percentage this client is billed on top of its spend, so ' +
							'its budget is compared with spend × (1 + markup / 100)',
						show: { '/metric': ['spend', 'forecastSpend'] },
					},
					budget: true,
				},
			),
			filtersProperty({ metric: usageMetrics }),
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Fire on Activation',
						name: 'fireOnActivation',
						type: 'boolean',
						default: true,
						description:
							'Whether thresholds already reached when the workflow is activated fire once right away ' +
							'(otherwise they fire again only from the next period on)',
					},
					{
						displayName: 'Include Markup',
						name: 'includeMarkup',
						type: 'boolean',
						default: true,
						description:
							"Whether a client's spend counts with its Markup Percent (spend × (1 + markup / 100)), so its " +
							'budget is compared with what the client is billed',
						displayOptions: { show: { '/groupBy': ['client'] } },
					},
					{
						displayName: 'Include Unassigned',
						name: 'includeUnassigned',
						type: 'boolean',
						default: true,
						description:
							'Whether the calls no client rule matches are evaluated too, as "Unassigned" with the node\'s Budget',
						displayOptions: { show: { '/groupBy': ['client'] } },
					},
					languageOption('The language of the message'),
					{
						displayName: 'Re-Arm Margin (%)',
						name: 'rearmMargin',
						type: 'number',
						typeOptions: { minValue: 0 },
						default: 10,
						description:
							'Balance only: a fired threshold re-arms when the balance rises this many percent above it ' +
							'(e.g. after a top-up)',
					},
					timezoneOption(),
				],
			},
		],
	};

	methods = {
		listSearch: { searchAssistants, searchCampaigns },
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		return await runTriggerPoll(this, thresholdTrigger);
	}
}

type ThresholdState = ReturnType<typeof newThresholdState>;

export const thresholdTrigger: TriggerSpec<ThresholdConfig, ThresholdState, ThresholdPollResult> = {
	readConfig(context, settings) {
		const metric = context.getNodeParameter('metric') as ThresholdMetric;
		const options = context.getNodeParameter('options', {}) as IDataObject;
		const usage = metric !== 'balance';
		const thresholdType = context.getNodeParameter(
			'thresholdType',
			'percentOfBudget',
		) as ThresholdConfig['thresholdType'];
		const groupBy = context.getNodeParameter('groupBy', 'none') as TriggerGroupBy;
		const clients = readClientGrouping({
			metric,
			groupBy,
			rows: groupBy === 'client' ? clientRows(context.getNodeParameter('clients', {})) : [],
			includeUnassigned: options.includeUnassigned,
			includeMarkup: options.includeMarkup,
		});
		const { query, filters } = usage
			? filtersFromInput(filterInput(context.getNodeParameter('filters', {}) as IDataObject), {
					includeStatusInQuery: false,
				})
			: { query: {}, filters: {} };
		const config: ThresholdConfig = {
			metric,
			period: usage ? (context.getNodeParameter('period', 'month') as TriggerPeriod) : 'month',
			timezone: timezoneOf(context, options.timezone),
			billingCycleDay: assertBillingCycleDay(settings.billingCycleDay),
			thresholdType,
			budget:
				thresholdType === 'percentOfBudget'
					? numberParameter(context.getNodeParameter('budget', 0), 'budget', 'Budget', '500')
					: 0,
			thresholds: parseThresholds(context.getNodeParameter('thresholds', '')),
			groupBy: usage ? groupBy : 'none',
			...(clients ? { clients } : {}),
			query,
			filters,
			rearmMarginPercent: numberParameter(options.rearmMargin, 'options.rearmMargin', 'Re-Arm Margin (%)', '10', 10),
			fireOnActivation: options.fireOnActivation === true,
			currency: settings.currency,
			settleMinutes: 15,
			...languageOf(options),
		};
		validateThresholdConfig(config);
		return config;
	},
	fingerprint: thresholdFingerprint,
	newState: (fingerprint, start) => newThresholdState(fingerprint, start.announce),
	readState: readThresholdState,
	poll: pollThreshold,
	sample: (config, result, now) => thresholdSample(config, result, now),
	fireOnActivation: (config) => config.fireOnActivation,
};

/** Options → Language, validated; English is left out of the configuration (as before the option). */
function languageOf(options: IDataObject): { language?: 'de' } {
	return assertLanguage(options.language) === 'de' ? { language: 'de' } : {};
}
