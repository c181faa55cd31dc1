import {
	NodeConnectionTypes,
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import * as account from './resources/account';
import * as chargeSummary from './resources/chargeSummary';
import * as phoneNumber from './resources/phoneNumber';
import * as usage from './resources/usage';
import type { OperationExecute } from './resources/types';
import { searchAssistants, searchCampaigns } from '../shared/listSearch';
import { createClient, type ClientSetup } from '../shared/transport';
import { toNodeError } from '../shared/errors';
import { isToolRun, toolNodeError } from './tool';

/**
 * resource → operation → handler, in Maps: a parameter's value (an imported workflow can hold
 * anything, even `__proto__`) is never a key of a plain object.
 */
const handlers = new Map<string, Map<string, OperationExecute>>(
	Object.entries({ account, usage, phoneNumber, chargeSummary }).map(([resource, module]) => [
		resource,
		new Map(Object.entries(module.handlers as Record<string, OperationExecute>)),
	]),
);

const properties = [
	...account.description,
	...usage.description,
	...phoneNumber.description,
	...chargeSummary.description,
];

export class FamulorBilling implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Famulor Billing',
		name: 'famulorBilling',
		icon: { light: 'file:famulor.svg', dark: 'file:famulor.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Balance, usage, call costs, rented numbers and charge summaries of a Famulor account',
		defaults: { name: 'Famulor Billing' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'famulorBillingApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Account', value: 'account' },
					{ name: 'Charge Summary', value: 'chargeSummary' },
					{ name: 'Phone Number', value: 'phoneNumber' },
					{ name: 'Usage', value: 'usage' },
				],
				default: 'usage',
			},
			...properties,
		],
	};

	methods = {
		listSearch: { searchAssistants, searchCampaigns },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const returnData: INodeExecutionData[] = [];
		let setup: ClientSetup | undefined;
		const asTool = isToolRun(this);
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				const resource = this.getNodeParameter('resource', itemIndex) as string;
				const operation = this.getNodeParameter('operation', itemIndex) as string;
				const handler = handlers.get(resource)?.get(operation);
				if (!handler) {
					throw new NodeOperationError(
						this.getNode(),
						`The operation "${operation}" of resource "${resource}" is not supported`,
						{
							itemIndex,
							description: 'Pick an operation from the list; this one may come from a newer version of the package.',
						},
					);
				}
				setup ??= await createClient(this);
				const results = await handler.call(this, itemIndex, setup);
				for (const result of results) {
					returnData.push({ json: result.json, binary: result.binary, pairedItem: { item: itemIndex } });
				}
			} catch (error) {
				// As an AI tool the message alone must carry the fix: some callers hand a model nothing else.
				const nodeError = asTool
					? toolNodeError(this.getNode(), error, itemIndex, properties)
					: toNodeError(this.getNode(), error, itemIndex);
				if (this.continueOnFail()) {
					returnData.push({
						json: { error: nodeError.message, description: nodeError.description ?? null },
						pairedItem: { item: itemIndex },
					});
					continue;
				}
				throw nodeError;
			}
		}
		return [returnData];
	}
}
