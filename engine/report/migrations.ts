import type { CustomerColumn, Migration } from '../store/migrations';

/**
 * The dashboard's read model (versions 1000–1099): per-hour sums and per-order and per-customer
 * summaries that engine/report/fold.ts folds from the base tables after they were written, so
 * that a page over a million orders reads a few thousand rows. Nothing here is written by the
 * award or intake path: the fold runs when a page is built, when the health check looks, and
 * after an import. Every row can be rebuilt from the base tables (docs/dashboard-statistics.md).
 */
export const REPORT_MIGRATIONS: readonly Migration[] = [
	{
		version: 1000,
		name: 'dashboard read model',
		sql: `
CREATE TABLE report_fold_state (
	name TEXT PRIMARY KEY,
	position TEXT NOT NULL,
	gaps TEXT NOT NULL,
	folded_at TEXT
);
INSERT INTO report_fold_state (name, position, gaps) VALUES ('lock', '', '[]'), ('ledger', '0', '[]'), ('events', '', '[]'), ('orders', '', '[]');
CREATE TABLE report_ledger_hours (
	program_id TEXT NOT NULL,
	kind TEXT NOT NULL,
	hour TEXT NOT NULL,
	total BIGINT NOT NULL,
	PRIMARY KEY (program_id, kind, hour)
);
CREATE TABLE report_lot_moves (
	program_id TEXT NOT NULL,
	lot_hour TEXT NOT NULL,
	kind TEXT NOT NULL,
	total BIGINT NOT NULL,
	PRIMARY KEY (program_id, lot_hour, kind)
);
CREATE TABLE report_activity (
	program_id TEXT NOT NULL,
	customer_id TEXT NOT NULL,
	last_at TEXT NOT NULL,
	PRIMARY KEY (program_id, customer_id)
);
CREATE INDEX report_activity_at ON report_activity (program_id, last_at);
CREATE TABLE report_event_hours (
	source TEXT NOT NULL,
	hour TEXT NOT NULL,
	n BIGINT NOT NULL,
	last_at TEXT NOT NULL,
	PRIMARY KEY (source, hour)
);
CREATE TABLE report_orders (
	source TEXT NOT NULL,
	id TEXT NOT NULL,
	customer_id TEXT,
	ev_at TEXT,
	ev_paid INTEGER,
	ev_cur TEXT,
	ev_total BIGINT,
	row_at TEXT,
	row_paid INTEGER,
	row_cur TEXT,
	row_total BIGINT,
	at TEXT NOT NULL,
	hour TEXT NOT NULL,
	paid INTEGER NOT NULL,
	cur TEXT,
	total BIGINT,
	recorded INTEGER NOT NULL,
	earned INTEGER NOT NULL,
	PRIMARY KEY (source, id)
);
CREATE INDEX report_orders_hour ON report_orders (hour);
CREATE INDEX report_orders_unearned ON report_orders (at, hour, paid, cur, total) WHERE earned = 0;
CREATE TABLE report_order_earns (
	program_id TEXT NOT NULL,
	source TEXT NOT NULL,
	id TEXT NOT NULL,
	PRIMARY KEY (program_id, source, id)
);
CREATE INDEX report_order_earns_order ON report_order_earns (source, id);
CREATE TABLE report_order_hours (
	hour TEXT PRIMARY KEY,
	seen BIGINT NOT NULL,
	recorded BIGINT NOT NULL
);
CREATE TABLE report_earn_hours (
	program_id TEXT NOT NULL,
	hour TEXT NOT NULL,
	n BIGINT NOT NULL,
	PRIMARY KEY (program_id, hour)
);
CREATE TABLE report_customer_orders (
	customer_id TEXT NOT NULL,
	currency TEXT NOT NULL,
	n BIGINT NOT NULL,
	total BIGINT NOT NULL,
	PRIMARY KEY (customer_id, currency)
);
CREATE INDEX report_events_received ON events (received_at);
CREATE INDEX report_orders_updated ON orders (updated_at);
`,
	},
];

// Why the two indexes on other features' tables (events, orders): the fold reads what changed
// since its last look by when it was received (events) or last written (orders); without them each
// look would read both tables whole. They are the only cost the read model adds to a write, one
// index entry per row (measured with `npm run bench ledger`, docs/scaling.md).

/**
 * The read model's rows that name a customer. After a merge the report's hook
 * (engine/report/fold.ts refoldMergedCustomer) recounts both customers' activity and order sums
 * from the base tables; an order summary's customer is only which sums to recount when that order
 * changes again, so a merged-away one there recounts a customer with nothing left. An erasure keeps
 * them under the pseudonym, as it keeps the orders and points they count.
 */
export const REPORT_CUSTOMER_COLUMNS: readonly CustomerColumn[] = [
	{ table: 'report_activity', column: 'customer_id', onMerge: 'rebuilt', onErase: 'keep' },
	{ table: 'report_customer_orders', column: 'customer_id', onMerge: 'rebuilt', onErase: 'keep' },
	{ table: 'report_orders', column: 'customer_id', onMerge: 'rebuilt', onErase: 'keep' },
];
