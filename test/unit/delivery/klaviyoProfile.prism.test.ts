import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { IDataObject, IHttpRequestOptions, INodeParameters } from 'n8n-workflow';

import { closeSharedStores, Ledger, openSharedStore } from '../../../engine';
import { SendOffer } from '../../../nodes/SendOffer/SendOffer.node';
import { specOrSkip, startPrism, type PrismServer } from '../../support/prism';
import { executeContext, type Credentials } from '../nodes/fakes';

/*
 * Send Offer → Update Klaviyo Profile, through n8n's request helper (here a plain fetch) to Prism
 * serving Klaviyo's profiles document, which validates the profile import it receives.
 */
const spec = specOrSkip('klaviyo-profiles.prism.json');
const node = new SendOffer();

describe('Send Offer: Update Klaviyo Profile against Prism', { skip: spec.skip }, () => {
	let prism: PrismServer;
	let dir: string;
	let credentials: Credentials;
	const sent: Array<{ url: string; body: IDataObject }> = [];

	before(async () => {
		prism = await startPrism({ spec: spec.path as string });
		dir = mkdtempSync(join(tmpdir(), 'loyalty-klaviyo-profile-'));
		credentials = { loyaltyStoreApi: { storage: 'embedded', sqlitePath: join(dir, 'loyalty.sqlite') }, loyaltyKlaviyoApi: { apiKey: 'pk_test_0123', revision: '2026-07-15', baseUrl: prism.baseUrl } };
	});
	after(async () => {
		await prism?.stop();
		await closeSharedStores();
		if (dir) rmSync(dir, { recursive: true, force: true });
	});

	function run(parameters: INodeParameters, continueOnFail = false) {
		const context = executeContext({ description: node.description, parameters, credentials, continueOnFail });
		const fetchAnswer = async (_type: string, options: IHttpRequestOptions) => {
			sent.push({ url: options.url, body: options.body as IDataObject });
			const response = await fetch(options.url, { method: options.method, headers: options.headers as Record<string, string>, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
			const text = await response.text();
			return { statusCode: response.status, body: text ? (JSON.parse(text) as unknown) : '', headers: Object.fromEntries(response.headers) };
		};
		Object.assign(context.helpers, { httpRequestWithAuthentication: fetchAnswer, httpRequest: (o: IHttpRequestOptions) => fetchAnswer('', o) });
		return node.execute.call(context);
	}

	test('the profile shows the current points and tier; Prism accepts the import', async () => {
		const store = await openSharedStore({ kind: 'sqlite', path: String(credentials.loyaltyStoreApi.sqlitePath) });
		const customer = await store.upsertCustomer({ identities: { email: 'vera@example.com' }, firstName: 'Vera' });
		await new Ledger(store).applyRuleReward({ customer: { customerId: customer.id }, points: 350, tier: 'Gold', idempotencyKey: 'rules:test:1', reason: 'test' });
		const [[item]] = await run({ resource: 'profile', operation: 'syncKlaviyo', identifyBy: 'customerId', customerValue: customer.id, nextBestAction: false });
		assert.equal(typeof item.json.klaviyoProfileId, 'string');
		const body = sent.at(-1)!.body as { data: { attributes: { email: string; external_id: string; properties: IDataObject } } };
		assert.ok(sent.at(-1)!.url.endsWith('/api/profile-import'));
		assert.equal(body.data.attributes.email, 'vera@example.com');
		assert.equal(body.data.attributes.external_id, customer.id);
		assert.deepEqual([body.data.attributes.properties.loyalty_points, body.data.attributes.properties.loyalty_tier, body.data.attributes.properties.loyalty_pending_points], [350, 'Gold', 0]);
	});

	test('an unknown customer is an error item naming the field; nothing is sent', async () => {
		const before = sent.length;
		const [[item]] = await run({ resource: 'profile', operation: 'syncKlaviyo', identifyBy: 'email', customerValue: 'nobody@example.com', nextBestAction: false }, true);
		assert.match(String(item.json.error), /nobody@example\.com/);
		assert.equal(sent.length, before);
	});
});
