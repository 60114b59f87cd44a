import type { INodeExecutionData } from 'n8n-workflow';

import type { SquareClient } from '../../../connectors/square';
import type { Ledger, openSharedStore } from '../../../engine';

/** Every resource and its operations; the router dispatches on exactly these. */
export type AwardPointsType = {
	points: 'applyEvent' | 'applyRuleDecision' | 'earnForOrder' | 'reverseForRefund' | 'redeem' | 'adjust' | 'approveHeld' | 'declineHeld' | 'listHeld';
	customer: 'getBalance' | 'getHistory' | 'reconcileSquare';
	quarantine: 'list' | 'replay' | 'discard' | 'retryParked';
};

export type AwardPointsResource = keyof AwardPointsType;

export type LoyaltyStore = Awaited<ReturnType<typeof openSharedStore>>;

/** What the router hands each operation for one input item. */
export interface OperationContext {
	ledger: Ledger;
	store: LoyaltyStore;
	/** Set when "Mirror to Square Loyalty" is on. */
	squareClient?: SquareClient;
	item: INodeExecutionData;
	itemIndex: number;
}
