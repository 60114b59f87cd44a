import type { Cart } from '../model/cart';
import type { SqlClient } from './db';

/** Open carts can be abandoned; recovered (the shop says so) and converted (an order followed) carts are closed. */
export const StoredCartStatus = { Open: 'open', Recovered: 'recovered', Converted: 'converted' } as const;
export type StoredCartStatus = (typeof StoredCartStatus)[keyof typeof StoredCartStatus];

/**
 * Records the cart as this delivery reports it. Deliveries arrive out of order: one whose
 * `updatedAt` is not newer than the stored state (or than the order that closed the cart) is
 * ignored, so a late retry never rolls the cart back or restarts its idle time.
 */
export async function upsertCart(sql: SqlClient, source: string, cart: Cart, customerId: string, now: string): Promise<void> {
	const updatedAt = new Date(cart.updatedAt).toISOString();
	const closedAt = cart.status === StoredCartStatus.Recovered ? updatedAt : null;
	await sql.execute(
		`INSERT INTO carts (source, id, customer_id, status, currency, total_minor, payload, updated_at, closed_at, recorded_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		 ON CONFLICT (source, id) DO UPDATE SET customer_id = excluded.customer_id, status = excluded.status, currency = excluded.currency, total_minor = excluded.total_minor,
			payload = excluded.payload, updated_at = excluded.updated_at, closed_at = excluded.closed_at, recorded_at = excluded.recorded_at
		 WHERE carts.updated_at < excluded.updated_at AND (carts.closed_at IS NULL OR carts.closed_at < excluded.updated_at)`,
		[source, cart.id, customerId, cart.status, cart.currency, cart.totalMinor, JSON.stringify(cart), updatedAt, closedAt, now],
	);
}

/** A purchase converts the customer's open carts that last changed at or before the order was placed. */
export async function closeCartsForOrder(sql: SqlClient, customerId: string, placedAt: string): Promise<number> {
	const at = new Date(placedAt).toISOString();
	return sql.execute(`UPDATE carts SET status = $3, closed_at = $2 WHERE customer_id = $1 AND status = 'open' AND updated_at <= $2`, [customerId, at, StoredCartStatus.Converted]);
}
