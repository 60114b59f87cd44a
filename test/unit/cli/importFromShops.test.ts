import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { square, withRetries, woocommerce, type HttpFunction } from '../../../connectors';
import { importOrderHistory, ImportMode, Ledger, openStore, readImportCheckpoint, verifyBalances, type HistoryImportSummary, type Store } from '../../../engine';
import { fetchHttp } from '../../../cli/fetchHttp';
import { main } from '../../../cli/main';
import { startShopSandbox, type ShopSandbox } from '../../../sandbox';
import { backends } from '../../support/stores';

const dir = mkdtempSync(join(tmpdir(), 'loyalty-import-api-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

let sandbox: ShopSandbox;
let stores = 0;
const openFresh = (): Promise<Store> => openStore({ kind: 'sqlite', path: join(dir, `store-${++stores}.sqlite`) });

/** Points on the books, earn entries, and whether every balance adds up. */
async function books(store: Store): Promise<{ points: number; earns: number; reversals: number; mismatches: number }> {
	const [{ points }] = await store.db.query<{ points: number }>('SELECT COALESCE(SUM(available), 0) AS points FROM loyalty_accounts');
	const [{ earns }] = await store.db.query<{ earns: number }>("SELECT COUNT(*) AS earns FROM ledger_entries WHERE kind = 'earn'");
	const [{ reversals }] = await store.db.query<{ reversals: number }>("SELECT COUNT(*) AS reversals FROM ledger_entries WHERE kind = 'reverse'");
	return { points: Number(points), earns: Number(earns), reversals: Number(reversals), mismatches: (await verifyBalances(store)).length };
}

/** Waits nowhere near as long as a real back-off, but says what it was asked to wait. */
function fastRetries(http: HttpFunction, waits: Array<{ status?: number; delayMs: number }>, attempts = 3): HttpFunction {
	return withRetries(http, { attempts, baseDelayMs: 5, onWait: ({ status, delayMs }) => waits.push({ status, delayMs }) });
}

before(async () => {
	sandbox = await startShopSandbox({ log: () => undefined });
});
after(async () => sandbox?.stop());

describe('import from WooCommerce through its API', () => {
	const ORDERS = 150;
	const wooOrders: Array<Record<string, unknown>> = [];

	before(() => {
		const start = Date.parse('2025-03-01T09:00:00Z');
		for (let i = 0; i < ORDERS; i++) {
			const n = i % 10;
			wooOrders.push(
				sandbox.woo.createOrder({
					status: 'completed',
					customer_id: n + 1,
					billing: { email: `w${n}@example.com`, first_name: `W${n}` },
					line_items: [{ name: 'Beans', quantity: 1, total: '10.00' }],
					// A minute apart, as a real history is: the resume point is a creation time.
					date_paid_gmt: new Date(start + i * 60_000).toISOString().slice(0, 19),
				}),
			);
		}
		sandbox.woo.createOrder({ status: 'pending', customer_id: 1, billing: { email: 'w0@example.com' }, line_items: [{ name: 'Beans', total: '99.00' }] });
		sandbox.woo.refundOrder(Number(wooOrders[0].id), { amount: '5.00', reason: 'spilled' });
	});

	const client = (http: HttpFunction) => woocommerce.createWooCommerceClient(http, { baseUrl: sandbox.baseUrl, consumerKey: 'ck_import', consumerSecret: 'cs_import' });
	const run = (store: Store, http: HttpFunction, options: { since?: string } = {}): Promise<HistoryImportSummary> =>
		importOrderHistory(store, new Ledger(store), { name: 'woocommerce:test', source: 'woocommerce', mode: ImportMode.Earn, pages: (resumeFrom) => woocommerce.wooCommerceOrderHistory(client(http), { shopUrl: sandbox.baseUrl, ...options }, resumeFrom) });

	test('books every paid order and refund once, page by page; a second run books nothing', async () => {
		const store = await openFresh();
		try {
			await booksOnce(store);
		} finally {
			await store.close();
		}
	});

	describe('on PostgreSQL', async () => {
		const postgres = (await backends()).find((b) => b.name === 'postgres')!;
		test('books once, and an interrupted import resumes', { skip: postgres.unavailable }, async () => {
			const { store, cleanup } = await postgres.open();
			try {
				await booksOnce(store);
				const fresh = await postgres.open();
				try {
					await interruptsAndResumes(fresh.store);
				} finally {
					await fresh.cleanup();
				}
			} finally {
				await cleanup();
			}
		});
	});

	async function booksOnce(store: Store): Promise<void> {
		const first = await run(store, fetchHttp());
		assert.equal(first.pages, 2, '150 orders are two pages of 100');
		assert.equal(first.orders, ORDERS, 'the pending order is left out');
		assert.equal(first.written, ORDERS);
		assert.equal(first.refunds, 1);
		const once = await books(store);
		assert.deepEqual(once, { points: ORDERS * 10 - 5, earns: ORDERS, reversals: 1, mismatches: 0 }, '10 points an order; refunding 5.00 of 10.00 takes back 5');
		const second = await run(store, fetchHttp());
		assert.equal(second.written, 0);
		assert.equal(second.alreadyBooked, ORDERS);
		assert.deepEqual(await books(store), once);
	}

	test('an import interrupted on page 2 resumes after page 1 and awards nothing twice', async () => {
		const store = await openFresh();
		try {
			await interruptsAndResumes(store);
		} finally {
			await store.close();
		}
	});

	async function interruptsAndResumes(store: Store): Promise<void> {
		const waits: Array<{ status?: number; delayMs: number }> = [];
		sandbox.faults.inject({ vendor: 'woocommerce', path: /\/orders\?.*page=2/, status: 503 });
		await assert.rejects(run(store, fastRetries(fetchHttp(), waits)), /503|WooCommerce/);
		sandbox.faults.clear('woocommerce');
		assert.equal(waits.length, 2, 'the 503 was retried with back-off before giving up');
		const checkpoint = await readImportCheckpoint(store.db, 'woocommerce:test');
		assert.equal(checkpoint, '2025-03-01T10:38:59', "one second before the 100th order's creation");
		assert.equal((await books(store)).earns, 100);

		const resumed = await run(store, fetchHttp());
		assert.equal(resumed.resumedFrom, checkpoint);
		assert.equal(resumed.orders, 51, 'the 100th order again (harmless) and the 50 after it');
		assert.equal(resumed.alreadyBooked, 1);
		assert.deepEqual(await books(store), { points: ORDERS * 10 - 5, earns: ORDERS, reversals: 1, mismatches: 0 });
		assert.equal(await readImportCheckpoint(store.db, 'woocommerce:test'), undefined, 'a finished import leaves no resume point');
	}

	test('a 429 is waited out for its Retry-After', async () => {
		const store = await openFresh();
		try {
			const waits: Array<{ status?: number; delayMs: number }> = [];
			const fault = sandbox.faults.inject({ vendor: 'woocommerce', path: /\/orders\?/, status: 429, retryAfterSeconds: 1, times: 1 });
			const summary = await run(store, withRetries(fetchHttp(), { onWait: (w) => waits.push(w) }));
			assert.equal(fault.hits, 1);
			assert.deepEqual(waits, [{ status: 429, delayMs: 1000, attempt: 1, url: `${sandbox.baseUrl}/wp-json/wc/v3/orders` }]);
			assert.equal(summary.written, ORDERS);
		} finally {
			await store.close();
		}
	});

	test('an order a live webhook already earned for earns once; --since limits the import', async () => {
		const store = await openFresh();
		try {
			const live = wooOrders[120];
			const ledger = new Ledger(store);
			for (const event of woocommerce.normalizeWooCommerceDelivery({ topic: 'order.created', deliveryId: 'live-1', payload: live })) await ledger.applyEvent(event);
			assert.equal((await books(store)).points, 10);
			const summary = await run(store, fetchHttp(), { since: '2025-03-01T11:00:00Z' });
			assert.equal(summary.orders, 30, 'orders 120 to 149 were placed from 11:00 on');
			assert.equal(summary.alreadyBooked, 1, 'the live order');
			assert.deepEqual(await books(store), { points: 300, earns: 30, reversals: 0, mismatches: 0 });
		} finally {
			await store.close();
		}
	});

	test('the command reads the credentials from the environment', async () => {
		const path = join(dir, 'cli.sqlite');
		const saved = { ...process.env };
		Object.assign(process.env, { LOYALTY_WOOCOMMERCE_URL: sandbox.baseUrl, LOYALTY_WOOCOMMERCE_KEY: 'ck_env', LOYALTY_WOOCOMMERCE_SECRET: 'cs_env' });
		const log = console.log;
		const error = console.error;
		const out: string[] = [];
		const err: string[] = [];
		console.log = (line: string) => void out.push(line);
		console.error = (line: string) => void err.push(line);
		try {
			assert.equal(await main(['import', '--from', 'woocommerce', '--record-only', '--store', path]), 0);
		} finally {
			console.log = log;
			console.error = error;
			process.env = saved;
		}
		const summary = JSON.parse(out.at(-1)!) as HistoryImportSummary;
		assert.equal(summary.mode, 'record_only');
		assert.equal(summary.written, ORDERS);
		assert.match(err.join('\n'), /import: page 2, 150 orders, 1 refunds/);
		const store = await openStore({ kind: 'sqlite', path });
		try {
			assert.equal((await books(store)).earns, 0, 'record-only awards nothing');
			const [{ n }] = await store.db.query<{ n: number }>("SELECT COUNT(*) AS n FROM orders WHERE source = 'woocommerce'");
			assert.equal(Number(n), ORDERS);
		} finally {
			await store.close();
		}
	});
});

describe('import from WooCommerce: birthdays from the shop\'s own meta key', () => {
	test('--birthday-meta-keys reads the birthday a plugin keeps on the order, as the trigger\'s setting does', async () => {
		const shop = await startShopSandbox({ log: () => undefined });
		const path = join(dir, 'birthdays.sqlite');
		const log = console.log;
		const error = console.error;
		try {
			const order = (email: string, meta: Array<{ key: string; value: string }>) =>
				shop.woo.createOrder({ status: 'completed', billing: { email, first_name: 'B' }, line_items: [{ name: 'Beans', quantity: 1, total: '10.00' }], meta_data: meta });
			order('own-key@example.com', [{ key: 'my_shop_birthday', value: '1988-04-12' }]);
			order('default-key@example.com', [{ key: 'yith_birthday', value: '1990-11-30' }]);
			console.log = () => undefined;
			console.error = () => undefined;
			const args = ['import', '--from', 'woocommerce', '--record-only', '--url', shop.baseUrl, '--key', 'ck_b', '--secret', 'cs_b', '--store', path];
			assert.equal(await main([...args, '--birthday-meta-keys', 'my_shop_birthday, birthday']), 0);
		} finally {
			console.log = log;
			console.error = error;
			await shop.stop();
		}
		const store = await openStore({ kind: 'sqlite', path });
		try {
			const birthdayOf = async (email: string) => (await store.findCustomer({ identities: { email } }))?.birthday;
			assert.deepEqual(await birthdayOf('own-key@example.com'), { year: 1988, month: 4, day: 12 }, 'the key given is read');
			assert.equal(await birthdayOf('default-key@example.com'), undefined, 'the given keys replace the default list, as the setting does');
		} finally {
			await store.close();
		}
	});
});

describe('import from Square through its API', () => {
	const ORDERS = 120;
	const sales: Array<{ order: Record<string, unknown>; payment: Record<string, unknown> }> = [];

	before(() => {
		const customers = [0, 1, 2, 3].map((n) => sandbox.square.createCustomer({ given_name: `S${n}`, email_address: `s${n}@example.com` }));
		const start = Date.parse('2025-04-01T09:00:00Z');
		for (let i = 0; i < ORDERS; i++) {
			const customerId = String(customers[i % 4].id);
			const order = sandbox.square.createOrder({ customer_id: customerId, created_at: new Date(start + i * 60_000).toISOString(), line_items: [{ name: 'Latte', quantity: '2', base_price_money: { amount: 450, currency: 'USD' } }] });
			const payment = sandbox.square.createPayment({ order_id: String(order.id), customer_id: customerId });
			sales.push({ order: sandbox.square.orders.get(String(order.id))!, payment });
		}
		sandbox.square.createOrder({ customer_id: String(customers[0].id), line_items: [{ name: 'Unpaid', base_price_money: { amount: 10_000, currency: 'USD' } }] });
		sandbox.square.refundPayment(String(sales[3].payment.id), 400, 'cold');
	});

	const client = (http: HttpFunction) => square.createSquareClient(http, { accessToken: 'sandbox-token', environment: 'sandbox', baseUrl: sandbox.baseUrl });
	const run = (store: Store, http: HttpFunction): Promise<HistoryImportSummary> =>
		importOrderHistory(store, new Ledger(store), { name: 'square:test', source: 'square', mode: ImportMode.Earn, pages: (resumeFrom) => square.squareOrderHistory(client(http), {}, resumeFrom) });

	test('books every completed order and refund once, with the live keys; a live payment earns once; a second run books nothing', async () => {
		const store = await openFresh();
		try {
			const ledger = new Ledger(store);
			const live = sales[7];
			const customer = sandbox.square.customers.get(String(live.order.customer_id));
			for (const event of square.normalizeSquareNotification({ type: 'payment.updated', event_id: 'live-1', data: { object: { payment: live.payment } } }, { order: live.order, customer })) await ledger.applyEvent(event);
			assert.equal((await books(store)).points, 9);

			const waits: Array<{ status?: number; delayMs: number }> = [];
			sandbox.faults.inject({ vendor: 'square', path: /\/v2\/orders\/search/, status: 429, retryAfterSeconds: 1, times: 1 });
			const first = await run(store, withRetries(fetchHttp(), { onWait: (w) => waits.push(w) }));
			assert.equal(waits[0]?.status, 429);
			assert.equal(waits[0]?.delayMs, 1000);
			assert.equal(first.pages, 2, '120 orders are two pages of 100');
			assert.equal(first.orders, ORDERS, 'the open order is left out');
			assert.equal(first.alreadyBooked, 1, 'the order the live payment earned for');
			assert.equal(first.refunds, 1);
			const once = await books(store);
			assert.deepEqual(once, { points: ORDERS * 9 - 4, earns: ORDERS, reversals: 1, mismatches: 0 }, '9.00 earns 9; refunding 4.00 of it takes back 4');
			const [{ n: profiles }] = await store.db.query<{ n: number }>("SELECT COUNT(DISTINCT customer_id) AS n FROM customer_identities WHERE kind = 'email'");
			assert.equal(Number(profiles), 4, "the customers' profiles were looked up, as the trigger does");

			const second = await run(store, fetchHttp());
			assert.equal(second.written, 0);
			assert.deepEqual(await books(store), once);
		} finally {
			await store.close();
		}
	});

	test('an import interrupted on page 2 resumes after page 1', async () => {
		const store = await openFresh();
		try {
			const waits: Array<{ status?: number; delayMs: number }> = [];
			// Page 1 is answered; then Square fails with 500 until the fault is cleared.
			let searches = 0;
			const http: HttpFunction = async (request) => {
				if (request.url.endsWith('/v2/orders/search') && ++searches === 1) {
					sandbox.faults.clear('square');
					const answer = await fetchHttp()(request);
					sandbox.faults.inject({ vendor: 'square', path: /\/v2\/orders\/search/, status: 500 });
					return answer;
				}
				return fetchHttp()(request);
			};
			await assert.rejects(run(store, fastRetries(http, waits)), /500/);
			sandbox.faults.clear('square');
			assert.equal((await books(store)).earns, 100);
			const checkpoint = await readImportCheckpoint(store.db, 'square:test');
			assert.equal(checkpoint, '2025-04-01T10:39:00.000Z', "the 100th order's creation time");
			const resumed = await run(store, fetchHttp());
			assert.equal(resumed.orders, 21, 'the 100th order again (harmless) and the 20 after it');
			assert.deepEqual(await books(store), { points: ORDERS * 9 - 4, earns: ORDERS, reversals: 1, mismatches: 0 });
		} finally {
			await store.close();
		}
	});
});

test("the imports broke none of the vendors' documents", (t) => {
	// Runs after the imports above. A no-op when the documents are not found (the summary says so).
	t.diagnostic(sandbox.validationSummary());
	sandbox.assertNoViolations();
});
