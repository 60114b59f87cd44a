import type { IncomingHttpHeaders } from 'node:http';

export const Vendor = {
	WooCommerce: 'woocommerce',
	Square: 'square',
	Klaviyo: 'klaviyo',
	Twilio: 'twilio',
} as const;
export type Vendor = (typeof Vendor)[keyof typeof Vendor];

/** Says on every answer and every delivery that this is not the vendor. */
export const SANDBOX_HEADER = 'x-sandbox';
export const SANDBOX_HEADER_VALUE = 'n8n-nodes-loyalty shop sandbox';

export interface SandboxRequest {
	vendor: Vendor;
	method: string;
	/** Path and query, as received. */
	url: string;
	pathname: string;
	query: URLSearchParams;
	headers: IncomingHttpHeaders;
	rawBody: Buffer;
	/** Parsed JSON body, or the form fields as an object of strings. */
	body: unknown;
	form?: URLSearchParams;
}

export interface SandboxResponse {
	status: number;
	headers?: Record<string, string>;
	/** An object or array is sent as JSON; undefined sends no body. */
	body?: unknown;
	/** Work to start once the answer is sent (webhooks the vendor sends after answering). */
	after?: () => void;
}

/** What a vendor received and answered, in the shape the e2e suites read. */
export interface VendorRequest {
	method: string;
	/** Path and query string. */
	path: string;
	status: number;
	/** The request body as sent (JSON or form text). */
	body: string;
}

export type Handler = (request: SandboxRequest) => SandboxResponse | Promise<SandboxResponse>;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): SandboxResponse {
	return { status, body, headers };
}

export function header(request: SandboxRequest, name: string): string | undefined {
	const value = request.headers[name.toLowerCase()];
	return Array.isArray(value) ? value[0] : value;
}

/** Basic credentials of a request, or undefined. */
export function basicAuth(request: SandboxRequest): { user: string; password: string } | undefined {
	const value = header(request, 'authorization');
	const match = value ? /^Basic\s+(.+)$/i.exec(value) : null;
	if (!match) return undefined;
	const decoded = Buffer.from(match[1], 'base64').toString('utf8');
	const colon = decoded.indexOf(':');
	return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export function asObject(value: unknown): Record<string, unknown> {
	return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export function text(value: unknown): string | undefined {
	return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Money as WooCommerce writes it: a decimal string with two places. */
export function decimal(minor: number): string {
	return (minor / 100).toFixed(2);
}

export function minor(value: unknown): number {
	const n = Number(value ?? 0);
	return Number.isFinite(n) ? Math.round(n * 100) : 0;
}
