import type { INodeProperties } from 'n8n-workflow';
import * as getCalls from './getCalls';
import * as getSummary from './getSummary';

export const operations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['usage'] } },
	options: [
		{
			name: 'Get Calls',
			value: 'getCalls',
			action: 'Get the newest or most expensive calls of a period with their costs',
			description: 'One item per call, newest first, with cost, minutes and who made it',
		},
		{
			name: 'Get Summary',
			value: 'getSummary',
			action: 'Get the spend and minutes of a period in total or per group',
			description: 'Calls, minutes and spend of a period, in total or per group',
		},
	],
	default: 'getSummary',
};

export const description: INodeProperties[] = [operations, ...getSummary.description, ...getCalls.description];
export const handlers = { getSummary: getSummary.execute, getCalls: getCalls.execute };
