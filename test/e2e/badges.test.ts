/**
 * Issue 15, part 4 in a real n8n: the badges template (workflows/badges.json) beside points on
 * purchase, driven by signed WooCommerce deliveries. One customer's ten orders earn First
 * purchase (order 1), Explorer (order 3, the third category, with the early-access tag) and 10th
 * visit (order 10, with a free-shipping coupon made in the sandbox's WooCommerce); each badge is
 * recorded once, listed with the balance (Award Points → Get Balance), and written to the
 * customer's Klaviyo profile in the sandbox (which validates the requests against Klaviyo's
 * OpenAPI document where it is available). A re-sent order changes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Ledger, listBadges, openStore, type Store } from '../../engine';
import { runCli } from '../support/cli';
import { eventually } from '../support/eventually';
import { executionDetail, executionsOf, waitForExecutions } from './support/n8nExecutions';
import { PRODUCTS, startTemplates, WOO_WEBHOOK_SECRET, type TemplatesEnv } from './support/templates';
import { post, signedWooDelivery, wooOrderPayload } from './support/webhooks';

const HOUR = 3_600_000;
/** 15:00 UTC: daytime in the program's zone (UTC), so the perk's email is not held for quiet hours. */
const T0 = new Date('2026-12-01T15:00:00Z');
const MIA = { email: 'mia@example.com', firstName: 'Mia' };
const GRANTED = { granted: true, at: '2026-01-01T00:00:00Z', source: 'checkout', wordingVersion: 'v3' };
/** The shop's own names for the built-in badges, set once in the stored program. */
const BADGES = [
	{ id: 'first-purchase', name: 'First cup' },
	{ id: 'tenth-visit', name: 'Tenth visit' },
	{ id: 'explorer', name: 'Explorer' },
];
/** Mia's orders: coffee, pastries, tea (the third category), then coffee up to the tenth. */
const ORDER_PRODUCTS = [201, 202, 203, 201, 201, 201, 201, 201, 201, 201];

describe('badges and perks template in a real n8n', { timeout: 600_000 }, () => {
	let env: TemplatesEnv;
	let store: Store;
	let badgesWorkflow: string;
	const deliveries: Array<ReturnType<typeof signedWooDelivery>> = [];

	before(async () => {
		env = await startTemplates({ startAt: T0, templates: ['points-on-purchase.json', 'badges.json'], log: (line) => console.log(`# ${line}`) });
		badgesWorkflow = env.workflowIds['badges.json' as never];
		const set = await runCli(['program', 'set', `badges=${JSON.stringify(BADGES)}`, '--store', env.storePath, '--create']);
		assert.equal(set.code, 0, set.errors.join('\n'));
		store = await openStore({ kind: 'sqlite', path: env.storePath });
		await store.upsertCustomer({ identities: { email: MIA.email }, firstName: MIA.firstName, consent: { email_marketing: GRANTED } });
	});
	after(async () => {
		await store?.close().catch(() => undefined);
		await env?.stop();
	});

	/** Every event owed to a workflow delivered, and no run of either workflow still going. */
	const settled = async () => {
		const unfinishedRuns = () => Object.values(env.workflowIds).flatMap((id) => executionsOf(env.userFolder, id).filter((e) => ['new', 'running'].includes(e.status)));
		const unsettled = () => store.db.query<{ consumer: string; event_id: string; status: string }>("SELECT consumer, event_id, status FROM event_deliveries WHERE status = 'running' OR (status = 'owed' AND last_error IS NULL)");
		await eventually('every owed event to be done and every run to finish', async () => unfinishedRuns().length === 0 && (await unsettled()).length === 0, {
			timeoutMs: 120_000,
			intervalMs: 250,
			detail: async () => ({ unfinishedRuns: unfinishedRuns(), unsettled: await unsettled() }),
		});
	};

	/** Order `n` (1-based), paid `11 - n` hours before T0: each order is decided at its own time, so the counts are the order's own. */
	const sendOrder = async (n: number) => {
		const product = PRODUCTS.find((p) => p.id === ORDER_PRODUCTS[n - 1])!;
		const payload = wooOrderPayload({
			id: 5000 + n,
			status: 'processing',
			total: product.price,
			email: MIA.email,
			firstName: MIA.firstName,
			datePaidGmt: new Date(T0.getTime() - (11 - n) * HOUR).toISOString().slice(0, 19),
			lines: [{ sku: product.sku, name: product.name, quantity: 1, total: product.price, productId: product.id }],
		});
		const delivery = signedWooDelivery('order.created', payload, WOO_WEBHOOK_SECRET);
		deliveries.push(delivery);
		const answer = await post(env.triggerUrls['points-on-purchase.json']['WooCommerce orders'], delivery);
		assert.equal(answer.status, 200, answer.body);
	};

	test('ten orders: First cup, Explorer and Tenth visit, each once, in the store with the order that earned it', async () => {
		// One at a time, each order done in both workflows before the next: the rules count the orders
		// Award Points has booked, and the Klaviyo profile ends as the last run left it. "Done" is every
		// owed event delivered and every run finished, not a count of runs (a slow run may be run again).
		for (let n = 1; n <= ORDER_PRODUCTS.length; n++) {
			await sendOrder(n);
			await waitForExecutions(env.userFolder, badgesWorkflow, n, 120_000);
			await settled();
		}
		const failed = executionsOf(env.userFolder, badgesWorkflow).filter((e) => e.status !== 'success');
		assert.deepEqual(failed, [], JSON.stringify(failed.map((e) => executionDetail(env.userFolder, e.id).errors)));
		const customer = (await store.findCustomer({ identities: { email: MIA.email } }))!;
		const badges = await store.transaction((sql) => listBadges(sql, 'default', customer.id));
		assert.deepEqual(
			badges.map((b) => [b.badge, b.name, b.awardedAt]),
			[
				['first-purchase', 'First cup', new Date(T0.getTime() - 10 * HOUR).toISOString()],
				['explorer', 'Explorer', new Date(T0.getTime() - 8 * HOUR).toISOString()],
				['tenth-visit', 'Tenth visit', new Date(T0.getTime() - 1 * HOUR).toISOString()],
			],
		);
		assert.ok(customer.tags.includes('early-access'), `the explorer perk tagged the customer: ${customer.tags.join(', ')}`);
	});

	test('the badges are listed with the balance (Award Points → Get Balance) and on the Klaviyo profile', async () => {
		const balance = await new Ledger(store).getBalance({ identities: { email: MIA.email } });
		// 1 point per $1: 24 + 3 + 12 + 7 × 24.
		assert.equal(balance.available, 24 + 3 + 12 + 7 * 24);
		const runs = executionsOf(env.userFolder, badgesWorkflow).map((e) => executionDetail(env.userFolder, e.id));
		const listed = runs.flatMap((run) => run.nodes['Get Balance and Badges'] ?? []).flatMap((outputs) => outputs[0] ?? []);
		assert.equal(listed.length, 3, 'one listing per badge decision');
		const last = listed.at(-1) as { balance: { available: number }; badges: Array<{ badge: string; name: string }> };
		assert.deepEqual(last.badges.map((b) => b.name), ['First cup', 'Explorer', 'Tenth visit']);
		assert.equal(last.balance.available, balance.available);

		const profile = await eventually('Mia’s Klaviyo profile with her badges', () => {
			const found = env.sandbox.klaviyo.profileByEmail(MIA.email);
			const properties = (found?.attributes as { properties?: Record<string, unknown> } | undefined)?.properties;
			return Array.isArray(properties?.loyalty_badges) && properties.loyalty_badges.length === 3 ? properties : undefined;
		});
		assert.deepEqual(profile.loyalty_badges, ['First cup', 'Explorer', 'Tenth visit']);
		assert.equal(profile.loyalty_early_access, true);
		assert.equal(profile.loyalty_points, balance.available);
	});

	test('the tenth visit’s perk: one free-shipping coupon in the shop, only for Mia, and its email', async () => {
		const coupons = [...env.sandbox.woo.coupons.values()] as Array<Record<string, unknown>>;
		assert.equal(coupons.length, 1, JSON.stringify(coupons));
		const [coupon] = coupons;
		assert.deepEqual([coupon.free_shipping, coupon.amount, coupon.email_restrictions, coupon.usage_limit], [true, '0.00', [MIA.email], 1]);
		const events = env.sandbox.klaviyo.events.filter((e) => JSON.stringify(e).includes('Loyalty: Free shipping perk'));
		assert.equal(events.length, 1);
		assert.ok(JSON.stringify(events[0]).toUpperCase().includes(String(coupon.code).toUpperCase()), 'the email carries the coupon code');
		assert.ok(JSON.stringify(events[0]).includes('You earned the Tenth visit badge'), JSON.stringify(events[0]));
	});

	test('the first order delivered again: dropped, and nothing is earned twice', async () => {
		const before = executionsOf(env.userFolder, badgesWorkflow).length;
		const answer = await post(env.triggerUrls['points-on-purchase.json']['WooCommerce orders'], signedWooDelivery('order.created', JSON.parse(deliveries[0].body), WOO_WEBHOOK_SECRET));
		assert.equal(answer.status, 200, answer.body);
		assert.match(answer.body, /duplicate/i);
		const [row] = await store.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM customer_badges');
		assert.equal(Number(row.n), 3);
		assert.equal(executionsOf(env.userFolder, badgesWorkflow).length, before);
		assert.equal(env.sandbox.woo.coupons.size, 1);
	});
});
