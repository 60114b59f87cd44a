import type { Row, SqlClient } from '../store/db';

/** One customer's saved picture, readable by rule conditions (segment, lifecycle, tier...). */
export interface SavedInsight {
	customerId: string;
	asOf: string;
	segment: string;
	lifecycle: string;
	valueTier: string;
	recencyScore: number;
	frequencyScore: number;
	monetaryScore: number;
	pAlive: number | null;
	expectedOrders: number | null;
	clvMinor: number | null;
	/** Why `clvMinor` is null (e.g. repeat purchases average 0.00); null when known or saved before it was kept. */
	clvUnknownReason: string | null;
	nextOrderDate: string | null;
	/** 80% intervals of the predictions and how sure they are; null in pictures saved before they existed. */
	pAliveLow: number | null;
	pAliveHigh: number | null;
	expectedOrdersLow: number | null;
	expectedOrdersHigh: number | null;
	clvMinorLow: number | null;
	clvMinorHigh: number | null;
	certainty: string | null;
	certaintyReason: string | null;
}

export interface InsightChange {
	customerId: string;
	previous: { segment: string; lifecycle: string; valueTier: string } | null;
	current: SavedInsight;
}

interface InsightRow extends Row {
	customer_id: string;
	as_of: string;
	segment: string;
	lifecycle: string;
	value_tier: string;
	recency_score: number;
	frequency_score: number;
	monetary_score: number;
	p_alive: number | null;
	expected_orders: number | null;
	clv_minor: number | string | null;
	clv_unknown_reason: string | null;
	next_order_date: string | null;
	p_alive_low: number | null;
	p_alive_high: number | null;
	expected_orders_low: number | null;
	expected_orders_high: number | null;
	clv_minor_low: number | string | null;
	clv_minor_high: number | string | null;
	certainty: string | null;
	certainty_reason: string | null;
	previous_segment: string | null;
	previous_lifecycle: string | null;
	previous_value_tier: string | null;
}

function insightOf(row: InsightRow): SavedInsight {
	const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
	return {
		customerId: row.customer_id,
		asOf: row.as_of,
		segment: row.segment,
		lifecycle: row.lifecycle,
		valueTier: row.value_tier,
		recencyScore: Number(row.recency_score),
		frequencyScore: Number(row.frequency_score),
		monetaryScore: Number(row.monetary_score),
		pAlive: num(row.p_alive),
		expectedOrders: num(row.expected_orders),
		clvMinor: num(row.clv_minor),
		clvUnknownReason: row.clv_unknown_reason ?? null,
		nextOrderDate: row.next_order_date,
		pAliveLow: num(row.p_alive_low),
		pAliveHigh: num(row.p_alive_high),
		expectedOrdersLow: num(row.expected_orders_low),
		expectedOrdersHigh: num(row.expected_orders_high),
		clvMinorLow: num(row.clv_minor_low),
		clvMinorHigh: num(row.clv_minor_high),
		certainty: row.certainty ?? null,
		certaintyReason: row.certainty_reason ?? null,
	};
}

export async function getInsight(sql: SqlClient, programId: string, customerId: string): Promise<SavedInsight | undefined> {
	const [row] = await sql.query<InsightRow>('SELECT * FROM customer_insights WHERE program_id = $1 AND customer_id = $2', [programId, customerId]);
	return row ? insightOf(row) : undefined;
}

const UPSERT = `INSERT INTO customer_insights (program_id, customer_id, as_of, segment, lifecycle, value_tier, recency_score, frequency_score, monetary_score,
		p_alive, expected_orders, clv_minor, next_order_date, previous_segment, previous_lifecycle, previous_value_tier, changed_as_of, updated_at,
		p_alive_low, p_alive_high, expected_orders_low, expected_orders_high, clv_minor_low, clv_minor_high, certainty, certainty_reason, clv_unknown_reason)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27)
	ON CONFLICT (program_id, customer_id) DO UPDATE SET as_of = excluded.as_of, segment = excluded.segment, lifecycle = excluded.lifecycle,
		value_tier = excluded.value_tier, recency_score = excluded.recency_score, frequency_score = excluded.frequency_score,
		monetary_score = excluded.monetary_score, p_alive = excluded.p_alive, expected_orders = excluded.expected_orders, clv_minor = excluded.clv_minor,
		next_order_date = excluded.next_order_date, previous_segment = excluded.previous_segment, previous_lifecycle = excluded.previous_lifecycle,
		previous_value_tier = excluded.previous_value_tier, changed_as_of = excluded.changed_as_of, updated_at = excluded.updated_at,
		p_alive_low = excluded.p_alive_low, p_alive_high = excluded.p_alive_high, expected_orders_low = excluded.expected_orders_low, expected_orders_high = excluded.expected_orders_high,
		clv_minor_low = excluded.clv_minor_low, clv_minor_high = excluded.clv_minor_high, certainty = excluded.certainty, certainty_reason = excluded.certainty_reason,
		clv_unknown_reason = excluded.clv_unknown_reason`;

/**
 * Saves a run's pictures and returns the customers whose segment, lifecycle or value tier moved
 * since the previous run (a first picture counts as a move from nothing). The run is keyed by its
 * as-of date: saving the same as-of again compares with the state before that run, so a retried
 * run reports the same moves instead of none. Call inside a transaction.
 */
export async function saveInsights(sql: SqlClient, programId: string, insights: readonly SavedInsight[], now: string): Promise<InsightChange[]> {
	const existing = new Map<string, InsightRow>();
	for (const row of await sql.query<InsightRow>('SELECT * FROM customer_insights WHERE program_id = $1', [programId])) existing.set(row.customer_id, row);
	const changes: InsightChange[] = [];
	for (const insight of insights) {
		const row = existing.get(insight.customerId);
		let previous: InsightChange['previous'] = null;
		if (row && row.as_of === insight.asOf) {
			// A repeat of this run: the state before it is what was saved as "previous".
			previous = row.previous_segment === null ? null : { segment: row.previous_segment, lifecycle: row.previous_lifecycle ?? '', valueTier: row.previous_value_tier ?? '' };
		} else if (row) {
			previous = { segment: row.segment, lifecycle: row.lifecycle, valueTier: row.value_tier };
		}
		const moved = !previous || previous.segment !== insight.segment || previous.lifecycle !== insight.lifecycle || previous.valueTier !== insight.valueTier;
		if (moved) changes.push({ customerId: insight.customerId, previous, current: insight });
		await sql.execute(UPSERT, [
			programId,
			insight.customerId,
			insight.asOf,
			insight.segment,
			insight.lifecycle,
			insight.valueTier,
			insight.recencyScore,
			insight.frequencyScore,
			insight.monetaryScore,
			insight.pAlive,
			insight.expectedOrders,
			insight.clvMinor,
			insight.nextOrderDate,
			previous?.segment ?? null,
			previous?.lifecycle ?? null,
			previous?.valueTier ?? null,
			moved ? insight.asOf : (row?.changed_as_of ?? null),
			now,
			insight.pAliveLow,
			insight.pAliveHigh,
			insight.expectedOrdersLow,
			insight.expectedOrdersHigh,
			insight.clvMinorLow,
			insight.clvMinorHigh,
			insight.certainty,
			insight.certaintyReason,
			insight.clvUnknownReason,
		]);
	}
	return changes;
}

export interface SavedModel {
	kind: 'transaction' | 'spend';
	model: string;
	asOf: string;
	params: Record<string, number>;
	logLikelihood: number | null;
	customers: number;
	fallbackReason: string | null;
	/** Covariance of the ln-parameters (rows in the model's parameter order); null when unknown or saved before it was kept. */
	logCovariance?: number[][] | null;
	/** Customers left out of the fit, by reason (the spend model's repeat customers without positive spend); null when none or unknown. */
	excluded?: { customers: number; reasons: { reason: string; customers: number }[] } | null;
}

export async function saveModel(sql: SqlClient, programId: string, model: SavedModel, now: string): Promise<void> {
	await sql.execute(
		`INSERT INTO insight_models (program_id, kind, model, as_of, params, log_likelihood, customers, fallback_reason, fitted_at, log_covariance, excluded_customers) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		 ON CONFLICT (program_id, kind) DO UPDATE SET model = excluded.model, as_of = excluded.as_of, params = excluded.params, log_likelihood = excluded.log_likelihood,
			customers = excluded.customers, fallback_reason = excluded.fallback_reason, fitted_at = excluded.fitted_at, log_covariance = excluded.log_covariance, excluded_customers = excluded.excluded_customers`,
		[programId, model.kind, model.model, model.asOf, JSON.stringify(model.params), model.logLikelihood, model.customers, model.fallbackReason, now, model.logCovariance ? JSON.stringify(model.logCovariance) : null, model.excluded ? JSON.stringify(model.excluded) : null],
	);
}

export async function getModels(sql: SqlClient, programId: string): Promise<SavedModel[]> {
	const rows = await sql.query<Row & { kind: string; model: string; as_of: string; params: string; log_likelihood: number | null; customers: number; fallback_reason: string | null; log_covariance: string | null; excluded_customers: string | null }>(
		'SELECT * FROM insight_models WHERE program_id = $1 ORDER BY kind',
		[programId],
	);
	return rows.map((row) => ({
		kind: row.kind as SavedModel['kind'],
		model: row.model,
		asOf: row.as_of,
		params: JSON.parse(row.params) as Record<string, number>,
		logLikelihood: row.log_likelihood === null ? null : Number(row.log_likelihood),
		customers: Number(row.customers),
		fallbackReason: row.fallback_reason,
		logCovariance: row.log_covariance ? (JSON.parse(row.log_covariance) as number[][]) : null,
		excluded: row.excluded_customers ? (JSON.parse(row.excluded_customers) as SavedModel['excluded']) : null,
	}));
}
