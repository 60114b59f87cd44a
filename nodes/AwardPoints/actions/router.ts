import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { Ledger } from '../../../engine';
import { summarizeError, toNodeError } from '../../shared/errors';
import { openStoreFor } from '../../shared/store';
import { mirrorMovement } from '../helpers/squareMirror';
import { squareClientFor } from '../helpers/squareClient';
import { readProgram } from './common.descriptions';
import * as customer from './customer/Customer.resource';
import type { AwardPointsType, LoyaltyStore, OperationContext } from './node.type';
import * as points from './points/Points.resource';

type OperationModule = {
	execute(this: IExecuteFunctions, context: OperationContext): Promise<IDataObject | IDataObject[]>;
};

export const operations: { [R in keyof AwardPointsType]: Record<AwardPointsType[R], OperationModule> } = {
	points: {
		applyEvent: points.applyEvent,
		earnForOrder: points.earnForOrder,
		reverseForRefund: points.reverseForRefund,
		redeem: points.redeem,
		adjust: points.adjust,
	},
	customer: {
		getBalance: customer.getBalance,
		getHistory: customer.getHistory,
		reconcileSquare: customer.reconcileSquare,
	},
};

function operationFor(this: IExecuteFunctions, resource: string, operation: string, itemIndex: number): OperationModule {
	const byOperation = (operations as Record<string, Record<string, OperationModule> | undefined>)[resource];
	const module = byOperation?.[operation];
	if (!module) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" of "${resource}" is not supported`, {
			itemIndex,
		});
	}
	return module;
}

/**
 * Runs the chosen operation once per input item. Each item has its own try/catch: with "Continue
 * On Fail" a failed item becomes `{ error, field }` and the next item still runs.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const returnData: INodeExecutionData[] = [];
	let store: LoyaltyStore | undefined;

	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const resource = this.getNodeParameter('resource', itemIndex) as string;
			const operation = this.getNodeParameter('operation', itemIndex) as string;
			const module = operationFor.call(this, resource, operation, itemIndex);
			store ??= await openStoreFor(this);
			const ledger = new Ledger(store, readProgram.call(this, itemIndex));
			const squareClient = (this.getNodeParameter('squareMirror', itemIndex, false) as boolean) ? await squareClientFor(this) : undefined;
			const result = await module.execute.call(this, { ledger, store, squareClient, item: items[itemIndex], itemIndex });
			if (squareClient && resource === 'points' && !Array.isArray(result) && typeof result.idempotencyKey === 'string') {
				result.squareMirror = await mirrorMovement(store, squareClient, result as unknown as Parameters<typeof mirrorMovement>[2]);
			}
			const executionData = this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(result), {
				itemData: { item: itemIndex },
			});
			returnData.push(...executionData);
		} catch (error) {
			if (this.continueOnFail()) {
				const summary = summarizeError(error);
				returnData.push({
					json: { error: summary.message, field: summary.field ?? null },
					pairedItem: { item: itemIndex },
				});
				continue;
			}
			throw toNodeError(this.getNode(), error, itemIndex);
		}
	}

	return [returnData];
}
