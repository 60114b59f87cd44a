/**
 * The browse-abandonment and price-drop templates in a real n8n, driven by the shop sandbox as a
 * shop would drive them: Klaviyo's Viewed Product flow webhook (rendered from the template the
 * trigger shows), the site's signed JSON, WooCommerce product.updated webhooks and Square's
 * catalog.version.updated and inventory.count.updated notifications. What the customer gets is
 * read back from the store's send log and the sandbox's Klaviyo.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { klaviyo as klaviyoConnector, generic } from '../../connectors';
import { openStore, type Store } from '../../engine';
import { runCli } from '../support/cli';
import { eventually } from '../support/eventually';
import { freePort, freshN8nWithPackage, importCredentials, importWorkflows, normaliseWorkflow, publishWorkflow, startN8n, type RunningN8n, type WorkflowJson } from './support/n8n';
import { GENERIC_SECRET, loadTemplate, PRODUCTS, SQUARE_SIGNATURE_KEY, WOO_WEBHOOK_SECRET } from './support/templates';
import { startVendorMocks, type VendorMocks } from './support/vendorMocks';
import { post } from './support/webhooks';
import { join } from 'node:path';

const log = (line: string) => process.env.LOYALTY_E2E_VERBOSE && console.log(line);
const GRANTED = { granted: true, at: '2026-01-01T00:00:00Z', source: 'checkout' };

describe('browse abandonment and price drops, in a real n8n with the shop sandbox (WooCommerce, Square, Klaviyo)', { timeout: 15 * 60_000 }, () => {
	const cleanups: Array<() => Promise<void>> = [];
	let vendors: VendorMocks;
	let n8n: RunningN8n;
	let store: Store;
	const urls: Record<string, string> = {};
	let squareVariation = '';

	before(async () => {
		const { install, userFolder } = await freshN8nWithPackage('loyalty-e2e-browse-', log, cleanups);
		vendors = await startVendorMocks({ products: PRODUCTS, squareSignatureKey: SQUARE_SIGNATURE_KEY });
		cleanups.push(() => vendors.stop());
		squareVariation = vendors.sandbox.square.addCatalogItem({ name: 'Sencha green tea', category: 'Tea', variations: [{ price: 1200 }] }).variationIds[0];

		const port = await freePort();
		const baseUrl = `http://127.0.0.1:${port}`;
		const templates: WorkflowJson[] = [loadTemplate('browse-abandonment.json'), loadTemplate('price-drop.json')];
		const webhookPaths: string[] = [];
		for (const template of templates) {
			for (const node of template.nodes) {
				if (node.type !== 'n8n-nodes-loyalty.loyaltyTrigger') continue;
				urls[node.name] = `${baseUrl}/webhook/${node.webhookId}/webhook`;
				webhookPaths.push(`${node.webhookId}/webhook`);
			}
		}
		const squareCredential = { name: 'Square account', type: 'loyaltySquareApi', data: { accessToken: 'EAAA-e2e-token', environment: 'sandbox', signatureKey: SQUARE_SIGNATURE_KEY, notificationUrl: urls['Square catalog and stock'], baseUrl: vendors.sandbox.baseUrl } };
		const credentials = await importCredentials(userFolder, [...vendors.credentials(WOO_WEBHOOK_SECRET), squareCredential, { name: 'Loyalty webhook secret', type: 'loyaltyGenericWebhookApi', data: { secret: GENERIC_SECRET } }]);
		const workflows = templates.map((t) => normaliseWorkflow(t, { credentials }));
		await importWorkflows(userFolder, workflows);
		for (const workflow of workflows) await publishWorkflow(userFolder, workflow.id!);
		const storePath = join(userFolder, '.n8n', 'loyalty.sqlite');
		n8n = await startN8n({ userFolder, port, install, waitForWebhooks: webhookPaths, timeoutMs: 240_000 });
		cleanups.push(() => n8n.stop());
		const program = await runCli(['program', 'set', 'timeZone=UTC', '--store', storePath, '--create']);
		assert.equal(program.code, 0, program.errors.join('\n'));
		store = await openStore({ kind: 'sqlite', path: storePath });
		cleanups.push(() => store.close());
	});

	after(async () => {
		for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
	});

	const site = async (items: unknown) => {
		const body = JSON.stringify(items);
		const answer = await post(urls['Site views (signed JSON)'], { body, headers: { 'content-type': 'application/json', [generic.GENERIC_SIGNATURE_HEADER]: generic.signGenericBody(body, GENERIC_SECRET) } });
		assert.equal(answer.status, 200, answer.body);
		return JSON.parse(answer.body) as Record<string, unknown>;
	};
	const member = (email: string, firstName: string) => site({ id: randomUUID(), type: 'customer_updated', occurredAt: new Date().toISOString(), customer: { identities: { email }, firstName, consent: { email_marketing: GRANTED } } });
	const viewedInKlaviyo = async (email: string, event: Record<string, unknown>) => {
		const answer = await vendors.sandbox.klaviyoFlows.fire({ url: urls['Klaviyo Viewed Product'], template: klaviyoConnector.KLAVIYO_VIEWED_PRODUCT_TEMPLATE, headers: { [klaviyoConnector.KLAVIYO_TOKEN_HEADER]: GENERIC_SECRET }, event, person: { email } });
		assert.equal(answer.status, 200, answer.answer ?? answer.error);
		return JSON.parse(answer.answer ?? '{}') as Record<string, unknown>;
	};
	const sendsOf = async (email: string) => {
		const customer = await store.findCustomer({ identities: { email } });
		if (!customer) return [];
		return store.db.query<{ offer_template_id: string; status: string; channel: string }>('SELECT offer_template_id, status, channel FROM delivery_sends WHERE customer_id = $1 ORDER BY send_at, offer_template_id', [customer.id]);
	};
	const klaviyoMetricsFor = (email: string) => vendors.sandbox.klaviyo.events.filter((e) => String(e.profile.email ?? '').toLowerCase() === email).map((e) => e.metric);
	const answerOf = (delivery: { answer?: string; error?: string }) => JSON.parse(delivery.answer ?? 'null') as Record<string, unknown> & { products: Array<{ change: string; priceDropPercent?: number; alerts: number }> };

	test('Klaviyo Viewed Product: the third look at the same product this week sends one browse reminder; a retried webhook sends nothing more', async () => {
		const ana = 'ana.browse@example.com';
		await member(ana, 'Ana');
		const teapot = { ProductID: '201', ProductName: 'House coffee beans 1 kg', Categories: ['Coffee'], Price: '24.00', URL: 'https://shop.example/product/beans/' };
		const first = await viewedInKlaviyo(ana, teapot);
		assert.equal(first.new, 1);
		await viewedInKlaviyo(ana, teapot);
		const third = await viewedInKlaviyo(ana, { ...teapot, $event_id: 'ana-third-view' });
		assert.equal(third.new, 1);
		const sends = await eventually('the browse reminder is sent', async () => {
			const rows = await sendsOf(ana);
			return rows.length > 0 && rows.every((r) => r.status !== 'claimed') && rows;
		}, { timeoutMs: 60_000 });
		assert.deepEqual(sends.map((s) => [s.offer_template_id, s.status, s.channel]), [['browse_reminder', 'sent', 'email']]);
		assert.deepEqual(klaviyoMetricsFor(ana), ['Loyalty: Browse reminder']);

		const retried = answerOf(await vendors.sandbox.klaviyoFlows.redeliver('ana-third-view'));
		assert.equal(retried.duplicate, true);
		assert.equal(retried.stillOwed, 0, 'the view was processed already: nothing runs again');
		assert.equal((await sendsOf(ana)).length, 1);
		const views = await store.db.query<{ n: number }>("SELECT COUNT(*) AS n FROM browse_views WHERE product_id = '201'");
		assert.equal(Number(views[0].n), 3);
	});

	test('a view of a product nobody ever named is answered "not recorded" and leaves nothing behind', async () => {
		const answer = await viewedInKlaviyo('ghost.viewer@example.com', { ProductID: 'no-such-product', $event_id: 'ghost-view' });
		assert.match(String(answer.ignored), /not recorded: product "no-such-product" is unknown/);
		assert.equal(await store.findCustomer({ identities: { email: 'ghost.viewer@example.com' } }), undefined);
		const events = await store.db.query<{ n: number }>("SELECT COUNT(*) AS n FROM events WHERE id = 'klaviyo:ghost-view'");
		assert.equal(Number(events[0].n), 0);
	});

	test('WooCommerce: a sale price on a wish-listed item alerts its viewer once, with triple points today; a repeated product.updated alerts nobody', async () => {
		const ben = 'ben.wishlist@example.com';
		await member(ben, 'Ben');
		const view = await site({ id: randomUUID(), type: 'product_viewed', occurredAt: new Date().toISOString(), customer: { identities: { email: ben } }, product: { id: 202, name: 'Butter croissant', categories: ['Pastries'], priceMinor: 350, currency: 'USD', wishlisted: true } });
		assert.equal(view.new, 1);

		const before = vendors.sandbox.woo.deliveries.length;
		vendors.sandbox.woo.updateProduct(202, { salePrice: '2.80' });
		const drop = await eventually('the product.updated delivery is answered', () => {
			const delivery = vendors.sandbox.woo.deliveries.slice(before).find((d) => d.topic === 'product.updated');
			return delivery && delivery.posts.length > 0 && delivery;
		}, { timeoutMs: 30_000 });
		const answered = answerOf(drop.posts[0]);
		assert.deepEqual(answered.products.map((p) => [p.change, p.priceDropPercent, p.alerts]), [['updated', 20, 1]]);

		const sends = await eventually('the price-drop alert is sent', async () => {
			const rows = await sendsOf(ben);
			return rows.length > 0 && rows.every((r) => r.status !== 'claimed') && rows;
		}, { timeoutMs: 60_000 });
		assert.deepEqual(sends.map((s) => [s.offer_template_id, s.status]), [['price_drop', 'sent']]);
		const challenge = await store.db.query<{ n: number }>("SELECT COUNT(*) AS n FROM rule_firings WHERE rule_id = 'price_drop_bonus'").catch(() => [{ n: -1 }]);
		assert.ok(Number(challenge[0].n) >= 1, 'the price-drop rule fired (its 3x points today start with it)');

		const again = await vendors.sandbox.woo.redeliver(drop.deliveryId);
		const repeat = answerOf(again);
		assert.deepEqual(repeat.products.map((p) => [p.change, p.alerts]), [['repeat', 0]]);
		assert.equal((await sendsOf(ben)).length, 1);
		assert.deepEqual(await sendsOf('ana.browse@example.com').then((rows) => rows.map((r) => r.offer_template_id)), ['browse_reminder'], 'Ana looked at another product: no alert');
	});

	test('WooCommerce: the first report of a product nobody viewed is only its baseline', async () => {
		const before = vendors.sandbox.woo.deliveries.length;
		vendors.sandbox.woo.updateProduct(203, { regularPrice: '11.00' });
		const delivery = await eventually('answered', () => {
			const d = vendors.sandbox.woo.deliveries.slice(before).find((x) => x.topic === 'product.updated');
			return d && d.posts.length > 0 && d;
		}, { timeoutMs: 30_000 });
		const answered = answerOf(delivery.posts[0]);
		assert.deepEqual(answered.products.map((p) => [p.change, p.alerts]), [['baseline', 0]]);
	});

	test('Square: a lower catalog price and a return to stock each alert the customers who viewed the item', async () => {
		const cy = 'cy.square@example.com';
		const dee = 'dee.square@example.com';
		await member(cy, 'Cy');
		await member(dee, 'Dee');
		const sencha = { ProductID: squareVariation, ProductName: 'Sencha green tea', Categories: ['Tea'] };
		const viewed = await viewedInKlaviyo(cy, { ...sencha, Price: '12.00' });
		assert.equal(viewed.new, 1);

		vendors.sandbox.square.setVariationPrice(squareVariation, 900);
		const sends = await eventually('the price-drop alert is sent', async () => {
			const rows = await sendsOf(cy);
			return rows.length > 0 && rows.every((r) => r.status !== 'claimed') && rows;
		}, { timeoutMs: 60_000 });
		assert.deepEqual(sends.map((s) => s.offer_template_id), ['price_drop']);

		// Dee looks after the drop: she hears of the restock only.
		await viewedInKlaviyo(dee, { ...sencha, Price: '9.00' });
		vendors.sandbox.square.setInventoryCount(squareVariation, 0);
		await eventually('the sold-out count is answered', () => vendors.sandbox.square.notifications.filter((n) => n.type === 'inventory.count.updated' && n.posts.length > 0).length === 1, { timeoutMs: 30_000 });
		vendors.sandbox.square.setInventoryCount(squareVariation, 4);
		const restocked = await eventually('the back-in-stock alert is sent', async () => {
			const rows = await sendsOf(dee);
			return rows.length > 0 && rows.every((r) => r.status !== 'claimed') && rows;
		}, { timeoutMs: 60_000 });
		assert.deepEqual(restocked.map((s) => s.offer_template_id), ['back_in_stock']);
		// Cy's restock alert is recorded too, and held back by the 16 hours between emails (Klaviyo's Smart Sending).
		const cyAlerts = await store.db.query<{ type: string }>("SELECT type FROM events WHERE type IN ('price_dropped', 'back_in_stock') AND customer_id = (SELECT customer_id FROM customer_identities WHERE kind = 'email' AND value = $1) ORDER BY occurred_at", [cy]);
		assert.deepEqual(cyAlerts.map((e) => e.type), ['price_dropped', 'back_in_stock']);
		assert.deepEqual((await sendsOf(cy)).map((s) => s.offer_template_id), ['price_drop']);
		vendors.sandbox.assertNoViolations();
	});
});
