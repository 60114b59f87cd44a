import type { IDataObject } from 'n8n-workflow';

import type { CustomerInsight } from '../../../engine';

/** One customer's picture as item JSON; CLV is in minor units of the program's currency. */
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
		nextOrderDate: insight.nextOrderDate,
	};
}
