import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { customerFields, readCustomerId } from '../common.descriptions';
import type { OperationContext } from '../node.type';

const properties: INodeProperties[] = [
	...customerFields,
	{
		displayName: 'Recommend By',
		name: 'crossSellBy',
		type: 'options',
		options: [
			{ name: 'Product (SKU)', value: 'sku', description: 'Suggest single products, best once the shop has many orders' },
			{ name: 'Category', value: 'category', description: 'Suggest whole categories, which finds patterns in fewer orders' },
		],
		default: 'sku',
		description: 'Whether to suggest products or whole categories',
	},
	{
		displayName: 'Minimum Orders Together',
		name: 'minPairCount',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 3,
		description: 'How many orders must contain both products before one is suggested with the other, so a rare coincidence is never suggested',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['customer'], operation: ['crossSell'] } }, properties);

export async function execute(this: IExecuteFunctions, { insight, store, asOf, itemIndex }: OperationContext): Promise<IDataObject> {
	const customerId = await readCustomerId.call(this, store, itemIndex);
	const picks = await insight.crossSellFor(customerId, asOf, {
		by: this.getNodeParameter('crossSellBy', itemIndex) as 'sku' | 'category',
		minPairCount: this.getNodeParameter('minPairCount', itemIndex) as number,
		limit: this.getNodeParameter('limit', itemIndex) as number,
	});
	return {
		customerId,
		operation: 'crossSell',
		picks: picks.map((p) => ({ item: p.to, because: p.from, ordersTogether: p.count, support: p.support, confidence: p.confidence, lift: p.lift })),
	};
}
