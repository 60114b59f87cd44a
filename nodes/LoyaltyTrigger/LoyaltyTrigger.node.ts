import {
	NodeConnectionTypes,
	type IHookFunctions,
	type INodePropertyOptions,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { klaviyo } from '../../connectors';
import { toNodeError } from '../shared/errors';
import { nodeDocsUrl } from '../shared/docs';
import { optionNameSubtitle } from '../shared/subtitle';
import { STORE_CREDENTIAL_LABEL, testGenericWebhookCredential, testStoreCredential } from '../shared/store';
import { receiveDelivery } from './receive';
import { cartFlowsSource } from './sources/cartflows';
import { genericSource } from './sources/generic';
import { klaviyoSource } from './sources/klaviyo';
import { SQUARE_EVENT_OPTIONS, squareSource } from './sources/square';
import { twilioSource } from './sources/twilio';
import type { TriggerSource } from './sources/types';
import { DEFAULT_BIRTHDAY_META_KEYS_TEXT, WOOCOMMERCE_TOPIC_OPTIONS, wooCommerceSource } from './sources/woocommerce';

const SOURCES: Record<string, TriggerSource> = {
	woocommerce: wooCommerceSource,
	square: squareSource,
	generic: genericSource,
	twilio: twilioSource,
	cartflows: cartFlowsSource,
	klaviyo: klaviyoSource,
};

/** What the owner picks in Source, in the order shown; the subtitle shows the same names. */
const SOURCE_OPTIONS: INodePropertyOptions[] = [
	{ name: 'Generic Signed JSON', value: 'generic', description: 'Any system that signs its JSON with a shared secret' },
	{
		name: 'Klaviyo Flows (Started Checkout, Viewed Product)',
		value: 'klaviyo',
		description: 'Carts from a Klaviyo flow triggered by Started Checkout, product views from one triggered by Viewed Product, and opens/clicks of offer emails, sent by flow webhook actions',
	},
	{ name: 'Square', value: 'square', description: 'Payments and refunds at the Square till; price and stock changes of its catalog' },
	{
		name: 'Twilio (SMS Replies and Delivery Status)',
		value: 'twilio',
		description: 'STOP/START replies change SMS consent; delivery reports and link clicks update the send log',
	},
	{ name: 'WooCommerce', value: 'woocommerce', description: 'Orders, refunds, customers and product price and stock changes of a WooCommerce shop' },
	{
		name: 'WooCommerce Carts (CartFlows Abandonment Plugin)',
		value: 'cartflows',
		description: 'Abandoned and recovered carts from the Cart Abandonment Recovery plugin’s webhook',
	},
];

const SOURCE_SUBTITLE = optionNameSubtitle('From ', 'source', SOURCE_OPTIONS);

/**
 * Shows a vendor credential only for the given sources. Written as `hide` for every other source,
 * not `show`: n8n's editor takes a parameter whose every value appears in credentials' `show`
 * conditions for an authentication switch, hides it from the panel and lets the picked credential
 * set it. Source would then be invisible and follow the credential, and the three sources that
 * share the signed-webhook credential could not be told apart.
 */
function onlyForSources(...sources: string[]): { hide: { source: string[] } } {
	return { hide: { source: SOURCE_OPTIONS.map((o) => String(o.value)).filter((value) => !sources.includes(value)) } };
}

function sourceNameOf(context: IHookFunctions | IWebhookFunctions): string {
	const name = context.getNodeParameter('source') as string;
	return name in SOURCES ? name : 'generic';
}

function sourceOf(context: IHookFunctions | IWebhookFunctions): TriggerSource {
	return SOURCES[sourceNameOf(context)];
}

export class LoyaltyTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Loyalty Trigger',
		name: 'loyaltyTrigger',
		icon: { light: 'file:loyaltyTrigger.svg', dark: 'file:loyaltyTrigger.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: SOURCE_SUBTITLE,
		description: 'Receives your shop’s webhooks (purchases, refunds, customers, carts, text replies): checks the signature, drops duplicates and records each event for the Loyalty Event Triggers. A delivery that cannot be processed is kept in quarantine, never dropped.',
		documentationUrl: nodeDocsUrl('loyalty-trigger'),
		defaults: { name: 'Loyalty Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'loyaltyStoreApi',
				displayName: STORE_CREDENTIAL_LABEL,
				required: false,
				testedBy: 'loyaltyStoreApiTest',
			},
			{
				name: 'loyaltyWooCommerceApi',
				displayName: 'WooCommerce Connection',
				required: true,
				displayOptions: onlyForSources('woocommerce'),
			},
			{
				name: 'loyaltySquareApi',
				displayName: 'Square Connection',
				required: true,
				displayOptions: onlyForSources('square'),
			},
			{
				name: 'loyaltyGenericWebhookApi',
				displayName: 'Shared Secret of the Sender',
				required: true,
				testedBy: 'loyaltyGenericWebhookApiTest',
				displayOptions: onlyForSources('generic', 'cartflows', 'klaviyo'),
			},
			{
				name: 'loyaltyTwilioApi',
				displayName: 'Twilio Connection',
				required: true,
				displayOptions: onlyForSources('twilio'),
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
				// n8n parses a version-1 webhook node's body before the node runs unless this option is
				// set, and answers 422 to JSON it cannot parse: a signed delivery would be lost before
				// intake could quarantine it. The trigger reads the raw bytes itself (receive.ts).
				displayName: 'Raw Body',
				name: 'options',
				type: 'hidden',
				default: { binaryData: true },
			},
			{
				displayName: 'Source',
				name: 'source',
				type: 'options',
				noDataExpression: true,
				description: 'Where the deliveries come from. Each source asks for its own credential below.',
				options: SOURCE_OPTIONS,
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
				displayName: 'Birthday Meta Keys',
				name: 'wooCommerceBirthdayMetaKeys',
				type: 'string',
				default: DEFAULT_BIRTHDAY_META_KEYS_TEXT,
				description:
					'WooCommerce keeps no birthday of its own: a plugin stores it in the customer’s (or order’s) meta data under a key of its own. The keys to look in, separated by commas; the first one set is used. Already listed: birthday (a hand-made account field), billing_birth_date (MyRewards, PayPal Pay upon Invoice), yith_birthday (YITH), _automatewoo_birthday_full and _automatewoo_birthday_md (AutomateWoo Birthdays). Dates are read as YYYY-MM-DD or MM-DD. Select the Customer Created and Customer Updated events too, so a birthday entered on the account page arrives before the next order. Empty: read no birthdays.',
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
					'Send events as JSON to the URL above. Sign each body with HMAC-SHA256 using the shared secret and send it as the header X-Loyalty-Signature: sha256=&lt;hex&gt;. Every event type is accepted, product views (product_viewed) and product price and stock reports (product_updated) among them: see the Browse and Price Triggers page of the documentation.',
				name: 'genericNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { source: ['generic'] } },
			},
			{
				displayName:
					'In the Twilio Console, set your number’s (or Messaging Service’s) “A message comes in” webhook to the URL above (HTTP POST). Replies of STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE or OPTOUT withdraw SMS consent; START, UNSTOP or YES restore it. Send Offer points delivery reports here itself. To count SMS link clicks (they steer Send Offer to the channel a customer engages with): turn on Link Shortening for your Messaging Service, set its domain’s click tracking callback URL to this same URL, and turn on Shorten Links in the Loyalty Twilio API credential.',
				name: 'twilioNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { source: ['twilio'] } },
			},
			{
				displayName:
					'In WordPress open WooCommerce → Cart Abandonment → Settings, turn on the webhook and paste the Production URL above with <b>?token=</b> and the Shared Secret of the Loyalty Signed Webhook credential added to it, e.g. https://…/webhook?token=YOUR-SHARED-SECRET. Deliveries without that token are refused. The plugin sends no currency: set Default Currency below. Its “Trigger Sample” button is acknowledged but records nothing.',
				name: 'cartFlowsNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { source: ['cartflows'] } },
			},
			{
				displayName: `In Klaviyo create a flow triggered by the Started Checkout metric and make a Webhook action its first step. Destination URL: the Production URL above. Headers: add <b>${klaviyo.KLAVIYO_TOKEN_HEADER}</b> with the Shared Secret of the Loyalty Signed Webhook credential as its value. JSON Body: paste<pre>${klaviyo.KLAVIYO_STARTED_CHECKOUT_TEMPLATE}</pre>Not on WooCommerce? Use {{ event.extra.checkout_url }} (Shopify) or {{ event.CheckoutURL }} for checkout_url and leave cart_id empty.`,
				name: 'klaviyoNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { source: ['klaviyo'] } },
			},
			{
				displayName: `Product views: create a second flow triggered by the Viewed Product metric, with a Webhook action as its first step to the same URL and header. JSON Body:<pre>${klaviyo.KLAVIYO_VIEWED_PRODUCT_TEMPLATE}</pre>product_id must be the id your shop’s product webhooks use (the WooCommerce product id, the Square item variation id). Set Default Currency below so the price shown is kept too. A view of a product the trigger has never seen and that has no name is answered “not recorded” and kept nowhere.`,
				name: 'klaviyoViewedProductNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { source: ['klaviyo'] } },
			},
			{
				displayName: `Opens and clicks of offer emails (Klaviyo cannot start a flow on Opened or Clicked Email, so the offer flow reports them): in each flow Send Offer triggers, after the email add a Time Delay (e.g. 2 days), then a Conditional Split “Clicked Email at least once since starting this flow”. On its YES branch add a Webhook action to the same URL and header as above with the body<pre>${klaviyo.klaviyoEngagementTemplate('clicked')}</pre>On its NO branch add a split on “Opened Email at least once since starting this flow” whose YES branch sends the same body with "opened". Nothing starts a workflow run; Send Offer uses the counts to choose between email and SMS.`,
				name: 'klaviyoEngagementNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { source: ['klaviyo'] } },
			},
			{
				displayName: 'Default Currency',
				name: 'defaultCurrency',
				type: 'string',
				default: '',
				placeholder: 'USD',
				description:
					'ISO 4217 code of your shop’s currency, used when a cart or a product price arrives without one (CartFlows carts, Klaviyo Viewed Product and WooCommerce product webhooks never send one)',
				displayOptions: { show: { source: ['cartflows', 'klaviyo', 'woocommerce'] } },
			},
			// --- browse and price triggers (engine/browse) ---
			{
				displayName: 'Keep Product Views For (Days)',
				name: 'viewRetentionDays',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 3650 },
				default: 90,
				description: 'How long each customer’s product views are kept; older ones are deleted. Rules count views of the last 30 days at most.',
				displayOptions: { show: { source: ['generic', 'klaviyo'] } },
			},
			{
				displayName: 'Alert Customers Who Looked Within (Days)',
				name: 'alertWindowDays',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 3650 },
				default: 30,
				description: 'When a product gets cheaper or comes back in stock, customers who viewed or wish-listed it within this many days get an alert (one each)',
				displayOptions: { show: { source: ['generic', 'square', 'woocommerce'] } },
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
		return await receiveDelivery.call(this, sourceOf(this), sourceNameOf(this));
	}
}

