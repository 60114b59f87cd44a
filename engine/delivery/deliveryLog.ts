import type { ChannelEngagement } from './channel';
import type { DeliveryChannel } from './decision';
import type { PastSend } from './frequency';
import type { Check } from './refusal';
import type { Customer } from '../model/customer';
import { consentHistory, recordConsentChange, type ConsentChange, type ConsentHistoryEntry } from './consentRows';
import { applyStatusUpdate, claimSend, finishSend, getSends, noteFailedAttempt, recentSends, recordRefusal, sendForCoupon, SendStatus, type ClaimResult, type RefusalRecord, type SendClaim, type SendOutcome, type SendRecord, type StatusUpdate } from './sendRows';
import { attributeOrder, redemptionsOf, type Redemption } from './redemptionRows';
import { engagementByChannel, engagementsOf, recordEngagement, type EngagementFact, type EngagementRecord, type EngagementResult } from './engagementRows';
import type { Order } from '../model/order';
import type { Store } from '../store/store';

export { SendStatus } from './sendRows';
export type { ClaimResult, RefusalRecord, SendClaim, SendOutcome, SendRecord, StatusUpdate } from './sendRows';
export type { ConsentChange, ConsentHistoryEntry } from './consentRows';
export type { Redemption } from './redemptionRows';
export { EngagementKind } from './engagementRows';
export type { EngagementFact, EngagementMatch, EngagementRecord, EngagementResult } from './engagementRows';

/** The send log, consent history and engagement of one store: what Send Offer and the Loyalty Trigger write. */
export class DeliveryLog {
	constructor(private readonly store: Store) {}

	claim(claim: SendClaim, now: Date, admit: (history: PastSend[]) => Check = () => ({ allowed: true })): Promise<ClaimResult> {
		return claimSend(this.store.db, claim, now, admit, SendStatus.Claimed);
	}

	/** A holdout: logged as "would have been sent", never contacted, never counted against caps. */
	recordHoldout(claim: SendClaim, now: Date): Promise<ClaimResult> {
		return claimSend(this.store.db, claim, now, () => ({ allowed: true }), SendStatus.HeldOut);
	}

	/** A send held back (refused, or deferred for quiet hours), counted for the report once per decision and reason. */
	recordRefusal(refusal: RefusalRecord): Promise<void> {
		return recordRefusal(this.store.db, refusal);
	}

	finish(decisionId: string, channel: DeliveryChannel, outcome: SendOutcome): Promise<boolean> {
		return finishSend(this.store.db, decisionId, channel, outcome);
	}

	noteFailedAttempt(decisionId: string, channel: DeliveryChannel, detail: string, at: Date): Promise<void> {
		return noteFailedAttempt(this.store.db, decisionId, channel, detail, at.toISOString());
	}

	applyStatus(update: StatusUpdate): Promise<SendRecord | undefined> {
		return applyStatusUpdate(this.store.db, update);
	}

	sends(decisionId: string): Promise<SendRecord[]> {
		return getSends(this.store.db, decisionId);
	}

	recentSends(customerId: string, since: Date): Promise<PastSend[]> {
		return recentSends(this.store.db, customerId, since.toISOString());
	}

	sendForCoupon(couponCode: string): Promise<SendRecord | undefined> {
		return sendForCoupon(this.store.db, couponCode);
	}

	recordConsent(change: ConsentChange, now: Date): Promise<{ customer: Customer; recorded: boolean }> {
		return recordConsentChange(this.store.db, change, now);
	}

	consentHistory(customerId: string): Promise<ConsentHistoryEntry[]> {
		return consentHistory(this.store.db, customerId);
	}

	/** Links an order's coupon codes to the offers that handed them out. */
	attributeOrder(order: Pick<Order, 'source' | 'id' | 'placedAt' | 'totalMinor' | 'currency' | 'couponCodes'>): Promise<Redemption[]> {
		return attributeOrder(this.store.db, order);
	}

	redemptions(decisionId: string): Promise<Redemption[]> {
		return redemptionsOf(this.store.db, decisionId);
	}

	/** An open or click, linked to its send by decision id, else vendor message id, else the customer's latest send on the channel. */
	recordEngagement(fact: EngagementFact, now: Date): Promise<EngagementResult> {
		return recordEngagement(this.store.db, fact, now);
	}

	engagements(decisionId: string): Promise<EngagementRecord[]> {
		return engagementsOf(this.store.db, decisionId);
	}

	/** Sends (sent or delivered) in the last `days` days per channel and how many of them were opened or clicked; one query. */
	engagementByChannel(customerId: string, days: number, now: Date): Promise<Partial<Record<DeliveryChannel, ChannelEngagement>>> {
		return engagementByChannel(this.store.db, customerId, new Date(now.getTime() - days * 86_400_000).toISOString());
	}
}
