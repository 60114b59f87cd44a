import type { CustomerColumn, Migration } from '../store/migrations';

/**
 * Tables and columns the points ledger added after the core schema (which holds its first
 * tables, ledger_entries and ledger_operations). Versions 600–699.
 */
export const LEDGER_MIGRATIONS: readonly Migration[] = [
	{
		version: 600,
		name: 'ledger request fingerprints',
		// The first request of each key, as canonical JSON (engine/ledger/fingerprint.ts), so the same
		// key with a different request is refused. Rows written before this are NULL: they match anything.
		sql: `
ALTER TABLE ledger_operations ADD COLUMN request TEXT;
`,
	},
	{
		version: 601,
		name: 'points held for the owner’s approval',
		// An order that would earn more than the program's ceiling earns nothing until the owner
		// approves (credited then as an earn for that order) or declines (kept with who and why).
		sql: `
CREATE TABLE ledger_held (
	program_id TEXT NOT NULL,
	approval_key TEXT NOT NULL,
	customer_id TEXT NOT NULL REFERENCES customers(id),
	operation_key TEXT NOT NULL,
	order_source TEXT NOT NULL,
	order_id TEXT NOT NULL,
	currency TEXT NOT NULL,
	total_minor BIGINT NOT NULL,
	points BIGINT NOT NULL,
	reason TEXT NOT NULL,
	status TEXT NOT NULL,
	decision_key TEXT,
	decided_by TEXT,
	decision_reason TEXT,
	decided_at TEXT,
	created_at TEXT NOT NULL,
	PRIMARY KEY (program_id, approval_key)
);
CREATE INDEX ledger_held_status ON ledger_held (program_id, status, created_at);
CREATE INDEX ledger_held_customer ON ledger_held (customer_id);
`,
	},
	{
		version: 602,
		name: 'send and coupon request fingerprints',
		// The delivery_sends table is the send log's (migrations/delivery.ts); its keys (the decision
		// id, and the coupon code derived from it) store their first request here, like the ledger's.
		sql: `
ALTER TABLE delivery_sends ADD COLUMN request TEXT;
ALTER TABLE delivery_sends ADD COLUMN coupon_request TEXT;
`,
	},
	{
		version: 603,
		name: 'when an account next needs maintenance',
		// The earliest instant a pending lot matures or a spendable lot expires (engine/ledger/account.ts).
		// Until then an award need not read the account's history. NULL = unknown: read it once.
		sql: `
ALTER TABLE loyalty_accounts ADD COLUMN lots_due_at TEXT;
`,
	},
	{
		version: 650,
		name: 'the program version each operation used',
		// engine/program: every ledger operation names the stored settings version that applied.
		sql: `
ALTER TABLE ledger_operations ADD COLUMN program_version INTEGER;
`,
	},
];

/**
 * Held points follow the customer: a merge must not orphan an owner's pending decision. The
 * accounts are caches of ledger_entries (a core table): mergeAccounts rebuilds them after a merge,
 * and after an erasure moved the entries to the pseudonym, so the books still balance.
 */
export const LEDGER_CUSTOMER_COLUMNS: readonly CustomerColumn[] = [
	{ table: 'ledger_held', column: 'customer_id', onMerge: 'move', onErase: 'keep', scrub: ['approval_key', 'operation_key', 'reason', 'decision_reason'] },
	{ table: 'loyalty_accounts', column: 'customer_id', onMerge: 'rebuilt', onErase: 'keep' },
];
