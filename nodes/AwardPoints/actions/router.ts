import { type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { Ledger, ledgerProgramOf, Referrals, withoutKeeping, type EarnOutcome, type EarnRequest } from '../../../engine';
import { programStamp, readStoredProgram } from '../../shared/program';
import { openStoreFor } from '../../shared/store';
import { operationFor, runPerItem } from '../../shared/router';
import { mirrorMovement } from '../helpers/squareMirror';
import { squareClientFor } from '../helpers/squareClient';
import * as customer from './customer/Customer.resource';
import type { AwardPointsType, LoyaltyStore, OperationContext, ReadEarn } from './node.type';
import * as points from './points/Points.resource';
import * as quarantine from './quarantine/Quarantine.resource';
import * as referral from './referral/Referral.resource';

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
	referral: {
		getCode: referral.getCode,
		rewardReferral: referral.rewardReferral,
	},
};

/** Operations that earn for an order, and how each reads its item's order (see earnTogether). */
const earning: Partial<Record<AwardPointsType['points'], ReadEarn>> = {
	earnForOrder: points.earnForOrder.readEarn,
	applyEvent: points.applyEvent.readEarn,
};

type ProgramLedger = { ledger: Ledger; referrals: Referrals; stamp: ReturnType<typeof programStamp> };

/**
 * Runs the chosen operation once per input item (see runPerItem for errors and pairing). The
 * program's stored settings are read once per run and program: every item of one run books under
 * the same version, which each ledger item names. Items in a row that earn for an order (Earn for
 * Order, or Apply Event with purchases) are earned together, with one commit per program (group
 * commit; see earnTogether); each item still gets its own result or its own error.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	let store: LoyaltyStore | undefined;
	const ledgers = new Map<string, ProgramLedger>();
	const ledgerFor = async (itemIndex: number): Promise<{ store: LoyaltyStore; entry: ProgramLedger }> => {
		store ??= await openStoreFor(this);
		const programId = String(this.getNodeParameter('programId', itemIndex, '') ?? '');
		let entry = ledgers.get(programId);
		if (!entry) {
			const program = await readStoredProgram(this, store, programId);
			const ledger = new Ledger(store, ledgerProgramOf(program.id, program.version, program.settings));
			entry = { ledger, referrals: new Referrals(store, ledger, program.settings.referral, { programId: program.id }), stamp: programStamp(program) };
			ledgers.set(programId, entry);
		}
		return { store, entry };
	};
	const earned = new Map<number, EarnOutcome>();
	let lookedAt = -1;
	return runPerItem(this, async (item, itemIndex) => {
		if (itemIndex > lookedAt) lookedAt = await earnTogether(this, itemIndex, ledgerFor, earned);
		const module = operationFor(this, operations, itemIndex);
		const { store, entry } = await ledgerFor(itemIndex);
		const resource = this.getNodeParameter('resource', itemIndex) as string;
		if (resource === 'points' && this.getNodeParameter('testMode', itemIndex, false) === true) {
			// Test mode: the operation runs as it would, against a scratch copy that is rolled back.
			const { ledger: real, stamp } = entry;
			const tried = await withoutKeeping(store, async (scratch) => {
				const ledger = new Ledger(scratch, real.program);
				return module.execute.call(this, { ledger, referrals: new Referrals(scratch, ledger, entry.referrals.policy, { programId: entry.referrals.programId }), store: scratch, item, itemIndex });
			});
			return Array.isArray(tried) ? tried : { ...tried, program: { ...stamp.program }, testMode: true, kept: false };
		}
		const { ledger, referrals } = entry;
		const squareClient = (this.getNodeParameter('squareMirror', itemIndex, false) as boolean) ? await squareClientFor(this) : undefined;
		const result = await module.execute.call(this, { ledger, referrals, store, squareClient, item, itemIndex, earned: earned.get(itemIndex) });
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

/**
 * Earns for the orders of the items from `from` on that earn, one after the other, until the first
 * item that does something else (so every other operation still sees the items before it done,
 * in order) or books in another program: with one `earnForOrders` when there are two or more,
 * putting each item's outcome in `earned`. Test Mode items and other events end the stretch; an
 * item whose order cannot be read is left to fail on its own when it runs. When the store or the
 * program cannot be opened, nothing is done here: each item then fails with that on its own.
 * Returns the last index looked at.
 */
async function earnTogether(context: IExecuteFunctions, from: number, ledgerFor: (itemIndex: number) => Promise<{ entry: ProgramLedger }>, earned: Map<number, EarnOutcome>): Promise<number> {
	const group: Array<{ itemIndex: number; request: EarnRequest }> = [];
	const items = context.getInputData();
	const continueOnFail = context.continueOnFail();
	let ledger: Ledger | undefined;
	let last = from;
	try {
		for (let itemIndex = from; itemIndex < items.length; itemIndex++) {
			const request = earnRequestOf(context, itemIndex);
			// An item that cannot be read writes nothing and fails when it runs; without Continue
			// On Fail the node stops there, so nothing after it may be booked before.
			if (request === 'unreadable' && continueOnFail) {
				last = itemIndex;
				continue;
			}
			if (request === undefined || request === 'unreadable') break;
			const itemLedger = (await ledgerFor(itemIndex)).entry.ledger;
			if (ledger && itemLedger !== ledger) break;
			ledger = itemLedger;
			group.push({ itemIndex, request });
			last = itemIndex;
		}
	} catch {
		// The store or the program could not be opened: each item reports that itself.
	}
	if (!ledger || group.length < 2) return last;
	// Without Continue On Fail the node stops at its first failed item: nothing after it is kept.
	const outcomes = await ledger.earnForOrders(
		group.map((one) => one.request),
		{ untilFirstFailure: !continueOnFail },
	);
	outcomes.forEach((outcome, i) => earned.set(group[i].itemIndex, outcome));
	return last;
}

/** The order an item earns for; undefined when its operation earns none, 'unreadable' when it cannot be read. */
function earnRequestOf(context: IExecuteFunctions, itemIndex: number): EarnRequest | 'unreadable' | undefined {
	let read: ReadEarn | undefined;
	try {
		if (context.getNodeParameter('resource', itemIndex) !== 'points' || context.getNodeParameter('testMode', itemIndex, false) === true) return undefined;
		read = earning[context.getNodeParameter('operation', itemIndex) as AwardPointsType['points']];
	} catch {
		return undefined;
	}
	try {
		return read?.call(context, itemIndex);
	} catch {
		return 'unreadable';
	}
}
