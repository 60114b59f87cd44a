import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { NodeHelpers, type INodeProperties, type INodeTypeDescription } from 'n8n-workflow';

import { operations } from '../../../nodes/AwardPoints/actions/router';
import { AwardPoints } from '../../../nodes/AwardPoints/AwardPoints.node';
import { LoyaltyTrigger } from '../../../nodes/LoyaltyTrigger/LoyaltyTrigger.node';
import { loadRegisteredCredentials } from '../../support/registeredNodes';

const root = join(__dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { n8n: { nodes: string[]; credentials: string[] } };
const credentialTypes = loadRegisteredCredentials();
const trigger = new LoyaltyTrigger();
const award = new AwardPoints();

function optionValues(property: INodeProperties): string[] {
	return (property.options ?? []).map((option) => String((option as { value: unknown }).value));
}

describe('package registration', () => {
	test('package.json lists every node and credential by its dist path, and nothing else', () => {
		const nodeSources = readdirSync(join(root, 'nodes'))
			.filter((dir) => existsSync(join(root, 'nodes', dir, `${dir}.node.ts`)))
			.map((dir) => `dist/nodes/${dir}/${dir}.node.js`);
		assert.deepEqual([...pkg.n8n.nodes].sort(), nodeSources.sort());
		const credentialSources = readdirSync(join(root, 'credentials'))
			.filter((file) => file.endsWith('.credentials.ts'))
			.map((file) => `dist/credentials/${file.replace(/\.ts$/, '.js')}`);
		assert.deepEqual([...pkg.n8n.credentials].sort(), credentialSources.sort());
	});

	test('credential names are prefixed, never the built-in wooCommerceApi / squareApi', () => {
		for (const credential of credentialTypes) assert.match(credential.name, /^loyalty[A-Z]\w*Api$/);
		assert.ok(credentialTypes.some((c) => c.name === 'loyaltyWooCommerceApi') && credentialTypes.some((c) => c.name === 'loyaltySquareApi'));
	});
});

// Conventions every node and credential shares (icons, codex, credentials, names) are checked over all of them in nodeConventions.test.ts.

describe('Loyalty Trigger', () => {
	const description: INodeTypeDescription = trigger.description;

	test('names, group and webhook', () => {
		assert.equal(description.name, 'loyaltyTrigger');
		assert.equal(description.displayName, 'Loyalty Trigger');
		assert.ok(String(description.subtitle).includes('$parameter["source"]'), 'the subtitle shows where deliveries come from');
		assert.deepEqual(description.group, ['trigger']);
		assert.deepEqual(description.inputs, []);
		assert.deepEqual(description.webhooks, [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' }]);
	});

	test('the webhook lifecycle is complete', () => {
		for (const method of ['checkExists', 'create', 'delete'] as const) {
			assert.equal(typeof trigger.webhookMethods.default[method], 'function', method);
		}
		assert.equal(typeof trigger.webhook, 'function');
	});

	test('the URL is /webhook/<webhookId>/webhook', () => {
		const path = NodeHelpers.getNodeWebhookPath('wf', { webhookId: 'abc', name: 'Loyalty Trigger' } as never, 'webhook');
		assert.equal(path, 'abc/webhook');
	});

	test('each vendor credential shows only for its source, and every source can be picked', () => {
		const bySource = (source: string) =>
			(description.credentials ?? []).filter((c) => NodeHelpers.displayParameter({ source }, c, null, description)).map((c) => c.name);
		assert.deepEqual(bySource('woocommerce'), ['loyaltyStoreApi', 'loyaltyWooCommerceApi']);
		assert.deepEqual(bySource('square'), ['loyaltyStoreApi', 'loyaltySquareApi']);
		assert.deepEqual(bySource('twilio'), ['loyaltyStoreApi', 'loyaltyTwilioApi']);
		for (const source of ['generic', 'cartflows', 'klaviyo']) assert.deepEqual(bySource(source), ['loyaltyStoreApi', 'loyaltyGenericWebhookApi'], source);
		const sourceField = description.properties.find((p) => p.name === 'source');
		assert.deepEqual(optionValues(sourceField!).sort(), ['cartflows', 'generic', 'klaviyo', 'square', 'twilio', 'woocommerce']);
	});

	test('each credential field says what it is for; the store reads as optional', () => {
		const labels = (description.credentials ?? []).map((c) => c.displayName);
		assert.equal(new Set(labels).size, labels.length, 'no two credential fields share a label');
		for (const label of labels) assert.ok(label && label !== 'Credential', String(label));
		assert.match(String(description.credentials?.[0].displayName), /Optional/);
	});

	test('the subtitle shows the source by the name the panel gives it', () => {
		const subtitle = String(description.subtitle);
		assert.ok(subtitle.includes('"woocommerce":"WooCommerce"'), subtitle);
		assert.ok(subtitle.includes('"cartflows":"WooCommerce Carts (CartFlows Abandonment Plugin)"'), subtitle);
	});

	test('defaults resolve like n8n resolves them', () => {
		const values = NodeHelpers.getNodeParameters(description.properties, {}, true, false, { typeVersion: 1 }, description);
		assert.equal(values?.source, 'woocommerce');
		assert.deepEqual(values?.wooCommerceEvents, ['order.created', 'order.updated']);
	});
});

describe('Award Points', () => {
	const description: INodeTypeDescription = award.description;

	test('names', () => {
		assert.equal(description.name, 'awardPoints');
		assert.equal(description.displayName, 'Award Points');
		assert.equal(description.subtitle, '={{$parameter["operation"] + ": " + $parameter["resource"]}}');
	});

	test('every operation offered has an execute, and every execute is offered', () => {
		const offered: Record<string, string[]> = {};
		for (const property of description.properties.filter((p) => p.name === 'operation')) {
			const resource = (property.displayOptions?.show?.resource as string[])[0];
			offered[resource] = optionValues(property).sort();
		}
		const implemented = Object.fromEntries(
			Object.entries(operations).map(([resource, byOperation]) => [resource, Object.keys(byOperation).sort()]),
		);
		assert.deepEqual(offered, implemented);
		for (const byOperation of Object.values(operations)) {
			for (const module of Object.values(byOperation)) assert.equal(typeof module.execute, 'function');
		}
	});

	test('Apply Event is the default operation', () => {
		const values = NodeHelpers.getNodeParameters(description.properties, {}, true, false, { typeVersion: 1 }, description);
		assert.equal(values?.resource, 'points');
		assert.equal(values?.operation, 'applyEvent');
		assert.equal(values?.event, '={{ $json }}');
	});

	test('every operation resolves its parameters; redeem and adjust default their key to the input id', () => {
		for (const [resource, byOperation] of Object.entries(operations)) {
			for (const operation of Object.keys(byOperation)) {
				const values = NodeHelpers.getNodeParameters(description.properties, { resource, operation }, true, false, { typeVersion: 1 }, description);
				assert.ok(values, `${resource}/${operation}`);
				assert.equal(values.programId, 'default', `${resource}/${operation}: every operation works for a program, "default" unless chosen`);
				if (operation === 'redeem' || operation === 'adjust') assert.equal(values.idempotencyKey, '={{ $json.id }}');
				if (operation === 'earnForOrder' || operation === 'reverseForRefund') assert.equal(values.idempotencyKey, '');
			}
		}
	});
});
