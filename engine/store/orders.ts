import type { Order } from '../model/order';
import type { Refund } from '../model/refund';
import { forUpdate, type Row, type SqlClient } from './db';
import { executeRows, ROWS } from './multiRow';

export interface StoredOrder {
	source: string;
	id: string;
	customerId: string;
	status: string;
	placedAt: string;
	currency: string;
	totalMinor: number;
	refundedMinor: number;
	order: Order;
}

interface OrderRow extends Row {
	source: string;
	id: string;
	customer_id: string;
	status: string;
	placed_at: string;
	currency: string;
	total_minor: number;
	refunded_minor: number;
	payload: string;
}

function orderOf(row: OrderRow): StoredOrder {
	return {
		source: row.source,
		id: row.id,
		customerId: row.customer_id,
		status: row.status,
		placedAt: row.placed_at,
		currency: row.currency,
		totalMinor: Number(row.total_minor),
		refundedMinor: Number(row.refunded_minor),
		order: JSON.parse(row.payload) as Order,
	};
}

/** Records the latest known state of an order; the refunded amount is owned by recordRefund. */
export async function upsertOrder(sql: SqlClient, order: Order, customerId: string, now: string): Promise<void> {
	await sql.execute(
		`INSERT INTO orders (source, id, customer_id, status, placed_at, currency, total_minor, payload, updated_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		 ON CONFLICT (source, id) DO UPDATE SET customer_id = excluded.customer_id, status = excluded.status, placed_at = excluded.placed_at,
			currency = excluded.currency, total_minor = excluded.total_minor, payload = excluded.payload, updated_at = excluded.updated_at`,
		[order.source, order.id, customerId, order.status, new Date(order.placedAt).toISOString(), order.currency, order.totalMinor, JSON.stringify(order), now],
	);
}

/**
 * `placedAt` as the ISO instant stored. The answers of one group are kept, since its orders often
 * share their time (an import's rows carry the day only).
 */
function placedInstants(): (placedAt: string) => string {
	const known = new Map<string, string>();
	return (placedAt) => {
		let iso = known.get(placedAt);
		if (iso === undefined) known.set(placedAt, (iso = new Date(placedAt).toISOString()));
		return iso;
	};
}

/**
 * `upsertOrder` for many orders in one statement (the ledger's group commit). An order may appear
 * once: the caller keeps the last state of each.
 */
export async function upsertOrders(sql: SqlClient, orders: ReadonlyArray<{ order: Order; customerId: string }>, now: string): Promise<void> {
	const placedInstant = placedInstants();
	await executeRows(
		sql,
		`INSERT INTO orders (source, id, customer_id, status, placed_at, currency, total_minor, payload, updated_at)
		 ${ROWS}
		 ON CONFLICT (source, id) DO UPDATE SET customer_id = excluded.customer_id, status = excluded.status, placed_at = excluded.placed_at,
			currency = excluded.currency, total_minor = excluded.total_minor, payload = excluded.payload, updated_at = excluded.updated_at`,
		['text', 'text', 'text', 'text', 'text', 'text', 'bigint', 'text', 'text'],
		orders.map(({ order, customerId }) => [order.source, order.id, customerId, order.status, placedInstant(order.placedAt), order.currency, order.totalMinor, JSON.stringify(order), now]),
	);
}

export async function getOrder(sql: SqlClient, source: string, id: string, lock = false): Promise<StoredOrder | undefined> {
	const [row] = await sql.query<OrderRow>(`SELECT * FROM orders WHERE source = $1 AND id = $2${lock ? forUpdate(sql.dialect) : ''}`, [source, id]);
	return row ? orderOf(row) : undefined;
}

/** Paid spend (net of refunds), in one currency, of a customer's orders placed at or after `since`. */
export async function netSpendSince(sql: SqlClient, customerId: string, since: string, currency: string): Promise<number> {
	const [row] = await sql.query<{ spend: number | null }>(
		`SELECT SUM(total_minor - refunded_minor) AS spend FROM orders WHERE customer_id = $1 AND placed_at >= $2 AND currency = $3 AND status IN ('paid', 'refunded')`,
		[customerId, since, currency],
	);
	return Number(row?.spend ?? 0);
}

/** Returns false when this refund id was recorded before (nothing is written then). */
export async function recordRefund(sql: SqlClient, refund: Refund): Promise<boolean> {
	const inserted = await sql.execute(
		'INSERT INTO refunds (source, id, order_id, amount_minor, currency, created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (source, id) DO NOTHING',
		[refund.source, refund.id, refund.orderId, refund.amountMinor, refund.currency, new Date(refund.createdAt).toISOString()],
	);
	if (inserted === 0) return false;
	await sql.execute('UPDATE orders SET refunded_minor = refunded_minor + $3 WHERE source = $1 AND id = $2', [refund.source, refund.orderId, refund.amountMinor]);
	return true;
}

/** Records an order only if the store has none under its key: what live webhooks recorded wins. Returns whether it was written. */
export async function insertOrderIfAbsent(sql: SqlClient, order: Order, customerId: string, now: string): Promise<boolean> {
	const written = await sql.execute(
		`INSERT INTO orders (source, id, customer_id, status, placed_at, currency, total_minor, payload, updated_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (source, id) DO NOTHING`,
		[order.source, order.id, customerId, order.status, new Date(order.placedAt).toISOString(), order.currency, order.totalMinor, JSON.stringify(order), now],
	);
	return written > 0;
}
