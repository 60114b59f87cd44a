import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { NodeHelpers, type INode, type INodeType } from 'n8n-workflow';

import { AwardPoints } from '../../../nodes/AwardPoints/AwardPoints.node';
import { EvaluateRules } from '../../../nodes/EvaluateRules/EvaluateRules.node';
import { LoyaltyDashboard } from '../../../nodes/LoyaltyDashboard/LoyaltyDashboard.node';
import { LoyaltyEventTrigger } from '../../../nodes/LoyaltyEventTrigger/LoyaltyEventTrigger.node';
import { LoyaltyScheduleTrigger } from '../../../nodes/LoyaltyScheduleTrigger/LoyaltyScheduleTrigger.node';
import { LoyaltyTrigger } from '../../../nodes/LoyaltyTrigger/LoyaltyTrigger.node';
import { SegmentCustomer } from '../../../nodes/SegmentCustomer/SegmentCustomer.node';
import { SendOffer } from '../../../nodes/SendOffer/SendOffer.node';

interface WorkflowFile {
	id: string;
	name: string;
	active: boolean;
	nodes: Array<INode & { webhookId?: string }>;
	connections: Record<string, { main: Array<Array<{ node: string; type: string; index: number }>> }>;
}

const FOLDER = join(__dirname, '..', '..', '..', 'workflows');
const FILES = readdirSync(FOLDER).filter((f) => f.endsWith('.json')).sort();
const load = (file: string) => JSON.parse(readFileSync(join(FOLDER, file), 'utf8')) as WorkflowFile;

const OURS: Record<string, INodeType> = {
	'n8n-nodes-loyalty.loyaltyTrigger': new LoyaltyTrigger(),
	'n8n-nodes-loyalty.loyaltyScheduleTrigger': new LoyaltyScheduleTrigger(),
	'n8n-nodes-loyalty.loyaltyEventTrigger': new LoyaltyEventTrigger(),
	'n8n-nodes-loyalty.awardPoints': new AwardPoints(),
	'n8n-nodes-loyalty.evaluateRules': new EvaluateRules(),
	'n8n-nodes-loyalty.segmentCustomer': new SegmentCustomer(),
	'n8n-nodes-loyalty.sendOffer': new SendOffer(),
	'n8n-nodes-loyalty.loyaltyDashboard': new LoyaltyDashboard(),
};
/**
 * n8n's own nodes the templates use, with the versions written; n8n-nodes-base is not a dependency
 * of this package, so their parameters are proven by importing and running the templates in the
 * real n8n (test/e2e/templates.test.ts).
 */
const N8N_BASE: Record<string, number[]> = { 'n8n-nodes-base.stickyNote': [1], 'n8n-nodes-base.if': [2.2], 'n8n-nodes-base.wait': [1.1], 'n8n-nodes-base.emailSend': [2.1] };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const THE_SEVEN = ['birthday.json', 'cart-abandonment.json', 'cross-sell.json', 'replenishment.json', 'vip-milestone.json', 'welcome.json', 'win-back.json'];

function outputCount(type: INodeType | undefined, nodeType: string): number {
	if (nodeType === 'n8n-nodes-base.if') return 2;
	const outputs = type?.description.outputs;
	return Array.isArray(outputs) ? outputs.length : 1;
}

test('every campaign template of the issue is in workflows/', () => {
	for (const file of THE_SEVEN) assert.ok(FILES.includes(file), file);
});

test('workflow ids and node ids are unique across templates, so importing them all side by side never clashes', () => {
	const ids = FILES.map((f) => load(f).id);
	assert.equal(new Set(ids).size, ids.length);
	const nodeIds = FILES.flatMap((f) => load(f).nodes.map((n) => n.id));
	assert.equal(new Set(nodeIds).size, nodeIds.length);
	const webhookIds = FILES.flatMap((f) => load(f).nodes.flatMap((n) => (n.webhookId ? [n.webhookId] : [])));
	assert.equal(new Set(webhookIds).size, webhookIds.length);
});

for (const file of FILES) {
	const workflow = load(file);
	describe(`workflows/${file}`, () => {
		test('is an inactive workflow with a 16-character id, fixed UUID node ids and unique names', () => {
			assert.equal(workflow.active, false);
			assert.equal(workflow.id.length, 16);
			for (const node of workflow.nodes) assert.match(node.id, UUID, node.name);
			assert.equal(new Set(workflow.nodes.map((n) => n.name)).size, workflow.nodes.length);
		});

		test('has a sticky note that tells the owner what it does, what to connect and what to change', () => {
			const notes = workflow.nodes.filter((n) => n.type === 'n8n-nodes-base.stickyNote').map((n) => String(n.parameters.content));
			assert.ok(notes.length > 0);
			for (const heading of ['What it does', 'What to connect', 'What to change']) assert.ok(notes.some((note) => note.includes(heading)), heading);
			// Every node the note sends the owner to exists.
			for (const mention of notes.join('\n').matchAll(/\*([A-Z][^*\n]+?)\*(?= →| and| to|\.|,|;|\)| node)/g)) {
				if (['What it does', 'What to connect', 'What to change', 'Turn it on'].includes(mention[1])) continue;
				if (/^(Cart Abandonment Recovery|Started Checkout|A message comes in)$/.test(mention[1])) continue;
				assert.ok(workflow.nodes.some((n) => n.name === mention[1]), `the note mentions "${mention[1]}"`);
			}
		});

		test('every node type resolves at the version written', () => {
			for (const node of workflow.nodes) {
				const ours = OURS[node.type];
				// Templates use each node's newest version, the one a node dragged onto the canvas gets.
				if (ours) assert.equal(node.typeVersion, ours.description.defaultVersion ?? ours.description.version, node.name);
				else assert.ok(N8N_BASE[node.type]?.includes(node.typeVersion), `${node.name}: ${node.type}@${node.typeVersion}`);
			}
		});

		test('every connection leaves an existing output and reaches an existing node', () => {
			const byName = new Map(workflow.nodes.map((n) => [n.name, n]));
			for (const [from, outputs] of Object.entries(workflow.connections)) {
				const source = byName.get(from);
				assert.ok(source, `connection from missing node "${from}"`);
				assert.ok(outputs.main.length <= outputCount(OURS[source.type], source.type), `${from} has ${outputs.main.length} outputs connected`);
				for (const group of outputs.main) {
					for (const target of group) {
						assert.ok(byName.has(target.node), `${from} → missing node "${target.node}"`);
						assert.equal(target.type, 'main');
						assert.equal(target.index, 0);
					}
				}
			}
		});

		test("every expression's $('Node') names a node of this workflow", () => {
			const names = new Set(workflow.nodes.map((n) => n.name));
			const referenced = [...JSON.stringify(workflow.nodes.map((n) => n.parameters)).matchAll(/\$\('([^']+)'\)/g)].map((m) => m[1]!);
			for (const name of referenced) assert.ok(names.has(name), `$('${name}') refers to no node`);
		});

		test('webhook triggers carry fixed UUID webhook ids; the schedule trigger needs none', () => {
			for (const node of workflow.nodes) {
				if (node.type === 'n8n-nodes-loyalty.loyaltyTrigger' || node.type === 'n8n-nodes-loyalty.loyaltyDashboard' || node.type === 'n8n-nodes-base.wait') assert.match(String(node.webhookId), UUID, node.name);
				if (node.type === 'n8n-nodes-loyalty.loyaltyScheduleTrigger' || node.type === 'n8n-nodes-loyalty.loyaltyEventTrigger') assert.equal(node.webhookId, undefined, node.name);
			}
		});

		test('loyalty nodes: credentials by name only and of the node’s own kinds, every parameter known and valid', () => {
			for (const node of workflow.nodes.filter((n) => n.type.startsWith('n8n-nodes-loyalty.'))) {
				const type = OURS[node.type];
				assert.ok(type, node.type);
				const allowed = new Set((type.description.credentials ?? []).map((c) => c.name));
				for (const [name, reference] of Object.entries(node.credentials ?? {})) {
					assert.ok(allowed.has(name), `${node.name}: ${name}`);
					assert.deepEqual(Object.keys(reference), ['name'], `${node.name}: ${name} must not carry an id`);
				}
				const issues = NodeHelpers.getNodeParametersIssues(type.description.properties, node, type.description);
				assert.equal(issues, null, `${node.name}: ${JSON.stringify(issues)}`);
				// Every parameter in the file is one the node knows (unknown ones would be dropped on import).
				const resolved = NodeHelpers.getNodeParameters(type.description.properties, node.parameters, true, false, node, type.description) ?? {};
				for (const [name, value] of Object.entries(node.parameters)) assert.deepEqual(resolved[name], value, `${node.name}.${name}`);
			}
		});

		test('offer wording covers every offer its rules can send', () => {
			const evaluate = workflow.nodes.find((n) => n.type === 'n8n-nodes-loyalty.evaluateRules');
			const sends = workflow.nodes.filter((n) => n.type === 'n8n-nodes-loyalty.sendOffer' && n.parameters.resource === 'offer');
			if (!evaluate || sends.length === 0) return;
			const presets = evaluate.parameters.presets as string[];
			const text = JSON.stringify(presets.length ? presets : []);
			for (const send of sends) {
				const ids = ((send.parameters.offerTexts as { text: Array<{ id: string }> }).text ?? []).map((t) => t.id);
				for (const template of offerTemplatesOf(presets)) assert.ok(ids.includes(template), `${send.name} lacks wording for "${template}" (${text})`);
			}
		});
	});
}

/** The offer templates the presets' send_offer and issue_coupon actions (follow-ups included) name. */
function offerTemplatesOf(presetIds: string[]): string[] {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { presetById } = require('../../../engine') as typeof import('../../../engine');
	const names = new Set<string>();
	const visit = (actions: Array<Record<string, unknown>>) => {
		for (const action of actions) {
			if (action.type === 'send_offer') names.add(String(action.template));
			if (action.type === 'issue_coupon') names.add(String(action.template ?? 'coupon'));
			if (action.type === 'schedule_follow_up') visit(action.then as Array<Record<string, unknown>>);
		}
	};
	for (const id of presetIds) for (const rule of presetById(id)?.build() ?? []) visit(rule.actions as unknown as Array<Record<string, unknown>>);
	return [...names];
}
