import { LoyaltyError, type ProductSnapshot, minorUnitExponent, parseOrThrow, productSnapshotSchema } from '../../engine';
import { shopAmountToMinor } from '../shared/amount';
import { type JsonObject, compact, optionalArray, optionalText, requireId, requireObject } from '../shared/payload';

/** Product topics: a price or stock change arrives as product.updated; product.created is a first sight (a baseline). */
export const WooCommerceProductTopic = { ProductCreated: 'product.created', ProductUpdated: 'product.updated' } as const;
export type WooCommerceProductTopic = (typeof WooCommerceProductTopic)[keyof typeof WooCommerceProductTopic];

export function isWooCommerceProductTopic(topic: string | undefined): topic is WooCommerceProductTopic {
	return topic === WooCommerceProductTopic.ProductCreated || topic === WooCommerceProductTopic.ProductUpdated;
}

/**
 * A product webhook → the product's price and stock now. The payload is the product as the REST
 * API returns it; it carries no previous price (the store keeps the last one it saw) and no
 * currency (a shop has one: the trigger's Shop Currency setting). `price` is the price a shopper
 * pays now (the sale price during a sale). `onbackorder` counts as buyable. Keyed by the product
 * and its modification time, so the same change delivered twice is one report.
 */
export function normalizeWooCommerceProduct(input: { payload: unknown; deliveryId: string; currency: string | undefined }): ProductSnapshot {
	const product = requireObject(input.payload, 'payload');
	const id = requireId(product.id, 'id');
	const modifiedAt = wooGmt(product.date_modified_gmt, 'date_modified_gmt');
	const price = optionalText(typeof product.price === 'number' ? String(product.price) : product.price, 'price');
	let priceMinor: number | undefined;
	let currency: string | undefined;
	if (price !== undefined) {
		currency = input.currency?.trim().toUpperCase();
		if (!currency) throw LoyaltyError.invalid('currency', 'WooCommerce product webhooks carry no currency: set Shop Currency on the trigger (for example USD)');
		minorUnitExponent(currency, 'currency');
		priceMinor = shopAmountToMinor(price, currency, 'price');
	}
	const stockStatus = optionalText(product.stock_status, 'stock_status');
	return parseOrThrow(
		productSnapshotSchema,
		compact({
			source: 'woocommerce',
			id,
			key: `woocommerce:product:${id}:${modifiedAt ?? input.deliveryId}`,
			observedAt: modifiedAt ?? new Date().toISOString(),
			name: optionalText(product.name, 'name'),
			categories: categoryNames(product),
			priceMinor,
			currency,
			inStock: stockStatus === undefined ? undefined : stockStatus !== 'outofstock',
			url: optionalText(product.permalink, 'permalink'),
		}),
		'payload',
	);
}

function categoryNames(product: JsonObject): string[] | undefined {
	if (product.categories === undefined) return undefined;
	return optionalArray(product.categories, 'categories').flatMap((c, index) => {
		const name = optionalText((requireObject(c, `categories.${index}`) as JsonObject).name, `categories.${index}.name`);
		return name ? [name] : [];
	});
}

function wooGmt(value: unknown, field: string): string | undefined {
	const text = optionalText(value, field);
	if (text === undefined) return undefined;
	return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$/.test(text) ? `${text}Z` : text;
}
