import type { INodeExecutionData } from 'n8n-workflow';

import type { Ledger, openSharedStore } from '../../../engine';

/** Every resource and its operations; the router dispatches on exactly these. */
export type AwardPointsType = {
	points: 'applyEvent' | 'earnForOrder' | 'reverseForRefund' | 'redeem' | 'adjust';
	customer: 'getBalance' | 'getHistory';
};

export type AwardPointsResource = keyof AwardPointsType;

export type LoyaltyStore = Awaited<ReturnType<typeof openSharedStore>>;

/** What the router hands each operation for one input item. */
export interface OperationContext {
	ledger: Ledger;
	store: LoyaltyStore;
	item: INodeExecutionData;
	itemIndex: number;
}
