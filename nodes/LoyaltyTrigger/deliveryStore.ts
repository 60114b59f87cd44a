import type { IWebhookFunctions } from 'n8n-workflow';

import { openSharedStore, type Store } from '../../engine';
import { CredentialName } from '../shared/credentials';
import { recentCredentials } from '../shared/recentCredentials';
import { openStoreFor, storeConfigFromCredentials } from '../shared/store';

/**
 * The store a delivery is recorded in, its Loyalty Store credential read at most
 * RECENT_CREDENTIALS_MS ago. A PostgreSQL store (every queue-mode setup has one) is a credential,
 * and n8n reading it costs an expression sandbox per delivery, more CPU than the intake itself; a
 * busy shop sends many deliveries a second, all to n8n main. A changed store credential reaches
 * the trigger within that window (a store that refuses the old one answers 503 meanwhile, and the
 * shop sends again).
 */
export async function openDeliveryStore(context: IWebhookFunctions): Promise<Store> {
	if (!context.getNode().credentials?.[CredentialName.Store]) return await openStoreFor(context);
	return await openSharedStore(storeConfigFromCredentials(await recentCredentials(context, CredentialName.Store)));
}
