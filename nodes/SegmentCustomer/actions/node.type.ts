import type { INodeExecutionData } from 'n8n-workflow';

import type { InsightService, openSharedStore } from '../../../engine';
import type { InsightSettings } from './common.descriptions';

/** Every resource and its operations; the router dispatches on exactly these. */
export type SegmentCustomerType = {
	customer: 'score' | 'crossSell' | 'nextBestAction' | 'replenishment';
	program: 'scoreAll' | 'fitModels' | 'getMetrics';
};

export type LoyaltyStore = Awaited<ReturnType<typeof openSharedStore>>;

/** What the router hands each operation for one input item. */
export interface OperationContext {
	insight: InsightService;
	store: LoyaltyStore;
	/** YYYY-MM-DD the picture is taken on. */
	asOf: string;
	/** The node's insight settings with the stored program's id, currency and time zone. */
	settings: InsightSettings;
	item: INodeExecutionData;
	itemIndex: number;
}
