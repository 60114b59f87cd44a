import {
	NodeConnectionTypes,
	type ICredentialsDecrypted,
	type ICredentialTestFunctions,
	type INodeCredentialTestResult,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { nodeDocsUrl } from '../shared/docs';
import { STORE_CREDENTIAL_LABEL, testStoreCredential } from '../shared/store';
import { REGISTERED_BY_HAND } from '../shared/webhookLifecycle';
import { MIN_DASHBOARD_TOKEN_LENGTH } from './access';
import { dashboardProperties } from './description';
import { serveDashboard } from './serve';

async function testDashboardCredential(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	const token = credential.data?.token;
	if (typeof token !== 'string' || token.length < MIN_DASHBOARD_TOKEN_LENGTH) {
		return { status: 'Error', message: `The access token must be at least ${MIN_DASHBOARD_TOKEN_LENGTH} random characters` };
	}
	return { status: 'OK', message: 'The token is long enough' };
}

/**
 * The owner's window: a page that n8n serves from this node's webhook. Each view is answered here
 * and starts no workflow run; the page is the same report `n8n-loyalty report` prints.
 */
export class LoyaltyDashboard implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Loyalty Dashboard',
		name: 'loyaltyDashboard',
		icon: { light: 'file:loyaltyDashboard.svg', dark: 'file:loyaltyDashboard.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{"Program " + $parameter["programId"]}}',
		description: 'Serves the loyalty program’s dashboard page (health, points, liability, campaigns, experiments) at this node’s URL, behind an access token',
		documentationUrl: nodeDocsUrl('loyalty-dashboard'),
		defaults: { name: 'Loyalty Dashboard' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'loyaltyDashboardApi', displayName: 'Dashboard Access Token', required: true, testedBy: 'loyaltyDashboardApiTest' },
			{ name: 'loyaltyStoreApi', displayName: STORE_CREDENTIAL_LABEL, required: false, testedBy: 'loyaltyStoreApiTest' },
		],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'GET',
				responseMode: 'onReceived',
				path: 'dashboard',
			},
		],
		properties: dashboardProperties,
	};

	methods = {
		credentialTest: {
			loyaltyStoreApiTest: testStoreCredential,
			loyaltyDashboardApiTest: testDashboardCredential,
		},
	};

	/** Nothing to register anywhere: the owner opens the URL. */
	webhookMethods = { default: REGISTERED_BY_HAND };

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await serveDashboard(this);
	}
}
