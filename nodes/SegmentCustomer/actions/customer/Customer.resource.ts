import type { INodeProperties } from 'n8n-workflow';

import * as crossSell from './crossSell.operation';
import * as nextBestAction from './nextBestAction.operation';
import * as replenishment from './replenishment.operation';
import * as score from './score.operation';

export { crossSell, nextBestAction, replenishment, score };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['customer'] } },
		description: 'What to find out about this customer',
		options: [
			{
				name: 'Get Cross-Sell Picks',
				value: 'crossSell',
				description: 'Products that customers who bought the same things also bought, leaving out what this customer already buys',
				action: 'Get cross sell picks for a customer',
			},
			{
				name: 'Get Next Best Action',
				value: 'nextBestAction',
				description: 'Win-back, onboarding, VIP, value offer or early access, with the signals that chose it',
				action: 'Get the next best action for a customer',
			},
			{
				name: 'Get Refill Reminders',
				value: 'replenishment',
				description: 'Products this customer buys regularly, when they will run out and when to remind them',
				action: 'Get refill reminders for a customer',
			},
			{
				name: 'Score',
				value: 'score',
				description: 'RFM scores, segment, lifecycle stage, value tier, chance they are still a customer, expected orders, lifetime value and next order date',
				action: 'Score a customer',
			},
		],
		default: 'score',
	},
	...score.description,
	...crossSell.description,
	...nextBestAction.description,
	...replenishment.description,
];
