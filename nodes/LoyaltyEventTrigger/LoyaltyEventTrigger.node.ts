import { NodeConnectionTypes, type INodeType, type INodeTypeDescription, type ITriggerFunctions, type ITriggerResponse } from 'n8n-workflow';

import { nodeDocsUrl } from '../shared/docs';
import { optionNameSubtitle } from '../shared/subtitle';
import { STORE_CREDENTIAL_LABEL, testStoreCredential } from '../shared/store';
import { EVENT_OPTIONS, EVENT_TRIGGER_PROPERTIES } from './description';
import { startEventTrigger } from './emit';

/**
 * Starts a workflow for events recorded by the Loyalty Trigger (one intake, many campaigns). The
 * webhook node cannot know when the runs it would start finish; a trigger can (n8n resolves its
 * run's "done" promise), so this node is what makes intake at least once.
 */
export class LoyaltyEventTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Loyalty Event Trigger',
		name: 'loyaltyEventTrigger',
		icon: { light: 'file:loyaltyEventTrigger.svg', dark: 'file:loyaltyEventTrigger.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: optionNameSubtitle('On ', 'events', EVENT_OPTIONS, 'many'),
		description: 'Starts the workflow for each purchase, refund, customer or cart your shop reported, once it is recorded. Every event is run until a run finishes.',
		documentationUrl: nodeDocsUrl('loyalty-event-trigger'),
		defaults: { name: 'Loyalty Event Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'loyaltyStoreApi',
				displayName: STORE_CREDENTIAL_LABEL,
				required: false,
				testedBy: 'loyaltyStoreApiTest',
			},
		],
		properties: EVENT_TRIGGER_PROPERTIES,
	};

	methods = {
		credentialTest: {
			loyaltyStoreApiTest: testStoreCredential,
		},
	};

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		return await startEventTrigger.call(this);
	}
}
