import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { LoyaltyError } from '../../../../engine';
import { reconcileCustomer } from '../../helpers/squareMirror';
import { customerFields, readCustomerRef } from '../common.descriptions';
import type { OperationContext } from '../node.type';

const properties: INodeProperties[] = [
	...customerFields({ allowCustomerId: true }),
	{
		displayName: 'Repair',
		name: 'repair',
		type: 'boolean',
		default: false,
		description: 'Whether to adjust the Square Loyalty balance to match this ledger. Off: only report the difference.',
	},
];

const displayOptions = { show: { resource: ['customer'], operation: ['reconcileSquare'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(this: IExecuteFunctions, { ledger, store, squareClient, itemIndex }: OperationContext): Promise<IDataObject> {
	if (!squareClient) throw LoyaltyError.invalid('squareMirror', 'turn on "Mirror to Square Loyalty" and choose the Square credential to reconcile with Square');
	const balance = await ledger.getBalance(readCustomerRef.call(this, itemIndex));
	return await reconcileCustomer(store, squareClient, balance, this.getNodeParameter('repair', itemIndex, false) as boolean);
}
