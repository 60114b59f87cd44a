import { type HttpFunction, type HttpRequest, type HttpResponse, VendorApiError } from '../http';
import { isObject } from './payload';

/** Sends a request; a transport failure (no answer at all) becomes a retryable VendorApiError. */
export async function send(http: HttpFunction, vendor: string, label: string, request: HttpRequest): Promise<HttpResponse> {
	try {
		return await http(request);
	} catch (error) {
		const reason = error instanceof Error ? error.message : String(error);
		throw new VendorApiError(vendor, `Could not reach ${label}: ${reason}`, { retryable: true, details: error });
	}
}

export function isSuccess(response: HttpResponse): boolean {
	return response.status >= 200 && response.status < 300;
}

export function responseHeader(response: HttpResponse, name: string): string | undefined {
	const wanted = name.toLowerCase();
	for (const [key, value] of Object.entries(response.headers)) if (key.toLowerCase() === wanted) return value;
	return undefined;
}

/**
 * Gateways and proxies in front of a vendor answer with RFC 7807 problem documents rather than the
 * vendor's own error shape; their `detail` is still the most useful thing to show.
 */
export function problemDetail(body: unknown): string | undefined {
	if (!isObject(body)) return undefined;
	const text = [body.detail, body.title].find((v): v is string => typeof v === 'string' && v.trim() !== '');
	return text?.trim();
}

export function stripTrailingSlashes(url: string): string {
	return url.trim().replace(/\/+$/, '');
}
