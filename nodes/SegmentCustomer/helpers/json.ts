import type { IDataObject } from 'n8n-workflow';

import { describeSpendExclusions, type CustomerInsight, type SpendExclusions } from '../../../engine';

/**
 * One customer's picture as item JSON; CLV is in minor units of the program's currency. Each
 * prediction comes with its 80% range (…Low, …High) and `certainty` ('high', 'medium', 'low') with
 * the reason in words, so a workflow can act only on predictions it can trust.
 */
export function insightJson(insight: CustomerInsight, asOf: string): IDataObject {
	return {
		customerId: insight.customerId,
		asOf,
		recencyScore: insight.recencyScore,
		frequencyScore: insight.frequencyScore,
		monetaryScore: insight.monetaryScore,
		segment: insight.segment,
		lifecycle: insight.lifecycle,
		valueTier: insight.valueTier,
		pAlive: insight.pAlive,
		expectedOrders90Days: insight.expectedOrders,
		clvMinor: insight.clv === null ? null : Math.round(insight.clv),
		clvUnknownReason: insight.clvUnknownReason,
		nextOrderDate: insight.nextOrderDate,
		pAliveLow: insight.pAliveLow,
		pAliveHigh: insight.pAliveHigh,
		expectedOrders90DaysLow: insight.expectedOrdersLow,
		expectedOrders90DaysHigh: insight.expectedOrdersHigh,
		clvMinorLow: insight.clvLow === null ? null : Math.floor(insight.clvLow),
		clvMinorHigh: insight.clvHigh === null ? null : Math.ceil(insight.clvHigh),
		certainty: insight.certainty,
		certaintyReason: insight.certaintyReason,
	};
}

/** Who the spend model left out and why, as item JSON: `{ customers, reasons: [{ reason, customers }], summary }`. */
export function spendExclusionsJson(excluded: SpendExclusions | undefined): IDataObject {
	const { customers = 0, reasons = [] } = excluded ?? {};
	return { customers, reasons: reasons.map((r) => ({ ...r })), summary: customers ? describeSpendExclusions({ customers, reasons }) : null };
}
