import {
	NodeConnectionTypes,
	type IDataObject,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IPollFunctions,
} from 'n8n-workflow';
import { filtersFromInput } from '../../src/filters';
import {
	callFeedFingerprint,
	newCallFeedState,
	pollCallFeed,
	readCallFeedState,
	sampleCallFeed,
	validateCallFeedConfig,
	type CallEvent,
	type CallFeedConfig,
	type CallFeedPollResult,
	type CallFeedState,
	type StartFrom,
} from '../../src/triggers/callFeed';
import { filtersProperty, timezoneOption } from '../shared/descriptions';
import { filterInput, numberParameter, timezoneOf } from '../shared/parameters';
import { searchAssistants, searchCampaigns } from '../shared/listSearch';
import { CALL_SUBTITLE, subtitle } from '../shared/subtitles';
import { runTriggerPoll, type TriggerSpec } from '../shared/trigger';

export class FamulorCallTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Famulor Call Trigger',
		name: 'famulorCallTrigger',
		icon: { light: 'file:famulor.svg', dark: 'file:famulor.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: subtitle(CALL_SUBTITLE),
		description:
			'Starts the workflow once for every call, with its final cost: a ledger for Google Sheets, ' +
			'or an alert on an expensive call',
		defaults: { name: 'Famulor Call Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'famulorBillingApi', required: true }],
		properties: [
			{
				displayName:
					'Each call starts the workflow once, oldest first, when it has ended and its cost is final (5 minutes ' +
					'after it ended; Options → Settle Minutes changes that). In Google Sheets, use its ' +
					'<code>eventId</code> (e.g. <code>call:12345</code>) as the column to match on, so a row is never ' +
					'added twice.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			filtersProperty({}),
			{
				displayName: 'Min Cost',
				name: 'minCost',
				type: 'number',
				typeOptions: { minValue: 0, numberPrecision: 2 },
				default: 0,
				description: 'Emit only calls costing at least this much, in the currency of the credential (0 = every call)',
			},
			{
				displayName: 'Min Duration (Minutes)',
				name: 'minDurationMinutes',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				description: 'Emit only calls lasting at least this many minutes (0 = every call)',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Emit Corrections',
						name: 'emitCorrections',
						type: 'boolean',
						default: true,
						description:
							'Whether to emit a correction item (correction true, previousTotalCost, eventId ending in :rev1, ' +
							':rev2, …) when Famulor changes the cost of a call already emitted, seen within 24 hours',
					},
					{
						displayName: 'Max Items per Poll',
						name: 'maxItemsPerPoll',
						type: 'number',
						typeOptions: { minValue: 1, numberPrecision: 0 },
						default: 1000,
						description:
							'The most calls one poll emits; a larger backlog (Start From today or this month) continues ' +
							'on the next polls, oldest first',
					},
					{
						displayName: 'Settle Minutes',
						name: 'settleMinutes',
						type: 'number',
						typeOptions: { minValue: 0 },
						default: 5,
						description: 'Emit a call only this long after it ended, so that a cost Famulor books late is in',
					},
					{
						displayName: 'Simplify',
						name: 'simplify',
						type: 'boolean',
						default: true,
						description:
							'Whether to return the billing fields only instead of the raw Famulor call ' +
							'(without transcript) plus those fields',
					},
					{
						displayName: 'Start From',
						name: 'startFrom',
						type: 'options',
						default: 'now',
						description: 'Which calls the first polls emit: from the activation on, or also the earlier ones',
						options: [
							{ name: 'Now', value: 'now', description: 'Calls made from the activation on' },
							{
								name: 'Start of Today',
								value: 'startOfToday',
								description: 'Also every call of today so far, on the first polls',
							},
							{
								name: 'Start of Month',
								value: 'startOfMonth',
								description: 'Also every call of this month so far, on the first polls',
							},
						],
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
		return await runTriggerPoll(this, callTrigger);
	}
}

/** The feed's configuration, and whether this is "Fetch Test Event" (which only reads a sample). */
interface CallTriggerConfig {
	feed: CallFeedConfig;
	manual: boolean;
}

type CallTriggerResult = CallFeedPollResult & { sample?: CallEvent[] };

export const callTrigger: TriggerSpec<CallTriggerConfig, CallFeedState, CallTriggerResult> = {
	readConfig(context, settings) {
		const options = context.getNodeParameter('options', {}) as IDataObject;
		const { query, filters } = filtersFromInput(filterInput(context.getNodeParameter('filters', {}) as IDataObject), {
			includeStatusInQuery: false,
		});
		const feed: CallFeedConfig = {
			query,
			filters,
			minCost: numberParameter(context.getNodeParameter('minCost', 0), 'minCost', 'Min Cost', '5'),
			minDurationMinutes: numberParameter(
				context.getNodeParameter('minDurationMinutes', 0),
				'minDurationMinutes',
				'Min Duration (Minutes)',
				'10',
			),
			settleMinutes: numberParameter(options.settleMinutes, 'options.settleMinutes', 'Settle Minutes', '5', 5),
			timezone: timezoneOf(context, options.timezone),
			startFrom: (options.startFrom ?? 'now') as StartFrom,
			emitCorrections: options.emitCorrections !== false,
			maxItemsPerPoll: numberParameter(
				options.maxItemsPerPoll,
				'options.maxItemsPerPoll',
				'Max Items per Poll',
				'1000',
				1000,
			),
			simplify: options.simplify !== false,
			currency: settings.currency,
		};
		validateCallFeedConfig(feed);
		return { feed, manual: context.getMode() === 'manual' };
	},
	fingerprint: (config, account) => callFeedFingerprint(config.feed, account),
	newState: (fingerprint, start) => newCallFeedState(fingerprint, start.replacesLost),
	readState: readCallFeedState,
	async poll(client, state, config, env) {
		// "Fetch Test Event" shows the latest calls; it never reads the feed (nor touches its state).
		if (config.manual)
			return { state, events: [], building: false, sample: await sampleCallFeed(client, config.feed, env) };
		return await pollCallFeed(client, state, config.feed, env);
	},
	sample: (_config, result) => result.sample ?? [],
	fireOnActivation: () => false,
};
