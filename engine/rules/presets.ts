import type { RuleInput } from './schema';

/**
 * Built-in presets: each returns ordinary, editable rules (the same JSON a user could write) with
 * its numbers as parameters. Money parameters are minor units (5000 = $50.00).
 */
export interface Preset<P> {
	id: string;
	title: string;
	description: string;
	defaults: P;
	build(parameters?: Partial<P>): RuleInput[];
}

function preset<P extends object>(id: string, title: string, description: string, defaults: P, build: (p: P) => RuleInput[]): Preset<P> {
	return { id, title, description, defaults, build: (parameters = {}) => build({ ...defaults, ...parameters }) };
}

export const firstPurchaseBonus = preset('first_purchase_bonus', 'First purchase bonus', 'Bonus points on the first paid order, and a welcome message with an easy first reward', { points: 100, welcomeOffer: 'welcome' as string }, (p) => [
	{
		id: 'first_purchase_bonus',
		name: 'First purchase bonus',
		triggers: ['purchase'],
		conditions: { all: [{ fact: 'profile.orderCount', operator: 'equal', value: 1 }] },
		actions: [{ type: 'award_points', mode: 'fixed', points: p.points }, ...(p.welcomeOffer ? [{ type: 'send_offer' as const, template: p.welcomeOffer, channel: 'any' as const }] : [])],
		frequency: { max: 1, perDays: 36500 },
	},
]);

export const bigOrderBonus = preset('big_order_bonus', 'Big order bonus', 'Bonus points when an order reaches a threshold', { thresholdMinor: 10000, points: 50 }, (p) => [
	{
		id: 'big_order_bonus',
		name: 'Big order bonus',
		triggers: ['purchase'],
		conditions: { all: [{ fact: 'event.order.totalMinor', operator: 'greater_than_or_equal', value: p.thresholdMinor }] },
		actions: [{ type: 'award_points', mode: 'fixed', points: p.points }],
	},
]);

export const crossCategoryBonus = preset(
	'cross_category_bonus',
	'Buy from one category, double points on another',
	'A purchase in category A gives double points on category B for some days, with recommendations',
	{ fromCategory: 'coffee', toCategory: 'pastries', multiplier: 2, days: 7 },
	(p) => [
		{
			id: 'cross_category_bonus',
			name: `${p.fromCategory} → ${p.multiplier}x points on ${p.toCategory}`,
			triggers: ['purchase'],
			conditions: { all: [{ fact: 'event.order.categories', operator: 'contains', value: p.fromCategory.toLowerCase() }] },
			actions: [
				{ type: 'category_bonus', categories: [p.toCategory], multiplier: p.multiplier, days: p.days, recommend: true },
				{ type: 'send_offer', template: 'category_bonus_recommendations', channel: 'any', category: p.toCategory },
			],
			frequency: { max: 1, perDays: p.days },
		},
	],
);

export const purchaseStreak = preset(
	'purchase_streak',
	'Purchase streak',
	'N purchases within D days: move up a tier, or start a challenge when no tier is given',
	{ purchases: 3, days: 60, tier: '' as string, challengePurchases: 2, challengeMultiplier: 2 },
	(p) => [
		{
			id: 'purchase_streak',
			name: `${p.purchases} purchases in ${p.days} days`,
			triggers: ['purchase'],
			conditions: { all: [{ aggregate: { measure: 'orders', lastDays: p.days }, operator: 'greater_than_or_equal', value: p.purchases }] },
			actions: p.tier
				? [{ type: 'set_tier', tier: p.tier }]
				: [{ type: 'start_challenge', challenge: `${p.challengePurchases}_purchases_this_month`, goalPurchases: p.challengePurchases, calendar: 'month', reward: { multiplier: p.challengeMultiplier } }],
			frequency: { max: 1, perDays: p.days },
		},
	],
);

export const lifetimeSpendUpgrade = preset('lifetime_spend_upgrade', 'Lifetime spend tier upgrade', 'Lifetime spend reaches a threshold: tier upgrade, bonus points and a message about the new benefits', { spendMinor: 50000, tier: 'Gold', points: 200, benefitsOffer: 'vip_upgrade' as string }, (p) => [
	{
		id: 'lifetime_spend_upgrade',
		name: `Lifetime spend ≥ ${p.spendMinor / 100} → ${p.tier}`,
		triggers: ['purchase'],
		conditions: {
			all: [
				{ fact: 'profile.spendMinor', operator: 'greater_than_or_equal', value: p.spendMinor },
				{ any: [{ fact: 'profile.tier', operator: 'not_exists' }, { fact: 'profile.tier', operator: 'not_equal', value: p.tier }] },
			],
		},
		actions: [
			{ type: 'set_tier', tier: p.tier },
			{ type: 'award_points', mode: 'fixed', points: p.points },
			...(p.benefitsOffer ? [{ type: 'send_offer' as const, template: p.benefitsOffer, channel: 'any' as const }] : []),
		],
		frequency: { max: 1, perDays: 36500 },
	},
]);

export const visitMilestone = preset('visit_milestone', 'Visit milestones', 'A free item on the 5th and 10th visit', { visits: [5, 10] as number[], freeItem: 'coffee' }, (p) => [
	{
		id: 'visit_milestone',
		name: `Free ${p.freeItem} on visit ${p.visits.join(' and ')}`,
		triggers: ['visit', 'purchase'],
		conditions: { all: [{ fact: 'profile.visitCount', operator: 'in', value: p.visits }] },
		actions: [{ type: 'issue_coupon', freeItem: p.freeItem, validHours: 24 * 30 }],
	},
]);

export const birthdayReward = preset('birthday_reward', 'Birthday month reward', 'Points and a birthday greeting with a coupon valid through the birthday month', { points: 100, percentOff: 15 }, (p) => [
	{
		id: 'birthday_reward',
		name: 'Birthday month reward',
		triggers: ['birthday_due'],
		conditions: { all: [{ fact: 'profile.isBirthdayMonth', operator: 'is_true' }] },
		actions: [
			{ type: 'award_points', mode: 'fixed', points: p.points },
			{ type: 'send_offer', template: 'birthday', channel: 'any', percentOff: p.percentOff, validThrough: 'month_end' },
		],
		frequency: { max: 1, perDays: 300 },
	},
]);

export const winBack = preset(
	'win_back',
	'Win-back',
	'No purchase for N days: high-value customers get an offer in their favourite category, others a smaller discount. The win-back holds other retention offers (such as the cart reminder) back for 48 hours.',
	{ inactiveDays: 60, highValueSpendMinor: 30000, highValuePercentOff: 20, otherPercentOff: 10, everyDays: 60, suppressOthersForHours: 48 },
	(p) => {
		const inactive = { fact: 'profile.daysSinceLastOrder', operator: 'greater_than_or_equal', value: p.inactiveDays };
		const common = { triggers: ['inactivity_due', 'cart_abandoned', 'visit'] as RuleInput['triggers'], frequency: { max: 1, perDays: p.everyDays } };
		return [
			{
				id: 'win_back_high_value',
				name: 'Win-back: high-value customers',
				...common,
				priority: 20,
				conditions: { all: [inactive, { fact: 'profile.spendMinor', operator: 'greater_than_or_equal', value: p.highValueSpendMinor }] },
				actions: [{ type: 'send_offer', template: 'win_back_favourite_category', channel: 'any', percentOff: p.highValuePercentOff, category: 'favourite' }],
				conflict: { group: 'retention', suppressOthersForHours: p.suppressOthersForHours },
			},
			{
				id: 'win_back',
				name: 'Win-back: everyone else',
				...common,
				priority: 10,
				conditions: { all: [inactive, { any: [{ fact: 'profile.spendMinor', operator: 'less_than', value: p.highValueSpendMinor }, { fact: 'profile.spendMinor', operator: 'not_exists' }] }] },
				actions: [{ type: 'send_offer', template: 'win_back_discount', channel: 'any', percentOff: p.otherPercentOff }],
				conflict: { group: 'retention', suppressOthersForHours: p.suppressOthersForHours },
			},
		];
	},
);

export const cartRecovery = preset(
	'cart_recovery',
	'Abandoned cart',
	'Cart of at least $50 idle for 2 hours: a reminder; still no purchase 24 hours later: a 10% coupon valid 24 hours, by SMS where the customer agreed to texts. The reminder holds other retention offers (such as the win-back) back for 48 hours.',
	{ minCartMinor: 5000, idleMinutes: 120, followUpHours: 24, percentOff: 10, couponValidHours: 24, perDays: 7, suppressOthersForHours: 48 },
	(p) => [
		{
			id: 'cart_recovery',
			name: 'Abandoned cart reminder',
			triggers: ['cart_abandoned'],
			conditions: {
				all: [
					{ fact: 'event.cart.totalMinor', operator: 'greater_than_or_equal', value: p.minCartMinor },
					{ fact: 'event.cart.idleMinutes', operator: 'greater_than_or_equal', value: p.idleMinutes },
				],
			},
			actions: [
				{ type: 'send_offer', template: 'cart_reminder', channel: 'any' },
				{ type: 'schedule_follow_up', afterHours: p.followUpHours, unlessEvent: 'purchase', then: [{ type: 'issue_coupon', template: 'cart_coupon', channel: 'sms', percentOff: p.percentOff, validHours: p.couponValidHours }] },
			],
			frequency: { max: 1, perDays: p.perDays },
			// A cart reminder holds other retention offers (the win-back) back for 48 hours.
			conflict: { group: 'retention', suppressOthersForHours: p.suppressOthersForHours },
		},
	],
);

export const morningBonus = preset('morning_bonus', 'Morning bonus', 'Extra points for purchases in a morning window (customer time zone)', { from: '07:00', to: '10:00', points: 20 }, (p) => [
	{
		id: 'morning_bonus',
		name: `Morning bonus ${p.from}–${p.to}`,
		triggers: ['purchase'],
		schedule: { hours: { from: p.from, to: p.to } },
		actions: [{ type: 'award_points', mode: 'fixed', points: p.points }],
	},
]);

export const crossSell = preset(
	'cross_sell',
	'Cross-sell',
	'Buys one category N times in a calendar month but never another: suggest the other',
	{ boughtCategory: 'coffee', times: 3, missingCategory: 'tea' },
	(p) => [
		{
			id: 'cross_sell',
			name: `${p.times}x ${p.boughtCategory} this month, no ${p.missingCategory} → try ${p.missingCategory}`,
			triggers: ['purchase'],
			conditions: {
				all: [
					{ aggregate: { measure: 'category_purchases', category: p.boughtCategory, calendar: 'month' }, operator: 'greater_than_or_equal', value: p.times },
					{ aggregate: { measure: 'category_purchases', category: p.missingCategory, calendar: 'month' }, operator: 'equal', value: 0 },
				],
			},
			actions: [{ type: 'send_offer', template: 'try_category', channel: 'any', category: p.missingCategory }],
			frequency: { max: 1, perDays: 30 },
		},
	],
);

export const replenishmentReminder = preset(
	'replenishment_reminder',
	'Replenishment reminder',
	'Due to run out (day 28 of a 30-day rhythm): a reminder with double points on the replenished categories',
	{ multiplier: 2, days: 3, categories: ['coffee'] as string[] },
	(p) => [
		{
			id: 'replenishment_reminder',
			name: 'Replenishment reminder',
			triggers: ['replenishment_due'],
			actions: [
				{ type: 'send_offer', template: 'replenishment_reminder', channel: 'any', category: 'favourite' },
				{ type: 'category_bonus', categories: p.categories, multiplier: p.multiplier, days: p.days },
			],
			frequency: { max: 1, perDays: 20 },
		},
	],
);

export const newLocationVisit = preset(
	'new_location_visit',
	'First visit to another of our stores',
	'A customer who has bought at one of your stores buys at another for the first time: bonus points and a welcome to that store',
	{ points: 50, welcomeOffer: 'new_location_welcome' as string },
	(p) => [
		{
			id: 'new_location_visit',
			name: 'First visit to another of our stores',
			triggers: ['purchase'],
			conditions: {
				all: [
					{ fact: 'event.order.channel', operator: 'equal', value: 'in_store' },
					{ fact: 'profile.ordersAtLocation', operator: 'equal', value: 1 },
					{ fact: 'profile.locationCount', operator: 'greater_than_or_equal', value: 2 },
				],
			},
			actions: [{ type: 'award_points', mode: 'fixed', points: p.points }, ...(p.welcomeOffer ? [{ type: 'send_offer' as const, template: p.welcomeOffer, channel: 'any' as const }] : [])],
		},
	],
);

export const onlineCustomerStoreVisit = preset(
	'online_customer_store_visit',
	"Online customer's first visit to the shop",
	'A customer who has only ever ordered online buys in one of your stores for the first time: bonus points and a thank-you for coming by',
	{ points: 50, thanksOffer: 'first_store_visit' as string },
	(p) => [
		{
			id: 'online_customer_store_visit',
			name: "Online customer's first visit to the shop",
			triggers: ['purchase'],
			conditions: {
				all: [
					{ fact: 'event.order.channel', operator: 'equal', value: 'in_store' },
					{ fact: 'profile.inStoreOrderCount', operator: 'equal', value: 1 },
					{ fact: 'profile.onlineOrderCount', operator: 'greater_than_or_equal', value: 1 },
				],
			},
			actions: [{ type: 'award_points', mode: 'fixed', points: p.points }, ...(p.thanksOffer ? [{ type: 'send_offer' as const, template: p.thanksOffer, channel: 'any' as const }] : [])],
			frequency: { max: 1, perDays: 36500 },
		},
	],
);

// --- Badges and perks (engine/badges): each awards a badge of the program once ("not yet earned"
// is a condition, and the store keeps a badge once per customer whatever the conditions say). ---

/** Not yet earned: the condition every badge preset starts with. */
const notYetEarned = (badge: string) => ({ fact: 'profile.badges', operator: 'not_contains', value: badge });

export const badgeFirstPurchase = preset('badge_first_purchase', 'Badge: first purchase', 'The First Purchase badge on the first paid order', { badge: 'first-purchase' }, (p) => [
	{
		id: 'badge_first_purchase',
		name: 'Badge: first purchase',
		triggers: ['purchase'],
		conditions: { all: [notYetEarned(p.badge), { fact: 'profile.orderCount', operator: 'greater_than_or_equal', value: 1 }] },
		actions: [{ type: 'award_badge', badge: p.badge }],
	},
]);

export const badgeTenthVisit = preset(
	'badge_tenth_visit',
	'Badge: 10th visit',
	'The 10th Visit badge on the tenth paid order or check-in, with a free-shipping coupon as its perk',
	{ badge: 'tenth-visit', visits: 10, freeShipping: true as boolean },
	(p) => [
		{
			id: 'badge_tenth_visit',
			name: `Badge: visit ${p.visits}`,
			triggers: ['purchase', 'visit'],
			conditions: {
				all: [
					notYetEarned(p.badge),
					{ any: [{ fact: 'profile.orderCount', operator: 'greater_than_or_equal', value: p.visits }, { fact: 'profile.visitCount', operator: 'greater_than_or_equal', value: p.visits }] },
				],
			},
			actions: [{ type: 'award_badge', badge: p.badge }, ...(p.freeShipping ? [{ type: 'perk' as const, perk: 'free_shipping' as const }] : [])],
		},
	],
);

export const badgeExplorer = preset(
	'badge_explorer',
	'Badge: explorer',
	'The Explorer badge once a customer has bought from three categories, with early access to new products as its perk',
	{ badge: 'explorer', categories: 3, earlyAccess: true as boolean },
	(p) => [
		{
			id: 'badge_explorer',
			name: `Badge: explorer of ${p.categories} categories`,
			triggers: ['purchase'],
			conditions: { all: [notYetEarned(p.badge), { fact: 'profile.categoryCount', operator: 'greater_than_or_equal', value: p.categories }] },
			actions: [{ type: 'award_badge', badge: p.badge }, ...(p.earlyAccess ? [{ type: 'perk' as const, perk: 'early_access' as const }] : [])],
		},
	],
);

/**
 * Counts the friends a customer brought with the referral feature (`profile.referralCount`:
 * rewarded referrals, refused and refunded ones left out); the badge comes with the customer's
 * next purchase or visit after the fifth friend's order. `countFact` names another fact for shops
 * that count referrals elsewhere (e.g. `event.data.referralCount` on their own JSON event).
 */
export const badgeReferralChampion = preset(
	'badge_referral_champion',
	'Badge: referral champion',
	'The Referral Champion badge once five friends a customer brought have bought (given with their next purchase or visit)',
	{ badge: 'referral-champion', referrals: 5, countFact: 'profile.referralCount', triggers: ['purchase', 'signup', 'customer_updated', 'visit'] as RuleInput['triggers'] },
	(p) => [
		{
			id: 'badge_referral_champion',
			name: `Badge: ${p.referrals} referrals`,
			triggers: p.triggers,
			conditions: { all: [notYetEarned(p.badge), { fact: p.countFact, operator: 'greater_than_or_equal', value: p.referrals }] },
			actions: [{ type: 'award_badge', badge: p.badge }],
		},
	],
);

export const BADGE_PRESETS = [badgeFirstPurchase, badgeTenthVisit, badgeExplorer, badgeReferralChampion] as const;
// --- end of badges and perks ---

// --- browse and price triggers (engine/browse) ---

export const browseAbandonment = preset(
	'browse_abandonment',
	'Viewed several times, no purchase',
	'A customer looked at the same product 3 times this week and bought nothing since: a friendly reminder, at most once a week',
	{ views: 3, perDays: 7 },
	(p) => [
		{
			id: 'browse_abandonment',
			name: `Viewed ${p.views} times this week, no purchase`,
			triggers: ['product_viewed'],
			conditions: {
				all: [
					{ fact: 'browse.viewsOfProduct7Days', operator: 'greater_than_or_equal', value: p.views },
					{ fact: 'browse.purchasedSince', operator: 'equal', value: false },
				],
			},
			actions: [{ type: 'send_offer', template: 'browse_reminder', channel: 'any' }],
			frequency: { max: 1, perDays: p.perDays },
			conflict: { group: 'retention', suppressOthersForHours: 24 },
		},
	],
);

export const priceDropBonus = preset(
	'price_drop_bonus',
	'Price drop on a viewed item — 3x points today',
	'A product the customer viewed or wish-listed got cheaper (or is back in stock): tell them, with triple points on a purchase today',
	{ minDropPercent: 5, multiplier: 3, backInStock: true as boolean, perDays: 3 },
	(p) => [
		{
			id: 'price_drop_bonus',
			name: `Price drop on a viewed item — ${p.multiplier}x points today`,
			triggers: ['price_dropped'],
			conditions: { all: [{ fact: 'event.productAlert.priceDropPercent', operator: 'greater_than_or_equal', value: p.minDropPercent }] },
			actions: [
				{ type: 'start_challenge', challenge: `price_drop_${p.multiplier}x_today`, goalPurchases: 1, calendar: 'day', reward: { multiplier: p.multiplier } },
				{ type: 'send_offer', template: 'price_drop', channel: 'any' },
			],
			frequency: { max: 1, perDays: p.perDays },
		},
		...(p.backInStock
			? [
					{
						id: 'back_in_stock_alert',
						name: 'Back in stock: an item you looked at',
						triggers: ['back_in_stock' as const],
						actions: [{ type: 'send_offer' as const, template: 'back_in_stock', channel: 'any' as const }],
						frequency: { max: 1, perDays: p.perDays },
					},
				]
			: []),
	],
);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const PRESETS: ReadonlyArray<Preset<any>> = [
	firstPurchaseBonus,
	bigOrderBonus,
	crossCategoryBonus,
	purchaseStreak,
	lifetimeSpendUpgrade,
	visitMilestone,
	birthdayReward,
	winBack,
	cartRecovery,
	morningBonus,
	crossSell,
	replenishmentReminder,
	newLocationVisit,
	onlineCustomerStoreVisit,
	...BADGE_PRESETS,
	browseAbandonment,
	priceDropBonus,
];

export function presetById(id: string) {
	return PRESETS.find((p) => p.id === id);
}
