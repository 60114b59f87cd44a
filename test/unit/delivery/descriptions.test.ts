import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { LoyaltyKlaviyoApi } from '../../../credentials/LoyaltyKlaviyoApi.credentials';
import { LoyaltyTwilioApi } from '../../../credentials/LoyaltyTwilioApi.credentials';
import { LoyaltyTrigger } from '../../../nodes/LoyaltyTrigger/LoyaltyTrigger.node';
import { operations } from '../../../nodes/SendOffer/actions/router';
import { SendOffer } from '../../../nodes/SendOffer/SendOffer.node';

const root = join(__dirname, '..', '..', '..');
const node = new SendOffer();
const credentials = [new LoyaltyKlaviyoApi(), new LoyaltyTwilioApi()];

function iconFiles(icon: unknown, dir: string): string[] {
	return Object.values(icon as Record<string, string>).map((path) => join(dir, path.replace(/^file:/, '')));
}

describe('Send Offer and its credentials, as n8n sees them', () => {
	test('credentials are prefixed, have two existing icons and an HTTP test request', () => {
		assert.deepEqual(credentials.map((c) => c.name), ['loyaltyKlaviyoApi', 'loyaltyTwilioApi']);
		for (const credential of credentials) {
			const files = iconFiles(credential.icon, join(root, 'credentials'));
			assert.equal(new Set(files).size, 2, credential.name);
			for (const file of files) assert.ok(existsSync(file), file);
			assert.ok(credential.test?.request.url, `${credential.name} has a test request`);
		}
	});

	test('the node is sendOffer, with two existing icons and a codex file', () => {
		assert.equal(node.description.name, 'sendOffer');
		const files = iconFiles(node.description.icon, join(root, 'nodes', 'SendOffer'));
		assert.equal(new Set(files).size, 2);
		for (const file of files) assert.ok(existsSync(file), file);
		assert.ok(existsSync(join(root, 'nodes', 'SendOffer', 'SendOffer.node.json')));
	});

	test('every credential the node or the trigger names exists here or in the foundation, and the store stays optional', () => {
		const mine = new Set(credentials.map((c) => c.name));
		const foundation = new Set(['loyaltyStoreApi', 'loyaltyWooCommerceApi', 'loyaltySquareApi', 'loyaltyGenericWebhookApi']);
		for (const d of [node.description, new LoyaltyTrigger().description]) {
			for (const credential of d.credentials ?? []) assert.ok(mine.has(credential.name) || foundation.has(credential.name), credential.name);
		}
		assert.equal(node.description.credentials?.find((c) => c.name === 'loyaltyStoreApi')?.required, false);
	});

	test('every operation offered is routed', () => {
		const operationProperty = node.description.properties.find((p) => p.name === 'operation');
		const offered = (operationProperty?.options ?? []).map((o) => (o as { value: string }).value);
		assert.deepEqual([...offered].sort(), Object.keys(operations.offer).sort());
	});

	test('the trigger offers Twilio as a source', () => {
		const source = new LoyaltyTrigger().description.properties.find((p) => p.name === 'source');
		assert.ok((source?.options ?? []).some((o) => (o as { value: string }).value === 'twilio'));
	});
});
