/**
 * A Square-only shop (issue 15, part 1): the README's one change for a shop without WooCommerce is
 * where coupons are made — Send Offer → Create Coupons In → Square Loyalty (Reward). Here, in a real
 * n8n, Points on purchase keeps only its Square trigger and the Birthday template's Send Offer is
 * switched to a Square Loyalty reward tier; a customer whose birthday is in Square's customer
 * directory gets the birthday email, and the reward is issued on their Square Loyalty account (the
 * sandbox's Square), once, however often the schedule trigger looks again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { statSync } from 'node:fs';
import { openStore, type Store } from '../../engine';
import { eventually } from '../support/eventually';
import { logFrom, scheduleLooks, startTemplates, type TemplatesEnv } from './support/templates';

/** 10:00 on 2 December in the program's zone (UTC, as this n8n runs): after the birthday hour. */
const T0 = new Date('2026-12-02T10:00:00Z');
const REWARD_TIER = 'sandbox-tier-100';
const BEA = { email: 'bea.square-only@example.com', firstName: 'Bea' };

describe('a Square-only shop: birthday coupons as Square Loyalty rewards, in a real n8n', { timeout: 15 * 60_000 }, () => {
	let env: TemplatesEnv;
	let store: Store;

	before(async () => {
		env = await startTemplates({
			startAt: T0,
			square: true,
			templates: ['points-on-purchase.json', 'birthday.json'],
			adjust: (file, template) => {
				// A Square-only shop deletes the WooCommerce trigger and makes its coupons in Square, as the README says.
				template.nodes = template.nodes.filter((node) => !(node.type === 'n8n-nodes-loyalty.loyaltyTrigger' && node.parameters.source === 'woocommerce'));
				for (const node of template.nodes) {
					if (node.type === 'n8n-nodes-loyalty.sendOffer' && node.parameters.couponShop === 'woocommerce') node.parameters = { ...node.parameters, couponShop: 'squareReward', squareRewardTierId: REWARD_TIER };
				}
				if (file === 'birthday.json') assert.ok(template.nodes.some((node) => node.parameters.couponShop === 'squareReward'), 'the birthday template makes a coupon');
			},
			log: (line) => console.log(`# ${line}`),
		});
		store = await openStore({ kind: 'sqlite', path: env.storePath });
	});

	after(async () => {
		await store?.close();
		await env?.stop();
	});

	const sendsOfBea = async () => {
		const customer = await store.findCustomer({ identities: { email: BEA.email } });
		if (!customer) return [];
		return store.db.query<{ offer_template_id: string; status: string; coupon_code: string | null }>('SELECT offer_template_id, status, coupon_code FROM delivery_sends WHERE customer_id = $1', [customer.id]);
	};
	const rewardsOf = (accountId: string) => [...env.sandbox.square.rewards.values()].filter((reward) => reward.loyalty_account_id === accountId);

	test('the birthday coupon is a reward on the customer’s Square Loyalty account, issued once', async () => {
		// The member signed up with email consent; Square's directory has their birthday and their loyalty account.
		await store.upsertCustomer({ identities: { email: BEA.email }, firstName: BEA.firstName, consent: { email_marketing: { granted: true, at: '2026-01-01T00:00:00Z', source: 'checkout' } } });
		// The Square trigger subscribes to Square's notifications when it is published: only then does Square tell it about customers.
		await eventually('the Square trigger’s subscription in Square (the sandbox)', () => env.sandbox.square.subscriptions.size > 0, { timeoutMs: 60_000, intervalMs: 250 });
		const squareId = String(env.sandbox.square.createCustomer({ given_name: BEA.firstName, email_address: BEA.email, birthday: '0000-12-02' }).id);
		const account = env.sandbox.square.createLoyaltyAccount({ customer_id: squareId, phone_number: '+12125550177', balance: 250 });
		await env.sandbox.settled();
		const [created] = env.sandbox.square.notificationsOf('customer.created', squareId);
		assert.equal(created?.posts[0]?.status, 200, 'the Square trigger took the new customer');
		await eventually('Bea’s birthday and Square id in the store', async () => {
			const bea = await store.findCustomer({ identities: { email: BEA.email } });
			return bea?.birthday?.day === 2 && bea.identities.square === squareId;
		}, { timeoutMs: 30_000, intervalMs: 250 });

		const sent = await eventually('Bea’s birthday email, sent', async () => ((await sendsOfBea()).some((s) => s.offer_template_id === 'birthday' && s.status === 'sent') ? sendsOfBea() : undefined), {
			timeoutMs: 120_000,
			intervalMs: 500,
			detail: () => env.n8n.log().slice(-3000),
		});
		assert.equal(sent.filter((s) => s.offer_template_id === 'birthday').length, 1, JSON.stringify(sent));
		const rewards = rewardsOf(String(account.id));
		assert.equal(rewards.length, 1, 'one Square Loyalty reward');
		assert.equal(rewards[0].reward_tier_id, REWARD_TIER);
		assert.equal(env.sandbox.square.loyaltyAccounts.get(String(account.id))?.balance, 150, 'the reward tier’s 100 points were taken from the Square account');
		const email = env.klaviyo.requests.find((r) => r.path.startsWith('/api/events') && r.body.includes(BEA.email));
		assert.ok(email && email.status < 300, 'Klaviyo (the sandbox) took the birthday email');

		// Two more looks of the schedule trigger, as of later moments: nothing is issued again.
		const offset = statSync(env.n8n.logFile).size;
		const since = env.clock.now().getTime();
		await eventually('two more looks of the birthday schedule', () => scheduleLooks(logFrom(env.n8n.logFile, offset)).filter((look) => look.asOf >= since).length >= 2, { timeoutMs: 60_000, intervalMs: 250 });
		assert.equal(rewardsOf(String(account.id)).length, 1, 'still one reward');
		assert.equal((await sendsOfBea()).filter((s) => s.offer_template_id === 'birthday').length, 1, 'still one birthday send');
	});
});
