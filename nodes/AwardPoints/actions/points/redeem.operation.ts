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
		typeOptions: { minValue: 1 },
		default: 1,
		required: true,
		description: 'How many available points the customer spends',
	},
	requiredIdempotencyKey,
	{
		displayName: 'Reason',
		name: 'reason',
		type: 'string',
		default: '',
		placeholder: 'e.g. $5 off coupon',
		description: 'Shown in the customer’s points history',
	},
];

const displayOptions = { show: { resource: ['points'], operation: ['redeem'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(this: IExecuteFunctions, { ledger, itemIndex }: OperationContext): Promise<IDataObject> {
	const reason = (this.getNodeParameter('reason', itemIndex, '') as string).trim();
	const result = await ledger.redeem({
		customer: readCustomerRef.call(this, itemIndex),
		points: this.getNodeParameter('points', itemIndex) as number,
		idempotencyKey: String(this.getNodeParameter('idempotencyKey', itemIndex) ?? '').trim(),
		...(reason ? { reason } : {}),
	});
	return ledgerResultJson(result);
}
