/**
 * Webhook throughput in a real n8n, against n8n itself: the same instance serves n8n's bare
 * Webhook → Set workflow (the peer) and the shipped points-on-purchase template. Since intake is
 * at least once, the template's webhook only verifies, normalizes and records (and answers); the
 * Loyalty Event Trigger then starts the runs that award the points. So the product's rate is
 * purchases awarded per second, from the first request until the last order earned, and its
 * latency is from the moment a delivery was sent to the moment its points were written. Each
 * load is 4 clients for BENCH_WEBHOOK_MS (10 s).
 *
 * Each phase runs on its own (the next starts when the last one's runs are done) and reports the
 * CPU n8n's process group spent per request, read from /proc, apart from the bench process's own
 * (the load generator and the shop sandbox standing in for the vendors), and n8n's peak RSS.
 * BENCH_WEBHOOK_PHASES=bare,purchase,duplicate picks phases; BENCH_PROFILE_DIR=<dir> writes a CPU
 * profile of n8n main per phase (summarise it with `node --import tsx bench/profileSummary.ts`).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { inspectorUrl, startProfiler, type Profiler } from './cpuProfile';
import { groupCpuMs, ownCpuMs, peakRssMbOf } from './processCpu';
import { openStore } from '../engine';
import { bareWorkflow } from '../test/e2e/support/bareWorkflow';
import { runLoad } from '../test/e2e/support/load';
import { executionsOf } from '../test/e2e/support/n8n';
import { pointsOnPurchaseUnavailable, startPointsOnPurchase } from '../test/e2e/support/pointsOnPurchase';
import { signedWooDelivery, wooOrderPayload } from '../test/e2e/support/webhooks';

const DURATION_MS = Number(process.env.BENCH_WEBHOOK_MS ?? 10_000);
const PHASES = (process.env.BENCH_WEBHOOK_PHASES ?? 'bare,purchase,duplicate').split(',');
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR;

interface PhaseCpu {
	/** CPU ms n8n's process group (main and its task runner) spent in the phase, per request. */
	n8nCpuMsPerRequest: number;
	/** Share of the machine's 2 cores n8n used over the phase. */
	n8nCoresUsed: number;
	/** CPU ms of the bench process itself (load generator + shop sandbox), per request: not n8n's. */
	benchProcessCpuMsPerRequest: number;
	/** Requests the shop sandbox (the vendors' stand-in) served during the phase. */
	sandboxRequests: number;
	n8nPeakRssMb?: number;
}

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
	if (PROFILE_DIR) mkdirSync(PROFILE_DIR, { recursive: true });
	const env = await startPointsOnPurchase({
		extraWorkflows: [bareWorkflow('Bare webhook baseline', 'bench-bare')],
		mainEnv: PROFILE_DIR ? { NODE_OPTIONS: '--inspect=127.0.0.1:0' } : undefined,
	});
	const store = await openStore(env.storeConfig);
	const sandboxRequests = () => env.sandbox.woo.requests.length + env.sandbox.square.requests.length + env.sandbox.klaviyo.requests.length + env.sandbox.twilio.requests.length;

	/** Runs one phase between CPU samples (and a profile when asked); `requests` counts what it sent. */
	async function measured<T extends { requests: number }>(phase: string, body: () => Promise<T>): Promise<T & { cpu: PhaseCpu }> {
		const inspector = PROFILE_DIR ? inspectorUrl(env.n8n.log()) : undefined;
		const profiler: Profiler | undefined = inspector ? await startProfiler(inspector) : undefined;
		const n8nBefore = groupCpuMs(env.n8n.pid);
		const ownBefore = ownCpuMs();
		const sandboxBefore = sandboxRequests();
		const t0 = Date.now();
		const result = await body();
		const seconds = (Date.now() - t0) / 1000;
		const n8nMs = groupCpuMs(env.n8n.pid) - n8nBefore;
		const ownMs = ownCpuMs() - ownBefore;
		if (profiler) await profiler.stop(join(PROFILE_DIR!, `${phase}.cpuprofile`));
		const per = (ms: number) => +(ms / Math.max(1, result.requests)).toFixed(2);
		return {
			...result,
			cpu: {
				n8nCpuMsPerRequest: per(n8nMs),
				n8nCoresUsed: +(n8nMs / 1000 / seconds).toFixed(2),
				benchProcessCpuMsPerRequest: per(ownMs),
				sandboxRequests: sandboxRequests() - sandboxBefore,
				n8nPeakRssMb: peakRssMbOf(env.n8n.pid),
			},
		};
	}

	try {
		let bare: { executionsPerSecond: number } | undefined;
		if (PHASES.includes('bare')) {
			const bareId = env.extraWorkflowIds[0]!;
			const beforeBare = executionsOf(env.userFolder, bareId).length;
			const phase = await measured('bare', async () => {
				const bareStarted = Date.now();
				const bareLoad = await runLoad({ url: `${env.n8n.baseUrl}/webhook/bench-bare`, concurrency: 4, durationMs: DURATION_MS, body: (c, n) => ({ n: c * 1_000_000 + n }) });
				const bareDone = await until(() => {
					const runs = executionsOf(env.userFolder, bareId).slice(beforeBare);
					const done = runs.filter((r) => !['new', 'running', 'waiting'].includes(r.status));
					return done.length >= bareLoad.totalRequests ? { succeeded: done.filter((r) => r.status === 'success').length, at: Date.now() } : undefined;
				});
				return { requests: bareLoad.totalRequests, bareLoad, bareDone, seconds: ((bareDone?.at ?? Date.now()) - bareStarted) / 1000 };
			});
			const line = {
				bench: 'webhook.bare-n8n',
				peer: 'n8n Webhook → Set',
				clients: 4,
				requests: phase.requests,
				executionsSucceeded: phase.bareDone?.succeeded ?? 0,
				seconds: +phase.seconds.toFixed(2),
				executionsPerSecond: +((phase.bareDone?.succeeded ?? 0) / phase.seconds).toFixed(1),
				p50ms: phase.bareLoad.latencyMs.p50,
				p99ms: phase.bareLoad.latencyMs.p99,
				...phase.cpu,
			};
			bare = line;
			console.log(JSON.stringify(line));
		}

		let purchasesPerSecond: number | undefined;
		if (PHASES.includes('purchase')) {
			let order = 900_000;
			const sentAt = new Map<string, number>();
			const phase = await measured('purchase', async () => {
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
				return { requests: load.totalRequests, load, started, rows: earned ?? [] };
			});
			const { load, started, rows } = phase;
			const lastAt = Math.max(...rows.map((r) => Date.parse(r.created_at)), started);
			const seconds = (lastAt - started) / 1000;
			const latencies = rows.map((r) => Date.parse(r.created_at) - (sentAt.get(r.order_id) ?? Date.parse(r.created_at))).sort((a, b) => a - b);
			purchasesPerSecond = +(rows.length / seconds).toFixed(1);
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
					...phase.cpu,
					note: 'the webhook records and answers; the Loyalty Event Trigger runs Award Points (several events per run when they pile up)',
				}),
			);
		}

		let duplicatesPerSecond: number | undefined;
		if (PHASES.includes('duplicate')) {
			const duplicate = signedWooDelivery('order.created', wooOrderPayload({ id: 1, status: 'processing', total: '25.00', email: 'dup@example.com' }), env.wooSecret);
			// The first delivery is new (recorded, awarded); every one after it is the duplicate measured.
			await runLoad({ url: env.wooUrl, concurrency: 1, durationMs: 1, maxRequests: 1, request: () => duplicate });
			const phase = await measured('duplicate', async () => {
				const dupes = await runLoad({ url: env.wooUrl, concurrency: 4, durationMs: DURATION_MS, request: () => duplicate });
				return { requests: dupes.totalRequests, dupes };
			});
			duplicatesPerSecond = phase.dupes.perSecond;
			console.log(JSON.stringify({ bench: 'webhook.duplicate-delivery', clients: 4, requests: phase.requests, answeredPerSecond: phase.dupes.perSecond, p50ms: phase.dupes.latencyMs.p50, p99ms: phase.dupes.latencyMs.p99, ...phase.cpu, note: 'recorded before: answered, no run' }));
		}

		if (bare) {
			console.log(
				JSON.stringify({
					bench: 'webhook.ratio',
					peer: 'bare n8n Webhook → Set, same instance',
					purchasesToBareExecutions: purchasesPerSecond === undefined ? undefined : +(purchasesPerSecond / bare.executionsPerSecond).toFixed(2),
					duplicatesToBareExecutions: duplicatesPerSecond === undefined ? undefined : +(duplicatesPerSecond / bare.executionsPerSecond).toFixed(2),
					goals: { purchases: '≥ 0.8', duplicates: '≥ 1.0' },
				}),
			);
		}
	} finally {
		await store.close();
		await env.stop();
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
