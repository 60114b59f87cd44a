/**
 * A customer's data on request, in a real n8n (issue 15, part 5): Points on purchase takes a
 * signed WooCommerce order, then a "customer data requests" workflow — n8n's Webhook in front of
 * the Loyalty Customer Data node, as an owner would wire a form or a help-desk hook — exports
 * everything held about the customer and erases it. After the erasure no column of any table holds
 * the person's email or name (the schema is walked, so a future table is covered), the books still
 * balance, a second erase says it was done already, an unknown person is refused by name with
 * nothing written, and the person's next order does not bring them back.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { openStore, type Store } from '../../engine';
import { eventually } from '../support/eventually';
import { findPersonalValues } from '../support/schemaWalk';
import { freePort, freshN8nWithPackage, importCredentials, importWorkflows, normaliseWorkflow, publishWorkflow, startN8n, type RunningN8n, type WorkflowJson } from './support/n8n';
import { loadTemplate } from './support/templates';
import { startVendorMocks } from './support/vendorMocks';
import { post, signedWooDelivery, wooOrderPayload } from './support/webhooks';

const WOO_SECRET = 'e2e-privacy-woo-secret-0123456789abcdef';
const ADA = { email: 'ada.privacy@example.com', firstName: 'Adalind' };

/** Webhook → Loyalty Customer Data, answering with the node's output; errors become the item (Continue On Fail), as an owner sets it for a form. */
function requestWorkflow(name: string, path: string, operation: 'export' | 'erase'): WorkflowJson {
	return {
		name,
		nodes: [
			{ id: randomUUID(), name: 'Request', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: randomUUID(), parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', options: {} } },
			{
				id: randomUUID(),
				name: 'Loyalty Customer Data',
				type: 'n8n-nodes-loyalty.loyaltyCustomerData',
				typeVersion: 1,
				position: [240, 0],
				onError: 'continueRegularOutput',
				parameters: { operation, identifyBy: 'email', customerValue: '={{ $json.body.email }}', ...(operation === 'erase' ? { confirmErase: true } : {}) },
			},
		],
		connections: { Request: { main: [[{ node: 'Loyalty Customer Data', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

describe('a customer’s data on request in a real n8n', { timeout: 20 * 60_000 }, () => {
	const cleanups: Array<() => Promise<void>> = [];
	let n8n: RunningN8n;
	let store: Store;
	let wooUrl: string;
	let base: string;

	const ask = async (path: string, email: string) => {
		const answer = await fetch(`${base}/webhook/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }) });
		return { status: answer.status, json: (await answer.json()) as Record<string, unknown> };
	};
	/** The trigger's answer: it records (or refuses) the delivery's events before it answers. */
	const order = async (id: number, total: string): Promise<Record<string, unknown>> => {
		const payload = wooOrderPayload({ id, status: 'processing', total, email: ADA.email, firstName: ADA.firstName, datePaidGmt: new Date().toISOString().slice(0, 19) });
		const answer = await post(wooUrl, signedWooDelivery('order.created', payload, WOO_SECRET));
		assert.equal(answer.status, 200, answer.body);
		return JSON.parse(answer.body) as Record<string, unknown>;
	};
	const count = async (sql: string, params: unknown[] = []) => Number((await store.db.query<{ n: number }>(sql, params))[0].n);

	before(async () => {
		const log = (line: string) => console.log(`# ${line}`);
		const { install, userFolder } = await freshN8nWithPackage('loyalty-e2e-privacy-', log, cleanups);
		const vendors = await startVendorMocks();
		cleanups.push(() => vendors.stop());
		const credentials = await importCredentials(userFolder, vendors.credentials(WOO_SECRET));
		const points = loadTemplate('points-on-purchase.json');
		points.nodes = points.nodes.filter((node) => !(node.type === 'n8n-nodes-loyalty.loyaltyTrigger' && node.parameters.source === 'square'));
		const workflows = [points, requestWorkflow('Customer data: export', 'privacy-export', 'export'), requestWorkflow('Customer data: erase', 'privacy-erase', 'erase')].map((w) => normaliseWorkflow(w, { credentials }));
		await importWorkflows(userFolder, workflows);
		for (const workflow of workflows) await publishWorkflow(userFolder, workflow.id!);
		const port = await freePort();
		base = `http://127.0.0.1:${port}`;
		const wooTrigger = workflows[0].nodes.find((node) => node.type === 'n8n-nodes-loyalty.loyaltyTrigger')!;
		wooUrl = `${base}/webhook/${wooTrigger.webhookId}/webhook`;
		n8n = await startN8n({ userFolder, port, install, waitForWebhooks: [`${wooTrigger.webhookId}/webhook`, 'privacy-export', 'privacy-erase'], timeoutMs: 240_000 });
		cleanups.push(() => n8n.stop());
		store = await openStore({ kind: 'sqlite', path: join(userFolder, '.n8n', 'loyalty.sqlite') });
		cleanups.push(() => store.close());
	});

	after(async () => {
		for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
	});

	test('an order earns, and the export hands over the profile, identities and points', async () => {
		await order(9101, '20.00');
		await eventually('the order earned points', async () => (await count("SELECT COUNT(*) AS n FROM ledger_entries WHERE order_id = '9101'")) > 0, { timeoutMs: 90_000 });
		const { status, json } = await ask('privacy-export', ADA.email);
		assert.equal(status, 200, JSON.stringify(json));
		assert.equal(json.format, 'n8n-loyalty customer export', JSON.stringify(json).slice(0, 300));
		assert.match(JSON.stringify(json.customer), new RegExp(ADA.email.replace('.', '\\.')));
		const tables = json.tables as Record<string, Array<Record<string, unknown>>>;
		const earned = (tables.ledger_entries ?? []).reduce((sum, row) => sum + Number(row.available_delta ?? 0) + Number(row.pending_delta ?? 0), 0);
		assert.ok(earned > 0, `the export lists the earned points: ${JSON.stringify(tables.ledger_entries)}`);
		assert.equal(await count("SELECT COUNT(*) AS n FROM privacy_requests WHERE kind = 'export'"), 1, 'the request is logged');
	});

	test('erase: no column of any table keeps the email or name, and the books still balance', async () => {
		const { status, json } = await ask('privacy-erase', ADA.email);
		assert.equal(status, 200, JSON.stringify(json));
		assert.equal(json.erased, true, JSON.stringify(json));
		const left = await findPersonalValues(store, [ADA.email, ADA.firstName]);
		assert.deepEqual(left.hits, [], `personal values left in ${left.tables.length} tables`);
		const [books] = await store.db.query<{ ledger: number; balances: number }>(
			'SELECT (SELECT COALESCE(SUM(available_delta + pending_delta), 0) FROM ledger_entries) AS ledger, (SELECT COALESCE(SUM(available + pending), 0) FROM loyalty_accounts) AS balances',
		);
		assert.ok(Number(books.ledger) > 0, 'the points stay in the books');
		assert.equal(Number(books.ledger), Number(books.balances), 'ledger sum = balances after the erasure');
	});

	test('asked again, the erase says it was done; an unknown person is refused by name and nothing is written', async () => {
		const again = await ask('privacy-erase', ADA.email);
		assert.equal(again.json.status, 'already_erased', JSON.stringify(again.json));
		const requests = await count('SELECT COUNT(*) AS n FROM privacy_requests');
		const customers = await count('SELECT COUNT(*) AS n FROM customers');
		const unknown = await ask('privacy-erase', 'nobody-here@example.com');
		assert.match(String(unknown.json.error), /no such customer/i, JSON.stringify(unknown.json));
		assert.equal(await count('SELECT COUNT(*) AS n FROM privacy_requests'), requests, 'an unknown person logs no request');
		assert.equal(await count('SELECT COUNT(*) AS n FROM customers'), customers, 'and creates nobody');
	});

	test('the person’s next order does not bring them back without a new consent', async () => {
		const answer = await order(9102, '15.00');
		assert.match(String(answer.ignored), /not recorded: .*erased/i, `the trigger acknowledges the delivery and keeps nothing of it: ${JSON.stringify(answer)}`);
		assert.equal(await count("SELECT COUNT(*) AS n FROM events WHERE idempotency_key LIKE '%9102%'"), 0, 'no event recorded');
		const left = await findPersonalValues(store, [ADA.email, ADA.firstName]);
		assert.deepEqual(left.hits, [], 'the order did not recreate the person');
		assert.equal(await count("SELECT COUNT(*) AS n FROM ledger_entries WHERE order_id = '9102'"), 0, 'and earned no points for an erased person');
	});
});
