import { createHash, timingSafeEqual } from 'node:crypto';

/** Shortest dashboard token accepted: 32 random characters are far beyond guessing. */
export const MIN_DASHBOARD_TOKEN_LENGTH = 32;

/**
 * n8n's own sandbox for HTML answered by webhooks (n8n-core `getHtmlSandboxCSP`, n8n 2.41.1): the
 * page runs in an opaque origin, so it can read no n8n cookie or storage. Never `allow-same-origin`.
 * Our page needs no script at all, so the directives after it forbid every other resource too.
 */
export const DASHBOARD_CSP =
	'sandbox allow-downloads allow-forms allow-modals allow-orientation-lock allow-pointer-lock allow-popups allow-popups-to-escape-sandbox allow-presentation allow-scripts allow-top-navigation-by-user-activation allow-top-navigation-to-custom-protocols; ' +
	"default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

/** The token a request presents: `Authorization: Bearer <token>` first, else `?token=`. */
export function presentedToken(headers: Record<string, unknown>, query: Record<string, unknown>): string | undefined {
	const authorization = headers.authorization;
	if (typeof authorization === 'string') {
		const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
		if (match) return match[1];
	}
	const token = query.token;
	return typeof token === 'string' && token.length > 0 ? token : undefined;
}

export type AccessCheck = { allowed: true } | { allowed: false; status: 401 | 503; reason: string };

/** Fails closed: no configured token, a short one, a missing or wrong one all refuse. Compared in constant time. */
export function checkAccess(configured: unknown, presented: string | undefined): AccessCheck {
	if (typeof configured !== 'string' || configured.length < MIN_DASHBOARD_TOKEN_LENGTH) {
		return { allowed: false, status: 503, reason: `The dashboard's access token must be at least ${MIN_DASHBOARD_TOKEN_LENGTH} characters; set a longer one in its Loyalty Dashboard Access credential.` };
	}
	if (presented === undefined) return { allowed: false, status: 401, reason: 'This page needs its access token: open the URL with ?token=… or send Authorization: Bearer ….' };
	// Hashing first makes both sides the same length, so the comparison time says nothing about the token.
	const a = createHash('sha256').update(configured, 'utf8').digest();
	const b = createHash('sha256').update(presented, 'utf8').digest();
	return timingSafeEqual(a, b) ? { allowed: true } : { allowed: false, status: 401, reason: 'Wrong access token.' };
}
