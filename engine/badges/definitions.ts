import { z } from 'zod';

/** A badge id: short, stable, safe in a Klaviyo property and a JSON path. */
export const BADGE_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,49}$/;

export const badgeDefinitionSchema = z
	.object({
		id: z.string().regex(BADGE_ID_PATTERN, 'must be 1–50 lower-case letters, digits, "-" or "_", such as first-purchase'),
		/** What the customer sees: in emails, on the Klaviyo profile, next to the balance. */
		name: z.string().trim().min(1, 'must not be empty').max(80, 'must be at most 80 characters'),
		description: z.string().max(300, 'must be at most 300 characters').optional(),
	})
	.strict();
export type BadgeDefinition = z.infer<typeof badgeDefinitionSchema>;

export const badgeDefinitionsSchema = z.array(badgeDefinitionSchema).superRefine((badges, ctx) => {
	const seen = new Set<string>();
	badges.forEach((badge, index) => {
		if (seen.has(badge.id)) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `badge "${badge.id}" is defined twice`, path: [index, 'id'] });
		seen.add(badge.id);
	});
});

/** The badges a program has until the owner sets its own: the ones the badge presets award. */
export const DEFAULT_BADGES: readonly BadgeDefinition[] = [
	{ id: 'first-purchase', name: 'First purchase', description: 'Paid for a first order' },
	{ id: 'tenth-visit', name: '10th visit', description: 'Came back for a tenth paid order' },
	{ id: 'explorer', name: 'Explorer', description: 'Bought from three different categories' },
	{ id: 'referral-champion', name: 'Referral champion', description: 'Brought five friends who bought' },
];
