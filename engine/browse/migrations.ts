import type { CustomerColumn, Migration } from '../store/migrations';

/**
 * Tables of the browse and price triggers. Versions 1200–1209.
 * - `browse_views`: one row per view or wish-list entry, keyed by the event that reported it, so a
 *   repeated delivery writes nothing; pruned after the retention period.
 * - `browse_products`: the last price and stock seen per product. Catalog and stock webhooks carry
 *   no previous value, so this row is what a drop is measured against; `last_key` is the report
 *   it came from, so the same report twice changes nothing.
 */
export const BROWSE_MIGRATIONS: readonly Migration[] = [
	{
		version: 1200,
		name: 'product views and last seen product price and stock',
		sql: `
CREATE TABLE browse_views (
	event_key TEXT PRIMARY KEY,
	customer_id TEXT NOT NULL REFERENCES customers(id),
	product_id TEXT NOT NULL,
	categories TEXT NOT NULL,
	kind TEXT NOT NULL,
	viewed_at TEXT NOT NULL
);
CREATE INDEX browse_views_customer ON browse_views (customer_id, viewed_at);
CREATE INDEX browse_views_product ON browse_views (product_id, viewed_at);
CREATE INDEX browse_views_age ON browse_views (viewed_at);
CREATE TABLE browse_products (
	product_id TEXT PRIMARY KEY,
	source TEXT NOT NULL,
	name TEXT,
	categories TEXT NOT NULL,
	url TEXT,
	currency TEXT,
	price_minor BIGINT,
	in_stock INTEGER,
	last_key TEXT NOT NULL,
	observed_at TEXT NOT NULL
);
`,
	},
];

/**
 * Views follow the customer into a merged profile, and are deleted when the customer is erased:
 * what someone looked at is about the person and counts in no books.
 */
export const BROWSE_CUSTOMER_COLUMNS: readonly CustomerColumn[] = [{ table: 'browse_views', column: 'customer_id', onMerge: 'move', onErase: 'delete' }];
