import type { IExecuteFunctions } from 'n8n-workflow';

import { klaviyo, square, twilio, woocommerce } from '../../../connectors';
import { n8nHttp } from '../../shared/http';
import type { Vendors } from './offerVendors';

function text(value: unknown): string {
	return typeof value === 'string' ? value.trim() : '';
}

/** Builds the vendor clients this execution's parameters and credentials ask for; all calls go through n8n's request helper. */
export async function vendorsFor(context: IExecuteFunctions, options: { email: boolean; sms: boolean; couponShop: string }): Promise<Vendors> {
	const vendors: Vendors = {};
	if (options.email) {
		const c = await context.getCredentials('loyaltyKlaviyoApi');
		vendors.klaviyo = klaviyo.createKlaviyoClient(n8nHttp(context), {
			apiKey: text(c.apiKey),
			revision: text(c.revision) || klaviyo.KLAVIYO_REVISION,
			...(text(c.baseUrl) ? { baseUrl: text(c.baseUrl) } : {}),
		});
	}
	if (options.sms) {
		const c = await context.getCredentials('loyaltyTwilioApi');
		const auth: twilio.TwilioAuth =
			c.authType === 'apiKey'
				? { kind: 'apiKey', accountSid: text(c.accountSid), apiKeySid: text(c.apiKeySid), apiKeySecret: text(c.apiKeySecret) }
				: { kind: 'authToken', accountSid: text(c.accountSid), authToken: text(c.authToken) };
		const client = twilio.createTwilioClient(n8nHttp(context), { auth, ...(text(c.baseUrl) ? { baseUrl: text(c.baseUrl) } : {}) });
		vendors.twilio = Object.assign(client, { from: text(c.from) || undefined, messagingServiceSid: text(c.messagingServiceSid) || undefined, shortenUrls: c.shortenUrls === true });
	}
	if (options.couponShop === 'woocommerce') {
		const c = await context.getCredentials('loyaltyWooCommerceApi');
		vendors.wooCommerce = woocommerce.createWooCommerceClient(n8nHttp(context), {
			baseUrl: text(c.shopUrl),
			consumerKey: text(c.consumerKey),
			consumerSecret: text(c.consumerSecret),
		});
	}
	if (options.couponShop === 'squareReward') {
		const c = await context.getCredentials('loyaltySquareApi');
		vendors.square = square.createSquareClient(n8nHttp(context), {
			accessToken: text(c.accessToken),
			environment: c.environment === 'sandbox' ? 'sandbox' : 'production',
			...(text(c.baseUrl) ? { baseUrl: text(c.baseUrl) } : {}),
		});
	}
	return vendors;
}
