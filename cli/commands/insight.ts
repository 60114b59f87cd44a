import { readFileSync } from 'node:fs';
import {
	BetaGeoFitter,
	GammaGammaFitter,
	ModifiedBetaGeoFitter,
	ParetoNbdFitter,
	TRANSACTION_MODELS,
	activityFromTransactions,
	describeSpendExclusions,
	isValidTimeZone,
	ordersFromCsv,
	parseOrdersCsv,
	segmentCustomers,
	spendHistoriesOf,
	summaryFromTransactions,
	type SpendExclusions,
	type CsvOrder,
	type TimeUnit,
	type TransactionModelName,
} from '../../engine';
import type { ParsedArgs } from '../args';
import type { CliCommand } from '../command';

const ORDERS_HELP = `The orders CSV has a header naming at least customer_id,placed_at,total (ISO date or date-time;
total in major units), and optionally order_id,currency,sku,category,quantity. Lines of one order
(same customer and order_id) count once; same-day orders of a customer are one transaction.
A bad line is reported on stderr with its number and skipped (exit code 2 when any was skipped).
--time-zone (an IANA zone such as Europe/Berlin; default UTC) is the shop's zone: a date-time
is placed on its calendar day there, for same-day merging and for which orders fall on or before
the cut-off date.`;

function requireFlag(flags: ParsedArgs['flags'], name: string, command: string, example: string): string {
	const value = flags[name];
	if (typeof value !== 'string' || value === '') throw new Error(`${command}: --${name} is required, e.g. --${name} ${example}`);
	return value;
}

/** The program's zone from --time-zone (default UTC); an unknown zone is refused, naming the flag. */
function timeZoneFlag(flags: ParsedArgs['flags'], command: string): string {
	const value = flags['time-zone'];
	if (value === undefined) return 'UTC';
	if (typeof value !== 'string' || !isValidTimeZone(value)) throw new Error(`${command}: --time-zone must be an IANA time zone such as Europe/Berlin (got ${value === true ? 'nothing' : JSON.stringify(value)})`);
	return value;
}

/** Reads the CSV, reporting every bad line on stderr; returns one row per order. */
function readOrders(file: string): { orders: CsvOrder[]; skipped: number } {
	const { orders, problems } = parseOrdersCsv(readFileSync(file, 'utf8'));
	for (const problem of problems) console.error(`line ${problem.line}: ${problem.message}`);
	return { orders: ordersFromCsv(orders), skipped: problems.length };
}

const FIT_MODELS = [...TRANSACTION_MODELS, 'gamma-gamma'] as const;

function round(value: number, digits = 6): number {
	return Number(value.toPrecision(digits + 1));
}

export const fitCommand: CliCommand = {
	name: 'fit',
	summary: 'fit BG/NBD, Pareto/NBD, MBG/NBD or Gamma-Gamma to an orders CSV and print the parameters',
	usage: `n8n-loyalty fit --model bgnbd|pareto-nbd|mbgnbd|gamma-gamma --orders orders.csv --calibration-end YYYY-MM-DD [--time-unit week|day] [--time-zone Europe/Berlin] [--json]

Fits the model by maximum likelihood on the calibration period (orders up to and including
--calibration-end) and prints its parameters (BG/NBD and MBG/NBD: r, alpha, a, b; Pareto/NBD:
r, alpha, s, beta; Gamma-Gamma: p, q, gamma), the log-likelihood and the number of customers.
Gamma-Gamma is fitted on repeat customers' mean repeat spend; repeat customers whose repeat
purchases average 0 (free orders, reward redemptions) are left out, as the model needs positive
spend, and counted (with --json: excluded and excluded_reasons, reason to count). Exit code 3 when
the fit does not converge, or when no repeat customer has a positive average (Gamma-Gamma is then
not fitted; the reason is on stderr, and with --json in skipped).

${ORDERS_HELP}`,
	async run({ flags }) {
		const model = requireFlag(flags, 'model', 'fit', 'bgnbd');
		if (!(FIT_MODELS as readonly string[]).includes(model)) throw new Error(`fit: --model must be one of ${FIT_MODELS.join(', ')} (got ${model})`);
		const file = requireFlag(flags, 'orders', 'fit', 'orders.csv');
		const calibrationEnd = requireFlag(flags, 'calibration-end', 'fit', '1997-09-30');
		const timeUnit = (typeof flags['time-unit'] === 'string' ? flags['time-unit'] : 'week') as TimeUnit;
		if (timeUnit !== 'week' && timeUnit !== 'day') throw new Error(`fit: --time-unit must be week or day (got ${timeUnit})`);
		const timeZone = timeZoneFlag(flags, 'fit');
		const { orders, skipped } = readOrders(file);
		const summary = summaryFromTransactions(
			orders.map((o) => ({ customerId: o.customerId, placedAt: o.placedAt, amount: o.total })),
			{ calibrationEnd, timeUnit, timeZone },
		);
		let result: { params: Record<string, number>; logLikelihood: number; customers: number };
		let excluded: SpendExclusions | undefined;
		try {
			if (model === 'gamma-gamma') {
				const data = spendHistoriesOf(summary);
				excluded = data.excluded;
				if (data.skippedReason) {
					console.error(data.skippedReason);
					if (flags.json) console.log(JSON.stringify({ model, skipped: data.skippedReason, customers: 0, ...exclusionsJson(excluded) }));
					return 3;
				}
				result = new GammaGammaFitter().fit(data.histories).fitResult;
			} else if (model === 'pareto-nbd') result = new ParetoNbdFitter().fit(summary).fitResult;
			else if (model === 'mbgnbd') result = new ModifiedBetaGeoFitter().fit(summary).fitResult;
			else result = new BetaGeoFitter().fit(summary).fitResult;
		} catch (error) {
			if ((error as Error).name !== 'ConvergenceError') throw error;
			console.error((error as Error).message);
			return 3;
		}
		const params = Object.fromEntries(Object.entries(result.params).map(([name, value]) => [name, round(value)]));
		if (flags.json) console.log(JSON.stringify({ model, ...params, log_likelihood: round(result.logLikelihood, 8), customers: result.customers, ...(excluded ? exclusionsJson(excluded) : {}) }));
		else {
			console.log(`${model} fitted on ${result.customers} customers (calibration to ${calibrationEnd}, time unit ${timeUnit})`);
			for (const [name, value] of Object.entries(params)) console.log(`  ${name.padEnd(6)} ${value}`);
			console.log(`  log-likelihood ${result.logLikelihood.toFixed(2)}`);
			if (excluded?.customers) console.log(`  ${describeSpendExclusions(excluded)}`);
		}
		return skipped > 0 ? 2 : 0;
	},
};

function exclusionsJson(excluded: SpendExclusions): { excluded: number; excluded_reasons: Record<string, number> } {
	return { excluded: excluded.customers, excluded_reasons: Object.fromEntries(excluded.reasons.map((r) => [r.reason, r.customers])) };
}

export const segmentCommand: CliCommand = {
	name: 'segment',
	summary: 'score every customer of an orders CSV: RFM, segment, lifecycle, tier, P(alive), CLV, next order',
	usage: `n8n-loyalty segment --orders orders.csv --as-of YYYY-MM-DD [--model bgnbd|pareto-nbd|mbgnbd] [--time-zone Europe/Berlin] [--json]

Prints one JSON line per customer (with --json; a table otherwise): customer_id, recency_score,
frequency_score, monetary_score, segment, lifecycle, value_tier, p_alive, expected_orders_90d, clv
(discounted 12 months, in the CSV's major units), next_order_date, then how sure the predictions
are: p_alive_low/high, expected_orders_90d_low/high and clv_low/high (80% ranges from the fit's
own uncertainty; null when it cannot say), clv_unknown_reason (why clv is null, e.g. repeat
purchases averaging 0.00, which the spend model cannot use; null when clv is known) and
certainty (high, medium or low) with certainty_reason in words. Repeat customers left out of the
spend model are counted on stderr. Orders after --as-of (in --time-zone) are ignored. When the models
cannot be fitted, the predictions are null, certainty is low, and stderr says why; the rule-based
scores are still printed.

${ORDERS_HELP}`,
	async run({ flags }) {
		const file = requireFlag(flags, 'orders', 'segment', 'orders.csv');
		const asOf = requireFlag(flags, 'as-of', 'segment', '2026-01-31');
		const model = (typeof flags.model === 'string' ? flags.model : 'bgnbd') as TransactionModelName;
		if (!TRANSACTION_MODELS.includes(model)) throw new Error(`segment: --model must be one of ${TRANSACTION_MODELS.join(', ')} (got ${model})`);
		const timeZone = timeZoneFlag(flags, 'segment');
		const { orders, skipped } = readOrders(file);
		const activities = activityFromTransactions(
			orders.map((o) => ({ customerId: o.customerId, placedAt: o.placedAt, amount: o.total, category: o.category })),
			asOf,
			timeZone,
		);
		const run = segmentCustomers(activities, { asOf, model });
		if (run.models.fallbackReason) console.error(`predictions: ${run.models.fallbackReason}`);
		if (run.models.spend && run.models.spendExcluded?.customers) console.error(`spend model: ${describeSpendExclusions(run.models.spendExcluded)}; their CLV is unknown`);
		// Rounding to significant digits keeps order, so a rounded range still holds its rounded point.
		const probability = (v: number | null): number | null => (v === null ? null : round(v, 4));
		const rows = run.customers.map((c) => ({
			customer_id: c.customerId,
			recency_score: c.recencyScore,
			frequency_score: c.frequencyScore,
			monetary_score: c.monetaryScore,
			segment: c.segment,
			lifecycle: c.lifecycle,
			value_tier: c.valueTier,
			p_alive: probability(c.pAlive),
			expected_orders_90d: probability(c.expectedOrders),
			clv: c.clv === null ? null : Math.round(c.clv * 100) / 100,
			next_order_date: c.nextOrderDate,
			p_alive_low: probability(c.pAliveLow),
			p_alive_high: probability(c.pAliveHigh),
			expected_orders_90d_low: probability(c.expectedOrdersLow),
			expected_orders_90d_high: probability(c.expectedOrdersHigh),
			// Cents rounded outward, so the printed range still holds the printed CLV.
			clv_low: c.clvLow === null ? null : Math.floor(c.clvLow * 100) / 100,
			clv_high: c.clvHigh === null ? null : Math.ceil(c.clvHigh * 100) / 100,
			clv_unknown_reason: c.clvUnknownReason,
			certainty: c.certainty,
			certainty_reason: c.certaintyReason,
		}));
		if (flags.json) for (const row of rows) console.log(JSON.stringify(row));
		else {
			console.log(['customer_id', 'rfm', 'segment', 'lifecycle', 'value_tier', 'p_alive', 'orders_90d', 'clv', 'next_order', 'certainty'].join('\t'));
			const range = (point: number | null, low: number | null, high: number | null): string => (point === null ? '-' : low === null || high === null ? String(point) : `${point} (${low}–${high})`);
			for (const r of rows) {
				console.log(
					[r.customer_id, `${r.recency_score}${r.frequency_score}${r.monetary_score}`, r.segment, r.lifecycle, r.value_tier, range(r.p_alive, r.p_alive_low, r.p_alive_high), range(r.expected_orders_90d, r.expected_orders_90d_low, r.expected_orders_90d_high), range(r.clv, r.clv_low, r.clv_high), r.next_order_date ?? '-', r.certainty].join('\t'),
				);
			}
		}
		return skipped > 0 ? 2 : 0;
	},
};

/** Segmentation and prediction commands (fit, segment). */
export const INSIGHT_COMMANDS: readonly CliCommand[] = [fitCommand, segmentCommand];
