import type { ICredentialDataDecryptedObject, IWebhookFunctions } from 'n8n-workflow';

/**
 * How long a webhook may verify with credentials it read a moment ago. Reading credentials in n8n
 * costs an expression sandbox per call (about as much CPU as the rest of the trigger's work on a
 * delivery), and a busy shop sends many deliveries a second. A signature that fails with the kept
 * copy is checked again with freshly read credentials, so a changed secret takes effect at once;
 * the old secret stays accepted for at most this long after it was changed.
 */
export const RECENT_CREDENTIALS_MS = 10_000;

const recent = new Map<string, { credentials: ICredentialDataDecryptedObject; readAt: number }>();

/** The node's credentials of this type, as read at most RECENT_CREDENTIALS_MS ago (`fresh` reads them again). */
export async function recentCredentials(context: IWebhookFunctions, type: string, options: { fresh?: boolean; now?: () => number } = {}): Promise<ICredentialDataDecryptedObject> {
	const now = (options.now ?? Date.now)();
	const id = context.getNode().credentials?.[type]?.id;
	// Without a credential id there is nothing to key the copy on: read every time.
	if (!id) return await context.getCredentials(type);
	const key = `${type}:${id}`;
	const kept = recent.get(key);
	if (kept && !options.fresh && now - kept.readAt < RECENT_CREDENTIALS_MS) return kept.credentials;
	const credentials = await context.getCredentials(type);
	recent.set(key, { credentials, readAt: now });
	return credentials;
}

/** Drops every kept copy (tests, where one credential id stands for different credentials in turn). */
export function forgetRecentCredentials(): void {
	recent.clear();
}
