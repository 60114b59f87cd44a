import {
	NodeConnectionTypes,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { changeProgram, peekProgram, programHistory, type Program, type Store } from '../../engine';
import { nodeDocsUrl } from '../shared/docs';
import { programSource } from '../shared/program';
import { runPerItem } from '../shared/router';
import { openStoreFor, STORE_CREDENTIAL_LABEL, testStoreCredential } from '../shared/store';
import { programProperties } from './description';
import { changesFromForm, settingsJson, type SettingsForm, type TiersForm } from './settingsForm';

function versionJson(program: Program): IDataObject {
	return { programId: program.id, version: program.version, changedAt: program.changedAt, source: program.source, settings: settingsJson(program.settings) };
}

export class LoyaltyProgram implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Loyalty Program',
		name: 'loyaltyProgram',
		icon: { light: 'file:loyaltyProgram.svg', dark: 'file:loyaltyProgram.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ {"get": "Get Settings", "update": "Update Settings", "getHistory": "Get History"}[$parameter["operation"]] + ": " + $parameter["programId"] }}',
		documentationUrl: nodeDocsUrl('loyalty-program'),
		description: 'Set your loyalty program once — earn rate, expiry, tiers, quiet hours, message limits — for every workflow that uses it',
		defaults: { name: 'Loyalty Program' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		usableAsTool: true,
		credentials: [{ name: 'loyaltyStoreApi', displayName: STORE_CREDENTIAL_LABEL, required: false, testedBy: 'loyaltyStoreApiTest' }],
		properties: programProperties,
	};

	methods = {
		credentialTest: {
			loyaltyStoreApiTest: testStoreCredential,
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		let store: Store | undefined;
		return runPerItem(this, async (_item, itemIndex) => {
			store ??= await openStoreFor(this);
			const operation = this.getNodeParameter('operation', itemIndex) as string;
			const programId = this.getNodeParameter('programId', itemIndex, '') as string;
			if (operation === 'getHistory') {
				const history = await programHistory(store, programId);
				return history.length > 0 ? history.map(versionJson) : [{ programId: programId || 'default', versions: 0, message: 'This program was never set: nodes use the defaults the first time they run.' }];
			}
			// Reading writes nothing: a program never set shows the defaults it would get, as version 0.
			const current = await peekProgram(store, programId, this.getTimezone());
			if (operation === 'get') return { ...versionJson(current), ...(current.version === 0 ? { notice: 'This program was never set: these are the defaults every node uses until you update it.' } : {}) };
			const form = this.getNodeParameter('settings', itemIndex, {}) as SettingsForm;
			const useTiers = this.getNodeParameter('useTiers', itemIndex, 'keep') as string;
			const tiers: TiersForm =
				useTiers === 'set'
					? {
							useTiers,
							basis: this.getNodeParameter('tierBasis', itemIndex, 'spend') as string,
							windowDays: this.getNodeParameter('tierWindowDays', itemIndex, 365) as number,
							reviewEveryDays: this.getNodeParameter('tierReviewEveryDays', itemIndex, 365) as number,
							levels: this.getNodeParameter('tierLevels', itemIndex, {}) as TiersForm['levels'],
						}
					: { useTiers };
			const change = await changeProgram(store, current.id, changesFromForm(form, tiers, current.settings), { defaultTimeZone: this.getTimezone(), source: programSource(this) });
			return { ...versionJson(change.program), changed: change.changed, previousVersion: change.previousVersion ?? null };
		});
	}
}
