import {
	type CartInput,
	CartStatus,
	type CustomerInput,
	EventType,
	type LoyaltyEvent,
	LoyaltyError,
	loyaltyEventSchema,
	minorUnitExponent,
	parseOrThrow,
} from '../../engine';
import type { SignatureCheck } from '../http';
import { shopAmountToMinor } from '../shared/amount';
import { type IncomingHeaders, headerValue } from '../shared/headers';
import { type JsonObject, compact, requireObject } from '../shared/payload';
import { flowIdentities, flowText as text } from './flowBody';
import { verifySharedToken } from '../shared/token';

/**
 * Klaviyo's "Started Checkout" metric, forwarded by a webhook action in a Klaviyo flow. Klaviyo
 * cannot sign flow webhooks, but the action can send fixed headers: the shop owner adds this one
 * with the trigger's shared secret as its value.
 */
export const KLAVIYO_TOKEN_HEADER = 'X-Loyalty-Token';

/**
 * The JSON body to paste into the flow's webhook action. Tags are Klaviyo's: `$`-properties need
 * `lookup`, and `default:''` keeps an absent property from rendering as the text "None". This is
 * for Klaviyo's WooCommerce integration (its Started Checkout has `Currency`, `ItemNames` and the
 * cart rebuild key in `extra`); shops on other platforms change `checkout_url` (Shopify:
 * `event.extra.checkout_url`, most others: `event.CheckoutURL`) and may leave `cart_id` empty.
 */
export const KLAVIYO_STARTED_CHECKOUT_TEMPLATE = `{
  "event_id": "{{ event|lookup:'$event_id' }}",
  "cart_id": "{{ event.extra.CartRebuildKey|default:'' }}",
  "email": "{{ person.email|default:'' }}",
  "phone": "{{ person.phone_number|default:'' }}",
  "first_name": "{{ person.first_name|default:'' }}",
  "last_name": "{{ person.last_name|default:'' }}",
  "value": "{{ event|lookup:'$value' }}",
  "currency": "{{ event.Currency|default:'' }}",
  "checkout_url": "{{ organization.url|trim_slash }}/cart?wck_rebuild_cart={{ event.extra.CartRebuildKey|default:'' }}",
  "item_names": "{{ event.ItemNames|join:' | ' }}"
}`;

/** Separator of `item_names` in the template above. */
const ITEM_NAME_SEPARATOR = ' | ';

export function verifyKlaviyoToken(headers: IncomingHeaders, secret: string): SignatureCheck {
	return verifySharedToken(headerValue(headers, KLAVIYO_TOKEN_HEADER), secret, `header ${KLAVIYO_TOKEN_HEADER}`);
}

export interface KlaviyoStartedCheckoutDelivery {
	/** The parsed JSON body rendered from the template. */
	payload: unknown;
	/** When the delivery arrived (ISO 8601); the flow forwards the event when it reaches the webhook action. */
	receivedAt: string;
	/** ISO 4217 code used when the body's `currency` is empty. */
	defaultCurrency?: string;
}

/**
 * One Started Checkout is one snapshot of an open cart: keyed by cart and Klaviyo event, so a
 * retried webhook writes once and a later checkout of the same cart updates it.
 */
export function normalizeKlaviyoStartedCheckout(delivery: KlaviyoStartedCheckoutDelivery): LoyaltyEvent[] {
	const body = requireObject(delivery.payload, 'body');
	const eventId = text(body, 'event_id');
	if (eventId === undefined) throw LoyaltyError.invalid('event_id', 'is required (the Started Checkout event\'s $event_id)');
	const cartId = text(body, 'cart_id') ?? eventId;

	const currency = (text(body, 'currency') ?? text({ defaultCurrency: delivery.defaultCurrency }, 'defaultCurrency'))?.toUpperCase();
	if (currency === undefined) throw LoyaltyError.invalid('currency', 'is empty and no default currency is set on the trigger');
	minorUnitExponent(currency, 'currency');
	const value = typeof body.value === 'number' ? body.value : text(body, 'value');
	if (value === undefined) throw LoyaltyError.invalid('value', 'is required (the Started Checkout event\'s $value)');
	const totalMinor = shopAmountToMinor(value, currency, 'value');

	const cart: CartInput = compact({
		id: cartId,
		status: CartStatus.Open,
		currency,
		totalMinor,
		updatedAt: delivery.receivedAt,
		checkoutUrl: checkoutUrl(text(body, 'checkout_url')),
		lines: itemNames(body).map((name) => ({ name, quantity: 1 })),
	});
	const event = {
		id: `klaviyo:${eventId}`,
		type: EventType.CartUpdated,
		source: 'klaviyo',
		occurredAt: delivery.receivedAt,
		idempotencyKey: `klaviyo:cart:${cartId}:${eventId}`,
		customer: startedCheckoutCustomer(body),
		cart,
	};
	return [parseOrThrow(loyaltyEventSchema, event, 'event')];
}

function startedCheckoutCustomer(body: JsonObject): CustomerInput {
	return compact({ identities: flowIdentities(body), firstName: text(body, 'first_name'), lastName: text(body, 'last_name') });
}

function checkoutUrl(value: string | undefined): string | undefined {
	if (value === undefined) return undefined;
	try {
		const url = new URL(value);
		if (url.protocol === 'https:' || url.protocol === 'http:') return url.href;
	} catch {
		// reported below
	}
	throw LoyaltyError.invalid('checkout_url', `"${value}" is not a full http(s) URL`);
}

/** The template joins names with " | "; a JSON list of names is accepted too. */
function itemNames(body: JsonObject): string[] {
	const value = body.item_names;
	if (Array.isArray(value)) {
		return value.map((name, index) => {
			if (typeof name !== 'string') throw LoyaltyError.invalid(`item_names.${index}`, 'must be text');
			return name.trim();
		}).filter((name) => name !== '');
	}
	const joined = text(body, 'item_names');
	return joined === undefined ? [] : joined.split(ITEM_NAME_SEPARATOR).map((name) => name.trim()).filter((name) => name !== '');
}
