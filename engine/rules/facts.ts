import { channelOfOrder } from '../model/order';
import type { FactType } from './operators';
import type { EvaluationContext, RuleEvent } from './types';

/**
 * The facts a condition can name, each with its type (so the compiler can refuse "contains_any"
 * on a number) and a reader. Unlisted paths under `event.` (for JSON sources: `event.data.*`) are
 * read generically and typed at run time.
 */
export interface Fact {
	name: string;
	type: FactType;
	description: string;
	/** `zone`: the customer's time zone, falling back to the program's. */
	read(context: EvaluationContext, nowMs: number, zone: string): unknown;
	/** Costly to compute (builds a list): memoised per evaluation, in this slot of the memo (see MEMO_SLOTS). */
	memoSlot?: number;
}

const DAY_MS = 86_400_000;

/** The lines' categories, lower-cased, each once, in order of first appearance (an order has few lines: no Set). */
function categoriesOf(lines: ReadonlyArray<{ category?: string }> | undefined): string[] | undefined {
	if (!lines) return undefined;
	const categories: string[] = [];
	for (let i = 0; i < lines.length; i++) {
		const category = lines[i].category;
		if (!category) continue;
		const lower = category.toLowerCase();
		if (!categories.includes(lower)) categories.push(lower);
	}
	return categories;
}

function itemCountOf(lines: ReadonlyArray<{ quantity?: number }> | undefined): number | undefined {
	if (!lines) return undefined;
	let count = 0;
	for (let i = 0; i < lines.length; i++) count += lines[i].quantity ?? 1;
	return count;
}

function skusOf(lines: ReadonlyArray<{ sku?: string }> | undefined): string[] | undefined {
	if (!lines) return undefined;
	return lines.flatMap((line) => (line.sku ? [line.sku] : []));
}

function daysSince(iso: string | undefined, nowMs: number): number | undefined {
	if (!iso) return undefined;
	const at = Date.parse(iso);
	return Number.isNaN(at) ? undefined : Math.floor((nowMs - at) / DAY_MS);
}

function birthdayMonthNow(context: EvaluationContext, nowMs: number, zone: string): boolean | undefined {
	const birthday = context.profile.birthday ?? context.event.customer?.birthday;
	if (!birthday) return undefined;
	const month = Number(new Intl.DateTimeFormat('en-US', { month: 'numeric', timeZone: zone }).format(nowMs));
	return month === birthday.month;
}

const fact = (name: string, type: FactType, description: string, read: Fact['read']): Fact => ({ name, type, description, read });

// --- browse and price triggers (engine/browse): counted when the view was recorded, this view included ---
const BROWSE_FACTS: Fact[] = [
	fact('event.product.id', 'string', 'the product viewed', (c) => c.event.product?.id),
	fact('event.product.wishlisted', 'boolean', 'whether the product was put on a wish list', (c) => c.event.product?.wishlisted),
	fact('browse.viewsOfProductToday', 'number', 'views of this product in the last 24 hours, this one included', (c) => c.event.browse?.productViewsToday),
	fact('browse.viewsOfProduct7Days', 'number', 'views of this product in the last 7 days, this one included', (c) => c.event.browse?.productViews7Days),
	fact('browse.viewsOfProduct30Days', 'number', 'views of this product in the last 30 days, this one included', (c) => c.event.browse?.productViews30Days),
	fact('browse.viewsOfCategory7Days', 'number', "views of this product's categories in the last 7 days, this one included", (c) => c.event.browse?.categoryViews7Days),
	fact('browse.viewsOfCategory30Days', 'number', "views of this product's categories in the last 30 days, this one included", (c) => c.event.browse?.categoryViews30Days),
	fact('browse.purchasedSince', 'boolean', 'whether the customer bought anything since first viewing this product this week', (c) => c.event.browse?.purchasedSinceFirstView),
	fact('event.productAlert.priceDropPercent', 'number', 'how many percent the price fell (price_dropped)', (c) => c.event.productAlert?.priceDropPercent),
	fact('event.productAlert.priceMinor', 'money', 'the new price in minor units (price_dropped, back_in_stock)', (c) => c.event.productAlert?.priceMinor),
	fact('event.productAlert.interest', 'string', 'why the customer is told: viewed or wishlisted', (c) => c.event.productAlert?.interest),
];

/** Facts that build a list or count, or ask the time zone database, are read once per evaluation. */
const isCostly = (f: Fact) => f.type === 'list' || f.name === 'profile.isBirthdayMonth' || f.name === 'event.order.itemCount';

export const FACTS: readonly Fact[] = withMemoSlots([
	fact('event.type', 'string', 'the event type (purchase, cart_abandoned, ...)', (c) => c.event.type),
	fact('event.source', 'string', 'where the event came from (woocommerce, square, generic)', (c) => c.event.source),
	fact('event.occurredAt', 'date', 'when the event happened', (c) => c.event.occurredAt),
	fact('event.order.totalMinor', 'money', 'order total in minor units (cents)', (c) => c.event.order?.totalMinor),
	fact('event.order.currency', 'string', 'order currency', (c) => c.event.order?.currency),
	fact('event.order.categories', 'list', 'categories bought in this order', (c) => categoriesOf(c.event.order?.lines)),
	fact('event.order.skus', 'list', 'SKUs bought in this order', (c) => skusOf(c.event.order?.lines)),
	fact('event.order.itemCount', 'number', 'number of items in this order', (c) => itemCountOf(c.event.order?.lines)),
	fact('event.order.couponCodes', 'list', 'coupon codes used on this order', (c) => c.event.order?.couponCodes),
	fact('event.order.channel', 'string', 'where this order was placed: in_store or online', (c) => (c.event.order ? channelOfOrder({ source: c.event.order.source ?? c.event.source, channel: c.event.order.channel }) : undefined)),
	fact('event.order.location', 'string', 'the store this order was placed at (its Square location id)', (c) => c.event.order?.location),
	fact('event.refund.amountMinor', 'money', 'refunded amount in minor units', (c) => c.event.refund?.amountMinor),
	fact('event.cart.totalMinor', 'money', 'cart value in minor units', (c) => c.event.cart?.totalMinor),
	fact('event.cart.currency', 'string', 'cart currency', (c) => c.event.cart?.currency),
	fact('event.cart.idleMinutes', 'number', 'minutes since the cart last changed', (c) => c.event.cart?.idleMinutes),
	fact('event.cart.categories', 'list', 'categories in the cart', (c) => categoriesOf(c.event.cart?.lines)),
	fact('profile.spendMinor', 'money', 'lifetime net spend in minor units, this order included', (c) => c.profile.spendMinor),
	fact('profile.orderCount', 'number', 'paid orders, this order included', (c) => c.profile.orderCount),
	fact('profile.averageOrderMinor', 'money', 'average order value in minor units', (c) => c.profile.averageOrderMinor),
	fact('profile.firstOrderAt', 'date', 'first paid order', (c) => c.profile.firstOrderAt),
	fact('profile.lastOrderAt', 'date', 'latest paid order', (c) => c.profile.lastOrderAt),
	fact('profile.daysSinceLastOrder', 'number', 'whole days since the latest paid order', (c, now) => daysSince(c.profile.lastOrderAt, now)),
	fact('profile.daysSinceFirstOrder', 'number', 'whole days since the first paid order', (c, now) => daysSince(c.profile.firstOrderAt, now)),
	fact('profile.favouriteCategory', 'string', 'category bought most often', (c) => c.profile.favouriteCategory),
	fact('profile.tier', 'string', 'current loyalty tier', (c) => c.profile.tier),
	fact('profile.segment', 'string', 'RFM segment (saved by Segment Customer, or from the input)', (c) => c.profile.segment),
	fact('profile.lifecycle', 'string', 'lifecycle stage (new, active, at risk, lapsed, ...)', (c) => c.profile.lifecycle),
	fact('profile.valueTier', 'string', 'value group from Segment Customer (high-value, mid, occasional)', (c) => c.profile.valueTier),
	fact('profile.consent', 'list', 'channels the customer consented to', (c) => c.profile.consent),
	fact('profile.tags', 'list', 'customer tags', (c) => c.profile.tags ?? c.event.customer?.tags),
	fact('profile.pointsBalance', 'number', 'available points', (c) => c.profile.pointsBalance),
	fact('profile.visitCount', 'number', 'visits, this one included', (c) => c.profile.visitCount),
	fact('profile.inStoreOrderCount', 'number', 'paid orders placed in one of your stores, this order included', (c) => c.profile.inStoreOrderCount),
	fact('profile.onlineOrderCount', 'number', 'paid orders placed online, this order included', (c) => c.profile.onlineOrderCount),
	fact('profile.locationCount', 'number', "stores (locations) the customer has bought at, this order's included", (c) => c.profile.locationCount),
	fact('profile.ordersAtLocation', 'number', "paid orders at this order's store (location), this order included", (c) => c.profile.ordersAtLocation),
	// Badges and perks (engine/badges).
	fact('profile.badges', 'list', 'badges the customer has earned (their ids, such as first-purchase)', (c) => c.profile.badges),
	fact('profile.categoryCount', 'number', 'different categories the customer has bought, this order included', (c) => c.profile.categoryCount),
	fact('profile.referralCount', 'number', 'friends the customer brought whose first order was rewarded (refused and refunded referrals not counted)', (c) => c.profile.referralCount),
	fact('profile.isBirthdayMonth', 'boolean', "whether it is the customer's birthday month (customer's time zone)", (c, now, zone) => birthdayMonthNow(c, now, zone)),
	...BROWSE_FACTS,
]);

/** How many facts are memoised: the size of an evaluation's memo (at most 31: which are filled is one bit each). */
export const MEMO_SLOTS = FACTS.filter((f) => f.memoSlot !== undefined).length;
if (MEMO_SLOTS > 31) throw new Error(`${MEMO_SLOTS} memoised facts do not fit the evaluation's 31-bit memo mask`);

function withMemoSlots(facts: Fact[]): Fact[] {
	let slot = 0;
	for (const f of facts) if (isCostly(f)) f.memoSlot = slot++;
	return facts;
}

export const FACT_BY_NAME: ReadonlyMap<string, Fact> = new Map(FACTS.map((f) => [f.name, f]));

/** A reader for an unlisted `event.` path, e.g. `event.data.campaign`. */
export function genericEventFact(name: string): Fact | undefined {
	if (!/^event\.[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/.test(name)) return undefined;
	const keys = name.split('.').slice(1);
	return fact(name, 'any', 'a field of the event', (c) => readPath(c.event, keys));
}

function readPath(event: RuleEvent, keys: readonly string[]): unknown {
	let value: unknown = event;
	for (const key of keys) {
		if (value === null || typeof value !== 'object') return undefined;
		value = (value as Record<string, unknown>)[key];
	}
	return value;
}
