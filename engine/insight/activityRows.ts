import { isValidTimeZone } from '../model/customer';
import { dayNumberOf, dayNumberOfDate } from './transactions';
import type { Dialect, Row, SqlClient } from '../store/db';

/** Per-customer purchase aggregates; calendar days are the customer's (their profile's time zone, else the program's). */
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
	/** Distinct product categories bought (order lines without a category do not count). */
	categories: number;
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

interface ZonedOrderRow extends Row {
	customer_id: string;
	time_zone: string;
	placed_at: string;
	net: number | string;
}

interface CategoryRow extends Row {
	customer_id: string;
	time_zone: string;
	first_at: string;
}

/** No zone is more than 14 hours ahead of UTC, so a local day ends at most this long after the UTC one. */
const MAX_ZONE_AHEAD_MS = 14 * 3_600_000;

/** Profile documents are JSON text; SQLite and PostgreSQL read a key of it with different syntax. */
function profileTimeZone(dialect: Dialect): string {
	return dialect === 'postgres' ? `(CAST(c.profile AS jsonb) ->> 'timeZone')` : `json_extract(c.profile, '$.timeZone')`;
}

/** The order's lines with a category, as rows `line` with a text column `category`. */
function categoryLines(dialect: Dialect): { from: string; category: string } {
	return dialect === 'postgres'
		? {
				from: `CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(CAST(o.payload AS jsonb) -> 'lines') = 'array' THEN CAST(o.payload AS jsonb) -> 'lines' ELSE CAST('[]' AS jsonb) END) AS line(value)`,
				category: `(line.value ->> 'category')`,
			}
		: { from: `CROSS JOIN json_each(o.payload, '$.lines') AS line`, category: `json_extract(line.value, '$.category')` };
}

/*
 * Same-day orders are one purchase (the literature's convention); only paid (and later refunded)
 * orders in the program's currency count, net of refunds. Customers whose days are UTC days are
 * aggregated entirely in SQL, one row back per customer; databases have no common time-zone
 * support, so customers in other zones come back as one small row per order, in customer order,
 * and are folded here one customer at a time.
 */
function activitySql(dialect: Dialect, customerFilter: string): string {
	return `
WITH purchase_days AS (
	SELECT o.customer_id, substr(o.placed_at, 1, 10) AS day, SUM(o.total_minor - o.refunded_minor) AS spend
	FROM orders o JOIN customers c ON c.id = o.customer_id
	WHERE o.status IN ('paid', 'refunded') AND o.currency = $1 AND o.placed_at < $2 AND COALESCE(${profileTimeZone(dialect)}, $3) = 'UTC'${customerFilter}
	GROUP BY o.customer_id, substr(o.placed_at, 1, 10)
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
}

function zonedOrdersSql(dialect: Dialect, customerFilter: string): string {
	return `
SELECT o.customer_id, COALESCE(${profileTimeZone(dialect)}, $3) AS time_zone, o.placed_at, o.total_minor - o.refunded_minor AS net
FROM orders o JOIN customers c ON c.id = o.customer_id
WHERE o.status IN ('paid', 'refunded') AND o.currency = $1 AND o.placed_at < $2 AND COALESCE(${profileTimeZone(dialect)}, $3) <> 'UTC'${customerFilter}
ORDER BY o.customer_id, o.placed_at`;
}

/** When each customer first bought each category: whether that was by `asOf` depends on their zone, decided here. */
function categoriesSql(dialect: Dialect, customerFilter: string): string {
	const lines = categoryLines(dialect);
	return `
SELECT o.customer_id, COALESCE(${profileTimeZone(dialect)}, $3) AS time_zone, MIN(o.placed_at) AS first_at
FROM orders o JOIN customers c ON c.id = o.customer_id ${lines.from}
WHERE o.status IN ('paid', 'refunded') AND o.currency = $1 AND o.placed_at < $2 AND ${lines.category} IS NOT NULL${customerFilter}
GROUP BY o.customer_id, COALESCE(${profileTimeZone(dialect)}, $3), ${lines.category}`;
}

const dateOf = (day: number): string => new Date(day * 86_400_000).toISOString().slice(0, 10);

/**
 * A zone that profiles were not validated against would make every date wrong; such customers use
 * the program's. Checking a zone builds a formatter, so each is checked once per call.
 */
function zoneChecker(programTimeZone: string): (zone: string) => string {
	const valid = new Map<string, boolean>([['UTC', true]]);
	return (zone) => {
		let ok = valid.get(zone);
		if (ok === undefined) valid.set(zone, (ok = isValidTimeZone(zone)));
		return ok ? zone : programTimeZone;
	};
}

function foldZonedCustomer(customerId: string, days: Map<number, number>, categories: number): ActivityRow {
	const ordered = [...days.entries()].sort((a, b) => a[0] - b[0]);
	const total = ordered.reduce((sum, [, spend]) => sum + spend, 0);
	return {
		customerId,
		firstDate: dateOf(ordered[0][0]),
		lastDate: dateOf(ordered[ordered.length - 1][0]),
		previousDate: ordered.length >= 2 ? dateOf(ordered[ordered.length - 2][0]) : null,
		orders: ordered.length,
		totalSpendMinor: total,
		repeatSpendMinor: total - ordered[0][1],
		categories,
	};
}

/**
 * Activity of every customer with a purchase by the end of `asOf` (YYYY-MM-DD, in the customer's
 * zone), in `currency`. `programTimeZone` is used for customers whose profile names no zone.
 */
export async function customerActivity(sql: SqlClient, currency: string, asOf: string, customerId?: string, programTimeZone = 'UTC'): Promise<ActivityRow[]> {
	const asOfDay = dayNumberOfDate(asOf, 'asOf');
	const dayAfter = new Date(asOfDay * 86_400_000 + 86_400_000).toISOString();
	const zonedEnd = new Date(asOfDay * 86_400_000 + 86_400_000 + MAX_ZONE_AHEAD_MS).toISOString();
	const filter = customerId ? ' AND o.customer_id = $4' : '';
	const params = (end: string): unknown[] => (customerId ? [currency, end, programTimeZone, customerId] : [currency, end, programTimeZone]);

	const zoneOf = zoneChecker(programTimeZone);
	const categoriesByCustomer = new Map<string, number>();
	for (const row of await sql.query<CategoryRow>(categoriesSql(sql.dialect, filter), params(zonedEnd))) {
		if (dayNumberOf(row.first_at, 'placedAt', zoneOf(row.time_zone)) > asOfDay) continue;
		categoriesByCustomer.set(row.customer_id, (categoriesByCustomer.get(row.customer_id) ?? 0) + 1);
	}

	const activity: ActivityRow[] = (await sql.query<ActivitySqlRow>(activitySql(sql.dialect, filter), params(dayAfter))).map((row) => ({
		customerId: row.customer_id,
		firstDate: row.first_day,
		lastDate: row.last_day,
		previousDate: row.previous_day ?? null,
		orders: Number(row.orders),
		totalSpendMinor: Number(row.total_spend),
		repeatSpendMinor: Number(row.repeat_spend),
		categories: categoriesByCustomer.get(row.customer_id) ?? 0,
	}));

	let current: { customerId: string; days: Map<number, number> } | undefined;
	const flush = (): void => {
		if (current && current.days.size) activity.push(foldZonedCustomer(current.customerId, current.days, categoriesByCustomer.get(current.customerId) ?? 0));
	};
	for (const row of await sql.query<ZonedOrderRow>(zonedOrdersSql(sql.dialect, filter), params(zonedEnd))) {
		if (current?.customerId !== row.customer_id) {
			flush();
			current = { customerId: row.customer_id, days: new Map() };
		}
		const day = dayNumberOf(row.placed_at, 'placedAt', zoneOf(row.time_zone));
		if (day > asOfDay) continue;
		current.days.set(day, (current.days.get(day) ?? 0) + Number(row.net));
	}
	flush();
	return activity.sort((a, b) => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0));
}
