import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { spendExclusionsJson } from '../../helpers/json';
import type { OperationContext } from '../node.type';

const properties: INodeProperties[] = [
	{
		displayName: 'Active Window (Days)',
		name: 'activeDays',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 90,
		description: 'A member who earned or redeemed points within this many days counts as active',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['program'], operation: ['getMetrics'] } }, properties);

export async function execute(this: IExecuteFunctions, { insight, asOf, itemIndex }: OperationContext): Promise<IDataObject> {
	const metrics = await insight.programMetrics(asOf, this.getNodeParameter('activeDays', itemIndex) as number);
	// CLV by segment averages known CLVs only; the saved spend model says whose CLV is unknown and why.
	const models = await insight.savedModels();
	return {
		operation: 'getMetrics',
		programId: insight.programId,
		currency: insight.currency,
		asOf,
		...metrics,
		spendModelExcluded: spendExclusionsJson(models?.spendExcluded),
		spendModelFallbackReason: models?.transaction && !models.spend ? (models.spendFallbackReason ?? null) : null,
	} as unknown as IDataObject;
}
