import { HOLDOUT_ARM } from '../rules';
import { DAY_MS, num, type ReportContext } from './context';
import { newcombeDifferenceInterval, sampleSizePerArm } from './stats';
import type { ArmResult, ExperimentReport } from './types';

export const LIFT_METHOD = "Newcombe's hybrid score interval (1998, method 10), 95%";
const CONTROL_ARMS = new Set([HOLDOUT_ARM, 'control']);

interface Assignment {
	id: string;
	kind: ExperimentReport['kind'];
	ruleId?: string;
	/** arm → customer → first decision time (ms). */
	arms: Map<string, Map<string, number>>;
}

/**
 * Every experiment and holdout, compared honestly: a customer converts when they buy within
 * `conversionDays` after their first decision; only customers whose window has closed count. The
 * verdict waits for a sample size fixed in advance (two proportions, 5-point lift, 80% power, α 0.05).
 */
export async function experimentReports(ctx: ReportContext): Promise<ExperimentReport[]> {
	const { db } = ctx.store;
	const windowMs = ctx.conversionDays * DAY_MS;
	const closedBefore = ctx.now.getTime() - windowMs;
	const experiments = new Map<string, Assignment>();
	const assign = (key: string, base: Omit<Assignment, 'arms'>, arm: string, customer: string, at: string) => {
		const t = Date.parse(at);
		if (t > closedBefore) return;
		let e = experiments.get(key);
		if (!e) {
			e = { ...base, arms: new Map() };
			experiments.set(key, e);
		}
		let customers = e.arms.get(arm);
		if (!customers) {
			customers = new Map();
			e.arms.set(arm, customers);
		}
		customers.set(customer, Math.min(customers.get(customer) ?? t, t));
	};
	const names = new Map<string, string>();
	for (const row of await db.query<{ rule_id: string; detail: string }>(`SELECT rule_id, MIN(detail) AS detail FROM rule_firings WHERE program_id = $1 AND outcome = 'holdout' GROUP BY rule_id`, [ctx.programId])) {
		try {
			const id = (JSON.parse(row.detail) as { experimentId?: string }).experimentId;
			if (id) names.set(row.rule_id, id);
		} catch {
			// an older row without detail keeps the rule id as its name
		}
	}
	for (const row of await db.query<{ rule_id: string; arm: string; customer_key: string; first_at: string }>(
		'SELECT rule_id, arm, customer_key, MIN(fired_at) AS first_at FROM rule_firings WHERE program_id = $1 AND arm IS NOT NULL GROUP BY rule_id, arm, customer_key',
		[ctx.programId],
	)) {
		assign(`rule\u0000${row.rule_id}`, { id: names.get(row.rule_id) ?? row.rule_id, kind: 'rule holdout', ruleId: row.rule_id }, row.arm, row.customer_key, row.first_at);
	}
	for (const row of await db.query<{ experiment_id: string; experiment_arm: string; customer_id: string; rule_id: string; first_at: string }>(
		'SELECT experiment_id, experiment_arm, customer_id, MIN(rule_id) AS rule_id, MIN(send_at) AS first_at FROM delivery_sends WHERE experiment_id IS NOT NULL AND experiment_arm IS NOT NULL GROUP BY experiment_id, experiment_arm, customer_id',
	)) {
		assign(`send\u0000${row.experiment_id}`, { id: row.experiment_id, kind: 'offer holdout', ruleId: row.rule_id }, row.experiment_arm, row.customer_id, row.first_at);
	}
	if (experiments.size === 0) return [];

	const orders = new Map<string, Array<{ at: number; minor: number }>>();
	for (const row of await db.query<{ customer_id: string; placed_at: string; total_minor: number }>(
		`SELECT customer_id, placed_at, total_minor FROM orders WHERE currency = $1 AND customer_id IN
		 (SELECT customer_key FROM rule_firings WHERE program_id = $2 AND arm IS NOT NULL UNION SELECT customer_id FROM delivery_sends WHERE experiment_id IS NOT NULL)`,
		[ctx.currency, ctx.programId],
	)) {
		const list = orders.get(row.customer_id) ?? [];
		list.push({ at: Date.parse(row.placed_at), minor: num(row.total_minor) });
		orders.set(row.customer_id, list);
	}
	const required = sampleSizePerArm(ctx.baselineRate, ctx.baselineRate + ctx.minimumLift);
	const results: ExperimentReport[] = [];
	for (const e of experiments.values()) {
		const arms: ArmResult[] = [];
		const tally = (name: string, customers: Array<[string, number]>): ArmResult => {
			let converted = 0;
			let revenue = 0;
			for (const [customer, t] of customers) {
				const bought = (orders.get(customer) ?? []).filter((o) => o.at > t && o.at <= t + windowMs);
				if (bought.length > 0) converted++;
				revenue += bought.reduce((s, o) => s + o.minor, 0);
			}
			const n = customers.length;
			return { arm: name, customers: n, converted, conversionRate: n ? converted / n : 0, revenuePerCustomerMinor: n ? Math.round(revenue / n) : 0 };
		};
		const treated: Array<[string, number]> = [];
		let control: ArmResult | undefined;
		for (const [arm, customers] of [...e.arms].sort(([a], [b]) => a.localeCompare(b))) {
			const result = tally(arm, [...customers]);
			arms.push(result);
			if (CONTROL_ARMS.has(arm)) control = result;
			else treated.push(...customers);
		}
		const treatment = treated.length > 0 ? tally('treatment (all variants)', treated) : undefined;
		results.push({ id: e.id, kind: e.kind, ...(e.ruleId ? { ruleId: e.ruleId } : {}), arms, ...compare(ctx, control, treatment, required) });
	}
	return results.sort((a, b) => a.id.localeCompare(b.id));
}

function compare(ctx: ReportContext, control: ArmResult | undefined, treatment: ArmResult | undefined, required: number): Pick<ExperimentReport, 'control' | 'treatment' | 'lift' | 'requiredPerArm' | 'progress' | 'verdict'> {
	const lift = `${Math.round(ctx.minimumLift * 100)}-point lift`;
	if (!control || !treatment || control.customers === 0 || treatment.customers === 0) {
		const have = Math.min(control?.customers ?? 0, treatment?.customers ?? 0);
		return {
			...(control ? { control } : {}),
			...(treatment ? { treatment } : {}),
			requiredPerArm: required,
			progress: 0,
			verdict: { kind: 'not_enough_data', text: `Not enough data yet: ${control ? 'no treated customers' : 'no holdout customers'} whose ${ctx.conversionDays}-day window has closed; about ${required - have} customers per arm would show a ${lift}.` },
		};
	}
	const interval = newcombeDifferenceInterval(treatment.converted, treatment.customers, control.converted, control.customers);
	const difference = treatment.conversionRate - control.conversionRate;
	const smaller = Math.min(control.customers, treatment.customers);
	const base = { control, treatment, lift: { difference, low: interval.low, high: interval.high, method: LIFT_METHOD }, requiredPerArm: required, progress: Math.min(1, smaller / required) };
	const range = `${points(interval.low)} to ${points(interval.high)} points`;
	if (smaller < required) {
		return { ...base, verdict: { kind: 'not_enough_data', text: `Not enough data yet: about ${required - smaller} more customers per arm would show a ${lift} (${smaller} of ${required} so far). So far: ${points(difference)} points (95% interval ${range}).` } };
	}
	if (interval.low > 0) return { ...base, verdict: { kind: 'better', text: `Treated customers bought more often: ${points(difference)} points (95% interval ${range}).` } };
	if (interval.high < 0) return { ...base, verdict: { kind: 'worse', text: `Treated customers bought less often: ${points(difference)} points (95% interval ${range}).` } };
	return { ...base, verdict: { kind: 'no_clear_difference', text: `No clear difference: the 95% interval (${range}) includes zero.` } };
}

const points = (share: number) => {
	const value = Math.round(share * 1000) / 10;
	return `${value > 0 ? '+' : value < 0 ? '−' : ''}${Math.abs(value)}`;
};
