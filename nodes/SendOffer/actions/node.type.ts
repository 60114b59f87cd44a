import type { INodeExecutionData } from 'n8n-workflow';

import type { LoadedProgram, openSharedStore } from '../../../engine';
import type { Vendors } from '../helpers/offerVendors';

/** Every resource and its operations; the router dispatches on exactly these. */
export type SendOfferType = {
	offer: 'send' | 'recordRedemption';
	profile: 'syncKlaviyo';
};

export type LoyaltyStore = Awaited<ReturnType<typeof openSharedStore>>;

export interface OperationContext {
	store: LoyaltyStore;
	vendors: Vendors;
	item: INodeExecutionData;
	itemIndex: number;
	/** The stored program's settings, read once per run (quiet hours, caps, coupon limits, time zone). */
	program: LoadedProgram & { notice?: string };
}
