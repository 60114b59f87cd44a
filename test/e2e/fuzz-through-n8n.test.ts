/**
 * "Nothing lost", in a real n8n: a few hundred signed, mutated WooCommerce order deliveries POSTed
 * to the shipped points-on-purchase template. Every delivery is answered 200 (never 5xx, never
 * 401: they are all signed correctly), every recorded purchase earns at most once, and once the
 * event triggers have worked through what was recorded, the balances agree with the ledger.
 */
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { verifyBalances, openStore, type Store } from '../../engine';
import { fuzzSeed, mutatedJson, type Json } from '../support/fuzz';
import { startPointsOnPurchase, type PointsOnPurchaseEnv } from './support/pointsOnPurchase';
import { wooOrderPayload } from './support/webhooks';
import { eventually } from '../support/eventually';

const DELIVERIES = Number(process.env.FUZZ_E2E_RUNS) > 0 ? Number(process.env.FUZZ_E2E_RUNS) : 300;

const SEEDS: Json[] = [
	wooOrderPayload({ id: 1, status: 'processing', total: '42.50', email: 'ana@example.com', customerId: 7 }) as Json,
	wooOrderPayload({ id: 1, status: 'completed', total: '18.00', email: 'ben@example.com', lines: [{ sku: 'MUG', name: 'Mug', quantity: 2, total: '18.00' }] }) as Json,
	wooOrderPayload({ id: 1, status: 'processing', total: '120.00', email: 'cleo@example.com', refunds: [{ id: 9, total: '20.00' }] }) as Json,
];

describe('signed, mutated WooCommerce deliveries through a real n8n', { timeout: 15 * 60_000 }, () => {
	let env: PointsOnPurchaseEnv;
	let store: Store;

	before(async () => {
		env = await startPointsOnPurchase({ log: (line) => console.log(`# ${line}`) });
		store = await openStore(env.storeConfig);
	});

	after(async () => {
		await store?.close();
		await env?.stop();
	});

	test(`${DELIVERIES} deliveries: all answered 200, each order earns at most once, balances agree`, async () => {
		const cases = fc.sample(
			mutatedJson(SEEDS, (seed, n) => ({ ...(seed as Record<string, Json>), id: 70_000 + n }) as Json),
			{ seed: fuzzSeed(), numRuns: DELIVERIES },
		);
		const answers = { events: 0, ignored: 0, quarantined: 0 };
		const bad: string[] = [];
		for (const [index, fuzzCase] of cases.entries()) {
			const response = await fetch(env.wooUrl, {
				method: 'POST',
				headers: {
					'content-type': 'application/json',
					'x-wc-webhook-source': 'https://shop.example/',
					'x-wc-webhook-topic': index % 2 === 0 ? 'order.created' : 'order.updated',
					'x-wc-webhook-resource': 'order',
					'x-wc-webhook-id': '17',
					'x-wc-webhook-delivery-id': randomUUID(),
					'x-wc-webhook-signature': createHmac('sha256', env.wooSecret).update(fuzzCase.body).digest('base64'),
				},
				body: fuzzCase.body,
			});
			const text = await response.text();
			if (response.status !== 200) {
				bad.push(`#${index} (${fuzzCase.how}) → ${response.status} ${text.slice(0, 300)}`);
				continue;
			}
			const body = JSON.parse(text) as { events?: number; ignored?: string; quarantined?: boolean };
			if (body.quarantined) answers.quarantined += 1;
			else if (typeof body.ignored === 'string') answers.ignored += 1;
			else if (typeof body.events === 'number') answers.events += 1;
			else bad.push(`#${index} → 200 with an unknown answer ${text.slice(0, 300)}`);
		}
		console.log(`# fuzz through n8n: ${DELIVERIES} deliveries: ${answers.events} with events, ${answers.ignored} ignored, ${answers.quarantined} quarantined, ${bad.length} other`);
		assert.deepEqual(bad.slice(0, 10), [], `${bad.length} deliveries were not answered 200 — n8n log:\n${env.n8n.log().slice(-3000)}`);

		// The event triggers work through everything recorded: each event is done, or its run failed
		// with a reason and it waits for its next try (a refund larger than the order, a refund id
		// reused for another order, a currency the program has no earn rate for). None is silently
		// left behind: nothing is still running, and nothing owed is without an error.
		const unsettled = () => store.db.query<{ event_id: string; status: string; last_error: string | null }>("SELECT event_id, status, last_error FROM event_deliveries WHERE status = 'running' OR (status = 'owed' AND last_error IS NULL)");
		await eventually('every recorded event to be done or failed with a reason', async () => (await unsettled()).length === 0, {
			timeoutMs: 5 * 60_000,
			intervalMs: 1000,
			detail: async () => `still neither done nor failed with a reason: ${JSON.stringify((await unsettled()).slice(0, 20))}`,
		});
		const failed = await store.db.query<{ event_id: string; last_error: string }>("SELECT event_id, last_error FROM event_deliveries WHERE status <> 'done'");
		console.log(`# fuzz through n8n: ${failed.length} recorded events wait for a retry, e.g. ${failed.slice(0, 3).map((f) => f.last_error).join(' | ')}`);

		const earns = await store.db.query<{ order_id: string; n: number }>("SELECT order_id, COUNT(*) AS n FROM ledger_entries WHERE kind = 'earn' AND order_source = 'woocommerce' GROUP BY order_id HAVING COUNT(*) > 1");
		assert.deepEqual(earns, [], 'orders that earned more than once');
		// Every purchase whose run finished earned exactly once (from one currency unit up).
		const purchases = await store.db.query<{ payload: string }>("SELECT e.payload FROM events e JOIN event_deliveries d ON d.event_id = e.id WHERE e.source = 'woocommerce' AND e.type = 'purchase' AND d.status = 'done'");
		const unearned: string[] = [];
		for (const { payload } of purchases) {
			const order = (JSON.parse(payload) as { order?: { id: string; totalMinor: number; currency: string } }).order;
			if (!order || order.totalMinor < 100 || order.totalMinor > 500_000) continue;
			const [row] = await store.db.query<{ n: number }>("SELECT COUNT(*) AS n FROM ledger_entries WHERE kind = 'earn' AND order_source = 'woocommerce' AND order_id = $1", [order.id]);
			if (Number(row.n) !== 1) unearned.push(`${order.id} (${order.totalMinor} ${order.currency}): ${String(row.n)} earn(s)`);
		}
		console.log(`# fuzz through n8n: ${purchases.length} purchases recorded, ${unearned.length} of at least one currency unit without exactly one earn`);
		assert.deepEqual(unearned, [], 'recorded purchases that did not earn exactly once');
		assert.deepEqual(await verifyBalances(store), []);
	});
});
