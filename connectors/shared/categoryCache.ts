/**
 * A bounded, expiring in-memory cache of "product → category" answers, per shop. Category
 * lookups happen on every order delivery; a busy shop sells the same few products all day, so
 * without a cache each order would cost a vendor API call. Entries expire so a product moved to
 * another category is picked up within the TTL, and the size is capped so a shop with a huge
 * catalogue (or many shops on one n8n) cannot grow the process without limit.
 *
 * The cache is per process: n8n in queue mode has one per worker, which only costs a few extra
 * lookups. It does no I/O itself; the caller passes the function that fetches what is missing.
 */

export const DEFAULT_CATEGORY_TTL_MS = 60 * 60 * 1000;
export const DEFAULT_CATEGORY_CACHE_ENTRIES = 10_000;

export interface CategoryCacheOptions {
	/** How long an answer is trusted; 1 hour by default. */
	ttlMs?: number;
	/** Most products kept across all shops; the least recently used go first. 10,000 by default. */
	maxEntries?: number;
	/** Clock, for tests. */
	now?: () => number;
}

/**
 * Fetches the categories of `productIds`. A product the vendor does not return, or returns
 * without a category, is "no category": it is cached as such, so it is not asked for again on
 * every order until the entry expires.
 */
export type FetchCategories = (productIds: string[]) => Promise<ReadonlyMap<string, string | undefined>>;

export interface CategoryCache {
	/**
	 * The category of each of `productIds` in `shop` that has one. Cached answers are used as they
	 * are; the rest are fetched with one `fetchMissing` call (none when everything is cached). A
	 * failed fetch rejects and caches nothing, so the next delivery tries again.
	 */
	resolve(shop: string, productIds: readonly string[], fetchMissing: FetchCategories): Promise<Map<string, string>>;
	/** Number of cached products (expired ones included until they are read or evicted). */
	readonly size: number;
	clear(): void;
}

interface Entry {
	category: string | undefined;
	expiresAt: number;
}

export function createCategoryCache(options: CategoryCacheOptions = {}): CategoryCache {
	const ttlMs = options.ttlMs ?? DEFAULT_CATEGORY_TTL_MS;
	const maxEntries = options.maxEntries ?? DEFAULT_CATEGORY_CACHE_ENTRIES;
	const now = options.now ?? Date.now;
	// A Map iterates in insertion order: re-inserting on every hit keeps the least recently used first.
	const entries = new Map<string, Entry>();
	const keyOf = (shop: string, productId: string): string => `${shop}\u0000${productId}`;

	function read(key: string): Entry | undefined {
		const entry = entries.get(key);
		if (entry === undefined) return undefined;
		entries.delete(key);
		if (entry.expiresAt <= now()) return undefined;
		entries.set(key, entry);
		return entry;
	}

	function write(key: string, category: string | undefined): void {
		entries.delete(key);
		entries.set(key, { category, expiresAt: now() + ttlMs });
		while (entries.size > maxEntries) {
			const oldest = entries.keys().next().value as string;
			entries.delete(oldest);
		}
	}

	return {
		async resolve(shop, productIds, fetchMissing) {
			const found = new Map<string, string>();
			const missing: string[] = [];
			for (const productId of new Set(productIds)) {
				const entry = read(keyOf(shop, productId));
				if (entry === undefined) missing.push(productId);
				else if (entry.category !== undefined) found.set(productId, entry.category);
			}
			if (missing.length === 0) return found;
			const fetched = await fetchMissing(missing);
			for (const productId of missing) {
				const category = fetched.get(productId);
				write(keyOf(shop, productId), category);
				if (category !== undefined) found.set(productId, category);
			}
			return found;
		},
		get size() {
			return entries.size;
		},
		clear() {
			entries.clear();
		},
	};
}
