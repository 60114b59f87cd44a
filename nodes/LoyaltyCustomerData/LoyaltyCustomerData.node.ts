import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { eraseCustomer, exportCustomer, type Store } from '../../engine';
import { readCustomerRef } from '../shared/customer';
import { nodeDocsUrl } from '../shared/docs';
import { programSource } from '../shared/program';
import { runPerItem } from '../shared/router';
import { openStoreFor, STORE_CREDENTIAL_LABEL, testStoreCredential } from '../shared/store';
import { CustomerDataOperation, customerDataProperties } from './description';

/**
 * A customer's data on request (docs/privacy.md): everything held about them as one item, or
 * erased. Each request is logged in the store with this workflow and node as its source.
 */
export class LoyaltyCustomerData implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Loyalty Customer Data',
		name: 'loyaltyCustomerData',
		icon: { light: 'file:loyaltyCustomerData.svg', dark: 'file:loyaltyCustomerData.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ {"export": "Export Customer Data", "erase": "Erase Customer Data"}[$parameter["operation"]] }}',
		documentationUrl: nodeDocsUrl('loyalty-customer-data'),
		description: 'Answer a customer’s data request: export everything the loyalty store holds about them, or erase it',
		defaults: { name: 'Loyalty Customer Data' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		usableAsTool: true,
		credentials: [{ name: 'loyaltyStoreApi', displayName: STORE_CREDENTIAL_LABEL, required: false, testedBy: 'loyaltyStoreApiTest' }],
		properties: customerDataProperties,
	};

	methods = {
		credentialTest: {
			loyaltyStoreApiTest: testStoreCredential,
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		let store: Store | undefined;
		return runPerItem(this, async (_item, itemIndex) => {
			const operation = this.getNodeParameter('operation', itemIndex) as string;
			const customer = readCustomerRef.call(this, itemIndex);
			const source = programSource(this);
			if (operation === CustomerDataOperation.Export) {
				store ??= await openStoreFor(this);
				return (await exportCustomer(store, customer, { source })) as unknown as IDataObject;
			}
			if (operation !== CustomerDataOperation.Erase) throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`, { itemIndex });
			if (this.getNodeParameter('confirmErase', itemIndex, false) !== true) {
				throw new NodeOperationError(this.getNode(), 'Nothing was erased: turn on "Confirm Erase" to erase this customer', {
					itemIndex,
					description: 'Erasing cannot be undone, so the node asks you to confirm it. Check that "Customer" names the right person, then turn on "Confirm Erase".',
				});
			}
			store ??= await openStoreFor(this);
			const outcome = await eraseCustomer(store, customer, { source });
			return { ...outcome, erased: outcome.status === 'erased' } as unknown as IDataObject;
		});
	}
}
