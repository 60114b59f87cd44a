/**
 * The foundation's promise, in a real n8n: the shipped template turns signed WooCommerce and
 * Square webhooks into points, exactly once, and refuses forged ones.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { verifyBalances, openStore, type Identities, type Store } from '../../engine';
import { POSTGRES, backends } from '../support/stores';
import { executionsOf } from './support/n8n';
import { startPointsOnPurchase, type PointsOnPurchaseEnv } from './support/pointsOnPurchase';
import { post, signedSquareDelivery, signedWooDelivery, squarePaymentNotification, squareRefundNotification, wooOrderPayload } from './support/webhooks';
import { eventually } from '../support/eventually';


describe('points on purchase, in a real n8n', { timeout: 40 * 60_000 }, async () => {
	const postgresDown = (await backends()).find((b) => b.name === 'postgres')?.unavailable;
	const stores = [
		{ name: 'the embedded SQLite store', skip: undefined, schema: undefined },
		{ name: 'a PostgreSQL store (queue-mode setup)', skip: postgresDown, schema: `loyalty_e2e_${randomBytes(4).toString('hex')}` },
	];
	for (const { name, skip, schema } of stores) describe(`with ${name}`, { skip }, () => scenarios(schema));
});

function scenarios(postgresSchema: string | undefined): void {
	let env: PointsOnPurchaseEnv;
	let store: Store;

	before(async () => {
		env = await startPointsOnPurchase({ log: (line) => console.log(`# ${line}`), postgresSchema });
		store = await openStore(env.storeConfig);
	});

	after(async () => {
		await store?.close();
		await env?.stop();
		if (postgresSchema) {
			const client = new Client(POSTGRES);
			await client.connect();
			await client.query(`DROP SCHEMA IF EXISTS "${postgresSchema}" CASCADE`);
			await client.end();
		}
	});

	/** Runs of the template that did not succeed (there should be none). */
	const failedRuns = () => executionsOf(env.userFolder, env.workflowId).filter((e) => !['new', 'running', 'waiting', 'success'].includes(e.status));
	/** Events owed to the template's event trigger and not done yet; 0 once every run finished. */
	const owed = async () => Number((await store.db.query<{ n: number }>("SELECT COUNT(*) AS n FROM event_deliveries WHERE status <> 'done'"))[0]!.n);
	const owedRows = async () => Number((await store.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM event_deliveries'))[0]!.n);
	/** Waits until the order's ledger entries are exactly these, and every owed event is done. */
	async function awaitEntries(source: string, orderId: string, expected: Array<[string, number]>) {
		const entries = async () => (await entriesOf(source, orderId)).map((e): [string, number] => [e.kind, Number(e.available_delta)]);
		await eventually(`order ${source} ${orderId} to have entries ${JSON.stringify(expected)} and nothing owed`, async () => JSON.stringify(await entries()) === JSON.stringify(expected) && (await owed()) === 0, {
			timeoutMs: 60_000,
			intervalMs: 200,
			detail: async () => `entries ${JSON.stringify(await entries())}; ${await owed()} still owed — n8n log:\n${env.n8n.log().slice(-3000)}`,
		});
		assert.deepEqual(failedRuns(), []);
	}
	const entriesOf = async (source: string, orderId: string) =>
		store.db.query<{ kind: string; available_delta: number }>('SELECT kind, available_delta FROM ledger_entries WHERE order_source = $1 AND order_id = $2 ORDER BY id', [source, orderId]);
	const balanceOf = async (who: string | Identities) => {
		const identities = typeof who === 'string' ? { email: who } : who;
		const customer = await store.findCustomer({ identities });
		assert.ok(customer, `customer ${JSON.stringify(identities)} was recorded`);
		const [account] = await store.db.query<{ available: number }>('SELECT available FROM loyalty_accounts WHERE customer_id = $1', [customer.id]);
		return Number(account?.available ?? 0);
	};

	test('a paid WooCommerce order earns points', async () => {
		const delivery = signedWooDelivery('order.created', wooOrderPayload({ id: 1001, status: 'processing', total: '42.50', email: 'ana@example.com', customerId: 7 }), env.wooSecret);
		const answer = await post(env.wooUrl, delivery);
		assert.equal(answer.status, 200, answer.body);
		await awaitEntries('woocommerce', '1001', [['earn', 42]]);
		assert.equal(await balanceOf('ana@example.com'), 42);
	});

	test('the same delivery posted 5 times in a row and 5 times at once awards once', async () => {
		const delivery = signedWooDelivery('order.created', wooOrderPayload({ id: 1002, status: 'processing', total: '20.00', email: 'ben@example.com' }), env.wooSecret);
		const answers = [];
		for (let i = 0; i < 5; i++) answers.push(await post(env.wooUrl, delivery));
		assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 200, 200]);
		assert.deepEqual(answers.map((a) => (JSON.parse(a.body) as { new: number }).new), [1, 0, 0, 0, 0], 'recorded once; the repeats say duplicate');
		const again = signedWooDelivery('order.created', wooOrderPayload({ id: 1003, status: 'processing', total: '30.00', email: 'ben@example.com' }), env.wooSecret);
		const statuses = await Promise.all(Array.from({ length: 5 }, () => post(env.wooUrl, again)));
		assert.deepEqual(statuses.map((s) => s.status), [200, 200, 200, 200, 200]);
		// The same order reported again by new deliveries (a status change, WooCommerce's own retry with a new id).
		const completed = signedWooDelivery('order.updated', wooOrderPayload({ id: 1003, status: 'completed', total: '30.00', email: 'ben@example.com' }), env.wooSecret);
		const concurrentNewIds = await Promise.all(Array.from({ length: 5 }, () => post(env.wooUrl, signedWooDelivery('order.updated', JSON.parse(completed.body), env.wooSecret))));
		assert.ok(concurrentNewIds.every((s) => s.status === 200 && (JSON.parse(s.body) as { new: number }).new === 0), 'the paid order again is no new event');
		await awaitEntries('woocommerce', '1002', [['earn', 20]]);
		await awaitEntries('woocommerce', '1003', [['earn', 30]]);
		assert.equal(await balanceOf('ben@example.com'), 50);
		// Recorded once each, owed once each to the one event trigger: duplicates start no run.
		const [{ n }] = await store.db.query<{ n: number }>("SELECT COUNT(*) AS n FROM event_deliveries d JOIN events e ON e.id = d.event_id WHERE e.idempotency_key IN ('woocommerce:order:1002:paid', 'woocommerce:order:1003:paid')");
		assert.equal(Number(n), 2);
	});

	test('a partial refund reverses the refunded share', async () => {
		const order = { id: 1004, status: 'processing' as const, total: '80.00', email: 'chloe@example.com' };
		assert.equal((await post(env.wooUrl, signedWooDelivery('order.created', wooOrderPayload(order), env.wooSecret))).status, 200);
		await awaitEntries('woocommerce', '1004', [['earn', 80]]);
		assert.equal(await balanceOf('chloe@example.com'), 80);
		const refunded = wooOrderPayload({ ...order, refunds: [{ id: 77, total: '20.00', reason: 'one bag damaged' }] });
		assert.equal((await post(env.wooUrl, signedWooDelivery('order.updated', refunded, env.wooSecret))).status, 200);
		await awaitEntries('woocommerce', '1004', [['earn', 80], ['reverse', -20]]);
		assert.equal(await balanceOf('chloe@example.com'), 60);
	});

	test('a forged or missing signature gets 401 and writes nothing', async () => {
		const owedBefore = await owedRows();
		const [{ n: eventsBefore }] = await store.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM events');
		const genuine = signedWooDelivery('order.created', wooOrderPayload({ id: 1005, status: 'processing', total: '99.00', email: 'mallory@example.com' }), env.wooSecret);
		const forged = { body: genuine.body.replace('99.00', '999.00'), headers: genuine.headers };
		assert.equal((await post(env.wooUrl, forged)).status, 401);
		const wrongKey = signedWooDelivery('order.created', JSON.parse(genuine.body), 'not-the-shop-secret');
		assert.equal((await post(env.wooUrl, wrongKey)).status, 401);
		const unsigned = { body: genuine.body, headers: { ...genuine.headers, 'x-wc-webhook-signature': '' } };
		assert.equal((await post(env.wooUrl, unsigned)).status, 401);
		const square = signedSquareDelivery(squarePaymentNotification({ paymentId: 'PAY-FORGED', orderId: 'ORD-FORGED', amount: 5000, email: 'mallory@example.com' }), 'wrong-key', env.squareUrl);
		assert.equal((await post(env.squareUrl, square)).status, 401);
		// Intake answers after its transaction: what a 401 did not write is already visible.
		const [{ n: eventsAfter }] = await store.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM events');
		assert.equal(Number(eventsAfter), Number(eventsBefore));
		assert.equal(await store.findCustomer({ identities: { email: 'mallory@example.com' } }), undefined);
		assert.equal(await owedRows(), owedBefore, 'nothing is owed to a workflow');
		const [{ n: kept }] = await store.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM intake_quarantine');
		assert.equal(Number(kept), 0, 'forged deliveries are not kept');
	});

	test('a signed delivery that cannot be read (broken JSON, an email that is none) is acknowledged and quarantined, not refused by n8n', async () => {
		const { createHmac } = await import('node:crypto');
		const body = '{"id": 1006, "status": "processing", "total": "12.00"';
		const headers = { 'content-type': 'application/json', 'x-wc-webhook-topic': 'order.created', 'x-wc-webhook-resource': 'order', 'x-wc-webhook-id': '17', 'x-wc-webhook-delivery-id': 'broken-1', 'x-wc-webhook-signature': createHmac('sha256', env.wooSecret).update(body).digest('base64') };
		const broken = await post(env.wooUrl, { body, headers });
		assert.equal(broken.status, 200, broken.body);
		assert.equal((JSON.parse(broken.body) as { quarantined: boolean }).quarantined, true);
		const guest = await post(env.wooUrl, signedWooDelivery('order.created', wooOrderPayload({ id: 1007, status: 'processing', total: '15.00', email: 'not-an-email' }), env.wooSecret));
		const reply = JSON.parse(guest.body) as { quarantined: boolean; field: string };
		assert.deepEqual([guest.status, reply.quarantined, reply.field], [200, true, 'billing.email']);
		const [{ n }] = await store.db.query<{ n: number }>("SELECT COUNT(*) AS n FROM intake_quarantine WHERE status = 'quarantined'");
		assert.equal(Number(n), 2);
	});

	test("WooCommerce's unsigned creation ping is answered 200 and starts nothing", async () => {
		const owedBefore = await owedRows();
		const response = await fetch(env.wooUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'webhook_id=17' });
		assert.equal(response.status, 200);
		assert.match(await response.text(), /ping acknowledged/);
		assert.equal(await owedRows(), owedBefore);
	});

	test('a completed Square payment earns points (order looked up from Square), its refund takes them back', async () => {
		const payment = squarePaymentNotification({ paymentId: 'PAY-E2E-1', orderId: env.squareExampleOrderId, amount: 6400, customerId: env.squareExampleCustomerId, email: 'dev@example.com' });
		const answer = await post(env.squareUrl, signedSquareDelivery(payment, env.squareSignatureKey, env.squareUrl));
		assert.equal(answer.status, 200, answer.body);
		assert.equal((await post(env.squareUrl, signedSquareDelivery(payment, env.squareSignatureKey, env.squareUrl))).status, 200);
		await awaitEntries('square', env.squareExampleOrderId, [['earn', 64]]);
		// The profile is Square's customer, as RetrieveCustomer described them.
		const squareCustomer = { square: env.squareExampleCustomerId };
		assert.equal(await balanceOf(squareCustomer), 64);
		const refund = squareRefundNotification({ refundId: 'REF-E2E-1', paymentId: 'PAY-E2E-1', orderId: env.squareExampleOrderId, amount: 1600 });
		const refundAnswer = await post(env.squareUrl, signedSquareDelivery(refund, env.squareSignatureKey, env.squareUrl));
		assert.equal(refundAnswer.status, 200, refundAnswer.body);
		await awaitEntries('square', env.squareExampleOrderId, [['earn', 64], ['reverse', -16]]);
		assert.equal(await balanceOf(squareCustomer), 48);
		assert.deepEqual(await verifyBalances(store), []);
	});

	test("the shop sandbox saw no request or answer that breaks the vendors' documents", () => {
		env.sandbox.assertNoViolations();
	});
}
