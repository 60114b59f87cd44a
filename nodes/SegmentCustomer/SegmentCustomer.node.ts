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
import { insightSettings } from './actions/common.descriptions';
import * as customer from './actions/customer/Customer.resource';
import * as program from './actions/program/Program.resource';
import { router } from './actions/router';

export class SegmentCustomer implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Segment Customer',
		name: 'segmentCustomer',
		icon: { light: 'file:segmentCustomer.svg', dark: 'file:segmentCustomer.dark.svg' },
		group: ['transform'],
		// 1.1: Identify Customer By defaults to Email, like every loyalty node (1 defaulted to Customer ID).
		version: [1, 1.1],
		defaultVersion: 1.1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Who is this customer? Segment, lifecycle stage, value tier, lifetime value, next order date, cross-sell picks and next best action',
		documentationUrl: nodeDocsUrl('segment-customer'),
		defaults: { name: 'Segment Customer' },
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
		],
		properties: [
			programSelector,
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Customer', value: 'customer', description: 'One customer: their segment, picks, refill dates or next best action' },
					{ name: 'Program', value: 'program', description: 'All customers of a loyalty program' },
				],
				default: 'customer',
				description: 'Whether to look at one customer or at the whole program',
			},
			...customer.description,
			...program.description,
			insightSettings,
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
