import {
	NodeConnectionTypes,
	type IDataObject,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IPollFunctions,
} from 'n8n-workflow';
import type { TriggerGroupBy } from '../../src/calls';
import { filtersFromInput } from '../../src/filters';
import {
	newSpikeState,
	pollSpike,
	readSpikeState,
	spikeFingerprint,
	spikeSample,
	validateSpikeConfig,
	type Seasonality,
	type SpikeConfig,
	type SpikeMetric,
	type SpikePollResult,
	type SpikeWindow,
} from '../../src/triggers/spike';
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
import { SPIKE_SUBTITLE, subtitle } from '../shared/subtitles';
import { runTriggerPoll, type TriggerSpec } from '../shared/trigger';

export class FamulorSpikeTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Famulor Spike Trigger',
		name: 'famulorSpikeTrigger',
		icon: { light: 'file:famulor.svg', dark: 'file:famulor.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: subtitle(SPIKE_SUBTITLE),
		description:
			'Starts the workflow when usage in a time window is far above normal, and says which campaign, ' +
			'assistant or number did it',
		defaults: { name: 'Famulor Spike Trigger' },
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
				description: 'What is compared with its usual value in each window',
				options: [
					{ name: 'Spend', value: 'spend', description: 'Sum of call costs, in the currency' },
					{
						name: 'Billable Minutes',
						value: 'minutes',
						description: 'Minutes billed (at least 30 s per connected call)',
					},
					{ name: 'Calls', value: 'calls', description: 'Number of calls' },
					{ name: 'Failed Calls', value: 'failedCalls', description: 'Calls that failed, were busy or not answered' },
				],
			},
			{
				displayName: 'Window',
				name: 'window',
				type: 'options',
				default: 'hour',
				options: [
					{ name: '15 Minutes', value: 'fifteenMinutes' },
					{ name: 'Hour', value: 'hour' },
					{ name: '6 Hours', value: 'sixHours' },
					{ name: 'Day', value: 'day' },
				],
				description: 'The time window compared with its usual value',
			},
			{
				displayName: 'Baseline Days',
				name: 'baselineDays',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 60, numberPrecision: 0 },
				default: 7,
				description: 'How many previous days the usual value (median) is taken from. Use 21 or more with Same Weekday.',
			},
			{
				displayName: 'Seasonality',
				name: 'seasonality',
				type: 'options',
				default: 'sameTimeOfDay',
				description:
					'Which earlier windows give the usual value: so that a busy Monday morning is compared with other ' +
					'mornings (or Mondays), not with the night',
				options: [
					{
						name: 'Same Time of Day',
						value: 'sameTimeOfDay',
						description: 'Compare with the same clock window on previous days',
					},
					{
						name: 'Same Weekday',
						value: 'sameWeekday',
						description: 'Compare with the same window on the same weekday in previous weeks',
					},
					{ name: 'None', value: 'none', description: 'Compare with all preceding windows' },
				],
			},
			{
				displayName: 'Min Increase (%)',
				name: 'minIncreasePercent',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 100,
				description: 'Fire only when the window is at least this much above the usual value (100 = double)',
			},
			{
				displayName: 'Min Absolute Increase',
				name: 'minAbsoluteIncrease',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				description:
					'And at least this much above it, in the metric unit (currency, minutes or calls), so quiet hours ' +
					'do not alert on one extra call',
			},
			{
				displayName: 'Group By',
				name: 'groupBy',
				type: 'options',
				options: triggerGroupByOptions,
				default: 'none',
				description: 'Detect spikes separately for each assistant, campaign, number or client',
			},
			clientsProperty(
				{ groupBy: ['client'] },
				{
					description:
						'Which calls belong to which client: the same rules as Charge Summary → Generate. Each call goes ' +
						'to the first rule that matches; the rest is "Unassigned".',
					nameDescription:
						'The client, as the alert names it (its group, client and message). Several rules with the same ' +
						'name form one client.',
				},
			),
			filtersProperty({}),
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Include Unassigned',
						name: 'includeUnassigned',
						type: 'boolean',
						default: true,
						description: 'Whether spikes of the calls no client rule matches are detected too, as "Unassigned"',
						displayOptions: { show: { '/groupBy': ['client'] } },
					},
					languageOption('The language of the message'),
					{
						displayName: 'Min Baseline Samples',
						name: 'minBaselineSamples',
						type: 'number',
						typeOptions: { minValue: 1, numberPrecision: 0 },
						default: 3,
						description: 'Warm-up: no alerts until this many earlier windows are known',
					},
					{
						displayName: 'Settle Minutes',
						name: 'settleMinutes',
						type: 'number',
						typeOptions: { minValue: 0 },
						default: 5,
						description: 'Evaluate a window only this long after it closed, so late costs are in',
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
		return await runTriggerPoll(this, spikeTrigger);
	}
}

export const spikeTrigger: TriggerSpec<SpikeConfig, ReturnType<typeof newSpikeState>, SpikePollResult> = {
	readConfig(context, settings) {
		const options = context.getNodeParameter('options', {}) as IDataObject;
		const { query, filters } = filtersFromInput(filterInput(context.getNodeParameter('filters', {}) as IDataObject), {
			includeStatusInQuery: false,
		});
		const metric = context.getNodeParameter('metric') as SpikeMetric;
		const groupBy = context.getNodeParameter('groupBy', 'none') as TriggerGroupBy;
		const clients = readClientGrouping({
			metric,
			groupBy,
			rows: groupBy === 'client' ? clientRows(context.getNodeParameter('clients', {})) : [],
			includeUnassigned: options.includeUnassigned,
		});
		const config: SpikeConfig = {
			metric,
			window: context.getNodeParameter('window') as SpikeWindow,
			baselineDays: numberParameter(context.getNodeParameter('baselineDays', 7), 'baselineDays', 'Baseline Days', '7'),
			seasonality: context.getNodeParameter('seasonality', 'sameTimeOfDay') as Seasonality,
			minIncreasePercent: numberParameter(
				context.getNodeParameter('minIncreasePercent', 100),
				'minIncreasePercent',
				'Min Increase (%)',
				'100',
			),
			minAbsoluteIncrease: numberParameter(
				context.getNodeParameter('minAbsoluteIncrease', 0),
				'minAbsoluteIncrease',
				'Min Absolute Increase',
				'5',
			),
			groupBy,
			...(clients ? { clients } : {}),
			query,
			filters,
			timezone: timezoneOf(context, options.timezone),
			settleMinutes: numberParameter(options.settleMinutes, 'options.settleMinutes', 'Settle Minutes', '5', 5),
			minBaselineSamples: numberParameter(
				options.minBaselineSamples,
				'options.minBaselineSamples',
				'Min Baseline Samples',
				'3',
				3,
			),
			currency: settings.currency,
			...languageOf(options),
		};
		validateSpikeConfig(config);
		return config;
	},
	fingerprint: spikeFingerprint,
	newState: (fingerprint) => newSpikeState(fingerprint),
	readState: readSpikeState,
	poll: pollSpike,
	sample: (config, result, now) => spikeSample(config, result.state, now),
	fireOnActivation: () => false,
};

/** Options → Language, validated; English is left out of the configuration (as before the option). */
function languageOf(options: IDataObject): { language?: 'de' } {
	return assertLanguage(options.language) === 'de' ? { language: 'de' } : {};
}
