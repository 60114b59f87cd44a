import { LoyaltyError } from '../model/errors';
/**
 * The per-customer history every buy-till-you-die model reads, in the literature's notation:
 * `frequency` x = repeat transactions (distinct purchase periods − 1), `recency` t_x = time from the
 * first to the last transaction, `T` = time from the first transaction to the end of observation,
 * all in one time unit; `monetaryValue` = mean value of the repeat transactions (0 without any).
 */
export interface CustomerSummary {
	customerId: string;
	frequency: number;
	recency: number;
	T: number;
	monetaryValue: number;
}

/** One distinct history and how many customers share it. */
export interface WeightedHistory {
	frequency: number;
	recency: number;
	T: number;
	weight: number;
}

/**
 * Collapses customers with identical (x, t_x, T) into one weighted row, so a fit costs in
 * proportion to distinct histories rather than customers.
 */
export function uniqueHistories(histories: Iterable<{ frequency: number; recency: number; T: number }>): WeightedHistory[] {
	const byKey = new Map<string, WeightedHistory>();
	for (const { frequency, recency, T } of histories) {
		const key = `${frequency}|${recency}|${T}`;
		const seen = byKey.get(key);
		if (seen) seen.weight++;
		else byKey.set(key, { frequency, recency, T, weight: 1 });
	}
	return [...byKey.values()];
}

export function totalWeight(rows: readonly { weight: number }[]): number {
	let total = 0;
	for (const row of rows) total += row.weight;
	return total;
}

/** Rejects histories no model can read; `field` names where they came from. */
export function checkHistories(rows: readonly WeightedHistory[], field = 'summary'): void {
	if (rows.length === 0) throw LoyaltyError.invalid(field, 'there are no customers to fit');
	rows.forEach((row, i) => {
		const at = `${field}[${i}]`;
		if (!Number.isInteger(row.frequency) || row.frequency < 0) throw LoyaltyError.invalid(`${at}.frequency`, `must be a whole number >= 0 (got ${row.frequency})`);
		if (!(row.recency >= 0)) throw LoyaltyError.invalid(`${at}.recency`, `must be >= 0 (got ${row.recency})`);
		if (!(row.T >= row.recency)) throw LoyaltyError.invalid(`${at}.T`, `must be >= recency (got T=${row.T}, recency=${row.recency})`);
		if (row.frequency === 0 && row.recency !== 0) throw LoyaltyError.invalid(`${at}.recency`, `must be 0 when frequency is 0 (got ${row.recency})`);
		if (row.frequency > 0 && row.recency === 0) throw LoyaltyError.invalid(`${at}.recency`, 'must be > 0 when frequency is > 0');
		if (!(row.weight > 0)) throw LoyaltyError.invalid(`${at}.weight`, `must be > 0 (got ${row.weight})`);
	});
}

/** What a transaction model predicts; Gamma-Gamma's CLV accepts any of them. */
export interface TransactionModel {
	readonly modelName: string;
	/** P(alive | x, t_x, T). */
	conditionalProbabilityAlive(frequency: number, recency: number, T: number): number;
	/** E[Y(t) | x, t_x, T]: expected transactions in (T, T + t]. */
	conditionalExpectedNumberOfPurchasesUpToTime(t: number, frequency: number, recency: number, T: number): number;
	/** E[X(t)] for a customer just acquired. */
	expectedNumberOfPurchasesUpToTime(t: number): number;
	/** The model's one declared prediction: the conditional expectation above. */
	predict(t: number, frequency: number, recency: number, T: number): number;
}

/**
 * Histories laid out for a likelihood evaluated thousands of times: the distinct values of t_x and
 * T are listed once (a shop measured in days has a few hundred), so ln(α + t) is computed per
 * distinct value per evaluation, not per customer.
 */
export interface PackedHistories {
	frequency: Int32Array;
	recencyIndex: Int32Array;
	ageIndex: Int32Array;
	weight: Float64Array;
	/** The distinct recency and T values the indices point into. */
	times: Float64Array;
	maxFrequency: number;
	rows: WeightedHistory[];
}

export function packHistories(rows: WeightedHistory[]): PackedHistories {
	const distinct = [...new Set(rows.flatMap((r) => [r.recency, r.T]))].sort((a, b) => a - b);
	const indexOf = new Map(distinct.map((v, i) => [v, i]));
	const packed: PackedHistories = {
		frequency: new Int32Array(rows.length),
		recencyIndex: new Int32Array(rows.length),
		ageIndex: new Int32Array(rows.length),
		weight: new Float64Array(rows.length),
		times: Float64Array.from(distinct),
		maxFrequency: 0,
		rows,
	};
	rows.forEach((row, i) => {
		packed.frequency[i] = row.frequency;
		packed.recencyIndex[i] = indexOf.get(row.recency)!;
		packed.ageIndex[i] = indexOf.get(row.T)!;
		packed.weight[i] = row.weight;
		packed.maxFrequency = Math.max(packed.maxFrequency, row.frequency);
	});
	return packed;
}
