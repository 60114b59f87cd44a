import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { programSelector } from '../shared/program';
import { testStoreCredential } from '../shared/store';
import { eventProperties } from './descriptions/event.description';
import { rulesProperties } from './descriptions/rules.description';
import { evaluateItems } from './execute';

export class EvaluateRules implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Evaluate Rules',
		name: 'evaluateRules',
		icon: { light: 'file:evaluateRules.svg', dark: 'file:evaluateRules.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: 'Decide what this customer gets',
		description: 'Decide what each customer gets: points, offers, coupons or tiers, from your rules, with limits, budgets and a plain explanation of why',
		defaults: { name: 'Evaluate Rules' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main, NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Award', 'Offer', 'Other Action', 'Nothing'],
		usableAsTool: true,
		credentials: [
			{
				name: 'loyaltyStoreApi',
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
