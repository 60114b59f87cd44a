import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { acceptEvents, acceptProductSnapshots, viewedProductIds, eraseCustomer, exportCustomer, findProduct, pruneViews, registerConsumer, type LoyaltyEvent, type ProductSnapshotInput, type Store } from '../../engine';
import { paidOrder } from '../support/fixtures';
import { backends } from '../support/stores';

let serial = 0;
const unique = (prefix: string) => `${prefix}-${++serial}-${Math.random().toString(36).slice(2, 8)}`;
const at = (iso: string) => new Date(iso);
const DAY = 86_400_000;

function view(email: string, productId: string, viewedAt: string, extra: Partial<NonNullable<LoyaltyEvent['product']>> = {}): LoyaltyEvent {
	const id = unique('view');
	return {
		id: `generic:${id}`,
		type: 'product_viewed',
		source: 'generic',
		occurredAt: viewedAt,
		idempotencyKey: `generic:view:${id}`,
		customer: { identities: { email } },
		product: {
			id: productId,
			name: `Product ${productId}`,
			categories: ['Coffee'],
			wishlisted: false,
			...extra,
		},
	};
}

function snapshot(productId: string, key: string, observedAt: string, values: Partial<ProductSnapshotInput> = {}): ProductSnapshotInput {
	return { source: 'woocommerce', id: productId, key, observedAt, ...values };
}

async function count(store: Store, table: string, where = '1 = 1', params: unknown[] = []): Promise<number> {
	const [row] = await store.db.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`, params);
	return Number(row.n);
}

describe('browse store conformance', async () => {
	for (const backend of await backends()) {
		describe(`browse and price triggers on ${backend.name}`, { skip: backend.unavailable }, () => {
			let store: Store;
			let cleanup: () => Promise<void>;
			before(async () => ({ store, cleanup } = await backend.open()));
			after(async () => cleanup?.());

			test('a view of a product nobody introduced is refused whole: no event, no customer, no view', async () => {
				const email = `${unique('nobody')}@example.com`;
				const productId = unique('ghost');
				const event = view(email, productId, '2026-03-10T10:00:00Z', {
					name: undefined,
				});
				const [accepted] = await acceptEvents(store, [event], at('2026-03-10T10:00:00Z'));
				assert.equal(accepted.inserted, false);
				assert.match(accepted.refused ?? '', new RegExp(`product "${productId}" is unknown.*product\\.name`));
				assert.equal(await count(store, 'events', 'id = $1', [event.id]), 0);
				assert.equal(await count(store, 'customer_identities', 'value = $1', [email]), 0);
				assert.equal(await count(store, 'browse_views', 'product_id = $1', [productId]), 0);
			});

			test('a product the catalog reported may be viewed by id alone, and its categories are used', async () => {
				const productId = unique('known');
				await acceptProductSnapshots(store, [
					snapshot(productId, 'k1', '2026-03-01T00:00:00Z', {
						name: 'Beans',
						categories: ['Coffee'],
						priceMinor: 1500,
						currency: 'USD',
						inStock: true,
					}),
				]);
				const email = `${unique('idonly')}@example.com`;
				const [accepted] = await acceptEvents(
					store,
					[
						view(email, productId, '2026-03-10T10:00:00Z', {
							name: undefined,
							categories: [],
						}),
					],
					at('2026-03-10T10:00:00Z'),
				);
				assert.equal(accepted.inserted, true);
				assert.equal(accepted.event.browse?.categoryViews7Days, 1);
			});

			test('views count per product and category within their windows, this one included; a repeat changes nothing', async () => {
				const email = `${unique('looker')}@example.com`;
				const productId = unique('mug');
				const times = ['2026-03-01T10:00:00Z', '2026-03-08T10:00:00Z', '2026-03-09T10:00:00Z', '2026-03-10T09:00:00Z'];
				const results = [];
				for (const time of times) results.push((await acceptEvents(store, [view(email, productId, time)], at(time)))[0]);
				const last = results[3].event.browse!;
				assert.deepEqual([last.productViewsToday, last.productViews7Days, last.productViews30Days], [2, 3, 4]);
				assert.equal(last.purchasedSinceFirstView, false);
				assert.equal(last.firstViewAt, '2026-03-08T10:00:00.000Z');
				const again = await acceptEvents(store, [results[3].event], at('2026-03-10T09:05:00Z'));
				assert.equal(again[0].inserted, false);
				assert.equal(await count(store, 'browse_views', 'product_id = $1', [productId]), 4);
			});

			test('a paid order after the first view this week makes purchasedSince true', async () => {
				const email = `${unique('buyer')}@example.com`;
				const productId = unique('grinder');
				await acceptEvents(store, [view(email, productId, '2026-03-08T10:00:00Z')], at('2026-03-08T10:00:00Z'));
				const order = {
					...paidOrder(email, 2500, { placedAt: '2026-03-09T10:00:00Z' }),
					id: unique('order'),
				};
				await acceptEvents(store, [
					{
						id: unique('d'),
						type: 'purchase',
						source: 'woocommerce',
						occurredAt: order.placedAt,
						idempotencyKey: `woocommerce:order:${order.id}:paid`,
						customer: order.customer,
						order: {
							...order,
							lines: order.lines ?? [],
						} as LoyaltyEvent['order'],
					},
				]);
				const [second] = await acceptEvents(store, [view(email, productId, '2026-03-10T10:00:00Z')], at('2026-03-10T10:00:00Z'));
				assert.equal(second.event.browse?.purchasedSinceFirstView, true);
			});

			test('views older than the retention period are pruned', async () => {
				const email = `${unique('old')}@example.com`;
				const productId = unique('kettle');
				await acceptEvents(store, [view(email, productId, '2026-01-01T10:00:00Z')], at('2026-01-01T10:00:00Z'));
				await acceptEvents(store, [view(email, productId, '2026-03-10T10:00:00Z')], at('2026-03-10T10:00:00Z'), { browse: { retentionDays: 40, alertWindowDays: 30 } });
				assert.equal(await count(store, 'browse_views', 'product_id = $1', [productId]), 1);
				await pruneViews(store.db, { retentionDays: 30, alertWindowDays: 30 }, new Date(Date.parse('2026-03-10T10:00:00Z') + 31 * DAY));
				assert.equal(await count(store, 'browse_views', 'product_id = $1', [productId]), 0);
			});

			test('first sight is the baseline; a lower price alerts each customer who viewed it within the window, once', async () => {
				const productId = unique('teapot');
				const consumer = unique('wf:price');
				await registerConsumer(
					store,
					{
						consumer,
						workflowId: 'wf',
						nodeName: 'On price drop',
						eventTypes: ['price_dropped', 'back_in_stock'],
					},
					at('2026-03-10T00:00:00Z'),
				);
				const [first] = await acceptProductSnapshots(store, [
					snapshot(productId, 'v1', '2026-03-01T00:00:00Z', {
						name: 'Teapot',
						priceMinor: 4000,
						currency: 'USD',
						inStock: true,
					}),
				]);
				assert.deepEqual([first.change, first.alerts.length], ['baseline', 0]);

				const recent = [`${unique('ana')}@example.com`, `${unique('ben')}@example.com`];
				for (const email of recent) await acceptEvents(store, [view(email, productId, '2026-03-05T10:00:00Z')], at('2026-03-05T10:00:00Z'));
				await acceptEvents(
					store,
					[
						view(recent[1], productId, '2026-03-06T10:00:00Z', {
							wishlisted: true,
						}),
					],
					at('2026-03-06T10:00:00Z'),
				);
				const stale = `${unique('cy')}@example.com`;
				await acceptEvents(store, [view(stale, productId, '2026-01-20T10:00:00Z')], at('2026-01-20T10:00:00Z'));

				const [drop] = await acceptProductSnapshots(
					store,
					[
						snapshot(productId, 'v2', '2026-03-10T00:00:00Z', {
							priceMinor: 3000,
							currency: 'USD',
						}),
					],
					at('2026-03-10T00:00:00Z'),
				);
				assert.equal(drop.change, 'updated');
				assert.equal(drop.priceDropPercent, 25);
				assert.equal(drop.alerts.length, 2, 'the two recent viewers, not the one from January');
				assert.deepEqual(
				drop.alerts.map((a) => [a.inserted, a.owed, a.event.type]),
				drop.alerts.map(() => [true, 1, 'price_dropped']),
			);
				const byEmail = new Map(drop.alerts.map((a) => [a.event.customer.identities.email, a.event.productAlert!]));
				assert.deepEqual([byEmail.get(recent[0])?.interest, byEmail.get(recent[1])?.interest], ['viewed', 'wishlisted']);
				assert.deepEqual([byEmail.get(recent[0])?.priceMinor, byEmail.get(recent[0])?.previousPriceMinor, byEmail.get(recent[0])?.name], [3000, 4000, 'Teapot']);

				const [repeat] = await acceptProductSnapshots(
					store,
					[
						snapshot(productId, 'v2', '2026-03-10T00:00:00Z', {
							priceMinor: 3000,
							currency: 'USD',
						}),
					],
					at('2026-03-10T00:01:00Z'),
				);
				assert.deepEqual([repeat.change, repeat.alerts.length], ['repeat', 0]);
				assert.equal(await count(store, 'events', `type = 'price_dropped' AND idempotency_key LIKE $1`, [`browse:price_dropped:${productId}:%`]), 2);
			});

			test('a view introduces a product with the price shown; a catalog report in the same second (whole-second modification times) is compared, not taken for a stale one', async () => {
			const productId = unique('croissant');
			await acceptEvents(store, [view(`${unique('eve')}@example.com`, productId, '2026-03-10T10:00:05.535Z', { priceMinor: 350, currency: 'USD' })], at('2026-03-10T10:00:05.535Z'));
			const [drop] = await acceptProductSnapshots(store, [snapshot(productId, 'w1', '2026-03-10T10:00:05Z', { priceMinor: 280, currency: 'USD', inStock: true })], at('2026-03-10T10:00:06Z'));
			assert.deepEqual([drop.change, drop.priceDropPercent, drop.alerts.length], ['updated', 20, 1]);
		});

		test('out of stock, then in stock: a back-in-stock alert; a lower price while out of stock alerts nobody', async () => {
				const productId = unique('scale');
				await acceptProductSnapshots(store, [
					snapshot(productId, 's1', '2026-03-01T00:00:00Z', {
						name: 'Scale',
						priceMinor: 5000,
						currency: 'USD',
						inStock: true,
					}),
				]);
				await acceptEvents(store, [view(`${unique('dee')}@example.com`, productId, '2026-03-05T10:00:00Z')], at('2026-03-05T10:00:00Z'));
				const [gone] = await acceptProductSnapshots(
					store,
					[
						snapshot(productId, 's2', '2026-03-06T00:00:00Z', {
							priceMinor: 4500,
							inStock: false,
							currency: 'USD',
						}),
					],
					at('2026-03-06T00:00:00Z'),
				);
				assert.deepEqual([gone.priceDropPercent, gone.alerts.length], [10, 0]);
				const [back] = await acceptProductSnapshots(
					store,
					[
						snapshot(productId, 's3', '2026-03-07T00:00:00Z', {
							inStock: true,
						}),
					],
					at('2026-03-07T00:00:00Z'),
				);
				assert.equal(back.backInStock, true);
				assert.deepEqual(
					back.alerts.map((a) => [a.event.type, a.event.productAlert?.priceMinor]),
					[['back_in_stock', 4500]],
				);
				const older = await acceptProductSnapshots(
					store,
					[
						snapshot(productId, 's0', '2026-03-05T00:00:00Z', {
							priceMinor: 100,
							currency: 'USD',
						}),
					],
					at('2026-03-07T00:00:00Z'),
				);
				assert.equal(older[0].change, 'repeat', 'a report older than the one kept changes nothing');
				assert.equal((await findProduct(store.db, productId))?.priceMinor, 4500);
			});

			test('a customer’s views are in their data export, and gone when they are erased', async () => {
			const email = `${unique('private')}@example.com`;
			const productId = unique('secret-gift');
			await acceptEvents(store, [view(email, productId, '2026-03-10T10:00:00Z')], at('2026-03-10T10:00:00Z'));
			const exported = await exportCustomer(store, { identities: { email } }, { source: 'test', now: at('2026-03-11T00:00:00Z') });
			assert.deepEqual(
				exported.tables.browse_views?.map((row) => row.product_id),
				[productId],
			);
			await eraseCustomer(store, { identities: { email } }, { source: 'test', now: at('2026-03-11T00:00:00Z') });
			assert.equal(await count(store, 'browse_views', 'product_id = $1', [productId]), 0);
		});

		test('views follow the customer into a merged profile: the facts count both profiles’ views', async () => {
			const email = `${unique('merge')}@example.com`;
			const phone = `+1415${String(Math.floor(Math.random() * 9_000_000) + 1_000_000)}`;
			const productId = unique('merged-mug');
			await acceptEvents(store, [view(email, productId, '2026-03-08T10:00:00Z')], at('2026-03-08T10:00:00Z'));
			const byPhone = { ...view(email, productId, '2026-03-09T10:00:00Z'), customer: { identities: { phone } } };
			await acceptEvents(store, [byPhone], at('2026-03-09T10:00:00Z'));
			// One delivery names both: the two profiles merge.
			const both = { ...view(email, productId, '2026-03-10T10:00:00Z'), customer: { identities: { email, phone } } };
			const [merged] = await acceptEvents(store, [both], at('2026-03-10T10:00:00Z'));
			assert.equal(merged.event.browse?.productViews7Days, 3);
			const owners = await store.db.query<{ customer_id: string }>('SELECT DISTINCT customer_id FROM browse_views WHERE product_id = $1', [productId]);
			assert.equal(owners.length, 1);
		});

		test('the items worth re-reading after a Square catalog change: viewed lately, not reported by another shop', async () => {
			const fromWoo = unique('woo-item');
			const fromSquare = unique('sq-item');
			const since = '2026-04-01T00:00:00Z';
			await acceptProductSnapshots(store, [snapshot(fromWoo, 'a', '2026-04-01T00:00:00Z', { name: 'Woo item' })]);
			for (const productId of [fromWoo, fromSquare]) await acceptEvents(store, [view(`${unique('f')}@example.com`, productId, '2026-04-02T10:00:00Z')], at('2026-04-02T10:00:00Z'));
			const all = await viewedProductIds(store.db, since);
			const forSquare = await viewedProductIds(store.db, since, { exceptSources: ['woocommerce', 'generic'] });
			assert.deepEqual([all.includes(fromWoo), all.includes(fromSquare)], [true, true]);
			assert.deepEqual([forSquare.includes(fromWoo), forSquare.includes(fromSquare)], [false, true]);
		});

		test('property: whatever the order of price reports, alerts equal the drops between consecutive reports, and replaying them all adds none', async () => {
				await fc.assert(
					fc.asyncProperty(
						fc.array(fc.integer({ min: 100, max: 1000 }), {
							minLength: 1,
							maxLength: 6,
						}),
						async (prices) => {
							const productId = unique('prop');
							await acceptEvents(store, [view(`${unique('p')}@example.com`, productId, '2026-03-01T10:00:00Z', { priceMinor: undefined })], at('2026-03-01T10:00:00Z'));
							const reports = prices.map((price, i) => snapshot(productId, `r${i}`, new Date(Date.parse('2026-03-02T00:00:00Z') + i * 60_000).toISOString(), { priceMinor: price, currency: 'EUR', inStock: true }));
							let alerts = 0;
							for (const r of reports) alerts += (await acceptProductSnapshots(store, [r], at('2026-03-03T00:00:00Z')))[0].alerts.length;
							const expected = prices.slice(1).filter((p, i) => p < prices[i]).length;
							assert.equal(alerts, expected);
							let replayed = 0;
							for (const r of reports) replayed += (await acceptProductSnapshots(store, [r], at('2026-03-03T00:00:00Z')))[0].alerts.filter((a) => a.inserted).length;
							assert.equal(replayed, 0);
						},
					),
					{ numRuns: 15 },
				);
			});
		});
	}
});
