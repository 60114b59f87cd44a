/**
 * n8n in queue mode, as a shop that outgrew one instance runs it: n8n's own database in
 * PostgreSQL, jobs through Redis, two worker processes running Award Points in parallel, and the
 * loyalty store in PostgreSQL. Parallel purchases of the same customers must add up exactly, and
 * re-running an execution must award nothing more.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { verifyBalances, openStore, type Store } from '../../engine';
import { POSTGRES, backends } from '../support/stores';
import { startPointsOnPurchase, type PointsOnPurchaseEnv } from './support/pointsOnPurchase';
import { post, signedWooDelivery, wooOrderPayload } from './support/webhooks';
import { notRun } from '../support/notRun';
import { REDIS, redisUnavailable } from '../support/redis';
import { eventually } from '../support/eventually';

async function executions(schema: string, workflowId: string): Promise<Array<{ id: string; status: string }>> {
	const client = new Client(POSTGRES);
	await client.connect();
	try {
		const result = await client.query(`SELECT id::text AS id, status FROM "${schema}".execution_entity WHERE "workflowId" = $1 ORDER BY id`, [workflowId]);
		return result.rows as Array<{ id: string; status: string }>;
	} finally {
		await client.end();
	}
}

async function waitForFinished(schema: string, workflowId: string, count: number, timeoutMs = 120_000) {
	return eventually(
		`${count} finished executions`,
		async () => {
			const finished = (await executions(schema, workflowId)).filter((r) => !['new', 'running', 'waiting'].includes(r.status));
			return finished.length >= count && finished;
		},
		{ timeoutMs, intervalMs: 250, detail: async () => `executions: ${JSON.stringify(await executions(schema, workflowId))}` },
	);
}

describe('queue mode: n8n main + 2 workers, PostgreSQL and Redis', { timeout: 20 * 60_000 }, async () => {
	const reason = (await backends()).find((b) => b.name === 'postgres')?.unavailable ?? (await redisUnavailable());
	if (reason) notRun('end-to-end queue mode (n8n main + 2 workers)', reason, `it needs PostgreSQL (LOYALTY_PG_*) and Redis at ${REDIS.host}:${REDIS.port} (LOYALTY_REDIS_HOST, LOYALTY_REDIS_PORT)`);
	const suffix = randomBytes(4).toString('hex');
	const n8nSchema = `n8n_queue_${suffix}`;
	const loyaltySchema = `loyalty_queue_${suffix}`;
	let env: PointsOnPurchaseEnv;
	let store: Store;
	const admin = () => new Client(POSTGRES);

	describe('the shipped template', { skip: reason }, () => {
		before(async () => {
			const client = admin();
			await client.connect();
			await client.query(`CREATE SCHEMA "${n8nSchema}"`);
			await client.end();
			env = await startPointsOnPurchase({ log: (line) => console.log(`# ${line}`), postgresSchema: loyaltySchema, queueMode: { n8nSchema, redisPrefix: `loyalty-e2e-${suffix}`, workers: 2 }, maxEventsPerRun: 1 });
			store = await openStore(env.storeConfig);
		});

		after(async () => {
			await store?.close();
			await env?.stop();
			const client = admin();
			await client.connect();
			await client.query(`DROP SCHEMA IF EXISTS "${n8nSchema}" CASCADE`);
			await client.query(`DROP SCHEMA IF EXISTS "${loyaltySchema}" CASCADE`);
			await client.end();
		});

		test('parallel purchases of the same customers, run by two workers, add up exactly', async () => {
			const customers = ['ana@example.com', 'ben@example.com', 'chloe@example.com'];
			const orders = Array.from({ length: 24 }, (_, i) => ({ id: 7000 + i, status: 'processing' as const, total: `${10 + i}.00`, email: customers[i % customers.length] }));
			const answers = await Promise.all(orders.map((order) => post(env.wooUrl, signedWooDelivery('order.created', wooOrderPayload(order), env.wooSecret))));
			assert.ok(answers.every((a) => a.status === 200), JSON.stringify(answers.filter((a) => a.status !== 200)));
			// One event per run here (the trigger's Max Events per Run), so the runs spread over both workers.
			const finished = await waitForFinished(n8nSchema, env.workflowId, orders.length);
			assert.deepEqual(finished.filter((r) => r.status !== 'success'), []);

			for (const email of customers) {
				const expected = orders.filter((o) => o.email === email).reduce((sum, o) => sum + Number.parseInt(o.total, 10), 0);
				const customer = await store.findCustomer({ identities: { email } });
				const [account] = await store.db.query<{ available: number }>('SELECT available FROM loyalty_accounts WHERE customer_id = $1', [customer!.id]);
				assert.equal(Number(account.available), expected, email);
			}
			assert.deepEqual(await verifyBalances(store), []);
			const jobsPerWorker = env.workers.map((w) => (w.log().match(/started execution/gi) ?? []).length);
			assert.ok(jobsPerWorker.every((n) => n > 0), `both workers ran executions: ${JSON.stringify(jobsPerWorker)}`);
		});

		test('an order that reaches Award Points again (its delivery record lost) awards nothing more', async () => {
			// The trigger's delivery record is the first guard; wipe it, as a store restored from an
			// older backup would, so the delivery runs the workflow again and only the ledger's key is left.
			const order = { id: 7000, status: 'processing' as const, total: '10.00', email: 'ana@example.com' };
			await store.db.execute("DELETE FROM events WHERE idempotency_key = 'woocommerce:order:7000:processing' OR idempotency_key = 'woocommerce:order:7000:paid'");
			// What the event trigger owed for it goes too, so the re-recorded event is owed and run again.
			await store.db.execute("DELETE FROM event_deliveries WHERE event_id NOT IN (SELECT id FROM events)");
			const [{ n: entriesBefore }] = await store.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM ledger_entries');
			const runs = (await executions(n8nSchema, env.workflowId)).length;
			const answer = await post(env.wooUrl, signedWooDelivery('order.created', wooOrderPayload(order), env.wooSecret));
			assert.equal(answer.status, 200);
			const finished = await waitForFinished(n8nSchema, env.workflowId, runs + 1);
			assert.equal(finished.at(-1)!.status, 'success');
			const [{ n: entriesAfter }] = await store.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM ledger_entries');
			assert.equal(Number(entriesAfter), Number(entriesBefore));
			assert.deepEqual(await verifyBalances(store), []);
		});
	});
});
