import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InsightService, Ledger, activityFromTransactions, type Store } from '../../engine';
import { paidOrder } from '../support/fixtures';
import { customerActivity } from '../../engine/insight/activityRows';
import { backends } from '../support/stores';
import { randomSource, simulateBetaGeoCustomer } from '../unit/insight/simulate';

/** Inserts a customer and paid orders directly: these tests are about aggregation, not ingestion. */
async function seed(store: Store, orders: { customer: string; id: string; placedAt: string; totalMinor: number; currency?: string; status?: string; refundedMinor?: number; payload?: object }[], profiles: Record<string, object> = {}): Promise<void> {
	await store.transaction(async (sql) => {
		for (const customer of new Set(orders.map((o) => o.customer))) {
			await sql.execute('INSERT INTO customers (id, profile, created_at, updated_at) VALUES ($1, $2, $3, $3) ON CONFLICT (id) DO NOTHING', [customer, JSON.stringify(profiles[customer] ?? {}), '2025-01-01T00:00:00.000Z']);
		}
		for (const o of orders) {
			await sql.execute(
				`INSERT INTO orders (source, id, customer_id, status, placed_at, currency, total_minor, refunded_minor, payload, updated_at) VALUES ('generic', $1, $2, $3, $4, $5, $6, $7, $8, $4)`,
				[o.id, o.customer, o.status ?? 'paid', new Date(o.placedAt).toISOString(), o.currency ?? 'USD', o.totalMinor, o.refundedMinor ?? 0, JSON.stringify(o.payload ?? {})],
			);
		}
	});
}

describe('insight on the store', async () => {
	for (const backend of await backends()) {
		describe(`insight on ${backend.name}`, { skip: backend.unavailable }, () => {
			let store: Store;
			let cleanup: () => Promise<void>;
			before(async () => {
				({ store, cleanup } = await backend.open());
			});
			after(async () => cleanup());

			test('per-customer aggregates computed in SQL equal the in-memory ones', async () => {
				await seed(store, [
					{ customer: 'agg-ana', id: 'a1', placedAt: '2025-01-01T09:00:00Z', totalMinor: 1000 },
					{ customer: 'agg-ana', id: 'a2', placedAt: '2025-01-01T20:00:00Z', totalMinor: 500 },
					{ customer: 'agg-ana', id: 'a3', placedAt: '2025-01-15T10:00:00Z', totalMinor: 2000, refundedMinor: 500, status: 'refunded' },
					{ customer: 'agg-ana', id: 'a4', placedAt: '2025-02-01T10:00:00Z', totalMinor: 4000 },
					{ customer: 'agg-ana', id: 'a5', placedAt: '2025-02-02T10:00:00Z', totalMinor: 9999, status: 'cancelled' },
					{ customer: 'agg-ana', id: 'a6', placedAt: '2025-02-03T10:00:00Z', totalMinor: 9999, currency: 'EUR' },
					{ customer: 'agg-ana', id: 'a7', placedAt: '2025-03-01T10:00:00Z', totalMinor: 9999 },
					{ customer: 'agg-bo', id: 'b1', placedAt: '2025-02-01T00:00:00Z', totalMinor: 700 },
				]);
				const rows = (await customerActivity(store.db, 'USD', '2025-02-28')).filter((r) => r.customerId.startsWith('agg-'));
				assert.deepEqual(rows, [
					{ customerId: 'agg-ana', firstDate: '2025-01-01', lastDate: '2025-02-01', previousDate: '2025-01-15', orders: 3, totalSpendMinor: 7000, repeatSpendMinor: 5500, categories: 0 },
					{ customerId: 'agg-bo', firstDate: '2025-02-01', lastDate: '2025-02-01', previousDate: null, orders: 1, totalSpendMinor: 700, repeatSpendMinor: 0, categories: 0 },
				]);
				const inMemory = activityFromTransactions(
					[
						{ customerId: 'agg-ana', placedAt: '2025-01-01T09:00:00Z', amount: 1000 },
						{ customerId: 'agg-ana', placedAt: '2025-01-01T20:00:00Z', amount: 500 },
						{ customerId: 'agg-ana', placedAt: '2025-01-15T10:00:00Z', amount: 1500 },
						{ customerId: 'agg-ana', placedAt: '2025-02-01T10:00:00Z', amount: 4000 },
					],
					'2025-02-28',
				)[0];
				const service = new InsightService(store);
				const fromSql = (await service.activity('2025-02-28')).find((a) => a.customerId === 'agg-ana');
				assert.deepEqual(fromSql, inMemory);
			});

			test('scoring saves each picture and reports only the moves since the last run, retries included', async () => {
				const orders = [];
				for (let c = 0; c < 60; c++) {
					const visits = 1 + (c % 6);
					for (let v = 0; v < visits; v++) {
						const day = 1 + ((c * 7 + v * (10 + (c % 5))) % 150);
						orders.push({ customer: `run-${c}`, id: `run-${c}-${v}`, placedAt: new Date(Date.UTC(2025, 0, day, 12)).toISOString(), totalMinor: 1000 + c * 50 });
					}
				}
				await seed(store, orders);
				let clock = new Date('2025-06-01T00:00:00Z');
				const service = new InsightService(store, { programId: 'p-run', now: () => clock });
				const fitted = await service.fit('2025-06-01');
				assert.ok(fitted.transaction || fitted.fallbackReason, 'either fitted or says why not');

				const first = await service.scoreAll('2025-06-01');
				assert.equal(first.changes.length, first.customers.length, 'a first picture is a move from nothing');
				assert.ok(first.changes.every((c) => c.previous === null));
				const retried = await service.scoreAll('2025-06-01');
				assert.equal(retried.changes.length, first.changes.length, 'retrying the same run reports the same moves');

				clock = new Date('2025-12-01T00:00:00Z');
				const later = await service.scoreAll('2025-12-01');
				assert.ok(later.changes.length > 0, 'six months of silence moves someone');
				for (const change of later.changes) {
					assert.ok(change.previous, 'a known customer moved from somewhere');
					const moved = change.previous.segment !== change.current.segment || change.previous.lifecycle !== change.current.lifecycle || change.previous.valueTier !== change.current.valueTier;
					assert.ok(moved);
				}
				const saved = await service.saved(later.changes[0].customerId);
				assert.equal(saved?.asOf, '2025-12-01');
				assert.equal(saved?.segment, later.changes[0].current.segment);
				const quiet = await service.scoreAll('2025-12-02');
				assert.ok(quiet.changes.length < later.changes.length, 'a day later fewer customers move');
			});

			test('cross-sell picks and the next best action read the order lines', async () => {
				const orders = [];
				for (let c = 0; c < 12; c++) {
					const lines = c < 8 ? [{ sku: 'BEANS', category: 'coffee', quantity: 1, totalMinor: 1500 }, { sku: 'FILTERS', category: 'coffee', quantity: 1, totalMinor: 300 }] : [{ sku: 'BEANS', category: 'coffee', quantity: 1, totalMinor: 1500 }];
					orders.push({ customer: `cs-${c}`, id: `cs-${c}`, placedAt: '2025-05-01T10:00:00Z', totalMinor: 1800, payload: { lines, discountMinor: c % 2 ? 200 : 0 } });
				}
				orders.push({ customer: 'cs-buyer', id: 'cs-b1', placedAt: '2025-05-02T10:00:00Z', totalMinor: 1500, payload: { lines: [{ sku: 'BEANS', category: 'coffee', quantity: 1, totalMinor: 1500 }], couponCodes: ['WELCOME'] } });
				await seed(store, orders);
				const service = new InsightService(store, { programId: 'p-cs' });
				const picks = await service.crossSellFor('cs-buyer', '2025-05-31');
				assert.deepEqual(picks.map((p) => [p.from, p.to, p.count]), [['BEANS', 'FILTERS', 8]]);
				assert.deepEqual(await service.crossSellFor('cs-0', '2025-05-31'), [], 'nothing they already buy');
				const action = await service.nextBestActionFor('cs-buyer', '2025-05-03');
				assert.equal(action?.action, 'onboarding-quick-win');
				assert.equal(action?.signals.discountShare, 1);
				assert.equal(action?.signals.topCategory, 'coffee');
			});

			test('program metrics compare members with everyone else', async () => {
				const programId = 'p-metrics';
				const now = new Date('2025-07-10T12:00:00Z');
				const ledger = new Ledger(store, { id: programId, pendingDays: 0, earnRates: { GBP: { points: 1, perMinor: 100 } } }, { now: () => now });
				const email = (i: number) => `metrics${i}-${backend.name}@example.com`;
				// Two members: one with two orders on two days, one with one; the first redeems.
				await ledger.earnForOrder(paidOrder(email(1), 4000, { id: 'm1a', currency: 'GBP', placedAt: '2025-07-01T10:00:00Z' }));
				await ledger.earnForOrder(paidOrder(email(1), 2000, { id: 'm1b', currency: 'GBP', placedAt: '2025-07-03T10:00:00Z' }));
				await ledger.earnForOrder(paidOrder(email(2), 3000, { id: 'm2a', currency: 'GBP', placedAt: '2025-07-02T10:00:00Z' }));
				await ledger.redeem({ customer: { identities: { email: email(1) } }, points: 15, idempotencyKey: `metrics-redeem-${backend.name}` });
				await seed(store, [{ customer: 'metrics-guest', id: 'mg1', placedAt: '2025-07-02T10:00:00Z', totalMinor: 1000, currency: 'GBP' }]);
				const metrics = await new InsightService(store, { programId, currency: 'GBP' }).programMetrics('2025-07-31');
				assert.equal(metrics.members, 2);
				assert.ok(metrics.customers >= 3);
				assert.equal(metrics.enrollmentRate, 2 / metrics.customers);
				assert.equal(metrics.activeMemberRate, 1);
				assert.equal(metrics.redeemingMemberRate, 0.5);
				assert.equal(metrics.pointsRedemptionRate, 15 / 90);
				assert.deepEqual(metrics.memberBuyers, { buyers: 2, repeatPurchaseRate: 0.5, orders: 3, averageOrderValueMinor: 3000 });
				assert.deepEqual(metrics.nonMemberBuyers, { buyers: 1, repeatPurchaseRate: 0, orders: 1, averageOrderValueMinor: 1000 });
			});

			test('replenishment dates from the SKUs customers buy again and again', async () => {
				const orders = [];
				for (let c = 0; c < 6; c++) for (let k = 0; k < 4; k++) {
					orders.push({ customer: `rp-${c}`, id: `rp-${c}-${k}`, placedAt: new Date(Date.UTC(2025, 6, 1 + c + k * 30, 10)).toISOString(), totalMinor: 1500, payload: { lines: [{ sku: 'RP-BEANS', quantity: 1, totalMinor: 1500 }] } });
				}
				await seed(store, orders);
				const [due] = await new InsightService(store).replenishmentFor('rp-0', '2025-12-31');
				assert.equal(due.product, 'RP-BEANS');
				assert.equal(due.lastDate, '2025-09-29');
				assert.equal(due.dueDate, '2025-10-29');
				assert.equal(due.remindDate, '2025-10-27');
			});

			test('distinct categories bought count toward the value tier', async () => {
				const line = (category?: string) => ({ sku: `SKU-${category ?? 'none'}`, ...(category ? { category } : {}), quantity: 1, totalMinor: 100 });
				await seed(store, [
					{ customer: 'cat-wide', id: 'cw1', placedAt: '2025-04-01T10:00:00Z', totalMinor: 200, payload: { lines: [line('coffee'), line('tea')] } },
					{ customer: 'cat-wide', id: 'cw2', placedAt: '2025-04-02T10:00:00Z', totalMinor: 200, payload: { lines: [line('coffee'), line()] } },
					{ customer: 'cat-wide', id: 'cw3', placedAt: '2025-04-03T10:00:00Z', totalMinor: 100, payload: { lines: [line('gear')] }, status: 'cancelled' },
					{ customer: 'cat-wide', id: 'cw4', placedAt: '2025-04-04T10:00:00Z', totalMinor: 100, payload: { lines: [line('cups')] }, currency: 'EUR' },
					{ customer: 'cat-wide', id: 'cw5', placedAt: '2025-05-02T10:00:00Z', totalMinor: 100, payload: { lines: [line('books')] } },
					{ customer: 'cat-narrow', id: 'cn1', placedAt: '2025-04-01T10:00:00Z', totalMinor: 200, payload: { lines: [line('coffee')] } },
					{ customer: 'cat-narrow', id: 'cn2', placedAt: '2025-04-02T10:00:00Z', totalMinor: 200, payload: { lines: [line('coffee'), line()] } },
				]);
				const categoriesOf = async (customerId: string) => (await customerActivity(store.db, 'USD', '2025-04-30', customerId))[0]?.categories;
				assert.equal(await categoriesOf('cat-wide'), 2, 'coffee and tea; not cancelled, other-currency, later or uncategorised lines');
				assert.equal(await categoriesOf('cat-narrow'), 1);
				assert.equal((await customerActivity(store.db, 'USD', '2025-05-31', 'cat-wide'))[0].categories, 3, 'books once it is bought');

				const service = new InsightService(store, { programId: 'p-cat' });
				const valueTierRules = { highSpend: 1e9, highOrders: 2, highCategories: 2, midSpend: 1e9, midOrders: 99 };
				assert.equal((await service.scoreOne('cat-wide', '2025-04-30', { valueTierRules })).insight?.valueTier, 'high-value');
				assert.equal((await service.scoreOne('cat-narrow', '2025-04-30', { valueTierRules })).insight?.valueTier, 'occasional');
			});

			test("purchase days are the customer's calendar days, else the program's", async () => {
				await seed(
					store,
					[
						// 16:00 UTC on 1 March and 10:00 UTC on 2 March are both 2 March in Tokyo.
						{ customer: 'tz-kenji', id: 'tk1', placedAt: '2025-03-01T16:00:00Z', totalMinor: 1000, payload: { lines: [{ sku: 'A', category: 'tea', quantity: 1, totalMinor: 1000 }] } },
						{ customer: 'tz-kenji', id: 'tk2', placedAt: '2025-03-02T10:00:00Z', totalMinor: 500 },
						// 01:00 and 20:00 UTC on 3 March are 3 and 4 March in Tokyo.
						{ customer: 'tz-kenji', id: 'tk3', placedAt: '2025-03-03T01:00:00Z', totalMinor: 200 },
						{ customer: 'tz-kenji', id: 'tk4', placedAt: '2025-03-03T20:00:00Z', totalMinor: 300 },
						// 4 March in UTC but 5 March in Tokyo: after the day asked about.
						{ customer: 'tz-kenji', id: 'tk5', placedAt: '2025-03-04T16:00:00Z', totalMinor: 9999, payload: { lines: [{ sku: 'B', category: 'cups', quantity: 1, totalMinor: 9999 }] } },
						{ customer: 'tz-paula', id: 'tp1', placedAt: '2025-03-01T16:00:00Z', totalMinor: 1000 },
						{ customer: 'tz-paula', id: 'tp2', placedAt: '2025-03-02T01:00:00Z', totalMinor: 500 },
					],
					{ 'tz-kenji': { timeZone: 'Asia/Tokyo' } },
				);
				const [kenji] = await customerActivity(store.db, 'USD', '2025-03-04', 'tz-kenji', 'America/Los_Angeles');
				assert.deepEqual(kenji, { customerId: 'tz-kenji', firstDate: '2025-03-02', lastDate: '2025-03-04', previousDate: '2025-03-03', orders: 3, totalSpendMinor: 2000, repeatSpendMinor: 500, categories: 1 });
				const [paulaInUtc] = await customerActivity(store.db, 'USD', '2025-03-04', 'tz-paula');
				assert.equal(paulaInUtc.orders, 2, 'no zone anywhere: UTC days');
				const [paula] = await customerActivity(store.db, 'USD', '2025-03-04', 'tz-paula', 'America/Los_Angeles');
				assert.deepEqual(paula, { customerId: 'tz-paula', firstDate: '2025-03-01', lastDate: '2025-03-01', previousDate: null, orders: 1, totalSpendMinor: 1500, repeatSpendMinor: 0, categories: 0 });

				const all = await new InsightService(store, { timeZone: 'America/Los_Angeles' }).activity('2025-03-04');
				const inMemory = activityFromTransactions(
					[
						{ customerId: 'tz-kenji', placedAt: '2025-03-01T16:00:00Z', amount: 1000, category: 'tea' },
						{ customerId: 'tz-kenji', placedAt: '2025-03-02T10:00:00Z', amount: 500 },
						{ customerId: 'tz-kenji', placedAt: '2025-03-03T01:00:00Z', amount: 200 },
						{ customerId: 'tz-kenji', placedAt: '2025-03-03T20:00:00Z', amount: 300 },
						{ customerId: 'tz-kenji', placedAt: '2025-03-04T16:00:00Z', amount: 9999, category: 'cups' },
					],
					'2025-03-04',
					'Asia/Tokyo',
				)[0];
				assert.deepEqual(all.find((a) => a.customerId === 'tz-kenji'), inMemory);
			});

			test('one customer is scored against the whole base', async () => {
				const service = new InsightService(store, { programId: 'p-run' });
				const { insight } = await service.scoreOne('run-5', '2025-12-03');
				assert.ok(insight);
				assert.equal(insight.customerId, 'run-5');
				assert.equal((await service.saved('run-5'))?.segment, insight.segment);
				assert.deepEqual(await service.scoreOne('nobody', '2025-12-03'), { insight: undefined, change: undefined });
			});

			test('intervals and certainty are saved and read back; the fit keeps its covariance for them', async () => {
				// 300 customers buying as BG/NBD says (seeded), joining the other tests' customers in this store.
				const random = randomSource(3);
				const orders: Parameters<typeof seed>[1] = [];
				for (let c = 0; c < 300; c++) {
					const firstDay = Math.floor(random() * 120);
					const h = simulateBetaGeoCustomer(random, { r: 0.8, alpha: 5, a: 0.7, b: 3 }, (181 - firstDay) / 7);
					const days = [firstDay, ...Array.from({ length: h.frequency }, (_, k) => firstDay + Math.max(1, Math.round((h.recency * 7 * (k + 1)) / h.frequency)))];
					days.forEach((day, v) => orders.push({ customer: `sure-${c}`, id: `sure-${c}-${v}`, placedAt: new Date(Date.UTC(2025, 0, 1 + day, 12)).toISOString(), totalMinor: 1500 + Math.floor(random() * 3000) }));
				}
				await seed(store, orders);
				const service = new InsightService(store, { programId: 'p-sure' });
				const fitted = await service.fit('2025-07-01');
				assert.ok(fitted.transaction?.logCovariance, `fitted with a covariance: ${fitted.fallbackReason}`);
				const saved = await service.savedModels();
				assert.deepEqual(saved?.transaction?.logCovariance, fitted.transaction.logCovariance, 'the covariance survives the store, so later scoring can draw from it');
				assert.deepEqual(saved?.spend?.logCovariance, fitted.spend?.logCovariance);

				const run = await service.scoreAll('2025-07-01');
				const scored = run.customers.filter((c) => c.customerId.startsWith('sure-'));
				assert.ok(scored.some((c) => c.certainty !== 'low'), 'someone has enough repeat orders to be trusted more');
				for (const insight of scored) {
					const back = await service.saved(insight.customerId);
					assert.ok(back);
					assert.equal(back.pAliveLow, insight.pAliveLow);
					assert.equal(back.pAliveHigh, insight.pAliveHigh);
					assert.equal(back.expectedOrdersLow, insight.expectedOrdersLow);
					assert.equal(back.expectedOrdersHigh, insight.expectedOrdersHigh);
					assert.equal(back.certainty, insight.certainty);
					assert.equal(back.certaintyReason, insight.certaintyReason);
					assert.ok(back.pAliveLow !== null && back.pAlive !== null && back.pAliveLow <= back.pAlive && back.pAlive <= back.pAliveHigh!);
					if (back.clvMinor !== null && back.clvMinorLow !== null) assert.ok(back.clvMinorLow <= back.clvMinor && back.clvMinor <= back.clvMinorHigh!, JSON.stringify(back));
				}
				// The same picture through scoreOne, from the saved models.
				const { insight: one } = await service.scoreOne(scored[5].customerId, '2025-07-01');
				assert.deepEqual(one, scored[5]);
			});

			test('a picture saved before the intervals existed reads back with them as null', async () => {
				await seed(store, [{ customer: 'legacy-1', id: 'legacy-1', placedAt: '2025-03-01T10:00:00Z', totalMinor: 1000 }]);
				await store.db.execute(
					`INSERT INTO customer_insights (program_id, customer_id, as_of, segment, lifecycle, value_tier, recency_score, frequency_score, monetary_score, p_alive, updated_at)
					 VALUES ('p-legacy', 'legacy-1', '2025-03-31', 'Lost', 'lapsed', 'occasional', 1, 1, 1, 0.5, '2025-03-31T00:00:00.000Z')`,
				);
				const back = await new InsightService(store, { programId: 'p-legacy' }).saved('legacy-1');
				assert.equal(back?.pAlive, 0.5);
				assert.deepEqual([back?.pAliveLow, back?.pAliveHigh, back?.expectedOrdersLow, back?.expectedOrdersHigh, back?.clvMinorLow, back?.clvMinorHigh, back?.certainty, back?.certaintyReason], [null, null, null, null, null, null, null, null]);
			});

			test('repeat purchases worth 0.00 leave the customer out of the spend model: CLV saved as unknown with the reason', async () => {
				const random = randomSource(41);
				const orders: Parameters<typeof seed>[1] = [];
				const free = new Set<string>();
				for (let c = 0; c < 200; c++) {
					const firstDay = Math.floor(random() * 100);
					const h = simulateBetaGeoCustomer(random, { r: 0.8, alpha: 5, a: 0.7, b: 3 }, (181 - firstDay) / 7);
					const days = [...new Set([firstDay, ...Array.from({ length: h.frequency }, (_, k) => firstDay + Math.max(1, Math.round((h.recency * 7 * (k + 1)) / h.frequency)))])];
					const isFree = days.length > 1 && c % 5 === 0;
					if (isFree) free.add(`free-${c}`);
					// Values vary between customers as well as within, so Gamma-Gamma is identified.
					const typical = 500 + 8000 * random();
					days.forEach((day, v) => orders.push({ customer: `free-${c}`, id: `free-${c}-${v}`, placedAt: new Date(Date.UTC(2025, 0, 1 + day, 12)).toISOString(), totalMinor: v > 0 && isFree ? 0 : Math.round(typical * (0.5 + random())) }));
				}
				await seed(store, orders);
				assert.ok(free.size >= 5, `some free repeaters (${free.size})`);
				const service = new InsightService(store, { programId: 'p-free' });
				const fitted = await service.fit('2025-07-01');
				assert.ok(fitted.spend, fitted.fallbackReason);
				const reason = 'repeat purchases average 0.00: spend model not applicable';
				const zeroReason = fitted.spendExcluded?.reasons.find((r) => r.reason === reason);
				assert.ok(zeroReason && zeroReason.customers >= free.size, JSON.stringify(fitted.spendExcluded));
				const saved = await service.savedModels();
				assert.deepEqual(saved?.spendExcluded, fitted.spendExcluded, 'who was left out survives the store');

				const run = await service.scoreAll('2025-07-01');
				for (const insight of run.customers.filter((c) => c.customerId.startsWith('free-'))) {
					const back = await service.saved(insight.customerId);
					assert.ok(back);
					if (free.has(insight.customerId)) {
						assert.equal(back.clvMinor, null);
						assert.equal(back.clvMinorLow, null);
						assert.equal(back.clvUnknownReason, reason);
						assert.match(back.certaintyReason ?? '', /CLV unknown: repeat purchases average 0\.00/);
					} else {
						assert.equal(typeof back.clvMinor, 'number', JSON.stringify(back));
						assert.equal(back.clvUnknownReason, null);
					}
				}
			});
		});
	}
});
