import type { INodeProperties } from 'n8n-workflow';
import * as audit from './audit';
import * as getAll from './getAll';

export const operations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['phoneNumber'] } },
	options: [
		{
			name: 'Audit Rentals',
			value: 'audit',
			action: 'Audit rented numbers for idle lines and renewals',
			description: 'Which rented numbers had no calls lately, and which renew soon, with their monthly fees',
		},
		{
			name: 'Get Many',
			value: 'getAll',
			action: 'Get many phone numbers with their monthly fees',
			description: 'Your Famulor numbers, whether each is rented, and its monthly fee',
		},
	],
	default: 'getAll',
};

export const description: INodeProperties[] = [operations, ...getAll.description, ...audit.description];
export const handlers = { getAll: getAll.execute, audit: audit.execute };
