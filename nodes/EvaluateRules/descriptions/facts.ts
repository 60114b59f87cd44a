import type { INodePropertyOptions } from 'n8n-workflow';

import { FACTS } from '../../../engine';

/**
 * The rule builder's field names for the engine's facts. The stored value stays the fact's path
 * (saved workflows keep working); the panel shows a plain name, and the path only in the
 * description. Money facts are typed in currency units (50 for $50.00) and converted inside.
 */
const FACT_NAMES: Record<string, string> = {
	'event.type': 'Event Type',
	'event.source': 'Event Source',
	'event.occurredAt': 'Event Time',
	'event.order.totalMinor': 'Order Total',
	'event.order.currency': 'Order Currency',
	'event.order.categories': 'Order Categories',
	'event.order.skus': 'Order SKUs',
	'event.order.itemCount': 'Order Item Count',
	'event.order.couponCodes': 'Order Coupon Codes',
	'event.order.channel': 'Order Channel (In Store or Online)',
	'event.order.location': 'Order Location (Store)',
	'event.refund.amountMinor': 'Refund Amount',
	'event.cart.totalMinor': 'Cart Total',
	'event.cart.currency': 'Cart Currency',
	'event.cart.idleMinutes': 'Cart Idle Minutes',
	'event.cart.categories': 'Cart Categories',
	'profile.spendMinor': 'Lifetime Spend',
	'profile.orderCount': 'Order Count',
	'profile.averageOrderMinor': 'Average Order Value',
	'profile.firstOrderAt': 'First Order Date',
	'profile.lastOrderAt': 'Last Order Date',
	'profile.daysSinceLastOrder': 'Days Since Last Order',
	'profile.daysSinceFirstOrder': 'Days Since First Order',
	'profile.favouriteCategory': 'Favourite Category',
	'profile.tier': 'Tier',
	'profile.segment': 'Segment',
	'profile.lifecycle': 'Lifecycle Stage',
	'profile.valueTier': 'Value Group',
	'profile.consent': 'Consented Channels',
	'profile.tags': 'Customer Tags',
	'profile.pointsBalance': 'Points Balance',
	'profile.visitCount': 'Visit Count',
	'profile.inStoreOrderCount': 'In-Store Order Count',
	'profile.onlineOrderCount': 'Online Order Count',
	'profile.locationCount': 'Stores Bought At',
	'profile.ordersAtLocation': 'Orders at This Store',
	'profile.isBirthdayMonth': 'Is Birthday Month',
	'profile.referralCount': 'Friends Referred',
	// Badges and perks.
	'profile.badges': 'Badges Earned',
	'profile.categoryCount': 'Categories Bought',
	// --- browse and price triggers (engine/browse) ---
	'event.product.id': 'Viewed Product ID',
	'event.product.wishlisted': 'Viewed Product Is Wishlisted',
	'browse.viewsOfProductToday': 'Views of This Product Today',
	'browse.viewsOfProduct7Days': 'Views of This Product in 7 Days',
	'browse.viewsOfProduct30Days': 'Views of This Product in 30 Days',
	'browse.viewsOfCategory7Days': 'Views of Its Categories in 7 Days',
	'browse.viewsOfCategory30Days': 'Views of Its Categories in 30 Days',
	'browse.purchasedSince': 'Bought Since Viewing',
	'event.productAlert.priceDropPercent': 'Price Drop Percent',
	'event.productAlert.priceMinor': 'New Price',
	'event.productAlert.interest': 'Interest (Viewed or Wishlisted)',
};

function describe(fact: (typeof FACTS)[number]): string {
	const text = fact.description.replace(/ in minor units( \(cents\))?/, '');
	const unit = fact.type === 'money' ? ', in your currency (50 means 50.00)' : '';
	return `${text.charAt(0).toUpperCase()}${text.slice(1)}${unit} (${fact.name})`;
}

export const FACT_OPTIONS: INodePropertyOptions[] = FACTS.map((fact) => ({
	name: FACT_NAMES[fact.name] ?? fact.name,
	value: fact.name,
	description: describe(fact),
})).sort((a, b) => a.name.localeCompare(b.name));
