import { EventType, type LoyaltyEvent } from '../model/event';
import { closeCartsForOrder, upsertCart } from './carts';
import { upsertCustomerUnlessRefused } from './customers';
import type { SqlClient } from './db';

/**
 * Records an event once. Returns false when an event with this delivery id, or with this business
 * key (the same order paid, reported again by a later delivery), was recorded before.
 */
export async function recordEvent(sql: SqlClient, event: LoyaltyEvent, customerId: string | undefined, now: string): Promise<boolean> {
	const inserted = await sql.execute(
		`INSERT INTO events (id, type, source, idempotency_key, customer_id, occurred_at, received_at, payload)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
		[event.id, event.type, event.source, event.idempotencyKey, customerId ?? null, new Date(event.occurredAt).toISOString(), now, JSON.stringify(event)],
	);
	return inserted > 0;
}

export interface RecordedEvent {
	/** False for a duplicate: the delivery id or the business key was recorded before, and nothing was written. */
	inserted: boolean;
	/** The id the event is stored under: this event's, or that of the earlier event with the same delivery id or business key. */
	storedId: string;
	customerId?: string;
	/** Why the event was not recorded: it names a person who asked to be erased (nothing was written). */
	refused?: string;
}

/**
 * Records a delivered event with the customer it names, inside the caller's transaction: the
 * customer is created or updated, a cart is kept current, and a purchase closes the carts it
 * came from. A duplicate (same delivery id or business key) writes nothing, and neither does an
 * event about a person who asked to be erased (`refused`).
 */
export async function recordEventWithCustomer(sql: SqlClient, event: LoyaltyEvent, nowIso: string): Promise<RecordedEvent> {
	const [seen] = await sql.query<{ id: string }>('SELECT id FROM events WHERE id = $1 OR idempotency_key = $2 LIMIT 1', [event.id, event.idempotencyKey]);
	if (seen) return { inserted: false, storedId: seen.id };
	const customer = await upsertCustomerUnlessRefused(sql, event.customer, nowIso);
	if ('refused' in customer) return { inserted: false, storedId: event.id, refused: customer.refused };
	const { customerId } = customer;
	const inserted = await recordEvent(sql, event, customerId, nowIso);
	if (!inserted) return { inserted: false, storedId: event.id, customerId };
	if (event.type === EventType.CartUpdated) await upsertCart(sql, event.source, event.cart!, customerId, nowIso);
	// A later order closes the cart it came from (and any older open cart of the customer): they are no longer abandoned.
	if (event.type === EventType.Purchase && event.order) await closeCartsForOrder(sql, customerId, event.order.placedAt);
	return { inserted: true, storedId: event.id, customerId };
}
