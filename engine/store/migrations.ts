import type { Dialect } from './db';

/**
 * One ordered migration list for both backends. The SQL is shared; the only dialect difference
 * is the auto-increment primary key, written as `{{ID}}`. Times are ISO-8601 UTC text (sortable,
 * readable in either database); money and points are integers; documents are JSON text.
 * Never edit a released migration: append a new one.
 */
export interface Migration {
	version: number;
	name: string;
	sql: string;
}

/**
 * A column that names a customer. When two profiles turn out to be one person, the merged-away
 * profile's rows are moved to the survivor, or dropped where they are derived and recomputed
 * (scores); every table that names a customer must be listed, or a merge would orphan its rows.
 * The same list says what erasing a customer (engine/privacy) does to the rows, and what an
 * export of the customer shows.
 */
export interface CustomerColumn {
	table: string;
	column: string;
	/** `rebuilt`: a cache the feature's `afterCustomerMerge` rebuilds; the merge itself leaves it alone. */
	onMerge: 'move' | 'drop' | 'rebuilt';
	/**
	 * The other columns of a unique key that includes `column`. Where the survivor already has a
	 * row with the same values, the merged-away row is a duplicate and is dropped instead of moved.
	 */
	uniqueWith?: readonly string[];
	/**
	 * When the customer asks to be erased: `delete` the rows (about the person, or about what
	 * would still be done for them), or `keep` them under the erased customer's pseudonym because
	 * the books and the statistics count them (points, orders, sends, rule budgets).
	 */
	onErase: 'delete' | 'keep';
	/**
	 * On kept rows: the text and JSON columns that can name the person (free text, documents,
	 * keys built from a customer id). Erasing scrubs them: the customer id becomes the
	 * pseudonym, identities and names are removed (engine/privacy/scrub.ts).
	 */
	scrub?: readonly string[];
}

export const CORE_CUSTOMER_COLUMNS: readonly CustomerColumn[] = [
	{ table: 'customer_identities', column: 'customer_id', onMerge: 'move', onErase: 'delete' },
	// Events and orders are what the shop reported and the books rest on: kept, without the person.
	{ table: 'events', column: 'customer_id', onMerge: 'move', onErase: 'keep', scrub: ['idempotency_key', 'payload'] },
	{ table: 'orders', column: 'customer_id', onMerge: 'move', onErase: 'keep', scrub: ['payload'] },
	{ table: 'ledger_entries', column: 'customer_id', onMerge: 'move', onErase: 'keep', scrub: ['operation_key', 'reason'] },
	{ table: 'ledger_operations', column: 'customer_id', onMerge: 'move', onErase: 'keep', scrub: ['idempotency_key', 'result', 'request'] },
	// loyalty_accounts are caches of ledger_entries: declared with the ledger (rebuilt, not moved).
];

/** The core's own tables (version 1 also holds the ledger's first tables: kept whole, it is never re-run). */
export const CORE_MIGRATIONS: readonly Migration[] = [
	{
		version: 1,
		name: 'customers, events, orders, ledger',
		sql: `
CREATE TABLE customers (
	id TEXT PRIMARY KEY,
	profile TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE TABLE customer_identities (
	kind TEXT NOT NULL,
	value TEXT NOT NULL,
	customer_id TEXT NOT NULL REFERENCES customers(id),
	PRIMARY KEY (kind, value)
);
CREATE INDEX customer_identities_customer ON customer_identities (customer_id);
CREATE TABLE events (
	id TEXT PRIMARY KEY,
	type TEXT NOT NULL,
	source TEXT NOT NULL,
	idempotency_key TEXT NOT NULL,
	customer_id TEXT,
	occurred_at TEXT NOT NULL,
	received_at TEXT NOT NULL,
	payload TEXT NOT NULL
);
CREATE UNIQUE INDEX events_idempotency_key ON events (idempotency_key);
CREATE INDEX events_customer ON events (customer_id, occurred_at);
CREATE TABLE orders (
	source TEXT NOT NULL,
	id TEXT NOT NULL,
	customer_id TEXT NOT NULL REFERENCES customers(id),
	status TEXT NOT NULL,
	placed_at TEXT NOT NULL,
	currency TEXT NOT NULL,
	total_minor BIGINT NOT NULL,
	refunded_minor BIGINT NOT NULL DEFAULT 0,
	payload TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	PRIMARY KEY (source, id)
);
CREATE INDEX orders_customer ON orders (customer_id, placed_at);
CREATE TABLE refunds (
	source TEXT NOT NULL,
	id TEXT NOT NULL,
	order_id TEXT NOT NULL,
	amount_minor BIGINT NOT NULL,
	currency TEXT NOT NULL,
	created_at TEXT NOT NULL,
	PRIMARY KEY (source, id)
);
CREATE TABLE loyalty_accounts (
	program_id TEXT NOT NULL,
	customer_id TEXT NOT NULL REFERENCES customers(id),
	available BIGINT NOT NULL DEFAULT 0,
	pending BIGINT NOT NULL DEFAULT 0,
	lifetime_earned BIGINT NOT NULL DEFAULT 0,
	tier TEXT,
	tier_reviewed_at TEXT,
	last_activity_at TEXT,
	updated_at TEXT NOT NULL,
	PRIMARY KEY (program_id, customer_id)
);
CREATE TABLE ledger_entries (
	id {{ID}},
	program_id TEXT NOT NULL,
	customer_id TEXT NOT NULL REFERENCES customers(id),
	kind TEXT NOT NULL,
	available_delta BIGINT NOT NULL,
	pending_delta BIGINT NOT NULL,
	operation_key TEXT NOT NULL,
	lot_id BIGINT,
	order_source TEXT,
	order_id TEXT,
	available_at TEXT,
	expires_at TEXT,
	reason TEXT,
	created_at TEXT NOT NULL
);
CREATE INDEX ledger_entries_account ON ledger_entries (program_id, customer_id, id);
CREATE INDEX ledger_entries_order ON ledger_entries (program_id, order_source, order_id);
CREATE TABLE ledger_operations (
	program_id TEXT NOT NULL,
	idempotency_key TEXT NOT NULL,
	customer_id TEXT NOT NULL,
	operation TEXT NOT NULL,
	result TEXT NOT NULL,
	created_at TEXT NOT NULL,
	PRIMARY KEY (program_id, idempotency_key)
);
`,
	},
	{
		version: 2,
		name: 'deliveries seen per trigger',
		// Every workflow's trigger is its own subscription at the shop: each must run once per event,
		// however many workflows listen, while the events table keeps the event itself once.
		sql: `
CREATE TABLE trigger_deliveries (
	consumer TEXT NOT NULL,
	event_key TEXT NOT NULL,
	delivery_id TEXT NOT NULL,
	received_at TEXT NOT NULL,
	PRIMARY KEY (consumer, event_key)
);
CREATE INDEX trigger_deliveries_delivery ON trigger_deliveries (consumer, delivery_id);
`,
	},
	{
		version: 3,
		name: 'events by source and time',
		// The dashboard and the health check ask each source for its last event and its latest gaps:
		// without this, every look sorted all of the source's events.
		sql: `
CREATE INDEX events_source_received ON events (source, received_at);
`,
	},
];

export function migrationSql(migration: Migration, dialect: Dialect): string {
	const id = dialect === 'postgres' ? 'BIGSERIAL PRIMARY KEY' : 'INTEGER PRIMARY KEY AUTOINCREMENT';
	return migration.sql.replace(/\{\{ID\}\}/g, id);
}

/** Splits a migration into single statements (PostgreSQL's extended protocol takes one at a time). */
export function statementsOf(sql: string): string[] {
	return sql
		.split(/;\s*\n/)
		.map((statement) => statement.trim().replace(/;$/, ''))
		.filter((statement) => statement.length > 0);
}
