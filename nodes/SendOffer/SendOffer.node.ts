import { NodeConnectionTypes, type IExecuteFunctions, type INodeExecutionData, type INodeType, type INodeTypeDescription } from 'n8n-workflow';

import { nodeDocsUrl } from '../shared/docs';
import { programSelector } from '../shared/program';
import { STORE_CREDENTIAL_LABEL, testStoreCredential } from '../shared/store';
import * as offer from './actions/offer/Offer.resource';
import * as profile from './actions/profile/Profile.resource';
import { router } from './actions/router';

/** The operations that have neither SMS nor coupons. */
const NOT_SEND = ['recordRedemption', 'syncKlaviyo'];

export class SendOffer implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Send Offer',
		name: 'sendOffer',
		icon: { light: 'file:sendOffer.svg', dark: 'file:sendOffer.dark.svg' },
		group: ['output'],
		// 1.1: Identify Customer By defaults to Email, like every loyalty node (1 defaulted to Customer ID).
		version: [1, 1.1],
		defaultVersion: 1.1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Sends a personal offer by email (Klaviyo) or SMS (Twilio) with its own coupon — only with consent, never at night, never twice',
		documentationUrl: nodeDocsUrl('send-offer'),
		defaults: { name: 'Send Offer' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		usableAsTool: true,
		// Credential conditions are written with `hide`, never `show`: n8n's editor may take a field
		// named in a credential's `show` for an authentication switch and remove it from the panel
		// (n8n 2.41 does so for an options field, earlier editors for a boolean too). A hidden
		// field has no value, and `hide` does not match a missing value, so the operations without
		// SMS or coupons are named too.
		credentials: [
			{ name: 'loyaltyStoreApi', displayName: STORE_CREDENTIAL_LABEL, required: false, testedBy: 'loyaltyStoreApiTest' },
			// Test mode calls no vendor, so it needs none of their credentials.
			{ name: 'loyaltyKlaviyoApi', displayName: 'Klaviyo (Email)', required: true, displayOptions: { hide: { email: [false], operation: ['recordRedemption'], testMode: [true] } } },
			{ name: 'loyaltyTwilioApi', displayName: 'Twilio (SMS)', required: true, displayOptions: { hide: { sms: [false], operation: NOT_SEND, testMode: [true] } } },
			{ name: 'loyaltyWooCommerceApi', displayName: 'WooCommerce (Coupons)', required: true, displayOptions: { hide: { couponShop: ['none', 'squareReward'], operation: NOT_SEND, testMode: [true] } } },
			{ name: 'loyaltySquareApi', displayName: 'Square (Rewards)', required: true, displayOptions: { hide: { couponShop: ['none', 'woocommerce'], operation: NOT_SEND, testMode: [true] } } },
		],
		properties: [
			programSelector,
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Offer', value: 'offer', description: 'Send a personal offer, or record that its coupon was used' },
					{ name: 'Customer Profile', value: 'profile', description: 'Keep the customer’s Klaviyo profile up to date with their points, tier and segment' },
				],
				default: 'offer',
				description: 'Whether to work with offers or with the customer’s Klaviyo profile',
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
