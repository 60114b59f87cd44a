/**
 * Klaviyo, Twilio and WooCommerce as the project's own shop sandbox (see sandbox/), and the n8n
 * credentials that point at it. Each vendor keeps the requests it received, in the shape the
 * suites read ({ method, path, status, body }), and can be slowed down (`delayMs`).
 */
import { startShopSandbox, type ShopSandbox, type VendorRequest } from '../../../sandbox';
import type { CredentialJson } from './n8n';

export type { VendorRequest } from '../../../sandbox';

export const TWILIO_ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
export const TWILIO_AUTH_TOKEN = 'e2e-twilio-auth-token-0123456789';
export const TWILIO_FROM = '+15005550006';

/** One vendor of the sandbox: where it answers, what it received, and how slow it is. */
export interface CountingProxy {
	baseUrl: string;
	requests: VendorRequest[];
	/** Holds every request this long before answering: a slow vendor, so overlapping runs really overlap. */
	delayMs: number;
}

export interface VendorMocks {
	sandbox: ShopSandbox;
	klaviyo: CountingProxy;
	twilio: CountingProxy;
	wooCommerce: CountingProxy;
	/** Klaviyo, Twilio and WooCommerce credentials (named as the templates name them) aimed at the sandbox. */
	credentials(wooWebhookSecret: string): CredentialJson[];
	stop(): Promise<void>;
}

export interface ExampleProduct {
	id: number;
	name: string;
	sku?: string;
	price?: string;
	categories: string[];
}

/** Starts the sandbox; `products` is the WooCommerce catalogue it serves, `squareSignatureKey` what its Square subscriptions sign with. */
export async function startVendorMocks(options: { products?: ExampleProduct[]; squareSignatureKey?: string } = {}): Promise<VendorMocks> {
	const sandbox = await startShopSandbox({ twilio: { accountSid: TWILIO_ACCOUNT_SID, authToken: TWILIO_AUTH_TOKEN }, ...(options.squareSignatureKey ? { squareSignatureKey: options.squareSignatureKey } : {}) });
	for (const product of options.products ?? []) sandbox.woo.addProduct(product);
	return {
		sandbox,
		klaviyo: sandbox.klaviyo,
		twilio: sandbox.twilio,
		wooCommerce: sandbox.woo,
		credentials: (wooWebhookSecret) => [
			{ name: 'Klaviyo account', type: 'loyaltyKlaviyoApi', data: { apiKey: 'pk_e2e_0123456789', revision: '2026-07-15', baseUrl: sandbox.baseUrl } },
			// No webhook URL: the trigger must check signatures against the URL n8n itself shows.
			{ name: 'Twilio account', type: 'loyaltyTwilioApi', data: { accountSid: TWILIO_ACCOUNT_SID, authType: 'authToken', authToken: TWILIO_AUTH_TOKEN, from: TWILIO_FROM, baseUrl: sandbox.baseUrl } },
			{ name: 'WooCommerce account', type: 'loyaltyWooCommerceApi', data: { shopUrl: sandbox.baseUrl, consumerKey: 'ck_e2e', consumerSecret: 'cs_e2e', webhookSecret: wooWebhookSecret } },
		],
		stop: () => sandbox.stop(),
	};
}
