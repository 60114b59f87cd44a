import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { nodeDocsUrl } from '../shared/docs';
import { programSelector } from '../shared/program';
import { STORE_CREDENTIAL_LABEL, testStoreCredential } from '../shared/store';
import * as customer from './actions/customer/Customer.resource';
import * as points from './actions/points/Points.resource';
import * as quarantine from './actions/quarantine/Quarantine.resource';
import * as referral from './actions/referral/Referral.resource';
import { router } from './actions/router';

export class AwardPoints implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Award Points',
		name: 'awardPoints',
		icon: { light: 'file:awardPoints.svg', dark: 'file:awardPoints.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Give, take or redeem loyalty points: earn on purchases, take back on refunds, redeem, adjust, and look up balances',
		documentationUrl: nodeDocsUrl('award-points'),
		defaults: { name: 'Award Points' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		usableAsTool: true,
		credentials: [
			{
				name: 'loyaltyStoreApi',
				displayName: STORE_CREDENTIAL_LABEL,
				required: false,
				testedBy: 'loyaltyStoreApiTest',
			},
			{
				name: 'loyaltySquareApi',
				displayName: 'Square Loyalty (Mirror)',
				required: true,
				// `hide`, not `show`: some n8n editors take a boolean named in a credential's `show` for an
				// authentication switch and remove it from the panel. Test mode calls no vendor.
				displayOptions: { hide: { squareMirror: [false], testMode: [true] } },
			},
		],
		properties: [
			programSelector,
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Customer', value: 'customer', description: 'A customer’s balance, history and Square Loyalty account' },
					{ name: 'Points Ledger', value: 'points', description: 'Earn, take back, redeem and adjust points' },
					{ name: 'Quarantine', value: 'quarantine', description: 'Shop deliveries that could not be processed, and runs that kept failing' },
					{ name: 'Referral', value: 'referral', description: 'Customers bring friends: a code to share, and rewards for both when the friend buys' },
				],
				default: 'points',
				description: 'What to work on'
			},
			...points.description,
			...customer.description,
			...quarantine.description,
			...referral.description,
			{
				displayName: 'Test Mode',
				name: 'testMode',
				type: 'boolean',
				default: false,
				displayOptions: { show: { resource: ['points'] } },
				description: 'Whether to show what would be booked — points, balance, tier — without keeping anything, for trying a workflow on sample data',
			},
			{
				displayName: 'Mirror to Square Loyalty',
				name: 'squareMirror',
				type: 'boolean',
				default: false,
				description: 'Whether every change of points is copied to the customer’s Square Loyalty account, for shops whose customers see their balance in Square',
			},
		],
	};

	methods = {
		credentialTest: {
			loyaltyStoreApiTest: testStoreCredential,
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
