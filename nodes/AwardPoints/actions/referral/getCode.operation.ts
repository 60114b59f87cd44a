import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { customerFields, readCustomerRef } from '../common.descriptions';
import type { OperationContext } from '../node.type';

const properties: INodeProperties[] = [...customerFields({ allowCustomerId: true })];

const displayOptions = { show: { resource: ['referral'], operation: ['getCode'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(this: IExecuteFunctions, { referrals, itemIndex }: OperationContext): Promise<IDataObject> {
	const code = await referrals.codeFor(readCustomerRef.call(this, itemIndex));
	return { operation: 'getReferralCode', programId: referrals.programId, customerId: code.customerId, referralCode: code.code, referralLink: code.link ?? null, created: code.created };
}
