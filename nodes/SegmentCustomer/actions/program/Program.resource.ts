import type { INodeProperties } from 'n8n-workflow';

import * as fitModels from './fitModels.operation';
import * as getMetrics from './getMetrics.operation';
import * as scoreAll from './scoreAll.operation';

export { fitModels, getMetrics, scoreAll };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['program'] } },
		description: 'Score every customer, refresh the predictions, or get the program’s figures',
		options: [
			{
				name: 'Fit Prediction Models',
				value: 'fitModels',
				description: 'Learn from all orders how your customers buy, for the predictions (chance still a customer, expected orders, lifetime value)',
				action: 'Fit the prediction models',
			},
			{
				name: 'Get Program Metrics',
				value: 'getMetrics',
				description: 'Enrollment, active and redeeming members, repeat purchase rate and average order value of members vs others, lifetime value by segment',
				action: 'Get program metrics',
			},
			{
				name: 'Score All Customers',
				value: 'scoreAll',
				description: 'Score every customer and save the results, so rules can use them; outputs the customers who moved',
				action: 'Score all customers',
			},
		],
		default: 'scoreAll',
	},
	...scoreAll.description,
	...fitModels.description,
	...getMetrics.description,
];
