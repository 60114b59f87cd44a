import type { TransactionModel } from './summary';

/**
 * Expected time (in the model's unit, from the end of observation) until the customer's expected
 * number of further orders reaches one: the t solving E[Y(t) | x, t_x, T] = 1. Undefined when that
 * does not happen within `maxTime` — a customer probably gone has no due date.
 */
export function expectedTimeToNextPurchase(model: TransactionModel, frequency: number, recency: number, T: number, maxTime: number): number | undefined {
	if (model.predict(maxTime, frequency, recency, T) < 1) return undefined;
	let lo = 0;
	let hi = maxTime;
	for (let i = 0; i < 50 && hi - lo > 1e-4; i++) {
		const mid = (lo + hi) / 2;
		if (model.predict(mid, frequency, recency, T) < 1) lo = mid;
		else hi = mid;
	}
	return hi;
}
