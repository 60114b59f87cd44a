import type { CustomerColumn, Migration } from '../store/migrations';

/** Tables of segmentation and predictions (scores, fitted models). Versions 200–299. */
export const INSIGHT_MIGRATIONS: readonly Migration[] = [
	{
		version: 200,
		name: 'customer insights and fitted models',
		sql: `
CREATE TABLE customer_insights (
	program_id TEXT NOT NULL,
	customer_id TEXT NOT NULL REFERENCES customers(id),
	as_of TEXT NOT NULL,
	segment TEXT NOT NULL,
	lifecycle TEXT NOT NULL,
	value_tier TEXT NOT NULL,
	recency_score INTEGER NOT NULL,
	frequency_score INTEGER NOT NULL,
	monetary_score INTEGER NOT NULL,
	p_alive DOUBLE PRECISION,
	expected_orders DOUBLE PRECISION,
	clv_minor BIGINT,
	next_order_date TEXT,
	previous_segment TEXT,
	previous_lifecycle TEXT,
	previous_value_tier TEXT,
	changed_as_of TEXT,
	updated_at TEXT NOT NULL,
	PRIMARY KEY (program_id, customer_id)
);
CREATE INDEX customer_insights_changed ON customer_insights (program_id, changed_as_of);
CREATE TABLE insight_models (
	program_id TEXT NOT NULL,
	kind TEXT NOT NULL,
	model TEXT NOT NULL,
	as_of TEXT NOT NULL,
	params TEXT NOT NULL,
	log_likelihood DOUBLE PRECISION,
	customers INTEGER NOT NULL,
	fallback_reason TEXT,
	fitted_at TEXT NOT NULL,
	PRIMARY KEY (program_id, kind)
);
`,
	},
	{
		version: 201,
		name: 'how sure each customer prediction is',
		// Nullable: pictures saved before this version have no intervals and read back as null;
		// a model saved before it has no covariance and yields no intervals until it is fitted again.
		sql: `
ALTER TABLE customer_insights ADD COLUMN p_alive_low DOUBLE PRECISION;
ALTER TABLE customer_insights ADD COLUMN p_alive_high DOUBLE PRECISION;
ALTER TABLE customer_insights ADD COLUMN expected_orders_low DOUBLE PRECISION;
ALTER TABLE customer_insights ADD COLUMN expected_orders_high DOUBLE PRECISION;
ALTER TABLE customer_insights ADD COLUMN clv_minor_low BIGINT;
ALTER TABLE customer_insights ADD COLUMN clv_minor_high BIGINT;
ALTER TABLE customer_insights ADD COLUMN certainty TEXT;
ALTER TABLE customer_insights ADD COLUMN certainty_reason TEXT;
ALTER TABLE insight_models ADD COLUMN log_covariance TEXT;
`,
	},
	{
		version: 202,
		name: 'why a CLV is unknown, and who the spend model left out',
		// Nullable: a picture saved before this version reads back with no reason, a model with no exclusions.
		sql: `
ALTER TABLE customer_insights ADD COLUMN clv_unknown_reason TEXT;
ALTER TABLE insight_models ADD COLUMN excluded_customers TEXT;
`,
	},
];

/** Scores are derived: the merged-away profile's row is dropped and the survivor is scored again; an erased customer's go. */
export const INSIGHT_CUSTOMER_COLUMNS: readonly CustomerColumn[] = [{ table: 'customer_insights', column: 'customer_id', onMerge: 'drop', onErase: 'delete' }];
