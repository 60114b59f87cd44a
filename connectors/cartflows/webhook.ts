import type { SignatureCheck } from '../http';
import { verifySharedToken } from '../shared/token';

/** The query parameter that carries the shared secret: `https://…/webhook?token=<secret>`. */
export const CARTFLOWS_TOKEN_PARAMETER = 'token';

/**
 * CartFlows' "Cart Abandonment Recovery" posts its webhook unsigned and without custom headers, so
 * the only secret it can carry is the one the shop owner pastes into the webhook URL. A missing,
 * repeated-but-wrong or different token fails closed.
 */
export function verifyCartFlowsToken(query: unknown, secret: string): SignatureCheck {
	return verifySharedToken(tokenFrom(query), secret, `?${CARTFLOWS_TOKEN_PARAMETER}= in the webhook URL`);
}

/** n8n hands over the parsed query string; a repeated parameter arrives as a list and counts by its first value. */
function tokenFrom(query: unknown): string | undefined {
	if (typeof query !== 'object' || query === null) return undefined;
	const value = (query as Record<string, unknown>)[CARTFLOWS_TOKEN_PARAMETER];
	const first = Array.isArray(value) ? value[0] : value;
	return typeof first === 'string' ? first : undefined;
}
