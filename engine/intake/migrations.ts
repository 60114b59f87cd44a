import type { Migration } from '../store/migrations';

/**
 * Tables of intake (at least once into the workflows, a quarantine for what cannot be processed).
 * Versions 500–599. The functions that read and write them live in engine/intake/.
 */
export const INTAKE_MIGRATIONS: readonly Migration[] = [
	{
		version: 500,
		name: 'event consumers, owed deliveries, quarantine',
		sql: `
CREATE TABLE event_consumers (
	consumer TEXT PRIMARY KEY,
	workflow_id TEXT,
	node_name TEXT,
	registered_at TEXT NOT NULL,
	last_poll_at TEXT NOT NULL
);
CREATE TABLE event_subscriptions (
	consumer TEXT NOT NULL REFERENCES event_consumers(consumer),
	event_type TEXT NOT NULL,
	PRIMARY KEY (consumer, event_type)
);
CREATE INDEX event_subscriptions_type ON event_subscriptions (event_type);
CREATE TABLE event_deliveries (
	consumer TEXT NOT NULL,
	event_id TEXT NOT NULL,
	event_type TEXT NOT NULL,
	recorded_at TEXT NOT NULL,
	status TEXT NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	available_at TEXT NOT NULL,
	leased_by TEXT,
	lease_until TEXT,
	first_emitted_at TEXT,
	last_emitted_at TEXT,
	last_error TEXT,
	done_at TEXT,
	PRIMARY KEY (consumer, event_id)
);
CREATE INDEX event_deliveries_due ON event_deliveries (consumer, status, available_at);
CREATE INDEX event_deliveries_event ON event_deliveries (event_id);
CREATE TABLE intake_quarantine (
	id TEXT PRIMARY KEY,
	source TEXT NOT NULL,
	workflow_id TEXT,
	node_name TEXT,
	delivery_id TEXT,
	url TEXT,
	headers TEXT NOT NULL,
	body_base64 TEXT NOT NULL,
	error_code TEXT NOT NULL,
	error_field TEXT,
	error_message TEXT NOT NULL,
	first_seen_at TEXT NOT NULL,
	last_seen_at TEXT NOT NULL,
	times_seen INTEGER NOT NULL,
	status TEXT NOT NULL,
	resolved_at TEXT,
	resolution TEXT
);
CREATE INDEX intake_quarantine_status ON intake_quarantine (status, last_seen_at);
`,
	},
];
