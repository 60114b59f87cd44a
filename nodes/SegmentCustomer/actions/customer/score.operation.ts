import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { LoyaltyError } from '../../../../engine';
import { insightJson } from '../../helpers/json';
import { customerFields, readCustomerId, segmentationOf } from '../common.descriptions';
import type { OperationContext } from '../node.type';

const properties: INodeProperties[] = [...customerFields];

export const description = updateDisplayOptions({ show: { resource: ['customer'], operation: ['score'] } }, properties);

export async function execute(this: IExecuteFunctions, { insight, store, asOf, itemIndex, settings }: OperationContext): Promise<IDataObject> {
	const customerId = await readCustomerId.call(this, store, itemIndex);
	const { insight: picture, change } = await insight.scoreOne(customerId, asOf, segmentationOf(settings));
	if (!picture) throw LoyaltyError.notFound('customer', `customer ${customerId} has no paid orders in ${insight.currency} up to ${asOf}`);
	return { ...insightJson(picture, asOf), changed: change !== undefined, previous: change?.previous ?? null };
}
