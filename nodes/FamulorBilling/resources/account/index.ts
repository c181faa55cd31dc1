import type { INodeProperties } from 'n8n-workflow';
import * as getBalance from './getBalance';

export const operations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['account'] } },
	options: [
		{
			name: 'Get Balance',
			value: 'getBalance',
			action: 'Get the prepaid balance and how many days it lasts',
			description: 'Current balance, optionally with how many days it lasts at the recent spend',
		},
	],
	default: 'getBalance',
};

export const description: INodeProperties[] = [operations, ...getBalance.description];
export const handlers = { getBalance: getBalance.execute };
