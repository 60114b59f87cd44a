import { type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { Ledger, ledgerProgramOf, withoutKeeping } from '../../../engine';
import { programStamp, readStoredProgram } from '../../shared/program';
import { openStoreFor } from '../../shared/store';
import { operationFor, runPerItem } from '../../shared/router';
import { mirrorMovement } from '../helpers/squareMirror';
import { squareClientFor } from '../helpers/squareClient';
import * as customer from './customer/Customer.resource';
import type { AwardPointsType, LoyaltyStore, OperationContext } from './node.type';
import * as points from './points/Points.resource';
import * as quarantine from './quarantine/Quarantine.resource';

type OperationModule = {
	execute(this: IExecuteFunctions, context: OperationContext): Promise<IDataObject | IDataObject[]>;
};

export const operations: { [R in keyof AwardPointsType]: Record<AwardPointsType[R], OperationModule> } = {
	points: {
		applyEvent: points.applyEvent,
		applyRuleDecision: points.applyRuleDecision,
		earnForOrder: points.earnForOrder,
		reverseForRefund: points.reverseForRefund,
		redeem: points.redeem,
		adjust: points.adjust,
		approveHeld: points.approveHeld,
		declineHeld: points.declineHeld,
		listHeld: points.listHeld,
	},
	customer: {
		getBalance: customer.getBalance,
		getHistory: customer.getHistory,
		reconcileSquare: customer.reconcileSquare,
	},
	quarantine: {
		list: quarantine.list,
		replay: quarantine.replay,
		discard: quarantine.discard,
		retryParked: quarantine.retryParked,
	},
};

/**
 * Runs the chosen operation once per input item (see runPerItem for errors and pairing). The
 * program's stored settings are read once per run and program: every item of one run books under
 * the same version, which each ledger item names.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	let store: LoyaltyStore | undefined;
	const ledgers = new Map<string, { ledger: Ledger; stamp: ReturnType<typeof programStamp> }>();
	return runPerItem(this, async (item, itemIndex) => {
		const module = operationFor(this, operations, itemIndex);
		store ??= await openStoreFor(this);
		const programId = String(this.getNodeParameter('programId', itemIndex, '') ?? '');
		let entry = ledgers.get(programId);
		if (!entry) {
			const program = await readStoredProgram(this, store, programId);
			entry = { ledger: new Ledger(store, ledgerProgramOf(program.id, program.version, program.settings)), stamp: programStamp(program) };
			ledgers.set(programId, entry);
		}
		const resource = this.getNodeParameter('resource', itemIndex) as string;
		if (resource === 'points' && this.getNodeParameter('testMode', itemIndex, false) === true) {
			// Test mode: the operation runs as it would, against a scratch copy that is rolled back.
			const { ledger: real, stamp } = entry;
			const tried = await withoutKeeping(store, async (scratch) => module.execute.call(this, { ledger: new Ledger(scratch, real.program), store: scratch, item, itemIndex }));
			return Array.isArray(tried) ? tried : { ...tried, program: { ...stamp.program }, testMode: true, kept: false };
		}
		const { ledger } = entry;
		const squareClient = (this.getNodeParameter('squareMirror', itemIndex, false) as boolean) ? await squareClientFor(this) : undefined;
		const result = await module.execute.call(this, { ledger, store, squareClient, item, itemIndex });
		if (squareClient && resource === 'points' && !Array.isArray(result) && typeof result.idempotencyKey === 'string') {
			result.squareMirror = await mirrorMovement(store, squareClient, result as unknown as Parameters<typeof mirrorMovement>[2]);
		}
		if (resource === 'points' && !Array.isArray(result)) {
			result.program = { ...entry.stamp.program };
			// The defaults notice is said once: on the first item of the run that stored them.
			delete entry.stamp.program.notice;
		}
		return result;
	});
}
