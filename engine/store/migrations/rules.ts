import type { CustomerColumn, Migration } from '../migrations';

/** Tables of the rule evaluator (counters, caps, suppressions). Versions 100–199. */
export const RULES_MIGRATIONS: readonly Migration[] = [
	{
		version: 100,
		name: 'rule firings and suppressions',
		sql: `
CREATE TABLE rule_firings (
	program_id TEXT NOT NULL,
	event_key TEXT NOT NULL,
	rule_id TEXT NOT NULL,
	customer_key TEXT NOT NULL,
	outcome TEXT NOT NULL,
	arm TEXT,
	fired_at TEXT NOT NULL,
	points BIGINT NOT NULL,
	offers INTEGER NOT NULL,
	cost_minor BIGINT NOT NULL,
	revenue_minor BIGINT NOT NULL,
	reward INTEGER NOT NULL,
	detail TEXT NOT NULL,
	PRIMARY KEY (program_id, event_key, rule_id)
);
CREATE INDEX rule_firings_customer ON rule_firings (program_id, customer_key, fired_at);
CREATE INDEX rule_firings_rule ON rule_firings (program_id, rule_id, fired_at);
CREATE TABLE rule_suppressions (
	program_id TEXT NOT NULL,
	customer_key TEXT NOT NULL,
	rule_id TEXT NOT NULL,
	source_event_key TEXT NOT NULL,
	by_rule_id TEXT NOT NULL,
	until TEXT NOT NULL,
	PRIMARY KEY (program_id, customer_key, rule_id, source_event_key)
);
CREATE TABLE rule_bonuses (
	program_id TEXT NOT NULL,
	customer_key TEXT NOT NULL,
	event_key TEXT NOT NULL,
	rule_id TEXT NOT NULL,
	categories TEXT NOT NULL,
	skus TEXT NOT NULL,
	multiplier REAL NOT NULL,
	starts_at TEXT NOT NULL,
	until TEXT NOT NULL,
	PRIMARY KEY (program_id, event_key, rule_id)
);
CREATE INDEX rule_bonuses_customer ON rule_bonuses (program_id, customer_key, until);
CREATE TABLE rule_follow_ups (
	program_id TEXT NOT NULL,
	source_event_key TEXT NOT NULL,
	rule_id TEXT NOT NULL,
	customer_key TEXT NOT NULL,
	identities TEXT NOT NULL,
	unless_event TEXT,
	created_at TEXT NOT NULL,
	due_at TEXT NOT NULL,
	emitted_at TEXT,
	cancelled INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (program_id, source_event_key, rule_id)
);
CREATE INDEX rule_follow_ups_due ON rule_follow_ups (program_id, emitted_at, due_at);
`,
	},
];

/** Rule counters follow the customer: a merged profile keeps its caps, holds and bonuses. */
export const RULES_CUSTOMER_COLUMNS: readonly CustomerColumn[] = ['rule_firings', 'rule_suppressions', 'rule_bonuses', 'rule_follow_ups'].map((table) => ({ table, column: 'customer_key', onMerge: 'move' as const }));
