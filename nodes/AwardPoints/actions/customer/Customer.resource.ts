import type { INodeProperties } from 'n8n-workflow';

import * as getBalance from './getBalance.operation';
import * as getHistory from './getHistory.operation';
import * as reconcileSquare from './reconcileSquare.operation';

export { getBalance, getHistory, reconcileSquare };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['customer'] } },
		options: [
			{
				name: 'Get Balance',
				value: 'getBalance',
				description: 'Available and pending points, lifetime points, tier and the badges the customer has earned',
				action: 'Get a customer balance',
			},
			{
				name: 'Get History',
				value: 'getHistory',
				description: 'The customer’s points movements, newest first',
				action: 'Get a customer points history',
			},
			{
				name: 'Reconcile With Square',
				value: 'reconcileSquare',
				description: 'Compare the balance with the customer’s Square Loyalty account, and repair a difference',
				action: 'Reconcile a balance with square loyalty',
			},
		],
		default: 'getBalance',
		description: 'What to do with the customer’s points account',
	},
	...getBalance.description,
	...getHistory.description,
	...reconcileSquare.description,
];
