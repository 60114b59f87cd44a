import {
	acceptEvents,
	compileRules,
	DEFAULT_FREQUENCY_CAPS,
	claimDueEvents,
	decideEvent,
	DeliveryLog,
	InsightService,
	Ledger,
	offerDecisionsFrom,
	parseOfferDecision,
	parseOfferTemplates,
	parseSendWindow,
	quarantineDelivery,
	registerConsumer,
	sendOffer,
	type LoyaltyEventInput,
	type OfferVendors,
	type RuleEvent,
	type SendOfferSettings,
	type Store,
} from '../../engine';

/**
 * One person with data in every corner of the store, written through the same paths the nodes and
 * the trigger use: webhook events (with a cart whose checkout link names them), orders and points
 * (earned, pending, held for approval, redeemed, adjusted, refunded), consent changes, rule
 * decisions (firings, a bonus, a challenge, a follow-up, a conflict hold; one made before they had
 * a profile, keyed by their email), sends with their coupon,
 * an engagement and a redemption, saved scores, claimed due events, and a quarantined delivery
 * whose raw body carries their postal address. The profile is first seen by Square id, then by
 * email, so two profiles merge along the way.
 */
export interface Person {
	email: string;
	phone: string;
	firstName: string;
	lastName: string;
	/** Only in the raw body of a quarantined delivery: the canonical model keeps no postal address. */
	address: string;
	square: string;
	woocommerce: string;
}

export function personNamed(tag: string): Person {
	const n = [...tag].reduce((sum, c) => sum + c.charCodeAt(0), 0) % 9000;
	return {
		email: `${tag}.quennell@example.org`,
		phone: `+1415555${String(1000 + n).slice(-4)}`,
		firstName: `Adelheid${tag}`,
		lastName: `Quennell${tag}`,
		address: `${tag} Analytical Row 12`,
		square: `SQ-${tag.toUpperCase()}-CUST`,
		woocommerce: `WC-${tag.toUpperCase()}-4711`,
	};
}

export interface SeededCustomer {
	customerId: string;
	person: Person;
	/** Every value that names the person, for a search of the whole store. */
	needles: string[];
}

const GRANTED_AT = '2026-01-02T09:00:00.000Z';
const DAY = 86_400_000;

export const RICH_TEMPLATES = parseOfferTemplates([
	{ id: 'welcome-10', metricName: 'Loyalty Offer: Welcome', emailSubject: 'Welcome {{firstName}}', emailBody: 'Hello {{firstName}}, here is {{couponCode}}', smsBody: 'Hi {{firstName}}, {{couponCode}}' },
]);

export const RICH_SETTINGS: SendOfferSettings = {
	programTimeZone: 'UTC',
	sendWindow: parseSendWindow({ start: '00:00', end: '23:59' }),
	caps: DEFAULT_FREQUENCY_CAPS,
	maxPercentOff: 50,
	couponShop: 'woocommerce',
	couponPrefix: 'LOY',
};

/** Records what each vendor was asked; every call succeeds. */
export function recordingVendors(): OfferVendors & { calls: string[] } {
	const calls: string[] = [];
	return {
		calls,
		requireFor: () => undefined,
		createCoupon: async (_decision, code) => {
			calls.push(`coupon ${code}`);
		},
		sendEmail: async (key, _template, identities, _customer, content) => {
			calls.push(`email ${identities.email}: ${content.body ?? ''}`);
			return { vendorMessageId: `kl-${key}` };
		},
		sendSms: async (to, body) => {
			calls.push(`sms ${to}: ${body}`);
			return { vendorMessageId: `SM-${to.slice(-4)}-${calls.length}` };
		},
		classify: (error) => ({ retryable: false, ambiguous: false, optedOut: false, message: String(error) }),
	};
}

/** The rules a rich decision fires: points, an offer, a category bonus, a challenge, a follow-up and a conflict hold. */
const RULES = compileRules([
	{ id: 'double_points', triggers: ['purchase'], actions: [{ type: 'award_points', mode: 'fixed', points: 25 }], conflict: { group: 'promo', suppressOthersForHours: 48 }, priority: 10 },
	{ id: 'welcome_offer', triggers: ['purchase'], actions: [{ type: 'send_offer', template: 'welcome-10', channel: 'email', percentOff: 10, validHours: 72 }] },
	{ id: 'pastry_bonus', triggers: ['purchase'], actions: [{ type: 'category_bonus', categories: ['pastry'], multiplier: 2, days: 7 }] },
	{ id: 'three_visits', triggers: ['purchase'], actions: [{ type: 'start_challenge', challenge: 'Three visits', goalPurchases: 3, withinDays: 30, reward: { points: 50 } }] },
	{ id: 'check_in', triggers: ['purchase'], actions: [{ type: 'schedule_follow_up', afterHours: 24, then: [{ type: 'send_offer', template: 'welcome-10', channel: 'sms' }] }] },
	{ id: 'other_promo', triggers: ['purchase'], actions: [{ type: 'award_points', mode: 'fixed', points: 5 }], conflict: { group: 'promo' } },
	{ id: 'first_badge', triggers: ['purchase'], actions: [{ type: 'award_badge', badge: 'first-purchase' }] },
]);

function purchaseEvent(person: Person, id: string, placedAt: string, totalMinor: number, identities: Record<string, string>, extra: Partial<LoyaltyEventInput> = {}): LoyaltyEventInput {
	const customer = { identities, firstName: person.firstName, lastName: person.lastName, birthday: { month: 3, day: 14, year: 1990 }, timeZone: 'Europe/London' };
	return {
		id: `delivery-${id}`,
		type: 'purchase',
		source: 'woocommerce',
		occurredAt: placedAt,
		idempotencyKey: `woocommerce:order:${id}:paid`,
		customer,
		order: {
			source: 'woocommerce',
			id,
			status: 'paid',
			placedAt,
			currency: 'USD',
			totalMinor,
			lines: [
				{ sku: 'CROISSANT', name: 'Croissant', category: 'pastry', quantity: 2, totalMinor: Math.round(totalMinor / 2) },
				{ sku: 'BEANS-1', name: 'House beans', category: 'coffee', quantity: 1, totalMinor: totalMinor - Math.round(totalMinor / 2) },
			],
			customer,
		},
		...extra,
	};
}

/**
 * Seeds `person` everywhere, as of `now` (the last order is a few days before it). `tag` keeps
 * keys apart when several people are seeded into one store.
 */
export async function seedRichCustomer(store: Store, person: Person, tag: string, now: Date): Promise<SeededCustomer> {
	const at = (daysAgo: number) => new Date(now.getTime() - daysAgo * DAY).toISOString();
	const consumer = `workflow-${tag}:Loyalty Event Trigger`;
	await registerConsumer(store, { consumer, workflowId: `wf-${tag}`, nodeName: 'Loyalty Event Trigger', eventTypes: [] }, new Date(at(200)));

	// A decision before the person had a profile: its rows are keyed by the email, not by a customer id (engine/rules).
	const early: RuleEvent = { type: 'purchase', occurredAt: at(130), idempotencyKey: `woocommerce:order:${tag}-o0:paid`, source: 'woocommerce', customer: { identities: { email: person.email } }, order: { id: `${tag}-o0`, currency: 'USD', totalMinor: 900, placedAt: at(130) } };
	const unknown = await store.transaction((sql) => decideEvent(sql, RULES, early, new Date(at(130))));
	if (unknown.customerKey !== `email:${person.email}`) throw new Error(`seed: the early decision should be keyed by the email, got ${unknown.customerKey}`);

	// Seen first at the till (Square id only), then online (email + phone + WooCommerce id): two profiles.
	const square = await store.upsertCustomer({ identities: { square: person.square }, firstName: person.firstName }, new Date(at(120)));
	const online = await store.upsertCustomer({ identities: { email: person.email, phone: person.phone, woocommerce: person.woocommerce } }, new Date(at(110)));
	if (square.id === online.id) throw new Error('seed: the two profiles should start apart');

	// Webhook deliveries through intake: purchases (one names both, merging the profiles), a cart, a profile update.
	const identities = { email: person.email, phone: person.phone, square: person.square, woocommerce: person.woocommerce };
	const orders = [
		purchaseEvent(person, `${tag}-o1`, at(100), 2400, identities),
		purchaseEvent(person, `${tag}-o2`, at(60), 3600, { email: person.email }, { warnings: [`billing phone "${person.phone}x" is not a phone number and was left out`] }),
		purchaseEvent(person, `${tag}-o3`, at(5), 5000, { email: person.email }),
	];
	const cart: LoyaltyEventInput = {
		id: `delivery-${tag}-cart`,
		type: 'cart_updated',
		source: 'klaviyo',
		occurredAt: at(3),
		idempotencyKey: `klaviyo:cart:${tag}:1`,
		customer: { identities: { email: person.email } },
		cart: { id: `${tag}-cart`, currency: 'USD', totalMinor: 1800, updatedAt: at(3), checkoutUrl: `https://shop.example.com/checkout?email=${encodeURIComponent(person.email)}`, lines: [{ sku: 'MUG', quantity: 1, totalMinor: 1800 }] },
	};
	const update: LoyaltyEventInput = { id: `delivery-${tag}-update`, type: 'customer_updated', source: 'woocommerce', occurredAt: at(2), idempotencyKey: `woocommerce:customer:${tag}:1`, customer: { identities: { email: person.email }, firstName: person.firstName, lastName: person.lastName, tags: ['vip'] } };
	const accepted = await acceptEvents(store, [...orders, cart, update] as never, new Date(at(2)));
	if (accepted.some((a) => !a.inserted)) throw new Error('seed: every event should be new');
	const customerId = (await store.findCustomer({ identities: { email: person.email } }))!.id;

	// Points: earned on each order (the big one is held for approval), one refund, a redemption and an adjustment.
	const ledger = new Ledger(store, { maxPointsPerOrder: 40, pendingDays: 0 }, { now: () => new Date(at(1)) });
	for (const event of orders) await ledger.earnForOrder(event.order as never, { idempotencyKey: event.idempotencyKey });
	await ledger.reverseForRefund({ source: 'woocommerce', id: `${tag}-refund-1`, orderId: `${tag}-o2`, amountMinor: 600, currency: 'USD', createdAt: at(50) });
	await ledger.redeem({ customer: { customerId }, points: 5, idempotencyKey: `redeem:${tag}:1`, reason: `coffee for ${person.firstName}` });
	await ledger.adjust({ customer: { identities: { email: person.email } }, points: 3, idempotencyKey: `adjust:${tag}:1`, reason: `goodwill, ${person.firstName} ${person.lastName} called` });

	// Consent: granted at checkout, SMS withdrawn by STOP, granted again.
	const log = new DeliveryLog(store);
	await log.recordConsent({ identities: { email: person.email }, changes: { email_marketing: { granted: true, at: GRANTED_AT, source: 'checkout' } }, idempotencyKey: `checkout:${tag}` }, new Date(GRANTED_AT));
	await log.recordConsent({ identities: { phone: person.phone }, changes: { sms_marketing: { granted: true, at: GRANTED_AT, source: 'checkout' } }, idempotencyKey: `checkout-sms:${tag}` }, new Date(GRANTED_AT));

	// Rules on the latest purchase: firings, a bonus, a challenge, a follow-up (it keeps the identities), a conflict hold.
	const ruleEvent: RuleEvent = { ...(orders[2] as unknown as RuleEvent), customer: { identities: { email: person.email, phone: person.phone }, firstName: person.firstName } };
	const decision = await store.transaction((sql) => decideEvent(sql, RULES, ruleEvent, new Date(at(1))));
	if (decision.fired.length < 4) throw new Error(`seed: expected the rules to fire, got ${decision.fired.map((f) => f.ruleId).join(', ')}`);

	// Send Offer on the decision's offer: a send with a coupon, then an open, and an order that redeems the coupon.
	const vendors = recordingVendors();
	const [offer] = offerDecisionsFrom(decision, ruleEvent);
	const sent = await sendOffer({ store, decision: parseOfferDecision(offer.offer), templates: RICH_TEMPLATES, personal: { firstName: person.firstName }, settings: RICH_SETTINGS, vendors, now: new Date(at(1)) });
	if (sent.status !== 'sent') throw new Error(`seed: the offer should go out, got ${sent.status} ${sent.reason ?? ''} ${sent.detail ?? ''}`);
	await log.recordEngagement({ kind: 'open', channel: 'email', decisionId: offer.offer.decisionId, identities: { email: person.email }, at: at(1), source: 'klaviyo', idempotencyKey: `klaviyo:open:${tag}` } as never, new Date(at(1)));
	await log.applyStatus({ vendorMessageId: sent.vendorMessageId, status: 'failed', detail: `Klaviyo: profile ${person.email} bounced`, at: at(1) });
	const redeemed = purchaseEvent(person, `${tag}-o4`, at(0.5), 1200, { email: person.email });
	(redeemed.order as { couponCodes?: string[] }).couponCodes = [sent.couponCode!];
	await acceptEvents(store, [redeemed] as never, new Date(at(0.5)));
	await log.attributeOrder({ source: 'woocommerce', id: `${tag}-o4`, placedAt: at(0.5), totalMinor: 1200, currency: 'USD', couponCodes: [sent.couponCode!] });

	// Scores and the due events the schedule claims for them (a lapse, an open cart, the follow-up when due).
	await new InsightService(store, { now: () => now }).scoreAll(now.toISOString().slice(0, 10));
	await store.transaction((sql) =>
		claimDueEvents(sql, { programId: 'default', programTimeZone: 'UTC', currency: 'USD', kinds: { inactivity: { days: 1 }, cartAbandoned: { idleHours: 1 }, followUps: true, birthday: { when: 'month' } } }, new Date(now.getTime() + 2 * DAY)),
	);

	// A delivery the trigger could not use: kept byte for byte, with the postal address in it.
	const body = JSON.stringify({ id: 7, billing: { first_name: person.firstName, last_name: person.lastName, address_1: person.address, email: person.email, phone: person.phone }, total: 'not-a-number' });
	await quarantineDelivery(store, { source: 'woocommerce', workflowId: `wf-${tag}`, nodeName: 'Loyalty Trigger', deliveryId: `dlv-${tag}`, headers: { 'x-wc-webhook-topic': 'order.created' }, body: Buffer.from(body), error: { code: 'invalid_input', field: 'total', message: `order for ${person.email}: total is not a number` } }, new Date(at(1)));

	return { customerId, person, needles: [customerId, square.id, online.id, person.email, person.phone, person.firstName, person.lastName, person.address, person.square, person.woocommerce] };
}
