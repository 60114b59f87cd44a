import type { DeliveryChannel, MessagePurpose } from './decision';
import { assertSameSend } from './fingerprint';
import type { PastSend } from './frequency';
import type { Check, SuppressionReason } from './refusal';
import { LoyaltyError } from '../model/errors';
import { forUpdate, type Db, type Row, type SqlClient } from '../store/db';

/**
 * A send's life: claimed (before the vendor is called) → sent (the vendor accepted it) →
 * delivered / undelivered (callbacks). `unknown`: the vendor may or may not have taken it and
 * offers no idempotency key to ask again safely, so it is never retried automatically.
 */
export const SendStatus = {
	Claimed: 'claimed',
	Sent: 'sent',
	Delivered: 'delivered',
	Undelivered: 'undelivered',
	Failed: 'failed',
	Unknown: 'unknown',
	HeldOut: 'held_out',
} as const;
export type SendStatus = (typeof SendStatus)[keyof typeof SendStatus];

/** Callbacks arrive out of order; a status only ever moves up this ladder. */
const RANK: Record<SendStatus, number> = { claimed: 0, unknown: 1, failed: 2, sent: 3, undelivered: 4, delivered: 5, held_out: 6 };

/** Statuses that may have reached the customer, so they count against frequency caps. */
const CONTACTED: readonly SendStatus[] = [SendStatus.Claimed, SendStatus.Sent, SendStatus.Delivered, SendStatus.Unknown];

export interface SendClaim {
	decisionId: string;
	channel: DeliveryChannel;
	customerId: string;
	ruleId: string;
	offerTemplateId: string;
	purpose: MessagePurpose;
	isReward: boolean;
	experimentId?: string;
	experimentArm?: string;
	/** Sent to the vendor on every attempt of this send (Klaviyo unique_id), so a retry is not a second message. */
	idempotencyKey: string;
	couponCode?: string;
	sendAt: string;
	/** Fingerprint of the decision's first request (engine/delivery/fingerprint.ts); absent on sends logged before fingerprints. */
	request?: string;
	/** Fingerprint of the decision's coupon, when it had one. */
	couponRequest?: string;
	/** The stored program version whose delivery settings applied (engine/program). */
	programVersion?: number;
}

export interface SendRecord extends SendClaim {
	status: SendStatus;
	vendorMessageId?: string;
	attempts: number;
	detail?: string;
	claimedAt: string;
	sentAt?: string;
	updatedAt: string;
}

interface SendRow extends Row {
	decision_id: string;
	channel: string;
	customer_id: string;
	rule_id: string;
	offer_template_id: string;
	purpose: string;
	is_reward: number;
	experiment_id: string | null;
	experiment_arm: string | null;
	status: string;
	idempotency_key: string;
	vendor_message_id: string | null;
	coupon_code: string | null;
	send_at: string;
	attempts: number;
	detail: string | null;
	claimed_at: string;
	sent_at: string | null;
	updated_at: string;
	request: string | null;
	coupon_request: string | null;
}

function recordOf(row: SendRow): SendRecord {
	return {
		decisionId: row.decision_id,
		channel: row.channel as DeliveryChannel,
		customerId: row.customer_id,
		ruleId: row.rule_id,
		offerTemplateId: row.offer_template_id,
		purpose: row.purpose as MessagePurpose,
		isReward: Number(row.is_reward) === 1,
		experimentId: row.experiment_id ?? undefined,
		experimentArm: row.experiment_arm ?? undefined,
		status: row.status as SendStatus,
		idempotencyKey: row.idempotency_key,
		vendorMessageId: row.vendor_message_id ?? undefined,
		couponCode: row.coupon_code ?? undefined,
		sendAt: row.send_at,
		attempts: Number(row.attempts),
		detail: row.detail ?? undefined,
		claimedAt: row.claimed_at,
		sentAt: row.sent_at ?? undefined,
		updatedAt: row.updated_at,
		...(row.request !== null ? { request: row.request } : {}),
		...(row.coupon_request !== null ? { couponRequest: row.coupon_request } : {}),
	};
}

export type ClaimResult =
	/** First attempt: call the vendor, then finalise. */
	| { outcome: 'claimed'; send: SendRecord }
	/** An earlier attempt was claimed and never finalised (crash, timeout): call again with the SAME idempotency key. */
	| { outcome: 'resume'; send: SendRecord }
	/** This decision was already sent, held out, failed for good or is in doubt: do nothing. */
	| { outcome: 'done'; send: SendRecord }
	/** The caps (re-checked under the customer's lock) refused it; nothing was written. */
	| { outcome: 'refused'; refusal: Extract<Check, { allowed: false }> };

export async function getSends(sql: SqlClient, decisionId: string): Promise<SendRecord[]> {
	const rows = await sql.query<SendRow>('SELECT * FROM delivery_sends WHERE decision_id = $1 ORDER BY channel', [decisionId]);
	return rows.map(recordOf);
}

/** The customer's contacts since `since`, for frequency caps: anything that may have reached them. */
export async function recentSends(sql: SqlClient, customerId: string, since: string): Promise<PastSend[]> {
	const rows = await sql.query<{ decision_id: string; channel: string; send_at: string; sent_at: string | null; is_reward: number; status: string }>(
		'SELECT decision_id, channel, send_at, sent_at, is_reward, status FROM delivery_sends WHERE customer_id = $1 AND send_at >= $2 ORDER BY send_at, decision_id',
		[customerId, since],
	);
	return rows
		.filter((r) => (CONTACTED as readonly string[]).includes(r.status))
		.map((r) => ({ channel: r.channel as DeliveryChannel, sentAt: r.sent_at ?? r.send_at, isReward: Number(r.is_reward) === 1, decisionId: r.decision_id }));
}

/**
 * Claims the send of one decision BEFORE any vendor is called. A decision has at most one
 * send whatever the channel: a replay finds the earlier row and gets `done` or `resume`.
 * `admit` re-checks the caps against the customer's history under the customer's lock, so two
 * decisions racing for the same customer cannot both pass a "one per day" cap.
 */
export async function claimSend(db: Db, claim: SendClaim, now: Date, admit: (history: PastSend[]) => Check, initialStatus: typeof SendStatus.Claimed | typeof SendStatus.HeldOut = SendStatus.Claimed): Promise<ClaimResult> {
	return db.transaction(async (sql) => {
		const [customer] = await sql.query('SELECT id FROM customers WHERE id = $1' + forUpdate(sql.dialect), [claim.customerId]);
		if (!customer) throw LoyaltyError.notFound('decision.customer', `no customer ${claim.customerId} in the store`);
		const [existing] = await getSends(sql, claim.decisionId);
		if (existing) {
			// The decision id is the send's key (and its coupon's): a different request under it is refused, not replayed.
			if (claim.request !== undefined) assertSameSend(claim.decisionId, existing, { request: claim.request, couponRequest: claim.couponRequest });
			if (existing.status !== SendStatus.Claimed) return { outcome: 'done', send: existing };
			await sql.execute('UPDATE delivery_sends SET attempts = attempts + 1, updated_at = $3 WHERE decision_id = $1 AND channel = $2', [existing.decisionId, existing.channel, now.toISOString()]);
			return { outcome: 'resume', send: { ...existing, attempts: existing.attempts + 1, updatedAt: now.toISOString() } };
		}
		if (initialStatus === SendStatus.Claimed) {
			const verdict = admit(await recentSends(sql, claim.customerId, new Date(Date.parse(claim.sendAt) - 8 * 86_400_000).toISOString()));
			if (!verdict.allowed) return { outcome: 'refused', refusal: verdict };
		}
		const at = now.toISOString();
		await sql.execute(
			`INSERT INTO delivery_sends (decision_id, channel, customer_id, rule_id, offer_template_id, purpose, is_reward, experiment_id, experiment_arm, status,
				idempotency_key, coupon_code, send_at, attempts, claimed_at, updated_at, request, coupon_request, program_version)
			 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $14, $14, $15, $16, $17)`,
			[claim.decisionId, claim.channel, claim.customerId, claim.ruleId, claim.offerTemplateId, claim.purpose, claim.isReward ? 1 : 0, claim.experimentId ?? null, claim.experimentArm ?? null, initialStatus, claim.idempotencyKey, claim.couponCode ?? null, claim.sendAt, at, claim.request ?? null, claim.couponRequest ?? null, claim.programVersion ?? null],
		);
		const [inserted] = await getSends(sql, claim.decisionId);
		return { outcome: 'claimed', send: inserted };
	});
}

export interface SendOutcome {
	status: typeof SendStatus.Sent | typeof SendStatus.Failed | typeof SendStatus.Unknown;
	vendorMessageId?: string;
	detail?: string;
	at: string;
}

/** Finalises a claimed send after the vendor answered (or definitely did not). Only a claimed row changes. */
export async function finishSend(sql: SqlClient, decisionId: string, channel: DeliveryChannel, outcome: SendOutcome): Promise<boolean> {
	const changed = await sql.execute(
		`UPDATE delivery_sends SET status = $3, vendor_message_id = COALESCE($4, vendor_message_id), detail = $5, sent_at = $6, updated_at = $7
		 WHERE decision_id = $1 AND channel = $2 AND status = 'claimed'`,
		[decisionId, channel, outcome.status, outcome.vendorMessageId ?? null, outcome.detail ?? null, outcome.status === SendStatus.Sent ? outcome.at : null, outcome.at],
	);
	return changed === 1;
}

/** An attempt that certainly did not reach the vendor: the row stays claimed so the next run resumes it. */
export async function noteFailedAttempt(sql: SqlClient, decisionId: string, channel: DeliveryChannel, detail: string, at: string): Promise<void> {
	await sql.execute(`UPDATE delivery_sends SET detail = $3, updated_at = $4 WHERE decision_id = $1 AND channel = $2 AND status = 'claimed'`, [decisionId, channel, detail, at]);
}

export interface StatusUpdate {
	decisionId?: string;
	channel?: DeliveryChannel;
	vendorMessageId?: string;
	status: typeof SendStatus.Sent | typeof SendStatus.Delivered | typeof SendStatus.Undelivered | typeof SendStatus.Failed;
	detail?: string;
	at: string;
}

/**
 * A vendor's delivery callback. Found by decision id (carried in the callback URL, so a callback
 * that beats finishSend still lands) or else by the vendor's message id. Never moves a status back.
 */
export async function applyStatusUpdate(db: Db, update: StatusUpdate): Promise<SendRecord | undefined> {
	return db.transaction(async (sql) => {
		const rows = update.decisionId
			? await sql.query<SendRow>('SELECT * FROM delivery_sends WHERE decision_id = $1' + (update.channel ? ' AND channel = $2' : '') + forUpdate(sql.dialect), update.channel ? [update.decisionId, update.channel] : [update.decisionId])
			: update.vendorMessageId
				? await sql.query<SendRow>('SELECT * FROM delivery_sends WHERE vendor_message_id = $1' + forUpdate(sql.dialect), [update.vendorMessageId])
				: [];
		const row = rows[0];
		if (!row) return undefined;
		const current = recordOf(row);
		if (RANK[update.status] <= RANK[current.status] || current.status === SendStatus.HeldOut) return current;
		await sql.execute(
			`UPDATE delivery_sends SET status = $3, vendor_message_id = COALESCE(vendor_message_id, $4), detail = COALESCE($5, detail), sent_at = COALESCE(sent_at, $6), updated_at = $6
			 WHERE decision_id = $1 AND channel = $2`,
			[current.decisionId, current.channel, update.status, update.vendorMessageId ?? null, update.detail ?? null, update.at],
		);
		const [updated] = await sql.query<SendRow>('SELECT * FROM delivery_sends WHERE decision_id = $1 AND channel = $2', [current.decisionId, current.channel]);
		return recordOf(updated);
	});
}

/** The send that handed out a coupon, for attributing a redeemed coupon to its offer. */
export async function sendForCoupon(sql: SqlClient, couponCode: string): Promise<SendRecord | undefined> {
	const [row] = await sql.query<SendRow>('SELECT * FROM delivery_sends WHERE coupon_code = $1', [couponCode]);
	return row ? recordOf(row) : undefined;
}

export interface RefusalRecord {
	decisionId: string;
	reason: SuppressionReason;
	ruleId: string;
	offerTemplateId: string;
	channel?: DeliveryChannel;
	at: string;
}

/**
 * Counts a refused (or quiet-hours deferred) send for the owner's report: one row per decision and
 * reason, so a replay is not a second count. No customer and no message body is kept.
 */
export async function recordRefusal(sql: SqlClient, refusal: RefusalRecord): Promise<void> {
	await sql.execute('INSERT INTO delivery_refusals (decision_id, reason, rule_id, offer_template_id, channel, refused_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING', [
		refusal.decisionId,
		refusal.reason,
		refusal.ruleId,
		refusal.offerTemplateId,
		refusal.channel ?? null,
		refusal.at,
	]);
}
