import {
	type CustomerInput,
	type Order,
	EventType,
	type LoyaltyEvent,
	type LoyaltyEventInput,
	LoyaltyError,
	OrderChannel,
	OrderSource,
	OrderStatus,
	type OrderInput,
	decimalToMinor,
	loyaltyEventSchema,
	minorUnitExponent,
	parseOrThrow,
} from '../../engine';
import {
	type JsonObject,
	compact,
	e164OrUndefined,
	emailOrWarning,
	requireSomeIdentity,
	optionalArray,
	optionalObject,
	optionalPositiveId,
	optionalText,
	requireId,
	requireObject,
	requireText,
} from '../shared/payload';
import { uncategorizedProductIds, withEventLineCategories, withLineCategories } from '../shared/lineCategories';
import { birthdayFromMeta, DEFAULT_BIRTHDAY_META_KEYS } from './birthday';
import { wooReferral } from './referral';
import type { WooCommerceProductCategory } from './client';
import { WooCommerceTopic } from './types';

export interface WooCommerceDelivery {
	/** The `X-WC-Webhook-Topic` header, e.g. `order.updated`. */
	topic: string | undefined;
	/** The `X-WC-Webhook-Delivery-ID` header; unique per delivery attempt chain. */
	deliveryId: string | undefined;
	/** The parsed JSON body. */
	payload: unknown;
}

export interface WooCommerceNormalizeOptions {
	/**
	 * The meta keys a birthday plugin stores the customer's birthday under, tried in order in the
	 * customer's (customer topics) or the order's `meta_data`; default DEFAULT_BIRTHDAY_META_KEYS.
	 */
	birthdayMetaKeys?: readonly string[];
}

/**
 * Only these statuses say something about money or intent. `refunded` is deliberately absent:
 * the refunds listed on the order carry the amounts, and they are emitted whatever the status.
 */
const ORDER_STATUS: Readonly<Record<string, OrderStatus>> = {
	processing: OrderStatus.Paid,
	completed: OrderStatus.Paid,
	pending: OrderStatus.Pending,
	'on-hold': OrderStatus.Pending,
	cancelled: OrderStatus.Cancelled,
	failed: OrderStatus.Failed,
};

interface Draft {
	/** Distinguishes the events of one delivery; only used when a delivery yields several. */
	suffix: string;
	event: Omit<LoyaltyEventInput, 'id'>;
}

/**
 * Turns one WooCommerce webhook delivery into canonical events. Topics this package does not
 * subscribe to yield nothing rather than an error, so a shop's extra webhooks cannot break a run.
 */
export function normalizeWooCommerceDelivery(delivery: WooCommerceDelivery, options: WooCommerceNormalizeOptions = {}): LoyaltyEvent[] {
	const topic = requireText(delivery.topic, 'topic');
	const deliveryId = requireText(delivery.deliveryId, 'deliveryId');
	const birthdayKeys = options.birthdayMetaKeys ?? DEFAULT_BIRTHDAY_META_KEYS;
	const warnings: string[] = [];
	let drafts: Draft[];
	switch (topic) {
		case WooCommerceTopic.OrderCreated:
		case WooCommerceTopic.OrderUpdated:
			drafts = orderDrafts(requireObject(delivery.payload, 'payload'), birthdayKeys, warnings);
			break;
		case WooCommerceTopic.CustomerCreated:
		case WooCommerceTopic.CustomerUpdated:
			drafts = [customerDraft(requireObject(delivery.payload, 'payload'), birthdayKeys, warnings)];
			break;
		default:
			return [];
	}
	return drafts.map(({ suffix, event }) => {
		const id = drafts.length === 1 ? `woocommerce:${deliveryId}` : `woocommerce:${deliveryId}:${suffix}`;
		return parseOrThrow(loyaltyEventSchema, { id, ...event, ...(warnings.length > 0 ? { warnings } : {}) }, 'event');
	});
}

function orderDrafts(order: JsonObject, birthdayKeys: readonly string[], warnings: string[]): Draft[] {
	const orderId = requireId(order.id, 'id');
	const currency = requireText(order.currency, 'currency').toUpperCase();
	minorUnitExponent(currency, 'currency');
	const customer = orderCustomer(order, birthdayKeys, warnings);
	const createdAt = wooGmt(order.date_created_gmt, 'date_created_gmt');
	const modifiedAt = wooGmt(order.date_modified_gmt, 'date_modified_gmt') ?? createdAt;
	const placedAt = wooGmt(order.date_paid_gmt, 'date_paid_gmt') ?? createdAt;
	const drafts: Draft[] = [];

	const rawStatus = requireText(order.status, 'status');
	const status = ORDER_STATUS[rawStatus];
	if (status !== undefined) {
		const canonical: OrderInput = compact({
			source: OrderSource.WooCommerce,
			id: orderId,
			status,
			placedAt: placedAt as string,
			currency,
			totalMinor: decimalToMinor(amountText(order.total, 'total'), currency, 'total'),
			discountMinor: order.discount_total == null ? undefined : decimalToMinor(amountText(order.discount_total, 'discount_total'), currency, 'discount_total'),
			couponCodes: couponCodes(order),
			channel: wooChannel(order),
			lines: lineItems(order, currency),
			customer,
			...wooReferral(order),
		});
		const paid = status === OrderStatus.Paid;
		drafts.push({
			suffix: status,
			event: {
				type: paid ? EventType.Purchase : EventType.OrderUpdated,
				source: OrderSource.WooCommerce,
				occurredAt: (paid ? placedAt : modifiedAt) as string,
				idempotencyKey: `woocommerce:order:${orderId}:${status}`,
				customer,
				order: canonical,
			},
		});
	}

	optionalArray(order.refunds, 'refunds').forEach((raw, index) => {
		const field = `refunds.${index}`;
		const refund = requireObject(raw, field);
		const refundId = requireId(refund.id, `${field}.id`);
		// WooCommerce lists refunds with negative totals ("-5.00"); the canonical refund is the amount given back.
		const amountMinor = Math.abs(decimalToMinor(amountText(refund.total, `${field}.total`), currency, `${field}.total`));
		drafts.push({
			suffix: `refund:${refundId}`,
			event: {
				type: EventType.Refund,
				source: OrderSource.WooCommerce,
				// The order's summary of a refund has no date; the refund is what last modified the order.
				occurredAt: modifiedAt as string,
				idempotencyKey: `woocommerce:refund:${refundId}`,
				customer,
				refund: compact({
					source: OrderSource.WooCommerce,
					id: refundId,
					orderId,
					amountMinor,
					currency,
					createdAt: modifiedAt as string,
					reason: optionalText(refund.reason, `${field}.reason`),
				}),
			},
		});
	});
	return drafts;
}

/**
 * A web shop order, unless a point-of-sale app rang it up in the shop: WooCommerce records the
 * creator in `created_via` ("checkout", "store-api", "admin", "rest-api"…), and the POS apps
 * record their own ("pos-rest-api" for WooCommerce's Point of Sale, "woocommerce-pos").
 */
function wooChannel(order: JsonObject): OrderChannel {
	const via = typeof order.created_via === 'string' ? order.created_via.toLowerCase() : '';
	return /(^|[^a-z])pos([^a-z]|$)/.test(via) ? OrderChannel.InStore : OrderChannel.Online;
}

function orderCustomer(order: JsonObject, birthdayKeys: readonly string[], warnings: string[]): CustomerInput {
	const billing = optionalObject(order.billing, 'billing') ?? {};
	const identities = compact({
		email: emailOrWarning(billing.email, 'billing.email', warnings),
		phone: e164OrUndefined(billing.phone),
		woocommerce: optionalPositiveId(order.customer_id, 'customer_id'),
	});
	requireSomeIdentity(identities, warnings);
	return compact({
		identities,
		firstName: optionalText(billing.first_name, 'billing.first_name'),
		lastName: optionalText(billing.last_name, 'billing.last_name'),
		// Checkout birthday fields keep a copy on the order; the customer's own meta is read on customer topics.
		birthday: birthdayFromMeta(order.meta_data, birthdayKeys, 'meta_data', warnings),
	});
}

function lineItems(order: JsonObject, currency: string): OrderInput['lines'] {
	return optionalArray(order.line_items, 'line_items').map((raw, index) => {
		const field = `line_items.${index}`;
		const item = requireObject(raw, field);
		const quantity = item.quantity;
		const subtotalMinor =
			item.subtotal == null ? undefined : decimalToMinor(amountText(item.subtotal, `${field}.subtotal`), currency, `${field}.subtotal`);
		return compact({
			sku: optionalText(item.sku, `${field}.sku`),
			productId: optionalPositiveId(item.product_id, `${field}.product_id`),
			name: optionalText(item.name, `${field}.name`),
			quantity: quantity as number,
			// The webhook has no unit price field we can trust (`price` is a float); the pre-discount
			// subtotal gives an exact one whenever it divides evenly.
			unitPriceMinor:
				subtotalMinor !== undefined && typeof quantity === 'number' && quantity > 0 && subtotalMinor % quantity === 0
					? subtotalMinor / quantity
					: undefined,
			totalMinor: decimalToMinor(amountText(item.total, `${field}.total`), currency, `${field}.total`),
		});
	});
}

function couponCodes(order: JsonObject): string[] | undefined {
	const codes = optionalArray(order.coupon_lines, 'coupon_lines')
		.map((raw, index) => optionalText(requireObject(raw, `coupon_lines.${index}`).code, `coupon_lines.${index}.code`))
		.filter((code): code is string => code !== undefined);
	return codes.length > 0 ? codes : undefined;
}

function customerDraft(customer: JsonObject, birthdayKeys: readonly string[], warnings: string[]): Draft {
	const customerId = requireId(customer.id, 'id');
	const billing = optionalObject(customer.billing, 'billing') ?? {};
	const createdAt = wooGmt(customer.date_created_gmt, 'date_created_gmt');
	const occurredAt = wooGmt(customer.date_modified_gmt, 'date_modified_gmt') ?? createdAt;
	if (occurredAt === undefined) throw LoyaltyError.invalid('date_modified_gmt', 'is required (neither date_modified_gmt nor date_created_gmt is set)');
	const input: CustomerInput = compact({
		identities: compact({
			email: emailOrWarning(customer.email, 'email', warnings) ?? emailOrWarning(billing.email, 'billing.email', warnings),
			phone: e164OrUndefined(billing.phone),
			woocommerce: customerId,
		}),
		firstName: optionalText(customer.first_name, 'first_name') ?? optionalText(billing.first_name, 'billing.first_name'),
		lastName: optionalText(customer.last_name, 'last_name') ?? optionalText(billing.last_name, 'billing.last_name'),
		birthday: birthdayFromMeta(customer.meta_data, birthdayKeys, 'meta_data', warnings),
	});
	return {
		suffix: 'customer',
		event: {
			type: EventType.CustomerUpdated,
			source: OrderSource.WooCommerce,
			occurredAt,
			idempotencyKey: `woocommerce:customer:${customerId}:${occurredAt}`,
			customer: input,
		},
	};
}

function amountText(value: unknown, field: string): string | number {
	if (typeof value === 'number') return value;
	return requireText(value, field);
}

/** WooCommerce's `*_gmt` fields are UTC but carry no offset ("2024-03-01T10:15:30"). */
function wooGmt(value: unknown, field: string): string | undefined {
	const text = optionalText(value, field);
	if (text === undefined) return undefined;
	return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$/.test(text) ? `${text}Z` : text;
}

/**
 * Gives each order line the category of its product (`productId` is WooCommerce's `product_id`,
 * the parent product for variations, which is where WooCommerce keeps categories). The webhook's
 * line items carry no categories, so the trigger looks them up and applies them here. Only
 * `category` changes; a line whose product is not in the map stays without one.
 */
export function applyProductCategories(order: Order, categoriesByProductId: ReadonlyMap<string, string>): Order {
	return withLineCategories(order, categoriesByProductId);
}

/** The product ids the trigger needs categories for: lines with a product and no category, each id once. */
export { uncategorizedProductIds };

/** `applyProductCategories` on every event of a delivery that carries an order. */
export function applyProductCategoriesToEvents(events: readonly LoyaltyEvent[], categoriesByProductId: ReadonlyMap<string, string>): LoyaltyEvent[] {
	return withEventLineCategories(events, categoriesByProductId);
}

/** The category WooCommerce gives products nobody categorised; it says nothing about what was bought. */
const WOOCOMMERCE_DEFAULT_CATEGORY_SLUG = 'uncategorized';

/**
 * The one category an order line gets when its product is in several. Rules compare one category
 * per line, so the choice must not change from one order to the next: it is the category whose
 * name sorts first (case-insensitively, then by id). That is the order WooCommerce itself lists a
 * product's categories in (terms are read ordered by name), so on a stock shop it is simply the
 * first one listed, but it stays the same when a plugin reorders terms or the API answers in
 * another order. WooCommerce's default "Uncategorized" counts as no category. The name (not the
 * slug) is used because it is what shop owners see and type into rules; rules compare categories
 * case-insensitively. WordPress sends names HTML-escaped ("Coffee &amp; Tea"); they are unescaped.
 */
export function primaryProductCategory(categories: readonly WooCommerceProductCategory[] | undefined): string | undefined {
	const named = (categories ?? [])
		.filter((category) => category.slug !== WOOCOMMERCE_DEFAULT_CATEGORY_SLUG)
		.map((category) => ({ id: category.id ?? Number.MAX_SAFE_INTEGER, name: unescapeHtml(category.name ?? '').trim() || (category.slug ?? '').trim() }))
		.filter((category) => category.name !== '');
	named.sort((a, b) => {
		const byName = a.name.toLowerCase() < b.name.toLowerCase() ? -1 : a.name.toLowerCase() > b.name.toLowerCase() ? 1 : 0;
		return byName !== 0 ? byName : a.id - b.id;
	});
	return named[0]?.name;
}

function unescapeHtml(text: string): string {
	return text
		.replace(/&quot;/g, '"')
		.replace(/&#0?39;|&apos;/g, "'")
		.replace(/&lt;/g, '<')
		.replace(/&gt;/g, '>')
		.replace(/&#8211;/g, '\u2013')
		.replace(/&amp;/g, '&');
}
