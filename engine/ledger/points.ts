import type { Rounding } from './program';

const SCALE = 1_000_000n;

/**
 * numerator/denominator rounded as the program says, exactly: the rate is scaled to an integer
 * (6 decimals) and the division is done on BigInts, so 19.99 never becomes 19.989999.
 */
export function roundRatio(numerator: bigint, denominator: bigint, rounding: Rounding): number {
	if (denominator <= 0n) throw new RangeError('denominator must be positive');
	const negative = numerator < 0n;
	const n = negative ? -numerator : numerator;
	let quotient = n / denominator;
	const remainder = n % denominator;
	if (remainder !== 0n) {
		const awayFromZero = rounding === 'ceil' ? !negative : rounding === 'floor' ? negative : remainder * 2n >= denominator;
		if (awayFromZero) quotient += 1n;
	}
	return Number(negative ? -quotient : quotient);
}

/** Points earned for an amount: `points` per `perMinor` minor units. */
export function pointsForAmount(amountMinor: number, rate: { points: number; perMinor: number }, rounding: Rounding): number {
	const scaledRate = BigInt(Math.round(rate.points * Number(SCALE)));
	return roundRatio(BigInt(amountMinor) * scaledRate, BigInt(rate.perMinor) * SCALE, rounding);
}

/**
 * How many of an order's earned points a cumulative refund takes back. Computed on the
 * cumulative refunded amount, so several partial refunds add up to exactly the full reversal.
 */
export function pointsToReverse(earned: number, totalMinor: number, refundedMinor: number, rounding: Rounding): number {
	if (totalMinor <= 0) return earned;
	return roundRatio(BigInt(earned) * BigInt(Math.min(refundedMinor, totalMinor)), BigInt(totalMinor), rounding);
}
