/**
 * `npm run bench`: ledger throughput. Prints one JSON line per measurement. A benchmark, not a
 * test: it asserts nothing about speed, but it does check the books (ledger sum = balances,
 * zero double awards) and says so in its output, and a `ledger.goal` line says whether the
 * throughput goal of issue 14 was met (at 20,000 awards or more, with the books right).
 *
 * What is measured: paid orders of 200 customers earning points through the ledger's public API,
 * the one Award Points and the import call. `groupSize` 1 is `earnForOrder`, one order and one
 * transaction at a time (a lone webhook); larger sizes are `earnForOrders`, group commit, which a
 * caller uses when it has many orders at once (a webhook burst that the event trigger hands over
 * in one run, an n8n execution with many items, an import). BENCH_GROUP chooses the
 * sizes (default 1,10,100,1000); the group-1 line is the peer every `ledger.goal` line is compared with (`vsOnePerCommit`).
 * Each line also gives the CPU the bench process used (`cpuSeconds`; the database's own is in it
 * for SQLite, not for PostgreSQL's server) and the machine's load average while it ran, because
 * the figures depend on how much of a core the process got.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { verifyBalances, Ledger, openStore, type OrderInput, type Store, type StoreConfig } from '../engine';
import { POSTGRES } from '../test/support/stores';
import { peakRssMb, resetPeak } from './rss';

const AWARDS = Number(process.env.BENCH_AWARDS ?? 20_000);
/** Awards per second wanted (issue 14): SQLite with one writer, PostgreSQL with four. */
const GOALS: Record<string, number> = { sqlite: 20_000, postgres: 3_000 };
const MIN_AWARDS_FOR_GOAL = 20_000;
const CUSTOMERS = 200;

function orders(count: number, prefix: string): OrderInput[] {
	return Array.from({ length: count }, (_, i) => ({
		source: 'woocommerce' as const,
		id: `${prefix}-${i}`,
		status: 'paid' as const,
		placedAt: '2026-03-01T10:00:00Z',
		currency: 'USD',
		totalMinor: 1000 + ((i * 7919) % 20000),
		lines: [],
		customer: { identities: { email: `bench${i % CUSTOMERS}@example.com` } },
	}));
}

/**
 * Orders per group commit (`Ledger.earnForOrders`, what Award Points and the import use when they
 * are handed many orders at once); 1 is one transaction per award (`earnForOrder`, a lone webhook).
 */
const GROUP_SIZES = (process.env.BENCH_GROUP ?? '1,10,100,1000').split(',').map(Number);

/** Awards `work` (each writer takes the next `groupSize` orders) and returns how many came back as replays. */
async function award(ledger: Ledger, work: OrderInput[], writers: number, groupSize: number): Promise<number> {
	let next = 0;
	let replays = 0;
	const worker = async () => {
		while (next < work.length) {
			if (groupSize === 1) {
				if ((await ledger.earnForOrder(work[next++])).replay) replays++;
				continue;
			}
			const group = work.slice(next, next + groupSize);
			next += group.length;
			for (const outcome of await ledger.earnForOrders(group.map((order) => ({ order })))) {
				if (!outcome.ok) throw outcome.error;
				if (outcome.result.replay) replays++;
			}
		}
	};
	await Promise.all(Array.from({ length: writers }, worker));
	return replays;
}

/** Runs `work` and says how long it took, how much CPU this process used, and the load meanwhile. */
async function timed<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number; cpuSeconds: number; loadAverage: number }> {
	const started = performance.now();
	const cpu = process.cpuUsage();
	const value = await work();
	const used = process.cpuUsage(cpu);
	return { value, seconds: (performance.now() - started) / 1000, cpuSeconds: (used.user + used.system) / 1e6, loadAverage: +loadavg()[0].toFixed(2) };
}

/** Awards per second of the one-award-per-transaction run, per backend: the peer of the grouped runs. */
const onePerCommit = new Map<string, number>();

async function run(store: Store, backend: string, writers: number, groupSize: number): Promise<void> {
	const ledger = new Ledger(store, { pendingDays: 0 });
	const work = orders(AWARDS, `${backend}-${writers}-${groupSize}`);
	const api = groupSize === 1 ? 'earnForOrder' : 'earnForOrders';
	const [{ n: entriesBefore }] = await store.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM ledger_entries');
	resetPeak();
	const first = await timed(() => award(ledger, work, writers, groupSize));
	const firstReplays = first.value;
	const awardsPerSecond = Math.round(AWARDS / first.seconds);
	if (groupSize === 1) onePerCommit.set(backend, awardsPerSecond);
	console.log(JSON.stringify({ bench: 'ledger.award', backend, api, writers, groupSize, awards: AWARDS, seconds: +first.seconds.toFixed(3), awardsPerSecond, cpuSeconds: +first.cpuSeconds.toFixed(2), awardsPerCpuSecond: Math.round(AWARDS / first.cpuSeconds), loadAverage: first.loadAverage, peakRssMb: peakRssMb() }));

	resetPeak();
	const again = await timed(() => award(ledger, work, writers, groupSize));
	const replays = again.value;
	console.log(JSON.stringify({ bench: 'ledger.replay', backend, api, writers, groupSize, replays, seconds: +again.seconds.toFixed(3), replaysPerSecond: Math.round(AWARDS / again.seconds), cpuSeconds: +again.cpuSeconds.toFixed(2), loadAverage: again.loadAverage, peakRssMb: peakRssMb() }));

	const [{ n: entriesAfter }] = await store.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM ledger_entries');
	const entries = Number(entriesAfter) - Number(entriesBefore);
	const [{ n: doubles }] = await store.db.query<{ n: number }>("SELECT COUNT(*) AS n FROM (SELECT order_id FROM ledger_entries WHERE kind = 'earn' GROUP BY order_source, order_id HAVING COUNT(*) > 1) AS d");
	const mismatches = await verifyBalances(store);
	const booksOk = Number(doubles) === 0 && mismatches.length === 0 && replays === AWARDS && firstReplays === 0 && entries === AWARDS;
	console.log(JSON.stringify({ bench: 'ledger.check', backend, groupSize, entriesWritten: entries, doubleAwards: Number(doubles), replaysThatWrote: AWARDS - replays, balanceMismatches: mismatches.length, ok: booksOk, peakRssMb: peakRssMb() }));
	const goal = GOALS[backend];
	const peer = onePerCommit.get(backend);
	console.log(
		JSON.stringify({
			bench: 'ledger.goal',
			backend,
			api,
			writers,
			groupSize,
			awards: AWARDS,
			awardsPerSecond,
			...(peer !== undefined && groupSize !== 1 ? { onePerCommitAwardsPerSecond: peer, vsOnePerCommit: +(awardsPerSecond / peer).toFixed(2) } : {}),
			goal,
			booksOk,
			loadAverage: first.loadAverage,
			met: awardsPerSecond >= goal && booksOk && AWARDS >= MIN_AWARDS_FOR_GOAL,
		}),
	);
}

/** BENCH_BACKEND=sqlite or postgres runs only that one. */
const ONLY = process.env.BENCH_BACKEND;

async function main(): Promise<void> {
	if (ONLY !== 'postgres') await runSqlite();
	if (ONLY !== 'sqlite') await runPostgres();
}

async function runSqlite(): Promise<void> {
	const dir = mkdtempSync(join(tmpdir(), 'loyalty-bench-'));
	const sqlite = await openStore({ kind: 'sqlite', path: join(dir, 'bench.sqlite') });
	try {
		for (const groupSize of GROUP_SIZES) await run(sqlite, 'sqlite', 1, groupSize);
	} finally {
		await sqlite.close();
		rmSync(dir, { recursive: true, force: true });
	}
}

async function runPostgres(): Promise<void> {
	const schema = `loyalty_bench_${randomBytes(4).toString('hex')}`;
	const config: StoreConfig = { kind: 'postgres', ...POSTGRES, schema };
	let pg: Store | undefined;
	try {
		pg = await openStore(config);
	} catch (error) {
		console.log(JSON.stringify({ bench: 'ledger.award', backend: 'postgres', skipped: `PostgreSQL not reachable: ${(error as Error).message}` }));
	}
	if (pg) {
		try {
			for (const groupSize of GROUP_SIZES) await run(pg, 'postgres', 4, groupSize);
		} finally {
			await pg.close();
			const client = new Client(POSTGRES);
			await client.connect();
			await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
			await client.end();
		}
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
