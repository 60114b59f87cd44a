import type { INodeProperties } from 'n8n-workflow';

import * as recordRedemption from './recordRedemption.operation';
import * as send from './send.operation';

export { recordRedemption, send };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['offer'] } },
		description: 'Send an offer, or record that a coupon from an offer was used',
		options: [
			{
				name: 'Record Redemption',
				value: 'recordRedemption',
				description: 'Link a paid order’s coupon codes to the offers that handed them out, to measure what offers earn',
				action: 'Record a coupon redemption',
			},
			{
				name: 'Send',
				value: 'send',
				description: 'Check consent, quiet hours and limits, create the coupon and send the offer once',
				action: 'Send an offer',
			},
		],
		default: 'send',
	},
	...send.description,
	...recordRedemption.description,
];
