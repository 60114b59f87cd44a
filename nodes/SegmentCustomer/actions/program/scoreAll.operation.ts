import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { insightJson } from '../../helpers/json';
import { segmentationOf } from '../common.descriptions';
import type { OperationContext } from '../node.type';

const properties: INodeProperties[] = [
	{
		displayName: 'Output',
		name: 'scoreAllOutput',
		type: 'options',
		options: [
			{ name: 'Only Customers Who Moved', value: 'changed', description: 'Customers whose segment, lifecycle stage or value tier changed since the last run' },
			{ name: 'Every Customer', value: 'all', description: 'All customers with their current picture, e.g. to copy them into a sheet or CRM' },
		],
		default: 'changed',
		description: 'Which customers to output; every customer’s picture is saved either way',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['program'], operation: ['scoreAll'] } }, properties);

export async function execute(this: IExecuteFunctions, { insight, asOf, itemIndex, settings }: OperationContext): Promise<IDataObject[]> {
	const run = await insight.scoreAll(asOf, segmentationOf(settings));
	const moves = new Map(run.changes.map((c) => [c.customerId, c]));
	const wanted = this.getNodeParameter('scoreAllOutput', itemIndex) === 'all' ? run.customers : run.customers.filter((c) => moves.has(c.customerId));
	return wanted.map((c) => ({ ...insightJson(c, asOf), changed: moves.has(c.customerId), previous: moves.get(c.customerId)?.previous ?? null }));
}
