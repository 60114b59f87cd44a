import type {
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

/** WooCommerce REST API keys plus the secret the Loyalty Trigger signs its webhooks with. */
export class LoyaltyWooCommerceApi implements ICredentialType {
	name = 'loyaltyWooCommerceApi';

	displayName = 'Loyalty WooCommerce API';

	icon: Icon = { light: 'file:../icons/webshop.svg', dark: 'file:../icons/webshop.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-loyalty/n8n-nodes-loyalty/blob/main/docs/setup/woocommerce.md';

	properties: INodeProperties[] = [
		{
			displayName: 'Shop URL',
			name: 'shopUrl',
			type: 'string',
			default: '',
			placeholder: 'e.g. https://shop.example.com',
			description: 'Address of the WordPress site that runs WooCommerce (HTTPS)',
			required: true,
		},
		// Half of the REST API key pair: as secret as the consumer secret.
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password
		{
			displayName: 'Consumer Key',
			name: 'consumerKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'WooCommerce → Settings → Advanced → REST API → Add key (Read/Write)',
			required: true,
		},
		{
			displayName: 'Consumer Secret',
			name: 'consumerSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			displayName: 'Webhook Secret',
			name: 'webhookSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Any long random text. The Loyalty Trigger registers its WooCommerce webhooks with this secret and rejects deliveries that are not signed with it.',
			required: true,
		},
	];

	// No `authenticate` block: n8n adds a "Custom API Call" operation to every node using a credential
	// that has one. The connector clients set the Authorization header themselves; the test request
	// below carries it by hand.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{String($credentials.shopUrl).replace(/\\/+$/, "")}}',
			url: '/wp-json/wc/v3/system_status',
			method: 'GET',
			auth: { username: '={{$credentials.consumerKey}}', password: '={{$credentials.consumerSecret}}' },
		},
	};
}
