import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { NodeHelpers, type INode, type INodeType } from 'n8n-workflow';

import { AwardPoints } from '../../../nodes/AwardPoints/AwardPoints.node';
import { LoyaltyTrigger } from '../../../nodes/LoyaltyTrigger/LoyaltyTrigger.node';

interface WorkflowFile {
	id: string;
	name: string;
	active: boolean;
	nodes: Array<INode & { webhookId?: string }>;
	connections: Record<string, { main: Array<Array<{ node: string; type: string; index: number }>> }>;
}

const workflow = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'workflows', 'points-on-purchase.json'), 'utf8')) as WorkflowFile;
const types: Record<string, INodeType> = {
	'n8n-nodes-loyalty.loyaltyTrigger': new LoyaltyTrigger(),
	'n8n-nodes-loyalty.awardPoints': new AwardPoints(),
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('workflows/points-on-purchase.json', () => {
	test('is an inactive workflow with a 16-character id and fixed UUID node ids', () => {
		assert.equal(workflow.active, false);
		assert.equal(workflow.id.length, 16);
		for (const node of workflow.nodes) assert.match(node.id, UUID, node.name);
		assert.equal(new Set(workflow.nodes.map((n) => n.name)).size, workflow.nodes.length);
	});

	test('has a sticky note for the owner, both triggers and Award Points (Apply Event)', () => {
		assert.ok(workflow.nodes.some((n) => n.type === 'n8n-nodes-base.stickyNote'));
		const triggers = workflow.nodes.filter((n) => n.type === 'n8n-nodes-loyalty.loyaltyTrigger');
		assert.deepEqual(triggers.map((n) => n.parameters.source).sort(), ['square', 'woocommerce']);
		for (const node of triggers) assert.match(String(node.webhookId), UUID);
		const award = workflow.nodes.find((n) => n.type === 'n8n-nodes-loyalty.awardPoints');
		assert.equal(award?.parameters.operation, 'applyEvent');
		for (const trigger of triggers) {
			assert.deepEqual(workflow.connections[trigger.name].main, [[{ node: award?.name, type: 'main', index: 0 }]]);
		}
	});

	test('loyalty nodes match their node types: version, credentials by name only, no parameter issues', () => {
		for (const node of workflow.nodes.filter((n) => n.type.startsWith('n8n-nodes-loyalty.'))) {
			const type = types[node.type];
			assert.ok(type, node.type);
			assert.equal(node.typeVersion, type.description.version);
			const allowed = new Set((type.description.credentials ?? []).map((c) => c.name));
			for (const [name, reference] of Object.entries(node.credentials ?? {})) {
				assert.ok(allowed.has(name), name);
				assert.deepEqual(Object.keys(reference), ['name']);
			}
			const issues = NodeHelpers.getNodeParametersIssues(type.description.properties, node, type.description);
			assert.equal(issues, null, `${node.name}: ${JSON.stringify(issues)}`);
			// Every parameter in the file is one the node knows (unknown ones would be dropped on import).
			const resolved = NodeHelpers.getNodeParameters(type.description.properties, node.parameters, true, false, node, type.description) ?? {};
			for (const [name, value] of Object.entries(node.parameters)) assert.deepEqual(resolved[name], value, `${node.name}.${name}`);
		}
	});
});
