import type { ProductSnapshot, ProductView } from '../model/product';
import type { Row, SqlClient } from '../store/db';

/** The last price and stock the store saw for a product. */
export interface KnownProduct {
	productId: string;
	source: string;
	name?: string;
	categories: string[];
	url?: string;
	currency?: string;
	priceMinor?: number;
	inStock?: boolean;
	lastKey: string;
	observedAt: string;
}

interface ProductRow extends Row {
	product_id: string;
	source: string;
	name: string | null;
	categories: string;
	url: string | null;
	currency: string | null;
	price_minor: number | string | null;
	in_stock: number | null;
	last_key: string;
	observed_at: string;
}

function fromRow(row: ProductRow): KnownProduct {
	return {
		productId: row.product_id,
		source: row.source,
		...(row.name !== null ? { name: row.name } : {}),
		categories: JSON.parse(row.categories) as string[],
		...(row.url !== null ? { url: row.url } : {}),
		...(row.currency !== null ? { currency: row.currency } : {}),
		...(row.price_minor !== null ? { priceMinor: Number(row.price_minor) } : {}),
		...(row.in_stock !== null ? { inStock: Number(row.in_stock) === 1 } : {}),
		lastKey: row.last_key,
		observedAt: row.observed_at,
	};
}

export async function findProduct(sql: SqlClient, productId: string): Promise<KnownProduct | undefined> {
	const [row] = await sql.query<ProductRow>('SELECT * FROM browse_products WHERE product_id = $1', [productId]);
	return row ? fromRow(row) : undefined;
}

/**
 * What a view tells about a product stands before any catalog report: a shop's modification times
 * have whole seconds (WooCommerce), so a report of a change made just after the view could look
 * older than the view and be taken for a stale one.
 */
const VIEW_BASELINE_AT = '1970-01-01T00:00:00.000Z';
/** The source of a product only views have named so far: no shop has reported it (its first report sets its shop). */
export const INTRODUCED_BY_VIEW = 'view';

/**
 * A view of a product the catalog webhooks have not reported yet: the view's name, categories and
 * shown price become what the store knows, so a later catalog report can be compared with it.
 */
export async function introduceProduct(sql: SqlClient, product: ProductView, eventKey: string): Promise<void> {
	const price = product.priceMinor !== undefined && product.currency !== undefined ? { price: product.priceMinor, currency: product.currency } : { price: null, currency: null };
	await sql.execute(
		`INSERT INTO browse_products (product_id, source, name, categories, url, currency, price_minor, in_stock, last_key, observed_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, $9) ON CONFLICT DO NOTHING`,
		[product.id, INTRODUCED_BY_VIEW, product.name ?? null, JSON.stringify(product.categories.map((c) => c.trim().toLowerCase())), product.url ?? null, price.currency, price.price, eventKey, VIEW_BASELINE_AT],
	);
}

/** What one catalog or stock report changed, compared with the last one kept. */
export type ProductChange =
	/** First sight of the product: its values are the baseline; nothing is announced. */
	| { kind: 'baseline'; product: KnownProduct }
	/** The same report again, or one older than what is kept: nothing written. */
	| { kind: 'repeat'; product: KnownProduct }
	| { kind: 'updated'; product: KnownProduct; previous: KnownProduct; priceDrop?: { fromMinor: number; toMinor: number; percent: number }; backInStock: boolean };

/**
 * Compares a report with the last one kept and keeps the new values (a field the report leaves
 * out keeps its old value). A price drop is a lower price in the same currency; back in stock is
 * out of stock before and in stock now. Neither counts on first sight: there is nothing to
 * compare with. A report older than the one kept is stale and changes nothing.
 */
export async function observeProduct(sql: SqlClient, snapshot: ProductSnapshot): Promise<ProductChange> {
	const [row] = await sql.query<ProductRow>(`SELECT * FROM browse_products WHERE product_id = $1${sql.dialect === 'postgres' ? ' FOR UPDATE' : ''}`, [snapshot.id]);
	const observedAt = new Date(snapshot.observedAt).toISOString();
	const next = (previous: KnownProduct | undefined): KnownProduct => ({
		productId: snapshot.id,
		source: snapshot.source,
		...withDefined({ name: snapshot.name ?? previous?.name, url: snapshot.url ?? previous?.url }),
		categories: snapshot.categories ? snapshot.categories.map((c) => c.trim().toLowerCase()) : (previous?.categories ?? []),
		...withDefined({
			currency: snapshot.priceMinor !== undefined ? (snapshot.currency ?? previous?.currency) : previous?.currency,
			priceMinor: snapshot.priceMinor ?? previous?.priceMinor,
			inStock: snapshot.inStock ?? previous?.inStock,
		}),
		lastKey: snapshot.key,
		observedAt,
	});
	if (!row) {
		const product = next(undefined);
		// Two first reports at once (PostgreSQL, many workers): the second finds the first's row.
		if (!(await write(sql, product, 'insert'))) return await observeProduct(sql, snapshot);
		return { kind: 'baseline', product };
	}
	const previous = fromRow(row);
	if (previous.lastKey === snapshot.key || previous.observedAt > observedAt) return { kind: 'repeat', product: previous };
	const product = next(previous);
	await write(sql, product, 'update');
	const samePriceBasis = previous.priceMinor !== undefined && product.priceMinor !== undefined && previous.currency !== undefined && previous.currency === product.currency;
	const priceDrop =
		samePriceBasis && product.priceMinor! < previous.priceMinor!
			? { fromMinor: previous.priceMinor!, toMinor: product.priceMinor!, percent: Math.floor(((previous.priceMinor! - product.priceMinor!) * 100) / previous.priceMinor!) }
			: undefined;
	return { kind: 'updated', product, previous, ...(priceDrop ? { priceDrop } : {}), backInStock: previous.inStock === false && product.inStock === true };
}

function withDefined<T extends Record<string, unknown>>(values: T): Partial<T> {
	return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}

async function write(sql: SqlClient, p: KnownProduct, how: 'insert' | 'update'): Promise<boolean> {
	const values = [p.productId, p.source, p.name ?? null, JSON.stringify(p.categories), p.url ?? null, p.currency ?? null, p.priceMinor ?? null, p.inStock === undefined ? null : p.inStock ? 1 : 0, p.lastKey, p.observedAt];
	if (how === 'insert') {
		return (await sql.execute(`INSERT INTO browse_products (product_id, source, name, categories, url, currency, price_minor, in_stock, last_key, observed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`, values)) > 0;
	}
	return (await sql.execute(`UPDATE browse_products SET source = $2, name = $3, categories = $4, url = $5, currency = $6, price_minor = $7, in_stock = $8, last_key = $9, observed_at = $10 WHERE product_id = $1`, values)) > 0;
}
