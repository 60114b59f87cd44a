/**
 * RFM quintile scores and the 11 named segments.
 *
 * Tie handling (deterministic, independent of input order): a customer's score is
 * 1 + floor(5 × (customers strictly worse) / (all customers)). Equal values always share a score,
 * and a block of ties takes the score of its lowest position, so when most customers have one
 * order they all get F = 1 instead of being spread over 1–3 by an arbitrary order. The price is
 * that not every score need be used (with 60% one-order customers, F skips 2 and 3).
 * "Worse" means: longer since the last order (recency is reversed), fewer orders, less spend.
 */
export interface RfmInput {
	customerId: string;
	/** Days from the last order to the as-of date. */
	daysSinceLastOrder: number;
	/** Orders (distinct purchase days). */
	orders: number;
	/** Total spend, any consistent unit. */
	monetary: number;
}

export type Score = 1 | 2 | 3 | 4 | 5;

export interface RfmScore {
	recency: Score;
	frequency: Score;
	monetary: Score;
	segment: Segment;
}

export const Segment = {
	Champions: 'Champions',
	Loyal: 'Loyal',
	PotentialLoyalist: 'Potential Loyalist',
	New: 'New',
	Promising: 'Promising',
	NeedAttention: 'Need Attention',
	AboutToSleep: 'About to Sleep',
	AtRisk: 'At Risk',
	CantLoseThem: "Can't Lose Them",
	Hibernating: 'Hibernating',
	Lost: 'Lost',
} as const;
export type Segment = (typeof Segment)[keyof typeof Segment];

const S = Segment;
/**
 * The pinned segment table: rows are R (1–5), columns FM = round((F + M) / 2) (1–5, halves up),
 * so every one of the 125 R×F×M cells has exactly one segment. Recent buyers with little history
 * are New/Promising, recent and frequent ones Champions; the same history gone quiet moves down
 * the rows to At Risk / Can't Lose Them, and little history gone quiet to Hibernating / Lost.
 */
export const SEGMENT_TABLE: readonly (readonly Segment[])[] = [
	/* R=1 */ [S.Lost, S.Lost, S.AtRisk, S.CantLoseThem, S.CantLoseThem],
	/* R=2 */ [S.Hibernating, S.Hibernating, S.AtRisk, S.AtRisk, S.CantLoseThem],
	/* R=3 */ [S.AboutToSleep, S.AboutToSleep, S.NeedAttention, S.Loyal, S.Loyal],
	/* R=4 */ [S.Promising, S.PotentialLoyalist, S.PotentialLoyalist, S.Loyal, S.Champions],
	/* R=5 */ [S.New, S.PotentialLoyalist, S.PotentialLoyalist, S.Champions, S.Champions],
];

export function segmentOf(recency: Score, frequency: Score, monetary: Score): Segment {
	const fm = Math.floor((frequency + monetary) / 2 + 0.5);
	return SEGMENT_TABLE[recency - 1][fm - 1];
}

/** Scores for `values` where larger is better, by the tie rule above. */
export function quintileScores(values: readonly number[]): Score[] {
	const sorted = [...values].sort((a, b) => a - b);
	const n = sorted.length;
	return values.map((value) => {
		// Count strictly smaller values by binary search.
		let lo = 0;
		let hi = n;
		while (lo < hi) {
			const mid = (lo + hi) >> 1;
			if (sorted[mid] < value) lo = mid + 1;
			else hi = mid;
		}
		return (1 + Math.floor((5 * lo) / n)) as Score;
	});
}

export function rfmScores(customers: readonly RfmInput[]): Map<string, RfmScore> {
	const recency = quintileScores(customers.map((c) => -c.daysSinceLastOrder));
	const frequency = quintileScores(customers.map((c) => c.orders));
	const monetary = quintileScores(customers.map((c) => c.monetary));
	const result = new Map<string, RfmScore>();
	customers.forEach((c, i) => result.set(c.customerId, { recency: recency[i], frequency: frequency[i], monetary: monetary[i], segment: segmentOf(recency[i], frequency[i], monetary[i]) }));
	return result;
}
