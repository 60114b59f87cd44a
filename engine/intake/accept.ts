import type { LoyaltyEvent } from '../model/event';
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
	/** Why it was not recorded: it names a person who asked to be erased (engine/privacy). Nothing of it was kept. */
	refused?: string;
}

/**
 * Intake of one verified delivery: its events are recorded with their customers and owed to every
 * event trigger that listens for their types, all in one transaction (a delivery is kept whole or
 * not at all). A duplicate of an event that some workflow has not finished yet makes that work
 * due now: the shop's retry is a request to process it, not noise. An event about a person who
 * asked to be erased is left out (`refused`), and the rest of the delivery is kept.
 */
export async function acceptEvents(store: Store, events: readonly LoyaltyEvent[], now: Date = new Date()): Promise<AcceptedEvent[]> {
	const parsed = events.map((event) => parseEvent(event));
	if (parsed.length === 0) return [];
	const nowIso = now.toISOString();
	const accepted = await store.transaction(async (sql) => {
		const out: AcceptedEvent[] = [];
		for (const event of parsed) {
			const recorded = await recordEventWithCustomer(sql, event, nowIso);
			if (recorded.refused) {
				out.push({ event, inserted: false, owed: 0, refused: recorded.refused });
				continue;
			}
			const owed = recorded.inserted ? await oweToConsumers(sql, event, nowIso) : await expediteOwed(sql, recorded.storedId, nowIso);
			out.push({ event, inserted: recorded.inserted, owed });
		}
		return out;
	});
	if (accepted.some((a) => a.inserted || a.owed > 0)) announceRecordedEvents();
	return accepted;
}
