import type { CustomerColumn, Migration } from '../store/migrations';

/** Referral codes, referrals and the marks that spot a self-referral. Versions 1100–1109. */
export const REFERRAL_MIGRATIONS: readonly Migration[] = [
	{
		version: 1100,
		name: 'referral codes, referrals and self-referral marks',
		// referral_codes: one stable code per customer per program; the code is unique in the program.
		// referrals: one row per friend's order that carried an existing code, keyed by that order
		// (fingerprint: the code and the friend's identities, to tell a replay from a reused key):
		// rewarded (rewards pending until release_at), cancelled (a refund inside the window) or
		// refused (reason: self_referral, not_new, too_many).
		// referral_marks: hashes of a customer's shipping addresses and payment fingerprints, so a
		// friend paying with the advocate's card or shipping to the advocate's address is refused.
		sql: `
CREATE TABLE referral_codes (
	program_id TEXT NOT NULL,
	customer_id TEXT NOT NULL,
	code TEXT NOT NULL,
	created_at TEXT NOT NULL,
	PRIMARY KEY (program_id, customer_id)
);
CREATE UNIQUE INDEX referral_codes_code ON referral_codes (program_id, code);
CREATE TABLE referrals (
	program_id TEXT NOT NULL,
	order_source TEXT NOT NULL,
	order_id TEXT NOT NULL,
	code TEXT NOT NULL,
	advocate_id TEXT NOT NULL,
	friend_id TEXT NOT NULL,
	status TEXT NOT NULL,
	reason TEXT,
	detail TEXT NOT NULL,
	friend_points INTEGER NOT NULL,
	advocate_points INTEGER NOT NULL,
	release_at TEXT NOT NULL,
	fingerprint TEXT NOT NULL,
	cancel_key TEXT,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	PRIMARY KEY (program_id, order_source, order_id)
);
CREATE INDEX referrals_advocate ON referrals (program_id, advocate_id, status, created_at);
CREATE INDEX referrals_friend ON referrals (friend_id, status);
CREATE INDEX referrals_time ON referrals (program_id, created_at);
CREATE TABLE referral_marks (
	customer_id TEXT NOT NULL,
	kind TEXT NOT NULL,
	value_hash TEXT NOT NULL,
	seen_at TEXT NOT NULL,
	PRIMARY KEY (customer_id, kind, value_hash)
);
CREATE INDEX referral_marks_value ON referral_marks (kind, value_hash);
`,
	},
];

/**
 * A code and the marks describe the person: erased with them. Referrals are counted by the
 * dashboard and name the ledger keys of their rewards: kept under the pseudonym.
 */
export const REFERRAL_CUSTOMER_COLUMNS: readonly CustomerColumn[] = [
	{ table: 'referral_codes', column: 'customer_id', onMerge: 'move', uniqueWith: ['program_id'], onErase: 'delete' },
	{ table: 'referrals', column: 'advocate_id', onMerge: 'move', onErase: 'keep', scrub: ['detail', 'code', 'fingerprint'] },
	{ table: 'referrals', column: 'friend_id', onMerge: 'move', onErase: 'keep', scrub: ['detail', 'fingerprint'] },
	{ table: 'referral_marks', column: 'customer_id', onMerge: 'move', uniqueWith: ['kind', 'value_hash'], onErase: 'delete' },
];
