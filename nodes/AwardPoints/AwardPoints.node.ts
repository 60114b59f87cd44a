import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { testStoreCredential } from '../shared/store';
import { programSelector } from '../shared/program';
import * as customer from './actions/customer/Customer.resource';
import * as points from './actions/points/Points.resource';
import * as quarantine from './actions/quarantine/Quarantine.resource';
import { router } from './actions/router';

export class AwardPoints implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Award Points',
		name: 'awardPoints',
		icon: { light: 'file:awardPoints.svg', dark: 'file:awardPoints.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: 'Give, take or redeem points',
		description: 'Give, take or redeem loyalty points: earn on purchases, take back on refunds, redeem, adjust, and look up balances',
		defaults: { name: 'Award Points' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		usableAsTool: true,
		credentials: [
			{
				name: 'loyaltyStoreApi',
				required: false,
				testedBy: 'loyaltyStoreApiTest',
			},
			{
				name: 'loyaltySquareApi',
				required: true,
				displayOptions: { show: { squareMirror: [true] }, hide: { testMode: [true] } },
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
					{ name: 'Customer', value: 'customer' },
					{ name: 'Points Ledger', value: 'points' },
					{ name: 'Quarantine', value: 'quarantine', description: 'Shop deliveries that could not be processed, and runs that kept failing' },
				],
				default: 'points',
			},
			...points.description,
			...customer.description,
			...quarantine.description,
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
