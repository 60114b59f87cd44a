import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { generic, klaviyo, square, woocommerce } from '../../../connectors';
import { isLoyaltyError } from '../../../engine';
import { renderKlaviyoTemplate } from '../../../sandbox/klaviyoFlows';

function throwsField(run: () => unknown, field: string): void {
	assert.throws(run, (error: unknown) => isLoyaltyError(error) && error.field === field);
}

describe('Klaviyo Viewed Product', () => {
	const render = (event: Record<string, unknown>, person: Record<string, unknown> = { email: 'Ana@Example.com' }) =>
		JSON.parse(renderKlaviyoTemplate(klaviyo.KLAVIYO_VIEWED_PRODUCT_TEMPLATE, { event: { $event_id: 'ev1', ...event }, person, organization: { url: 'https://shop.example/' } })) as unknown;

	test('the pasted template, rendered as Klaviyo renders it, becomes one product_viewed event keyed by Klaviyo’s event id', () => {
		const body = render({ ProductID: '42', ProductName: 'Teapot', Categories: ['Tea', 'Gifts'], Price: 24.5, URL: 'https://shop.example/p/teapot' });
		assert.equal(klaviyo.isKlaviyoViewedProduct(body), true);
		const [event] = klaviyo.normalizeKlaviyoViewedProduct({ payload: body, receivedAt: '2026-03-10T10:00:00Z', defaultCurrency: 'usd' });
		assert.equal(event.type, 'product_viewed');
		assert.equal(event.idempotencyKey, 'klaviyo:view:ev1');
		assert.deepEqual(event.customer.identities, { email: 'ana@example.com' });
		assert.deepEqual(event.product, { id: '42', name: 'Teapot', categories: ['Tea', 'Gifts'], priceMinor: 2450, currency: 'USD', url: 'https://shop.example/p/teapot', wishlisted: false });
	});

	test('without a default currency the price is left out, not guessed', () => {
		const [event] = klaviyo.normalizeKlaviyoViewedProduct({ payload: render({ ProductID: '42', ProductName: 'Teapot', Price: 24.5 }), receivedAt: '2026-03-10T10:00:00Z' });
		assert.equal(event.product?.priceMinor, undefined);
	});

	test('a view without a product id, or without anyone to name, is refused naming the field', () => {
		throwsField(() => klaviyo.normalizeKlaviyoViewedProduct({ payload: render({ ProductName: 'Teapot' }), receivedAt: '2026-03-10T10:00:00Z' }), 'product_id');
		throwsField(() => klaviyo.normalizeKlaviyoViewedProduct({ payload: render({ ProductID: '1' }, {}), receivedAt: '2026-03-10T10:00:00Z' }), 'email');
		throwsField(() => klaviyo.normalizeKlaviyoViewedProduct({ payload: { ...(render({ ProductID: '1' }) as object), event_id: '' }, receivedAt: '2026-03-10T10:00:00Z' }), 'event_id');
	});

	test('Started Checkout bodies are not taken for views', () => {
		assert.equal(klaviyo.isKlaviyoViewedProduct({ event_id: 'x', value: '10' }), false);
	});
});

describe('WooCommerce product webhooks', () => {
	const product = { id: 7, name: 'Beans', price: '12.50', regular_price: '15.00', sale_price: '12.50', stock_status: 'instock', categories: [{ id: 1, name: 'Coffee' }], permalink: 'https://shop.example/product/beans/', date_modified_gmt: '2026-03-10T09:00:00' };

	test('the price a shopper pays now, stock and categories; keyed by product and modification time', () => {
		const snapshot = woocommerce.normalizeWooCommerceProduct({ payload: product, deliveryId: 'd1', currency: 'eur' });
		assert.deepEqual(snapshot, { source: 'woocommerce', id: '7', key: 'woocommerce:product:7:2026-03-10T09:00:00Z', observedAt: '2026-03-10T09:00:00Z', name: 'Beans', categories: ['Coffee'], priceMinor: 1250, currency: 'EUR', inStock: true, url: 'https://shop.example/product/beans/' });
		assert.equal(woocommerce.normalizeWooCommerceProduct({ payload: { ...product, stock_status: 'outofstock' }, deliveryId: 'd1', currency: 'EUR' }).inStock, false);
		assert.equal(woocommerce.normalizeWooCommerceProduct({ payload: { ...product, stock_status: 'onbackorder' }, deliveryId: 'd1', currency: 'EUR' }).inStock, true);
	});

	test('a price without a shop currency is refused naming the setting, not guessed', () => {
		throwsField(() => woocommerce.normalizeWooCommerceProduct({ payload: product, deliveryId: 'd1', currency: '' }), 'currency');
	});

	test('property: any decimal price in cents round-trips to minor units', () => {
		fc.assert(
			fc.property(fc.integer({ min: 0, max: 10_000_000 }), (cents) => {
				const price = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
				assert.equal(woocommerce.normalizeWooCommerceProduct({ payload: { ...product, price }, deliveryId: 'd', currency: 'USD' }).priceMinor, cents);
			}),
		);
	});
});

describe('Square catalog and inventory notifications', () => {
	test('IN_STOCK counts become stock reports; other states say nothing about the shelf', () => {
		const notification = {
			type: 'inventory.count.updated',
			event_id: 'e1',
			created_at: '2026-03-10T10:00:00Z',
			data: {
				type: 'inventory_counts',
				id: 'x',
				object: {
					inventory_counts: [
						{ catalog_object_id: 'VAR1', state: 'IN_STOCK', location_id: 'L1', quantity: '3', calculated_at: '2026-03-10T09:59:00Z' },
						{ catalog_object_id: 'VAR2', state: 'IN_STOCK', location_id: 'L1', quantity: '0', calculated_at: '2026-03-10T09:59:00Z' },
						{ catalog_object_id: 'VAR1', state: 'SOLD', location_id: 'L1', quantity: '9', calculated_at: '2026-03-10T09:59:00Z' },
					],
				},
			},
		};
		assert.deepEqual(
			square.normalizeSquareInventoryCounts(notification).map((s) => [s.id, s.inStock, s.key]),
			[
				['VAR1', true, 'square:inventory:VAR1:L1:2026-03-10T09:59:00Z'],
				['VAR2', false, 'square:inventory:VAR2:L1:2026-03-10T09:59:00Z'],
			],
		);
	});

	test('catalog.version.updated: the version time, then the fixed prices of the variations asked for', async () => {
		assert.equal(square.squareCatalogVersion({ data: { object: { catalog_version: { updated_at: '2026-03-10T10:00:00Z' } } } }), '2026-03-10T10:00:00Z');
		const client = {
			batchRetrieveCatalogObjects: async (ids: readonly string[]) => ({
				objects: ids.filter((id) => id === 'VAR1').map((id) => ({ type: 'ITEM_VARIATION', id, item_variation_data: { item_id: 'IT1', name: 'Regular', price_money: { amount: 450, currency: 'USD' } } })),
				relatedObjects: [{ type: 'ITEM', id: 'IT1', item_data: { name: 'Latte' } }],
			}),
		} as unknown as square.SquareClient;
		const prices = await square.squareVariationPrices(client, ['VAR1', 'GONE'], '2026-03-10T10:00:00Z');
		assert.deepEqual(prices, [{ source: 'square', id: 'VAR1', key: 'square:catalog:VAR1:2026-03-10T10:00:00Z', observedAt: '2026-03-10T10:00:00Z', name: 'Latte', priceMinor: 450, currency: 'USD' }]);
	});
});

describe('generic signed JSON: views and product reports', () => {
	test('a list may mix a view and a product report; each lands where it belongs', () => {
		const delivery = generic.normalizeGenericDelivery([
			{ id: 'v1', type: 'product_viewed', occurredAt: '2026-03-10T10:00:00Z', customer: { identities: { email: 'a@example.com' } }, product: { id: 5, name: 'Mug', wishlisted: true } },
			{ id: 'p1', type: 'product_updated', occurredAt: '2026-03-10T11:00:00Z', product: { id: 5, priceMinor: 900, currency: 'USD', inStock: true } },
		]);
		assert.deepEqual(delivery.events.map((e) => [e.type, e.idempotencyKey, e.product?.id, e.product?.wishlisted]), [['product_viewed', 'generic:view:v1', '5', true]]);
		assert.deepEqual(delivery.products.map((p) => [p.id, p.key, p.priceMinor]), [['5', 'generic:product:p1', 900]]);
	});

	test('bad input names the sender’s field: a view without its product, a report without a time, an alert sent in', () => {
		throwsField(() => generic.normalizeGenericDelivery({ id: 'v', type: 'product_viewed', occurredAt: '2026-03-10T10:00:00Z', customer: { identities: { email: 'a@example.com' } } }), 'product');
		throwsField(() => generic.normalizeGenericDelivery([{ id: 'ok', type: 'customer_updated', occurredAt: '2026-03-10T10:00:00Z', customer: { identities: { email: 'a@example.com' } } }, { id: 'p', type: 'product_updated', product: { id: 1 } }]), '1.occurredAt');
		throwsField(() => generic.normalizeGenericDelivery({ id: 'x', type: 'price_dropped' }), 'type');
		throwsField(() => generic.normalizeGenericDelivery({ id: 'p', type: 'product_updated', occurredAt: '2026-03-10T10:00:00Z', product: { id: 1, priceMinor: -1, currency: 'USD' } }), 'product.priceMinor');
	});
});
