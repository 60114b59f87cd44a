/**
 * Nothing lost: a storm of signed WooCommerce deliveries (each order three times, eight senders at
 * once) with an n8n process killed by SIGKILL in the middle. Every order the shop was told was
 * received earns its points exactly once — first without the shop sending anything again (the
 * Loyalty Event Trigger re-runs what a dead run left owed), then again after the shop re-sends the
 * whole storm (which must change nothing). On the embedded store with one n8n, and in queue mode
 * (PostgreSQL, Redis, main + 2 workers) with the main instance killed and with a worker killed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { verifyBalances, openStore, type Store } from '../../engine';
import { POSTGRES, backends } from '../support/stores';
import { ensureN8nInstalled, startN8n, type RunningN8n } from './support/n8n';
import { queueModeEnv, startPointsOnPurchase, type PointsOnPurchaseEnv } from './support/pointsOnPurchase';
import { notRun } from '../support/notRun';
import { REDIS, redisUnavailable } from '../support/redis';
import { sendStorm, stormOrders, type StormOrder } from './support/storm';
import { eventually } from '../support/eventually';

const ORDERS = 200;
const COPIES = 3;
const SENDERS = 8;
/** The process dies after this many deliveries were answered 200. */
const KILL_AFTER_ANSWERS = 60;

interface Scenario {
	name: string;
	queue: boolean;
	kill: 'main' | 'worker';
}

describe('nothing lost when n8n dies mid-storm', { timeout: 45 * 60_000 }, async () => {
	const postgresDown = (await backends()).find((b) => b.name === 'postgres')?.unavailable;
	const queueDown = postgresDown ?? (await redisUnavailable());
	if (queueDown) notRun('end-to-end crash tests in queue mode', queueDown, `they need PostgreSQL (LOYALTY_PG_*) and Redis at ${REDIS.host}:${REDIS.port}`);
	const scenarios: Array<Scenario & { skip?: string }> = [
		{ name: 'the embedded store, n8n killed', queue: false, kill: 'main' },
		{ name: 'queue mode, the main instance killed', queue: true, kill: 'main', skip: queueDown },
		{ name: 'queue mode, a worker killed', queue: true, kill: 'worker', skip: queueDown },
	];
	for (const scenario of scenarios) describe(scenario.name, { skip: scenario.skip }, () => crashScenario(scenario));
});

function crashScenario(scenario: Scenario): void {
	const suffix = randomBytes(4).toString('hex');
	const queue = scenario.queue ? { n8nSchema: `n8n_crash_${suffix}`, redisPrefix: `loyalty-crash-${suffix}`, workers: 2 } : undefined;
	const loyaltySchema = scenario.queue ? `loyalty_crash_${suffix}` : undefined;
	let env: PointsOnPurchaseEnv;
	let store: Store;
	let restarted: RunningN8n | undefined;

	before(async () => {
		if (queue) {
			const client = new Client(POSTGRES);
			await client.connect();
			await client.query(`CREATE SCHEMA "${queue.n8nSchema}"`);
			await client.end();
		}
		env = await startPointsOnPurchase({ log: (line) => console.log(`# ${line}`), postgresSchema: loyaltySchema, queueMode: queue });
		store = await openStore(env.storeConfig);
	});

	after(async () => {
		await store?.close();
		await restarted?.stop();
		await env?.stop();
		if (queue) {
			const client = new Client(POSTGRES);
			await client.connect();
			await client.query(`DROP SCHEMA IF EXISTS "${queue.n8nSchema}" CASCADE`);
			await client.query(`DROP SCHEMA IF EXISTS "${loyaltySchema}" CASCADE`);
			await client.end();
		}
	});

	const earnedOrders = async () =>
		new Map(
			(await store.db.query<{ order_id: string; n: number }>("SELECT order_id, COUNT(*) AS n FROM ledger_entries WHERE order_source = 'woocommerce' AND kind IN ('earn', 'pending') GROUP BY order_id")).map((row) => [
				Number(row.order_id),
				Number(row.n),
			]),
		);

	test(`${ORDERS} orders × ${COPIES} deliveries from ${SENDERS} senders, SIGKILL of the ${scenario.kill} after ${KILL_AFTER_ANSWERS} answers: every accepted order earns once without a re-send, and a full re-send changes nothing`, async () => {
		const orders: StormOrder[] = stormOrders({ count: ORDERS, customers: 40, firstId: 50_000, secret: env.wooSecret });
		const victim = scenario.kill === 'main' ? env.n8n : env.workers[0]!;
		let killedAt = 0;
		const storm = await sendStorm(env.wooUrl, orders, {
			copies: COPIES,
			senders: SENDERS,
			onAnswered: (answered) => {
				if (answered !== KILL_AFTER_ANSWERS || killedAt) return;
				killedAt = Date.now();
				process.kill(-victim.pid, 'SIGKILL');
			},
		});
		assert.ok(killedAt > 0, 'the process was killed during the storm');
		const earnedAtKill = await earnedOrders();

		let readyAt = Date.now();
		if (scenario.kill === 'main') {
			await victim.stop(0);
			console.log('# restarting n8n on the same folder…');
			restarted = await startN8n({ userFolder: env.userFolder, port: env.n8n.port, install: await ensureN8nInstalled(), env: queue ? queueModeEnv(queue) : undefined, waitForWebhooks: [env.wooUrl, env.squareUrl] });
			readyAt = Date.now();
		}

		// Without any re-send: what was accepted is processed.
		const accepted = [...storm.accepted];
		await eventually('every accepted order to earn', async () => {
			const earned = await earnedOrders();
			return accepted.every((id) => earned.has(id)) ? earned : undefined;
		}, { timeoutMs: 420_000, intervalMs: 250 });
		const recoveredMs = Date.now() - readyAt;

		// The shop re-sends everything (WooCommerce's manual resend, Square's retries): all orders earn, none twice.
		const resend = await sendStorm(env.wooUrl, orders, { copies: 1, senders: SENDERS });
		assert.equal(resend.refused, 0, 'every re-sent delivery is answered 200');
		const earned = await eventually('every order to earn after the re-send', async () => {
			const map = await earnedOrders();
			return orders.every((o) => map.has(o.id)) ? map : undefined;
		}, { timeoutMs: 420_000, intervalMs: 250 });
		assert.deepEqual([...earned.entries()].filter(([, n]) => n !== 1), [], 'no order earned twice');

		const expected = new Map<string, number>();
		for (const order of orders) expected.set(order.email, (expected.get(order.email) ?? 0) + order.totalMinor / 100);
		for (const [email, points] of expected) {
			const customer = await store.findCustomer({ identities: { email } });
			const [account] = await store.db.query<{ available: number }>('SELECT available FROM loyalty_accounts WHERE customer_id = $1', [customer!.id]);
			assert.equal(Number(account?.available ?? 0), points, email);
		}
		assert.deepEqual(await verifyBalances(store), []);
		// Points can be on the books before n8n reported the run that wrote them (a run the dead
		// process never heard back from is re-run once its claim lapses, and replays): wait for that.
		await eventually('every recorded event to be done for the workflow', async () => {
			const [{ n: owed }] = await store.db.query<{ n: number }>("SELECT COUNT(*) AS n FROM event_deliveries WHERE status <> 'done'");
			return Number(owed) === 0 ? true : undefined;
		}, { timeoutMs: 300_000, intervalMs: 250 });
		assert.deepEqual([...(await earnedOrders()).entries()].filter(([, n]) => n !== 1), [], 'the re-runs awarded nothing twice');
		assert.deepEqual(await verifyBalances(store), []);
		const [{ n: recovered }] = await store.db.query<{ n: number }>("SELECT COUNT(*) AS n FROM event_deliveries WHERE status = 'done' AND attempts > 1");
		console.log(
			JSON.stringify({
				crash: scenario.name,
				orders: ORDERS,
				deliveries: ORDERS * COPIES,
				answered200: storm.answered,
				refusedOrUnanswered: storm.refused,
				acceptedOrders: storm.accepted.size,
				earnedWhenKilled: earnedAtKill.size,
				runsRecovered: Number(recovered),
				recoveredWithoutResendMs: recoveredMs,
				earnedAfterResend: earned.size,
			}),
		);
	});
}
