import type { Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * The secret that opens the owner's dashboard page: a long random token sent as `?token=` or
 * `Authorization: Bearer`. Nothing remote to call, so the node tests its length
 * (`loyaltyDashboardApiTest`).
 */
export class LoyaltyDashboardApi implements ICredentialType {
	name = 'loyaltyDashboardApi';

	// A secret for incoming page views, not an API.
	// eslint-disable-next-line n8n-nodes-base/cred-class-field-display-name-missing-api
	displayName = 'Loyalty Dashboard Access';

	icon: Icon = { light: 'file:../icons/key.svg', dark: 'file:../icons/key.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-loyalty/n8n-nodes-loyalty/blob/main/docs/nodes/loyalty-dashboard.md#access-token';

	properties: INodeProperties[] = [
		{
			displayName: 'Access Token',
			name: 'token',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'At least 32 random characters (for example the output of: openssl rand -hex 32). Anyone with the dashboard URL and this token can read the report, so keep both secret.',
			required: true,
		},
	];
}
