import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { nodeDocsUrl } from '../shared/docs';
import { programSelector } from '../shared/program';
import { optionNameSubtitle } from '../shared/subtitle';
import { STORE_CREDENTIAL_LABEL, testStoreCredential } from '../shared/store';
import { eventProperties } from './descriptions/event.description';
import { RULE_SOURCE_OPTIONS, rulesProperties } from './descriptions/rules.description';
import { evaluateItems } from './execute';

const RULE_SOURCE_SUBTITLE = optionNameSubtitle('', 'rulesSource', RULE_SOURCE_OPTIONS);

export class EvaluateRules implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Evaluate Rules',
		name: 'evaluateRules',
		icon: { light: 'file:evaluateRules.svg', dark: 'file:evaluateRules.dark.svg' },
		group: ['transform'],
		// 1.1: the rule builder takes amounts in the shop's currency (1 took them in cents).
		version: [1, 1.1],
		defaultVersion: 1.1,
		subtitle: RULE_SOURCE_SUBTITLE,
		description: 'Decide what each customer gets: points, offers, coupons or tiers, from your rules, with limits, budgets and a plain explanation of why',
		documentationUrl: nodeDocsUrl('evaluate-rules'),
		defaults: { name: 'Evaluate Rules' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main, NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Award', 'Offer', 'Other Action', 'Nothing'],
		usableAsTool: true,
		credentials: [
			{
				name: 'loyaltyStoreApi',
				displayName: STORE_CREDENTIAL_LABEL,
				required: false,
				testedBy: 'loyaltyStoreApiTest',
			},
		],
		hints: [
			{
				message: 'This node only decides. Connect "Award" to Award Points (it carries pointsToAward) and "Offer" to your offer or email step.',
				type: 'info',
				location: 'outputPane',
				whenToDisplay: 'afterExecution',
			},
		],
		properties: [programSelector, ...eventProperties, ...rulesProperties],
	};

	methods = {
		credentialTest: {
			loyaltyStoreApiTest: testStoreCredential,
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await evaluateItems.call(this);
	}
}
