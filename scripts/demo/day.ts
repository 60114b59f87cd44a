/**
 * The demo day, told as it happens: the coffee shop's counter (Square) and web shop (WooCommerce)
 * sell through the shop sandbox, which sends its signed webhooks to the real n8n; the campaigns
 * answer through the sandbox's Klaviyo and Twilio. Each line is printed once what it says can be
 * seen (a ledger row, a send, a vendor's answer).
 */
import { createHmac, randomUUID } from 'node:crypto';
import { changeProgram, DeliveryLog, Ledger, ledgerProgramOf, type LoyaltyEvent, type Store } from '../../engine';
import { GENERIC_SECRET, PRODUCTS, type TemplatesEnv } from '../../test/e2e/support/templates';
import { post } from '../../test/e2e/support/webhooks';
import { DAY, DAY_MS, dollars, HOUR, listed, MENU, type MenuItem, type PastOrder, type Person } from './shop';
import { until } from './wait';

/** What the templates' Award Points settings make: 1 point per $1, no return period, no expiry. */
const GRANTED = { granted: true, at: '2026-09-01T00:00:00Z', source: 'checkout', wordingVersion: 'v3' };
const ZONE = 'America/New_York';

export interface SendRow {
	[column: string]: unknown;
	customer_id: string;
	rule_id: string;
	offer_template_id: string;
	channel: string;
	status: string;
	coupon_code: string | null;
	detail: string | null;
}

/** What the day produced, for the closing summary. */
export interface DayTally {
	deliveries: number;
	duplicates: number;
	forged: number;
	quarantined: number;
}

export class ShopDay {
	readonly tally: DayTally = { deliveries: 0, duplicates: 0, forged: 0, quarantined: 0 };
	private readonly byKey: Map<string, Person>;
	private readonly squareIds = new Map<string, string>();
	private readonly ids = new Map<string, string>();

	constructor(
		private readonly env: TemplatesEnv,
		private readonly store: Store,
		people: Person[],
		private readonly print: (line: string) => void = console.log,
	) {
		this.byKey = new Map(people.map((p) => [p.key, p]));
	}

	private get sb() {
		return this.env.sandbox;
	}

	person(key: string): Person {
		const person = this.byKey.get(key);
		if (!person) throw new Error(`no customer ${key}`);
		return person;
	}

	/** Moves n8n's clock (and this process's) to `time` (HH:MM in New York) on the demo day, or `days` later. */
	async at(time: string, days = 0): Promise<void> {
		const [hours, minutes] = time.split(':').map(Number);
		const { clock } = this.env;
		clock.set(new Date(DAY.opensAt.getTime() + days * DAY_MS + (hours - 7) * HOUR + minutes * 60_000));
		// This process reads the offset file at most every 50 ms: wait until its Date has moved too.
		await until('this process to follow the clock', () => Math.abs(Date.now() - clock.now().getTime()) < 1_000, 5_000);
	}

	say(source: string, text: string): void {
		const time = new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date());
		this.print(`  ${time}  ${source.padEnd(8)} ${text}`);
	}

	note(text: string): void {
		this.print(`                  ${text}`);
	}

	// ---- before the day ----

	/** The members (signed up at checkout: email offers for all, texts for some) and their Square profiles. */
	async enrol(people: Person[]): Promise<void> {
		for (const person of people) {
			const customer = await this.store.upsertCustomer({
				identities: { email: person.email, ...(person.phone ? { phone: person.phone } : {}) },
				firstName: person.firstName,
				lastName: person.lastName,
				timeZone: ZONE,
				...(person.birthday ? { birthday: person.birthday } : {}),
				consent: { email_marketing: GRANTED, ...(person.phone ? { sms_marketing: GRANTED } : {}) },
			});
			this.ids.set(person.key, customer.id);
			const square = this.sb.square.createCustomer({ given_name: person.firstName, family_name: person.lastName, email_address: person.email });
			this.squareIds.set(person.key, String(square.id));
		}
	}

	/** The weeks before today, booked the way Award Points books them. */
	async bookHistory(orders: PastOrder[]): Promise<void> {
		// The coffee shop's program, set once like an owner would (Loyalty Program node or
		// `n8n-loyalty program set`): 1 point per $1, no expiry, the shop's time zone. The demo's
		// workflows read the same stored settings.
		const { program } = await changeProgram(this.store, 'default', { currency: 'USD', pointsPerCurrencyUnit: 1, timeZone: ZONE }, { defaultTimeZone: ZONE, source: 'demo' });
		const settings = ledgerProgramOf(program.id, program.version, program.settings);
		for (const [index, order] of orders.entries()) {
			const person = this.person(order.person);
			const id = `${order.channel}-${String(index + 1).padStart(4, '0')}`;
			const totalMinor = order.lines.reduce((sum, l) => sum + l.cents * l.quantity, 0);
			const at = order.at.toISOString();
			const event: LoyaltyEvent = {
				id: `generic:${id}`,
				type: 'purchase',
				source: 'generic',
				occurredAt: at,
				idempotencyKey: `generic:order:${id}:paid`,
				customer: { identities: { email: person.email } },
				order: { source: 'generic', id, status: 'paid', placedAt: at, currency: 'USD', totalMinor, customer: { identities: { email: person.email } }, lines: order.lines.map((l) => ({ sku: l.sku, name: l.name, category: l.category, quantity: l.quantity, totalMinor: l.cents * l.quantity })) },
			};
			await this.store.recordEvent(event, order.at);
			await new Ledger(this.store, settings, { now: () => order.at }).applyEvent(event);
		}
	}

	/**
	 * Three weeks ago the shop tried a welcome-back email on a few members, holding half of them
	 * out to see whether it made them buy: far too few for an answer, which is what the dashboard says.
	 */
	async bookTrial(keys: string[]): Promise<void> {
		const log = new DeliveryLog(this.store);
		const at = new Date(DAY.opensAt.getTime() - 20 * DAY_MS);
		for (const [index, key] of keys.entries()) {
			const heldOut = index % 2 === 1;
			const claim = {
				decisionId: `trial-${key}`,
				channel: 'email' as const,
				customerId: this.idOf(key),
				ruleId: 'welcome_back_trial',
				offerTemplateId: 'welcome_back',
				purpose: 'marketing' as const,
				isReward: false,
				experimentId: 'welcome-back-trial',
				experimentArm: heldOut ? 'holdout' : 'email',
				idempotencyKey: `trial-${key}`,
				sendAt: at.toISOString(),
			};
			if (heldOut) {
				await log.recordHoldout(claim, at);
				continue;
			}
			await log.claim(claim, at);
			await log.finish(claim.decisionId, 'email', { status: 'sent', at: at.toISOString() });
		}
	}

	// ---- the shop's webhooks are registered ----

	async shopConnected(): Promise<void> {
		await until('the Square trigger to subscribe to payment notifications', () => this.sb.square.subscriptions.size > 0, 120_000);
		await until('the WooCommerce trigger to register its order webhooks', () => [...this.sb.woo.webhooks.values()].some((w) => w.topic === 'order.created' && w.status === 'active'), 120_000);
	}

	// ---- the counter (Square) ----

	/** A card payment at the counter; resolves with its Square payment and the points it earned. */
	async counter(key: string, items: Partial<Record<MenuItem, number>>): Promise<{ paymentId: string; orderId: string; eventId: string; points: number }> {
		const person = this.person(key);
		const lines = Object.entries(items).map(([item, quantity]) => ({ ...MENU[item as MenuItem], quantity: quantity! }));
		const cents = lines.reduce((sum, l) => sum + l.cents * l.quantity, 0);
		const order = this.sb.square.createOrder({ customer_id: this.squareIds.get(key), line_items: lines.map((l) => ({ name: l.name, quantity: String(l.quantity), base_price_money: { amount: l.cents, currency: 'USD' } })) });
		const payment = this.sb.square.createPayment({ order_id: String(order.id), customer_id: this.squareIds.get(key) });
		this.tally.deliveries++;
		const points = await this.earned(String(order.id), `${person.firstName}'s counter payment`);
		const what = listed(lines.map((l) => (l.quantity > 1 ? `${l.quantity} ${l.many}` : l.one)));
		this.say('Square', `${person.firstName} buys ${what} (${dollars(cents)}) → ${points} points`);
		const [note] = this.sb.square.notificationsOf('payment.updated', String(payment.id));
		return { paymentId: String(payment.id), orderId: String(order.id), eventId: note.eventId, points };
	}

	/** Square sends a notification again (its retry): answered 200, booked nothing. */
	async squareRetry(eventId: string, orderId: string, who: string): Promise<void> {
		const before = await this.pointsOfOrder(orderId);
		const answer = await this.sb.square.redeliver(eventId);
		this.tally.deliveries++;
		if (answer.answer?.includes('"duplicate":true')) this.tally.duplicates++;
		await this.sb.settled();
		const after = await this.pointsOfOrder(orderId);
		this.say('Square', `sends ${who}'s payment notification again (a retry) → ${answer.status} ${answer.answer?.includes('"duplicate":true') ? 'duplicate' : answer.answer}; points for it still ${after} (was ${before})`);
	}

	async squareRefund(paymentId: string, orderId: string, cents: number, who: string, what: string): Promise<void> {
		this.sb.square.refundPayment(paymentId, cents, what);
		this.tally.deliveries += 2;
		const reversed = await until(`${who}'s Square refund to be booked`, async () => {
			const [row] = await this.store.db.query<{ points: number | null }>(`SELECT SUM(available_delta + pending_delta) AS points FROM ledger_entries WHERE order_id = $1 AND kind = 'reverse'`, [orderId]);
			return row?.points ? Number(row.points) : undefined;
		});
		this.say('Square', `${who}'s ${what} is refunded (${dollars(cents)}) → ${reversed} points`);
	}

	// ---- the web shop (WooCommerce) ----

	/** A paid web order; resolves with the WooCommerce order id, its delivery, and the points it earned. */
	async web(key: string, lines: Array<{ productId: number; quantity?: number }>, billing: { email?: string } = {}): Promise<{ orderId: number; deliveryId: string; points: number; cents: number }> {
		const person = this.person(key);
		const order = this.sb.woo.createOrder({
			status: 'processing',
			set_paid: true,
			billing: { first_name: person.firstName, last_name: person.lastName, email: billing.email ?? person.email },
			line_items: lines.map((l) => ({ product_id: l.productId, quantity: l.quantity ?? 1 })),
		});
		this.tally.deliveries++;
		const delivery = this.sb.woo.deliveries.filter((d) => d.topic === 'order.created' && (JSON.parse(d.body) as { id: number }).id === Number(order.id)).at(-1)!;
		const cents = Math.round(Number(order.total) * 100);
		const what = lines.map((l) => {
			const product = PRODUCTS.find((p) => p.id === l.productId)!;
			return `${(l.quantity ?? 1) > 1 ? `${l.quantity} × ` : ''}${product.name}`;
		});
		if (billing.email) return { orderId: Number(order.id), deliveryId: delivery.deliveryId, points: 0, cents };
		const points = await this.earned(String(order.id), `${person.firstName}'s web order`);
		this.say('Web', `${person.firstName} orders ${listed(what)} (${dollars(cents)}) → ${points} points`);
		return { orderId: Number(order.id), deliveryId: delivery.deliveryId, points, cents };
	}

	/** A web order whose only identity is a broken email: signed, so not refused, but kept in quarantine. */
	async webQuarantined(key: string): Promise<void> {
		const person = this.person(key);
		const broken = `${person.firstName.toLowerCase()}(at)example.com`;
		const { deliveryId } = await this.web(key, [{ productId: 202 }], { email: broken });
		await this.sb.settled();
		const delivery = this.sb.woo.deliveries.find((d) => d.deliveryId === deliveryId)!;
		const answer = delivery.posts.at(-1);
		const reason = answer?.answer ? ((JSON.parse(answer.answer) as { reason?: string }).reason ?? answer.answer) : 'no answer';
		if (answer?.answer?.includes('"quarantined":true')) this.tally.quarantined++;
		this.say('Web', `an order typed as "${broken}" → ${answer?.status} quarantined: ${reason}`);
		this.note('(kept for the owner to fix and replay: `n8n-loyalty quarantine list`, or Award Points → Quarantine)');
	}

	/** WooCommerce sends the same delivery again, byte for byte. */
	async wooRetry(deliveryId: string, orderId: number, who: string): Promise<void> {
		const answer = await this.sb.woo.redeliver(deliveryId);
		this.tally.deliveries++;
		if (answer.answer?.includes('"duplicate":true')) this.tally.duplicates++;
		await this.sb.settled();
		this.say('Web', `WooCommerce delivers ${who}'s order again → ${answer.status} ${answer.answer?.includes('"duplicate":true') ? 'duplicate' : answer.answer}; points for it still ${await this.pointsOfOrder(String(orderId))}`);
	}

	/** A copy of a real delivery with the total changed: the signature no longer matches. */
	async forged(deliveryId: string, who: string): Promise<void> {
		const delivery = this.sb.woo.deliveries.find((d) => d.deliveryId === deliveryId)!;
		const body = delivery.body.replace(/"total":"[\d.]+"/, '"total":"999.00"');
		const answer = await post(delivery.url, { body, headers: { ...delivery.headers, 'x-wc-webhook-delivery-id': randomUUID() } });
		this.tally.forged++;
		this.say('Web', `someone replays ${who}'s order with the total changed to $999 → ${answer.status} ${answer.status === 401 ? 'refused (signature does not match)' : answer.body}`);
	}

	async wooRefund(orderId: number, cents: number, who: string, what: string): Promise<void> {
		this.sb.woo.refundOrder(orderId, { amount: (cents / 100).toFixed(2), reason: what });
		this.tally.deliveries++;
		const reversed = await until(`${who}'s web refund to be booked`, async () => {
			const [row] = await this.store.db.query<{ points: number | null }>(`SELECT SUM(available_delta + pending_delta) AS points FROM ledger_entries WHERE order_id = $1 AND kind = 'reverse'`, [String(orderId)]);
			return row?.points ? Number(row.points) : undefined;
		});
		this.say('Web', `${who}'s order is refunded in part (${what}, ${dollars(cents)}) → ${reversed} points`);
	}

	// ---- carts and texts ----

	/** The web shop reports a cart (signed JSON to the Abandoned cart template's "Shop carts" trigger). */
	async cart(key: string, productId: number, quantity: number): Promise<void> {
		const person = this.person(key);
		const product = PRODUCTS.find((p) => p.id === productId)!;
		const totalMinor = Math.round(Number(product.price) * 100) * quantity;
		const now = new Date().toISOString();
		const body = JSON.stringify({
			id: randomUUID(),
			type: 'cart_updated',
			occurredAt: now,
			customer: { identities: { email: person.email } },
			cart: { id: `cart-${person.key}`, currency: 'USD', totalMinor, updatedAt: now, lines: [{ sku: product.sku, name: product.name, quantity, totalMinor }] },
		});
		const signature = `sha256=${createHmac('sha256', GENERIC_SECRET).update(body).digest('hex')}`;
		const answer = await post(this.env.triggerUrls['cart-abandonment.json']['Shop carts'], { body, headers: { 'content-type': 'application/json', 'x-loyalty-signature': signature } });
		this.tally.deliveries++;
		if (answer.status !== 200) throw new Error(`the cart was refused: ${answer.status} ${answer.body}`);
		this.say('Web', `${person.firstName} leaves ${quantity} × ${product.name} in the cart (${dollars(totalMinor)})`);
	}

	/** The customer texts STOP to the shop's number (Twilio posts it, signed, to the SMS replies trigger). */
	async textStop(key: string): Promise<void> {
		const person = this.person(key);
		const answer = await this.sb.twilio.sendInbound({ from: person.phone!, body: 'STOP', url: this.env.triggerUrls['cart-abandonment.json']['SMS replies (STOP/START)'] });
		this.tally.deliveries++;
		const withdrawn = await until(`${person.firstName}'s STOP to be recorded`, async () => {
			const [row] = await this.store.db.query<{ at: string; source: string }>(`SELECT at, source FROM delivery_consent_changes WHERE customer_id = $1 AND channel = 'sms_marketing' AND granted = 0`, [this.idOf(key)]);
			return row;
		});
		this.say('Twilio', `${person.firstName} texts STOP → ${answer.status}; SMS consent withdrawn (source: ${withdrawn.source})`);
	}

	// ---- what went out ----

	idOf(key: string): string {
		return this.ids.get(key)!;
	}

	async sendsOf(key: string): Promise<SendRow[]> {
		return this.store.db.query<SendRow>(`SELECT customer_id, rule_id, offer_template_id, channel, status, coupon_code, detail FROM delivery_sends WHERE customer_id = $1 ORDER BY send_at, rule_id`, [this.idOf(key)]);
	}

	/** Waits for an offer to `key` to be sent, then prints what the customer gets. */
	async offer(key: string, offerTemplateId: string, vendor = 'Klaviyo', timeoutMs = 120_000): Promise<SendRow> {
		const person = this.person(key);
		const send = await until(`the ${offerTemplateId} offer to ${person.firstName}`, async () => (await this.sendsOf(key)).find((s) => s.offer_template_id === offerTemplateId && s.status === 'sent'), timeoutMs);
		if (send.channel === 'sms') {
			const message = this.sb.twilio.messages.filter((m) => m.to === person.phone).at(-1);
			this.say('Twilio', `SMS to ${person.firstName} (${person.phone}):`);
			this.note(`“${message?.body ?? '(not found at Twilio)'}”`);
		} else {
			const event = this.sb.klaviyo.events.filter((e) => String(e.profile.email) === person.email && e.properties.offer_template_id === offerTemplateId).at(-1);
			this.say(vendor, `email to ${person.firstName} (${event?.metric ?? offerTemplateId}):`);
			this.note(`Subject: ${String(event?.properties.subject ?? '?')}`);
			this.note(`“${String(event?.properties.message ?? '?')}”`);
		}
		return send;
	}

	async balance(key: string): Promise<{ available: number; tier: string | null }> {
		const [row] = await this.store.db.query<{ available: number; tier: string | null }>(`SELECT available, tier FROM loyalty_accounts WHERE customer_id = $1`, [this.idOf(key)]);
		return { available: Number(row?.available ?? 0), tier: row?.tier ?? null };
	}

	// ---- ledger probes ----

	private async pointsOfOrder(orderId: string): Promise<number> {
		const [row] = await this.store.db.query<{ points: number | null }>(`SELECT SUM(available_delta + pending_delta) AS points FROM ledger_entries WHERE order_id = $1`, [orderId]);
		return Number(row?.points ?? 0);
	}

	private async earned(orderId: string, what: string): Promise<number> {
		return until(`${what} to earn points`, async () => {
			const [row] = await this.store.db.query<{ points: number | null }>(`SELECT SUM(available_delta + pending_delta) AS points FROM ledger_entries WHERE order_id = $1 AND kind = 'earn'`, [orderId]);
			return row?.points === null || row?.points === undefined ? undefined : Number(row.points);
		});
	}
}

