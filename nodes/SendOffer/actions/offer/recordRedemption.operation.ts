import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { DeliveryLog, orderSchema, parseOrThrow } from '../../../../engine';
import { jsonParameter } from '../../../shared/json';
import type { OperationContext } from '../node.type';

const properties: INodeProperties[] = [
	{
		displayName: 'Order',
		name: 'order',
		type: 'json',
		default: '={{ $json.order }}',
		required: true,
		description: 'A paid order, usually the "order" of a purchase from the Loyalty Trigger. Its coupon codes are matched to the offers that handed them out.',
	},
];

const displayOptions = { show: { resource: ['offer'], operation: ['recordRedemption'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(this: IExecuteFunctions, { store, itemIndex }: OperationContext): Promise<IDataObject> {
	const order = parseOrThrow(orderSchema, jsonParameter(this.getNodeParameter('order', itemIndex), 'order'), 'order');
	const redemptions = await new DeliveryLog(store).attributeOrder(order);
	return { orderId: order.id, source: order.source, redemptions: redemptions as unknown as IDataObject[], attributed: redemptions.length > 0 };
}
