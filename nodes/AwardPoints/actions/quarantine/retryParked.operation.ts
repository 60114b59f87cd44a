import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { retryParkedDeliveries } from '../../../../engine';
import type { OperationContext } from '../node.type';

const properties: INodeProperties[] = [
	{
		displayName: 'Event ID',
		name: 'eventId',
		type: 'string',
		default: '',
		placeholder: 'Leave empty to retry all',
		description: 'The event ID shown by List Deliveries; empty retries every failed run',
	},
];

const displayOptions = { show: { resource: ['quarantine'], operation: ['retryParked'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(this: IExecuteFunctions, { store, itemIndex }: OperationContext): Promise<IDataObject> {
	const eventId = (this.getNodeParameter('eventId', itemIndex, '') as string).trim();
	return { operation: 'retryParked', retried: await retryParkedDeliveries(store, eventId || undefined) };
}
