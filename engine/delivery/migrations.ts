import type { CustomerColumn, Migration } from '../store/migrations';

/** Tables of consent-aware delivery (send log, consent history). Versions 300–399. */
export const DELIVERY_MIGRATIONS: readonly Migration[] = [
	{
		version: 300,
		name: 'delivery send log and consent history',
		sql: `
CREATE TABLE delivery_sends (
	decision_id TEXT NOT NULL,
	channel TEXT NOT NULL,
	customer_id TEXT NOT NULL,
	rule_id TEXT NOT NULL,
	offer_template_id TEXT NOT NULL,
	purpose TEXT NOT NULL,
	is_reward INTEGER NOT NULL,
	experiment_id TEXT,
	experiment_arm TEXT,
	status TEXT NOT NULL,
	idempotency_key TEXT NOT NULL,
	vendor_message_id TEXT,
	coupon_code TEXT,
	send_at TEXT NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	detail TEXT,
	claimed_at TEXT NOT NULL,
	sent_at TEXT,
	updated_at TEXT NOT NULL,
	PRIMARY KEY (decision_id, channel)
);
CREATE INDEX delivery_sends_customer ON delivery_sends (customer_id, send_at);
CREATE INDEX delivery_sends_vendor_message ON delivery_sends (vendor_message_id);
CREATE INDEX delivery_sends_coupon ON delivery_sends (coupon_code);
CREATE TABLE delivery_consent_changes (
	idempotency_key TEXT PRIMARY KEY,
	customer_id TEXT NOT NULL,
	channel TEXT NOT NULL,
	granted INTEGER NOT NULL,
	at TEXT NOT NULL,
	source TEXT NOT NULL,
	wording_version TEXT,
	recorded_at TEXT NOT NULL
);
CREATE INDEX delivery_consent_changes_customer ON delivery_consent_changes (customer_id, at);
`,
	},
	{
		version: 301,
		name: 'delivery coupon redemptions',
		sql: `
CREATE TABLE delivery_redemptions (
	order_source TEXT NOT NULL,
	order_id TEXT NOT NULL,
	coupon_code TEXT NOT NULL,
	decision_id TEXT NOT NULL,
	channel TEXT NOT NULL,
	customer_id TEXT NOT NULL,
	order_total_minor BIGINT NOT NULL,
	currency TEXT NOT NULL,
	redeemed_at TEXT NOT NULL,
	PRIMARY KEY (order_source, order_id, coupon_code)
);
CREATE INDEX delivery_redemptions_decision ON delivery_redemptions (decision_id);
`,
	},
	{
		version: 302,
		name: 'delivery engagements (opens and clicks)',
		// One row per engagement fact, keyed by the source's own id (Klaviyo event id, Twilio click),
		// so a redelivered webhook is written once. Linked to the send it engaged with.
		sql: `
CREATE TABLE delivery_engagements (
	idempotency_key TEXT PRIMARY KEY,
	decision_id TEXT NOT NULL,
	channel TEXT NOT NULL,
	kind TEXT NOT NULL,
	customer_id TEXT NOT NULL,
	at TEXT NOT NULL,
	source TEXT NOT NULL,
	matched_by TEXT NOT NULL,
	recorded_at TEXT NOT NULL
);
CREATE INDEX delivery_engagements_send ON delivery_engagements (decision_id, channel);
CREATE INDEX delivery_engagements_customer ON delivery_engagements (customer_id, at);
`,
	},
	{
		version: 303,
		name: 'delivery refusals (counted, not kept)',
		// Send Offer's refusals (no consent, caps, quiet hours) for the owner's suppression counts: one
		// row per decision and reason, so a replayed decision is counted once. No customer and no
		// message: nothing here is about a person, only that a rule's offer was held back and why.
		sql: `
CREATE TABLE delivery_refusals (
	decision_id TEXT NOT NULL,
	reason TEXT NOT NULL,
	rule_id TEXT NOT NULL,
	offer_template_id TEXT NOT NULL,
	channel TEXT,
	refused_at TEXT NOT NULL,
	PRIMARY KEY (decision_id, reason)
);
CREATE INDEX delivery_refusals_at ON delivery_refusals (refused_at);
`,
	},
	{
		version: 350,
		name: 'the program version each send used',
		// engine/program: every send names the stored settings version that applied.
		sql: `
ALTER TABLE delivery_sends ADD COLUMN program_version INTEGER;
`,
	},
];

/**
 * Sends, consent history, redemptions and engagements follow the customer, so caps, history and
 * engagement stay whole. An erased customer's sends, redemptions and engagements stay for the
 * campaign figures (without the vendor's error text or the identities the send was asked for);
 * their consent history goes with them.
 */
export const DELIVERY_CUSTOMER_COLUMNS: readonly CustomerColumn[] = [
	{ table: 'delivery_sends', column: 'customer_id', onMerge: 'move', onErase: 'keep', scrub: ['detail', 'request'] },
	{ table: 'delivery_consent_changes', column: 'customer_id', onMerge: 'move', onErase: 'delete' },
	{ table: 'delivery_redemptions', column: 'customer_id', onMerge: 'move', onErase: 'keep' },
	{ table: 'delivery_engagements', column: 'customer_id', onMerge: 'move', onErase: 'keep', scrub: ['idempotency_key'] },
];
