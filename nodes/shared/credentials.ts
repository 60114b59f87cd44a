/**
 * Credential type names. The vendor ones are prefixed so they never clash with n8n's built-in
 * `wooCommerceApi` / `squareApi`. (Node descriptions spell them out literally so the linter can
 * check them against package.json.)
 */
export const CredentialName = {
	Store: 'loyaltyStoreApi',
	WooCommerce: 'loyaltyWooCommerceApi',
	Square: 'loyaltySquareApi',
	GenericWebhook: 'loyaltyGenericWebhookApi',
} as const;

/** Shortest generic webhook secret accepted; HMAC keys shorter than this are guessable. */
export const MIN_GENERIC_SECRET_LENGTH = 16;
