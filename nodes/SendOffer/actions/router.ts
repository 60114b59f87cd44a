import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { summarizeError, toNodeError } from '../../shared/errors';
import { openStoreFor } from '../../shared/store';
import type { Vendors } from '../helpers/sendOffer';
import { vendorsFor } from '../helpers/vendors';
import type { LoyaltyStore, OperationContext, SendOfferType } from './node.type';
import * as offer from './offer/Offer.resource';

type OperationModule = {
	execute(this: IExecuteFunctions, context: OperationContext): Promise<IDataObject | IDataObject[]>;
};

export const operations: { [R in keyof SendOfferType]: Record<SendOfferType[R], OperationModule> } = {
	offer: { send: offer.send, recordRedemption: offer.recordRedemption },
};

function operationFor(this: IExecuteFunctions, resource: string, operation: string, itemIndex: number): OperationModule {
	const module = (operations as Record<string, Record<string, OperationModule> | undefined>)[resource]?.[operation];
	if (!module) throw new NodeOperationError(this.getNode(), `The operation "${operation}" of "${resource}" is not supported`, { itemIndex });
	return module;
}

/**
 * One decision per input item, each in its own try/catch: with "Continue On Fail" a failed item
 * becomes `{ error, field }` and the next decision is still sent.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const returnData: INodeExecutionData[] = [];
	let store: LoyaltyStore | undefined;
	let vendors: Vendors | undefined;

	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const resource = this.getNodeParameter('resource', itemIndex) as string;
			const operation = this.getNodeParameter('operation', itemIndex) as string;
			const module = operationFor.call(this, resource, operation, itemIndex);
			store ??= await openStoreFor(this);
			// Only sending talks to vendors; recording a redemption needs no credential but the store's.
			if (operation === 'send') vendors ??= await vendorsFor(this, {
				email: this.getNodeParameter('email', itemIndex, true) as boolean,
				sms: this.getNodeParameter('sms', itemIndex, false) as boolean,
				couponShop: this.getNodeParameter('couponShop', itemIndex, 'none') as string,
			});
			const result = await module.execute.call(this, { store, vendors: vendors ?? {}, item: items[itemIndex], itemIndex });
			returnData.push(...this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(result), { itemData: { item: itemIndex } }));
		} catch (error) {
			if (this.continueOnFail()) {
				const summary = summarizeError(error);
				returnData.push({ json: { error: summary.message, field: summary.field ?? null }, pairedItem: { item: itemIndex } });
				continue;
			}
			throw toNodeError(this.getNode(), error, itemIndex);
		}
	}
	return [returnData];
}
