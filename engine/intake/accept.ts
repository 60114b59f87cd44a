import { browseFactsOfView, parseBrowseSettings, recordView, viewRefusal, type BrowseSettings } from '../browse';
import { EventType, type LoyaltyEvent } from '../model/event';
import { findCustomerIds } from '../store/customers';
import type { SqlClient } from '../store/db';
import { recordEventWithCustomer } from '../store/events';
import { parseEvent, type Store } from '../store/store';
import { expediteOwed, oweToConsumers } from './deliveries';
import { announceRecordedEvents } from './wakeups';

export interface AcceptedEvent {
	event: LoyaltyEvent;
	/** False for a duplicate of an event recorded before. */
	inserted: boolean;
	/** Event triggers this event is owed to (new events), or that still owe it (duplicates: 0 means fully processed). */
	owed: number;
	/**
	 * Why it was not recorded: it names a person who asked to be erased (engine/privacy), or it is a
	 * view of a product the store does not know (engine/browse). Nothing of it was kept.
	 */
	refused?: string;
}

/**
 * Intake of one verified delivery: its events are recorded with their customers and owed to every
 * event trigger that listens for their types, all in one transaction (a delivery is kept whole or
 * not at all). A duplicate of an event that some workflow has not finished yet makes that work
 * due now: the shop's retry is a request to process it, not noise. An event about a person who
 * asked to be erased is left out (`refused`), and the rest of the delivery is kept.
 */
export async function acceptEvents(store: Store, events: readonly LoyaltyEvent[], now: Date = new Date(), options: AcceptOptions = {}): Promise<AcceptedEvent[]> {
	const parsed = events.map((event) => parseEvent(event));
	if (parsed.length === 0) return [];
	const browse = parseBrowseSettings(options.browse);
	const nowIso = now.toISOString();
	const accepted = await store.transaction(async (sql) => {
		const out: AcceptedEvent[] = [];
		for (const parsedEvent of parsed) {
			let event = parsedEvent;
			if (event.type === EventType.ProductViewed) {
				const view = await prepareView(sql, event);
				if ('refused' in view) {
					out.push({ event, inserted: false, owed: 0, refused: view.refused });
					continue;
				}
				event = view.event;
			}
			const recorded = await recordEventWithCustomer(sql, event, nowIso);
			if (recorded.refused) {
				out.push({ event, inserted: false, owed: 0, refused: recorded.refused });
				continue;
			}
			if (recorded.inserted && event.type === EventType.ProductViewed && recorded.customerId) {
				await recordView(sql, { eventKey: event.idempotencyKey, customerId: recorded.customerId, product: event.product!, viewedAt: event.occurredAt }, browse, now);
			}
			const owed = recorded.inserted ? await oweToConsumers(sql, event, nowIso) : await expediteOwed(sql, recorded.storedId, nowIso);
			out.push({ event, inserted: recorded.inserted, owed });
		}
		return out;
	});
	if (accepted.some((a) => a.inserted || a.owed > 0)) announceRecordedEvents();
	return accepted;
}

export interface AcceptOptions {
	/** How long product views are kept (engine/browse); defaults apply when left out. */
	browse?: Partial<BrowseSettings>;
}

/**
 * A view is recorded with the browse facts it completes (views of the product and its categories,
 * a purchase since), so the rules decide on what the customer had done by then, on every re-run.
 * A view of a product the store cannot name is refused whole.
 */
async function prepareView(sql: SqlClient, event: LoyaltyEvent): Promise<{ event: LoyaltyEvent } | { refused: string }> {
	const product = event.product;
	if (!product) return { refused: 'a product_viewed event must carry its product (field product)' };
	const [seen] = await sql.query<{ id: string }>('SELECT id FROM events WHERE id = $1 OR idempotency_key = $2 LIMIT 1', [event.id, event.idempotencyKey]);
	if (seen) return { event };
	const refusal = await viewRefusal(sql, product);
	if (refusal) return { refused: refusal };
	const customerIds = await findCustomerIds(sql, event.customer.identities);
	return { event: { ...event, browse: await browseFactsOfView(sql, customerIds, product, event.occurredAt) } };
}
