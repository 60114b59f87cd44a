/**
 * The owner's window in a real n8n: the Dashboard template beside Points on purchase. Orders come
 * in through the shop's signed webhooks; the page, opened in headless Chromium with the token,
 * shows the store's own figures, starts no workflow run, and refuses a wrong token.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { openStore, type Store } from '../../engine';
import { DASHBOARD_CSP } from '../../nodes/LoyaltyDashboard/access';
import { PROJECT_ROOT, ensureN8nInstalled, executionsOf, importCredentials, makeUserFolder, normaliseWorkflow, waitForExecutions, type WorkflowJson } from './support/n8n';
import { startPointsOnPurchase, type PointsOnPurchaseEnv } from './support/pointsOnPurchase';
import { post, signedWooDelivery, wooOrderPayload } from './support/webhooks';
import { notRun } from '../support/notRun';
import { eventually } from '../support/eventually';

const CHROMIUM = process.env.LOYALTY_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/**
 * This suite's own pictures of its three-order page, for a look when it fails; they stay in a temp
 * folder. The pictures in docs/ are of the demo's day (`LOYALTY_SCREENSHOTS=1 npm run demo -- --exit`).
 */
const SCREENSHOTS = mkdtempSync(join(tmpdir(), 'loyalty-dashboard-shots-'));

const noChromium = existsSync(CHROMIUM) ? undefined : notRun('end-to-end Loyalty Dashboard page (headless Chromium)', `no Chromium at ${CHROMIUM}`, 'install Debian\'s chromium package, or set LOYALTY_CHROMIUM to a Chromium binary');

describe('the Loyalty Dashboard in a real n8n', { timeout: 20 * 60_000, skip: noChromium }, () => {
	const token = randomBytes(24).toString('hex');
	let env: PointsOnPurchaseEnv;
	let userFolder: string;
	let store: Store;
	let browser: Browser;
	let pageUrl: string;
	let dashboardId: string;

	before(async () => {
		const log = (line: string) => console.log(`# ${line}`);
		userFolder = await makeUserFolder('loyalty-e2e-dashboard-');
		const install = await ensureN8nInstalled({ log });
		const credentials = await importCredentials(userFolder, [{ name: 'Loyalty dashboard access', type: 'loyaltyDashboardApi', data: { token } }], { install });
		const template = JSON.parse(readFileSync(join(PROJECT_ROOT, 'workflows', 'dashboard.json'), 'utf8')) as WorkflowJson;
		const dashboard = normaliseWorkflow(template, { credentials });
		dashboardId = dashboard.id!;
		env = await startPointsOnPurchase({ log, userFolder, extraWorkflows: [dashboard] });
		const node = dashboard.nodes.find((n) => n.type === 'n8n-nodes-loyalty.loyaltyDashboard')!;
		pageUrl = `${env.n8n.baseUrl}/webhook/${node.webhookId}/dashboard`;
		await env.n8n.waitForWebhook(pageUrl, { method: 'GET', timeoutMs: 60_000 });
		store = await openStore(env.storeConfig);
		browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, chromiumSandbox: false, args: CHROMIUM_FLAGS });
	});

	after(async () => {
		await browser?.close();
		await store?.close();
		await env?.stop();
		if (userFolder && !process.env.LOYALTY_E2E_KEEP) await rm(userFolder, { recursive: true, force: true });
	});

	test('before any order, the page says there is no data yet', async () => {
		const answer = await fetch(`${pageUrl}?token=${token}`);
		assert.equal(answer.status, 200);
		assert.match(await answer.text(), /No data yet — here is how to connect your shop/);
	});

	test('after a few orders, the page shows the store’s outstanding points, and no view starts a run', async () => {
		const orders = [
			{ id: 5001, total: '42.50', email: 'ana@example.com' },
			{ id: 5002, total: '19.99', email: 'ben@example.com' },
			{ id: 5003, total: '120.00', email: 'ana@example.com' },
		];
		// Paid a minute ago, so they fall in this week's row of the reconciliation.
		const datePaidGmt = new Date(Date.now() - 60_000).toISOString().slice(0, 19);
		for (const order of orders) {
			const answer = await post(env.wooUrl, signedWooDelivery('order.created', wooOrderPayload({ ...order, status: 'processing', datePaidGmt }), env.wooSecret));
			assert.equal(answer.status, 200, answer.body);
		}
		const runs = await waitForExecutions(userFolder, env.workflowId, 1, 90_000);
		assert.ok(runs.length >= 1);
		// Every order credited (the trigger may batch them into one run): wait on the ledger itself.
		const creditedOrders = async () => Number((await store.db.query<{ n: number }>(`SELECT COUNT(DISTINCT order_id) AS n FROM ledger_entries WHERE kind IN ('earn', 'pending')`))[0]?.n);
		await eventually(`all ${orders.length} orders to be credited`, async () => (await creditedOrders()) === orders.length, {
			timeoutMs: 90_000,
			intervalMs: 250,
			detail: async () => `${await creditedOrders()} credited`,
		});
		const [sums] = await store.db.query<{ available: number; pending: number }>(`SELECT SUM(available) AS available, SUM(pending) AS pending FROM loyalty_accounts WHERE program_id = 'default'`);
		const outstanding = Number(sums.available) + Number(sums.pending);
		assert.equal(outstanding, 42 + 19 + 120, 'the three orders earned 1 point per whole dollar');

		const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, colorScheme: 'light', locale: 'en-US', timezoneId: 'UTC' });
		try {
			const response = await page.goto(`${pageUrl}?token=${token}`);
			assert.equal(response?.status(), 200);
			assert.equal(response?.headers()['content-security-policy'], DASHBOARD_CSP);
			assert.equal(await page.textContent('[data-figure="outstanding-points"]'), String(outstanding));
			assert.equal(await page.textContent('[data-figure="members"]'), '2');
			assert.equal(await page.textContent('[data-figure="liability"]'), `$${(outstanding / 100).toFixed(2)}`);
			assert.equal(await page.locator('svg').count() > 0, true, 'charts are drawn as inline SVG');
			// This week's reconciliation: three orders seen, three earned points.
			assert.deepEqual(await page.locator('[data-figure="reconciliation"] tbody tr').last().locator('td').allTextContents().then((cells) => cells.slice(1, 4)), ['3', '3', '3']);
			assert.equal(await page.locator('script').count(), 0);
			await mkdir(SCREENSHOTS, { recursive: true });
			await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-page.png'), fullPage: true });
		} finally {
			await page.close();
		}
		const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, colorScheme: 'dark', locale: 'en-US', timezoneId: 'UTC' });
		try {
			await phone.goto(`${pageUrl}?token=${token}`);
			const overflow = Number(await phone.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
			assert.ok(overflow <= 0, `the page fits a phone's width (overflows by ${overflow}px)`);
			await phone.screenshot({ path: join(SCREENSHOTS, 'dashboard-page-phone-dark.png'), fullPage: false });
		} finally {
			await phone.close();
		}
		assert.deepEqual(executionsOf(userFolder, dashboardId), [], 'viewing the dashboard started no execution');
	});

	test('a wrong or missing token gets 401 and no figures', async () => {
		const page = await browser.newPage();
		try {
			const wrong = await page.goto(`${pageUrl}?token=${token.slice(0, -2)}xx`);
			assert.equal(wrong?.status(), 401);
			assert.equal(await page.locator('[data-figure]').count(), 0);
		} finally {
			await page.close();
		}
		const missing = await fetch(pageUrl);
		assert.equal(missing.status, 401);
		assert.doesNotMatch(await missing.text(), /data-figure/);
		const bearer = await fetch(pageUrl, { headers: { authorization: `Bearer ${token}` } });
		assert.equal(bearer.status, 200);
	});
});

