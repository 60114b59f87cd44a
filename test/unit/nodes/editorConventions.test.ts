/**
 * What n8n's editor makes of the node descriptions: the checks here follow the editor's own rules
 * (which parameter it hides as an "authentication" switch, when it adds "Custom API Call") and
 * n8n's conventions for names, subtitles and documentation links.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { NodeHelpers, type ICredentialType, type INodeProperties, type INodeType, type INodeTypeDescription } from 'n8n-workflow';

import { LoyaltyDashboardApi } from '../../../credentials/LoyaltyDashboardApi.credentials';
import { LoyaltyGenericWebhookApi } from '../../../credentials/LoyaltyGenericWebhookApi.credentials';
import { LoyaltyKlaviyoApi } from '../../../credentials/LoyaltyKlaviyoApi.credentials';
import { LoyaltySquareApi } from '../../../credentials/LoyaltySquareApi.credentials';
import { LoyaltyStoreApi } from '../../../credentials/LoyaltyStoreApi.credentials';
import { LoyaltyTwilioApi } from '../../../credentials/LoyaltyTwilioApi.credentials';
import { LoyaltyWooCommerceApi } from '../../../credentials/LoyaltyWooCommerceApi.credentials';
import { AwardPoints } from '../../../nodes/AwardPoints/AwardPoints.node';
import { EvaluateRules } from '../../../nodes/EvaluateRules/EvaluateRules.node';
import { LoyaltyDashboard } from '../../../nodes/LoyaltyDashboard/LoyaltyDashboard.node';
import { LoyaltyEventTrigger } from '../../../nodes/LoyaltyEventTrigger/LoyaltyEventTrigger.node';
import { LoyaltyScheduleTrigger } from '../../../nodes/LoyaltyScheduleTrigger/LoyaltyScheduleTrigger.node';
import { LoyaltyTrigger } from '../../../nodes/LoyaltyTrigger/LoyaltyTrigger.node';
import { SegmentCustomer } from '../../../nodes/SegmentCustomer/SegmentCustomer.node';
import { SendOffer } from '../../../nodes/SendOffer/SendOffer.node';
import { isTitleCase } from '../../../nodes/shared/labels';

const root = join(__dirname, '..', '..', '..');
const nodes: Array<[string, INodeType]> = [
	['AwardPoints', new AwardPoints()],
	['EvaluateRules', new EvaluateRules()],
	['LoyaltyDashboard', new LoyaltyDashboard()],
	['LoyaltyEventTrigger', new LoyaltyEventTrigger()],
	['LoyaltyScheduleTrigger', new LoyaltyScheduleTrigger()],
	['LoyaltyTrigger', new LoyaltyTrigger()],
	['SegmentCustomer', new SegmentCustomer()],
	['SendOffer', new SendOffer()],
];
const credentialTypes: ICredentialType[] = [
	new LoyaltyStoreApi(),
	new LoyaltyWooCommerceApi(),
	new LoyaltySquareApi(),
	new LoyaltyGenericWebhookApi(),
	new LoyaltyKlaviyoApi(),
	new LoyaltyTwilioApi(),
	new LoyaltyDashboardApi(),
];

/** Every parameter, with the ones nested in collections and fixed collections. */
function allProperties(properties: readonly INodeProperties[]): INodeProperties[] {
	return properties.flatMap((property) => {
		const nested = (property.options ?? []).flatMap((option) => {
			if ('values' in option) return allProperties(option.values);
			if ('type' in option) return allProperties([option as INodeProperties]);
			return [];
		});
		return [property, ...nested];
	});
}

function description(node: INodeType): INodeTypeDescription {
	return node.description as INodeTypeDescription;
}

describe('what the n8n editor makes of the nodes', () => {
	for (const [name, node] of nodes) {
		test(`${name}: no parameter is taken for an authentication switch`, () => {
			// The editor hides a parameter named in a credential's `show` condition when all its values
			// pick a credential (older editors: a boolean too), and lets the chosen credential set it.
			for (const credential of description(node).credentials ?? []) {
				assert.equal(credential.displayOptions?.show, undefined, `${credential.name} uses show: ${JSON.stringify(credential.displayOptions?.show)}`);
			}
		});

		test(`${name}: every credential field has its own label`, () => {
			const credentials = description(node).credentials ?? [];
			for (const credential of credentials) assert.ok(credential.displayName, credential.name);
			const store = credentials.find((c) => c.name === 'loyaltyStoreApi');
			if (store) {
				assert.equal(store.required, false);
				assert.match(String(store.displayName), /Optional/);
			}
		});

		test(`${name}: option names are Title Case`, () => {
			for (const property of allProperties(description(node).properties)) {
				if (property.type !== 'options' && property.type !== 'multiOptions') continue;
				for (const option of property.options ?? []) {
					const optionName = (option as { name: string }).name;
					assert.ok(isTitleCase(optionName), `${property.name}: "${optionName}"`);
				}
			}
		});

		test(`${name}: the Docs link opens the node's own page`, () => {
			const url = String(description(node).documentationUrl);
			const codex = JSON.parse(readFileSync(join(root, 'nodes', name, `${name}.node.json`), 'utf8')) as {
				resources: Record<string, Array<{ url: string }>>;
			};
			assert.equal(codex.resources.primaryDocumentation[0].url, url);
			assert.match(url, /\/blob\/main\/docs\/nodes\/[a-z-]+\.md$/);
			for (const resource of Object.values(codex.resources).flat()) {
				const path = resource.url.split('/blob/main/')[1].split('#')[0];
				assert.ok(existsSync(join(root, path)), resource.url);
			}
		});
	}

	test('no credential makes n8n add a "Custom API Call" operation', () => {
		// n8n adds it to the resource and operation of every node using a credential with an
		// `authenticate` block or an OAuth parent.
		for (const credential of credentialTypes) {
			assert.equal(credential.authenticate, undefined, credential.name);
			assert.ok(!(credential.extends ?? []).some((parent) => /oAuth/i.test(parent)), credential.name);
		}
	});

	test('nodes with a resource and an operation show both in their subtitle, as n8n\'s own do', () => {
		for (const [name, node] of nodes) {
			if (!description(node).properties.some((p) => p.name === 'operation')) continue;
			assert.equal(description(node).subtitle, '={{$parameter["operation"] + ": " + $parameter["resource"]}}', name);
		}
	});

	test('"Identify Customer By" is one block with one default wherever a customer is named', () => {
		const blocks = nodes.flatMap(([name, node]) =>
			allProperties(description(node).properties)
				// A node saved as version 1 keeps the default it was saved with.
				.filter((p) => p.name === 'identifyBy' && JSON.stringify(p.displayOptions?.show?.['@version']) !== '[1]')
				.map((p) => ({ name, default: p.default })),
		);
		assert.ok(blocks.length >= 4, JSON.stringify(blocks));
		assert.deepEqual(new Set(blocks.map((b) => b.default)), new Set(['email']), JSON.stringify(blocks));
	});

	test('a Segment Customer node saved as version 1 keeps Customer ID as its default', () => {
		const node = new SegmentCustomer().description;
		const resolve = (typeVersion: number) => NodeHelpers.getNodeParameters(node.properties, { resource: 'customer', operation: 'score' }, true, false, { typeVersion }, node);
		assert.deepEqual([resolve(1)?.identifyBy, resolve(1)?.customerValue], ['customerId', '={{ $json.customerId }}']);
		assert.deepEqual([resolve(1.1)?.identifyBy, resolve(1.1)?.customerValue], ['email', '']);
	});
});
