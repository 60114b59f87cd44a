import { createHash } from 'node:crypto';
import {
	type CartInput,
	CartStatus,
	type CustomerInput,
	EventType,
	type LoyaltyEvent,
	LoyaltyError,
	OrderSource,
	identitiesSchema,
	loyaltyEventSchema,
	minorUnitExponent,
	parseOrThrow,
} from '../../engine';
import { shopAmountToMinor } from '../shared/amount';
import { compact, e164OrUndefined, lowerEmail, optionalText } from '../shared/payload';

/**
 * The plugin's own cart states (its `order_status` field). It posts the webhook when a cart turns
 * `abandoned` and again, with `completed`, when an abandoned cart is bought after all; `lost`,
 * `normal` and `failed` are states of its table that a filter or a later version may send.
 */
export const CartFlowsStatus = {
	Abandoned: 'abandoned',
	Completed: 'completed',
	Lost: 'lost',
	Normal: 'normal',
	Failed: 'failed',
} as const;

const CART_STATUS: Readonly<Record<string, CartStatus>> = {
	[CartFlowsStatus.Abandoned]: CartStatus.Open,
	[CartFlowsStatus.Lost]: CartStatus.Open,
	[CartFlowsStatus.Normal]: CartStatus.Open,
	[CartFlowsStatus.Failed]: CartStatus.Open,
	[CartFlowsStatus.Completed]: CartStatus.Recovered,
};

export interface CartFlowsDelivery {
	/** The form-encoded body exactly as received (`first_name=…&email=…&cart_total=…`). */
	body: Buffer | string;
	/** When the delivery arrived (ISO 8601). The plugin sends no time of its own. */
	receivedAt: string;
	/** ISO 4217 code used when the body has no `currency` field, which the plugin does not send by default. */
	defaultCurrency?: string;
}

/**
 * The plugin's settings page has a "Trigger Sample" button that posts made-up data (the admin's
 * own name and email, a recovery token of "something", a total with a currency sign). It proves
 * the URL works but is no cart, so the trigger acknowledges it and records nothing.
 */
export function isCartFlowsSample(body: Buffer | string): boolean {
	const fields = new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8'));
	const checkoutUrl = fields.get('checkout_url') ?? '';
	return /[?&]wcf_ac_token=something$/.test(checkoutUrl) && fields.get('product_names') === 'Product1, Product2 & Product3';
}

/**
 * Turns one CartFlows "Cart Abandonment Recovery" webhook into a `cart_updated` event.
 *
 * The plugin's fields: first_name, last_name, email, phone_number, billing_address,
 * shipping_address, checkout_url, product_names ("A, B & C"), coupon_code, order_status,
 * cart_total ("59.50") and product_table (HTML). It sends no currency, no time and no cart id of
 * its own; the cart's session id is inside the checkout URL's recovery token.
 */
export function normalizeCartFlowsDelivery(delivery: CartFlowsDelivery): LoyaltyEvent[] {
	const body = typeof delivery.body === 'string' ? Buffer.from(delivery.body, 'utf8') : delivery.body;
	const fields = new URLSearchParams(body.toString('utf8'));
	const field = (name: string): string | undefined => optionalText(fields.get(name) ?? undefined, name);

	const customer = cartCustomer(field);
	const rawStatus = field('order_status');
	if (rawStatus === undefined) throw LoyaltyError.invalid('order_status', 'is required');
	const status = CART_STATUS[rawStatus.toLowerCase()];
	if (status === undefined) throw LoyaltyError.invalid('order_status', `"${rawStatus}" is not a Cart Abandonment Recovery status (${Object.keys(CART_STATUS).join(', ')})`);

	const currency = (field('currency') ?? optionalText(delivery.defaultCurrency, 'defaultCurrency'))?.toUpperCase();
	if (currency === undefined) throw LoyaltyError.invalid('currency', 'is not in the delivery and no default currency is set on the trigger');
	minorUnitExponent(currency, 'currency');
	const totalMinor = shopAmountToMinor(fields.get('cart_total') ?? undefined, currency, 'cart_total');
	const checkoutUrl = checkoutUrlOf(field('checkout_url'));
	const productNames = field('product_names');
	const cartId = sessionIdOf(checkoutUrl) ?? derivedCartId(customer, productNames, fields.get('cart_total') ?? '');

	const cart: CartInput = compact({
		id: cartId,
		status,
		currency,
		totalMinor,
		updatedAt: delivery.receivedAt,
		checkoutUrl: checkoutUrl?.href,
		lines: productNames === undefined ? [] : splitProductNames(productNames).map((name) => ({ name, quantity: 1 })),
	});
	const event = {
		// The plugin sends no delivery id; the body's digest makes a byte-identical resend a duplicate.
		id: `woocommerce:cartflows:${createHash('sha256').update(body).digest('hex').slice(0, 32)}`,
		type: EventType.CartUpdated,
		source: OrderSource.WooCommerce,
		occurredAt: delivery.receivedAt,
		// The plugin reports each state of a cart once; the same cart reported abandoned twice is one fact.
		idempotencyKey: `woocommerce:cart:${cartId}:${rawStatus.toLowerCase()}`,
		customer,
		cart,
	};
	return [parseOrThrow(loyaltyEventSchema, event, 'event')];
}

function cartCustomer(field: (name: string) => string | undefined): CustomerInput {
	const email = lowerEmail(field('email'), 'email');
	if (email !== undefined && !identitiesSchema.shape.email.safeParse(email).success) throw LoyaltyError.invalid('email', `"${email}" is not an email address`);
	// The checkout form takes phone numbers as typed; only international ones (+…) identify someone.
	const phone = e164OrUndefined(field('phone_number'));
	if (email === undefined && phone === undefined) {
		throw LoyaltyError.invalid('email', 'is required: the delivery has neither an email nor an international phone_number (+country code)');
	}
	return compact({
		identities: compact({ email, phone }),
		firstName: field('first_name'),
		lastName: field('last_name'),
	});
}

/** WordPress' esc_url() writes "&" as "&#038;" in the URL it hands over. */
function checkoutUrlOf(text: string | undefined): URL | undefined {
	if (text === undefined) return undefined;
	const unescaped = text.replace(/&#0*38;|&amp;/gi, '&');
	let url: URL;
	try {
		url = new URL(unescaped);
	} catch {
		throw LoyaltyError.invalid('checkout_url', `"${text}" is not a full URL`);
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') throw LoyaltyError.invalid('checkout_url', 'must be an http(s) URL');
	return url;
}

/**
 * The recovery token (`wcf_ac_token`) is base64 of `wcf_session_id=<id>`, followed in newer plugin
 * versions by `|<signature>`. The session id is the plugin's own key for the cart.
 */
function sessionIdOf(url: URL | undefined): string | undefined {
	const token = url?.searchParams.get('wcf_ac_token');
	if (!token) return undefined;
	const decoded = Buffer.from(token, 'base64').toString('utf8');
	const sessionId = new URLSearchParams(decoded.split('|')[0]).get('wcf_session_id');
	return sessionId && /^[A-Za-z0-9_-]{1,128}$/.test(sessionId) ? sessionId : undefined;
}

/**
 * Without a recovery token (a filter removed it, or the URL was rewritten) the plugin sends nothing
 * that names the cart. The same shopper with the same products and total is then taken to be the
 * same cart: the plugin's "completed" delivery repeats the abandoned cart's contents, so the two
 * still meet under one id, and a resend cannot create a second cart.
 */
function derivedCartId(customer: CustomerInput, productNames: string | undefined, cartTotal: string): string {
	const who = customer.identities.email ?? customer.identities.phone ?? '';
	const digest = createHash('sha256').update([who, productNames ?? '', cartTotal.trim()].join('\n')).digest('hex');
	return `derived-${digest.slice(0, 32)}`;
}

/**
 * The plugin joins product titles as "A, B & C". A title that itself contains ", " or " & " cannot
 * be told apart from a separator, so such a title comes out split; the names are for display only.
 * Trailing separators appear when a product in the cart no longer exists, and are dropped.
 */
export function splitProductNames(text: string): string[] {
	const trimmed = text.replace(/(?:\s*,\s*|\s+&\s*)+$/, '').trim();
	if (trimmed === '') return [];
	const pieces = trimmed.split(', ');
	const last = pieces.pop() as string;
	const ampersand = last.lastIndexOf(' & ');
	if (ampersand > 0) pieces.push(last.slice(0, ampersand), last.slice(ampersand + 3));
	else pieces.push(last);
	return pieces.map((name) => name.trim()).filter((name) => name !== '');
}
