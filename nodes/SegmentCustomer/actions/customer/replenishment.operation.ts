import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { customerFields, readCustomerId } from '../common.descriptions';
import type { OperationContext } from '../node.type';

const properties: INodeProperties[] = [...customerFields];

export const description = updateDisplayOptions({ show: { resource: ['customer'], operation: ['replenishment'] } }, properties);

export async function execute(this: IExecuteFunctions, { insight, store, asOf, itemIndex, settings }: OperationContext): Promise<IDataObject> {
	const customerId = await readCustomerId.call(this, store, itemIndex);
	const due = await insight.replenishmentFor(customerId, asOf, settings.replenishment);
	return {
		customerId,
		operation: 'replenishment',
		refills: due.map((d) => ({ product: d.product, daysPerUnit: d.daysPerUnit, lastBought: d.lastDate, runsOutOn: d.dueDate, remindOn: d.remindDate })),
	};
}
