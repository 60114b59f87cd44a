import { type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { readStoredProgram } from '../../shared/program';
import { openStoreFor } from '../../shared/store';
import { operationFor, runPerItem } from '../../shared/router';
import type { Vendors } from '../helpers/offerVendors';
import { vendorsFor } from '../helpers/vendors';
import type { LoyaltyStore, OperationContext, SendOfferType } from './node.type';
import * as offer from './offer/Offer.resource';
import * as profile from './profile/Profile.resource';

type OperationModule = {
	execute(this: IExecuteFunctions, context: OperationContext): Promise<IDataObject | IDataObject[]>;
};

export const operations: { [R in keyof SendOfferType]: Record<SendOfferType[R], OperationModule> } = {
	offer: { send: offer.send, recordRedemption: offer.recordRedemption },
	profile: { syncKlaviyo: profile.syncKlaviyo },
};

/** One decision per input item (see runPerItem: with "Continue On Fail" the next decision is still sent). */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	let store: LoyaltyStore | undefined;
	let vendors: Vendors | undefined;
	const programs = new Map<string, OperationContext['program']>();
	return runPerItem(this, async (item, itemIndex) => {
		const module = operationFor(this, operations, itemIndex);
		store ??= await openStoreFor(this);
		const programId = String(this.getNodeParameter('programId', itemIndex, '') ?? '');
		let program = programs.get(programId);
		if (!program) {
			program = await readStoredProgram(this, store, programId);
			programs.set(programId, program);
		} else if (program.notice) {
			// The defaults notice is said once: on the first item of the run that stored them.
			program = { ...program, notice: undefined };
			programs.set(programId, program);
		}
		// Sending and profile updates talk to vendors; recording a redemption needs no credential but the store's.
		if (this.getNodeParameter('operation', itemIndex) === 'syncKlaviyo') vendors ??= await vendorsFor(this, { email: true, sms: false, couponShop: 'none' });
		else if (this.getNodeParameter('operation', itemIndex) === 'send' && this.getNodeParameter('testMode', itemIndex, false) !== true) {
			vendors ??= await vendorsFor(this, {
				email: this.getNodeParameter('email', itemIndex, true) as boolean,
				sms: this.getNodeParameter('sms', itemIndex, false) as boolean,
				couponShop: this.getNodeParameter('couponShop', itemIndex, 'none') as string,
			});
		}
		return module.execute.call(this, { store, vendors: vendors ?? {}, item, itemIndex, program });
	});
}
