import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IExecuteFunctions,
	IHookFunctions,
	INodeCredentialTestResult,
	ITriggerFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';

import { defaultSqlitePath, openSharedStore, type StoreConfig } from '../../engine';
import { CredentialName, MIN_GENERIC_SECRET_LENGTH } from './credentials';

/**
 * The label of the Loyalty Store credential on every node. Without a credential the nodes share
 * the embedded SQLite file, so the label says the field may stay empty.
 */
export const STORE_CREDENTIAL_LABEL = 'Loyalty Store (Optional: PostgreSQL or Own File)';

type StoreContext = IExecuteFunctions | IWebhookFunctions | IHookFunctions | ITriggerFunctions;

/**
 * The Loyalty Store credential is optional: without it every node shares the embedded SQLite
 * file under the n8n user folder. The store itself is opened once per config per process by the
 * engine (`openSharedStore`) and must not be closed by a node.
 */
export async function storeConfigFor(context: StoreContext): Promise<StoreConfig> {
	if (!context.getNode().credentials?.[CredentialName.Store]) return defaultStoreConfig();
	const credentials = await context.getCredentials(CredentialName.Store);
	return storeConfigFromCredentials(credentials);
}

export async function openStoreFor(context: StoreContext) {
	return await openSharedStore(await storeConfigFor(context));
}

export function defaultStoreConfig(): StoreConfig {
	return { kind: 'sqlite', path: defaultSqlitePath() };
}

export function storeConfigFromCredentials(credentials: ICredentialDataDecryptedObject): StoreConfig {
	if (credentials.storage === 'postgres') {
		const password = stringValue(credentials.password);
		const schema = stringValue(credentials.schema).trim();
		return {
			kind: 'postgres',
			host: stringValue(credentials.host) || 'localhost',
			port: Number(credentials.port) || 5432,
			database: stringValue(credentials.database),
			user: stringValue(credentials.user),
			...(password ? { password } : {}),
			...(schema && schema !== 'public' ? { schema } : {}),
			ssl: credentials.ssl === true,
		};
	}
	const path = stringValue(credentials.sqlitePath).trim();
	return { kind: 'sqlite', path: path || defaultSqlitePath() };
}

function stringValue(value: unknown): string {
	return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

/** `methods.credentialTest` of both nodes: the store is not reachable over HTTP, so test it here. */
export async function testStoreCredential(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	try {
		const store = await openSharedStore(storeConfigFromCredentials(credential.data ?? {}));
		await store.ping();
		return { status: 'OK', message: 'Connection successful' };
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		return { status: 'Error', message: `Could not open the loyalty store: ${message}` };
	}
}

/** `methods.credentialTest` for the generic webhook secret: nothing remote to call, so check its strength. */
export async function testGenericWebhookCredential(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const secret = stringValue(credential.data?.secret);
	if (secret.length < MIN_GENERIC_SECRET_LENGTH) {
		return {
			status: 'Error',
			message: `The shared secret must be at least ${MIN_GENERIC_SECRET_LENGTH} characters long`,
		};
	}
	return { status: 'OK', message: 'Shared secret is set' };
}
