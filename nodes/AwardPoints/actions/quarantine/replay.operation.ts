import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { replayQuarantined } from '../../../../engine';
import type { OperationContext } from '../node.type';

const properties: INodeProperties[] = [
	{
		displayName: 'Delivery ID',
		name: 'quarantineId',
		type: 'string',
		required: true,
		default: '={{ $json.id }}',
		description: 'The ID shown by List Deliveries (e.g. woocommerce:3f2a…)',
	},
];

const displayOptions = { show: { resource: ['quarantine'], operation: ['replay'] } };

export const description = updateDisplayOptions(displayOptions, properties);

/**
 * Posts the kept bytes and signing headers to the trigger's URL again: the same path and keys as the
 * first time, so replaying twice changes nothing. The trigger's workflow must be published.
 */
export async function execute(this: IExecuteFunctions, { store, itemIndex }: OperationContext): Promise<IDataObject> {
	const id = (this.getNodeParameter('quarantineId', itemIndex) as string).trim();
	const outcome = await replayQuarantined(store, id, async ({ url, headers, body }) => {
		const response = (await this.helpers.httpRequest({ method: 'POST', url, headers, body, returnFullResponse: true, ignoreHttpStatusErrors: true, json: false })) as { statusCode: number; body: unknown };
		const text = Buffer.isBuffer(response.body) ? response.body.toString('utf8') : typeof response.body === 'string' ? response.body : JSON.stringify(response.body ?? '');
		return { status: response.statusCode, body: text };
	});
	return { operation: 'replay', ...outcome };
}
