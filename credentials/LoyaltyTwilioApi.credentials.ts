import type { Icon, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * Twilio for SMS offers and for the Loyalty Trigger's Twilio mode. Sending may use the Auth Token
 * or an API Key; Twilio signs its webhooks with the Auth Token, so the trigger always needs it.
 */
export class LoyaltyTwilioApi implements ICredentialType {
	name = 'loyaltyTwilioApi';

	displayName = 'Loyalty Twilio API';

	icon: Icon = { light: 'file:../icons/sms.svg', dark: 'file:../icons/sms.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-loyalty/n8n-nodes-loyalty/blob/main/docs/setup/twilio.md';

	properties: INodeProperties[] = [
		{
			displayName: 'Account SID',
			name: 'accountSid',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. AC…',
			description: 'Twilio Console → Account Info → Account SID',
		},
		{
			displayName: 'Authenticate With',
			name: 'authType',
			type: 'options',
			options: [
				{ name: 'Auth Token', value: 'authToken' },
				{ name: 'API Key', value: 'apiKey' },
			],
			default: 'authToken',
		},
		// The Auth Token is also the key Twilio signs webhooks with; the trigger verifies them with it.
		{
			displayName: 'Auth Token',
			name: 'authToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Twilio Console → Account Info → Auth Token. Needed for the Loyalty Trigger in every case, because Twilio signs its requests with it.',
		},
		{
			displayName: 'API Key SID',
			name: 'apiKeySid',
			type: 'string',
			default: '',
			placeholder: 'e.g. SK…',
			displayOptions: { show: { authType: ['apiKey'] } },
		},
		{
			displayName: 'API Key Secret',
			name: 'apiKeySecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { authType: ['apiKey'] } },
		},
		{
			displayName: 'Default Sender',
			name: 'from',
			type: 'string',
			default: '',
			placeholder: 'e.g. +15005550006',
			description: 'Your Twilio phone number (E.164) that offers come from. Leave empty when you use a Messaging Service.',
		},
		{
			displayName: 'Messaging Service SID',
			name: 'messagingServiceSid',
			type: 'string',
			default: '',
			placeholder: 'e.g. MG…',
			description: 'Optional. With a Messaging Service, SMS deferred by quiet hours are scheduled at Twilio for the first allowed minute.',
		},
		{
			displayName: 'Shorten Links (Click Tracking)',
			name: 'shortenUrls',
			type: 'boolean',
			default: false,
			description: "Whether offers' links are shortened by Twilio Link Shortening, so each click is reported to the Loyalty Trigger and counts as engagement. Needs the Messaging Service above with a link shortening domain.",
		},
		{
			displayName: 'Webhook URL',
			name: 'webhookUrl',
			type: 'string',
			default: '',
			placeholder: 'e.g. https://n8n.example.com/webhook/…/webhook',
			description: 'The exact URL Twilio posts to, when it differs from the URL n8n shows on the trigger (for example behind a proxy). It is part of the signature.',
		},
		{
			displayName: 'API Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'e.g. https://twilio-proxy.example.com',
			description: 'Advanced: send Twilio API calls to this address instead of Twilio (a proxy or a test mock). Leave empty to use Twilio.',
		},
	];

	// No `authenticate` block: n8n adds a "Custom API Call" operation to every node using a credential
	// that has one. The connector clients set the Authorization header themselves; the test request
	// below carries it by hand.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl ? String($credentials.baseUrl).replace(/\\/+$/, "") : "https://api.twilio.com"}}',
			url: '=/2010-04-01/Accounts/{{$credentials.accountSid}}.json',
			method: 'GET',
			auth: {
				username: '={{$credentials.authType === "apiKey" ? $credentials.apiKeySid : $credentials.accountSid}}',
				password: '={{$credentials.authType === "apiKey" ? $credentials.apiKeySecret : $credentials.authToken}}',
			},
		},
	};
}
