import type {
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

/**
 * A Square access token plus what the Loyalty Trigger needs to trust Square's notifications: the
 * subscription's signature key and the exact URL Square posts to (both are part of the HMAC).
 */
export class LoyaltySquareApi implements ICredentialType {
	name = 'loyaltySquareApi';

	displayName = 'Loyalty Square API';

	icon: Icon = { light: 'file:../icons/pos.svg', dark: 'file:../icons/pos.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-loyalty/n8n-nodes-loyalty/blob/main/docs/setup/square.md';

	properties: INodeProperties[] = [
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Square Developer Dashboard → your application → Credentials',
			required: true,
		},
		{
			displayName: 'Environment',
			name: 'environment',
			type: 'options',
			options: [
				{ name: 'Production', value: 'production' },
				{ name: 'Sandbox', value: 'sandbox' },
			],
			default: 'production',
		},
		// The signature key is the HMAC secret that proves a notification came from Square.
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password
		{
			displayName: 'Webhook Signature Key',
			name: 'signatureKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Square Developer Dashboard → Webhooks → your subscription → Signature key. Square creates this key together with the subscription; the Loyalty Trigger rejects notifications that are not signed with it.',
		},
		{
			displayName: 'Notification URL',
			name: 'notificationUrl',
			type: 'string',
			default: '',
			placeholder: 'e.g. https://n8n.example.com/webhook/…/webhook',
			description:
				'The exact URL Square posts to, when it differs from the URL n8n shows on the trigger (for example behind a proxy). Leave empty to use the trigger URL.',
		},
		{
			displayName: 'API Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'e.g. https://square-proxy.example.com',
			description:
				'Advanced: send Square API calls to this address instead of Square (a proxy or a test mock). Leave empty to use Square for the chosen environment.',
		},
	];

	// No `authenticate` block: n8n adds a "Custom API Call" operation to every node using a credential
	// that has one. The connector clients set the Authorization header themselves; the test request
	// below carries it by hand.
	test: ICredentialTestRequest = {
		request: {
			baseURL:
				'={{$credentials.baseUrl ? String($credentials.baseUrl).replace(/\\/+$/, "") : ($credentials.environment === "sandbox" ? "https://connect.squareupsandbox.com" : "https://connect.squareup.com")}}',
			url: '/v2/locations',
			method: 'GET',
			headers: { Authorization: '=Bearer {{$credentials.accessToken}}', 'Square-Version': '2025-08-20' },
		},
	};
}
