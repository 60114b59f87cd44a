/**
 * Klaviyo (events and profiles), Twilio and WooCommerce as Prism mocks of the vendors' own
 * documents, each behind a counting proxy, and the n8n credentials that point at them.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { prefixSpecPaths, specOrSkip, startPrism, type PrismServer } from '../../support/prism';
import type { CredentialJson } from './n8n';

export const TWILIO_ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
export const TWILIO_AUTH_TOKEN = 'e2e-twilio-auth-token-0123456789';
export const TWILIO_FROM = '+15005550006';

export interface VendorRequest {
	method: string;
	path: string;
	status: number;
	/** The request body as sent (JSON or form text). */
	body: string;
}

/** A loopback proxy in front of one vendor's mock(s): every request is forwarded and recorded. */
export interface CountingProxy {
	baseUrl: string;
	requests: VendorRequest[];
	/** Holds every request this long before forwarding: a slow vendor, so overlapping runs really overlap. */
	delayMs: number;
	stop(): Promise<void>;
}

const HOP_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'accept-encoding', 'keep-alive']);

export async function startCountingProxy(targetFor: (path: string) => string): Promise<CountingProxy> {
	const requests: VendorRequest[] = [];
	const proxy = { delayMs: 0 };
	const server = createServer((req: IncomingMessage, res: ServerResponse) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const path = req.url ?? '/';
			const headers: Record<string, string> = {};
			for (const [name, value] of Object.entries(req.headers)) if (value !== undefined && !HOP_HEADERS.has(name)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
			const body = chunks.length ? Buffer.concat(chunks) : undefined;
			new Promise((resolve) => setTimeout(resolve, proxy.delayMs))
				.then(() => fetch(targetFor(path) + path, { method: req.method, headers, body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body }))
				.then(async (answer) => {
					const payload = Buffer.from(await answer.arrayBuffer());
					requests.push({ method: req.method ?? 'GET', path, status: answer.status, body: body?.toString('utf8') ?? '' });
					const out: Record<string, string> = {};
					answer.headers.forEach((value, name) => {
						if (!HOP_HEADERS.has(name) && name !== 'content-encoding') out[name] = value;
					});
					res.writeHead(answer.status, out).end(payload);
				})
				.catch((error: Error) => {
					requests.push({ method: req.method ?? 'GET', path, status: 502, body: body?.toString('utf8') ?? '' });
					res.writeHead(502, { 'content-type': 'text/plain' }).end(`proxy: ${error.message}`);
				});
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return Object.assign(proxy, {
		baseUrl: `http://127.0.0.1:${port}`,
		requests,
		stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
	});
}


export const VENDOR_SPECS = ['klaviyo-events.prism.json', 'klaviyo-profiles.prism.json', 'twilio-api-v2010.json', 'woocommerce-openapi-unofficial.yml'] as const;

/** Why the mocks cannot run here (missing reference specs), or undefined. */
export function vendorMocksUnavailable(): string | undefined {
	for (const spec of VENDOR_SPECS) {
		const found = specOrSkip(spec);
		if (found.skip) return found.skip;
	}
	return undefined;
}

export interface VendorMocks {
	klaviyo: CountingProxy;
	twilio: CountingProxy;
	wooCommerce: CountingProxy;
	/** Klaviyo, Twilio and WooCommerce credentials (named as the templates name them) aimed at the mocks. */
	credentials(wooWebhookSecret: string): CredentialJson[];
	stop(): Promise<void>;
}

/**
 * `adaptWooSpec` may rewrite the (already /wp-json/wc/v3-prefixed) WooCommerce document, e.g. to
 * give the product list an example catalogue; it returns the new path and its cleanup.
 */
export async function startVendorMocks(options: { adaptWooSpec?: (path: string) => Promise<{ path: string; cleanup(): Promise<void> }> } = {}): Promise<VendorMocks> {
	const cleanups: Array<() => Promise<void>> = [];
	const stop = async () => {
		for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
	};
	try {
		const [eventsSpec, profilesSpec, twilioSpec, wooSpecFile] = VENDOR_SPECS.map((name) => specOrSkip(name).path!);
		let wooSpec = await prefixSpecPaths(wooSpecFile, '/wp-json/wc/v3');
		cleanups.push(wooSpec.cleanup);
		if (options.adaptWooSpec) {
			wooSpec = await options.adaptWooSpec(wooSpec.path);
			cleanups.push(wooSpec.cleanup);
		}
		const mocks: PrismServer[] = await Promise.all([eventsSpec, profilesSpec, twilioSpec, wooSpec.path].map((spec) => startPrism({ spec })));
		for (const mock of mocks) cleanups.push(() => mock.stop());
		const [events, profiles, twilioMock, wooMock] = mocks;
		// One Klaviyo credential, one base URL: profiles and events are two documents, so two mocks routed by path.
		const klaviyo = await startCountingProxy((path) => (path.startsWith('/api/profile') ? profiles.baseUrl : events.baseUrl));
		const twilio = await startCountingProxy(() => twilioMock.baseUrl);
		const wooCommerce = await startCountingProxy(() => wooMock.baseUrl);
		cleanups.push(() => klaviyo.stop(), () => twilio.stop(), () => wooCommerce.stop());
		return {
			klaviyo,
			twilio,
			wooCommerce,
			credentials: (wooWebhookSecret) => [
				{ name: 'Klaviyo account', type: 'loyaltyKlaviyoApi', data: { apiKey: 'pk_e2e_0123456789', revision: '2026-07-15', baseUrl: klaviyo.baseUrl } },
				// No webhook URL: the trigger must check signatures against the URL n8n itself shows.
				{ name: 'Twilio account', type: 'loyaltyTwilioApi', data: { accountSid: TWILIO_ACCOUNT_SID, authType: 'authToken', authToken: TWILIO_AUTH_TOKEN, from: TWILIO_FROM, baseUrl: twilio.baseUrl } },
				{ name: 'WooCommerce account', type: 'loyaltyWooCommerceApi', data: { shopUrl: wooCommerce.baseUrl, consumerKey: 'ck_e2e', consumerSecret: 'cs_e2e', webhookSecret: wooWebhookSecret } },
			],
			stop,
		};
	} catch (error) {
		await stop();
		throw error;
	}
}
