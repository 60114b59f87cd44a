/**
 * Webhook throughput in a real n8n, as a ratio to n8n itself: the same instance serves n8n's bare
 * Webhook → Set workflow (the peer) and the shipped points-on-purchase template (verify the
 * signature, normalize, record the event, award points in SQLite). Each load is 4 clients for
 * 10 s; a rate counts executions that finished successfully, from the first request until the
 * last execution was done, since n8n answers webhooks before it runs the workflow.
 */
import { randomUUID } from 'node:crypto';
import { bareWorkflow } from '../test/e2e/support/bareWorkflow';
import { runLoad } from '../test/e2e/support/load';
import { executionsOf } from '../test/e2e/support/n8n';
import { pointsOnPurchaseUnavailable, startPointsOnPurchase } from '../test/e2e/support/pointsOnPurchase';
import { signedWooDelivery, wooOrderPayload } from '../test/e2e/support/webhooks';

const DURATION_MS = Number(process.env.BENCH_WEBHOOK_MS ?? 10_000);

async function drained(userFolder: string, workflowId: string, before: number, expected: number): Promise<{ succeeded: number; doneAt: number }> {
	const deadline = Date.now() + 5 * 60_000;
	for (;;) {
		const runs = executionsOf(userFolder, workflowId).slice(before);
		const done = runs.filter((r) => !['new', 'running', 'waiting'].includes(r.status));
		if (done.length >= expected || Date.now() > deadline) return { succeeded: done.filter((r) => r.status === 'success').length, doneAt: Date.now() };
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
	try {
		const bareId = env.extraWorkflowIds[0];
		const measure = async (name: string, workflowId: string, load: Parameters<typeof runLoad>[0], expectRuns: (ok: number) => number) => {
			const before = executionsOf(env.userFolder, workflowId).length;
			const started = Date.now();
			const result = await runLoad(load);
			const { succeeded, doneAt } = await drained(env.userFolder, workflowId, before, expectRuns(result.totalRequests));
			const seconds = (doneAt - started) / 1000;
			const line = { bench: name, clients: load.concurrency, requests: result.totalRequests, failedRequests: result.failed, executionsSucceeded: succeeded, seconds: +seconds.toFixed(2), executionsPerSecond: +(succeeded / seconds).toFixed(1), requestsPerSecond: result.perSecond, p50ms: result.latencyMs.p50, p99ms: result.latencyMs.p99 };
			console.log(JSON.stringify(line));
			return line;
		};
		const bare = await measure('webhook.bare-n8n', bareId, { url: `${env.n8n.baseUrl}/webhook/bench-bare`, concurrency: 4, durationMs: DURATION_MS, body: (c, n) => ({ n: c * 1_000_000 + n }) }, (n) => n);
		let order = 900_000;
		const loyalty = await measure(
			'webhook.points-on-purchase',
			env.workflowId,
			{
				url: env.wooUrl,
				concurrency: 4,
				durationMs: DURATION_MS,
				request: () => {
					const delivery = signedWooDelivery('order.created', wooOrderPayload({ id: order++, status: 'processing', total: '25.00', email: `bench${order % 50}@example.com` }), env.wooSecret, randomUUID());
					return { body: delivery.body, headers: delivery.headers };
				},
			},
			(n) => n,
		);
		const duplicate = signedWooDelivery('order.created', wooOrderPayload({ id: 1, status: 'processing', total: '25.00', email: 'dup@example.com' }), env.wooSecret);
		const dupes = await runLoad({ url: env.wooUrl, concurrency: 4, durationMs: DURATION_MS, request: () => duplicate });
		console.log(JSON.stringify({ bench: 'webhook.duplicate-delivery', clients: 4, requests: dupes.totalRequests, answeredPerSecond: dupes.perSecond, p50ms: dupes.latencyMs.p50, p99ms: dupes.latencyMs.p99, note: 'dropped by the trigger: no workflow run' }));
		console.log(JSON.stringify({ bench: 'webhook.ratio', peer: 'bare n8n Webhook → Set', loyaltyToBare: +(loyalty.executionsPerSecond / bare.executionsPerSecond).toFixed(2) }));
	} finally {
		await env.stop();
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
