import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import type { OperationContext } from '../node.type';

const properties: INodeProperties[] = [
	{
		displayName: 'Active Window (Days)',
		name: 'activeDays',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 90,
		description: 'A member who earned or redeemed points within this many days counts as active',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['program'], operation: ['getMetrics'] } }, properties);

export async function execute(this: IExecuteFunctions, { insight, asOf, itemIndex }: OperationContext): Promise<IDataObject> {
	const metrics = await insight.programMetrics(asOf, this.getNodeParameter('activeDays', itemIndex) as number);
	return { operation: 'getMetrics', programId: insight.programId, currency: insight.currency, asOf, ...metrics } as unknown as IDataObject;
}
