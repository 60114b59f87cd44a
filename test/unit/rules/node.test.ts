import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeHelpers, type IDataObject, type INodeExecutionData, type INodeParameters } from 'n8n-workflow';
import { closeSharedStores, openSharedStore } from '../../../engine';
import { EvaluateRules } from '../../../nodes/EvaluateRules/EvaluateRules.node';
import { executeContext, type Credentials } from '../nodes/fakes';
import { cartAbandoned, purchase } from './helpers';

const node = new EvaluateRules();

describe('Evaluate Rules description', () => {
	const description = node.description;
	test('names, four outputs, optional tested store credential, icons and codex', () => {
		assert.equal(description.name, 'evaluateRules');
		assert.match(String(description.subtitle), /"presets":"Ready-Made Rules"/);
		assert.deepEqual(description.outputNames, ['Award', 'Offer', 'Other Action', 'Nothing']);
		assert.equal(description.outputs.length, 4);
		const store = description.credentials?.find((c) => c.name === 'loyaltyStoreApi');
		assert.equal(store?.required, false);
		assert.equal(typeof (node.methods.credentialTest as Record<string, unknown>)[String(store?.testedBy)], 'function');
		const dir = join(__dirname, '..', '..', '..', 'nodes', 'EvaluateRules');
		const icons = Object.values(description.icon as Record<string, string>).map((f) => join(dir, f.replace(/^file:/, '')));
		assert.equal(new Set(icons).size, 2);
		for (const icon of icons) assert.ok(existsSync(icon), icon);
		assert.equal(JSON.parse(readFileSync(join(dir, 'EvaluateRules.node.json'), 'utf8')).node, 'n8n-nodes-loyalty.evaluateRules');
	});

	test('defaults resolve like n8n resolves them, for every rule source', () => {
		for (const rulesSource of ['presets', 'builder', 'json']) {
			const values = NodeHelpers.getNodeParameters(description.properties, { rulesSource }, true, false, { typeVersion: 1 }, description);
			assert.equal(values?.eventInput, 'canonical');
			assert.equal(values?.event, '={{ $json }}');
			assert.equal(values?.testMode, false);
		}
	});
});

describe('Evaluate Rules node', () => {
	let dir: string;
	let credentials: Record<string, IDataObject>;
	before(() => {
		dir = mkdtempSync(join(tmpdir(), 'evaluate-rules-'));
		credentials = { loyaltyStoreApi: { storage: 'sqlite', sqlitePath: join(dir, 'loyalty.sqlite') } };
	});
	after(async () => {
		await closeSharedStores();
		rmSync(dir, { recursive: true, force: true });
	});

	const run = (parameters: IDataObject, items: INodeExecutionData[], continueOnFail = false) =>
		node.execute.call(executeContext({ description: node.description, parameters: (i) => ({ ...parameters, event: items[i]?.json }) as INodeParameters, items, credentials: credentials as Credentials, continueOnFail }) as never);

	async function firings(eventKey: string): Promise<number> {
		const store = await openSharedStore({ kind: 'sqlite', path: join(dir, 'loyalty.sqlite') });
		const [row] = await store.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM rule_firings WHERE event_key = $1', [eventKey]);
		return Number(row.n);
	}

	test('presets route a $49 cart to Nothing and a $50 idle cart to Offer and Other Action', async () => {
		const small = cartAbandoned(4900, 150, '2026-03-10T10:00:00Z', 'node-cart@example.com');
		const big = cartAbandoned(5000, 150, '2026-03-10T11:00:00Z', 'node-cart@example.com');
		const [award, offer, other, nothing] = await run({ rulesSource: 'presets', presets: ['cart_recovery'] }, [{ json: small as unknown as IDataObject }, { json: big as unknown as IDataObject }]);
		assert.equal(award.length, 0);
		assert.deepEqual(nothing.map((i) => i.pairedItem), [{ item: 0 }]);
		assert.match(String((nothing[0].json.summary as string[])[0]), /cart_recovery: not_met — rules\[0\]\.conditions\.all\[0\]: event\.cart\.totalMinor is 4900, needs greater_than_or_equal 5000/);
		assert.deepEqual(offer.map((i) => i.pairedItem), [{ item: 1 }]);
		assert.equal(other.length, 1);
		assert.deepEqual(offer[0].json.firedRules, ['cart_recovery']);
		assert.equal(await firings(big.idempotencyKey), 1);
	});

	test('preset numbers are adjustable in currency units', async () => {
		const cart = cartAbandoned(4000, 150, '2026-03-10T10:00:00Z', 'node-cart40@example.com');
		const [, offer] = await run({ rulesSource: 'presets', presets: ['cart_recovery'], presetSettings: { cartMinimum: 40 } }, [{ json: cart as unknown as IDataObject }]);
		assert.equal(offer.length, 1);
	});

	test('the rule builder gives points on the Award output, carrying pointsToAward', async () => {
		const order = purchase(12000, { email: 'node-builder@example.com', key: 'node-builder-1' });
		const [award] = await run(
			{
				rulesSource: 'builder',
				ruleBuilder: { rule: [{ name: 'Big spender', trigger: 'purchase', conditions: { condition: [{ fact: 'event.order.totalMinor', operator: 'greater_than_or_equal', value: '10000' }, { fact: 'event.order.categories', operator: 'contains_any', value: 'coffee, tea' }] }, action: 'award_fixed', points: 75 }] },
			},
			[{ json: order as unknown as IDataObject }],
		);
		assert.equal(award.length, 1);
		assert.equal(award[0].json.pointsToAward, 75);
		assert.deepEqual(award[0].json.firedRules, ['big_spender']);
	});

	test('invalid JSON rules fail with the JSON path; with Continue On Fail the item goes to Nothing with the field', async () => {
		const rulesJson = JSON.stringify([{ id: 'x', triggers: ['purchase'], conditions: { all: [{ fact: 'profile.tags', operator: 'contains_any_off', value: ['vip'] }] }, actions: [{ type: 'award_points', mode: 'fixed', points: 1 }] }]);
		const items = [{ json: purchase(100, { key: 'node-bad-json' }) as unknown as IDataObject }];
		await assert.rejects(run({ rulesSource: 'json', rulesJson }, items), /rules\[0\]\.conditions\.all\[0\]\.operator: unknown operator "contains_any_off"/);
		const outputs = await run({ rulesSource: 'json', rulesJson }, items, true);
		assert.equal(outputs[3][0].json.field, 'rules[0].conditions.all[0].operator');
	});

	test('test mode decides with counters inside the run but writes nothing', async () => {
		const rulesJson = JSON.stringify([{ id: 'once', triggers: ['purchase'], frequency: { max: 1, perDays: 30 }, actions: [{ type: 'award_points', mode: 'fixed', points: 5 }] }]);
		const first = purchase(100, { email: 'node-test@example.com', key: 'node-test-1', at: '2026-03-10T10:00:00Z' });
		const second = purchase(100, { email: 'node-test@example.com', key: 'node-test-2', at: '2026-03-10T11:00:00Z' });
		const [award, , , nothing] = await run({ rulesSource: 'json', rulesJson, testMode: true }, [{ json: first as unknown as IDataObject }, { json: second as unknown as IDataObject }]);
		assert.equal(award.length, 1);
		assert.equal(award[0].json.testMode, true);
		assert.equal((nothing[0].json.decision as { explanation: Array<{ suppressedBy?: { kind: string } }> }).explanation[0].suppressedBy?.kind, 'frequency');
		assert.equal(await firings('node-test-1'), 0);
	});

	test('any JSON with a field mapping', async () => {
		const [award] = await run(
			{ eventInput: 'mapped', eventType: 'purchase', eventKey: 'pos-991', occurredAt: '2026-03-10T08:30:00Z', identifyBy: 'email', customerValue: 'mapped@example.com', amount: '120.50', currency: 'USD', categories: 'coffee', rulesSource: 'presets', presets: ['big_order_bonus'] },
			[{ json: { anything: true } }],
		);
		assert.equal(award.length, 1);
		assert.equal(award[0].json.pointsToAward, 50);
		assert.equal(award[0].json.eventKey, 'pos-991');
	});
});
