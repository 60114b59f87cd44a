import { createHash } from 'node:crypto';
import type { RuleExperiment } from './schema';

export const HOLDOUT_ARM = 'holdout';

/**
 * A uniform number in [0, 1) from sha256(experiment id + customer): the same customer lands in
 * the same arm on every run and every machine, and arms of different experiments are independent.
 */
export function stickyUniform(experimentId: string, customerKey: string): number {
	const digest = createHash('sha256').update(`${experimentId}\u0000${customerKey}`).digest();
	// 48 bits keep the division exact in a double.
	return digest.readUIntBE(0, 6) / 2 ** 48;
}

/** The arm for a customer: "holdout" for the holdout share, otherwise a variant by weight. */
export function assignArm(experiment: RuleExperiment, customerKey: string): string {
	const u = stickyUniform(experiment.id, customerKey);
	if (u < experiment.holdoutShare) return HOLDOUT_ARM;
	const scaled = (u - experiment.holdoutShare) / (1 - experiment.holdoutShare);
	const total = experiment.variants.reduce((sum, v) => sum + v.weight, 0);
	let cumulative = 0;
	for (const variant of experiment.variants) {
		cumulative += variant.weight / total;
		if (scaled < cumulative) return variant.name;
	}
	return experiment.variants[experiment.variants.length - 1].name;
}
