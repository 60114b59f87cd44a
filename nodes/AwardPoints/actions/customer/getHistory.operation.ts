import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { ledgerEntryJson } from '../../helpers/utils';
import { customerFields, readCustomerRef } from '../common.descriptions';
import type { OperationContext } from '../node.type';

const properties: INodeProperties[] = [
	...customerFields({ allowCustomerId: true }),
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
	},
];

const displayOptions = { show: { resource: ['customer'], operation: ['getHistory'] } };

export const description = updateDisplayOptions(displayOptions, properties);

/** One item per input item: the newest entries first, as the ledger returns them. */
export async function execute(this: IExecuteFunctions, { ledger, itemIndex }: OperationContext): Promise<IDataObject> {
	const customer = readCustomerRef.call(this, itemIndex);
	const limit = this.getNodeParameter('limit', itemIndex, 50) as number;
	const entries = await ledger.getHistory(customer, { limit });
	return {
		customerId: entries[0]?.customerId ?? ('customerId' in customer ? customer.customerId : null),
		operation: 'getHistory',
		count: entries.length,
		entries: entries.map(ledgerEntryJson),
	};
}
