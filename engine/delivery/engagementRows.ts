import type { ChannelEngagement } from './channel';
import { DELIVERY_CHANNELS, type DeliveryChannel } from './decision';
import { LoyaltyError } from '../model/errors';
import type { Identities } from '../model/customer';
import { findCustomerIds } from '../store/customers';
import type { Db, Row, SqlClient } from '../store/db';

export const EngagementKind = { Open: 'open', Click: 'click' } as const;
export type EngagementKind = (typeof EngagementKind)[keyof typeof EngagementKind];
const ENGAGEMENT_KINDS: readonly string[] = Object.values(EngagementKind);

/** One open or click as a vendor reported it, before it is matched to a send. */
export interface EngagementFact {
	/** The source's own id for this fact (Klaviyo event id, Twilio message sid + click time): a redelivery is written once. */
	idempotencyKey: string;
	channel: DeliveryChannel;
	kind: EngagementKind;
	/** When the customer opened or clicked (ISO 8601). */
	at: string;
	/** e.g. `klaviyo:flow`, `twilio:link_click`. */
	source: string;
	/** The decision the message carried, when the vendor can hand it back. */
	decisionId?: string;
	/** The vendor's id of the message (Twilio message sid). */
	vendorMessageId?: string;
	/** Who engaged, for the fallback: their latest send on the channel. */
	identities?: Identities;
}

export type EngagementMatch = 'decision' | 'vendor_message' | 'latest_send';

export interface EngagementRecord {
	idempotencyKey: string;
	decisionId: string;
	channel: DeliveryChannel;
	kind: EngagementKind;
	customerId: string;
	at: string;
	source: string;
	matchedBy: EngagementMatch;
	recordedAt: string;
}

export type EngagementResult =
	/** Linked to a send and written (`recorded`), or already written by an earlier delivery (`duplicate`). */
	| { outcome: 'recorded' | 'duplicate'; engagement: EngagementRecord }
	/** No send of ours to link it to: nothing written. */
	| { outcome: 'ignored'; reason: string };

interface EngagementRow extends Row {
	idempotency_key: string;
	decision_id: string;
	channel: string;
	kind: string;
	customer_id: string;
	at: string;
	source: string;
	matched_by: string;
	recorded_at: string;
}

function recordOf(row: EngagementRow): EngagementRecord {
	return {
		idempotencyKey: row.idempotency_key,
		decisionId: row.decision_id,
		channel: row.channel as DeliveryChannel,
		kind: row.kind as EngagementKind,
		customerId: row.customer_id,
		at: row.at,
		source: row.source,
		matchedBy: row.matched_by as EngagementMatch,
		recordedAt: row.recorded_at,
	};
}

/** Statuses of a send that reached (or may be reaching) the customer: only those can be opened or clicked. */
const ENGAGEABLE = ['claimed', 'sent', 'delivered', 'unknown'];
const ENGAGEABLE_SQL = ENGAGEABLE.map((s) => `'${s}'`).join(', ');

function validate(fact: EngagementFact): string {
	if (!fact.idempotencyKey?.trim()) throw LoyaltyError.invalid('engagement.idempotencyKey', 'is required (derive it from the source event)');
	if (!(DELIVERY_CHANNELS as readonly string[]).includes(fact.channel)) throw LoyaltyError.invalid('engagement.channel', `must be one of ${DELIVERY_CHANNELS.join(', ')}`);
	if (!ENGAGEMENT_KINDS.includes(fact.kind)) throw LoyaltyError.invalid('engagement.kind', `must be one of ${ENGAGEMENT_KINDS.join(', ')}`);
	const at = Date.parse(fact.at);
	if (!Number.isFinite(at)) throw LoyaltyError.invalid('engagement.at', `"${fact.at}" is not a date-time`);
	return new Date(at).toISOString();
}

type SendRef = { decision_id: string; channel: string; customer_id: string; status: string };

/**
 * The send an engagement belongs to: by decision id when the vendor carried it (a decision id we
 * never sent is refused, not guessed at), else by the vendor's message id, else the customer's
 * latest send on that channel at or before the engagement.
 */
async function matchSend(sql: SqlClient, fact: EngagementFact, at: string): Promise<{ send: SendRef; matchedBy: EngagementMatch } | { reason: string }> {
	if (fact.decisionId) {
		const [send] = await sql.query<SendRef>('SELECT decision_id, channel, customer_id, status FROM delivery_sends WHERE decision_id = $1 AND channel = $2', [fact.decisionId, fact.channel]);
		if (!send) return { reason: `no ${fact.channel} send for decision ${fact.decisionId}` };
		if (!ENGAGEABLE.includes(send.status)) return { reason: `the ${fact.channel} send of decision ${fact.decisionId} is ${send.status}, so it was never read` };
		return { send, matchedBy: 'decision' };
	}
	if (fact.vendorMessageId) {
		const [send] = await sql.query<SendRef>(`SELECT decision_id, channel, customer_id, status FROM delivery_sends WHERE vendor_message_id = $1 AND channel = $2 AND status IN (${ENGAGEABLE_SQL})`, [fact.vendorMessageId, fact.channel]);
		if (send) return { send, matchedBy: 'vendor_message' };
	}
	const customerIds = fact.identities ? await findCustomerIds(sql, fact.identities) : [];
	if (customerIds.length === 0) return { reason: fact.identities ? 'no customer in the store has these identities' : 'the engagement names neither a decision, a message nor a customer' };
	const placeholders = customerIds.map((_, i) => `$${i + 3}`).join(', ');
	const [latest] = await sql.query<SendRef>(
		`SELECT decision_id, channel, customer_id, status FROM delivery_sends
		 WHERE channel = $1 AND COALESCE(sent_at, send_at) <= $2 AND status IN (${ENGAGEABLE_SQL}) AND customer_id IN (${placeholders})
		 ORDER BY COALESCE(sent_at, send_at) DESC, decision_id DESC LIMIT 1`,
		[fact.channel, at, ...customerIds],
	);
	return latest ? { send: latest, matchedBy: 'latest_send' } : { reason: `the customer has no ${fact.channel} send before ${at}` };
}

/** Records one open or click against the send it belongs to; idempotent by the fact's key. */
export async function recordEngagement(db: Db, fact: EngagementFact, now: Date): Promise<EngagementResult> {
	const at = validate(fact);
	return db.transaction(async (sql) => {
		const [earlier] = await sql.query<EngagementRow>('SELECT * FROM delivery_engagements WHERE idempotency_key = $1', [fact.idempotencyKey]);
		if (earlier) return { outcome: 'duplicate', engagement: recordOf(earlier) };
		const match = await matchSend(sql, fact, at);
		if ('reason' in match) return { outcome: 'ignored', reason: match.reason };
		const inserted = await sql.execute(
			`INSERT INTO delivery_engagements (idempotency_key, decision_id, channel, kind, customer_id, at, source, matched_by, recorded_at)
			 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (idempotency_key) DO NOTHING`,
			[fact.idempotencyKey, match.send.decision_id, match.send.channel, fact.kind, match.send.customer_id, at, fact.source, match.matchedBy, now.toISOString()],
		);
		const [row] = await sql.query<EngagementRow>('SELECT * FROM delivery_engagements WHERE idempotency_key = $1', [fact.idempotencyKey]);
		return { outcome: inserted === 1 ? 'recorded' : 'duplicate', engagement: recordOf(row) };
	});
}

export async function engagementsOf(sql: SqlClient, decisionId: string): Promise<EngagementRecord[]> {
	const rows = await sql.query<EngagementRow>('SELECT * FROM delivery_engagements WHERE decision_id = $1 ORDER BY at, idempotency_key', [decisionId]);
	return rows.map(recordOf);
}

/**
 * Per channel, the customer's sends that went out since `since` (status sent or delivered) and how
 * many of those were opened or clicked at least once: one query, whatever the number of sends.
 * A channel with no send is absent.
 */
export async function engagementByChannel(sql: SqlClient, customerId: string, since: string): Promise<Partial<Record<DeliveryChannel, ChannelEngagement>>> {
	const rows = await sql.query<{ channel: string; sent: number | string; engaged: number | string | null }>(
		`SELECT s.channel AS channel, COUNT(*) AS sent,
			SUM(CASE WHEN EXISTS (SELECT 1 FROM delivery_engagements e WHERE e.decision_id = s.decision_id AND e.channel = s.channel) THEN 1 ELSE 0 END) AS engaged
		 FROM delivery_sends s
		 WHERE s.customer_id = $1 AND s.status IN ('sent', 'delivered') AND COALESCE(s.sent_at, s.send_at) >= $2
		 GROUP BY s.channel`,
		[customerId, since],
	);
	const result: Partial<Record<DeliveryChannel, ChannelEngagement>> = {};
	for (const row of rows) result[row.channel as DeliveryChannel] = { sent: Number(row.sent), engaged: Number(row.engaged ?? 0) };
	return result;
}
