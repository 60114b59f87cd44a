import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { ledgerResultJson } from '../../helpers/utils';
import { heldDecisionFields, readHeldDecision } from '../common.descriptions';
import type { OperationContext } from '../node.type';

const properties: INodeProperties[] = heldDecisionFields('decline');

const displayOptions = { show: { resource: ['points'], operation: ['declineHeld'] } };

export const description = updateDisplayOptions(displayOptions, properties);

/** The owner says no: nothing is credited; who declined and why is kept with the held points. */
export async function execute(this: IExecuteFunctions, { ledger, itemIndex }: OperationContext): Promise<IDataObject> {
	return ledgerResultJson(await ledger.declineHeld(readHeldDecision.call(this, itemIndex)));
}
