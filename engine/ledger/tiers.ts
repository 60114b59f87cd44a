import type { TierPolicy } from './program';

/** The highest level whose threshold the qualifying amount reaches. */
export function eligibleTier(policy: TierPolicy, qualifying: number): string | undefined {
	let best: { name: string; threshold: number } | undefined;
	for (const level of policy.levels) {
		if (qualifying >= level.threshold && (!best || level.threshold > best.threshold)) best = level;
	}
	return best?.name;
}

export function tierRank(policy: TierPolicy, name: string | null | undefined): number {
	if (!name) return -1;
	const level = policy.levels.find((l) => l.name === name);
	return level ? level.threshold : -1;
}

/**
 * Upgrades apply at once; downgrades only when a review is due. Returns the tier to hold and
 * whether this counts as a review (which restarts the review period).
 */
export function nextTier(policy: TierPolicy, current: string | null, reviewedAt: string | null, qualifying: number, now: Date): { tier: string | undefined; reviewed: boolean } {
	const eligible = eligibleTier(policy, qualifying);
	const reviewDue = !reviewedAt || now.getTime() >= Date.parse(reviewedAt) + policy.reviewEveryDays * 86_400_000;
	if (reviewDue) return { tier: eligible, reviewed: true };
	if (tierRank(policy, eligible) > tierRank(policy, current)) return { tier: eligible, reviewed: true };
	return { tier: current ?? undefined, reviewed: false };
}
