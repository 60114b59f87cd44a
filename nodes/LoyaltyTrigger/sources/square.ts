import { NodeOperationError, type ICredentialDataDecryptedObject, type IHookFunctions, type IWebhookFunctions } from 'n8n-workflow';

import { square } from '../../../connectors';
import { uncategorizedProductIds, withEventLineCategories } from '../../../connectors/shared/lineCategories';
import { createSquareCategoryLookup } from '../../../connectors/square/productCategories';
import { DEFAULT_BROWSE_SETTINGS, viewedProductIds, type LoyaltyEvent } from '../../../engine';
import { CredentialName } from '../../shared/credentials';
import { n8nHttp } from '../../shared/http';
import { recentCredentials } from '../../shared/recentCredentials';
import { openDeliveryStore } from '../deliveryStore';
import { withProductCategories } from './categories';
import { parseJsonBody, rejectSignature, stringValue, type Received, type TriggerSource } from './types';

type SquareContext = IHookFunctions | IWebhookFunctions;

export const SQUARE_EVENT_OPTIONS = [
	{ name: 'Catalog Version Updated', value: 'catalog.version.updated', description: 'Prices changed: a lower price alerts the customers who looked at the item' },
	{ name: 'Customer Created', value: 'customer.created', description: 'A new customer in Square: their profile and consent are recorded' },
	{ name: 'Customer Updated', value: 'customer.updated', description: 'A changed customer in Square: the profile is updated' },
	{ name: 'Inventory Count Updated', value: 'inventory.count.updated', description: 'Stock changed: an item back in stock alerts the customers who looked at it' },
	{ name: 'Payment Created', value: 'payment.created', description: 'A payment was started; it earns once Square completes it' },
	{ name: 'Payment Updated', value: 'payment.updated', description: 'A completed payment earns points' },
	{ name: 'Refund Created', value: 'refund.created', description: 'A refund was started; points are taken back once it completes' },
	{ name: 'Refund Updated', value: 'refund.updated', description: 'A completed refund takes points back' },
];

const SUBSCRIPTION_NAME = 'n8n loyalty trigger';
/** Most lookups one notification can need: its order, then the customer named on that order. */
const MAX_LOOKUPS = 3;

type SquareSettings = ReturnType<typeof squareSettingsOf>;

function squareSettingsOf(context: SquareContext, credentials: ICredentialDataDecryptedObject) {
	const client = square.createSquareClient(n8nHttp(context), {
		accessToken: stringValue(credentials.accessToken),
		environment: credentials.environment === 'sandbox' ? 'sandbox' : 'production',
		...(stringValue(credentials.baseUrl).trim() ? { baseUrl: stringValue(credentials.baseUrl).trim() } : {}),
	});
	return {
		client,
		signatureKey: stringValue(credentials.signatureKey),
		notificationUrl: stringValue(credentials.notificationUrl).trim(),
	};
}

/** Registration (activation, deactivation) is rare: it always reads the credential. */
async function squareCredentials(context: IHookFunctions): Promise<SquareSettings> {
	return squareSettingsOf(context, await context.getCredentials(CredentialName.Square));
}

/**
 * A notification verifies with the credential as read at most RECENT_CREDENTIALS_MS ago, as the
 * WooCommerce source does: a burst of payments would otherwise have n8n read (decrypt, resolve)
 * the credential once per request.
 */
async function notificationCredentials(context: IWebhookFunctions, fresh = false): Promise<SquareSettings> {
	return squareSettingsOf(context, await recentCredentials(context, CredentialName.Square, { fresh }));
}

function verifyNotification(context: IWebhookFunctions, rawBody: Buffer, settings: SquareSettings) {
	const header = (context.getHeaderData() as Record<string, string | string[] | undefined>)[square.SQUARE_SIGNATURE_HEADER];
	return square.verifySquareSignature(rawBody, Array.isArray(header) ? header[0] : header, settings.signatureKey, servedUrl(context, settings.notificationUrl));
}

function selectedEvents(context: SquareContext): string[] {
	return context.getNodeParameter('squareEvents', []) as string[];
}

/**
 * The URL Square signs together with the body: the credential's override (n8n behind a proxy),
 * else the URL n8n serves this trigger on.
 */
function registrationUrl(context: IHookFunctions, override: string): string {
	const url = override || context.getNodeWebhookUrl('default');
	if (!url) throw new NodeOperationError(context.getNode(), 'n8n did not provide a webhook URL for this trigger');
	return url;
}

function servedUrl(context: IWebhookFunctions, override: string): string {
	if (override) return override;
	// The URL actually being served (the test URL during "Listen for test event"); older n8n
	// versions only offer the production URL.
	const served = typeof context.getWebhookResourceUrl === 'function' ? context.getWebhookResourceUrl('default') : undefined;
	return served ?? context.getNodeWebhookUrl('default') ?? '';
}

function keyInstructions(url: string, events: string[]): string {
	return `In the Square Developer Dashboard open your application → Webhooks → Subscriptions. Use (or add) a subscription with notification URL ${url} and the events ${events.join(', ')}, copy its Signature key into the Loyalty Square credential, save, and activate the workflow again. The trigger then uses that subscription.`;
}

export const squareSource: TriggerSource = {
	/** One subscription per URL: adopt an enabled one that already covers every selected event. */
	async checkExists(this: IHookFunctions): Promise<boolean> {
		const { client, notificationUrl } = await squareCredentials(this);
		const url = registrationUrl(this, notificationUrl);
		const events = selectedEvents(this);
		const subscriptions = await client.listWebhookSubscriptions();
		const match = subscriptions.find(
			(subscription) =>
				subscription.enabled !== false &&
				subscription.notification_url === url &&
				events.every((event) => subscription.event_types?.includes(event)),
		);
		const data = this.getWorkflowStaticData('node');
		if (!match) return false;
		if (data.squareSubscriptionId !== match.id) {
			// Adopted, not created here: its key lives in the credential, so deactivating keeps it.
			data.squareSubscriptionId = match.id;
			data.squareSubscriptionCreated = false;
		}
		return true;
	},

	/**
	 * Square creates a new signature key with every subscription and shows it only once, so the
	 * key must be in the credential before notifications can be trusted.
	 */
	async create(this: IHookFunctions): Promise<boolean> {
		const { client, signatureKey, notificationUrl } = await squareCredentials(this);
		const url = registrationUrl(this, notificationUrl);
		const events = selectedEvents(this);
		if (!signatureKey) {
			throw new NodeOperationError(this.getNode(), 'The Square credential has no Webhook Signature Key', {
				description: keyInstructions(url, events),
			});
		}
		const subscription = await client.createWebhookSubscription({ name: SUBSCRIPTION_NAME, eventTypes: events, notificationUrl: url });
		const data = this.getWorkflowStaticData('node');
		data.squareSubscriptionId = subscription.id;
		data.squareSubscriptionCreated = true;
		if (subscription.signature_key !== undefined && subscription.signature_key !== signatureKey) {
			throw new NodeOperationError(
				this.getNode(),
				`Square created the subscription "${SUBSCRIPTION_NAME}", but it signs with a different key than the one in the credential`,
				{ description: keyInstructions(url, events) },
			);
		}
		return true;
	},

	/** Only a subscription this trigger created is removed; an adopted one belongs to the credential. */
	async delete(this: IHookFunctions): Promise<boolean> {
		const data = this.getWorkflowStaticData('node');
		const id = typeof data.squareSubscriptionId === 'string' ? data.squareSubscriptionId : undefined;
		if (id && data.squareSubscriptionCreated === true) {
			const { client } = await squareCredentials(this);
			await client.deleteWebhookSubscription(id);
		}
		delete data.squareSubscriptionId;
		delete data.squareSubscriptionCreated;
		return true;
	},

	async receive(this: IWebhookFunctions, rawBody: Buffer): Promise<Received> {
		let settings = await notificationCredentials(this);
		let check = verifyNotification(this, rawBody, settings);
		// The key (or the notification URL) may have just been changed: a failed check is decided on freshly read credentials.
		if (!check.valid) {
			settings = await notificationCredentials(this, true);
			check = verifyNotification(this, rawBody, settings);
		}
		if (!check.valid) return rejectSignature(check.reason);
		const { client } = settings;

		const body = parseJsonBody(rawBody);
		if (!body.ok) return body.result;
		const notification = body.value;
		const type = (notification as { type?: unknown } | null)?.type;
		if (typeof type === 'string' && !selectedEvents(this).includes(type)) {
			return { kind: 'ignore', reason: `event type ${type} is not selected on this trigger` };
		}

		if (type === square.SQUARE_INVENTORY_COUNT_UPDATED) return { kind: 'events', events: [], products: square.normalizeSquareInventoryCounts(notification) };
		if (type === square.SQUARE_CATALOG_VERSION_UPDATED) {
			const updatedAt = square.squareCatalogVersion(notification);
			const watched = await viewedProductIds((await openDeliveryStore(this)).db, alertWindowStart(this, updatedAt), { exceptSources: ['woocommerce', 'generic'] });
			const products = watched.length === 0 ? [] : await square.squareVariationPrices(client, watched, updatedAt);
			if (products.length === 0) return { kind: 'ignore', reason: 'catalog changed; no item anyone looked at lately is in it' };
			return { kind: 'events', events: [], products };
		}

		// Payments and refunds carry no line items (refunds no customer): fetch what the normalizer asks for.
		const context: square.SquareNotificationContext = {};
		for (let round = 0; round < MAX_LOOKUPS; round++) {
			const lookups = square.squareLookups(notification, context);
			if (lookups.orderId) context.order = await client.retrieveOrder(lookups.orderId);
			else if (lookups.customerId) context.customer = await client.retrieveCustomer(lookups.customerId);
			else break;
		}
		const refunded = square.squareRefundTarget(notification, context);
		if (refunded !== undefined && !context.customer) {
			const purchase = await (await openDeliveryStore(this)).getOrder('square', refunded);
			if (purchase) context.purchaser = purchase.order.customer.identities;
		}
		const events = square.normalizeSquareNotification(notification, context);
		const merchant = (notification as { merchant_id?: unknown }).merchant_id;
		return { kind: 'events', events: await categorized(this, client, typeof merchant === 'string' ? merchant : 'square', events) };
	},
};

/** Items viewed since then are the ones whose prices are read again after a catalog change. */
function alertWindowStart(context: IWebhookFunctions, updatedAt: string): string {
	const days = context.getNodeParameter('alertWindowDays', DEFAULT_BROWSE_SETTINGS.alertWindowDays) as number;
	const at = Date.parse(updatedAt);
	return new Date((Number.isNaN(at) ? Date.now() : at) - days * 86_400_000).toISOString();
}

/**
 * Item categories per merchant, kept for an hour (bounded in size): a process-local cache of
 * vendor data, not loyalty state; losing it costs one lookup.
 */
const itemCategories = createSquareCategoryLookup();

/** Order line items name catalog variations, not categories; rules on categories need them, so look them up. */
async function categorized(context: IWebhookFunctions, client: square.SquareClient, merchant: string, events: LoyaltyEvent[]): Promise<LoyaltyEvent[]> {
	return withProductCategories(context, events, {
		vendor: 'Square',
		productIds: uncategorizedProductIds(events),
		lookup: (variationIds) => itemCategories.categoriesFor(client, merchant, variationIds),
		apply: (categories) => withEventLineCategories(events, categories),
	});
}
