import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decimalToMinor, minorToDecimalString, pointsForAmount, pointsToReverse, roundRatio, LoyaltyError, parseProgram } from '../../../engine';

describe('money', () => {
	test('decimal strings become integer minor units without float drift', () => {
		assert.equal(decimalToMinor('19.99', 'USD', 'total'), 1999);
		assert.equal(decimalToMinor('0.1', 'USD', 'total'), 10);
		assert.equal(decimalToMinor(0.29, 'USD', 'total'), 29);
		assert.equal(decimalToMinor('1500', 'JPY', 'total'), 1500);
		assert.equal(decimalToMinor('1.234', 'KWD', 'total'), 1234);
		assert.equal(decimalToMinor('-5.00', 'USD', 'refund.total'), -500);
	});

	test('round trips every amount', () => {
		fc.assert(
			fc.property(fc.integer({ min: -1e12, max: 1e12 }), fc.constantFrom('USD', 'JPY', 'KWD'), (minor, currency) => {
				assert.equal(decimalToMinor(minorToDecimalString(minor, currency), currency, 'x'), minor);
			}),
		);
	});

	test('refuses what it cannot represent, naming the field', () => {
		assert.throws(() => decimalToMinor('1.005', 'USD', 'line.total'), (e: LoyaltyError) => e.field === 'line.total');
		assert.throws(() => decimalToMinor('12,50', 'USD', 'total'), (e: LoyaltyError) => e.field === 'total');
		assert.throws(() => decimalToMinor('1', 'XXX', 'total'), (e: LoyaltyError) => e.field === 'total.currency');
		assert.throws(() => decimalToMinor(Number.NaN, 'USD', 'total'), (e: LoyaltyError) => e.field === 'total');
	});
});

describe('points arithmetic', () => {
	test('rounding modes on exact ratios', () => {
		assert.equal(roundRatio(1999n, 100n, 'floor'), 19);
		assert.equal(roundRatio(1999n, 100n, 'ceil'), 20);
		assert.equal(roundRatio(1950n, 100n, 'round'), 20);
		assert.equal(roundRatio(1949n, 100n, 'round'), 19);
		assert.equal(roundRatio(2000n, 100n, 'ceil'), 20);
	});

	test('floor <= round <= ceil, and they differ by at most one', () => {
		fc.assert(
			fc.property(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 1, max: 1e6 }), (n, d) => {
				const f = roundRatio(BigInt(n), BigInt(d), 'floor');
				const r = roundRatio(BigInt(n), BigInt(d), 'round');
				const c = roundRatio(BigInt(n), BigInt(d), 'ceil');
				assert.ok(f <= r && r <= c && c - f <= 1);
				assert.equal(f, Math.floor(n / d));
			}),
		);
	});

	test('fractional rates are exact: 1.5 points per dollar on $19.99', () => {
		assert.equal(pointsForAmount(1999, { points: 1.5, perMinor: 100 }, 'floor'), 29);
		assert.equal(pointsForAmount(1999, { points: 1.5, perMinor: 100 }, 'ceil'), 30);
		assert.equal(pointsForAmount(10000, { points: 0.1, perMinor: 100 }, 'floor'), 10);
	});

	test('reversal shares are monotone and end at the full amount', () => {
		fc.assert(
			fc.property(fc.integer({ min: 0, max: 100000 }), fc.integer({ min: 1, max: 1e7 }), fc.integer({ min: 0, max: 1e7 }), fc.constantFrom('floor' as const, 'round' as const, 'ceil' as const), (earned, total, refunded, rounding) => {
				const partial = pointsToReverse(earned, total, Math.min(refunded, total), rounding);
				assert.ok(partial >= 0 && partial <= earned);
				assert.equal(pointsToReverse(earned, total, total, rounding), earned);
				assert.ok(pointsToReverse(earned, total, Math.min(refunded + 1, total), rounding) >= partial);
			}),
		);
	});

	test('program settings are validated with named fields', () => {
		assert.throws(() => parseProgram({ pendingDays: -1 }), (e: LoyaltyError) => e.field === 'program.pendingDays');
		assert.throws(() => parseProgram({ earnRates: { USD: { points: 0, perMinor: 100 } } }), (e: LoyaltyError) => e.field === 'program.earnRates.USD.points');
		assert.deepEqual(parseProgram().earnRates, { USD: { points: 1, perMinor: 100 } });
	});
});
