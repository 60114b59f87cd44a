import { NodeConnectionTypes, type IExecuteFunctions, type INodeExecutionData, type INodeType, type INodeTypeDescription } from 'n8n-workflow';

import { programSelector } from '../shared/program';
import { testStoreCredential } from '../shared/store';
import * as offer from './actions/offer/Offer.resource';
import * as profile from './actions/profile/Profile.resource';
import { router } from './actions/router';

export class SendOffer implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Send Offer',
		name: 'sendOffer',
		icon: { light: 'file:sendOffer.svg', dark: 'file:sendOffer.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: 'Tell the customer',
		description: 'Sends a personal offer by email (Klaviyo) or SMS (Twilio) with its own coupon — only with consent, never at night, never twice',
		defaults: { name: 'Send Offer' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		usableAsTool: true,
		credentials: [
			{ name: 'loyaltyStoreApi', required: false, testedBy: 'loyaltyStoreApiTest' },
			// Test mode calls no vendor, so it needs none of their credentials.
			{ name: 'loyaltyKlaviyoApi', required: true, displayOptions: { hide: { email: [false], operation: ['recordRedemption'], testMode: [true] } } },
			{ name: 'loyaltyTwilioApi', required: true, displayOptions: { show: { sms: [true] }, hide: { testMode: [true] } } },
			{ name: 'loyaltyWooCommerceApi', required: true, displayOptions: { show: { couponShop: ['woocommerce'] }, hide: { testMode: [true] } } },
			{ name: 'loyaltySquareApi', required: true, displayOptions: { show: { couponShop: ['squareReward'] }, hide: { testMode: [true] } } },
		],
		properties: [
			programSelector,
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Offer', value: 'offer' },
					{ name: 'Customer Profile', value: 'profile' },
				],
				default: 'offer',
			},
			...offer.description,
			...profile.description,
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
