import type { Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * The shared secret for "Generic signed JSON" deliveries. Nothing remote to call, so the nodes
 * test it with `testedBy` (`loyaltyGenericWebhookApiTest`), which checks its length.
 */
export class LoyaltyGenericWebhookApi implements ICredentialType {
	name = 'loyaltyGenericWebhookApi';

	// A shared secret for incoming requests, not an API.
	// eslint-disable-next-line n8n-nodes-base/cred-class-field-display-name-missing-api
	displayName = 'Loyalty Signed Webhook';

	icon: Icon = { light: 'file:../icons/key.svg', dark: 'file:../icons/key.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-loyalty/n8n-nodes-loyalty/blob/main/docs/nodes/loyalty-trigger.md#generic-signed-json';

	properties: INodeProperties[] = [
		{
			displayName: 'Shared Secret',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'At least 16 random characters. The sender signs each request body with HMAC-SHA256 using this secret and sends it as the header X-Loyalty-Signature: sha256=&lt;hex&gt;.',
			required: true,
		},
	];
}
