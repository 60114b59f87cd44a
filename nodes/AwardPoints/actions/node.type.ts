import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { SquareClient } from '../../../connectors/square';
import type { EarnOutcome, EarnRequest, Ledger, openSharedStore, Referrals } from '../../../engine';

/** Every resource and its operations; the router dispatches on exactly these. */
export type AwardPointsType = {
	points: 'applyEvent' | 'applyRuleDecision' | 'earnForOrder' | 'reverseForRefund' | 'redeem' | 'adjust' | 'approveHeld' | 'declineHeld' | 'listHeld';
	customer: 'getBalance' | 'getHistory' | 'reconcileSquare';
	quarantine: 'list' | 'replay' | 'discard' | 'retryParked';
	referral: 'getCode' | 'rewardReferral';
};

export type AwardPointsResource = keyof AwardPointsType;

export type LoyaltyStore = Awaited<ReturnType<typeof openSharedStore>>;

/** What the router hands each operation for one input item. */
export interface OperationContext {
	ledger: Ledger;
	/** The program's referrals, over the same ledger and its stored referral settings. */
	referrals: Referrals;
	store: LoyaltyStore;
	/** Set when "Mirror to Square Loyalty" is on. */
	squareClient?: SquareClient;
	item: INodeExecutionData;
	itemIndex: number;
	/** This item's order was earned together with the run's other items (group commit): its outcome. */
	earned?: EarnOutcome;
}

/** What an earning operation reads from an item, so the router can earn many items' orders together. */
export type ReadEarn = (this: IExecuteFunctions, itemIndex: number) => EarnRequest | undefined;

/** The result an item's order got in its group, as the single call would have given it (or thrown). */
export function earnedResult(outcome: EarnOutcome) {
	if (!outcome.ok) throw outcome.error;
	return outcome.result;
}
