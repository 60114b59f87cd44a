import type { CustomerColumn, Migration } from '../store/migrations';

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
	{
		version: 101,
		name: 'rule challenges and bonus points counted against caps',
		// A challenge is keyed by the event and rule that started it, so a re-run starts nothing twice;
		// completed_by_event makes its completion (and its reward) happen once, for one event.
		// rule_extra_points holds the bonus and challenge points a rule granted, which its caps and
		// cost ceilings count as rule_firings rows are counted (but not as firings).
		sql: `
CREATE TABLE rule_challenges (
	program_id TEXT NOT NULL,
	source_event_key TEXT NOT NULL,
	rule_id TEXT NOT NULL,
	customer_key TEXT NOT NULL,
	challenge TEXT NOT NULL,
	goal INTEGER NOT NULL,
	starts_at TEXT NOT NULL,
	ends_at TEXT NOT NULL,
	reward TEXT NOT NULL,
	completed_at TEXT,
	completed_by_event TEXT,
	PRIMARY KEY (program_id, source_event_key, rule_id)
);
CREATE INDEX rule_challenges_customer ON rule_challenges (program_id, customer_key, ends_at);
CREATE INDEX rule_challenges_open ON rule_challenges (program_id, ends_at) WHERE completed_at IS NULL;
CREATE TABLE rule_extra_points (
	program_id TEXT NOT NULL,
	event_key TEXT NOT NULL,
	kind TEXT NOT NULL,
	rule_id TEXT NOT NULL,
	source_event_key TEXT NOT NULL,
	customer_key TEXT NOT NULL,
	awarded_at TEXT NOT NULL,
	points BIGINT NOT NULL,
	cost_minor BIGINT NOT NULL,
	revenue_minor BIGINT NOT NULL,
	PRIMARY KEY (program_id, event_key, kind, rule_id, source_event_key)
);
CREATE INDEX rule_extra_points_rule ON rule_extra_points (program_id, rule_id, awarded_at);
CREATE INDEX rule_extra_points_time ON rule_extra_points (program_id, awarded_at);
`,
	},
	{
		version: 150,
		name: 'the program version each firing used',
		// engine/program: every decision names the stored settings version that applied.
		sql: `
ALTER TABLE rule_firings ADD COLUMN program_version INTEGER;
`,
	},
];

/**
 * Rule counters follow the customer: a merged profile keeps its caps, holds, bonuses and
 * challenges. An erased customer's firings and bonus points stay (rule budgets and experiment
 * results count them); what would still be done for them (holds, bonuses, follow-ups with their
 * identities, running challenges) goes.
 */
export const RULES_CUSTOMER_COLUMNS: readonly CustomerColumn[] = [
	{ table: 'rule_firings', column: 'customer_key', onMerge: 'move', onErase: 'keep', scrub: ['event_key', 'detail'] },
	{ table: 'rule_suppressions', column: 'customer_key', onMerge: 'move', onErase: 'delete' },
	{ table: 'rule_bonuses', column: 'customer_key', onMerge: 'move', onErase: 'delete' },
	{ table: 'rule_follow_ups', column: 'customer_key', onMerge: 'move', onErase: 'delete' },
	{ table: 'rule_challenges', column: 'customer_key', onMerge: 'move', onErase: 'delete' },
	{ table: 'rule_extra_points', column: 'customer_key', onMerge: 'move', onErase: 'keep', scrub: ['event_key', 'source_event_key'] },
];
