import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BetaGeoFitter, GammaGammaFitter, ModifiedBetaGeoFitter, ParetoNbdFitter, summaryFromTransactions } from '../../../engine/insight';
import { cdnowOrSkip, cdnowSummary, cdnowTransactions } from './referenceSample';

/*
 * Acceptance against the literature: Fader, Hardie & Lee (2005) BG/NBD, the Pareto/NBD note and
 * the Gamma-Gamma note all fit CDNOW's 2,357-customer sample with weekly time and calibration to
 * 1997-09-30 (39 weeks after the 1997-01-01 start).
 */
const cdnow = cdnowOrSkip();

/**
 * The issue asks for 0.1% relative agreement, but the papers print parameters rounded to 3 decimals:
 * r = 0.2426 prints as 0.243, which is 0.17% away. So a parameter passes when it is within 0.1% of
 * the printed figure or rounds to it, whichever is looser.
 */
function assertPublished(actual: number, published: number, decimals: number, name: string): void {
	const tolerance = Math.max(0.001 * Math.abs(published), 0.5 * 10 ** -decimals + 1e-12);
	assert.ok(Math.abs(actual - published) <= tolerance, `${name}: ${actual} is neither within 0.1% of nor rounds to the published ${published}`);
}

function assertRelative(actual: number, expected: number, tolerance: number, name: string): void {
	const relative = Math.abs(actual - expected) / Math.abs(expected);
	assert.ok(relative <= tolerance, `${name}: ${actual} is not within ${tolerance * 100}% of ${expected} (off by ${(relative * 100).toFixed(4)}%)`);
}

describe('CDNOW: the published numbers', { skip: cdnow.skip }, () => {
	const dir = cdnow.dir as string;

	test('summaryFromTransactions reproduces the published per-customer summary', () => {
		const ours = new Map(summaryFromTransactions(cdnowTransactions(dir), { calibrationEnd: '1997-09-30', timeUnit: 'week' }).map((s) => [s.customerId, s]));
		const published = cdnowSummary(dir);
		assert.equal(ours.size, 2357);
		assert.equal(published.length, 2357);
		for (const row of published) {
			const mine = ours.get(row.customerId);
			assert.ok(mine, `customer ${row.customerId} missing`);
			assert.equal(mine.frequency, row.frequency, `customer ${row.customerId} frequency`);
			assert.ok(Math.abs(mine.recency - row.recency) <= 0.005 + 1e-9, `customer ${row.customerId} recency ${mine.recency} vs ${row.recency}`);
			assert.ok(Math.abs(mine.T - row.T) <= 0.005 + 1e-9, `customer ${row.customerId} T ${mine.T} vs ${row.T}`);
			assert.ok(Math.abs(mine.monetaryValue - row.monetaryValue) <= 0.005 + 1e-9, `customer ${row.customerId} spend ${mine.monetaryValue} vs ${row.monetaryValue}`);
		}
		assert.equal(published.filter((r) => r.frequency > 0).length, 946);
	});

	test('BG/NBD: r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, LL -9582.43, and its predictions', () => {
		const model = new BetaGeoFitter().fit(cdnowSummary(dir));
		const { r, alpha, a, b } = model.params;
		assertPublished(r, 0.243, 3, 'r');
		assertPublished(alpha, 4.414, 3, 'alpha');
		assertPublished(a, 0.793, 3, 'a');
		assertPublished(b, 2.426, 3, 'b');
		assert.ok(Math.abs(model.logLikelihood - -9582.43) <= 0.01, `LL ${model.logLikelihood}`);
		assert.equal(model.fitResult.customers, 2357);
		// How sure: the standard errors lifetimes prints for this fit (its README's summary table).
		const se = model.fitResult.standardErrors;
		assert.ok(se, 'the optimum has a positive definite Hessian');
		assertRelative(se.r, 0.012557, 0.01, 'se(r)');
		assertRelative(se.alpha, 0.378221, 0.01, 'se(alpha)');
		assertRelative(se.a, 0.185719, 0.01, 'se(a)');
		assertRelative(se.b, 0.705345, 0.01, 'se(b)');
		// The published predictions were computed from unrounded estimates; ours agree to 1e-4 relative.
		assertRelative(model.expectedNumberOfPurchasesUpToTime(52), 1.444004, 1e-4, 'E[X(52)]');
		assertRelative(model.conditionalExpectedNumberOfPurchasesUpToTime(39, 2, 30.43, 38.86), 1.226, 5e-4, 'E[Y(39) | 2, 30.43, 38.86]');
		const customer1516 = cdnowSummary(dir).find((c) => c.customerId === '1516');
		assert.deepEqual(customer1516 && [customer1516.frequency, customer1516.recency, customer1516.T], [26, 30.86, 31]);
		assertRelative(model.predict(52, 26, 30.86, 31), 25.75659, 2e-4, 'E[Y(52)] of customer 1516');
		assertRelative(model.conditionalProbabilityAlive(26, 30.86, 31), 0.9688523, 1e-4, 'P(alive) of customer 1516');
	});

	test("BG/NBD E[X(t)] matches Hardie's spreadsheet at six horizons", () => {
		const model = new BetaGeoFitter().fit(cdnowSummary(dir));
		const times = [0.1429, 1, 3, 31.8571, 32, 78];
		const spreadsheet = [0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576];
		times.forEach((t, i) => assert.ok(Math.abs(model.expectedNumberOfPurchasesUpToTime(t) - spreadsheet[i]) < 5e-4, `E[X(${t})] = ${model.expectedNumberOfPurchasesUpToTime(t)} vs ${spreadsheet[i]}`));
	});

	test('MBG/NBD: r = 0.525, alpha = 6.183, a = 0.891, b = 1.614 (the BTYDplus fit lifetimes checks against)', () => {
		const model = new ModifiedBetaGeoFitter().fit(cdnowSummary(dir));
		const { r, alpha, a, b } = model.params;
		assertPublished(r, 0.525, 3, 'r');
		assertPublished(alpha, 6.183, 3, 'alpha');
		assertPublished(a, 0.891, 3, 'a');
		assertPublished(b, 1.614, 3, 'b');
		// Unlike BG/NBD, MBG/NBD does not call a one-time buyer certainly alive.
		assert.ok(model.conditionalProbabilityAlive(0, 1, 1) < 1);
		assert.ok(Math.abs(model.predict(39, 2, 30.43, 38.86) - 1.226) < 0.05);
	});

	test('Pareto/NBD: r = 0.553, alpha = 10.578, s = 0.606, beta = 11.669, LL -9594.98', () => {
		const model = new ParetoNbdFitter().fit(cdnowSummary(dir));
		const { r, alpha, s, beta } = model.params;
		assertPublished(r, 0.553, 3, 'r');
		assertPublished(alpha, 10.578, 3, 'alpha');
		assertPublished(s, 0.606, 3, 's');
		assertPublished(beta, 11.669, 3, 'beta');
		assert.ok(Math.abs(model.logLikelihood - -9594.98) <= 0.01, `LL ${model.logLikelihood}`);
		// R BTYD's figures (its manual and walkthrough, which lifetimes also checks). BTYD's own
		// estimates differ from these in the fourth digit, hence 1% rather than exact agreement.
		const btyd = [0, 0.05077821, 0.09916088, 0.14542507, 0.1897993, 0.23247466, 0.27361274, 0.31335159, 0.35181024, 0.38909211];
		btyd.forEach((expected, t) => assert.ok(Math.abs(model.expectedNumberOfPurchasesUpToTime(t) - expected) <= 0.01 * expected, `E[X(${t})] = ${model.expectedNumberOfPurchasesUpToTime(t)} vs ${expected}`));
		assert.ok(Math.abs(model.predict(52, 26, 30.86, 31) - 25.46) < 0.01, `E[Y(52)] of customer 1516: ${model.predict(52, 26, 30.86, 31)}`);
		// Unlike BG/NBD, a one-time buyer 39 weeks on is probably gone.
		assert.ok(model.conditionalProbabilityAlive(0, 0, 38.86) < 0.5);
	});

	test('Gamma-Gamma on the 946 repeat customers: p = 6.25, q = 3.74, gamma = 15.44, LL -4055.92', () => {
		const repeat = cdnowSummary(dir).filter((c) => c.frequency > 0);
		const model = new GammaGammaFitter().fit(repeat);
		const { p, q, gamma } = model.params;
		assertPublished(p, 6.25, 2, 'p');
		assertPublished(q, 3.74, 2, 'q');
		assertPublished(gamma, 15.44, 2, 'gamma');
		assert.ok(Math.abs(model.logLikelihood - -4055.92) <= 0.01, `LL ${model.logLikelihood}`);
		assert.equal(model.fitResult.customers, 946);
		// Hardie's spreadsheet (note 025): expected average spend of the first ten customers, from
		// its unrounded estimates, which ours reproduce (the rounded 6.25/3.74/15.44 give 35.22, not 35.17).
		const spreadsheet = [24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17];
		cdnowSummary(dir)
			.slice(0, 10)
			.forEach((c, i) => assert.ok(Math.abs(model.conditionalExpectedAverageProfit(c.frequency, c.monetaryValue) - spreadsheet[i]) < 0.01, `customer ${c.customerId}: ${model.conditionalExpectedAverageProfit(c.frequency, c.monetaryValue)}`));
		assertRelative(model.fitResult.standardErrors!.p, 1.189687, 0.01, 'se(p)');
		assertRelative(model.fitResult.standardErrors!.q, 0.290166, 0.01, 'se(q)');
		assertRelative(model.fitResult.standardErrors!.gamma, 4.159994, 0.01, 'se(gamma)');
	});

	test('the fit from raw transactions lands on the published optimum', () => {
		const model = new BetaGeoFitter().fit(summaryFromTransactions(cdnowTransactions(dir), { calibrationEnd: '1997-09-30', timeUnit: 'week' }));
		assertRelative(model.params.r, 0.243, 0.005, 'r');
		assertRelative(model.params.alpha, 4.414, 0.005, 'alpha');
	});
});
