import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { ledgerResultJson } from '../../helpers/utils';
import { heldDecisionFields, readHeldDecision } from '../common.descriptions';
import type { OperationContext } from '../node.type';

const properties: INodeProperties[] = heldDecisionFields('approve');

const displayOptions = { show: { resource: ['points'], operation: ['approveHeld'] } };

export const description = updateDisplayOptions(displayOptions, properties);

/** The owner says yes: the held points are credited for their order, as if it had earned them normally. */
export async function execute(this: IExecuteFunctions, { ledger, itemIndex }: OperationContext): Promise<IDataObject> {
	return ledgerResultJson(await ledger.approveHeld(readHeldDecision.call(this, itemIndex)));
}
