import { updateDisplayOptions, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { spendExclusionsJson } from '../../helpers/json';
import type { OperationContext } from '../node.type';

const properties: INodeProperties[] = [
	{
		displayName: 'Run this on a schedule (for example weekly) before scoring: scoring reuses the last fitted models',
		name: 'fitNotice',
		type: 'notice',
		default: '',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['program'], operation: ['fitModels'] } }, properties);

export async function execute(this: IExecuteFunctions, { insight, asOf, settings }: OperationContext): Promise<IDataObject> {
	const { model } = settings;
	const fitted = await insight.fit(asOf, model);
	return {
		operation: 'fitModels',
		programId: insight.programId,
		asOf,
		fitted: fitted.transaction !== undefined,
		transactionModel: fitted.transaction ? { model: fitted.transaction.model, ...fitted.transaction.params, logLikelihood: fitted.transaction.logLikelihood, customers: fitted.transaction.customers, standardErrors: fitted.transaction.standardErrors ?? null } : null,
		spendModel: fitted.spend ? { model: 'gamma-gamma', ...fitted.spend.params, logLikelihood: fitted.spend.logLikelihood, customers: fitted.spend.customers, standardErrors: fitted.spend.standardErrors ?? null } : null,
		// Repeat customers whose purchases average 0 or less are left out of the spend model; their CLV is unknown.
		spendModelExcluded: spendExclusionsJson(fitted.spendExcluded),
		spendModelFallbackReason: fitted.transaction && !fitted.spend ? (fitted.spendFallbackReason ?? fitted.fallbackReason ?? null) : null,
		fallbackReason: fitted.fallbackReason ?? null,
	};
}
