/**
 * Issue 15, part 2, in a real n8n: the referral template (workflows/referral.json) beside points
 * on purchase, driven by a WooCommerce web shop and the sandbox's Square counter. A friend's first
 * paid order with a code (WooCommerce order meta, Square order metadata) rewards both with points
 * pending through the return window and sends the friend's welcome and the advocate's note; the
 * advocate's own order with their code is refused as a self-referral; an unknown code writes
 * nothing; a Square refund inside the window cancels both rewards; a re-sent order gives nothing twice.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Ledger, openStore, type Store } from '../../engine';
import { eventually } from '../support/eventually';
import { MovableClock } from './support/movableClock';
import { executionsOf } from './support/n8n';
import { startTemplates, WOO_WEBHOOK_SECRET, type TemplatesEnv } from './support/templates';
import { post, signedWooDelivery, wooOrderPayload } from './support/webhooks';

/** 10:00 in New York: outside every quiet hour, so messages go out at once. */
const T0 = new Date('2026-12-01T15:00:00Z');
const GRANTED = { granted: true, at: '2026-01-01T00:00:00Z', source: 'checkout', wordingVersion: 'v3' };
const FILES = ['points-on-purchase.json', 'referral.json'] as const;
const CODE_PATH = 'referral-code';

const people = {
	ann: { email: 'ann.referral@example.com', firstName: 'Ann' },
	fred: { email: 'fred.referral@example.com', firstName: 'Fred' },
	hugo: { email: 'hugo.referral@example.com', firstName: 'Hugo' },
	bea: { email: 'bea.referral@example.com', firstName: 'Bea' },
	gina: { email: 'gina.referral@example.com', firstName: 'Gina' },
	ivy: { email: 'ivy.referral@example.com', firstName: 'Ivy' },
};
type Person = (typeof people)[keyof typeof people];

describe('referrals template, in a real n8n, for a WooCommerce web shop and a Square counter', { timeout: 15 * 60_000 }, () => {
	let env: TemplatesEnv;
	let store: Store;
	let wooOrderId = 7100;
	const clockDir = mkdtempSync(join(tmpdir(), 'loyalty-referral-clock-'));
	const codes = new Map<string, string>();
	const squareCustomers = new Map<string, string>();

	const idOf = async (person: Person) => (await store.findCustomer({ identities: { email: person.email } }))!.id;
	const balanceOf = async (person: Person) => new Ledger(store).getBalance({ identities: { email: person.email } });
	const referralOf = async (source: string, orderId: string) => (await store.db.query<{ status: string; reason: string | null; detail: string; advocate_id: string; friend_id: string }>('SELECT status, reason, detail, advocate_id, friend_id FROM referrals WHERE order_source = $1 AND order_id = $2', [source, orderId]))[0];
	const klaviyoEvents = (metric: string, person: Person) => env.klaviyo.requests.filter((r) => r.path.startsWith('/api/events') && r.body.includes(metric) && r.body.includes(person.email));

	/** Every event owed to the workflows is done and no run is still going: "nothing happened" means n8n looked. */
	const settle = async () => {
		const unfinished = () => FILES.flatMap((file) => executionsOf(env.userFolder, env.workflowIds[file]).filter((e) => !(e.finished || ['success', 'error', 'crashed', 'canceled'].includes(String(e.status)))));
		const owed = () => store.db.query("SELECT consumer, event_id, status FROM event_deliveries WHERE status = 'running' OR (status = 'owed' AND last_error IS NULL)");
		await eventually('every owed event to be done and every run to finish', async () => unfinished().length === 0 && (await owed()).length === 0, { timeoutMs: 120_000, intervalMs: 250, detail: async () => ({ unfinished: unfinished(), owed: await owed(), log: env.n8n.log().slice(-3000) }) });
	};

	const wooOrder = async (person: Person, total: string, extra: Record<string, unknown>, id = ++wooOrderId, deliveryId?: string) => {
		const payload = { ...wooOrderPayload({ id, status: 'processing', total, email: person.email, firstName: person.firstName, datePaidGmt: new Date().toISOString().slice(0, 19) }), ...extra };
		const answer = await post(env.triggerUrls['points-on-purchase.json']['WooCommerce orders'], signedWooDelivery('order.created', payload, WOO_WEBHOOK_SECRET, deliveryId));
		assert.equal(answer.status, 200, answer.body);
		return String(id);
	};

	const squareSale = async (person: Person, amount: number, metadata?: Record<string, string>, cardFingerprint?: string) => {
		let customerId = squareCustomers.get(person.email);
		if (!customerId) {
			customerId = String(env.sandbox.square.createCustomer({ given_name: person.firstName, email_address: person.email }).id);
			squareCustomers.set(person.email, customerId);
		}
		const order = env.sandbox.square.createOrder({ customer_id: customerId, line_items: [{ name: 'Flat white', quantity: '1', base_price_money: { amount, currency: 'USD' } }], ...(metadata ? { metadata } : {}) });
		const payment = env.sandbox.square.createPayment({ order_id: String(order.id), customer_id: customerId, ...(cardFingerprint ? { card_fingerprint: cardFingerprint } : {}) });
		await env.sandbox.settled();
		const [completed] = env.sandbox.square.notificationsOf('payment.updated', String(payment.id));
		assert.equal(completed?.posts[0]?.status, 200, `the Square trigger took ${person.firstName}'s payment`);
		return { orderId: String(order.id), paymentId: String(payment.id) };
	};

	before(async () => {
		MovableClock.followInThisProcess(join(clockDir, 'clock-offset'));
		env = await startTemplates({
			startAt: T0,
			square: true,
			clockFile: join(clockDir, 'clock-offset'),
			templates: FILES,
			// The owner's page "share your code": n8n's Webhook in front of Award Points → Referral → Get Code and Link.
			adjust: (file, template) => {
				if (file !== 'referral.json') return;
				template.nodes.push(
					{ id: randomUUID(), name: 'Code request', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 600], webhookId: randomUUID(), parameters: { httpMethod: 'POST', path: CODE_PATH, responseMode: 'lastNode', options: {} } },
					{ id: randomUUID(), name: 'Get Code and Link', type: 'n8n-nodes-loyalty.awardPoints', typeVersion: 1, position: [240, 600], parameters: { resource: 'referral', operation: 'getCode', identifyBy: 'email', customerValue: '={{ $json.body.email }}' } },
				);
				template.connections['Code request'] = { main: [[{ node: 'Get Code and Link', type: 'main', index: 0 }]] };
			},
			log: (line) => console.log(`# ${line}`),
		});
		store = await openStore({ kind: 'sqlite', path: env.storePath });
		for (const person of Object.values(people)) {
			await store.upsertCustomer({ identities: { email: person.email }, firstName: person.firstName, timeZone: 'America/New_York', consent: { email_marketing: GRANTED } });
		}
		// What Award Points → Referral → Get Code and Link gives the advocates to share, asked through n8n.
		const codeUrl = `${new URL(Object.values(env.triggerUrls['points-on-purchase.json'])[0]).origin}/webhook/${CODE_PATH}`;
		await env.n8n.waitForWebhook(codeUrl, { method: 'POST', timeoutMs: 60_000 });
		for (const advocate of [people.ann, people.bea]) {
			const ask = async () => (await (await fetch(codeUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: advocate.email }) })).json()) as { referralCode?: string; created?: boolean };
			const first = await ask();
			assert.match(String(first.referralCode), /^[23456789ABCDEFGHJKMNPQRSTVWXYZ]{7}$/, JSON.stringify(first));
			assert.deepEqual(await ask(), { ...first, created: false }, 'asked again: the same code, not made again');
			codes.set(advocate.email, first.referralCode!);
		}
	});

	after(async () => {
		await store?.close();
		await env?.stop();
		rmSync(clockDir, { recursive: true, force: true });
	});

	test('WooCommerce: a friend\'s first order with the code in its meta data rewards both, pending, and sends the welcome and the thank-you', async () => {
		const code = codes.get(people.ann.email)!;
		const written = `${code.slice(0, 3).toLowerCase()}-${code.slice(3).toLowerCase()}`;
		const orderId = await wooOrder(people.fred, '30.00', { meta_data: [{ id: 9, key: 'referral_code', value: written }] });
		const referral = await eventually('the referral of Fred\'s order', () => referralOf('woocommerce', orderId), { timeoutMs: 60_000 });
		assert.deepEqual([referral.status, referral.advocate_id, referral.friend_id], ['rewarded', await idOf(people.ann), await idOf(people.fred)]);
		await eventually('the welcome for Fred and the thank-you for Ann', () => klaviyoEvents('Loyalty: Referral Welcome', people.fred).length === 1 && klaviyoEvents('Loyalty: Referral Thanks', people.ann).length === 1, { timeoutMs: 60_000 });
		await settle();
		assert.deepEqual([(await balanceOf(people.ann)).pending, (await balanceOf(people.fred)).pending], [500, 100], 'both rewards wait out the return window');
		assert.equal((await balanceOf(people.fred)).available, 30, 'the order itself earned as usual (points on purchase)');
	});

	test('WooCommerce: the advocate\'s own order with the code in the note is refused as a self-referral; an unknown code writes nothing', async () => {
		const own = await wooOrder(people.ann, '12.00', { customer_note: `my code ${codes.get(people.ann.email)}` });
		const refused = await eventually('the refusal of Ann\'s own order', () => referralOf('woocommerce', own), { timeoutMs: 60_000 });
		assert.deepEqual([refused.status, refused.reason], ['refused', 'self_referral']);
		const unknown = await wooOrder(people.hugo, '15.00', { meta_data: [{ id: 9, key: 'referral_code', value: 'ZZZZZZZ' }] });
		await eventually('Hugo\'s order to be booked', async () => (await store.db.query("SELECT 1 FROM orders WHERE source = 'woocommerce' AND id = $1", [unknown])).length === 1, { timeoutMs: 60_000 });
		await settle();
		assert.equal(await referralOf('woocommerce', unknown), undefined, 'a code nobody has is no referral');
		assert.equal((await balanceOf(people.hugo)).pending, 0);
		assert.equal(klaviyoEvents('Loyalty: Referral Welcome', people.hugo).length, 0);
		assert.equal(klaviyoEvents('Loyalty: Referral Thanks', people.ann).length, 1, 'no thank-you for a refused referral');
		const failed = executionsOf(env.userFolder, env.workflowIds['referral.json']).filter((e) => String(e.status) === 'error');
		assert.deepEqual(failed, [], 'an unknown code and a refusal are answers, not failed runs');
	});

	test('Square: a friend\'s sale with the code in the order metadata rewards both; a refund inside the return window takes both back', async () => {
		const { orderId, paymentId } = await squareSale(people.gina, 2400, { referral_code: codes.get(people.bea.email)! });
		const referral = await eventually('the referral of Gina\'s sale', () => referralOf('square', orderId), { timeoutMs: 60_000 });
		assert.equal(referral.status, 'rewarded');
		await eventually('the welcome for Gina and the thank-you for Bea', () => klaviyoEvents('Loyalty: Referral Welcome', people.gina).length === 1 && klaviyoEvents('Loyalty: Referral Thanks', people.bea).length === 1, { timeoutMs: 60_000 });
		await settle();
		assert.equal((await balanceOf(people.bea)).pending, 500);

		env.sandbox.square.refundPayment(paymentId, 2400, 'changed my mind');
		await env.sandbox.settled();
		await eventually('the referral to be cancelled by the refund', async () => (await referralOf('square', orderId))?.status === 'cancelled', { timeoutMs: 60_000 });
		await settle();
		assert.deepEqual([(await balanceOf(people.bea)).pending, (await balanceOf(people.gina)).pending], [0, 0]);
	});

	test('Square: a friend paying with the advocate\'s own card is refused as a self-referral (Square\'s card fingerprint)', async () => {
		// Bea pays for her own coffee first: her card is remembered (hashed) though the sale carries no code.
		await squareSale(people.bea, 450, undefined, 'sq-1-bea-card');
		await settle();
		const { orderId } = await squareSale(people.ivy, 900, { referral_code: codes.get(people.bea.email)! }, 'sq-1-bea-card');
		const refused = await eventually('the refusal of Ivy\'s sale', () => referralOf('square', orderId), { timeoutMs: 60_000 });
		assert.deepEqual([refused.status, refused.reason], ['refused', 'self_referral']);
		assert.match(refused.detail, /payment card is the advocate's/);
		await settle();
		assert.equal(klaviyoEvents('Loyalty: Referral Welcome', people.ivy).length, 0);
		assert.equal((await balanceOf(people.ivy)).pending, 0);
	});

	test('the same WooCommerce order delivered again (a new delivery id) gives nothing twice and sends nothing twice', async () => {
		const code = codes.get(people.ann.email)!;
		const before = await store.db.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM ledger_entries');
		await wooOrder(people.fred, '30.00', { meta_data: [{ id: 9, key: 'referral_code', value: code }] }, 7101);
		await settle();
		const afterRows = await store.db.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM ledger_entries');
		assert.equal(Number(afterRows[0].n), Number(before[0].n));
		assert.equal((await balanceOf(people.ann)).pending, 500);
		assert.equal(klaviyoEvents('Loyalty: Referral Welcome', people.fred).length, 1);
	});
});
