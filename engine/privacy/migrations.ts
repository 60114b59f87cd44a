import type { CustomerColumn, Migration } from '../store/migrations';

/** Tables of privacy requests (export, erasure) and of erased identities. Versions 900–999. */
export const PRIVACY_MIGRATIONS: readonly Migration[] = [
	{
		version: 900,
		name: 'privacy requests and erased identities',
		// privacy_requests: every export and erasure, with its time and source (the CLI, or the n8n
		// workflow and node), and what it found or removed; after an erasure it names the pseudonym.
		// privacy_suppressions: a hash of each identity of an erased person, so a later webhook about
		// them is not recorded until they consent again (engine/privacy/suppression.ts).
		sql: `
CREATE TABLE privacy_requests (
	id TEXT PRIMARY KEY,
	kind TEXT NOT NULL,
	customer_id TEXT,
	source TEXT NOT NULL,
	requested_at TEXT NOT NULL,
	outcome TEXT NOT NULL,
	detail TEXT NOT NULL
);
CREATE INDEX privacy_requests_customer ON privacy_requests (customer_id, requested_at);
CREATE INDEX privacy_requests_time ON privacy_requests (requested_at);
CREATE TABLE privacy_suppressions (
	identity_hash TEXT PRIMARY KEY,
	kind TEXT NOT NULL,
	request_id TEXT NOT NULL,
	suppressed_at TEXT NOT NULL
);
CREATE INDEX privacy_suppressions_request ON privacy_suppressions (request_id);
`,
	},
];

/** An export is logged under the customer it showed; when that customer is erased, the log line names the pseudonym. */
export const PRIVACY_CUSTOMER_COLUMNS: readonly CustomerColumn[] = [{ table: 'privacy_requests', column: 'customer_id', onMerge: 'move', onErase: 'keep' }];
