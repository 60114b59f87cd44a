import type { Row, SqlClient } from './db';

/** Per-customer purchase aggregates, computed in the database (calendar days are UTC days). */
export interface ActivityRow {
	customerId: string;
	/** YYYY-MM-DD of the first, last and second-to-last purchase day. */
	firstDate: string;
	lastDate: string;
	previousDate: string | null;
	/** Distinct purchase days. */
	orders: number;
	/** Net of refunds, minor units. */
	totalSpendMinor: number;
	/** Net spend on purchase days after the first. */
	repeatSpendMinor: number;
}

interface ActivitySqlRow extends Row {
	customer_id: string;
	first_day: string;
	last_day: string;
	previous_day: string | null;
	orders: number | string;
	total_spend: number | string;
	repeat_spend: number | string;
}

/*
 * Same-day orders are one purchase (the literature's convention); only paid (and later refunded)
 * orders in the program's currency count, net of refunds. Everything is aggregated here so a
 * million orders never cross into JavaScript: one row comes back per customer.
 */
const ACTIVITY_SQL = `
WITH purchase_days AS (
	SELECT customer_id, substr(placed_at, 1, 10) AS day, SUM(total_minor - refunded_minor) AS spend
	FROM orders
	WHERE status IN ('paid', 'refunded') AND currency = $1 AND placed_at < $2
	GROUP BY customer_id, substr(placed_at, 1, 10)
), numbered AS (
	SELECT customer_id, day, spend,
		ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY day) AS from_first,
		ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY day DESC) AS from_last
	FROM purchase_days
)
SELECT customer_id, COUNT(*) AS orders, MIN(day) AS first_day, MAX(day) AS last_day,
	MAX(CASE WHEN from_last = 2 THEN day END) AS previous_day,
	SUM(spend) AS total_spend,
	SUM(CASE WHEN from_first = 1 THEN 0 ELSE spend END) AS repeat_spend
FROM numbered
GROUP BY customer_id
ORDER BY customer_id`;

/** Activity of every customer with a purchase before the end of `asOf` (YYYY-MM-DD), in `currency`. */
export async function customerActivity(sql: SqlClient, currency: string, asOf: string, customerId?: string): Promise<ActivityRow[]> {
	const dayAfter = new Date(Date.parse(`${asOf}T00:00:00Z`) + 86_400_000).toISOString();
	const rows = customerId
		? await sql.query<ActivitySqlRow>(ACTIVITY_SQL.replace('AND placed_at < $2', 'AND placed_at < $2 AND customer_id = $3'), [currency, dayAfter, customerId])
		: await sql.query<ActivitySqlRow>(ACTIVITY_SQL, [currency, dayAfter]);
	return rows.map((row) => ({
		customerId: row.customer_id,
		firstDate: row.first_day,
		lastDate: row.last_day,
		previousDate: row.previous_day ?? null,
		orders: Number(row.orders),
		totalSpendMinor: Number(row.total_spend),
		repeatSpendMinor: Number(row.repeat_spend),
	}));
}
