import type { Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * Where the loyalty data lives. Not an HTTP service, so it has no `test` request: the Loyalty
 * Trigger and Award Points nodes test it with `testedBy` (`loyaltyStoreApiTest`), which opens the
 * store and pings it.
 */
export class LoyaltyStoreApi implements ICredentialType {
	name = 'loyaltyStoreApi';

	// The store is a database, not an API; the name is what a shop owner looks for.
	// eslint-disable-next-line n8n-nodes-base/cred-class-field-display-name-missing-api
	displayName = 'Loyalty Store';

	icon: Icon = { light: 'file:../icons/loyalty.svg', dark: 'file:../icons/loyalty.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-loyalty/n8n-nodes-loyalty/blob/main/docs/setup/postgresql.md';

	properties: INodeProperties[] = [
		{
			displayName: 'Storage',
			name: 'storage',
			type: 'options',
			options: [
				{
					name: 'Embedded (SQLite File)',
					value: 'embedded',
					description: 'One file on the n8n server. Zero setup; for a single n8n instance.',
				},
				{
					name: 'PostgreSQL',
					value: 'postgres',
					description: 'A PostgreSQL database shared by every n8n worker (queue mode)',
				},
			],
			default: 'embedded',
		},
		{
			displayName: 'Database File',
			name: 'sqlitePath',
			type: 'string',
			default: '',
			placeholder: '/home/node/.n8n/loyalty.sqlite',
			description:
				'Full path of the SQLite file. Leave empty to use loyalty.sqlite in the n8n user folder (N8N_USER_FOLDER/.n8n).',
			displayOptions: { show: { storage: ['embedded'] } },
		},
		{
			displayName: 'Host',
			name: 'host',
			type: 'string',
			default: 'localhost',
			displayOptions: { show: { storage: ['postgres'] } },
		},
		{
			displayName: 'Port',
			name: 'port',
			type: 'number',
			default: 5432,
			displayOptions: { show: { storage: ['postgres'] } },
		},
		{
			displayName: 'Database',
			name: 'database',
			type: 'string',
			default: '',
			placeholder: 'loyalty',
			displayOptions: { show: { storage: ['postgres'] } },
		},
		{
			displayName: 'User',
			name: 'user',
			type: 'string',
			default: '',
			displayOptions: { show: { storage: ['postgres'] } },
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { storage: ['postgres'] } },
		},
		{
			displayName: 'Schema',
			name: 'schema',
			type: 'string',
			default: 'public',
			description:
				'PostgreSQL schema for the loyalty tables. Use a schema of its own (e.g. loyalty) when the database is the one n8n itself uses; it is created if missing.',
			displayOptions: { show: { storage: ['postgres'] } },
		},
		{
			displayName: 'SSL',
			name: 'ssl',
			type: 'boolean',
			default: false,
			description: 'Whether to connect to PostgreSQL over TLS',
			displayOptions: { show: { storage: ['postgres'] } },
		},
	];
}
