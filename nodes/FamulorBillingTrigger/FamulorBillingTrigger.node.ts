import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDisplayOptions,
	type INodeExecutionData,
	type INodeProperties,
	type INodeType,
	type INodeTypeDescription,
	type IPollFunctions,
} from 'n8n-workflow';
import { callTrigger, FamulorCallTrigger } from '../FamulorCallTrigger/FamulorCallTrigger.node';
import { FamulorSpikeTrigger, spikeTrigger } from '../FamulorSpikeTrigger/FamulorSpikeTrigger.node';
import { FamulorThresholdTrigger, thresholdTrigger } from '../FamulorThresholdTrigger/FamulorThresholdTrigger.node';
import { searchAssistants, searchCampaigns } from '../shared/listSearch';
import { BILLING_TRIGGER_SUBTITLE, subtitle } from '../shared/subtitles';
import { runTriggerPoll } from '../shared/trigger';

/**
 * The Famulor triggers in one node, the way n8n's own apps have one trigger (Slack Trigger, Google
 * Sheets Trigger, Stripe Trigger): n8n's nodes panel lists a trigger under its app when the trigger's
 * name is the app's name plus "Trigger" (famulorBilling → famulorBillingTrigger), and offers each
 * option of its "Trigger On" parameter as a trigger of the app. So "Famulor Billing" in the nodes
 * panel shows its triggers next to its actions.
 *
 * Each event is one of the three trigger nodes (Threshold, Spike, Call): the same parameters, the same
 * engine, the same items. The three stay as they are, for the workflows that use them.
 */
const EVENTS = [
	{
		name: 'Threshold Crossed',
		value: 'threshold',
		action: 'On spend, minutes, calls or balance crossing a threshold',
		description:
			'Once per threshold and period when spend, minutes or calls reach it, or the balance falls to it (per ' +
			'client too)',
		node: new FamulorThresholdTrigger(),
		spec: thresholdTrigger,
	},
	{
		name: 'Usage Spike',
		value: 'spike',
		action: 'On usage far above normal',
		description: 'When usage in a time window is far above its usual value, naming the campaign that did it',
		node: new FamulorSpikeTrigger(),
		spec: spikeTrigger,
	},
	{
		name: 'Call Ended',
		value: 'call',
		action: 'On call ended, with its final cost',
		description: 'Every call once, when it has ended and its cost is final: a ledger, or an alert on one call',
		node: new FamulorCallTrigger(),
		spec: callTrigger,
	},
] as const;

type EventName = (typeof EVENTS)[number]['value'];

/** A property shown only for one event (its own display rules kept). */
function forEvent(property: INodeProperties, event: EventName): INodeProperties {
	const displayOptions: IDisplayOptions = {
		...property.displayOptions,
		show: { ...property.displayOptions?.show, event: [event] },
	};
	return { ...property, displayOptions };
}

export class FamulorBillingTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Famulor Billing Trigger',
		name: 'famulorBillingTrigger',
		icon: { light: 'file:famulor.svg', dark: 'file:famulor.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: subtitle(BILLING_TRIGGER_SUBTITLE),
		description:
			'Balance, usage, call costs, rented numbers and charge summaries of a Famulor account, and alerts when a ' +
			'threshold is crossed, usage spikes or a call ends',
		defaults: { name: 'Famulor Billing Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'famulorBillingApi', required: true }],
		properties: [
			{
				displayName: 'Trigger On',
				name: 'event',
				type: 'options',
				noDataExpression: true,
				options: EVENTS.map(({ name, value, action, description }) => ({ name, value, action, description })),
				default: 'threshold',
				description: 'What starts the workflow',
			},
			...EVENTS.flatMap(({ value, node }) => node.description.properties.map((property) => forEvent(property, value))),
		],
	};

	methods = {
		listSearch: { searchAssistants, searchCampaigns },
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const event = this.getNodeParameter('event', 'threshold') as string;
		if (event === 'spike') return await runTriggerPoll(this, spikeTrigger);
		if (event === 'call') return await runTriggerPoll(this, callTrigger);
		if (event === 'threshold') return await runTriggerPoll(this, thresholdTrigger);
		throw new NodeOperationError(this.getNode(), `Trigger On "${event}" is not one of its options`, {
			description: 'Choose Threshold Crossed, Usage Spike or Call Ended.',
		});
	}
}
