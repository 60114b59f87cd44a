import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import type { HeldStatus } from '../../../../engine';
import { heldPointsJson } from '../../helpers/utils';
import type { OperationContext } from '../node.type';

const properties: INodeProperties[] = [
	{
		displayName: 'Show',
		name: 'heldStatus',
		type: 'options',
		options: [
			{ name: 'All', value: 'all', description: 'Waiting, approved and declined' },
			{ name: 'Approved', value: 'approved', description: 'Held points you approved: the customer has them' },
			{ name: 'Declined', value: 'declined', description: 'Held points you declined: nothing was given' },
			{ name: 'Waiting for Your Decision', value: 'held', description: 'Points not given yet because the order was above Max Points Per Order' },
		],
		default: 'held',
		description: 'Which held points to list',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 1000 },
		default: 50,
		description: 'Max number of results to return',
	},
];

const displayOptions = { show: { resource: ['points'], operation: ['listHeld'] } };

export const description = updateDisplayOptions(displayOptions, properties);

/** One item per input item: the held points, oldest first, each with the approvalKey to approve or decline it. */
export async function execute(this: IExecuteFunctions, { ledger, itemIndex }: OperationContext): Promise<IDataObject> {
	const status = this.getNodeParameter('heldStatus', itemIndex, 'held') as HeldStatus | 'all';
	const limit = this.getNodeParameter('limit', itemIndex, 50) as number;
	const held = await ledger.listHeld({ status, limit });
	return { operation: 'listHeld', status, count: held.length, held: held.map(heldPointsJson) };
}
