import { NodeConnectionTypes, type INodeType, type INodeTypeDescription, type ITriggerFunctions, type ITriggerResponse } from 'n8n-workflow';

import { nodeDocsUrl } from '../shared/docs';
import { STORE_CREDENTIAL_LABEL, testStoreCredential } from '../shared/store';
import { optionNameSubtitle } from '../shared/subtitle';
import { DUE_EVENT_OPTIONS, SCHEDULE_PROPERTIES } from './description';
import { startSchedule } from './poll';

/**
 * The Loyalty Trigger's schedule mode, as its own node type: n8n runs a node type either as a
 * webhook or as an in-memory trigger, and a type with both never had its webhook registered
 * (tried in n8n 2.41.1), so the time-based events cannot live in the webhook node.
 */
const DUE_EVENTS_SUBTITLE = optionNameSubtitle('Due: ', 'dueEvents', DUE_EVENT_OPTIONS, 'many');

export class LoyaltyScheduleTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Loyalty Schedule Trigger',
		name: 'loyaltyScheduleTrigger',
		icon: { light: 'file:loyaltyScheduleTrigger.svg', dark: 'file:loyaltyScheduleTrigger.dark.svg' },
		group: ['trigger', 'schedule'],
		// 1.1: cart idle time in minutes, as in Evaluate Rules (1 asked for hours).
		version: [1, 1.1],
		defaultVersion: 1.1,
		subtitle: DUE_EVENTS_SUBTITLE,
		description: 'Starts the workflow when something becomes due for a customer: a birthday, no purchase for a while, an abandoned cart, a product running low, points about to expire, or a follow-up. Each one once.',
		documentationUrl: nodeDocsUrl('loyalty-schedule-trigger'),
		defaults: { name: 'Loyalty Schedule Trigger' },
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
		properties: SCHEDULE_PROPERTIES,
	};

	methods = {
		credentialTest: {
			loyaltyStoreApiTest: testStoreCredential,
		},
	};

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		return await startSchedule.call(this);
	}
}
