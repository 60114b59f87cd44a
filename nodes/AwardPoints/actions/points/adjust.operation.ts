import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { ledgerResultJson } from '../../helpers/utils';
import { customerFields, readCustomerRef, requiredIdempotencyKey } from '../common.descriptions';
import type { OperationContext } from '../node.type';

const properties: INodeProperties[] = [
	...customerFields({ allowCustomerId: true }),
	{
		displayName: 'Points',
		name: 'points',
		type: 'number',
		default: 0,
		required: true,
		description: 'Points to add (positive) or take away (negative), such as 50 as a goodwill gesture',
	},
	requiredIdempotencyKey,
	{
		displayName: 'Reason',
		name: 'reason',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. Goodwill for late delivery',
		description: 'Why the balance changes; kept in the customer’s points history',
	},
];

const displayOptions = { show: { resource: ['points'], operation: ['adjust'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(this: IExecuteFunctions, { ledger, itemIndex }: OperationContext): Promise<IDataObject> {
	const result = await ledger.adjust({
		customer: readCustomerRef.call(this, itemIndex),
		points: this.getNodeParameter('points', itemIndex) as number,
		idempotencyKey: String(this.getNodeParameter('idempotencyKey', itemIndex) ?? '').trim(),
		reason: (this.getNodeParameter('reason', itemIndex) as string).trim(),
	});
	return ledgerResultJson(result);
}
