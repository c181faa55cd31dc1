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
import { clientRows, filterInput, timezoneOf } from '../shared/parameters';
import { searchAssistants, searchCampaigns } from '../shared/listSearch';
import { runTriggerPoll, type TriggerSpec } from '../shared/trigger';
import { filtersFromInput } from '../../src/filters';

const usageMetrics = ['spend', 'minutes', 'calls', 'forecastSpend'];

export class FamulorThresholdTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Famulor Threshold Trigger',
		name: 'famulorThresholdTrigger',
		icon: { light: 'file:famulor.svg', dark: 'file:famulor.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["metric"] + " ≥ " + $parameter["thresholds"]}}',
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
				options: [
					{ name: 'Balance', value: 'balance', description: 'Fires when the balance falls to or below a threshold' },
					{
						name: 'Billable Minutes',
						value: 'minutes',
						description: 'Minutes billed in the period (at least 30 s per connected call)',
					},
					{ name: 'Calls', value: 'calls', description: 'Number of calls in the period' },
					{
						name: 'Forecast Spend',
						value: 'forecastSpend',
						description: 'Spend projected to the end of the period from the pace so far',
					},
					{ name: 'Spend', value: 'spend', description: 'Sum of call costs in the period' },
				],
			},
			{
				displayName: 'Period',
				name: 'period',
				type: 'options',
				default: 'month',
				description: 'The period the metric adds up over; thresholds re-arm when it rolls over',
				options: [
					{
						name: 'Billing Cycle',
						value: 'billingCycle',
						description: 'Renews on the Billing Cycle Day of the credential',
					},
					{ name: 'Day', value: 'day' },
					{ name: 'Month', value: 'month' },
					{ name: 'Week', value: 'week', description: 'Monday to Sunday' },
				],
				displayOptions: { show: { metric: usageMetrics } },
			},
			{
				displayName: 'Threshold Type',
				name: 'thresholdType',
				type: 'options',
				default: 'percentOfBudget',
				options: [
					{ name: 'Percent of Budget', value: 'percentOfBudget', description: 'Thresholds are percentages of Budget' },
					{ name: 'Absolute', value: 'absolute', description: 'Thresholds are amounts, minutes or calls' },
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
				description: 'One or more numbers separated by commas. Each fires at most once per period (and group).',
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
						default: false,
						description:
							'Whether thresholds already reached when the workflow is activated fire once right away ' +
							'(otherwise they count as already reported)',
					},
					{
						displayName: 'Include Markup',
						name: 'includeMarkup',
						type: 'boolean',
						default: false,
						description:
							"Whether a client's spend counts with its Markup Percent (spend × (1 + markup / 100)), so its " +
							'budget is compared with what the client is billed',
						displayOptions: { show: { '/groupBy': ['client'] } },
					},
					{
						displayName: 'Include Unassigned',
						name: 'includeUnassigned',
						type: 'boolean',
						default: false,
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

const thresholdTrigger: TriggerSpec<ThresholdConfig, ReturnType<typeof newThresholdState>, ThresholdPollResult> = {
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
			budget: thresholdType === 'percentOfBudget' ? Number(context.getNodeParameter('budget', 0)) : 0,
			thresholds: parseThresholds(context.getNodeParameter('thresholds', '')),
			groupBy: usage ? groupBy : 'none',
			...(clients ? { clients } : {}),
			query,
			filters,
			rearmMarginPercent: options.rearmMargin === undefined ? 10 : Number(options.rearmMargin),
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
