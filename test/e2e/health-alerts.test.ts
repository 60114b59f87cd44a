/**
 * The owner's health alerts in a real n8n: workflows/health-alerts.json beside Points on purchase.
 * WooCommerce orders come in through the shop's signed webhooks an hour apart; then n8n's clock
 * moves a day and a half on with nothing from WooCommerce. The schedule trigger's health check
 * notices the quiet source and n8n's own Send Email node mails the owner, naming the source,
 * through an SMTP stand-in (test/support/smtp.ts) that records the message. Later looks find the
 * same problem and send nothing more.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openStore, type Store } from '../../engine';
import { startSmtpStandIn, type SmtpStandIn } from '../support/smtp';
import { MovableClock } from './support/movableClock';
import { executionsOf, freePort, freshN8nWithPackage, importCredentials, importWorkflows, normaliseWorkflow, publishWorkflow, startN8n, type RunningN8n, type WorkflowJson } from './support/n8n';
import { loadTemplate } from './support/templates';
import { startVendorMocks } from './support/vendorMocks';
import { post, signedWooDelivery, wooOrderPayload } from './support/webhooks';

const WOO_SECRET = 'e2e-health-woo-secret-0123456789abcdef';
const OWNER = 'owner@corner-cup.example';
/** A Wednesday morning, so the orders and the silence fall in one week. */
const T0 = new Date('2026-06-03T08:00:00Z');
const HOUR_MS = 3_600_000;
const LOOK_LINE = /Loyalty Schedule Trigger looked for due events/g;

describe('health alerts by email in a real n8n', { timeout: 20 * 60_000 }, () => {
	const cleanups: Array<() => Promise<void>> = [];
	let n8n: RunningN8n;
	let smtp: SmtpStandIn;
	let clock: MovableClock;
	let store: Store;
	let wooUrl: string;
	let healthWorkflowId: string;

	before(async () => {
		const log = (line: string) => console.log(`# ${line}`);
		const { install, userFolder } = await freshN8nWithPackage('loyalty-e2e-health-', log, cleanups);
		const vendors = await startVendorMocks();
		cleanups.push(() => vendors.stop());
		smtp = await startSmtpStandIn();
		cleanups.push(() => smtp.stop());
		const credentials = await importCredentials(userFolder, [
			...vendors.credentials(WOO_SECRET),
			{ name: 'SMTP account', type: 'smtp', data: { user: 'shop', password: 'smtp-password', host: smtp.host, port: smtp.port, secure: false, disableStartTls: true } },
		]);

		const points = loadTemplate('points-on-purchase.json');
		// A WooCommerce-only shop deletes the Square trigger, as the sticky note says.
		points.nodes = points.nodes.filter((node) => !(node.type === 'n8n-nodes-loyalty.loyaltyTrigger' && node.parameters.source === 'square'));
		const health = loadTemplate('health-alerts.json');
		for (const node of health.nodes) {
			// What an owner changes: their own address, and (for the test) a look every 2 seconds.
			if (node.type === 'n8n-nodes-base.emailSend') node.parameters = { ...node.parameters, toEmail: OWNER };
			if (node.type === 'n8n-nodes-loyalty.loyaltyScheduleTrigger') node.parameters = { ...node.parameters, checkEvery: 2, checkEveryUnit: 'seconds' };
		}
		const workflows: WorkflowJson[] = [normaliseWorkflow(points, { credentials }), normaliseWorkflow(health, { credentials })];
		healthWorkflowId = workflows[1].id!;
		await importWorkflows(userFolder, workflows);
		for (const workflow of workflows) await publishWorkflow(userFolder, workflow.id!);

		const port = await freePort();
		const wooTrigger = workflows[0].nodes.find((node) => node.type === 'n8n-nodes-loyalty.loyaltyTrigger' && node.parameters.source === 'woocommerce')!;
		wooUrl = `http://127.0.0.1:${port}/webhook/${wooTrigger.webhookId}/webhook`;
		clock = MovableClock.inFolder(userFolder);
		clock.set(T0);
		// Debug logs: the trigger says after every look that it looked, which is how the test knows a poll happened.
		n8n = await startN8n({ userFolder, port, install, env: { ...clock.env, N8N_LOG_LEVEL: 'debug' }, waitForWebhooks: [`${wooTrigger.webhookId}/webhook`], timeoutMs: 240_000 });
		cleanups.push(() => n8n.stop());
		store = await openStore({ kind: 'sqlite', path: join(userFolder, '.n8n', 'loyalty.sqlite') });
		cleanups.push(() => store.close());
	});

	after(async () => {
		for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
	});

	/** Resolves once the schedule trigger has looked `count` more times than when called. */
	const looks = async (count: number, timeoutMs = 60_000) => {
		const start = (n8n.log().match(LOOK_LINE) ?? []).length;
		const deadline = Date.now() + timeoutMs;
		while ((n8n.log().match(LOOK_LINE) ?? []).length < start + count) {
			if (Date.now() > deadline) throw new Error(`the schedule trigger did not look ${count} times within ${timeoutMs} ms`);
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
	};

	test('while WooCommerce sends its orders, the owner gets no email', async () => {
		for (let i = 0; i < 4; i++) {
			if (i > 0) clock.advance(HOUR_MS);
			const payload = wooOrderPayload({ id: 7001 + i, status: 'processing', total: '12.50', email: `guest${i}@example.com`, datePaidGmt: clock.now().toISOString().slice(0, 19) });
			const answer = await post(wooUrl, signedWooDelivery('order.created', payload, WOO_SECRET));
			assert.equal(answer.status, 200, answer.body);
		}
		const deadline = Date.now() + 90_000;
		while (Number((await store.db.query<{ n: number }>("SELECT COUNT(*) AS n FROM ledger_entries WHERE kind IN ('earn', 'pending')"))[0].n) < 4) {
			assert.ok(Date.now() < deadline, 'the four orders earned points');
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
		await looks(2);
		assert.deepEqual(smtp.messages, [], 'no alert while the source sends as usual');
	});

	test('a day and a half without an event from WooCommerce: one email names the source', async () => {
		clock.advance(36 * HOUR_MS);
		const mail = await smtp.waitFor((m) => m.to.includes(OWNER), 90_000);
		assert.match(mail.subject, /No events from woocommerce lately/);
		assert.match(mail.text, /No event from woocommerce for \d+ hours; it usually sends one every 1 hour\./);
		assert.match(mail.text, /Check the shop's webhook/);
	});

	test('later looks see the same quiet source and send nothing more', async () => {
		await looks(3);
		clock.advance(HOUR_MS);
		await looks(3);
		assert.equal(smtp.messages.length, 1, smtp.messages.map((m) => m.subject).join(' | '));
		assert.equal(executionsOf(n8n.userFolder, healthWorkflowId).length, 1, 'one run of the alert workflow');
	});
});
