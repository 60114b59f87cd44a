import {
	NodeConnectionTypes,
	type IHookFunctions,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { toNodeError } from '../shared/errors';
import { testGenericWebhookCredential, testStoreCredential } from '../shared/store';
import { receiveDelivery } from './receive';
import { genericSource } from './sources/generic';
import { SQUARE_EVENT_OPTIONS, squareSource } from './sources/square';
import { twilioSource } from './sources/twilio';
import type { TriggerSource } from './sources/types';
import { WOOCOMMERCE_TOPIC_OPTIONS, wooCommerceSource } from './sources/woocommerce';

const SOURCES: Record<string, TriggerSource> = {
	woocommerce: wooCommerceSource,
	square: squareSource,
	generic: genericSource,
	twilio: twilioSource,
};

function sourceOf(context: IHookFunctions | IWebhookFunctions): TriggerSource {
	return SOURCES[context.getNodeParameter('source') as string] ?? genericSource;
}

export class LoyaltyTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Loyalty Trigger',
		name: 'loyaltyTrigger',
		icon: { light: 'file:loyaltyTrigger.svg', dark: 'file:loyaltyTrigger.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: 'When something happens to a customer',
		description: 'Starts the workflow when your shop reports a purchase, refund or customer change. Checks the signature, drops duplicates and records the event.',
		defaults: { name: 'Loyalty Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'loyaltyStoreApi',
				required: false,
				testedBy: 'loyaltyStoreApiTest',
			},
			{
				name: 'loyaltyWooCommerceApi',
				required: true,
				displayOptions: { show: { source: ['woocommerce'] } },
			},
			{
				name: 'loyaltySquareApi',
				required: true,
				displayOptions: { show: { source: ['square'] } },
			},
			{
				name: 'loyaltyGenericWebhookApi',
				required: true,
				testedBy: 'loyaltyGenericWebhookApiTest',
				displayOptions: { show: { source: ['generic'] } },
			},
			{
				name: 'loyaltyTwilioApi',
				required: true,
				displayOptions: { show: { source: ['twilio'] } },
			},
		],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				path: 'webhook',
			},
		],
		properties: [
			{
				displayName: 'Source',
				name: 'source',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Generic Signed JSON',
						value: 'generic',
						description: 'Any system that signs its JSON with a shared secret',
					},
					{ name: 'Square', value: 'square' },
					{
						name: 'Twilio (SMS Replies and Delivery Status)',
						value: 'twilio',
						description: 'STOP/START replies change SMS consent; delivery reports update the send log',
					},
					{ name: 'WooCommerce', value: 'woocommerce' },
				],
				default: 'woocommerce',
			},
			{
				displayName: 'Events',
				name: 'wooCommerceEvents',
				type: 'multiOptions',
				options: WOOCOMMERCE_TOPIC_OPTIONS,
				default: ['order.created', 'order.updated'],
				required: true,
				description: 'The WooCommerce webhook topics to listen to; one webhook is registered per topic',
				displayOptions: { show: { source: ['woocommerce'] } },
			},
			{
				displayName: 'Events',
				name: 'squareEvents',
				type: 'multiOptions',
				options: SQUARE_EVENT_OPTIONS,
				default: ['payment.updated', 'refund.created', 'refund.updated'],
				required: true,
				description: 'The Square notification types to listen to, all on one webhook subscription',
				displayOptions: { show: { source: ['square'] } },
			},
			{
				displayName:
					'Send events as JSON to the URL above. Sign each body with HMAC-SHA256 using the shared secret and send it as the header X-Loyalty-Signature: sha256=&lt;hex&gt;. Every event type is accepted.',
				name: 'genericNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { source: ['generic'] } },
			},
			{
				displayName:
					'In the Twilio Console, set your number’s (or Messaging Service’s) “A message comes in” webhook to the URL above (HTTP POST). Replies of STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE or OPTOUT withdraw SMS consent; START, UNSTOP or YES restore it. Send Offer points delivery reports here itself.',
				name: 'twilioNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { source: ['twilio'] } },
			},
		],
	};

	methods = {
		credentialTest: {
			loyaltyStoreApiTest: testStoreCredential,
			loyaltyGenericWebhookApiTest: testGenericWebhookCredential,
		},
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				try {
					return await sourceOf(this).checkExists.call(this);
				} catch (error) {
					throw toNodeError(this.getNode(), error);
				}
			},
			async create(this: IHookFunctions): Promise<boolean> {
				try {
					return await sourceOf(this).create.call(this);
				} catch (error) {
					throw toNodeError(this.getNode(), error);
				}
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				try {
					return await sourceOf(this).delete.call(this);
				} catch (error) {
					throw toNodeError(this.getNode(), error);
				}
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await receiveDelivery.call(this, sourceOf(this));
	}
}

