import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { ICredentialTestFunctions, IHttpRequestOptions } from 'n8n-workflow';

import { closeSharedStores, defaultSqlitePath } from '../../../engine';
import { toN8nRequest } from '../../../nodes/shared/http';
import { storeConfigFromCredentials, testGenericWebhookCredential, testStoreCredential } from '../../../nodes/shared/store';

const dir = mkdtempSync(join(tmpdir(), 'loyalty-shared-'));
after(async () => {
	await closeSharedStores();
	rmSync(dir, { recursive: true, force: true });
});
const testFunctions = {} as ICredentialTestFunctions;

describe('Loyalty Store credential', () => {
	test('embedded without a path uses the default file under the n8n user folder', () => {
		assert.deepEqual(storeConfigFromCredentials({ storage: 'embedded', sqlitePath: '' }), { kind: 'sqlite', path: defaultSqlitePath() });
	});

	test('PostgreSQL settings map to a postgres config', () => {
		assert.deepEqual(storeConfigFromCredentials({ storage: 'postgres', host: 'db', port: 5433, database: 'shop', user: 'n8n', password: 'pw', ssl: true }), {
			kind: 'postgres',
			host: 'db',
			port: 5433,
			database: 'shop',
			user: 'n8n',
			password: 'pw',
			ssl: true,
		});
	});

	test('the node-side credential test opens and pings the store', async () => {
		const ok = await testStoreCredential.call(testFunctions, { id: '1', name: 'store', type: 'loyaltyStoreApi', data: { storage: 'embedded', sqlitePath: join(dir, 'ok.sqlite') } });
		assert.deepEqual(ok, { status: 'OK', message: 'Connection successful' });
		const bad = await testStoreCredential.call(testFunctions, { id: '2', name: 'store', type: 'loyaltyStoreApi', data: { storage: 'embedded', sqlitePath: join(dir, 'ok.sqlite', 'under-a-file.sqlite') } });
		assert.equal(bad.status, 'Error');
		assert.match(bad.message, /^Could not open the loyalty store/);
	});

	test('the generic secret test insists on a long secret', async () => {
		const short = await testGenericWebhookCredential.call(testFunctions, { id: '1', name: 'g', type: 'loyaltyGenericWebhookApi', data: { secret: 'short' } });
		assert.equal(short.status, 'Error');
		const long = await testGenericWebhookCredential.call(testFunctions, { id: '1', name: 'g', type: 'loyaltyGenericWebhookApi', data: { secret: 'x'.repeat(32) } });
		assert.equal(long.status, 'OK');
	});
});

describe('HttpFunction adapter over n8n request helpers', () => {
	test('JSON body, query without undefined values, every status resolves', () => {
		const options: IHttpRequestOptions = toN8nRequest({ method: 'POST', url: 'https://api.example.com/v2/x', headers: { A: '1' }, query: { a: 1, b: undefined }, json: { k: 'v' } });
		assert.deepEqual(options, {
			method: 'POST',
			url: 'https://api.example.com/v2/x',
			headers: { A: '1' },
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			json: true,
			qs: { a: 1 },
			body: { k: 'v' },
		});
	});

	test('a form body is sent as URLSearchParams', () => {
		const options = toN8nRequest({ method: 'POST', url: 'https://api.example.com/form', form: { To: '+1', Body: 'hi' } });
		assert.ok(options.body instanceof URLSearchParams);
		assert.equal(String(options.body), 'To=%2B1&Body=hi');
	});
});
