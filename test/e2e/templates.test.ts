/**
 * Issue 6's promise, in a real n8n: the seven campaign templates run side by side, driven by signed
 * deliveries while the suite moves n8n's clock through a day and a half. The shop has two tills,
 * as most small loyalty shops do (issue 15): a WooCommerce web shop (orders and customers as
 * WooCommerce delivers them) and a Square counter (the sandbox's Square rings up sales, keeps the
 * customer directory and notifies the Square trigger itself; its history comes in through
 * `n8n-loyalty import --from square`). Every campaign's story is told once per till (`cast`), and
 * birthdays arrive from Square's directory, WooCommerce's customer meta data and a signed sign-up
 * form. Carts come as signed JSON, a STOP through Twilio. The seed scenarios are the assertions.
 */
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Ledger, openStore, programHistory, type Store } from '../../engine';
import { SQUARE_SANDBOX_LOCATION, type ShopSandbox } from '../../sandbox';
import { runCli } from '../support/cli';
import { MovableClock } from './support/movableClock';
import { executionsOf } from './support/n8n';
import { TWILIO_AUTH_TOKEN } from './support/vendorMocks';
import { eventually } from '../support/eventually';
import { GENERIC_SECRET, logFrom, PRODUCTS, scheduleLooks, startTemplates, TEMPLATE_FILES, WOO_WEBHOOK_SECRET, type TemplatesEnv } from './support/templates';
import { post, signedWooDelivery, wooOrderPayload } from './support/webhooks';


const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** 10:00 in New York (the program's zone), 00:00 on 2 December in Tokyo. */
const T0 = new Date('2026-12-01T15:00:00Z');
const POLL_SECONDS = 2;
/** n8n execution statuses of a run that is not going on: over, or parked in a Wait node. */
const FINISHED_OR_WAITING = ['success', 'error', 'crashed', 'canceled', 'waiting'];
/** What the templates' Award Points settings make: 1 point per $1, no return period, no expiry. */
const PROGRAM = { id: 'default', earnRates: { USD: { points: 1, perMinor: 100 } }, pendingDays: 0, expiry: { kind: 'never' as const } };
const GRANTED = { granted: true, at: '2026-01-01T00:00:00Z', source: 'checkout', wordingVersion: 'v3' };

interface Person {
	email: string;
	firstName: string;
	phone?: string;
	timeZone?: string;
	birthday?: { month: number; day: number; year?: number };
	sms?: boolean;
}

/** The two tills of the shop: every purchase-driven story runs through each. */
const SHOPS = ['woocommerce', 'square'] as const;
type Shop = (typeof SHOPS)[number];

const people = {
	carl: { email: 'carl@example.com', firstName: 'Carl' },
	dana: { email: 'dana@example.com', firstName: 'Dana', phone: '+12125550101', sms: true },
	eve: { email: 'eve@example.com', firstName: 'Eve' },
	finn: { email: 'finn@example.com', firstName: 'Finn', phone: '+12125550102', sms: true },
	gus: { email: 'gus@example.com', firstName: 'Gus' },
	hana: { email: 'hana@example.com', firstName: 'Hana' },
	ivan: { email: 'ivan@example.com', firstName: 'Ivan' },
	kenji: { email: 'kenji@example.com', firstName: 'Kenji', timeZone: 'Asia/Tokyo', birthday: { month: 12, day: 2 } },
	lucy: { email: 'lucy@example.com', firstName: 'Lucy', timeZone: 'America/Los_Angeles', birthday: { month: 12, day: 2, year: 1990 } },
	mia: { email: 'mia@example.com', firstName: 'Mia' },
	noah: { email: 'noah@example.com', firstName: 'Noah' },
	olivia: { email: 'olivia@example.com', firstName: 'Olivia' },
	paul: { email: 'paul@example.com', firstName: 'Paul' },
	sora: { email: 'sora@example.com', firstName: 'Sora', phone: '+819012345678', sms: true, timeZone: 'Asia/Tokyo' },
	quinn: { email: 'quinn@example.com', firstName: 'Quinn' },
	rosa: { email: 'rosa@example.com', firstName: 'Rosa' },
	wanda: { email: 'wanda@example.com', firstName: 'Wanda' },
	// Square customers (the counter).
	bea: { email: 'bea@example.com', firstName: 'Bea' },
	cleo: { email: 'cleo@example.com', firstName: 'Cleo' },
	hiro: { email: 'hiro@example.com', firstName: 'Hiro' },
	iris: { email: 'iris@example.com', firstName: 'Iris' },
	mila: { email: 'mila@example.com', firstName: 'Mila' },
	nico: { email: 'nico@example.com', firstName: 'Nico' },
	oscar: { email: 'oscar@example.com', firstName: 'Oscar' },
	pia: { email: 'pia@example.com', firstName: 'Pia' },
	quentin: { email: 'quentin@example.com', firstName: 'Quentin' },
	rhea: { email: 'rhea@example.com', firstName: 'Rhea' },
} satisfies Record<string, Person>;

/** Who plays each part at each till. */
const cast = {
	woocommerce: { newcomer: people.olivia, bigSpender: people.paul, coffeeRegular: people.noah, cartCloser: people.eve, lapsedBest: people.hana, lapsed: people.ivan, beansDue: people.mia, beansLater: [people.quinn, people.rosa], birthday: people.wanda },
	square: { newcomer: people.oscar, bigSpender: people.pia, coffeeRegular: people.nico, cartCloser: people.cleo, lapsedBest: people.hiro, lapsed: people.iris, beansDue: people.mila, beansLater: [people.quentin, people.rhea], birthday: people.bea },
} satisfies Record<Shop, Record<string, Person | Person[]>>;

/** What each till sold before the story starts: who, how many days before T0, which product, for how much. */
const HISTORY: Record<Shop, Array<[Person, number, number, string]>> = {
	woocommerce: [
		[people.gus, 59 - 1 / 24, 201, '30.00'], // 60 days without an order at T0 + 25 h
		[people.hana, 61, 203, '400.00'], // high value, favourite category tea
		[people.ivan, 61, 204, '40.00'],
		[people.noah, 10, 204, '15.00'],
		// Beans every 30 days; the others are regular bean buyers not due yet (a product needs 5 intervals across the shop before reminders start).
		...[88, 58, 28].map((days): [Person, number, number, string] => [people.mia, days, 201, '24.00']),
		...[70, 40, 10].map((days): [Person, number, number, string] => [people.quinn, days, 201, '24.00']),
		...[75, 45, 15].map((days): [Person, number, number, string] => [people.rosa, days, 201, '24.00']),
	],
	square: [
		[people.hiro, 61, 203, '400.00'],
		[people.iris, 61, 204, '40.00'],
		[people.nico, 10, 204, '15.00'],
		...[88, 58, 28].map((days): [Person, number, number, string] => [people.mila, days, 201, '24.00']),
		...[70, 40, 10].map((days): [Person, number, number, string] => [people.quentin, days, 201, '24.00']),
		...[75, 45, 15].map((days): [Person, number, number, string] => [people.rhea, days, 201, '24.00']),
	],
};

/** Signs up on the shop's own form (not a customer of either till yet): consent and birthday come with the form. */
const sami: Person = { email: 'sami@example.com', firstName: 'Sami' };

interface SendRow {
	[column: string]: unknown;
	rule_id: string;
	offer_template_id: string;
	channel: string;
	status: string;
	send_at: string;
	coupon_code: string | null;
}

/** Twilio's own recipe, written from its documentation rather than taken from the connector. */
function twilioSignature(url: string, form: Record<string, string>): string {
	const data = Object.keys(form)
		.sort()
		.reduce((acc, key) => acc + key + form[key], url);
	return createHmac('sha1', TWILIO_AUTH_TOKEN).update(Buffer.from(data, 'utf8')).digest('base64');
}

describe('the seven templates, in a real n8n with a movable clock, for a WooCommerce web shop and a Square counter', { timeout: 30 * 60_000 }, () => {
	let env: TemplatesEnv;
	let store: Store;
	let ledger: Ledger;
	let wooOrderId = 5000;
	/** This process follows n8n's clock, so what the sandbox's Square stamps (orders, payments) happens in the story's time. */
	const clockDir = mkdtempSync(join(tmpdir(), 'loyalty-templates-clock-'));
	/** The Square catalogue: the WooCommerce product id → its Square item variation. */
	const squareVariations = new Map<number, string>();
	const squareCustomers = new Map<string, string>();

	const idOf = async (person: Person): Promise<string> => (await store.findCustomer({ identities: { email: person.email } }))!.id;
	const sendsOf = async (person: Person): Promise<SendRow[]> =>
		store.db.query<SendRow>(
			`SELECT rule_id, offer_template_id, channel, status, send_at, coupon_code FROM delivery_sends WHERE customer_id = $1 ORDER BY send_at, rule_id`,
			[await idOf(person)],
		);
	const smsTo = (phone: string) => env.twilio.requests.filter((r) => r.path.endsWith('/Messages.json') && new URLSearchParams(r.body).get('To') === phone);
	const balanceOf = async (person: Person) => ledger.getBalance({ identities: { email: person.email } });

	/** Moves n8n's clock, then waits until the system has looked at the new time and is quiet (see `settle`). */
	const moveTo = async (offsetMs: number) => {
		env.clock.set(new Date(T0.getTime() + offsetMs));
		await followed();
		await settle();
	};
	/**
	 * This process re-reads the clock file every 50 ms of real time; until it has, `Date.now()` here
	 * is the old time, and a wait's deadline taken on it would pass at once. Waits on real time.
	 */
	const followed = async () => {
		const started = performance.now();
		while (Math.abs(Date.now() - env.clock.now().getTime()) > 1_000) {
			if (performance.now() - started > 5_000) throw new Error(`this process did not follow the moved clock: ${new Date().toISOString()} against ${env.clock.now().toISOString()}`);
			await new Promise((resolve) => setTimeout(resolve, 10));
		}
	};
	/**
	 * Waits for positive signs that everything that was going to happen has happened, so "nothing was
	 * sent" afterwards means the system looked and found nothing: every schedule trigger looked twice
	 * as of the clock's present (the first look's run, if any, has started by the second), every
	 * event owed to an event trigger is done, and no run is still going.
	 */
	const settle = async () => {
		const since = env.clock.now().getTime();
		const logOffset = statSync(env.n8n.logFile).size;
		const looksSince = () => scheduleLooks(logFrom(env.n8n.logFile, logOffset)).filter((look) => look.asOf >= since);
		await eventually(
			`every schedule trigger to look twice as of ${new Date(since).toISOString()}`,
			() => {
				const looks = looksSince();
				return env.scheduledWorkflowIds.every((id) => looks.filter((look) => look.workflowId === id).length >= 2);
			},
			{ timeoutMs: 60_000, intervalMs: 250, detail: () => `looks since: ${JSON.stringify(looksSince())}; n8n log:\n${env.n8n.log().slice(-3000)}` },
		);
		const unfinishedRuns = () => TEMPLATE_FILES.flatMap((file) => executionsOf(env.userFolder, env.workflowIds[file]).filter((e) => !(e.finished || FINISHED_OR_WAITING.includes(String(e.status)))));
		const unsettledDeliveries = () => store.db.query<{ consumer: string; event_id: string; status: string }>("SELECT consumer, event_id, status FROM event_deliveries WHERE status = 'running' OR (status = 'owed' AND last_error IS NULL)");
		await eventually('every owed event to be done and every run to finish', async () => unfinishedRuns().length === 0 && (await unsettledDeliveries()).length === 0, {
			timeoutMs: 120_000,
			intervalMs: 250,
			detail: async () => ({ unfinishedRuns: unfinishedRuns(), unsettledDeliveries: await unsettledDeliveries() }),
		});
	};

	/** A cart last updated at T0 exactly, so "2 hours idle" falls where the story says however long n8n took to start. */
	const cartUpdated = async (person: Person, totalMinor: number) => {
		const cartId = `cart-${person.firstName.toLowerCase()}`;
		const body = JSON.stringify({
			id: randomUUID(),
			type: 'cart_updated',
			occurredAt: T0.toISOString(),
			customer: { identities: { email: person.email } },
			cart: { id: cartId, currency: 'USD', totalMinor, updatedAt: T0.toISOString(), lines: [{ sku: 'BEANS-1KG', name: 'House coffee beans 1 kg', quantity: 1, totalMinor }] },
		});
		const signature = `sha256=${createHmac('sha256', GENERIC_SECRET).update(body).digest('hex')}`;
		const answer = await post(env.triggerUrls['cart-abandonment.json']['Shop carts'], { body, headers: { 'content-type': 'application/json', 'x-loyalty-signature': signature } });
		assert.equal(answer.status, 200, answer.body);
	};

	/** A paid WooCommerce order, delivered once to the shop's webhook (points on purchase). */
	const wooOrder = async (person: Person, lines: Array<{ productId: number; total: string }>) => {
		const id = ++wooOrderId;
		const total = lines.reduce((sum, l) => sum + Number(l.total), 0).toFixed(2);
		const payload = wooOrderPayload({
			id,
			status: 'processing',
			total,
			email: person.email,
			firstName: person.firstName,
			datePaidGmt: env.clock.now().toISOString().slice(0, 19),
			lines: lines.map((l) => {
				const product = PRODUCTS.find((p) => p.id === l.productId)!;
				return { sku: product.sku, name: product.name, quantity: 1, total: l.total, productId: product.id };
			}),
		});
		// One intake: the shop's webhook is points on purchase's; every campaign hears the recorded order.
		const answer = await post(env.triggerUrls['points-on-purchase.json']['WooCommerce orders'], signedWooDelivery('order.created', payload, WOO_WEBHOOK_SECRET));
		assert.equal(answer.status, 200, answer.body);
	};

	/** The customer's Square profile, made in the sandbox's directory the first time (Square notifies customer.created). */
	const squareCustomerOf = (sandbox: ShopSandbox, person: Person, birthday?: string): string => {
		let id = squareCustomers.get(person.email);
		if (!id) {
			id = String(sandbox.square.createCustomer({ given_name: person.firstName, email_address: person.email, ...(birthday ? { birthday } : {}) }).id);
			squareCustomers.set(person.email, id);
		}
		return id;
	};

	/** An order rung up at the Square counter and paid by card; Square notifies the Square trigger (points on purchase) itself. */
	const squareSale = async (person: Person, lines: Array<{ productId: number; total: string }>) => {
		const customerId = squareCustomerOf(env.sandbox, person);
		const order = env.sandbox.square.createOrder({ customer_id: customerId, line_items: lines.map((l) => ({ catalog_object_id: squareVariations.get(l.productId)!, quantity: '1', base_price_money: { amount: Math.round(Number(l.total) * 100), currency: 'USD' } })) });
		const payment = env.sandbox.square.createPayment({ order_id: String(order.id), customer_id: customerId });
		await env.sandbox.settled();
		const [completed] = env.sandbox.square.notificationsOf('payment.updated', String(payment.id));
		assert.equal(completed?.posts[0]?.status, 200, `the Square trigger took ${person.firstName}'s payment: ${completed?.posts[0]?.answer ?? completed?.posts[0]?.error}`);
	};

	const buy = (shop: Shop, person: Person, lines: Array<{ productId: number; total: string }>) => (shop === 'square' ? squareSale(person, lines) : wooOrder(person, lines));

	/** A signed JSON post from the shop's sign-up form (the example in docs/templates/birthday.md). */
	const signUp = async (person: Person, birthday: { month: number; day: number }) => {
		const body = JSON.stringify({
			id: `signup-${person.firstName.toLowerCase()}`,
			type: 'customer_updated',
			occurredAt: env.clock.now().toISOString(),
			customer: { identities: { email: person.email }, firstName: person.firstName, birthday, consent: { email_marketing: { granted: true, at: env.clock.now().toISOString(), source: 'signup_form', wordingVersion: 'v1' } } },
		});
		const signature = `sha256=${createHmac('sha256', GENERIC_SECRET).update(body).digest('hex')}`;
		const answer = await post(env.triggerUrls['birthday.json']['Sign-up form'], { body, headers: { 'content-type': 'application/json', 'x-loyalty-signature': signature } });
		assert.equal(answer.status, 200, answer.body);
	};

	/** A WooCommerce customer whose birthday plugin keeps the date in their meta data, as WooCommerce's customer.updated webhook sends it. */
	const wooCustomerUpdated = async (person: Person, meta: Array<{ key: string; value: string }>) => {
		const now = env.clock.now().toISOString().slice(0, 19);
		const payload = { id: 7701, email: person.email, first_name: person.firstName, last_name: 'Ng', role: 'customer', username: person.firstName.toLowerCase(), date_created_gmt: now, date_modified_gmt: now, billing: { first_name: person.firstName, last_name: 'Ng', email: person.email, phone: '' }, meta_data: meta.map((m, i) => ({ id: 900 + i, ...m })) };
		const answer = await post(env.triggerUrls['points-on-purchase.json']['WooCommerce orders'], signedWooDelivery('customer.updated', payload, WOO_WEBHOOK_SECRET));
		assert.equal(answer.status, 200, answer.body);
	};

	const smsReply = async (person: Person & { phone: string }, text: string) => {
		const url = env.triggerUrls['cart-abandonment.json']['SMS replies (STOP/START)'];
		const form = { MessageSid: `SM${randomUUID().replace(/-/g, '')}`, AccountSid: 'AC0123456789abcdef0123456789abcdef', From: person.phone, To: '+15005550006', Body: text };
		const answer = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(url, form) }, body: new URLSearchParams(form).toString() });
		assert.equal(answer.status, 200, await answer.text());
	};

	/** History before the story starts, written the way Award Points writes it. */
	const pastOrder = async (person: Person, daysAgo: number, productId: number, total: string) => {
		const at = new Date(T0.getTime() - daysAgo * DAY);
		const product = PRODUCTS.find((p) => p.id === productId)!;
		const history = new Ledger(store, PROGRAM, { now: () => at });
		const totalMinor = Math.round(Number(total) * 100);
		const id = `past-${person.firstName}-${daysAgo}`;
		const event = {
			id: `generic:${id}`,
			type: 'purchase' as const,
			source: 'generic' as const,
			occurredAt: at.toISOString(),
			idempotencyKey: `generic:order:${id}:paid`,
			customer: { identities: { email: person.email } },
			order: { source: 'generic' as const, id, status: 'paid' as const, placedAt: at.toISOString(), currency: 'USD', totalMinor, customer: { identities: { email: person.email } }, lines: [{ sku: product.sku, name: product.name, category: product.categories[0], quantity: 1, totalMinor }] },
		};
		await store.recordEvent(event, at);
		await history.applyEvent(event);
	};

	/** The Square side of the shop before the story: its catalogue, and the sales in HISTORY (imported below, as a shop brings its history). */
	const seedSquare = (sandbox: ShopSandbox) => {
		for (const product of PRODUCTS) {
			const { variationIds } = sandbox.square.addCatalogItem({ name: product.name, category: product.categories[0], variations: [{ price: Math.round(Number(product.price) * 100) }] });
			squareVariations.set(product.id, variationIds[0]);
		}
		for (const [person, daysAgo, productId, total] of HISTORY.square) {
			const customerId = squareCustomerOf(sandbox, person);
			const order = sandbox.square.createOrder({ customer_id: customerId, created_at: new Date(T0.getTime() - daysAgo * DAY).toISOString(), line_items: [{ catalog_object_id: squareVariations.get(productId)!, quantity: '1', base_price_money: { amount: Math.round(Number(total) * 100), currency: 'USD' } }] });
			sandbox.square.createPayment({ order_id: String(order.id), customer_id: customerId });
		}
	};

	before(async () => {
		MovableClock.followInThisProcess(join(clockDir, 'clock-offset'));
		env = await startTemplates({ startAt: T0, pollSeconds: POLL_SECONDS, square: true, clockFile: join(clockDir, 'clock-offset'), seedShop: seedSquare, log: (line) => console.log(`# ${line}`) });
		console.log(`# n8n ready in ${env.n8n.readyMs} ms, webhooks registered in ${env.n8n.webhooksMs} ms`);
		await followed();
		// The shop is in New York; its owner says so once, for every workflow (this n8n runs in UTC).
		const zone = await runCli(['program', 'set', 'timeZone=America/New_York', '--store', env.storePath, '--create']);
		assert.equal(zone.code, 0, zone.errors.join('\n'));
		store = await openStore({ kind: 'sqlite', path: env.storePath });
		ledger = new Ledger(store, PROGRAM);
		for (const person of Object.values(people) as Person[]) {
			await store.upsertCustomer({
				identities: { email: person.email, ...(person.phone ? { phone: person.phone } : {}) },
				firstName: person.firstName,
				...(person.timeZone ? { timeZone: person.timeZone } : { timeZone: 'America/New_York' }),
				...(person.birthday ? { birthday: person.birthday } : {}),
				consent: { email_marketing: GRANTED, ...(person.sms ? { sms_marketing: GRANTED } : {}) },
			});
		}
		for (const [person, daysAgo, productId, total] of HISTORY.woocommerce) await pastOrder(person, daysAgo, productId, total);
		// The Square counter's history, from Square's own API, booked under the keys its webhooks use.
		const imported = await runCli(['import', '--from', 'square', '--url', env.sandbox.baseUrl, '--token', 'EAAA-e2e-token', '--environment', 'sandbox', '--earn', '--store', env.storePath]);
		assert.equal(imported.code, 0, imported.errors.join('\n'));
		assert.equal(JSON.parse(imported.lines.at(-1)!).orders, HISTORY.square.length, imported.lines.join('\n'));
	});

	after(async () => {
		await store?.close();
		await env?.stop();
		rmSync(clockDir, { recursive: true, force: true });
	});

	test('T0: carts come in, win-back and running-low go out at both tills, nobody in Tokyo is greeted before 09:00', async () => {
		await cartUpdated(people.carl, 4900);
		await cartUpdated(people.dana, 5000);
		await cartUpdated(people.eve, 6000);
		await cartUpdated(people.cleo, 6000);
		await cartUpdated(people.finn, 7000);
		await cartUpdated(people.gus, 8000);
		await cartUpdated(people.sora, 5500);
		// Birthdays recorded before the day: Square's directory, a WooCommerce birthday plugin, the sign-up form.
		squareCustomerOf(env.sandbox, people.bea, '0000-12-02');
		await wooCustomerUpdated(people.wanda, [{ key: 'favourite_colour', value: 'green' }, { key: 'yith_birthday', value: '1988-12-02' }]);
		await signUp(sami, { month: 12, day: 2 });
		await env.sandbox.settled();
		await settle();

		for (const shop of SHOPS) {
			const { lapsedBest, lapsed, beansDue, beansLater } = cast[shop];
			const [best] = await sendsOf(lapsedBest);
			assert.deepEqual([best?.rule_id, best?.offer_template_id, best?.status], ['win_back_high_value', 'win_back_favourite_category', 'sent'], `${shop}: ${lapsedBest.firstName} gets the high-value win-back`);
			assert.ok(best.coupon_code, 'with a WooCommerce coupon');
			const bestEvent = env.klaviyo.requests.find((r) => r.path.startsWith('/api/events') && r.body.includes(lapsedBest.email));
			assert.ok(bestEvent && bestEvent.status < 300, 'Klaviyo (the sandbox) accepted the win-back event');
			assert.match(bestEvent.body, /20% off tea/, `${shop}: ${lapsedBest.firstName}'s favourite category`);
			const [modest] = await sendsOf(lapsed);
			assert.deepEqual([modest?.rule_id, modest?.offer_template_id], ['win_back', 'win_back_discount'], `${shop}: ${lapsed.firstName} gets the modest win-back`);
			assert.deepEqual((await sendsOf(beansDue)).map((s) => s.offer_template_id), ['replenishment_reminder'], `${shop}: ${beansDue.firstName}'s beans are running low on day 28`);
			const reminder = env.klaviyo.requests.find((r) => r.path.startsWith('/api/events') && r.body.includes(beansDue.email))!;
			assert.match(reminder.body, /running low on coffee/);
			for (const person of beansLater) assert.deepEqual(await sendsOf(person), [], `${shop}: ${person.firstName} still has beans`);
		}
		for (const person of [people.carl, people.dana, people.eve, people.cleo, people.finn, people.gus, people.kenji, people.lucy, people.bea, people.wanda, sami]) assert.deepEqual(await sendsOf(person), [], `${person.firstName} gets nothing yet`);
		for (const person of [people.bea, people.wanda, sami]) {
			const birthday = await eventually(`${person.firstName}'s birthday in the store`, async () => (await store.findCustomer({ identities: { email: person.email } }))?.birthday);
			assert.deepEqual({ month: birthday.month, day: birthday.day }, { month: 12, day: 2 }, person.firstName);
		}
	});

	test('T0: at either till, a first order earns the welcome bonus once; coffee earns double points on pastries for a week', async () => {
		for (const shop of SHOPS) {
			const { newcomer, bigSpender, coffeeRegular } = cast[shop];
			await buy(shop, newcomer, [{ productId: 204, total: '25.00' }]);
			await buy(shop, bigSpender, [{ productId: 204, total: '300.00' }]);
			await buy(shop, coffeeRegular, [{ productId: 201, total: '20.00' }]);
		}
		await settle();
		for (const shop of SHOPS) {
			const { newcomer, bigSpender, coffeeRegular } = cast[shop];
			assert.equal((await balanceOf(newcomer)).available, 25 + 100, `${shop}: ${newcomer.firstName}`);
			assert.deepEqual((await sendsOf(newcomer)).map((s) => s.offer_template_id), ['welcome'], `${shop}: ${newcomer.firstName}`);
			assert.equal((await balanceOf(bigSpender)).available, 300 + 100, `${shop}: ${bigSpender.firstName}`);
			assert.equal((await balanceOf(coffeeRegular)).available, 15 + 20, `${shop}: ${coffeeRegular.firstName} is not new: no welcome bonus`);
			assert.deepEqual((await sendsOf(coffeeRegular)).map((s) => s.offer_template_id), ['category_bonus_recommendations'], `${shop}: ${coffeeRegular.firstName}`);
			const event = env.klaviyo.requests.find((r) => r.path.startsWith('/api/events') && r.body.includes(coffeeRegular.email))!;
			assert.match(event.body, /double points on pastries/i);
		}
		for (const [shop, channel, location] of [['woocommerce', 'online', undefined], ['square', 'in_store', SQUARE_SANDBOX_LOCATION]] as const) {
			const orders = await store.db.query<{ payload: string }>('SELECT payload FROM orders WHERE source = $1 AND customer_id = $2', [shop, await idOf(cast[shop].newcomer)]);
			const places = orders.map((row) => JSON.parse(row.payload) as { channel?: string; location?: string }).map((o) => [o.channel, o.location]);
			assert.deepEqual(places, [[channel, location]], `a ${shop} sale says where it was made, for rules (order.channel, order.location)`);
		}
	});

	test('T0+1h: Finn replies STOP; a pastry purchase earns its double points at either till', async () => {
		await moveTo(1 * HOUR);
		await smsReply(people.finn as Person & { phone: string }, 'STOP');
		for (const shop of SHOPS) {
			await buy(shop, cast[shop].coffeeRegular, [{ productId: 202, total: '10.00' }]);
			await buy(shop, cast[shop].newcomer, [{ productId: 204, total: '5.00' }]);
		}
		await settle();
		for (const shop of SHOPS) {
			const { newcomer, coffeeRegular } = cast[shop];
			assert.equal((await balanceOf(coffeeRegular)).available, 15 + 20 + 10 + 10, `${shop}: base 10 plus the 2x bonus`);
			assert.equal((await balanceOf(newcomer)).available, 25 + 100 + 5, `${shop}: the welcome bonus is not given twice`);
			assert.deepEqual((await sendsOf(newcomer)).map((s) => s.offer_template_id), ['welcome']);
		}
	});

	test('T0+1h59: no cart is two hours idle yet', async () => {
		await moveTo(1 * HOUR + 59 * 60_000);
		for (const person of [people.carl, people.dana, people.eve, people.cleo, people.finn, people.gus]) assert.deepEqual(await sendsOf(person), [], person.firstName);
	});

	test('T0+2h: one reminder per cart of $50 or more; the $49 cart gets nothing', async () => {
		await moveTo(2 * HOUR + 60_000);
		for (const person of [people.dana, people.eve, people.cleo, people.finn, people.gus, people.sora]) {
			const sends = await sendsOf(person);
			assert.deepEqual(sends.map((s) => [s.offer_template_id, s.channel, s.status]), [['cart_reminder', 'email', 'sent']], person.firstName);
		}
		assert.deepEqual(await sendsOf(people.carl), []);
		await moveTo(2 * HOUR + 5 * 60_000);
		assert.equal((await sendsOf(people.dana)).length, 1, 'polling again sends nothing twice');
	});

	test('T0+3h: Eve orders on the web shop and Cleo at the counter, which closes their carts', async () => {
		await moveTo(3 * HOUR);
		for (const shop of SHOPS) await buy(shop, cast[shop].cartCloser, [{ productId: 201, total: '60.00' }]);
		await settle();
		for (const shop of SHOPS) assert.equal((await balanceOf(cast[shop].cartCloser)).available, 60 + 100, `${shop}: the first order: points and the welcome bonus`);
	});

	test('T0+10h: Kenji is greeted on his birthday in Tokyo; Lucy in Los Angeles and the New Yorkers are still on 1 December', async () => {
		await moveTo(10 * HOUR);
		assert.deepEqual((await sendsOf(people.kenji)).map((s) => s.offer_template_id), ['birthday']);
		assert.equal((await balanceOf(people.kenji)).available, 100);
		for (const person of [people.lucy, people.bea, people.wanda, sami]) assert.deepEqual(await sendsOf(person), [], person.firstName);
	});

	test('T0+26h: coupons for the carts still open (SMS where agreed, never after STOP); orders at either till cancelled theirs; no win-back right after a cart offer; the birthdays of 2 December', async () => {
		await moveTo(26 * HOUR + 60_000);
		const dana = await sendsOf(people.dana);
		assert.deepEqual(dana.map((s) => [s.offer_template_id, s.channel]), [['cart_reminder', 'email'], ['cart_coupon', 'sms']]);
		assert.equal(smsTo(people.dana.phone).length, 1, 'Dana: one SMS, accepted by the Twilio mock');
		assert.match(new URLSearchParams(smsTo(people.dana.phone)[0].body).get('Body') ?? '', /10% off your cart with code LOY/);
		const code = dana[1].coupon_code!;
		assert.ok(
			env.wooCommerce.requests.some((r) => r.method === 'POST' && r.path.endsWith('/coupons') && r.status < 300 && r.body.includes(code)),
			'the single-use coupon was created in WooCommerce (the sandbox) before the SMS',
		);

		const finn = await sendsOf(people.finn);
		assert.deepEqual(finn.map((s) => [s.offer_template_id, s.channel]), [['cart_reminder', 'email'], ['cart_coupon', 'email']], 'Finn said STOP: his coupon comes by email');
		assert.equal(smsTo(people.finn.phone).length, 0, 'no SMS ever reached Finn');

		for (const shop of SHOPS) {
			const { cartCloser } = cast[shop];
			assert.deepEqual((await sendsOf(cartCloser)).map((s) => s.offer_template_id).filter((t) => t.startsWith('cart')), ['cart_reminder'], `${shop}: ${cartCloser.firstName} ordered at 3 h: no coupon`);
		}
		assert.deepEqual(await sendsOf(people.carl), [], 'a $49 cart gets nothing, ever');

		const gus = await idOf(people.gus);
		const due = await store.db.query(`SELECT 1 AS due FROM due_emissions WHERE customer_id = $1 AND kind = 'inactivity'`, [gus]);
		assert.equal(due.length, 1, 'Gus became due for the win-back at 25 h');
		const winBack = await store.db.query(`SELECT rule_id FROM rule_firings WHERE customer_key = $1 AND rule_id LIKE 'win_back%'`, [gus]);
		assert.deepEqual(winBack, [], 'but the cart offer of 24 h ago holds the win-back back');
		assert.equal((await sendsOf(people.gus)).some((s) => s.rule_id.startsWith('win_back')), false);

		assert.deepEqual((await sendsOf(people.lucy)).map((s) => s.offer_template_id), ['birthday'], 'Lucy: 09:01 on 2 December in Los Angeles');
		for (const [person, from] of [[people.bea, "Square's customer directory"], [sami, 'the sign-up form'], [people.wanda, 'a WooCommerce birthday plugin']] as const) {
			assert.deepEqual((await sendsOf(person)).map((s) => [s.offer_template_id, s.status]), [['birthday', 'sent']], `${person.firstName}: her birthday came from ${from}`);
			assert.equal((await balanceOf(person)).available, 100, `${person.firstName}: 100 birthday points`);
		}

		// 02:01 in Tokyo: Sora's coupon text waits for the morning (nothing is claimed or sent yet).
		assert.deepEqual((await sendsOf(people.sora)).map((s) => s.offer_template_id), ['cart_reminder']);
		assert.equal(smsTo(people.sora.phone).length, 0, 'no text at night');
		assert.equal((await sendsOf(people.kenji)).length, 1, 'Kenji is not greeted twice');
	});

	test('T0+26h: at either till, lifetime spend reaches $500 → Gold, 200 bonus points and the benefits message, once', async () => {
		for (const shop of SHOPS) await buy(shop, cast[shop].bigSpender, [{ productId: 204, total: '250.00' }]);
		await settle();
		for (const shop of SHOPS) {
			const { bigSpender } = cast[shop];
			const balance = await balanceOf(bigSpender);
			assert.equal(balance.available, 300 + 100 + 250 + 200, `${shop}: ${bigSpender.firstName}`);
			assert.equal(balance.tier, 'Gold');
			assert.deepEqual((await sendsOf(bigSpender)).map((s) => s.offer_template_id), ['welcome', 'vip_upgrade']);
			const profile = env.klaviyo.requests.filter((r) => r.path.startsWith('/api/profile-import') && r.body.includes(bigSpender.email)).at(-1);
			assert.ok(profile && profile.status < 300, 'the Klaviyo profile was updated (the sandbox accepted the import)');
			const properties = (JSON.parse(profile.body) as { data: { attributes: { properties: Record<string, unknown> } } }).data.attributes.properties;
			assert.deepEqual([properties.loyalty_tier, properties.loyalty_points], ['Gold', 300 + 100 + 250 + 200], `${shop}: Klaviyo shows the new tier and points`);
		}
		for (const shop of SHOPS) await buy(shop, cast[shop].bigSpender, [{ productId: 204, total: '20.00' }]);
		await settle();
		for (const shop of SHOPS) assert.equal((await balanceOf(cast[shop].bigSpender)).available, 300 + 100 + 250 + 200 + 20, `${shop}: no second upgrade bonus`);
	});

	test('T0+33h: 09:00 in Tokyo — the text held overnight goes out, once', async () => {
		await moveTo(33 * HOUR + 60_000);
		// n8n's Wait node resumes waiting runs from its database about once a minute.
		const sent = await eventually('the held SMS to Sora', async () => {
			const sends = await sendsOf(people.sora);
			return sends.some((s) => s.offer_template_id === 'cart_coupon' && s.status === 'sent') ? sends : undefined;
		}, { timeoutMs: 150_000, intervalMs: 500 });
		const coupon = sent.find((s) => s.offer_template_id === 'cart_coupon')!;
		assert.equal(coupon.channel, 'sms');
		const at = Date.parse(coupon.send_at) - T0.getTime();
		assert.ok(at >= 33 * HOUR && at < 34 * HOUR, `sent in the 09:00 hour in Tokyo, not at night (${coupon.send_at})`);
		assert.equal(smsTo(people.sora.phone).length, 1);
	});

	test('T0+34h: the owner changes the earn rate once; every workflow earns at the new rate from then on', async () => {
		// The templates carry no program settings: every workflow ran on the one stored program.
		const history = await programHistory(store, 'default');
		const current = history.at(-1)!;
		assert.deepEqual([current.settings.pointsPerCurrencyUnit, current.settings.timeZone, current.source], [1, 'America/New_York', 'cli']);
		const booked = await store.db.query<{ program_version: number | null }>('SELECT DISTINCT program_version FROM ledger_operations WHERE program_version IS NOT NULL');
		assert.deepEqual(booked.map((r) => Number(r.program_version)), [current.version], 'everything the workflows booked so far used the current version');

		const set = await runCli(['program', 'set', 'pointsPerCurrencyUnit=3', '--store', env.storePath]);
		assert.equal(set.code, 0, set.errors.join('\n'));
		const next = current.version + 1;
		assert.equal(JSON.parse(set.lines[0]).version, next);

		const lateBuyers: Record<Shop, Person> = { woocommerce: { email: 'zoe@example.com', firstName: 'Zoe' }, square: { email: 'zeno@example.com', firstName: 'Zeno' } };
		await moveTo(34 * HOUR);
		for (const shop of SHOPS) await buy(shop, lateBuyers[shop], [{ productId: 204, total: '20.00' }]);
		for (const shop of SHOPS) {
			const buyer = lateBuyers[shop];
			const balance = await eventually(`${buyer.firstName}’s points from points on purchase and the welcome bonus`, async () => {
				const b = await balanceOf(buyer).catch(() => undefined);
				return b && b.available >= 160 ? b : undefined;
			});
			// $20 at the new rate (3 per $1) from points on purchase, plus welcome's fixed 100.
			assert.equal(balance.available, 3 * 20 + 100, `${shop}: ${buyer.firstName}`);
		}
		await settle();
		for (const shop of SHOPS) {
			const buyer = lateBuyers[shop];
			assert.equal((await balanceOf(buyer)).available, 3 * 20 + 100, `${shop}: nothing more after the runs settled`);
			const buyerId = await idOf(buyer);
			const operations = await store.db.query<{ program_version: number }>('SELECT program_version FROM ledger_operations WHERE customer_id = $1', [buyerId]);
			assert.ok(operations.length >= 2, 'points on purchase and welcome both booked');
			assert.deepEqual([...new Set(operations.map((r) => Number(r.program_version)))], [next], `${shop}: every workflow used the new version`);
			const firings = await store.db.query<{ program_version: number }>('SELECT program_version FROM rule_firings WHERE customer_key = $1', [buyerId]);
			assert.ok(firings.length >= 1 && firings.every((r) => Number(r.program_version) === next), 'the welcome rule decided under the new version');
		}
		// Paul's earlier orders keep what they earned under version 1: nothing is rebooked.
		assert.equal((await balanceOf(people.paul)).available, 300 + 100 + 250 + 200 + 20);
	});

	test("the shop sandbox saw no request or answer that breaks the vendors' documents", () => {
		env.sandbox.assertNoViolations();
	});
});
