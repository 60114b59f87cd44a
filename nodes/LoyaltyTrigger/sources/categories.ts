import type { IWebhookFunctions } from 'n8n-workflow';

import type { LoyaltyEvent } from '../../../engine';

/**
 * How long a delivery waits for product categories before it is recorded without them. Points
 * must never wait on a category lookup: the vendor retries a webhook that is answered late, and a
 * slow catalogue API must not make a purchase arrive late or twice. A lookup that answers after
 * the deadline still fills the cache for the next order.
 */
export const CATEGORY_LOOKUP_DEADLINE_MS = 2_000;

export interface CategoryEnrichment {
	/** Shown in the warning, e.g. "WooCommerce". */
	vendor: string;
	/** Product ids of lines still without a category; nothing is looked up when empty. */
	productIds: string[];
	/** Fetches (or reads from the cache) the category of each product that has one. */
	lookup(productIds: string[]): Promise<ReadonlyMap<string, string>>;
	/** The connector's pure function that puts the categories on the events' order lines. */
	apply(categories: ReadonlyMap<string, string>): LoyaltyEvent[];
	deadlineMs?: number;
}

/**
 * The events with their order lines' categories, or the events unchanged when the lookup fails or
 * is slow. A failed lookup (vendor down, 401, a key without read access to products) only costs
 * category rules this one order; failing the delivery instead would hold back the points of a
 * paid order over optional data, so the failure is logged as a warning and the events go on.
 */
export async function withProductCategories(context: IWebhookFunctions, events: LoyaltyEvent[], enrichment: CategoryEnrichment): Promise<LoyaltyEvent[]> {
	if (enrichment.productIds.length === 0) return events;
	try {
		const categories = await withinDeadline(enrichment.lookup(enrichment.productIds), enrichment.deadlineMs ?? CATEGORY_LOOKUP_DEADLINE_MS);
		return enrichment.apply(categories);
	} catch (error) {
		const reason = error instanceof Error ? error.message : String(error);
		context.logger.warn(`Loyalty Trigger: could not look up ${enrichment.vendor} product categories; the order is recorded without them (${reason})`, {
			node: context.getNode().name,
		});
		return events;
	}
}

/** Settles like `promise`, or rejects after `ms`; `promise` keeps a handler, so a late failure is not unhandled. */
export function withinDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
	return new Promise<T>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
		promise.then(
			(value) => {
				clearTimeout(timer);
				resolve(value);
			},
			(error: unknown) => {
				clearTimeout(timer);
				reject(error instanceof Error ? error : new Error(String(error)));
			},
		);
	});
}
