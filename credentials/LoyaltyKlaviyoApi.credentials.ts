import type { Icon, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

/** A Klaviyo private API key: Send Offer records offer events and keeps loyalty properties on profiles. */
export class LoyaltyKlaviyoApi implements ICredentialType {
	name = 'loyaltyKlaviyoApi';

	displayName = 'Loyalty Klaviyo API';

	icon: Icon = { light: 'file:../icons/email.svg', dark: 'file:../icons/email.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-loyalty/n8n-nodes-loyalty/blob/main/docs/setup/klaviyo.md';

	properties: INodeProperties[] = [
		{
			displayName: 'Private API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'e.g. pk_…',
			description: 'Klaviyo → Settings → API keys → Create Private API Key, with full access to Events, Profiles and Subscriptions (and read access to Accounts for this test)',
		},
		{
			displayName: 'API Revision',
			name: 'revision',
			type: 'string',
			default: '2026-07-15',
			description: 'The Klaviyo API revision the requests follow. Change it only when these nodes are updated for a newer one.',
		},
		{
			displayName: 'API Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'e.g. https://klaviyo-proxy.example.com',
			description: 'Advanced: send Klaviyo API calls to this address instead of Klaviyo (a proxy or a test mock). Leave empty to use Klaviyo.',
		},
	];

	// No `authenticate` block: n8n adds a "Custom API Call" operation to every node using a credential
	// that has one. The connector clients set the Authorization header themselves; the test request
	// below carries it by hand.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl ? String($credentials.baseUrl).replace(/\\/+$/, "") : "https://a.klaviyo.com"}}',
			url: '/api/accounts',
			method: 'GET',
			headers: {
				Accept: 'application/vnd.api+json',
				Authorization: '=Klaviyo-API-Key {{$credentials.apiKey}}',
				revision: '={{$credentials.revision || "2026-07-15"}}',
			},
		},
	};
}
