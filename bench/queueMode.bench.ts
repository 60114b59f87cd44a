/**
 * Queue mode measured, as a shop that outgrew one n8n runs it: n8n main + 2 workers, n8n's own
 * database in PostgreSQL, jobs through Redis, the loyalty store in PostgreSQL too. In that same
 * setup, and in the same run, n8n's bare Webhook → Set (the peer) and the shipped
 * points-on-purchase template fed signed WooCommerce and Square deliveries (half the clients each;
 * the Square trigger looks each payment's order and customer up in the shop sandbox, as it would
 * at Square). Each load is 4 clients for BENCH_QUEUE_MS (10 s); phases run one after the other,
 * the next when the last one's runs are done, bare before and after the purchases so a machine
 * shared with other jobs drifts into both sides of the ratio.
 *
 * Rates count to the last run finished (bare) or the last order earned (purchases), from the first
 * request. Every phase reports the CPU each process spent per request, read from /proc: n8n main
 * and each worker (their process groups, task runners included), the PostgreSQL server processes
 * serving them (found through their connections), the whole Redis server, and the bench process
 * (load generator and shop sandbox, not n8n's). After the purchases the books are checked: every
 * answered delivery earned exactly once, balances match the ledger, nothing still owed.
 *
 * BENCH_QUEUE_PHASES=bare,purchase,bare picks phases; BENCH_QUEUE_WORKERS (2), BENCH_QUEUE_CLIENTS
 * (4); BENCH_PROFILE_DIR=<dir> writes a CPU profile of main and of each worker per phase
 * (`node --import tsx bench/profileSummary.ts <file> <requests>`). Skipped, with the reason, when
 * PostgreSQL or Redis does not answer.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { inspectorUrl, startProfiler, type Profiler } from './cpuProfile';
import { clientPortsTo, cpuMsOfPids, groupCpuMs, ownCpuMs, peakRssMbOf, pidsOfCommand } from './processCpu';
import { openStore, verifyBalances, type Store } from '../engine';
import { bareWorkflow } from '../test/e2e/support/bareWorkflow';
import { runLoad, type LoadResult } from '../test/e2e/support/load';
import { startPointsOnPurchase, type PointsOnPurchaseEnv } from '../test/e2e/support/pointsOnPurchase';
import { signedSquareDelivery, signedWooDelivery, squarePaymentNotification, wooOrderPayload } from '../test/e2e/support/webhooks';
import { REDIS, redisUnavailable } from '../test/support/redis';
import { POSTGRES, postgresUnavailable } from '../test/support/stores';

const DURATION_MS = Number(process.env.BENCH_QUEUE_MS ?? 10_000);
const CLIENTS = Number(process.env.BENCH_QUEUE_CLIENTS ?? 4);
const WORKERS = Number(process.env.BENCH_QUEUE_WORKERS ?? 2);
const PHASES = (process.env.BENCH_QUEUE_PHASES ?? 'bare,purchase,bare').split(',');
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR;
const SETUP = `n8n main + ${WORKERS} workers (queue mode), PostgreSQL (n8n's database and the loyalty store), Redis`;
const RATIO_GOAL = 0.8;
const UNFINISHED = ['new', 'running', 'waiting'];

function percentile(sorted: number[], p: number): number {
	if (sorted.length === 0) return 0;
	return +sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(1);
}

function loadAverage(): number | undefined {
	try {
		return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
	} catch {
		return undefined;
	}
}

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T | undefined> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined || Date.now() > deadline) return value;
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

/** The processes whose CPU a phase reports: n8n main, each worker, and the servers they use. */
interface Roles {
	/** n8n process groups by name (main, worker1, …). */
	groups: Record<string, number>;
}

interface CpuSample {
	groups: Record<string, number>;
	/** CPU so far of each PostgreSQL server process serving a role, by role. */
	postgres: Record<string, Map<number, number>>;
	redis: number;
	own: number;
}

async function postgresBackendsOf(admin: Client, processGroup: number): Promise<number[]> {
	const ports = clientPortsTo(processGroup, POSTGRES.port);
	if (ports.length === 0) return [];
	const rows = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE client_port = ANY($1::int[])', [ports]);
	return rows.rows.map((r) => Number(r.pid));
}

async function sampleCpu(admin: Client, roles: Roles): Promise<CpuSample> {
	const groups: Record<string, number> = {};
	const postgres: CpuSample['postgres'] = {};
	for (const [role, group] of Object.entries(roles.groups)) {
		groups[role] = groupCpuMs(group);
		postgres[role] = cpuMsOfPids(await postgresBackendsOf(admin, group));
	}
	const redis = [...cpuMsOfPids(pidsOfCommand('redis-server')).values()].reduce((a, b) => a + b, 0);
	return { groups, postgres, redis, own: ownCpuMs() };
}

interface PhaseCpu {
	/** CPU ms per request of each n8n process group, of the PostgreSQL server processes serving each, of the whole Redis server, and of the bench process (load generator + shop sandbox). */
	cpuMsPerRequest: Record<string, number>;
	/**
	 * Extrapolated, not measured: the requests a second main, one worker, and the PostgreSQL server
	 * could each carry with a whole core to itself (1000 / its CPU ms per request), on this machine.
	 */
	ceilingPerSecondOnOneCore: { main: number; perWorker: number; postgres: number };
	/** The same as a share of one core over the phase (the machine has 2). */
	coresUsed: Record<string, number>;
	/** PostgreSQL sessions each n8n process held at the end of the phase. */
	postgresSessions: Record<string, number>;
	peakRssMb: Record<string, number | undefined>;
	loadAverage?: number;
}

function cpuBetween(before: CpuSample, after: CpuSample, requests: number, seconds: number, env: PointsOnPurchaseEnv): PhaseCpu {
	const spent: Record<string, number> = {};
	const sessions: Record<string, number> = {};
	for (const role of Object.keys(after.groups)) {
		spent[role] = after.groups[role]! - (before.groups[role] ?? 0);
		let postgres = 0;
		for (const [pid, ms] of after.postgres[role]!) postgres += ms - (before.postgres[role]?.get(pid) ?? 0);
		spent[`postgres for ${role}`] = postgres;
		sessions[role] = after.postgres[role]!.size;
	}
	spent['redis-server (whole)'] = after.redis - before.redis;
	spent['bench process (not n8n)'] = after.own - before.own;
	const per = (ms: number) => +(ms / Math.max(1, requests)).toFixed(2);
	const cores = (ms: number) => +(ms / 1000 / Math.max(0.001, seconds)).toFixed(2);
	const sum = (pick: (role: string) => boolean) => Object.entries(spent).filter(([k]) => pick(k)).reduce((total, [, ms]) => total + ms, 0);
	const ceiling = (ms: number) => +(1000 / Math.max(0.001, ms / Math.max(1, requests))).toFixed(1);
	return {
		cpuMsPerRequest: Object.fromEntries(Object.entries(spent).map(([k, ms]) => [k, per(ms)])),
		ceilingPerSecondOnOneCore: {
			main: ceiling(spent.main ?? 0),
			perWorker: ceiling(sum((k) => k.startsWith('worker'))),
			postgres: ceiling(sum((k) => k.startsWith('postgres for'))),
		},
		coresUsed: Object.fromEntries(Object.entries(spent).map(([k, ms]) => [k, cores(ms)])),
		postgresSessions: sessions,
		peakRssMb: { main: peakRssMbOf(env.n8n.pid), ...Object.fromEntries(env.workers.map((w, i) => [`worker${i + 1}`, peakRssMbOf(w.pid)])) },
		loadAverage: loadAverage(),
	};
}

async function main(): Promise<void> {
	const unavailable = (await postgresUnavailable()) ?? (await redisUnavailable());
	if (unavailable) {
		console.log(JSON.stringify({ bench: 'queue', skipped: `${unavailable}; queue mode needs PostgreSQL (LOYALTY_PG_*) and Redis at ${REDIS.host}:${REDIS.port} (LOYALTY_REDIS_HOST, LOYALTY_REDIS_PORT)` }));
		return;
	}
	if (PROFILE_DIR) mkdirSync(PROFILE_DIR, { recursive: true });
	const suffix = randomBytes(4).toString('hex');
	const n8nSchema = `n8n_bench_queue_${suffix}`;
	const loyaltySchema = `loyalty_bench_queue_${suffix}`;
	const admin = new Client(POSTGRES);
	await admin.connect();
	await admin.query(`CREATE SCHEMA "${n8nSchema}"`);
	let env: PointsOnPurchaseEnv | undefined;
	let store: Store | undefined;
	try {
		const inspect = PROFILE_DIR ? { NODE_OPTIONS: '--inspect=127.0.0.1:0' } : undefined;
		env = await startPointsOnPurchase({
			postgresSchema: loyaltySchema,
			queueMode: { n8nSchema, redisPrefix: `loyalty-bench-${suffix}`, workers: WORKERS },
			extraWorkflows: [bareWorkflow('Bare webhook baseline', 'bench-bare')],
			mainEnv: inspect,
			workerEnv: inspect,
		});
		store = await openStore(env.storeConfig);
		await runPhases(env, store, admin, n8nSchema);
	} finally {
		await store?.close().catch(() => undefined);
		await env?.stop();
		await admin.query(`DROP SCHEMA IF EXISTS "${n8nSchema}" CASCADE`).catch(() => undefined);
		await admin.query(`DROP SCHEMA IF EXISTS "${loyaltySchema}" CASCADE`).catch(() => undefined);
		await admin.end();
	}
}

async function runPhases(env: PointsOnPurchaseEnv, store: Store, admin: Client, n8nSchema: string): Promise<void> {
	const roles: Roles = { groups: { main: env.n8n.pid, ...Object.fromEntries(env.workers.map((w, i) => [`worker${i + 1}`, w.pid])) } };
	const processes = [{ role: 'main', n8n: env.n8n }, ...env.workers.map((n8n, i) => ({ role: `worker${i + 1}`, n8n }))];
	const startedPerWorker = () => env.workers.map((w) => (w.log().match(/started execution/gi) ?? []).length);
	const sandboxRequests = () => env.sandbox.woo.requests.length + env.sandbox.square.requests.length;
	const finishedRuns = async (workflowId: string, since: number) => {
		const rows = await admin.query<{ status: string; ms: number }>(
			`SELECT status, EXTRACT(EPOCH FROM ("stoppedAt" - "createdAt")) * 1000 AS ms FROM "${n8nSchema}".execution_entity WHERE "workflowId" = $1 AND "createdAt" >= to_timestamp($2 / 1000.0) AND status <> ALL($3::text[])`,
			[workflowId, since, UNFINISHED],
		);
		return rows.rows.map((r) => ({ status: r.status, ms: Number(r.ms) }));
	};

	/** Runs one phase between CPU samples (and profiles when asked). */
	async function measured<T extends { requests: number; seconds: number }>(phase: string, body: () => Promise<T>): Promise<T & { cpu: PhaseCpu; runsPerWorker: number[] }> {
		const profilers: Array<{ role: string; profiler: Profiler }> = [];
		if (PROFILE_DIR) {
			for (const { role, n8n } of processes) {
				const url = inspectorUrl(n8n.log());
				if (url) profilers.push({ role, profiler: await startProfiler(url) });
			}
		}
		const startedBefore = startedPerWorker();
		const before = await sampleCpu(admin, roles);
		const result = await body();
		const after = await sampleCpu(admin, roles);
		for (const { role, profiler } of profilers) await profiler.stop(join(PROFILE_DIR!, `queue-${phase}-${role}.cpuprofile`));
		const runsPerWorker = startedPerWorker().map((n, i) => n - startedBefore[i]!);
		return { ...result, runsPerWorker, cpu: cpuBetween(before, after, result.requests, result.seconds, env) };
	}

	const purchases = await purchasesOf(env);
	await warmUp(env, purchases, store, finishedRuns);
	const bareRates: number[] = [];
	let purchasesPerSecond: number | undefined;
	let round = 0;
	for (const phase of PHASES) {
		round++;
		if (phase === 'bare') {
			const bareId = env.extraWorkflowIds[0]!;
			const measuredBare = await measured('bare', async () => {
				const started = Date.now();
				const load = await runLoad({ url: `${env.n8n.baseUrl}/webhook/bench-bare`, concurrency: CLIENTS, durationMs: DURATION_MS, body: (c, n) => ({ n: c * 1_000_000 + n }) });
				const runs = (await until(async () => {
					const done = await finishedRuns(bareId, started);
					return done.length >= load.ok ? done : undefined;
				}, 5 * 60_000)) ?? (await finishedRuns(bareId, started));
				return { requests: load.totalRequests, load, runs, seconds: (Date.now() - started) / 1000 };
			});
			const { load, runs } = measuredBare;
			const succeeded = runs.filter((r) => r.status === 'success').length;
			const executionsPerSecond = +(succeeded / measuredBare.seconds).toFixed(1);
			bareRates.push(executionsPerSecond);
			const runMs = runs.map((r) => r.ms).sort((a, b) => a - b);
			console.log(
				JSON.stringify({
					bench: 'queue.bare-n8n',
					round,
					setup: SETUP,
					peer: 'n8n Webhook → Set',
					clients: CLIENTS,
					requests: load.totalRequests,
					answered200: load.ok,
					executionsSucceeded: succeeded,
					seconds: +measuredBare.seconds.toFixed(2),
					executionsPerSecond,
					executionsPerSecondPerWorker: +(executionsPerSecond / WORKERS).toFixed(1),
					answerP50ms: load.latencyMs.p50,
					answerP99ms: load.latencyMs.p99,
					requestToRunDoneP50ms: percentile(runMs, 50),
					requestToRunDoneP99ms: percentile(runMs, 99),
					runsPerWorker: measuredBare.runsPerWorker,
					...measuredBare.cpu,
				}),
			);
		}

		if (phase === 'purchase') {
			const line = await purchasePhase(env, store, purchases, measured, finishedRuns, sandboxRequests);
			purchasesPerSecond = line.purchasesPerSecond;
			console.log(JSON.stringify(line));
			if (!line.books.ok) process.exitCode = 1;
		}
	}

	if (bareRates.length > 0 && purchasesPerSecond !== undefined) {
		const bare = bareRates.reduce((a, b) => a + b, 0) / bareRates.length;
		const ratio = +(purchasesPerSecond / bare).toFixed(2);
		console.log(
			JSON.stringify({
				bench: 'queue.ratio',
				setup: SETUP,
				peer: 'bare n8n Webhook → Set, same setup and run',
				bareExecutionsPerSecond: bareRates,
				purchasesPerSecond,
				purchasesToBareExecutions: ratio,
				goal: `≥ ${RATIO_GOAL} (the single-instance goal of issue 14; queue mode states its figure)`,
				met: ratio >= RATIO_GOAL,
				loadAverage: loadAverage(),
			}),
		);
	}
}

type Measured = <T extends { requests: number; seconds: number }>(phase: string, body: () => Promise<T>) => Promise<T & { cpu: PhaseCpu; runsPerWorker: number[] }>;
type FinishedRuns = (workflowId: string, since: number) => Promise<Array<{ status: string; ms: number }>>;

interface Sent {
	source: 'woocommerce' | 'square';
	orderId: string;
	sentAt: number;
	status?: number;
}

const orderKey = (s: { source: string; orderId: string }) => `${s.source}:${s.orderId}`;

/**
 * The shop's purchases: even clients send WooCommerce orders (50 customers by email), odd clients
 * Square payments (25 Square customers, a new order each in the sandbox, which the trigger looks up).
 * Every delivery sent is remembered with its answer, for the books check.
 */
async function purchasesOf(env: PointsOnPurchaseEnv) {
	const squareCustomers = Array.from({ length: 25 }, (_, i) => String(env.sandbox.square.createCustomer({ given_name: `Bench${i}`, email_address: `square-bench${i}@example.com` }).id));
	await env.sandbox.settled();
	const sent = new Map<string, Sent>();
	let wooOrder = 900_000;
	let squarePayment = 0;
	return {
		sent,
		/** The delivery for request `key`; even `client`s are WooCommerce's, odd ones Square's. */
		deliveryFor(key: string, client: number) {
			if (client % 2 === 0) {
				const id = wooOrder++;
				sent.set(key, { source: 'woocommerce', orderId: String(id), sentAt: Date.now() });
				return { url: env.wooUrl, ...signedWooDelivery('order.created', wooOrderPayload({ id, status: 'processing', total: '25.00', email: `bench${id % 50}@example.com` }), env.wooSecret, randomUUID()) };
			}
			const n = squarePayment++;
			const customerId = squareCustomers[n % squareCustomers.length]!;
			const order = env.sandbox.square.createOrder({ customer_id: customerId, line_items: [{ name: 'Flat white', quantity: '1', base_price_money: { amount: 2500, currency: 'USD' } }] });
			sent.set(key, { source: 'square', orderId: String(order.id), sentAt: Date.now() });
			return { url: env.squareUrl, ...signedSquareDelivery(squarePaymentNotification({ paymentId: `PAY-BENCH-${n}`, orderId: String(order.id), amount: 2500, customerId }), env.squareSignatureKey, env.squareUrl) };
		},
		answered(key: string, status: number) {
			const delivery = sent.get(key);
			if (delivery) delivery.status = status;
		},
	};
}
type Purchases = Awaited<ReturnType<typeof purchasesOf>>;

async function earnedRows(store: Store) {
	return store.db.query<{ order_source: string; order_id: string; created_at: string }>("SELECT order_source, order_id, created_at FROM ledger_entries WHERE kind IN ('earn', 'pending')");
}

/** Waits until every answered delivery among `keys` has earned (or the deadline); returns the ledger's earn rows. */
async function untilEarned(store: Store, purchases: Purchases, keys: string[], timeoutMs = 3 * 60_000) {
	const wanted = keys.map((k) => purchases.sent.get(k)!).filter((s) => s.status === 200).map(orderKey);
	return (
		(await until(async () => {
			const rows = await earnedRows(store);
			const booked = new Set(rows.map((r) => `${r.order_source}:${r.order_id}`));
			return wanted.every((k) => booked.has(k)) ? rows : undefined;
		}, timeoutMs)) ?? (await earnedRows(store))
	);
}

/**
 * One delivery of each source per client, then bare requests, before anything is measured: the
 * first request of each kind pays for connecting to the store, loading code and filling caches.
 */
async function warmUp(env: PointsOnPurchaseEnv, purchases: Purchases, store: Store, finishedRuns: FinishedRuns): Promise<void> {
	const started = Date.now();
	const keys: string[] = [];
	await runLoad({
		url: env.wooUrl,
		concurrency: 2,
		durationMs: 60_000,
		maxRequests: 4,
		request: (client, seq) => {
			keys.push(`warm-up:${client}:${seq}`);
			return purchases.deliveryFor(`warm-up:${client}:${seq}`, client);
		},
		onAnswer: (client, seq, status) => purchases.answered(`warm-up:${client}:${seq}`, status),
	});
	await untilEarned(store, purchases, keys);
	const bare = await runLoad({ url: `${env.n8n.baseUrl}/webhook/bench-bare`, concurrency: 2, durationMs: 60_000, maxRequests: 4, body: { n: 0 } });
	await until(async () => ((await finishedRuns(env.extraWorkflowIds[0]!, started)).length >= bare.ok ? true : undefined), 3 * 60_000);
}

async function purchasePhase(env: PointsOnPurchaseEnv, store: Store, purchases: Purchases, measured: Measured, finishedRuns: FinishedRuns, sandboxRequests: () => number) {
	const sandboxBefore = sandboxRequests();
	const keys: string[] = [];
	const phase = await measured('purchase', async () => {
		const started = Date.now();
		const load: LoadResult = await runLoad({
			url: env.wooUrl, // each request names its own (WooCommerce's or Square's)
			concurrency: CLIENTS,
			durationMs: DURATION_MS,
			request: (client, seq) => {
				keys.push(`purchase:${client}:${seq}`);
				return purchases.deliveryFor(`purchase:${client}:${seq}`, client);
			},
			onAnswer: (client, seq, status) => purchases.answered(`purchase:${client}:${seq}`, status),
		});
		const rows = await untilEarned(store, purchases, keys);
		const phaseOrders = new Set(keys.map((k) => orderKey(purchases.sent.get(k)!)));
		const lastAt = Math.max(started, ...rows.filter((r) => phaseOrders.has(`${r.order_source}:${r.order_id}`)).map((r) => Date.parse(r.created_at)));
		return { requests: load.totalRequests, load, rows, started, seconds: (lastAt - started) / 1000 };
	});

	const { load, rows, started } = phase;
	const bookedTimes = new Map<string, number[]>();
	for (const r of rows) {
		const key = `${r.order_source}:${r.order_id}`;
		bookedTimes.set(key, [...(bookedTimes.get(key) ?? []), Date.parse(r.created_at)]);
	}
	const inPhase = keys.map((k) => purchases.sent.get(k)!);
	const answeredInPhase = inPhase.filter((s) => s.status === 200);
	const earnedInPhase = answeredInPhase.filter((s) => bookedTimes.has(orderKey(s)));
	// The books: every delivery answered 200 so far (warm-up included) earned exactly once, nothing else did.
	const answeredEver = [...purchases.sent.values()].filter((s) => s.status === 200);
	const notEarned = answeredEver.filter((s) => !bookedTimes.has(orderKey(s)));
	const sentOrders = new Set([...purchases.sent.values()].map(orderKey));
	const earnedTwice = [...bookedTimes.values()].filter((times) => times.length > 1).length;
	const earnedUnsent = [...bookedTimes.keys()].filter((k) => !sentOrders.has(k)).length;
	const latencies = earnedInPhase.map((s) => bookedTimes.get(orderKey(s))![0]! - s.sentAt).sort((a, b) => a - b);
	// A run's events are marked done just after its points are written: let the last ones settle.
	const deliveriesByStatus = async () => await store.db.query<{ status: string; n: number }>('SELECT status, COUNT(*) AS n FROM event_deliveries GROUP BY status');
	const deliveries = (await until(async () => ((await deliveriesByStatus()).every((r) => r.status === 'done') ? await deliveriesByStatus() : undefined), 60_000)) ?? (await deliveriesByStatus());
	const [{ n: quarantined }] = await store.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM intake_quarantine');
	const mismatches = await verifyBalances(store);
	const runs = await finishedRuns(env.workflowId, started);
	const purchasesPerSecond = +(earnedInPhase.length / phase.seconds).toFixed(1);
	const bySource = (source: Sent['source']) => ({
		sent: inPhase.filter((s) => s.source === source).length,
		answered200: answeredInPhase.filter((s) => s.source === source).length,
		earned: earnedInPhase.filter((s) => s.source === source).length,
	});
	return {
		bench: 'queue.points-on-purchase',
		setup: SETUP,
		clients: CLIENTS,
		requests: load.totalRequests,
		answered200: load.ok,
		statusCounts: load.statusCounts,
		woocommerce: bySource('woocommerce'),
		square: bySource('square'),
		ordersEarned: earnedInPhase.length,
		workflowRuns: runs.length,
		workflowRunsFailed: runs.filter((r) => r.status !== 'success').length,
		runsPerWorker: phase.runsPerWorker,
		seconds: +phase.seconds.toFixed(2),
		purchasesPerSecond,
		purchasesPerSecondPerWorker: +(purchasesPerSecond / WORKERS).toFixed(1),
		answerP50ms: load.latencyMs.p50,
		answerP99ms: load.latencyMs.p99,
		deliveryToPointsP50ms: percentile(latencies, 50),
		deliveryToPointsP99ms: percentile(latencies, 99),
		sandboxRequests: sandboxRequests() - sandboxBefore,
		books: {
			answered: answeredEver.length,
			answeredNotEarned: notEarned.length,
			earnedTwice,
			earnedUnsent,
			balanceMismatches: mismatches.length,
			deliveriesByStatus: Object.fromEntries(deliveries.map((r) => [r.status, Number(r.n)])),
			quarantined: Number(quarantined),
			ok: notEarned.length === 0 && earnedTwice === 0 && earnedUnsent === 0 && mismatches.length === 0,
		},
		...phase.cpu,
		note: 'the webhook (main) records and answers; the Loyalty Event Trigger (main) starts the runs, the workers run Award Points (several events per run when they pile up)',
	};
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
