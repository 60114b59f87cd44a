import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { InsightService } from '../../../engine';
import { summarizeError, toNodeError } from '../../shared/errors';
import { openStoreFor } from '../../shared/store';
import { readSettings } from './common.descriptions';
import * as customer from './customer/Customer.resource';
import type { LoyaltyStore, OperationContext, SegmentCustomerType } from './node.type';
import * as program from './program/Program.resource';

type OperationModule = {
	execute(this: IExecuteFunctions, context: OperationContext): Promise<IDataObject | IDataObject[]>;
};

export const operations: { [R in keyof SegmentCustomerType]: Record<SegmentCustomerType[R], OperationModule> } = {
	customer: {
		score: customer.score,
		crossSell: customer.crossSell,
		nextBestAction: customer.nextBestAction,
	},
	program: {
		scoreAll: program.scoreAll,
		fitModels: program.fitModels,
		getMetrics: program.getMetrics,
	},
};

function operationFor(this: IExecuteFunctions, resource: string, operation: string, itemIndex: number): OperationModule {
	const module = (operations as Record<string, Record<string, OperationModule> | undefined>)[resource]?.[operation];
	if (!module) throw new NodeOperationError(this.getNode(), `The operation "${operation}" of "${resource}" is not supported`, { itemIndex });
	return module;
}

/** Runs the chosen operation once per input item, each in its own try/catch (Continue On Fail). */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const returnData: INodeExecutionData[] = [];
	let store: LoyaltyStore | undefined;
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const resource = this.getNodeParameter('resource', itemIndex) as string;
			const operation = this.getNodeParameter('operation', itemIndex) as string;
			const module = operationFor.call(this, resource, operation, itemIndex);
			const settings = readSettings.call(this, itemIndex);
			store ??= await openStoreFor(this);
			const insight = new InsightService(store, { programId: settings.programId, currency: settings.currency });
			const result = await module.execute.call(this, { insight, store, asOf: settings.asOf, item: items[itemIndex], itemIndex });
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
