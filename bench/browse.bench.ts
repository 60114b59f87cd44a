/**
 * `npm run bench browse`: the cost of the browse and price triggers in the SQLite store.
 * - Views: BENCH_BROWSE_VIEWS views (default 3,000) of 200 customers over 300 products, recorded
 *   one delivery each through intake (the browse facts counted, the view kept, old ones pruned);
 *   the peer, in the same run, is as many `customer_updated` events through the same intake.
 * - Fan-out: one price report of a product BENCH_BROWSE_VIEWERS customers viewed (default 500):
 *   the comparison and one alert event per viewer, owed to one event trigger, in one transaction;
 *   then the same report again (a repeated delivery: nothing written).
 * Prints one JSON line with the machine's load average and the peak RSS.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { acceptEvents, acceptProductSnapshots, openStore, registerConsumer, type LoyaltyEvent, type Store } from '../engine';
import { peakRssMb, resetPeak } from './rss';

const VIEWS = Number(process.env.BENCH_BROWSE_VIEWS ?? 3_000);
const VIEWERS = Number(process.env.BENCH_BROWSE_VIEWERS ?? 500);
const T0 = Date.parse('2026-03-01T00:00:00Z');

function viewEvent(i: number, customer: number, product: string, at: number): LoyaltyEvent {
	return {
		id: `generic:v${i}`,
		type: 'product_viewed',
		source: 'generic',
		occurredAt: new Date(at).toISOString(),
		idempotencyKey: `generic:view:v${i}`,
		customer: { identities: { email: `c${customer}@example.com` } },
		product: { id: product, name: `Product ${product}`, categories: [`cat${Number(product.slice(1)) % 12}`], wishlisted: false },
	};
}

function customerEvent(i: number, customer: number, at: number): LoyaltyEvent {
	return { id: `generic:u${i}`, type: 'customer_updated', source: 'generic', occurredAt: new Date(at).toISOString(), idempotencyKey: `generic:event:u${i}`, customer: { identities: { email: `c${customer}@example.com` } } };
}

async function perSecond(count: number, work: (i: number) => Promise<unknown>): Promise<{ perSecond: number; seconds: number }> {
	const started = performance.now();
	for (let i = 0; i < count; i++) await work(i);
	const seconds = (performance.now() - started) / 1000;
	return { perSecond: Math.round(count / seconds), seconds: +seconds.toFixed(3) };
}

async function main(): Promise<void> {
	const dir = mkdtempSync(join(tmpdir(), 'loyalty-browse-bench-'));
	let store: Store | undefined;
	try {
		store = await openStore({ kind: 'sqlite', path: join(dir, 'browse.sqlite') });
		const s = store;
		resetPeak();
		const at = (i: number) => T0 + i * 60_000;
		const views = await perSecond(VIEWS, (i) => acceptEvents(s, [viewEvent(i, i % 200, `p${i % 300}`, at(i))], new Date(at(i))));
		const peer = await perSecond(VIEWS, (i) => acceptEvents(s, [customerEvent(i, i % 200, at(i))], new Date(at(i))));

		const fanAt = at(VIEWS) + 60_000;
		for (let c = 0; c < VIEWERS; c++) await acceptEvents(s, [viewEvent(VIEWS + c, 10_000 + c, 'hot', fanAt - 3_600_000 + c)], new Date(fanAt));
		await registerConsumer(s, { consumer: 'bench', eventTypes: ['price_dropped'] }, new Date(fanAt));
		await acceptProductSnapshots(s, [{ source: 'generic', id: 'hot', key: 'r0', observedAt: new Date(fanAt).toISOString(), priceMinor: 1000, currency: 'USD', inStock: true }], new Date(fanAt));
		const report = { source: 'generic' as const, id: 'hot', key: 'r1', observedAt: new Date(fanAt + 1000).toISOString(), priceMinor: 800, currency: 'USD', inStock: true };
		let started = performance.now();
		const [fan] = await acceptProductSnapshots(s, [report], new Date(fanAt + 1000));
		const fanSeconds = (performance.now() - started) / 1000;
		started = performance.now();
		const [again] = await acceptProductSnapshots(s, [report], new Date(fanAt + 2000));
		const repeatSeconds = (performance.now() - started) / 1000;
		console.log(
			JSON.stringify({
				bench: 'browse',
				backend: 'sqlite',
				views: VIEWS,
				viewsPerSecond: views.perSecond,
				peer: 'customer_updated events through the same intake',
				peerPerSecond: peer.perSecond,
				viewsVsPeer: +(views.perSecond / peer.perSecond).toFixed(2),
				fanOutViewers: VIEWERS,
				fanOutAlerts: fan.alerts.length,
				fanOutSeconds: +fanSeconds.toFixed(3),
				repeatAlerts: again.alerts.length,
				repeatSeconds: +repeatSeconds.toFixed(3),
				peakRssMb: peakRssMb(),
				loadAverage: loadavg().map((l) => +l.toFixed(2)),
			}),
		);
	} finally {
		await store?.close();
		rmSync(dir, { recursive: true, force: true });
	}
}

void main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
