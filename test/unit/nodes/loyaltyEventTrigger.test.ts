import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { NodeHelpers, type INodeExecutionData, type INodeParameters, type IRun, type ITriggerFunctions } from 'n8n-workflow';

import { acceptEvents, closeSharedStores, deliveryCounts, openSharedStore, type LoyaltyEvent, type Store } from '../../../engine';
import { LoyaltyEventTrigger } from '../../../nodes/LoyaltyEventTrigger/LoyaltyEventTrigger.node';
import { paidOrder } from '../../support/fixtures';
import { eventually } from '../../support/eventually';

const node = new LoyaltyEventTrigger();
let dir: string;
let sqlitePath: string;
let store: Store;
let serial = 0;

before(async () => {
	dir = mkdtempSync(join(tmpdir(), 'loyalty-event-trigger-'));
	sqlitePath = join(dir, 'loyalty.sqlite');
	store = await openSharedStore({ kind: 'sqlite', path: sqlitePath });
});

after(async () => {
	await closeSharedStores();
	rmSync(dir, { recursive: true, force: true });
});

/** n8n's deferred promise (not exported by name from n8n-workflow). */
interface IDeferredPromise<T> {
	promise: Promise<T>;
	resolve: (value: T) => void;
	reject: (error: Error) => void;
}

interface Emitted {
	items: INodeExecutionData[];
	done?: IDeferredPromise<IRun>;
}

function deferred<T>(): IDeferredPromise<T> {
	let resolve!: (value: T) => void;
	let reject!: (error: Error) => void;
	const promise = new Promise<T>((res, rej) => {
		resolve = res;
		reject = rej;
	});
	return { promise, resolve, reject };
}

/** An n8n trigger context whose runs the test finishes by hand through the "done" promise. */
function triggerContext(parameters: INodeParameters, options: { mode?: 'trigger' | 'manual'; workflowId?: string } = {}) {
	const resolved = NodeHelpers.getNodeParameters(node.description.properties, parameters, true, false, { typeVersion: 1 }, node.description) ?? {};
	const emitted: Emitted[] = [];
	const logs: string[] = [];
	const context = {
		getNode: () => ({ id: `node-${options.workflowId ?? 'wf'}`, name: 'On purchase', type: 'n8n-nodes-loyalty.loyaltyEventTrigger', typeVersion: 1, position: [0, 0], parameters: resolved, credentials: { loyaltyStoreApi: { id: 's', name: 'store' } } }),
		getNodeParameter: (name: string, fallback?: unknown) => resolved[name] ?? fallback,
		getMode: () => options.mode ?? 'trigger',
		getWorkflow: () => ({ id: options.workflowId ?? 'wf', name: 'test', active: true }),
		getCredentials: async () => ({ storage: 'embedded', sqlitePath }),
		emit: (data: INodeExecutionData[][], _response?: unknown, done?: IDeferredPromise<IRun>) => emitted.push({ items: data[0] ?? [], done }),
		helpers: { createDeferredPromise: deferred },
		logger: { error: (message: string) => logs.push(message), warn: () => undefined, info: () => undefined, debug: () => undefined },
	};
	return { context: context as unknown as ITriggerFunctions, emitted, logs };
}

function purchase(): LoyaltyEvent {
	serial++;
	const order = { ...paidOrder(`eve${serial}@example.com`, 1200 + serial, { placedAt: '2026-03-10T10:00:00Z' }), id: `order-${serial}` };
	return { id: `delivery-${serial}`, type: 'purchase', source: 'woocommerce', occurredAt: order.placedAt, idempotencyKey: `woocommerce:order:${order.id}:paid`, customer: order.customer, order: { ...order, lines: order.lines ?? [] } as LoyaltyEvent['order'] };
}

/** Waits until the consumer's deliveries reach the expected counts (settling is asynchronous). */
async function countsReach(consumer: string, expected: Partial<Awaited<ReturnType<typeof deliveryCounts>>>) {
	return eventually(
		`deliveries of ${consumer} to reach ${JSON.stringify(expected)}`,
		async () => {
			const counts = await deliveryCounts(store, consumer);
			return Object.entries(expected).every(([key, value]) => counts[key as keyof typeof counts] === value) && counts;
		},
		{ intervalMs: 10, detail: async () => `deliveries: ${JSON.stringify(await deliveryCounts(store, consumer))}` },
	);
}

const run = (status: string, error?: string) => ({ status, data: { resultData: { runData: {}, ...(error ? { error: { message: error } } : {}) } } }) as unknown as IRun;

describe('Loyalty Event Trigger', () => {
	test('starts a run for each recorded event at once, marks it done when n8n reports the run finished, and tries a failed run again', async () => {
		const { context, emitted } = triggerContext({ events: ['purchase'] }, { workflowId: 'wf-runs' });
		const response = await node.trigger.call(context);
		try {
			const first = purchase();
			await acceptEvents(store, [first]);
			const started = await eventually('a run', () => emitted[0]);
			assert.deepEqual(started.items.map((i) => (i.json as unknown as LoyaltyEvent).id), [first.id]);
			started.done!.resolve(run('success'));
			await countsReach('wf-runs:node-wf-runs', { done: 1, running: 0 });

			const second = purchase();
			await acceptEvents(store, [second]);
			const failing = await eventually('a second run', () => emitted[1]);
			failing.done!.resolve(run('error', 'Award Points: the store was locked'));
			// A failed run leaves the event owed for a later try.
			await countsReach('wf-runs:node-wf-runs', { done: 1, owed: 1, running: 0 });
			const [row] = await store.db.query<{ last_error: string; attempts: number }>('SELECT last_error, attempts FROM event_deliveries WHERE event_id = $1', [second.id]);
			assert.match(row!.last_error, /run error: Award Points: the store was locked/);
			assert.equal(Number(row!.attempts), 1);
		} finally {
			await response.closeFunction?.();
		}
	});

	test('a run n8n leaves waiting (a Wait node) counts as finished; events that pile up share a run', async () => {
		const { context, emitted } = triggerContext({ events: ['purchase'], options: { maxEventsPerRun: 10 } }, { workflowId: 'wf-batch' });
		// Subscribe, then stop at once: events recorded meanwhile wait for the next start (n8n restarting).
		await (await node.trigger.call(context)).closeFunction?.();
		const waiting = [purchase(), purchase(), purchase()];
		await acceptEvents(store, waiting);
		const again = triggerContext({ events: ['purchase'], options: { maxEventsPerRun: 10 } }, { workflowId: 'wf-batch' });
		const response = await node.trigger.call(again.context);
		try {
			const batch = await eventually('the catch-up run', () => again.emitted[0]);
			assert.deepEqual(batch.items.map((i) => (i.json as unknown as LoyaltyEvent).id), waiting.map((e) => e.id));
			batch.done!.resolve(run('waiting'));
			await countsReach('wf-batch:node-wf-batch', { done: 3, owed: 0, running: 0 });
			assert.equal(emitted.length, 0, 'the stopped trigger started nothing');
		} finally {
			await response.closeFunction?.();
		}
	});

	test('"Test step" shows the newest recorded event without claiming it, and says how to get one when there is none', async () => {
		const empty = triggerContext({ events: ['refund'] }, { mode: 'manual', workflowId: 'wf-manual' });
		const none = await node.trigger.call(empty.context);
		await assert.rejects(none.manualTriggerFunction!(), /No matching event has been recorded yet/);
		const event = purchase();
		await acceptEvents(store, [event]);
		const { context, emitted } = triggerContext({ events: ['purchase'] }, { mode: 'manual', workflowId: 'wf-manual' });
		const response = await node.trigger.call(context);
		await response.manualTriggerFunction!();
		assert.equal((emitted[0]!.items[0]!.json as unknown as LoyaltyEvent).id, event.id);
		assert.equal(emitted[0]!.done, undefined);
	});
});
