import type { SpendHistory } from './gammaGamma';

/**
 * Data preparation for Gamma-Gamma, kept apart from the model as lifetimes keeps it in utils.py.
 * The model describes positive transaction values: Fader & Hardie's note fits it on repeat
 * customers with positive spend, and lifetimes' GammaGammaFitter requires monetary_value > 0. Real
 * shops also have repeat purchases worth nothing (free orders, reward redemptions); a customer whose
 * repeat purchases average 0 (or less, or not a number) is left out of the fit, counted with the
 * reason, and gets no CLV rather than an invented one. GammaGammaFitter.fit itself stays strict.
 */

/** How many repeat customers were left out of the Gamma-Gamma fit, by reason. */
export interface SpendExclusions {
	customers: number;
	reasons: { reason: string; customers: number }[];
}

/** What the spend model can be fitted on, who was left out, and — when nobody is left — why it is not fitted. */
export interface SpendData {
	histories: SpendHistory[];
	excluded: SpendExclusions;
	/** Set when no history is left to fit: the reason the Gamma-Gamma fit is skipped. */
	skippedReason?: string;
}

export const SPEND_MODEL_NOT_APPLICABLE = 'spend model not applicable';

/**
 * Why a repeat customer's mean repeat spend m_x cannot enter Gamma-Gamma, or undefined when it can
 * (and for one-time buyers, x = 0, who carry no repeat spend and are never part of the fit).
 */
export function spendNotApplicableReason(frequency: number, monetaryValue: number): string | undefined {
	if (!(frequency > 0)) return undefined;
	if (!Number.isFinite(monetaryValue)) return `repeat purchases have no finite average value: ${SPEND_MODEL_NOT_APPLICABLE}`;
	if (monetaryValue < 0) return `repeat purchases average below 0.00: ${SPEND_MODEL_NOT_APPLICABLE}`;
	if (monetaryValue === 0) return `repeat purchases average 0.00: ${SPEND_MODEL_NOT_APPLICABLE}`;
	return undefined;
}

/**
 * The Gamma-Gamma input from customer histories: repeat customers (x > 0) with a positive, finite
 * mean repeat spend. The others with x > 0 are counted in `excluded`; one-time buyers are skipped
 * silently (the model is about repeat spend). Never throws for the values themselves.
 */
export function spendHistoriesOf(rows: Iterable<SpendHistory>): SpendData {
	const histories: SpendHistory[] = [];
	const byReason = new Map<string, number>();
	let repeaters = 0;
	for (const { frequency, monetaryValue } of rows) {
		if (!(frequency > 0)) continue;
		repeaters++;
		const reason = spendNotApplicableReason(frequency, monetaryValue);
		if (reason) byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
		else histories.push({ frequency, monetaryValue });
	}
	const excluded: SpendExclusions = { customers: repeaters - histories.length, reasons: [...byReason].map(([reason, customers]) => ({ reason, customers })) };
	if (histories.length > 0) return { histories, excluded };
	const skippedReason =
		repeaters === 0
			? 'Gamma-Gamma not fitted: there are no repeat customers, so CLV is unknown'
			: `Gamma-Gamma not fitted: no repeat customer's purchases average above 0.00 (${reasonList(excluded)}), so CLV is unknown`;
	return { histories, excluded, skippedReason };
}

/** "3 repeat customers left out of the Gamma-Gamma fit: repeat purchases average 0.00 (3)", or '' when none were. */
export function describeSpendExclusions(excluded: SpendExclusions): string {
	if (excluded.customers === 0) return '';
	const who = excluded.customers === 1 ? '1 repeat customer' : `${excluded.customers} repeat customers`;
	return `${who} left out of the Gamma-Gamma fit: ${reasonList(excluded)}`;
}

function reasonList(excluded: SpendExclusions): string {
	return excluded.reasons.map((r) => `${r.reason.replace(`: ${SPEND_MODEL_NOT_APPLICABLE}`, '')}: ${r.customers}`).join(', ');
}
