/**
 * `npm run bench`: customer intelligence. Prints one JSON line per measurement.
 * 1. Fit time of BG/NBD, Pareto/NBD and Gamma-Gamma on CDNOW (skipped, saying why, without the
 *    reference data). Target: under 100 ms.
 * 2. Segment + fit (one SQL aggregation, fit BG/NBD + Gamma-Gamma, score and save everyone) for
 *    BENCH_CUSTOMERS customers / about 10 orders each in a SQLite store, with peak memory. Target: 1M orders under 60 s and 1 GB.
 *    BENCH_INSIGHT_CDNOW_ONLY=1 skips it, for quick iterations on the fits. Every customer gets
 *    80% intervals and a certainty label; BENCH_INSIGHT_DRAWS sets the parameter draws (0 leaves
 *    the intervals out, to measure what they cost; unset, the engine's default).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BetaGeoFitter, GammaGammaFitter, InsightService, ParetoNbdFitter, fitModels, openStore } from '../engine';
import { cdnowOrSkip, cdnowSummary } from '../test/unit/insight/referenceSample';
import { randomSource, simulateBetaGeoCustomer } from '../test/unit/insight/simulate';

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 100_000);
const DRAWS = process.env.BENCH_INSIGHT_DRAWS === undefined ? undefined : Number(process.env.BENCH_INSIGHT_DRAWS);

function timed<T>(work: () => T): { result: T; ms: number } {
	const started = performance.now();
	const result = work();
	return { result, ms: +(performance.now() - started).toFixed(1) };
}

function benchCdnow(): void {
	const cdnow = cdnowOrSkip();
	if (cdnow.skip !== false) {
		console.log(JSON.stringify({ bench: 'insight.cdnow_fit', skipped: cdnow.skip }));
		return;
	}
	const summary = cdnowSummary(cdnow.dir);
	const repeat = summary.filter((c) => c.frequency > 0);
	for (const [model, fit] of [
		['bgnbd', () => new BetaGeoFitter().fit(summary).fitResult],
		['pareto-nbd', () => new ParetoNbdFitter().fit(summary).fitResult],
		['gamma-gamma', () => new GammaGammaFitter().fit(repeat).fitResult],
	] as [string, () => { customers: number; logLikelihood: number }][]) {
		const cold = timed(fit);
		const warm = [timed(fit).ms, timed(fit).ms, timed(fit).ms].sort((a, b) => a - b)[1];
		console.log(JSON.stringify({ bench: 'insight.cdnow_fit', model, customers: cold.result.customers, coldMs: cold.ms, warmMs: warm, logLikelihood: +cold.result.logLikelihood.toFixed(2) }));
	}
}

async function benchStore(): Promise<void> {
	const dir = mkdtempSync(join(tmpdir(), 'loyalty-insight-bench-'));
	const store = await openStore({ kind: 'sqlite', path: join(dir, 'loyalty.sqlite') });
	try {
		const random = randomSource(42);
		const start = Date.UTC(2024, 0, 1);
		const asOf = '2025-12-31';
		let orders = 0;
		const seeded = performance.now();
		// One transaction and one cached prepared statement per table: the store's own Db.
		await store.transaction(async (sql) => {
			for (let c = 0; c < CUSTOMERS; c++) {
				const id = `b${c}`;
				await sql.execute('INSERT INTO customers (id, profile, created_at, updated_at) VALUES ($1, $2, $3, $3)', [id, '{}', '2024-01-01T00:00:00.000Z']);
				const firstDay = Math.floor(random() * 365);
				const history = simulateBetaGeoCustomer(random, { r: 1, alpha: 6, a: 0.3, b: 4 }, (730 - firstDay) / 7);
				const days = [firstDay];
				for (let k = 1; k <= history.frequency; k++) days.push(firstDay + Math.ceil((history.recency * 7 * k) / history.frequency));
				for (let k = 0; k < days.length; k++) {
					const placedAt = new Date(start + days[k] * 86_400_000 + 36_000_000).toISOString();
					await sql.execute(
						`INSERT INTO orders (source, id, customer_id, status, placed_at, currency, total_minor, refunded_minor, payload, updated_at) VALUES ('generic', $1, $2, 'paid', $3, 'USD', $4, 0, '{}', $3)`,
						[`${id}-${k}`, id, placedAt, 1000 + Math.floor(random() * 9000)],
					);
					orders++;
				}
			}
		});
		const seedSeconds = (performance.now() - seeded) / 1000;
		const service = new InsightService(store, { programId: 'bench' });
		// What a shop's weekly job does: one aggregation in SQL, fit, score everyone, save.
		let started = performance.now();
		const run = await service.scoreAll(asOf, { refit: true, ...(DRAWS === undefined ? {} : { uncertainty: { draws: DRAWS } }) });
		const segmentPlusFitSeconds = (performance.now() - started) / 1000;
		const fitted = run.models;
		// The parts, for where the time goes.
		started = performance.now();
		const activity = await service.activity(asOf);
		const aggregateSeconds = (performance.now() - started) / 1000;
		started = performance.now();
		fitModels(activity, asOf, 'bgnbd');
		const fitSeconds = (performance.now() - started) / 1000;
		console.log(
			JSON.stringify({
				bench: 'insight.segment_store',
				backend: 'sqlite',
				customers: activity.length,
				orders,
				seedSeconds: +seedSeconds.toFixed(1),
				aggregateSeconds: +aggregateSeconds.toFixed(2),
				fitSeconds: +fitSeconds.toFixed(2),
				segmentPlusFitSeconds: +segmentPlusFitSeconds.toFixed(2),
				peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
				fitted: fitted.transaction ? { ...fitted.transaction.params, customers: fitted.transaction.customers } : fitted.fallbackReason,
				moved: run.changes.length,
				draws: DRAWS ?? 'default',
				certainty: Object.fromEntries(['high', 'medium', 'low'].map((label) => [label, run.customers.filter((c) => c.certainty === label).length])),
			}),
		);
	} finally {
		await store.close();
		rmSync(dir, { recursive: true, force: true });
	}
}

benchCdnow();
if (process.env.BENCH_INSIGHT_CDNOW_ONLY) console.log(JSON.stringify({ bench: 'insight.segment_store', skipped: 'BENCH_INSIGHT_CDNOW_ONLY is set' }));
else benchStore().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
