import type { Order } from '../model/order';
import type { Row, SqlClient } from '../store/db';

/** What cross-sell and next-best-action read of an order: its items and whether it was discounted. */
export interface OrderBasket {
	customerId: string;
	placedAt: string;
	totalMinor: number;
	discounted: boolean;
	lines: { sku?: string; category?: string; quantity: number; totalMinor: number }[];
}

interface BasketRow extends Row {
	customer_id: string;
	placed_at: string;
	total_minor: number | string;
	payload: string;
}

function basketOf(row: BasketRow): OrderBasket {
	const order = JSON.parse(row.payload) as Partial<Order>;
	return {
		customerId: row.customer_id,
		placedAt: row.placed_at,
		totalMinor: Number(row.total_minor),
		discounted: (order.discountMinor ?? 0) > 0 || (order.couponCodes?.length ?? 0) > 0,
		lines: (order.lines ?? []).map((l) => ({ sku: l.sku ?? l.productId, category: l.category, quantity: l.quantity, totalMinor: l.totalMinor })),
	};
}

/*
 * Line items live in the order document (JSON text), which SQLite and PostgreSQL query with
 * different functions; the documents are therefore read and parsed here. Only paid orders count.
 */
export async function orderBaskets(sql: SqlClient, before: string, customerId?: string): Promise<OrderBasket[]> {
	const rows = customerId
		? await sql.query<BasketRow>(`SELECT customer_id, placed_at, total_minor, payload FROM orders WHERE status IN ('paid', 'refunded') AND placed_at < $1 AND customer_id = $2 ORDER BY placed_at`, [before, customerId])
		: await sql.query<BasketRow>(`SELECT customer_id, placed_at, total_minor, payload FROM orders WHERE status IN ('paid', 'refunded') AND placed_at < $1 ORDER BY customer_id, placed_at`, [before]);
	return rows.map(basketOf);
}
