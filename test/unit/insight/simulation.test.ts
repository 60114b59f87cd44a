import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BetaGeoFitter } from '../../../engine/insight';
import { randomSource, simulateBetaGeoCustomer } from './simulate';

/*
 * Self-contained check of the BG/NBD fit: simulate 20,000 customers from known parameters and
 * recover them. "Within sampling error" is judged by the likelihood-ratio statistic: at the true
 * parameters the log-likelihood may fall short of the maximum by χ²₄/2; above the 99.9% quantile
 * (18.47) the fit would be wrong, not unlucky.
 */
test('BG/NBD recovers known parameters from 20,000 simulated customers', () => {
	const truth = { r: 0.25, alpha: 4, a: 0.8, b: 2.5 };
	const random = randomSource(20_240_601);
	// Cohorts joining weekly over 12 weeks, observed to week 39; recency in whole days (a same-day repeat is no repeat in real data).
	const customers = Array.from({ length: 20_000 }, (_, i) => {
		const T = 39 - (i % 12);
		const c = simulateBetaGeoCustomer(random, truth, T);
		return { ...c, recency: Math.ceil(c.recency * 7) / 7 };
	});
	const model = new BetaGeoFitter().fit(customers);
	const logLikelihoodAtTruth = customers.reduce((sum, c) => sum + BetaGeoFitter.logLikelihood(truth, c.frequency, c.recency, c.T), 0);
	const statistic = 2 * (model.logLikelihood - logLikelihoodAtTruth);
	assert.ok(statistic >= -1e-6, `the fit (${model.logLikelihood}) must be at least as likely as the truth (${logLikelihoodAtTruth})`);
	assert.ok(statistic < 18.47, `likelihood ratio ${statistic} says the estimate ${JSON.stringify(model.params)} is not the truth ${JSON.stringify(truth)}`);
	for (const name of ['r', 'alpha', 'a', 'b'] as const) {
		const relative = Math.abs(model.params[name] - truth[name]) / truth[name];
		assert.ok(relative < 0.25, `${name}: ${model.params[name]} vs ${truth[name]}`);
	}
});
