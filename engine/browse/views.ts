import type { BrowseFacts, ProductView } from '../model/product';
import type { SqlClient } from '../store/db';
import { findProduct, introduceProduct } from './products';
import type { BrowseSettings } from './settings';

const DAY_MS = 86_400_000;
/** The longest window a browse fact counts over; views are kept at least this long to compute it. */
const FACT_WINDOW_DAYS = 30;

export const ViewKind = { View: 'view', Wishlist: 'wishlist' } as const;
export type ViewKind = (typeof ViewKind)[keyof typeof ViewKind];

/** Categories are compared lower-cased, as the rules compare order categories. */
export function normalCategories(categories: readonly string[] | undefined): string[] {
	return [...new Set((categories ?? []).map((c) => c.trim().toLowerCase()).filter((c) => c !== ''))];
}

/**
 * Why a view cannot be recorded, or undefined when it can. A view must name a product the store
 * knows (from the shop's catalog webhooks or an earlier view) or carry the product's name, so a
 * later alert and the rules have something to say about it.
 */
export async function viewRefusal(sql: SqlClient, product: ProductView): Promise<string | undefined> {
	if (product.name !== undefined) return undefined;
	if (await findProduct(sql, product.id)) return undefined;
	return `product "${product.id}" is unknown: no catalog webhook or earlier view introduced it, and this view has no product name (field product.name)`;
}

/**
 * The browse facts of a view about to be recorded, this view counted in. `customerIds` are the
 * profiles the view's identities name now (none for a new customer).
 */
export async function browseFactsOfView(sql: SqlClient, customerIds: readonly string[], product: ProductView, viewedAt: string): Promise<BrowseFacts> {
	const at = Date.parse(viewedAt);
	const known = await findProduct(sql, product.id);
	const categories = normalCategories(product.categories.length > 0 ? product.categories : known?.categories);
	const earlier = await recentViews(sql, customerIds, new Date(at - FACT_WINDOW_DAYS * DAY_MS).toISOString(), viewedAt);
	const views = [...earlier, { productId: product.id, categories, viewedAt: new Date(at).toISOString() }];
	const within = (days: number) => views.filter((v) => Date.parse(v.viewedAt) > at - days * DAY_MS);
	const ofProduct = (days: number) => within(days).filter((v) => v.productId === product.id).length;
	const ofCategory = (days: number) => (categories.length === 0 ? 0 : within(days).filter((v) => v.categories.some((c) => categories.includes(c))).length);
	const firstView = within(7)
		.filter((v) => v.productId === product.id)
		.map((v) => v.viewedAt)
		.sort()[0];
	return {
		productViewsToday: ofProduct(1),
		productViews7Days: ofProduct(7),
		productViews30Days: ofProduct(30),
		categoryViews7Days: ofCategory(7),
		categoryViews30Days: ofCategory(30),
		purchasedSinceFirstView: await paidOrderBetween(sql, customerIds, firstView, viewedAt),
		firstViewAt: firstView,
	};
}

interface ViewRow {
	productId: string;
	categories: string[];
	viewedAt: string;
}

async function recentViews(sql: SqlClient, customerIds: readonly string[], from: string, to: string): Promise<ViewRow[]> {
	if (customerIds.length === 0) return [];
	const placeholders = customerIds.map((_, i) => `$${i + 3}`).join(', ');
	const rows = await sql.query<{ product_id: string; categories: string; viewed_at: string }>(
		`SELECT product_id, categories, viewed_at FROM browse_views WHERE customer_id IN (${placeholders}) AND viewed_at > $1 AND viewed_at <= $2`,
		[from, to, ...customerIds],
	);
	return rows.map((r) => ({ productId: r.product_id, categories: JSON.parse(r.categories) as string[], viewedAt: r.viewed_at }));
}

/** A purchase event recorded at intake, or a paid order in the books (imported history), in the span. */
async function paidOrderBetween(sql: SqlClient, customerIds: readonly string[], from: string, to: string): Promise<boolean> {
	if (customerIds.length === 0) return false;
	const placeholders = customerIds.map((_, i) => `$${i + 3}`).join(', ');
	const span = [new Date(from).toISOString(), new Date(to).toISOString(), ...customerIds];
	const events = await sql.query(`SELECT 1 AS one FROM events WHERE customer_id IN (${placeholders}) AND type = 'purchase' AND occurred_at >= $1 AND occurred_at <= $2 LIMIT 1`, span);
	if (events.length > 0) return true;
	const orders = await sql.query(`SELECT 1 AS one FROM orders WHERE customer_id IN (${placeholders}) AND status IN ('paid', 'refunded') AND placed_at >= $1 AND placed_at <= $2 LIMIT 1`, span);
	return orders.length > 0;
}

export interface RecordViewInput {
	/** The idempotency key of the event that reported the view: a repeated delivery writes nothing. */
	eventKey: string;
	customerId: string;
	product: ProductView;
	viewedAt: string;
}

/**
 * Keeps one view (or wish-list entry), introduces its product when the store did not know it, and
 * deletes this customer's views older than the retention period. Returns false for a repeat.
 */
export async function recordView(sql: SqlClient, input: RecordViewInput, settings: BrowseSettings, now: Date): Promise<boolean> {
	const viewedAt = new Date(input.viewedAt).toISOString();
	const known = await findProduct(sql, input.product.id);
	if (!known) await introduceProduct(sql, input.product, input.eventKey);
	const categories = normalCategories(input.product.categories.length > 0 ? input.product.categories : known?.categories);
	const inserted = await sql.execute(
		`INSERT INTO browse_views (event_key, customer_id, product_id, categories, kind, viewed_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
		[input.eventKey, input.customerId, input.product.id, JSON.stringify(categories), input.product.wishlisted ? ViewKind.Wishlist : ViewKind.View, viewedAt],
	);
	await sql.execute('DELETE FROM browse_views WHERE customer_id = $1 AND viewed_at < $2', [input.customerId, retentionCutoff(settings, now)]);
	return inserted > 0;
}

function retentionCutoff(settings: BrowseSettings, now: Date): string {
	return new Date(now.getTime() - Math.max(settings.retentionDays, FACT_WINDOW_DAYS) * DAY_MS).toISOString();
}

/** Deletes every view older than the retention period (all customers); returns how many went. */
export async function pruneViews(sql: SqlClient, settings: BrowseSettings, now: Date): Promise<number> {
	return await sql.execute('DELETE FROM browse_views WHERE viewed_at < $1', [retentionCutoff(settings, now)]);
}

export interface InterestedCustomer {
	customerId: string;
	interest: 'viewed' | 'wishlisted';
	lastInterestAt: string;
}

/** Customers who viewed or wish-listed the product since `since`, each once (wish-listed wins). */
export async function interestedCustomers(sql: SqlClient, productId: string, since: string): Promise<InterestedCustomer[]> {
	const rows = await sql.query<{ customer_id: string; kind: string; last_at: string }>(
		`SELECT customer_id, kind, MAX(viewed_at) AS last_at FROM browse_views WHERE product_id = $1 AND viewed_at >= $2 GROUP BY customer_id, kind ORDER BY customer_id`,
		[productId, since],
	);
	const byCustomer = new Map<string, InterestedCustomer>();
	for (const row of rows) {
		const seen = byCustomer.get(row.customer_id);
		const interest = row.kind === ViewKind.Wishlist ? 'wishlisted' : 'viewed';
		if (!seen) byCustomer.set(row.customer_id, { customerId: row.customer_id, interest, lastInterestAt: row.last_at });
		else {
			if (interest === 'wishlisted') seen.interest = 'wishlisted';
			if (row.last_at > seen.lastInterestAt) seen.lastInterestAt = row.last_at;
		}
	}
	return [...byCustomer.values()];
}

/**
 * Products someone viewed or wish-listed since `since`: the ones whose price is worth re-reading.
 * `exceptSources`: leave out products another shop's webhooks report (a shop on both WooCommerce
 * and Square asks Square only about products it does not know from WooCommerce).
 */
export async function viewedProductIds(sql: SqlClient, since: string, options: { exceptSources?: readonly string[]; limit?: number } = {}): Promise<string[]> {
	const except = options.exceptSources ?? [];
	const limit = Math.max(1, Math.floor(options.limit ?? 5000));
	const excluded = except.length === 0 ? '' : ` AND (p.source IS NULL OR p.source NOT IN (${except.map((_, i) => `$${i + 2}`).join(', ')}))`;
	const rows = await sql.query<{ product_id: string }>(
		`SELECT DISTINCT v.product_id FROM browse_views v LEFT JOIN browse_products p ON p.product_id = v.product_id WHERE v.viewed_at >= $1${excluded} ORDER BY v.product_id LIMIT ${limit}`,
		[since, ...except],
	);
	return rows.map((r) => r.product_id);
}
