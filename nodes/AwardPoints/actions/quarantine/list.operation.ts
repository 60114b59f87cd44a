import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { listParkedDeliveries, listQuarantine } from '../../../../engine';
import type { OperationContext } from '../node.type';

const properties: INodeProperties[] = [
	{
		displayName: 'Include Resolved',
		name: 'includeResolved',
		type: 'boolean',
		default: false,
		description: 'Whether deliveries already replayed or discarded are listed too',
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

const displayOptions = { show: { resource: ['quarantine'], operation: ['list'] } };

export const description = updateDisplayOptions(displayOptions, properties);

/** One item per delivery or parked event; the body is shown as text so the owner can see what the shop sent. */
export async function execute(this: IExecuteFunctions, { store, itemIndex }: OperationContext): Promise<IDataObject[]> {
	const limit = this.getNodeParameter('limit', itemIndex, 50) as number;
	const includeResolved = this.getNodeParameter('includeResolved', itemIndex, false) as boolean;
	const quarantined = await listQuarantine(store, { status: includeResolved ? 'all' : 'quarantined', limit });
	const parked = await listParkedDeliveries(store, limit);
	return [
		...quarantined.map(({ body, headers, ...rest }) => ({ kind: 'quarantined', ...rest, body: body.toString('utf8').slice(0, 20_000), signedWith: Object.keys(headers) })),
		...parked.map((p) => ({ kind: 'failed_runs', ...p })),
	] as unknown as IDataObject[];
}
