import type { CustomerColumn, Migration } from '../store/migrations';

/** Tables of schedule mode (carts, the exactly-once claim of due events). Versions 400–499. */
export const SCHEDULE_MIGRATIONS: readonly Migration[] = [
	{
		version: 400,
		name: 'carts and due event emissions',
		sql: `
CREATE TABLE carts (
	source TEXT NOT NULL,
	id TEXT NOT NULL,
	customer_id TEXT NOT NULL REFERENCES customers(id),
	status TEXT NOT NULL,
	currency TEXT NOT NULL,
	total_minor BIGINT NOT NULL,
	payload TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	closed_at TEXT,
	recorded_at TEXT NOT NULL,
	PRIMARY KEY (source, id)
);
CREATE INDEX carts_open_idle ON carts (updated_at) WHERE status = 'open';
CREATE INDEX carts_customer ON carts (customer_id, status);
CREATE TABLE due_emissions (
	program_id TEXT NOT NULL,
	kind TEXT NOT NULL,
	customer_id TEXT NOT NULL,
	occurrence TEXT NOT NULL,
	event_key TEXT NOT NULL,
	emitted_at TEXT NOT NULL,
	PRIMARY KEY (program_id, kind, customer_id, occurrence)
);
CREATE INDEX due_emissions_customer ON due_emissions (customer_id);
`,
	},
	{
		version: 401,
		name: 'health alert emissions',
		// One row per problem occurrence: open while the problem lasts, closed when it is gone, so the
		// schedule's health check tells the owner once, and again only when the problem comes back.
		sql: `
CREATE TABLE health_alert_emissions (
	program_id TEXT NOT NULL,
	kind TEXT NOT NULL,
	subject TEXT NOT NULL,
	opened_at TEXT NOT NULL,
	closed_at TEXT,
	message TEXT NOT NULL,
	PRIMARY KEY (program_id, kind, subject, opened_at)
);
CREATE UNIQUE INDEX health_alert_emissions_open ON health_alert_emissions (program_id, kind, subject) WHERE closed_at IS NULL;
`,
	},
];

/**
 * Carts and emissions follow the customer: a merged profile keeps its open carts, and what was
 * emitted for either profile is not emitted again. Both profiles may hold the same occurrence
 * (each had its 2026 birthday greeting), so the merged-away copy of a claim is dropped first.
 * Erasing a customer removes both: nothing is due for a person who is gone.
 */
export const SCHEDULE_CUSTOMER_COLUMNS: readonly CustomerColumn[] = [
	{ table: 'carts', column: 'customer_id', onMerge: 'move', onErase: 'delete' },
	{ table: 'due_emissions', column: 'customer_id', onMerge: 'move', uniqueWith: ['program_id', 'kind', 'occurrence'], onErase: 'delete' },
];
