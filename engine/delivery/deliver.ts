import type { DeliveryChannel } from './decision';
import type { SendClaim } from './sendRows';
import type { PastSend } from './frequency';
import type { Check, RefusalReason } from './refusal';

/** The parts of the send log delivery needs (deliveryLog.ts DeliveryLog implements it). */
export interface SendLogPort {
	claim(claim: ClaimInput, now: Date, admit?: (history: PastSend[]) => Check): Promise<ClaimAnswer>;
	recordHoldout(claim: ClaimInput, now: Date): Promise<ClaimAnswer>;
	finish(decisionId: string, channel: DeliveryChannel, outcome: { status: 'sent' | 'failed' | 'unknown'; vendorMessageId?: string; detail?: string; at: string }): Promise<boolean>;
	noteFailedAttempt(decisionId: string, channel: DeliveryChannel, detail: string, at: Date): Promise<void>;
}

/** What a send is claimed with: the send log's own claim (sendRows.ts), one shape for both. */
export type ClaimInput = SendClaim;

interface LoggedSend {
	status: string;
	idempotencyKey: string;
	vendorMessageId?: string;
	detail?: string;
	channel: DeliveryChannel;
	/** When the row was first claimed. */
	claimedAt?: string;
}

export type ClaimAnswer =
	| { outcome: 'claimed' | 'resume' | 'done'; send: LoggedSend }
	| { outcome: 'refused'; refusal: Extract<Check, { allowed: false }> };

/** How a vendor call failed, as far as delivery cares. */
export interface SendFailure {
	/** Certainly not accepted, and may be tried again later with the same key. */
	retryable: boolean;
	/** May have been accepted; trying again could send a second message. */
	ambiguous: boolean;
	/** The vendor says the recipient opted out (Twilio 21610). */
	optedOut: boolean;
	message: string;
}

export interface DeliverySteps {
	/** Creates the coupon; must be idempotent by its code (the same code twice is not a second coupon). */
	createCoupon?: () => Promise<void>;
	/** Hands the message to the vendor with this idempotency key; resolves with the vendor's id. */
	send: (idempotencyKey: string) => Promise<{ vendorMessageId?: string }>;
	/** Turns whatever `send` or `createCoupon` threw into a SendFailure. */
	classify: (error: unknown) => SendFailure;
	/** Whether the vendor drops a repeated idempotency key (Klaviyo unique_id: yes; Twilio: no). */
	vendorDeduplicates: boolean;
}

export type DeliveryResult =
	| { status: 'sent'; vendorMessageId?: string; replay: false }
	| { status: 'held_out' | 'refused' | 'failed' | 'unknown' | 'retry_later'; detail: string; replay: boolean; optedOut?: boolean; retryAt?: string; reason?: RefusalReason }
	| { status: 'replay'; previous: string; replay: true };

const NOT_SENT = 'not sent: ';

/**
 * A claim younger than this with no failed attempt noted belongs to a run that is still talking
 * to the vendor (the same decision posted twice at once), not to a crashed one: resuming it would
 * call the vendor a second time, and for SMS overwrite the real outcome with "unknown".
 */
export const IN_FLIGHT_MS = 60_000;

/**
 * Claim → coupon → vendor → finalise. The row is claimed BEFORE anything leaves this process,
 * so a replayed decision finds it. A claimed row that was never finalised (crash, timeout) is
 * retried with the same idempotency key when the vendor deduplicates; otherwise only when the
 * last attempt is known not to have reached the vendor, and else left "unknown" rather than
 * risk a second message.
 */
export async function deliver(log: SendLogPort, claim: ClaimInput, steps: DeliverySteps, now: Date, options: { holdout?: boolean; admit?: (history: PastSend[]) => Check } = {}): Promise<DeliveryResult> {
	if (options.holdout) {
		const held = await log.recordHoldout(claim, now);
		if (held.outcome === 'refused') return { status: 'refused', detail: held.refusal.detail, replay: false, reason: held.refusal.reason };
		return held.outcome === 'claimed' ? { status: 'held_out', detail: 'holdout: logged as would have been sent, not contacted', replay: false } : { status: 'replay', previous: held.send.status, replay: true };
	}
	const claimed = await log.claim(claim, now, options.admit);
	if (claimed.outcome === 'refused') return { status: 'refused', detail: claimed.refusal.detail, replay: false, retryAt: claimed.refusal.retryAt, reason: claimed.refusal.reason };
	if (claimed.outcome === 'done') return { status: 'replay', previous: claimed.send.status, replay: true };
	const { send } = claimed;
	if (claimed.outcome === 'resume' && !send.detail && send.claimedAt && now.getTime() - Date.parse(send.claimedAt) < IN_FLIGHT_MS) {
		return { status: 'replay', previous: send.status, replay: true };
	}
	const at = () => new Date(Math.max(now.getTime(), Date.now())).toISOString();
	if (claimed.outcome === 'resume' && !steps.vendorDeduplicates && !(send.detail ?? '').startsWith(NOT_SENT)) {
		const detail = 'an earlier attempt may have reached the vendor and it cannot deduplicate; not sent again (check the vendor log)';
		await log.finish(claim.decisionId, send.channel, { status: 'unknown', detail, at: at() });
		return { status: 'unknown', detail, replay: true };
	}
	try {
		await steps.createCoupon?.();
		const { vendorMessageId } = await steps.send(send.idempotencyKey);
		await log.finish(claim.decisionId, send.channel, { status: 'sent', vendorMessageId, at: at() });
		return { status: 'sent', vendorMessageId, replay: false };
	} catch (error) {
		const failure = steps.classify(error);
		if (failure.ambiguous && !steps.vendorDeduplicates) {
			await log.finish(claim.decisionId, send.channel, { status: 'unknown', detail: failure.message, at: at() });
			return { status: 'unknown', detail: failure.message, replay: false };
		}
		if (failure.retryable || failure.ambiguous) {
			await log.noteFailedAttempt(claim.decisionId, send.channel, failure.ambiguous ? failure.message : NOT_SENT + failure.message, new Date(at()));
			return { status: 'retry_later', detail: failure.message, replay: false };
		}
		await log.finish(claim.decisionId, send.channel, { status: 'failed', detail: failure.message, at: at() });
		return { status: 'failed', detail: failure.message, replay: false, optedOut: failure.optedOut };
	}
}
