import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { LoyaltyError } from '../../../../engine';
import { customerFields, readCustomerId, segmentationOf } from '../common.descriptions';
import type { OperationContext } from '../node.type';

const properties: INodeProperties[] = [...customerFields];

export const description = updateDisplayOptions({ show: { resource: ['customer'], operation: ['nextBestAction'] } }, properties);

export async function execute(this: IExecuteFunctions, { insight, store, asOf, itemIndex, settings }: OperationContext): Promise<IDataObject> {
	const customerId = await readCustomerId.call(this, store, itemIndex);
	const action = await insight.nextBestActionFor(customerId, asOf, segmentationOf(settings));
	if (!action) throw LoyaltyError.notFound('customer', `customer ${customerId} has no paid orders in ${insight.currency} up to ${asOf}`);
	return { customerId, operation: 'nextBestAction', action: action.action, reason: action.reason, signals: { ...action.signals } };
}
