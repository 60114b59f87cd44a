import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { NodeHelpers, NodeOperationError, type INodeExecutionData, type INodeParameters, type ITriggerFunctions } from 'n8n-workflow';

import { closeSharedStores, openSharedStore, type StoreConfig } from '../../../engine';
import { LoyaltyScheduleTrigger } from '../../../nodes/LoyaltyScheduleTrigger/LoyaltyScheduleTrigger.node';
import { eventually } from '../../support/eventually';
import { scheduleSettingsFrom } from '../../../nodes/LoyaltyScheduleTrigger/settings';
import { STORE_CREDENTIAL_LABEL } from '../../../nodes/shared/store';

const node = new LoyaltyScheduleTrigger();
let dir: string;
let config: StoreConfig;

before(() => {
	dir = mkdtempSync(join(tmpdir(), 'loyalty-schedule-trigger-'));
	config = { kind: 'sqlite', path: join(dir, 'loyalty.sqlite') };
});

after(async () => {
	await closeSharedStores();
	rmSync(dir, { recursive: true, force: true });
});

/** An n8n trigger context: what the node emits and logs is recorded. */
function triggerContext(parameters: INodeParameters, mode: 'trigger' | 'manual' = 'trigger', typeVersion = 1) {
	const resolved = NodeHelpers.getNodeParameters(node.description.properties, parameters, true, false, { typeVersion }, node.description) ?? {};
	const emitted: INodeExecutionData[][][] = [];
	const logs: string[] = [];
	/** How many looks finished (the trigger says so after each one, due or not). */
	const looked = { count: 0 };
	const context = {
		getNode: () => ({ id: '00000000-0000-4000-8000-000000000009', name: 'Every minute', type: 'n8n-nodes-loyalty.loyaltyScheduleTrigger', typeVersion: 1, position: [0, 0], parameters: resolved, credentials: { loyaltyStoreApi: { id: 's', name: 'store' } } }),
		getWorkflow: () => ({ id: 'wf-schedule', name: 'Cart reminders', active: true }),
		getNodeParameter: (name: string, fallback?: unknown) => resolved[name] ?? fallback,
		getMode: () => mode,
		getTimezone: () => 'UTC',
		getCredentials: async () => ({ storage: 'embedded', sqlitePath: config.kind === 'sqlite' ? config.path : '' }),
		emit: (data: INodeExecutionData[][]) => emitted.push(data),
		emitError: (error: Error) => logs.push(`emitError: ${error.message}`),
		logger: {
			error: (message: string) => logs.push(message),
			warn: () => undefined,
			info: () => undefined,
			debug: (message: string) => {
				if (message.startsWith('Loyalty Schedule Trigger looked')) looked.count++;
			},
		},
	};
	return { context: context as unknown as ITriggerFunctions, emitted, logs, looked };
}

/** Waits until the trigger has finished `looks` looks: the positive signal that "nothing was emitted" means something. */
async function looksDone(looked: { count: number }, looks: number): Promise<void> {
	await eventually(`the trigger to look ${looks} times`, () => looked.count >= looks, { detail: () => `it looked ${looked.count} times` });
}

async function recordCart(id: string, email: string, idleHours: number, totalMinor = 6000) {
	const store = await openSharedStore(config);
	const updatedAt = new Date(Date.now() - idleHours * 3_600_000).toISOString();
	await store.recordEvent({ id: `generic:${id}`, type: 'cart_updated', source: 'generic', occurredAt: updatedAt, idempotencyKey: `generic:cart:${id}:${updatedAt}`, customer: { identities: { email } }, cart: { id, status: 'open', currency: 'USD', totalMinor, updatedAt, lines: [] } });
}

const cartSettings = { dueEvents: ['cartAbandoned'], checkEvery: 1, checkEveryUnit: 'seconds', cartIdleHours: 2, cartMinTotal: 50 };

describe('Loyalty Schedule Trigger', () => {
	test('is a trigger node with its own type name, icons, codex and an optional tested store credential', () => {
		assert.equal(node.description.name, 'loyaltyScheduleTrigger');
		assert.deepEqual(node.description.group, ['trigger', 'schedule']);
		assert.deepEqual(node.description.inputs, []);
		assert.equal(node.description.webhooks, undefined, 'n8n registers no webhook for an in-memory trigger');
		assert.deepEqual(node.description.credentials, [{ name: 'loyaltyStoreApi', displayName: STORE_CREDENTIAL_LABEL, required: false, testedBy: 'loyaltyStoreApiTest' }]);
		for (const file of ['loyaltyScheduleTrigger.svg', 'loyaltyScheduleTrigger.dark.svg', 'LoyaltyScheduleTrigger.node.json']) assert.ok(existsSync(join(__dirname, '..', '..', '..', 'nodes', 'LoyaltyScheduleTrigger', file)), file);
	});

	test('an abandoned cart starts one run, once: a second look and a restart emit nothing more', async () => {
		await recordCart('cart-a', 'abby@example.com', 3);
		await recordCart('cart-small', 'sam@example.com', 3, 4900);
		await recordCart('cart-fresh', 'fred@example.com', 1);
		const first = triggerContext(cartSettings);
		const response = await node.trigger.call(first.context);
		await looksDone(first.looked, 2);
		await response.closeFunction?.();
		assert.equal(first.emitted.length, 1, 'one run for what was due');
		const items = first.emitted[0][0];
		assert.deepEqual(items.map((i) => [i.json.type, (i.json.cart as { id: string }).id]), [['cart_abandoned', 'cart-a']], 'the $49 cart and the 1-hour cart are not due');

		const restarted = triggerContext(cartSettings);
		const again = await node.trigger.call(restarted.context);
		await looksDone(restarted.looked, 2);
		await again.closeFunction?.();
		assert.deepEqual(restarted.emitted, [], 'n8n restarted: the cart is not emitted twice');
		assert.deepEqual(first.logs.concat(restarted.logs), []);
	});

	test('"Test step" shows what is due without using it up', async () => {
		await recordCart('cart-b', 'bea@example.com', 5);
		const manual = triggerContext(cartSettings, 'manual');
		const response = await node.trigger.call(manual.context);
		await response.manualTriggerFunction!();
		await response.manualTriggerFunction!();
		assert.deepEqual(manual.emitted.map((run) => run[0].map((i) => (i.json.cart as { id: string }).id)), [['cart-b'], ['cart-b']]);

		const live = triggerContext(cartSettings);
		const running = await node.trigger.call(live.context);
		await looksDone(live.looked, 1);
		await running.closeFunction?.();
		assert.deepEqual(live.emitted.map((run) => run[0].map((i) => (i.json.cart as { id: string }).id)), [['cart-b']], 'still due for the live workflow');
	});

	test('settings a shop owner got wrong are refused on activation, naming the field', async () => {
		const cases: Array<[INodeParameters, string]> = [
			[{ ...cartSettings, dueEvents: [] }, 'dueEvents'],
			[{ ...cartSettings, cartIdleHours: 0 }, 'cartIdleHours'],
			[{ ...cartSettings, checkEvery: -1 }, 'checkEvery'],
		];
		for (const [parameters, field] of cases) {
			await assert.rejects(node.trigger.call(triggerContext(parameters).context), (error: unknown) => error instanceof NodeOperationError && error.message.includes(field), field);
		}
	});

	test('cart idle time: version 1.1 asks in minutes, like Evaluate Rules; a saved version-1 node keeps its hours', () => {
		const read = (parameters: INodeParameters, typeVersion: number) => {
			const resolved = NodeHelpers.getNodeParameters(node.description.properties, parameters, true, false, { typeVersion }, node.description) ?? {};
			return scheduleSettingsFrom((name, fallback) => resolved[name] ?? fallback)?.kinds.cartAbandoned?.idleHours;
		};
		const withoutHours: INodeParameters = Object.fromEntries(Object.entries(cartSettings).filter(([name]) => name !== 'cartIdleHours'));
		assert.equal(read({ ...withoutHours, cartIdleMinutes: 90 }, 1.1), 1.5);
		assert.equal(read(withoutHours, 1.1), 2, 'the default is 120 minutes');
		assert.equal(read(cartSettings, 1), 2, 'a saved version-1 node: 2 hours');
		assert.equal(read({ ...cartSettings, cartIdleHours: 3 }, 1), 3);
		assert.throws(() => read({ ...withoutHours, cartIdleMinutes: 0 }, 1.1), /cartIdleMinutes/);
	});
});
