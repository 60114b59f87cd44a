import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../engine';
import { ENGINE_TABLES } from '../../engine/features';
import { backends } from '../support/stores';

describe('merging two profiles of one person', async () => {
	for (const backend of await backends()) {
		describe(`on ${backend.name}`, { skip: backend.unavailable }, () => {
			let store: Store;
			let cleanup: () => Promise<void>;
			before(async () => {
				({ store, cleanup } = await backend.open());
			});
			after(async () => cleanup());

			test('every column that names a customer is covered by the merge', async () => {
				const columns =
					store.dialect === 'sqlite'
						? (
								await Promise.all(
									(await store.db.query<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")).map(async ({ name }) =>
										(await store.db.query<{ name: string }>(`SELECT name FROM pragma_table_info('${name}')`)).map((c) => ({ table: name, column: c.name })),
									),
								)
							).flat()
						: await store.db.query<{ table: string; column: string }>('SELECT table_name AS "table", column_name AS "column" FROM information_schema.columns WHERE table_schema = current_schema()');
				const naming = columns.filter((c) => /^customer_(id|key)$/.test(c.column) && !['customers', 'loyalty_accounts'].includes(c.table));
				assert.ok(naming.length >= 5);
				for (const { table, column } of naming) {
					assert.ok(ENGINE_TABLES.customerColumns.some((c) => c.table === table && c.column === column), `${table}.${column} is not handled when profiles merge`);
				}
			});

			test('rows of every feature follow the surviving profile', async () => {
				const square = await store.upsertCustomer({ identities: { square: 'SQ-MERGE' } });
				const woo = await store.upsertCustomer({ identities: { email: 'merge@example.com' } });
				const now = new Date().toISOString();
				// Both profiles have a score row with a foreign key to their profile; one profile is about to disappear.
				for (const id of [square.id, woo.id]) {
					await store.db.execute(
						`INSERT INTO customer_insights (program_id, customer_id, as_of, segment, lifecycle, value_tier, recency_score, frequency_score, monetary_score, updated_at)
						 VALUES ('default', $1, $2, 'New', 'new', 'occasional', 5, 1, 1, $2)`,
						[id, now],
					);
				}
				await store.db.execute(
					`INSERT INTO events (id, type, source, idempotency_key, customer_id, occurred_at, received_at, payload) VALUES ('e-merge', 'customer_updated', 'generic', 'k-merge', $1, $2, $2, '{}')`,
					[woo.createdAt <= square.createdAt ? square.id : woo.id, now],
				);
				const merged = await store.upsertCustomer({ identities: { square: 'SQ-MERGE', email: 'merge@example.com' } });
				const [event] = await store.db.query<{ customer_id: string }>("SELECT customer_id FROM events WHERE id = 'e-merge'");
				assert.equal(event.customer_id, merged.id);
				const scores = await store.db.query<{ customer_id: string }>('SELECT customer_id FROM customer_insights');
				assert.deepEqual(scores.map((r) => r.customer_id), [merged.id]);
				const [{ n: profiles }] = await store.db.query<{ n: number }>("SELECT COUNT(*) AS n FROM customers WHERE id IN ($1, $2)", [square.id, woo.id]);
				assert.equal(Number(profiles), 1);
			});
		});
	}
});
