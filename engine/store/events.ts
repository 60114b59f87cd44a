import type { LoyaltyEvent } from '../model/event';
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
