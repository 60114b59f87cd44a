/**
 * Webhook throughput in a real n8n, against n8n itself: the same instance serves n8n's bare
 * Webhook → Set workflow (the peer) and the shipped points-on-purchase template. Since intake is
 * at least once, the template's webhook only verifies, normalizes and records (and answers); the
 * Loyalty Event Trigger then starts the runs that award the points. So the product's rate is
 * purchases awarded per second, from the first request until the last order earned, and its
 * latency is from the moment a delivery was sent to the moment its points were written. Each
 * load is 4 clients for BENCH_WEBHOOK_MS (10 s).
 */
import { randomUUID } from 'node:crypto';
import { openStore } from '../engine';
import { bareWorkflow } from '../test/e2e/support/bareWorkflow';
import { runLoad } from '../test/e2e/support/load';
import { executionsOf } from '../test/e2e/support/n8n';
import { pointsOnPurchaseUnavailable, startPointsOnPurchase } from '../test/e2e/support/pointsOnPurchase';
import { signedWooDelivery, wooOrderPayload } from '../test/e2e/support/webhooks';

const DURATION_MS = Number(process.env.BENCH_WEBHOOK_MS ?? 10_000);

function percentile(sorted: number[], p: number): number {
	if (sorted.length === 0) return 0;
	return +sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(1);
}

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 5 * 60_000): Promise<T | undefined> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined || Date.now() > deadline) return value;
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

async function main(): Promise<void> {
	const unavailable = pointsOnPurchaseUnavailable();
	if (unavailable) {
		console.log(JSON.stringify({ bench: 'webhook', skipped: unavailable }));
		return;
	}
	const env = await startPointsOnPurchase({ extraWorkflows: [bareWorkflow('Bare webhook baseline', 'bench-bare')] });
	const store = await openStore(env.storeConfig);
	try {
		const bareId = env.extraWorkflowIds[0]!;
		const beforeBare = executionsOf(env.userFolder, bareId).length;
		const bareStarted = Date.now();
		const bareLoad = await runLoad({ url: `${env.n8n.baseUrl}/webhook/bench-bare`, concurrency: 4, durationMs: DURATION_MS, body: (c, n) => ({ n: c * 1_000_000 + n }) });
		const bareDone = await until(() => {
			const runs = executionsOf(env.userFolder, bareId).slice(beforeBare);
			const done = runs.filter((r) => !['new', 'running', 'waiting'].includes(r.status));
			return done.length >= bareLoad.totalRequests ? { succeeded: done.filter((r) => r.status === 'success').length, at: Date.now() } : undefined;
		});
		const bareSeconds = ((bareDone?.at ?? Date.now()) - bareStarted) / 1000;
		const bare = { bench: 'webhook.bare-n8n', peer: 'n8n Webhook → Set', clients: 4, requests: bareLoad.totalRequests, executionsSucceeded: bareDone?.succeeded ?? 0, seconds: +bareSeconds.toFixed(2), executionsPerSecond: +((bareDone?.succeeded ?? 0) / bareSeconds).toFixed(1), p50ms: bareLoad.latencyMs.p50, p99ms: bareLoad.latencyMs.p99 };
		console.log(JSON.stringify(bare));

		let order = 900_000;
		const sentAt = new Map<string, number>();
		const started = Date.now();
		const load = await runLoad({
			url: env.wooUrl,
			concurrency: 4,
			durationMs: DURATION_MS,
			request: () => {
				const id = order++;
				sentAt.set(String(id), Date.now());
				const delivery = signedWooDelivery('order.created', wooOrderPayload({ id, status: 'processing', total: '25.00', email: `bench${id % 50}@example.com` }), env.wooSecret, randomUUID());
				return { body: delivery.body, headers: delivery.headers };
			},
		});
		const earned = await until(async () => {
			const rows = await store.db.query<{ order_id: string; created_at: string }>("SELECT order_id, created_at FROM ledger_entries WHERE order_source = 'woocommerce' AND kind IN ('earn', 'pending') AND order_id >= '900000'");
			return rows.length >= load.ok ? rows : undefined;
		});
		const rows = earned ?? [];
		const lastAt = Math.max(...rows.map((r) => Date.parse(r.created_at)), started);
		const seconds = (lastAt - started) / 1000;
		const latencies = rows.map((r) => Date.parse(r.created_at) - (sentAt.get(r.order_id) ?? Date.parse(r.created_at))).sort((a, b) => a - b);
		const purchasesPerSecond = +(rows.length / seconds).toFixed(1);
		const runs = executionsOf(env.userFolder, env.workflowId).filter((r) => Date.parse(String(r.startedAt)) >= started);
		console.log(
			JSON.stringify({
				bench: 'webhook.points-on-purchase',
				clients: 4,
				requests: load.totalRequests,
				answered200: load.ok,
				ordersEarned: rows.length,
				workflowRuns: runs.length,
				seconds: +seconds.toFixed(2),
				purchasesPerSecond,
				answerP50ms: load.latencyMs.p50,
				answerP99ms: load.latencyMs.p99,
				deliveryToPointsP50ms: percentile(latencies, 50),
				deliveryToPointsP99ms: percentile(latencies, 99),
				note: 'the webhook records and answers; the Loyalty Event Trigger runs Award Points (several events per run when they pile up)',
			}),
		);
		const duplicate = signedWooDelivery('order.created', wooOrderPayload({ id: 1, status: 'processing', total: '25.00', email: 'dup@example.com' }), env.wooSecret);
		const dupes = await runLoad({ url: env.wooUrl, concurrency: 4, durationMs: DURATION_MS, request: () => duplicate });
		console.log(JSON.stringify({ bench: 'webhook.duplicate-delivery', clients: 4, requests: dupes.totalRequests, answeredPerSecond: dupes.perSecond, p50ms: dupes.latencyMs.p50, p99ms: dupes.latencyMs.p99, note: 'recorded before: answered, no run' }));
		console.log(
			JSON.stringify({
				bench: 'webhook.ratio',
				peer: 'bare n8n Webhook → Set, same instance',
				purchasesToBareExecutions: +(purchasesPerSecond / bare.executionsPerSecond).toFixed(2),
				duplicatesToBareExecutions: +(dupes.perSecond / bare.executionsPerSecond).toFixed(2),
			}),
		);
	} finally {
		await store.close();
		await env.stop();
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
