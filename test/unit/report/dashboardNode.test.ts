import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IWebhookFunctions } from 'n8n-workflow';
import { Ledger, closeSharedStores, openStore } from '../../../engine';
import { LoyaltyDashboard } from '../../../nodes/LoyaltyDashboard/LoyaltyDashboard.node';
import { DASHBOARD_CSP, checkAccess, presentedToken } from '../../../nodes/LoyaltyDashboard/access';
import { hookContext } from '../nodes/fakes';
import { paidOrder } from '../../support/fixtures';

const TOKEN = 'k3'.repeat(20);

interface Answer {
	status?: number;
	headers: Record<string, string>;
	body?: string;
}

/** A page view: the fake n8n webhook context, with the express-like response the node writes to. */
function view(sqlitePath: string, request: { headers?: Record<string, string>; query?: Record<string, string> }, token: string = TOKEN) {
	const { context: hook } = hookContext({
		description: new LoyaltyDashboard().description,
		parameters: { programId: 'shop', currency: 'USD', timeZone: 'UTC' },
		credentials: { loyaltyDashboardApi: { token }, loyaltyStoreApi: { storage: 'sqlite', sqlitePath } },
	});
	const answer: Answer = { headers: {} };
	const res = {
		status(code: number) {
			answer.status = code;
			return res;
		},
		setHeader(name: string, value: string) {
			answer.headers[name.toLowerCase()] = value;
			return res;
		},
		send(body: string) {
			answer.body = body;
			return res;
		},
	};
	const context = { ...hook, getResponseObject: () => res, getHeaderData: () => request.headers ?? {}, getQueryData: () => request.query ?? {}, getRequestObject: () => ({ headers: request.headers ?? {}, query: request.query ?? {} }) };
	return { context: context as unknown as IWebhookFunctions, answer };
}

describe('Loyalty Dashboard node', () => {
	let dir: string;
	let full: string;
	let empty: string;
	before(async () => {
		dir = mkdtempSync(join(tmpdir(), 'loyalty-dashboard-'));
		full = join(dir, 'full.sqlite');
		empty = join(dir, 'empty.sqlite');
		const store = await openStore({ kind: 'sqlite', path: full });
		await new Ledger(store, { id: 'shop' }).earnForOrder(paidOrder('ana@example.com', 12_345));
		await store.close();
	});
	after(async () => {
		await closeSharedStores();
		rmSync(dir, { recursive: true, force: true });
	});

	test('without a token: 401, no data, and no workflow run', async () => {
		const { context, answer } = view(full, {});
		const result = await new LoyaltyDashboard().webhook.call(context);
		assert.deepEqual(result, { noWebhookResponse: true });
		assert.equal(answer.status, 401);
		assert.doesNotMatch(answer.body ?? '', /outstanding|123/i);
		assert.equal(answer.headers['www-authenticate'], 'Bearer realm="loyalty dashboard"');
	});

	test('a wrong token, in the query or as a bearer header: 401', async () => {
		for (const request of [{ query: { token: TOKEN.slice(0, -1) + 'x' } }, { headers: { authorization: `Bearer ${TOKEN}x` } }, { query: { token: TOKEN.slice(0, 10) } }]) {
			const { context, answer } = view(full, request);
			await new LoyaltyDashboard().webhook.call(context);
			assert.equal(answer.status, 401, JSON.stringify(request));
			assert.doesNotMatch(answer.body ?? '', /data-figure/);
		}
	});

	test('the right token: 200, the page with the store’s figures, n8n’s sandbox CSP and no caching', async () => {
		for (const request of [{ query: { token: TOKEN } }, { headers: { authorization: `Bearer ${TOKEN}` } }]) {
			const { context, answer } = view(full, request);
			const result = await new LoyaltyDashboard().webhook.call(context);
			assert.deepEqual(result, { noWebhookResponse: true }, 'no workflowData: a view starts no execution');
			assert.equal(answer.status, 200);
			assert.equal(answer.headers['content-type'], 'text/html; charset=utf-8');
			assert.equal(answer.headers['content-security-policy'], DASHBOARD_CSP);
			assert.match(DASHBOARD_CSP, /^sandbox allow-downloads allow-forms allow-modals allow-orientation-lock allow-pointer-lock allow-popups /);
			assert.doesNotMatch(DASHBOARD_CSP, /allow-same-origin/);
			assert.equal(answer.headers['cache-control'], 'no-store');
			assert.match(answer.body ?? '', /data-figure="outstanding-points">123</);
			assert.match(answer.body ?? '', /data-figure="liability">\$1\.23</);
		}
	});

	test('an empty store shows how to connect the shop', async () => {
		const { context, answer } = view(empty, { query: { token: TOKEN } });
		await new LoyaltyDashboard().webhook.call(context);
		assert.equal(answer.status, 200);
		assert.match(answer.body ?? '', /No data yet — here is how to connect your shop/);
	});

	test('a configured token shorter than 32 characters opens nothing, even when presented', async () => {
		const { context, answer } = view(full, { query: { token: 'short-token' } }, 'short-token');
		await new LoyaltyDashboard().webhook.call(context);
		assert.equal(answer.status, 503);
		assert.doesNotMatch(answer.body ?? '', /data-figure/);
	});
});

describe('dashboard access', () => {
	test('the bearer header wins over the query; other schemes are ignored', () => {
		assert.equal(presentedToken({ authorization: 'Bearer abc' }, { token: 'def' }), 'abc');
		assert.equal(presentedToken({ authorization: 'Basic abc' }, { token: 'def' }), 'def');
		assert.equal(presentedToken({}, {}), undefined);
		assert.equal(presentedToken({}, { token: ['a', 'b'] }), undefined);
	});
	test('fails closed', () => {
		assert.deepEqual(checkAccess(TOKEN, TOKEN), { allowed: true });
		assert.equal(checkAccess(undefined, TOKEN).allowed, false);
		assert.equal(checkAccess('', '').allowed, false);
		assert.equal(checkAccess(TOKEN, TOKEN.toUpperCase()).allowed, false);
	});
});
