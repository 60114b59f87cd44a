import type { INodeProperties } from 'n8n-workflow';

import * as syncKlaviyo from './syncKlaviyo.operation';

export { syncKlaviyo };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['profile'] } },
		description: 'What to do with the customer’s Klaviyo profile',
		options: [
			{
				name: 'Update Klaviyo Profile',
				value: 'syncKlaviyo',
				description: 'Show the customer’s current points, tier, segment and next best offer on their Klaviyo profile',
				action: 'Update a klaviyo profile',
			},
		],
		default: 'syncKlaviyo',
	},
	...syncKlaviyo.description,
];
