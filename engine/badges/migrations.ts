import type { CustomerColumn, Migration } from '../store/migrations';

/** Tables of badges (engine/badges). Versions 1300–1399. */
export const BADGES_MIGRATIONS: readonly Migration[] = [
	{
		version: 1300,
		name: 'customer badges',
		// One row per customer and badge: the primary key is what makes a badge earned once, however
		// many events (or workers at the same moment) decide to award it. `event_key` is the event
		// whose decision won the row, so a replay of that event finds its own award again.
		sql: `
CREATE TABLE customer_badges (
	program_id TEXT NOT NULL,
	customer_id TEXT NOT NULL REFERENCES customers(id),
	badge TEXT NOT NULL,
	name TEXT NOT NULL,
	rule_id TEXT NOT NULL,
	event_key TEXT NOT NULL,
	awarded_at TEXT NOT NULL,
	PRIMARY KEY (program_id, customer_id, badge)
);
CREATE INDEX customer_badges_customer ON customer_badges (customer_id);
`,
	},
];

/**
 * A badge follows the customer: after a merge the survivor holds every badge either profile
 * earned, once (where both earned it, the merged-away copy is dropped). Erasing a customer
 * removes their badges: recognition is about the person and no balance rests on it.
 */
export const BADGES_CUSTOMER_COLUMNS: readonly CustomerColumn[] = [{ table: 'customer_badges', column: 'customer_id', onMerge: 'move', uniqueWith: ['program_id', 'badge'], onErase: 'delete' }];
