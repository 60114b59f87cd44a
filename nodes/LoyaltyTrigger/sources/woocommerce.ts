import { NodeOperationError, type IDataObject, type IHookFunctions, type IWebhookFunctions } from 'n8n-workflow';

import { woocommerce } from '../../../connectors';
import { createWooCommerceCategoryLookup, wooCommerceShopKey } from '../../../connectors/woocommerce/productCategories';
import type { LoyaltyEvent } from '../../../engine';
import { CredentialName } from '../../shared/credentials';
import { n8nHttp } from '../../shared/http';
import { recentCredentials } from '../../shared/recentCredentials';
import { withProductCategories } from './categories';
import { parseJsonBody, rejectSignature, stringValue, type Received, type TriggerSource } from './types';

type WooContext = IHookFunctions | IWebhookFunctions;

export const WOOCOMMERCE_TOPIC_OPTIONS = [
	{ name: 'Customer Created', value: 'customer.created', description: 'A new account in your shop: the profile (and birthday, if kept) is recorded' },
	{ name: 'Customer Updated', value: 'customer.updated', description: 'A changed account in your shop: the profile is updated' },
	{ name: 'Order Created', value: 'order.created', description: 'A new order; it earns when it is paid' },
	{ name: 'Order Updated', value: 'order.updated', description: 'Also carries refunds and status changes (paid, cancelled)' },
	{ name: 'Product Created', value: 'product.created', description: 'Records a new product’s first price and stock' },
	{ name: 'Product Updated', value: 'product.updated', description: 'A lower price or a return to stock alerts the customers who looked at the product' },
];

export const DEFAULT_BIRTHDAY_META_KEYS_TEXT = woocommerce.DEFAULT_BIRTHDAY_META_KEYS.join(', ');

/** The Birthday Meta Keys setting as a list; empty reads no birthdays. */
function birthdayMetaKeys(context: IWebhookFunctions): string[] {
	const text = context.getNodeParameter('wooCommerceBirthdayMetaKeys', DEFAULT_BIRTHDAY_META_KEYS_TEXT) as string;
	return String(text ?? '')
		.split(',')
		.map((key) => key.trim())
		.filter(Boolean);
}

async function webhookSecretFor(context: IWebhookFunctions, fresh = false): Promise<string> {
	const credentials = await recentCredentials(context, CredentialName.WooCommerce, { fresh });
	return stringValue(credentials.webhookSecret);
}

async function clientFor(context: IHookFunctions) {
	const credentials = await context.getCredentials(CredentialName.WooCommerce);
	const client = woocommerce.createWooCommerceClient(n8nHttp(context), {
		baseUrl: stringValue(credentials.shopUrl),
		consumerKey: stringValue(credentials.consumerKey),
		consumerSecret: stringValue(credentials.consumerSecret),
	});
	return { client, webhookSecret: stringValue(credentials.webhookSecret) };
}

/**
 * Product categories per shop, kept for an hour (bounded in size) so a busy shop is not asked on
 * every order. A process-local cache of vendor data, not loyalty state: losing it costs one lookup.
 */
const productCategories = createWooCommerceCategoryLookup();

/** The webhook's line items have no categories; rules on categories need them, so look them up. */
async function categorized(context: IWebhookFunctions, events: LoyaltyEvent[]): Promise<LoyaltyEvent[]> {
	return withProductCategories(context, events, {
		vendor: 'WooCommerce',
		productIds: woocommerce.uncategorizedProductIds(events),
		lookup: async (productIds) => {
			// Usually answered from the category cache: read the shop's credentials at most every few seconds too.
			const credentials = await recentCredentials(context, CredentialName.WooCommerce);
			const shopUrl = stringValue(credentials.shopUrl);
			const client = woocommerce.createWooCommerceClient(n8nHttp(context), {
				baseUrl: shopUrl,
				consumerKey: stringValue(credentials.consumerKey),
				consumerSecret: stringValue(credentials.consumerSecret),
			});
			return productCategories.categoriesFor(client, wooCommerceShopKey(shopUrl), productIds);
		},
		apply: (categories) => woocommerce.applyProductCategoriesToEvents(events, categories),
	});
}

function selectedTopics(context: WooContext): string[] {
	return context.getNodeParameter('wooCommerceEvents', []) as string[];
}

/** Registration bookkeeping only (n8n keeps its own triggers' ids the same way): topic → webhook id. */
function registered(context: IHookFunctions): Record<string, number> {
	const data = context.getWorkflowStaticData('node');
	return { ...((data.wooCommerceWebhookIds as Record<string, number> | undefined) ?? {}) };
}

function saveRegistered(context: IHookFunctions, ids: Record<string, number>): void {
	const data = context.getWorkflowStaticData('node');
	if (Object.keys(ids).length > 0) data.wooCommerceWebhookIds = ids;
	else delete data.wooCommerceWebhookIds;
}

function deliveryUrl(context: IHookFunctions): string {
	const url = context.getNodeWebhookUrl('default');
	if (!url) throw new NodeOperationError(context.getNode(), 'n8n did not provide a webhook URL for this trigger');
	return url;
}

export const wooCommerceSource: TriggerSource = {
	/** WooCommerce has one webhook per topic: adopt active ones already delivering to this URL. */
	async checkExists(this: IHookFunctions): Promise<boolean> {
		const url = deliveryUrl(this);
		const topics = selectedTopics(this);
		const { client } = await clientFor(this);
		const webhooks = await client.listWebhooks({ status: 'active' });
		const ids: Record<string, number> = {};
		for (const topic of topics) {
			const match = webhooks.find((hook) => hook.delivery_url === url && hook.topic === topic && hook.status === 'active');
			if (match) ids[topic] = match.id;
		}
		saveRegistered(this, ids);
		return topics.every((topic) => ids[topic] !== undefined);
	},

	/** Registers the topics not adopted by checkExists, signed with the credential's webhook secret. */
	async create(this: IHookFunctions): Promise<boolean> {
		const url = deliveryUrl(this);
		const { client, webhookSecret } = await clientFor(this);
		if (!webhookSecret) {
			throw new NodeOperationError(this.getNode(), 'The WooCommerce credential has no Webhook Secret', {
				description:
					'Open the Loyalty WooCommerce credential, enter a long random text as Webhook Secret, save, and activate the workflow again. The trigger registers its webhooks with that secret and refuses deliveries not signed with it.',
			});
		}
		const ids = registered(this);
		for (const topic of selectedTopics(this)) {
			if (ids[topic] !== undefined) continue;
			const webhook = await client.createWebhook({ name: `n8n loyalty: ${topic}`, topic, deliveryUrl: url, secret: webhookSecret });
			ids[topic] = webhook.id;
			saveRegistered(this, ids);
		}
		return true;
	},

	/** The client treats 404/410 as already gone. */
	async delete(this: IHookFunctions): Promise<boolean> {
		const ids = registered(this);
		const { client } = await clientFor(this);
		for (const [topic, id] of Object.entries(ids)) {
			await client.deleteWebhook(id);
			delete ids[topic];
			saveRegistered(this, ids);
		}
		return true;
	},

	async receive(this: IWebhookFunctions, rawBody: Buffer): Promise<Received> {
		const headers = this.getHeaderData() as Record<string, string | string[] | undefined>;
		if (woocommerce.isWooCommercePing(headers, rawBody)) {
			return { kind: 'ignore', reason: 'WooCommerce webhook ping acknowledged' };
		}
		const delivery = woocommerce.readWooCommerceHeaders(headers);
		let check = woocommerce.verifyWooCommerceSignature(rawBody, delivery.signature, await webhookSecretFor(this));
		// The secret may have just been changed: a failed check is decided on freshly read credentials.
		if (!check.valid) check = woocommerce.verifyWooCommerceSignature(rawBody, delivery.signature, await webhookSecretFor(this, true));
		if (!check.valid) return rejectSignature(check.reason);

		if (delivery.topic && !selectedTopics(this).includes(delivery.topic)) {
			return { kind: 'ignore', reason: `topic ${delivery.topic} is not selected on this trigger` };
		}
		const body = parseJsonBody(rawBody);
		if (!body.ok) return body.result;
		if (woocommerce.isWooCommerceProductTopic(delivery.topic)) {
			const product = woocommerce.normalizeWooCommerceProduct({ payload: body.value, deliveryId: delivery.deliveryId ?? '', currency: stringValue(this.getNodeParameter('defaultCurrency', '')) });
			return { kind: 'events', events: [], products: [product] };
		}
		const events = woocommerce.normalizeWooCommerceDelivery(
			{
				topic: delivery.topic,
				deliveryId: delivery.deliveryId,
				payload: body.value as IDataObject,
			},
			{ birthdayMetaKeys: birthdayMetaKeys(this) },
		);
		return { kind: 'events', events: await categorized(this, events) };
	},
};
