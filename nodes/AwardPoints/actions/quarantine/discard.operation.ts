import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { discardQuarantined } from '../../../../engine';
import type { OperationContext } from '../node.type';

const properties: INodeProperties[] = [
	{
		displayName: 'Delivery ID',
		name: 'quarantineId',
		type: 'string',
		required: true,
		default: '={{ $json.id }}',
		description: 'The ID shown by List Deliveries',
	},
	{
		displayName: 'Reason',
		name: 'reason',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'Test order from the shop setup',
		description: 'Why it is not to be processed; kept with the delivery',
	},
];

const displayOptions = { show: { resource: ['quarantine'], operation: ['discard'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(this: IExecuteFunctions, { store, itemIndex }: OperationContext): Promise<IDataObject> {
	const id = (this.getNodeParameter('quarantineId', itemIndex) as string).trim();
	const item = await discardQuarantined(store, id, this.getNodeParameter('reason', itemIndex) as string);
	return { operation: 'discard', id: item.id, status: item.status, resolution: item.resolution };
}
