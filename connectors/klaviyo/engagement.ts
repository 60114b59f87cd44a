import { type EngagementFact, identitiesSchema, LoyaltyError } from '../../engine';
import { type JsonObject, isObject } from '../shared/payload';

/**
 * Opens and clicks of Send Offer's emails, reported by the offer's own Klaviyo flow.
 *
 * Klaviyo does not let "Opened Email" or "Clicked Email" trigger a flow (only its paid system
 * webhooks forward them), so the report comes from the flow that sent the offer: after the email,
 * a time delay, then a conditional split "Clicked Email at least once since starting this flow"
 * (and, on its No branch, one on "Opened Email"), each Yes branch ending in a webhook action with
 * the body below. The flow is triggered by Send Offer's own event, so `event.decision_id` is the
 * decision the email carried: the engagement lands on exactly that send. The same X-Loyalty-Token
 * header as Started Checkout authenticates it.
 */
export const KLAVIYO_ENGAGEMENT_KINDS = { opened: 'open', clicked: 'click' } as const;
export type KlaviyoEngagementName = keyof typeof KLAVIYO_ENGAGEMENT_KINDS;

/** The webhook body for the "Clicked Email" branch; the "Opened Email" branch sends "opened". */
export function klaviyoEngagementTemplate(engagement: KlaviyoEngagementName): string {
	return `{
  "engagement": "${engagement}",
  "decision_id": "{{ event.decision_id|default:'' }}",
  "event_id": "{{ event|lookup:'$event_id' }}",
  "email": "{{ person.email|default:'' }}"
}`;
}

/** Started Checkout bodies have no `engagement`; engagement reports always do. */
export function isKlaviyoEngagement(payload: unknown): boolean {
	return isObject(payload) && payload.engagement !== undefined;
}

/**
 * One flow report → one engagement fact. Keyed by decision (or, for a flow Send Offer did not
 * trigger, by the trigger event) and kind: the split lets a profile through once per flow run, and
 * a retried webhook carries the same key.
 */
export function normalizeKlaviyoEngagement(payload: unknown, receivedAt: string): EngagementFact {
	if (!isObject(payload)) throw LoyaltyError.invalid('body', 'must be a JSON object');
	const name = text(payload, 'engagement')?.toLowerCase();
	if (name === undefined || !(name in KLAVIYO_ENGAGEMENT_KINDS)) throw LoyaltyError.invalid('engagement', `must be "opened" or "clicked"${name ? `, not "${name}"` : ''}`);
	const kind = KLAVIYO_ENGAGEMENT_KINDS[name as KlaviyoEngagementName];
	const decisionId = text(payload, 'decision_id');
	const eventId = text(payload, 'event_id');
	const email = text(payload, 'email')?.toLowerCase();
	if (email !== undefined && !identitiesSchema.shape.email.safeParse(email).success) throw LoyaltyError.invalid('email', `"${email}" is not an email address`);
	const sourceKey = decisionId ?? eventId;
	if (sourceKey === undefined) throw LoyaltyError.invalid('decision_id', "is required (the flow trigger's decision_id), or event_id when the flow was not triggered by Send Offer");
	if (decisionId === undefined && email === undefined) throw LoyaltyError.invalid('email', 'is required when the report carries no decision_id');
	return {
		idempotencyKey: `klaviyo:engagement:${sourceKey}:${kind}`,
		channel: 'email',
		kind,
		at: receivedAt,
		source: 'klaviyo:flow',
		...(decisionId ? { decisionId } : {}),
		...(email ? { identities: { email } } : {}),
	};
}

/** Template text: empty, or Klaviyo's "None" for a property the event lacks, means absent. */
function text(body: JsonObject, name: string): string | undefined {
	const value = body[name];
	if (value === undefined || value === null) return undefined;
	if (typeof value !== 'string') throw LoyaltyError.invalid(name, 'must be text');
	const trimmed = value.trim();
	return trimmed === '' || trimmed === 'None' ? undefined : trimmed;
}
