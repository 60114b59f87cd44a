/** Pure helper: a decision → the item JSON every output carries. */
import type { IDataObject } from 'n8n-workflow';

import { explanationLine, type Decision } from '../../../engine';

export const OUTPUTS = ['award', 'offer', 'other', 'nothing'] as const;
export type OutputName = (typeof OUTPUTS)[number];

/** Which outputs an item goes to: one per kind of action it carries, or "nothing". */
export function outputsFor(decision: Decision): OutputName[] {
	return decision.routes.length === 0 ? ['nothing'] : decision.routes;
}

export function decisionJson(decision: Decision & { replay?: boolean }, testMode: boolean): IDataObject {
	const arms = [...decision.fired.filter((f) => f.arm).map((f) => ({ ruleId: f.ruleId, arm: f.arm! })), ...decision.holdouts.map((h) => ({ ruleId: h.ruleId, arm: h.arm }))];
	return {
		customerKey: decision.customerKey,
		eventKey: decision.eventKey,
		eventType: decision.eventType,
		pointsToAward: decision.pointsToAward,
		firedRules: decision.fired.map((f) => f.ruleId),
		actions: decision.fired.flatMap((f) => f.actions.map((a) => ({ ruleId: f.ruleId, ...a }))) as unknown as IDataObject[],
		experimentArms: arms,
		badgesAwarded: (decision.badgeAwards ?? []) as unknown as IDataObject[],
		summary: decision.explanation.map(explanationLine),
		decision: decision as unknown as IDataObject,
		explanation: decision.explanation as unknown as IDataObject[],
		testMode,
		replay: decision.replay === true,
	};
}
