import { z } from 'zod';

/**
 * The program's referral settings, stored with the rest of the program (engine/program): what
 * the friend and the advocate get, how long the friend's order may still be returned, and how
 * many rewarded referrals one advocate may bring in a period.
 */
export const referralPolicySchema = z
	.object({
		/** Welcome points for the friend's first paid order; pending through the return window too. */
		friendPoints: z.number().int('must be a whole number').nonnegative('must not be negative').default(100),
		/** Points for the advocate, pending until the friend's return window has passed. */
		advocatePoints: z.number().int('must be a whole number').nonnegative('must not be negative').default(500),
		/** Days after the friend's order in which a refund cancels the rewards. */
		returnWindowDays: z.number().int('must be a whole number of days').min(0, 'must not be negative').max(365, 'must be at most 365').default(30),
		/** Rewarded referrals one advocate may bring in `periodDays`; more are refused as too many. */
		maxReferralsPerPeriod: z.number().int('must be a whole number').min(1, 'must be at least 1').default(10),
		periodDays: z.number().int('must be a whole number of days').min(1, 'must be at least 1').default(30),
		/** The referral link: the shop's address with `{code}` where the code goes; empty: no link. */
		linkTemplate: z
			.string()
			.trim()
			.refine((text) => text === '' || (/^https?:\/\//.test(text) && text.includes('{code}')), 'must be empty or a web address containing {code}, such as https://shop.example/?ref={code}')
			.default(''),
	})
	.strict();
export type ReferralPolicy = z.infer<typeof referralPolicySchema>;
export type ReferralPolicyInput = z.input<typeof referralPolicySchema>;

/** The customer's link, or undefined when the program has no link template. */
export function referralLink(policy: Pick<ReferralPolicy, 'linkTemplate'>, code: string): string | undefined {
	return policy.linkTemplate === '' ? undefined : policy.linkTemplate.split('{code}').join(encodeURIComponent(code));
}
