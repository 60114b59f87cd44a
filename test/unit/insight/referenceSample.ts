import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { notRun } from '../../support/notRun';
import { referenceDir } from '../../support/prism';
import type { Transaction } from '../../../engine/insight';

/** The CDNOW sample from ../shared/reference (never copied into the repo), or why it is absent. */
export function cdnowOrSkip(): { dir: string; skip: false } | { dir: undefined; skip: string } {
	const dir = path.join(referenceDir(), 'cdnow');
	if (existsSync(path.join(dir, 'CDNOW_sample.txt')) && existsSync(path.join(dir, 'cdnow_customers_summary_with_transactions.csv'))) return { dir, skip: false };
	const reason = `CDNOW reference data not found in ${dir} (set LOYALTY_REFERENCE_DIR to the reference folder to run these tests)`;
	notRun('CDNOW reference checks (published BG/NBD, Pareto/NBD, Gamma-Gamma results)', `CDNOW reference data not found in ${dir}`, 'set LOYALTY_REFERENCE_DIR to the reference folder (with cdnow/) to run them');
	return { dir: undefined, skip: reason };
}

/** CDNOW_sample.txt: whitespace separated, no header: master_id sample_id yyyymmdd n_cds dollars. */
export function cdnowTransactions(dir: string): Transaction[] {
	return readFileSync(path.join(dir, 'CDNOW_sample.txt'), 'utf8')
		.split(/\r?\n/)
		.filter((line) => line.trim())
		.map((line) => {
			const [, sampleId, date, , dollars] = line.trim().split(/\s+/);
			return { customerId: String(Number(sampleId)), placedAt: `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}`, amount: Number(dollars) };
		});
}

/** The published per-customer summary (x, t_x, T in weeks rounded to 2 decimals, mean repeat spend). */
export function cdnowSummary(dir: string): { customerId: string; frequency: number; recency: number; T: number; monetaryValue: number }[] {
	return readFileSync(path.join(dir, 'cdnow_customers_summary_with_transactions.csv'), 'utf8')
		.split(/\r?\n/)
		.slice(1)
		.filter((line) => line.trim())
		.map((line) => {
			const [id, x, tx, T, zbar] = line.split(',');
			return { customerId: id, frequency: Number(x), recency: Number(tx), T: Number(T), monetaryValue: Number(zbar) };
		});
}
