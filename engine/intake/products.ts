import { interestedCustomers, observeProduct, parseBrowseSettings, productAlertEvents, type BrowseSettings } from '../browse';
import { parseOrThrow } from '../model/validate';
import { productSnapshotSchema, type ProductSnapshot, type ProductSnapshotInput } from '../model/product';
import { getCustomer } from '../store/customers';
import type { Customer } from '../model/customer';
import { recordEventWithCustomer } from '../store/events';
import { parseEvent, type Store } from '../store/store';
import type { AcceptedEvent } from './accept';
import { expediteOwed, oweToConsumers } from './deliveries';
import { announceRecordedEvents } from './wakeups';

const DAY_MS = 86_400_000;

export interface AcceptedProduct {
	productId: string;
	/** baseline: first sight, kept and nothing announced; repeat: the same (or an older) report, nothing written; updated: compared with the last one. */
	change: 'baseline' | 'repeat' | 'updated';
	priceDropPercent?: number;
	backInStock?: boolean;
	/** The alerts recorded for interested customers (price_dropped or back_in_stock), one per customer. */
	alerts: AcceptedEvent[];
}

/**
 * Intake of catalog and stock reports: each is compared with the last one kept (the payloads carry
 * no previous value), and a price drop or a return to stock becomes one alert event per customer
 * who viewed or wish-listed the product within the alert window, recorded and owed to the event
 * triggers like any delivered event. One transaction per delivery: kept whole or not at all.
 */
export async function acceptProductSnapshots(store: Store, inputs: readonly ProductSnapshotInput[], now: Date = new Date(), settings: Partial<BrowseSettings> = {}): Promise<AcceptedProduct[]> {
	const snapshots: ProductSnapshot[] = inputs.map((input, index) => parseOrThrow(productSnapshotSchema, input, inputs.length > 1 ? `products.${index}` : 'product'));
	if (snapshots.length === 0) return [];
	const browse = parseBrowseSettings(settings);
	const nowIso = now.toISOString();
	const accepted = await store.transaction(async (sql) => {
		const out: AcceptedProduct[] = [];
		for (const snapshot of snapshots) {
			const change = await observeProduct(sql, snapshot);
			const result: AcceptedProduct = { productId: snapshot.id, change: change.kind, alerts: [] };
			if (change.kind === 'updated') {
				if (change.priceDrop) result.priceDropPercent = change.priceDrop.percent;
				if (change.backInStock) result.backInStock = true;
				const since = new Date(Date.parse(snapshot.observedAt) - browse.alertWindowDays * DAY_MS).toISOString();
				const interested = await interestedCustomers(sql, snapshot.id, since);
				const customers: Array<{ interested: (typeof interested)[number]; customer: Customer }> = [];
				for (const one of interested) {
					const customer = await getCustomer(sql, one.customerId);
					if (customer) customers.push({ interested: one, customer });
				}
				for (const event of productAlertEvents(snapshot, change, customers).map((e) => parseEvent(e))) {
					const recorded = await recordEventWithCustomer(sql, event, nowIso);
					if (recorded.refused) continue;
					const owed = recorded.inserted ? await oweToConsumers(sql, event, nowIso) : await expediteOwed(sql, recorded.storedId, nowIso);
					result.alerts.push({ event, inserted: recorded.inserted, owed });
				}
			}
			out.push(result);
		}
		return out;
	});
	if (accepted.some((p) => p.alerts.some((a) => a.inserted || a.owed > 0))) announceRecordedEvents();
	return accepted;
}
