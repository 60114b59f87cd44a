import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { verifyBalances, openStore, type LoyaltyEvent, type Store, type StoreConfig } from '../../engine';
import { backends } from '../support/stores';

const run = promisify(execFile);
const WORKERS = 3;
const ORDERS = 60;

/** The same deliveries reaching several worker processes at once, as in n8n queue mode. */
function events(): LoyaltyEvent[] {
	const list: LoyaltyEvent[] = [];
	for (let i = 0; i < ORDERS; i++) {
		const customer = { identities: { email: `shopper${i % 7}@example.com` } };
		const totalMinor = 1000 + i * 137;
		list.push({
			id: `delivery-${i}`,
			type: 'purchase',
			source: 'woocommerce',
			occurredAt: '2026-03-01T10:00:00.000Z',
			idempotencyKey: `woocommerce:order:${i}:paid`,
			customer,
			order: { source: 'woocommerce', id: String(i), status: 'paid', placedAt: '2026-03-01T10:00:00.000Z', currency: 'USD', totalMinor, lines: [], customer },
		});
		if (i % 5 === 0) {
			list.push({
				id: `delivery-refund-${i}`,
				type: 'refund',
				source: 'woocommerce',
				occurredAt: '2026-03-02T10:00:00.000Z',
				idempotencyKey: `woocommerce:refund:r${i}`,
				customer,
				refund: { source: 'woocommerce', id: `r${i}`, orderId: String(i), amountMinor: Math.floor(totalMinor / 3), currency: 'USD', createdAt: '2026-03-02T10:00:00.000Z' },
			});
		}
	}
	return list;
}

describe('several worker processes applying the same events', async () => {
	for (const backend of await backends()) {
		describe(`on ${backend.name}`, { skip: backend.unavailable }, () => {
			let store: Store;
			let config: StoreConfig;
			let cleanup: () => Promise<void>;
			const dir = mkdtempSync(join(tmpdir(), 'loyalty-workers-'));
			before(async () => {
				({ store, config, cleanup } = await backend.open());
			});
			after(async () => {
				await cleanup();
				rmSync(dir, { recursive: true, force: true });
			});

			test('award each order once and take back each refund once', async () => {
				const file = join(dir, 'events.json');
				const all = events();
				writeFileSync(file, JSON.stringify(all));
				const outputs = await Promise.all(
					Array.from({ length: WORKERS }, (_, w) => run(process.execPath, ['--import', 'tsx', join(__dirname, 'support', 'worker.ts'), JSON.stringify(config), file, String(w + 1)], { timeout: 120_000 })),
				);
				const counts = outputs.map((o) => JSON.parse(o.stdout.trim()) as { applied: number; replays: number });
				assert.equal(counts.reduce((sum, c) => sum + c.applied, 0), all.length, JSON.stringify(counts));
				assert.equal(counts.reduce((sum, c) => sum + c.replays, 0), all.length * (WORKERS - 1));

				const earns = await store.db.query<{ order_id: string; n: number }>("SELECT order_id, COUNT(*) AS n FROM ledger_entries WHERE kind = 'earn' GROUP BY order_id");
				assert.equal(earns.length, ORDERS);
				assert.ok(earns.every((row) => Number(row.n) === 1));
				const [{ points }] = await store.db.query<{ points: number }>('SELECT SUM(available) AS points FROM loyalty_accounts');
				const expected = all.reduce((sum, e) => sum + (e.order ? Math.floor(e.order.totalMinor / 100) : 0), 0) - all.filter((e) => e.refund).reduce((sum, e) => {
					const order = all.find((o) => o.order?.id === e.refund!.orderId)!.order!;
					return sum + Math.floor((Math.floor(order.totalMinor / 100) * e.refund!.amountMinor) / order.totalMinor);
				}, 0);
				assert.equal(Number(points), expected);
				assert.deepEqual(await verifyBalances(store), []);
				const reopened = await openStore(config);
				assert.equal(await reopened.migrate(), 0);
				await reopened.close();
			});
		});
	}
});
