import { EventType, type LoyaltyEvent, LoyaltyError, loyaltyEventSchema, minorUnitExponent, parseOrThrow } from '../../engine';
import { shopAmountToMinor } from '../shared/amount';
import { type JsonObject, compact, isObject, requireObject } from '../shared/payload';
import { flowIdentities, flowText as text } from './flowBody';

/** The value of `metric` that tells a Viewed Product body from a Started Checkout one on the same URL. */
export const KLAVIYO_VIEWED_PRODUCT_METRIC = 'Viewed Product';

/**
 * The JSON body to paste into the webhook action of a flow triggered by Viewed Product. The names
 * are those of Klaviyo's Viewed Product event (its onsite snippet and shop integrations send
 * ProductID, ProductName, Categories, Price and URL); `product_id` must be the id the shop's
 * catalog webhooks use (the WooCommerce product id, the Square item variation id), so a later
 * price drop finds who looked at it. The same X-Loyalty-Token header authenticates it.
 */
export const KLAVIYO_VIEWED_PRODUCT_TEMPLATE = `{
  "metric": "${KLAVIYO_VIEWED_PRODUCT_METRIC}",
  "event_id": "{{ event|lookup:'$event_id' }}",
  "email": "{{ person.email|default:'' }}",
  "phone": "{{ person.phone_number|default:'' }}",
  "first_name": "{{ person.first_name|default:'' }}",
  "product_id": "{{ event.ProductID|default:'' }}",
  "product_name": "{{ event.ProductName|default:'' }}",
  "categories": "{{ event.Categories|join:' | ' }}",
  "price": "{{ event.Price|default:'' }}",
  "url": "{{ event.URL|default:'' }}"
}`;

const LIST_SEPARATOR = ' | ';

export function isKlaviyoViewedProduct(payload: unknown): boolean {
	return isObject(payload) && payload.metric === KLAVIYO_VIEWED_PRODUCT_METRIC;
}

export interface KlaviyoViewedProductDelivery {
	payload: unknown;
	receivedAt: string;
	/** ISO 4217 code of the shop's prices (Viewed Product carries none); without it the price is left out. */
	defaultCurrency?: string;
}

/** One Viewed Product → one product_viewed event, keyed by Klaviyo's event id (a retried webhook writes once). */
export function normalizeKlaviyoViewedProduct(delivery: KlaviyoViewedProductDelivery): LoyaltyEvent[] {
	const body = requireObject(delivery.payload, 'body');
	const eventId = text(body, 'event_id');
	if (eventId === undefined) throw LoyaltyError.invalid('event_id', "is required (the Viewed Product event's $event_id)");
	const productId = text(body, 'product_id');
	if (productId === undefined) throw LoyaltyError.invalid('product_id', 'is required: the viewed product’s id (event.ProductID)');
	const identities = flowIdentities(body);

	const currency = text({ c: delivery.defaultCurrency }, 'c')?.toUpperCase();
	const price = text(body, 'price');
	let priceMinor: number | undefined;
	if (price !== undefined && currency !== undefined) {
		minorUnitExponent(currency, 'currency');
		priceMinor = shopAmountToMinor(price, currency, 'price');
	}
	const event = {
		id: `klaviyo:${eventId}`,
		type: EventType.ProductViewed,
		source: 'klaviyo',
		occurredAt: delivery.receivedAt,
		idempotencyKey: `klaviyo:view:${eventId}`,
		customer: compact({ identities, firstName: text(body, 'first_name') }),
		product: compact({
			id: productId,
			name: text(body, 'product_name'),
			categories: list(body, 'categories'),
			priceMinor,
			currency: priceMinor !== undefined ? currency : undefined,
			url: text(body, 'url'),
		}),
	};
	return [parseOrThrow(loyaltyEventSchema, event, 'event')];
}

function list(body: JsonObject, name: string): string[] {
	const value = body[name];
	if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim());
	const joined = text(body, name);
	return joined === undefined ? [] : joined.split(LIST_SEPARATOR).map((v) => v.trim()).filter((v) => v !== '');
}
