import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { listBadges } from '../../../../engine';
import { balanceJson } from '../../helpers/utils';
import { customerFields, readCustomerRef } from '../common.descriptions';
import type { OperationContext } from '../node.type';

const properties: INodeProperties[] = [...customerFields({ allowCustomerId: true })];

const displayOptions = { show: { resource: ['customer'], operation: ['getBalance'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(this: IExecuteFunctions, { ledger, store, itemIndex }: OperationContext): Promise<IDataObject> {
	const balance = await ledger.getBalance(readCustomerRef.call(this, itemIndex));
	// The badges are listed with the balance: what the customer has, in points and in recognition.
	const badges = await store.transaction((sql) => listBadges(sql, balance.programId, balance.customerId));
	return {
		customerId: balance.customerId,
		programId: balance.programId,
		operation: 'getBalance',
		balance: balanceJson(balance),
		badges: badges as unknown as IDataObject[],
	};
}
