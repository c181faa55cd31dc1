import type { INodeProperties } from 'n8n-workflow';
import type { OperationExecute } from '../types';
import * as generate from './generate';

export const operations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['chargeSummary'] } },
	options: [
		{
			name: 'Generate',
			value: 'generate',
			action: 'Generate a charge summary of what a period cost per client',
			description: 'What a period cost: calls, plan, overage and number rentals, per client if you like',
		},
	],
	default: 'generate',
};

export const description: INodeProperties[] = [operations, ...generate.description];
export const handlers: Record<string, OperationExecute> = { generate: generate.execute };
