import type { INodeProperties } from 'n8n-workflow';

import * as getCode from './getCode.operation';
import * as rewardReferral from './rewardReferral.operation';

export { getCode, rewardReferral };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['referral'] } },
		options: [
			{
				name: 'Get Code and Link',
				value: 'getCode',
				description: 'The customer’s own referral code (and link) to share with friends; made on first use, then always the same',
				action: 'Get a customer referral code',
			},
			{
				name: 'Reward Referral',
				value: 'rewardReferral',
				description: 'A friend’s first paid order with a referral code rewards both; a refund inside the return window takes it back',
				action: 'Reward a referral',
			},
		],
		default: 'rewardReferral',
		description: 'What to do with referral codes and the rewards they bring',
	},
	...getCode.description,
	...rewardReferral.description,
];
