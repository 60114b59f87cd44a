import { type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { InsightService } from '../../../engine';
import { readStoredProgram } from '../../shared/program';
import { openStoreFor } from '../../shared/store';
import { operationFor, runPerItem } from '../../shared/router';
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
		replenishment: customer.replenishment,
	},
	program: {
		scoreAll: program.scoreAll,
		fitModels: program.fitModels,
		getMetrics: program.getMetrics,
	},
};

/** Runs the chosen operation once per input item (see runPerItem for errors and pairing). */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	let store: LoyaltyStore | undefined;
	return runPerItem(this, async (item, itemIndex) => {
		const module = operationFor(this, operations, itemIndex);
		store ??= await openStoreFor(this);
		const program = await readStoredProgram(this, store, this.getNodeParameter('programId', itemIndex, ''));
		const settings = readSettings.call(this, itemIndex, { id: program.id, currency: program.settings.currency, timeZone: program.settings.timeZone });
		const insight = new InsightService(store, { programId: settings.programId, currency: settings.currency, timeZone: settings.timeZone });
		return module.execute.call(this, { insight, store, asOf: settings.asOf, settings, item, itemIndex });
	});
}
