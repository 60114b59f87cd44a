import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { summarizeError, toNodeError } from './errors';

/**
 * The operation module for an item's `resource` and `operation` parameters; a combination the
 * node does not have is a NodeOperationError rather than a silent no-op.
 */
export function operationFor<M>(context: IExecuteFunctions, table: Record<string, Record<string, M>>, itemIndex: number): M {
	const resource = context.getNodeParameter('resource', itemIndex) as string;
	const operation = context.getNodeParameter('operation', itemIndex) as string;
	const module = table[resource]?.[operation];
	if (!module) throw new NodeOperationError(context.getNode(), `The operation "${operation}" of "${resource}" is not supported`, { itemIndex });
	return module;
}

/**
 * Runs `work` once per input item, each in its own try/catch: with "Continue On Fail" a failed
 * item becomes `{ error, field }` and the next item still runs; without it the first failure
 * stops the node with an n8n error naming the item. Every output item is paired to its input.
 */
export async function runPerItem(
	context: IExecuteFunctions,
	work: (item: INodeExecutionData, itemIndex: number) => Promise<IDataObject | IDataObject[]>,
): Promise<INodeExecutionData[][]> {
	const items = context.getInputData();
	const returnData: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const result = await work(items[itemIndex], itemIndex);
			returnData.push(...context.helpers.constructExecutionMetaData(context.helpers.returnJsonArray(result), { itemData: { item: itemIndex } }));
		} catch (error) {
			if (!context.continueOnFail()) throw toNodeError(context.getNode(), error, itemIndex);
			const summary = summarizeError(error);
			returnData.push({ json: { error: summary.message, field: summary.field ?? null }, pairedItem: { item: itemIndex } });
		}
	}
	return [returnData];
}
