import type { HttpFunction, HttpRequest, HttpResponse } from '../../connectors/http';

/**
 * The connectors' HttpFunction on Node's global fetch, for tests and scripts. It resolves for
 * every status, like n8n's helper with `returnFullResponse` and `ignoreHttpStatusErrors`.
 */
export function createFetchHttp(options: { timeoutMs?: number } = {}): HttpFunction {
	const timeoutMs = options.timeoutMs ?? 30_000;
	return async (request: HttpRequest): Promise<HttpResponse> => {
		const url = new URL(request.url);
		for (const [key, value] of Object.entries(request.query ?? {})) {
			if (value !== undefined) url.searchParams.set(key, String(value));
		}
		const headers = new Headers(request.headers ?? {});
		let body: string | undefined;
		if (request.json !== undefined) {
			body = JSON.stringify(request.json);
			if (!headers.has('content-type')) headers.set('content-type', 'application/json');
		} else if (request.form !== undefined) {
			body = new URLSearchParams(request.form).toString();
			if (!headers.has('content-type')) headers.set('content-type', 'application/x-www-form-urlencoded');
		}
		const response = await fetch(url, { method: request.method, headers, body, signal: AbortSignal.timeout(timeoutMs) });
		const responseHeaders: Record<string, string> = {};
		response.headers.forEach((value, key) => {
			responseHeaders[key] = value;
		});
		return { status: response.status, headers: responseHeaders, body: parseBody(await response.text(), responseHeaders['content-type']) };
	};
}

export const fetchHttp: HttpFunction = createFetchHttp();

function parseBody(text: string, contentType: string | undefined): unknown {
	if (text === '') return undefined;
	if (contentType !== undefined && /\bjson\b/i.test(contentType)) {
		try {
			return JSON.parse(text) as unknown;
		} catch {
			return text;
		}
	}
	return text;
}

/** Wraps an HttpFunction and keeps every request and response, for asserting what was sent. */
export function recordingHttp(inner: HttpFunction): { http: HttpFunction; calls: Array<{ request: HttpRequest; response: HttpResponse }> } {
	const calls: Array<{ request: HttpRequest; response: HttpResponse }> = [];
	return {
		calls,
		http: async (request) => {
			const response = await inner(request);
			calls.push({ request, response });
			return response;
		},
	};
}

/** Changes every request before it is sent; used to send deliberately invalid requests. */
export function alteringHttp(inner: HttpFunction, alter: (request: HttpRequest) => HttpRequest): HttpFunction {
	return (request) => inner(alter(request));
}

/** Drops a header (any case) from every request; used to send a request without credentials. */
export function withoutHeader(inner: HttpFunction, name: string): HttpFunction {
	const wanted = name.toLowerCase();
	return alteringHttp(inner, (request) => ({
		...request,
		headers: Object.fromEntries(Object.entries(request.headers ?? {}).filter(([key]) => key.toLowerCase() !== wanted)),
	}));
}
