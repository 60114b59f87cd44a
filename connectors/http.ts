/**
 * The only way a connector talks to the network. Nodes pass a function built on n8n's
 * authenticated request helper; the CLI and tests pass one built on axios or fetch. Connectors
 * never import an HTTP client themselves.
 */
export interface HttpRequest {
	method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
	url: string;
	headers?: Record<string, string>;
	query?: Record<string, string | number | boolean | undefined>;
	/** JSON body. */
	json?: unknown;
	/** Form-encoded body (Twilio). */
	form?: Record<string, string>;
}

export interface HttpResponse {
	status: number;
	headers: Record<string, string | undefined>;
	body: unknown;
}

/** Must resolve for every HTTP status (including 4xx/5xx); rejects only when no answer came back. */
export type HttpFunction = (request: HttpRequest) => Promise<HttpResponse>;

/** A vendor answered with an error, or could not be reached. */
export class VendorApiError extends Error {
	readonly vendor: string;
	readonly status?: number;
	readonly retryable: boolean;
	readonly details?: unknown;

	constructor(vendor: string, message: string, options: { status?: number; retryable?: boolean; details?: unknown } = {}) {
		super(message);
		this.name = 'VendorApiError';
		this.vendor = vendor;
		this.status = options.status;
		this.retryable = options.retryable ?? (options.status === undefined || options.status === 429 || options.status >= 500);
		this.details = options.details;
	}
}

/** Outcome of checking a webhook's signature; `reason` says why a delivery was refused. */
export type SignatureCheck = { valid: true } | { valid: false; reason: string };
