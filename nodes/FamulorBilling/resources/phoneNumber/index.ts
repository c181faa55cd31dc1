import type { INodeProperties } from 'n8n-workflow';
import * as getAll from './getAll';

export const operations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['phoneNumber'] } },
	options: [
		{
			name: 'Get Many',
			value: 'getAll',
			action: 'Get many phone numbers with their monthly fees',
			description: 'Your Famulor numbers, whether each is rented, and its monthly fee',
		},
	],
	default: 'getAll',
};

export const description: INodeProperties[] = [operations, ...getAll.description];
export const handlers = { getAll: getAll.execute };
