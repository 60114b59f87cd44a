/**
 * The shop sandbox: a stand-in for WooCommerce, Square, Klaviyo and Twilio on 127.0.0.1, written by
 * this project for its tests and demo (never shipped in the package). It keeps state (what was
 * created is what is read back), sends the vendors' webhooks and callbacks signed as they sign
 * them, fails on demand, and, when the vendors' documents are beside the checkout, validates every
 * request and answer against them.
 *
 *   const sandbox = await startShopSandbox();
 *   sandbox.baseUrl                        // one address for all four vendors
 *   sandbox.woo.createOrder({...})         // fires order.created to registered webhooks
 *   sandbox.square.createPayment({...})    // fires payment.created / payment.updated
 *   sandbox.faults.inject({ vendor: 'square', path: /orders/, status: 503, times: 2 })
 *   sandbox.assertNoViolations()
 *   await sandbox.stop()
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Faults } from './faults';
import { KlaviyoSandbox } from './klaviyo';
import { KlaviyoFlows } from './klaviyoFlows';
import { Outbox } from './outbox';
import { SquareSandbox } from './square';
import { TwilioSandbox } from './twilio';
import { SANDBOX_HEADER, SANDBOX_HEADER_VALUE, type SandboxRequest, type SandboxResponse, type Vendor, type VendorRequest } from './types';
import { documentStatus, ValidationLayer, type Violation } from './validation';
import { WooCommerceSandbox } from './woocommerce';

export { Faults, type FaultSpec } from './faults';
export type { OutgoingDelivery } from './outbox';
export { SQUARE_SANDBOX_LOCATION, SQUARE_SANDBOX_MERCHANT, type SquareNotification } from './square';
export { twilioRequestSignature, type TwilioMessage } from './twilio';
export { SANDBOX_HEADER, SANDBOX_HEADER_VALUE, type Vendor, type VendorRequest } from './types';
export type { Violation } from './validation';
export type { WooWebhookDelivery } from './woocommerce';

export const SANDBOX_TWILIO_ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
export const SANDBOX_TWILIO_AUTH_TOKEN = 'sandbox-twilio-auth-token-0123456789';

export interface ShopSandboxOptions {
	port?: number;
	twilio?: { accountSid?: string; authToken?: string };
	/** Every Square webhook subscription signs with this key (default: a new random key per subscription). */
	squareSignatureKey?: string;
	/** Validate against the vendors' documents when present (default true). */
	validate?: boolean;
	/** Where the summary and the one notice go (default console.log). */
	log?: (line: string) => void;
}

export interface ShopSandbox {
	/** http://127.0.0.1:<port>: WooCommerce under /wp-json/wc/v3, Square under /v2, Klaviyo under /api, Twilio under /2010-04-01. */
	baseUrl: string;
	woo: WooCommerceSandbox & { baseUrl: string };
	square: SquareSandbox & { baseUrl: string };
	klaviyo: KlaviyoSandbox & { baseUrl: string };
	/** Klaviyo flows' webhook actions (Viewed Product, Started Checkout), rendered and posted as Klaviyo does. */
	klaviyoFlows: KlaviyoFlows;
	twilio: TwilioSandbox & { baseUrl: string };
	faults: Faults;
	/** Every webhook, notification and callback the sandbox sent, with the receiver's answer. */
	outbox: Outbox;
	/** Requests or answers that broke the vendors' documents. */
	violations: Violation[];
	/** True when the vendors' documents were found and are checked. */
	validating: boolean;
	/** Throws (listing them) when any request or answer broke a vendor's document. */
	assertNoViolations(): void;
	/** What was validated and what the documents do not describe. */
	validationSummary(): string;
	/** Resolves once every webhook, notification and callback in flight has been answered. */
	settled(): Promise<void>;
	stop(): Promise<void>;
}

let noticePrinted = false;

const PREFIXES: Array<[string, Vendor]> = [
	['/wp-json/', 'woocommerce'],
	['/v2/', 'square'],
	['/api/', 'klaviyo'],
	['/2010-04-01/', 'twilio'],
];

export async function startShopSandbox(options: ShopSandboxOptions = {}): Promise<ShopSandbox> {
	const log = options.log ?? ((line: string) => console.log(line));
	const status = documentStatus();
	const validating = options.validate !== false && status.missing.length < 4;
	if (options.validate !== false && status.missing.length > 0 && !noticePrinted) {
		noticePrinted = true;
		log(`# NOTICE: shop sandbox: ${status.missing.length === 4 ? 'validation against the vendors\' documents is off' : 'validation is partial'}: ${status.missing.join(', ')} not found in ${status.dir} (set LOYALTY_REFERENCE_DIR to the reference folder to validate)`);
	}
	const validation = new ValidationLayer(validating);
	const outbox = new Outbox();
	const faults = new Faults();
	let baseUrl = '';
	const woo = new WooCommerceSandbox(outbox, () => baseUrl);
	const square = new SquareSandbox(outbox, { signatureKey: options.squareSignatureKey });
	const klaviyo = new KlaviyoSandbox();
	const klaviyoFlows = new KlaviyoFlows(outbox);
	const twilio = new TwilioSandbox(outbox, options.twilio?.accountSid ?? SANDBOX_TWILIO_ACCOUNT_SID, options.twilio?.authToken ?? SANDBOX_TWILIO_AUTH_TOKEN);
	const vendors = { woocommerce: woo, square, klaviyo, twilio } as const;
	const sockets = new Set<Socket>();

	const server = createServer((req, res) => {
		void serve(req, res).catch((error: unknown) => {
			if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain', [SANDBOX_HEADER]: SANDBOX_HEADER_VALUE });
			res.end(`shop sandbox error: ${error instanceof Error ? error.stack : String(error)}`);
		});
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.once('close', () => sockets.delete(socket));
	});

	async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const rawBody = Buffer.concat(chunks);
		const url = req.url ?? '/';
		const parsed = new URL(url, 'http://sandbox');
		const method = (req.method ?? 'GET').toUpperCase();
		const send = (response: SandboxResponse) => {
			const payload = response.body === undefined ? '' : typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
			const type = response.body === undefined ? {} : { 'content-type': typeof response.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8' };
			res.writeHead(response.status, { ...type, ...response.headers, [SANDBOX_HEADER]: SANDBOX_HEADER_VALUE });
			res.end(payload);
		};

		if (parsed.pathname.startsWith('/__sandbox/')) return send(control(method, parsed.pathname, rawBody));
		const vendor = PREFIXES.find(([prefix]) => parsed.pathname.startsWith(prefix))?.[1];
		if (!vendor) return send({ status: 404, body: { message: `the shop sandbox serves ${PREFIXES.map(([p]) => p).join(', ')}` } });

		const contentType = String(req.headers['content-type'] ?? '');
		const form = /application\/x-www-form-urlencoded/i.test(contentType) ? new URLSearchParams(rawBody.toString('utf8')) : undefined;
		let body: unknown = form ? Object.fromEntries(form) : undefined;
		if (!form && rawBody.length > 0) {
			try {
				body = JSON.parse(rawBody.toString('utf8')) as unknown;
			} catch {
				body = rawBody.toString('utf8');
			}
		}
		const request: SandboxRequest = { vendor, method, url, pathname: parsed.pathname, query: parsed.searchParams, headers: req.headers, rawBody, body, form };
		const target = vendors[vendor];
		const record = (status: number) => target.requests.push({ method, path: url, status, body: rawBody.toString('utf8') } satisfies VendorRequest);

		if (target.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, target.delayMs));
		const fault = faults.take(vendor, method, url);
		if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
		if (fault?.hang) {
			record(0);
			return; // never answered; the socket is closed by the client or by stop()
		}
		if (fault?.status !== undefined) {
			record(fault.status);
			return send(faultResponse(vendor, fault.status, fault.retryAfterSeconds));
		}

		const checked = await validation.checkRequest(request);
		let response: SandboxResponse;
		if (checked.violations.length > 0) {
			response = invalidRequest(vendor, checked.violations.flatMap((v) => v.errors));
		} else {
			response = await target.handle(request);
			await validation.checkResponse(request, checked, response.status, response.body);
		}
		record(response.status);
		send(response);
		response.after?.();
	}

	function control(method: string, pathname: string, rawBody: Buffer): SandboxResponse {
		try {
			if (pathname === '/__sandbox/faults' && method === 'POST') {
				const fault = faults.inject(Faults.fromJson(JSON.parse(rawBody.toString('utf8') || '{}')));
				return { status: 201, body: { id: fault.id } };
			}
			if (pathname === '/__sandbox/faults' && method === 'DELETE') {
				faults.clear();
				return { status: 204 };
			}
			if (pathname === '/__sandbox/faults' && method === 'GET') return { status: 200, body: faults.active.map((f) => ({ ...f, path: f.path?.source })) };
			if (pathname === '/__sandbox/violations' && method === 'GET') return { status: 200, body: validation.violations };
			if (pathname === '/__sandbox/health' && method === 'GET') return { status: 200, body: { ok: true, validating } };
		} catch (error) {
			return { status: 400, body: { message: error instanceof Error ? error.message : String(error) } };
		}
		return { status: 404, body: { message: 'unknown sandbox control path' } };
	}

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
	});
	baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	const withBase = <T extends object>(vendor: T) => Object.assign(vendor, { baseUrl });

	return {
		baseUrl,
		woo: withBase(woo),
		square: withBase(square),
		klaviyo: withBase(klaviyo),
		klaviyoFlows,
		twilio: withBase(twilio),
		faults,
		outbox,
		violations: validation.violations,
		validating,
		assertNoViolations() {
			if (validation.violations.length === 0) return;
			const listed = validation.violations.map((v) => `${v.vendor} ${v.direction} ${v.method} ${v.path}${v.status ? ` → ${v.status}` : ''} (${v.document} ${v.operationId ?? ''}):\n    ${v.errors.join('\n    ')}`);
			throw new Error(`the shop sandbox saw ${validation.violations.length} violation(s) of the vendors' documents:\n  ${listed.join('\n  ')}`);
		},
		validationSummary: () => validation.summary(),
		settled: () => outbox.settled(),
		async stop() {
			outbox.stop();
			faults.clear();
			await outbox.settled();
			await new Promise<void>((resolve) => {
				server.close(() => resolve());
				for (const socket of sockets) socket.destroy();
			});
			if (validating) log(`# ${validation.summary()}`);
		},
	};
}

/** The error each vendor would send for this status. */
function faultResponse(vendor: Vendor, status: number, retryAfterSeconds = 1): SandboxResponse {
	const headers: Record<string, string> = status === 429 ? { 'retry-after': String(retryAfterSeconds) } : {};
	const message = status === 429 ? 'Too many requests (sandbox fault)' : `Service unavailable (sandbox fault ${status})`;
	if (vendor === 'square') return { status, headers, body: { errors: [{ category: status === 429 ? 'RATE_LIMIT_ERROR' : 'API_ERROR', code: status === 429 ? 'RATE_LIMITED' : 'SERVICE_UNAVAILABLE', detail: message }] } };
	if (vendor === 'klaviyo') return { status, headers, body: { errors: [{ id: 'sandbox-fault', status, code: status === 429 ? 'throttled' : 'error', title: message, detail: message }] } };
	if (vendor === 'twilio') return { status, headers, body: { code: status === 429 ? 20429 : 20500, message, more_info: 'sandbox fault', status } };
	return { status, headers, body: { code: status === 429 ? 'woocommerce_rest_too_many_requests' : 'internal_server_error', message, data: { status } } };
}

/** What the vendor would answer a request its document rejects (the violations are also recorded). */
function invalidRequest(vendor: Vendor, errors: string[]): SandboxResponse {
	const detail = `request does not match the vendor's document: ${errors.join('; ')}`;
	const headers = { 'x-sandbox-violations': errors.join('; ').slice(0, 2000) };
	if (vendor === 'square') return { status: 400, headers, body: { errors: [{ category: 'INVALID_REQUEST_ERROR', code: 'BAD_REQUEST', detail }] } };
	if (vendor === 'klaviyo') return { status: 400, headers, body: { errors: [{ id: 'sandbox-invalid', status: 400, code: 'invalid', title: 'Invalid input.', detail }] } };
	if (vendor === 'twilio') return { status: 400, headers, body: { code: 21100, message: detail, more_info: 'sandbox validation', status: 400 } };
	return { status: 400, headers, body: { code: 'rest_invalid_param', message: detail, data: { status: 400 } } };
}
