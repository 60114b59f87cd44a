/**
 * `npm run bench referral`: what checking an order for a referral costs, beside what earning its
 * points costs (the peer, `Ledger.earnForOrder`, one order per transaction as a lone webhook), on
 * the same orders in the same process and store. Three kinds of order: with no code (most of a
 * shop's orders: one indexed look-up, nothing written), with a friend's code (the referral row, the
 * checks, two pending awards), and the same again (replays: nothing written). Also the time to
 * make codes: 8 callers at once for each customer. Checks after the run: each friend rewarded
 * once, and the books balance. Prints JSON lines with the machine's load average and peak RSS.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ledger, openStore, Referrals, verifyBalances, type OrderInput } from '../engine';
import { peakRssMb, resetPeak } from './rss';

const ORDERS = Number(process.env.BENCH_REFERRAL_ORDERS ?? 2_000);
const ADVOCATES = 50;

function order(id: string, email: string, referralCode?: string): OrderInput {
	return { source: 'woocommerce', id, status: 'paid', placedAt: '2026-03-01T10:00:00Z', currency: 'USD', totalMinor: 2500, lines: [], customer: { identities: { email } }, ...(referralCode ? { referralCode } : {}) };
}

async function timed(work: () => Promise<void>): Promise<number> {
	const started = performance.now();
	await work();
	return (performance.now() - started) / 1000;
}

const line = (fields: Record<string, unknown>) => console.log(JSON.stringify({ bench: 'referral', ...fields, peakRssMb: peakRssMb(), loadAverage: loadavg().map((l) => Math.round(l * 100) / 100) }));

async function main(): Promise<void> {
	const dir = mkdtempSync(join(tmpdir(), 'loyalty-bench-referral-'));
	const store = await openStore({ kind: 'sqlite', path: join(dir, 'bench.sqlite') });
	try {
		const now = () => new Date('2026-03-01T12:00:00Z');
		const ledger = new Ledger(store, {}, { now });
		// Enough room for every advocate's friends: this measures the work, not the limit.
		const referrals = new Referrals(store, ledger, { maxReferralsPerPeriod: ORDERS }, { now });
		resetPeak();
		const codes: string[] = [];
		const codeSeconds = await timed(async () => {
			for (let a = 0; a < ADVOCATES; a++) {
				const customer = await store.upsertCustomer({ identities: { email: `advocate${a}@example.com` } });
				const made = await Promise.all(Array.from({ length: 8 }, () => referrals.codeFor({ customerId: customer.id })));
				if (new Set(made.map((m) => m.code)).size !== 1) throw new Error('callers at once got different codes');
				codes.push(made[0].code);
			}
		});
		line({ measure: 'codes, 8 callers at once per customer', customers: ADVOCATES, perSecond: Math.round(ADVOCATES / codeSeconds) });

		const plain = Array.from({ length: ORDERS }, (_, i) => order(`plain-${i}`, `buyer${i}@example.com`));
		const referred = Array.from({ length: ORDERS }, (_, i) => order(`ref-${i}`, `friend${i}@example.com`, codes[i % ADVOCATES]));
		for (const [kind, work] of [['no code', plain], ['with a friend\'s code', referred]] as const) {
			resetPeak();
			const earnSeconds = await timed(async () => {
				for (const one of work) await ledger.earnForOrder(one);
			});
			line({ measure: `peer: earnForOrder, orders ${kind}`, orders: work.length, perSecond: Math.round(work.length / earnSeconds) });
			resetPeak();
			const checkSeconds = await timed(async () => {
				for (const one of work) await referrals.applyOrder(one);
			});
			line({ measure: `referral check, orders ${kind}`, orders: work.length, perSecond: Math.round(work.length / checkSeconds), vsEarn: Math.round((earnSeconds / checkSeconds) * 100) / 100 });
		}
		resetPeak();
		let replays = 0;
		const replaySeconds = await timed(async () => {
			for (const one of referred) if ((await referrals.applyOrder(one)).replay) replays++;
		});
		line({ measure: 'referral check, the same orders again (replays)', orders: referred.length, replays, perSecond: Math.round(referred.length / replaySeconds) });
		const [rewarded] = await store.db.query<{ n: number | string }>("SELECT COUNT(*) AS n FROM referrals WHERE status = 'rewarded'");
		const [pendingAwards] = await store.db.query<{ n: number | string }>("SELECT COUNT(*) AS n FROM ledger_operations WHERE idempotency_key LIKE 'referral:%'");
		const mismatches = await verifyBalances(store);
		line({ measure: 'books after the run', rewardedReferrals: Number(rewarded.n), rewardOperations: Number(pendingAwards.n), expectedRewardOperations: 2 * ORDERS, balanceMismatches: mismatches.length });
	} finally {
		await store.close();
		rmSync(dir, { recursive: true, force: true });
	}
}

void main();
