import { createHash } from 'node:crypto';
import type { OfferDecision } from './decision';

/** The decision's experiment arm is honoured as given: a holdout is logged and never contacted. */
export function isHoldout(decision: Pick<OfferDecision, 'experiment'>): boolean {
	return decision.experiment?.holdout === true;
}

/**
 * A stable arm for rules that ask Send Offer to assign one: the same customer in the same
 * experiment always lands in the same arm, on any worker, without stored state.
 */
export function assignHoldout(experimentId: string, customerId: string, holdoutPercent: number): boolean {
	if (holdoutPercent <= 0) return false;
	const bucket = createHash('sha256').update(`${experimentId}\u0000${customerId}`).digest().readUInt32BE(0) % 10_000;
	return bucket < Math.round(holdoutPercent * 100);
}
