import type { CompiledRuleSet } from './compile';
import { RuleOutcome, type Decision } from './types';

export interface RuleTally {
	fired: number;
	notMet: number;
	outOfSchedule: number;
	suppressed: number;
	holdout: number;
	points: number;
	offers: number;
	coupons: number;
	costMinor: number;
	revenueMinor: number;
}

export interface SimulationSummary {
	events: number;
	decisions: number;
	customersReached: number;
	pointsIssued: number;
	offersSent: number;
	couponsIssued: number;
	estimatedRewardCostMinor: number;
	revenueTouchedMinor: number;
	/** Reward cost as a share of the revenue the firing rules touched. */
	costShareOfRevenue: number | null;
	perRule: Record<string, RuleTally>;
	rulesNeverFired: string[];
	/** How often each limit held a rule back: "cap rule:x:day:points", "frequency x", "daily_limit", ... */
	capsThatBound: Record<string, number>;
	failedEvents: number;
}

const emptyTally = (): RuleTally => ({ fired: 0, notMet: 0, outOfSchedule: 0, suppressed: 0, holdout: 0, points: 0, offers: 0, coupons: 0, costMinor: 0, revenueMinor: 0 });

/** Folds decisions into what an agency wants to see before switching rules on. */
export class SimulationTally {
	private readonly perRule = new Map<string, RuleTally>();
	private readonly customers = new Set<string>();
	private readonly bound = new Map<string, number>();
	private events = 0;
	private failed = 0;
	private revenue = 0;

	constructor(private readonly ruleSet: CompiledRuleSet) {
		for (const rule of ruleSet.rules) this.perRule.set(rule.id, emptyTally());
	}

	/** A rule's tally; a bonus or follow-up of a rule no longer in the set still gets one, so nothing is lost. */
	private tallyOf(ruleId: string): RuleTally {
		let tally = this.perRule.get(ruleId);
		if (!tally) {
			tally = emptyTally();
			this.perRule.set(ruleId, tally);
		}
		return tally;
	}

	addFailure(): void {
		this.events++;
		this.failed++;
	}

	add(decision: Decision): void {
		this.events++;
		if (decision.fired.length > 0) {
			this.customers.add(decision.customerKey);
			// Revenue is counted once per event, however many rules fired on it.
			this.revenue += Math.max(...decision.fired.map((f) => f.revenueMinor));
		}
		for (const fired of decision.fired) {
			const tally = this.tallyOf(fired.ruleId);
			tally.points += fired.points;
			tally.offers += fired.actions.filter((a) => a.type === 'send_offer').length;
			tally.coupons += fired.actions.filter((a) => a.type === 'issue_coupon').length;
			tally.costMinor += fired.costMinor;
			tally.revenueMinor += fired.revenueMinor;
		}
		// Running bonuses and completed challenges give points too, on the rule that granted them.
		for (const extra of [...decision.bonusAwards, ...(decision.challengeCompletions ?? [])]) this.tallyOf(extra.ruleId).points += extra.points;
		for (const line of decision.explanation) {
			const tally = this.tallyOf(line.ruleId);
			if (line.outcome === RuleOutcome.Fired) tally.fired++;
			else if (line.outcome === RuleOutcome.NotMet) tally.notMet++;
			else if (line.outcome === RuleOutcome.OutOfSchedule) tally.outOfSchedule++;
			else if (line.outcome === RuleOutcome.Holdout) tally.holdout++;
			else if (line.outcome === RuleOutcome.Suppressed) {
				tally.suppressed++;
				const by = line.suppressedBy;
				const key = by?.capKey ? `${by.kind} ${by.capKey}` : `${by?.kind} ${line.ruleId}`;
				this.bound.set(key, (this.bound.get(key) ?? 0) + 1);
			}
		}
	}

	summary(): SimulationSummary {
		const tallies = [...this.perRule.values()];
		const cost = tallies.reduce((s, t) => s + t.costMinor, 0);
		return {
			events: this.events,
			decisions: this.events - this.failed,
			customersReached: this.customers.size,
			pointsIssued: tallies.reduce((s, t) => s + t.points, 0),
			offersSent: tallies.reduce((s, t) => s + t.offers, 0),
			couponsIssued: tallies.reduce((s, t) => s + t.coupons, 0),
			estimatedRewardCostMinor: cost,
			revenueTouchedMinor: this.revenue,
			costShareOfRevenue: this.revenue > 0 ? Math.round((cost / this.revenue) * 10000) / 10000 : null,
			perRule: Object.fromEntries(this.perRule),
			rulesNeverFired: this.ruleSet.rules.filter((r) => this.tallyOf(r.id).fired === 0).map((r) => r.id),
			capsThatBound: Object.fromEntries([...this.bound].sort((a, b) => b[1] - a[1])),
			failedEvents: this.failed,
		};
	}
}
