import type { IAllExecuteFunctions, IDataObject, IHttpRequestOptions, IN8nHttpFullResponse } from 'n8n-workflow';

import type { HttpFunction, HttpRequest, HttpResponse } from '../../connectors';

/**
 * Builds the connectors' `HttpFunction` on top of n8n's request helper, so every vendor call goes
 * through n8n (proxy settings, SSRF rules, audit logging).
 *
 * The connector clients set their vendor's Authorization header themselves: the credentials carry
 * no `authenticate` block, because n8n adds a "Custom API Call" operation to every node that uses
 * a credential with one. Every HTTP status resolves (the connectors map 4xx/5xx to typed errors);
 * only a request that got no answer rejects.
 */
export function n8nHttp(context: IAllExecuteFunctions): HttpFunction {
	return async (request: HttpRequest): Promise<HttpResponse> => {
		const response = (await context.helpers.httpRequest(toN8nRequest(request))) as IN8nHttpFullResponse;
		return {
			status: response.statusCode,
			headers: flattenHeaders(response.headers),
			body: parseBody(response.body),
		};
	};
}

export function toN8nRequest(request: HttpRequest): IHttpRequestOptions & { returnFullResponse: true } {
	const options: IHttpRequestOptions & { returnFullResponse: true } = {
		method: request.method,
		url: request.url,
		headers: { ...(request.headers ?? {}) },
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		json: true,
	};
	const query = compactQuery(request.query);
	if (query) options.qs = query;
	if (request.form !== undefined) {
		// n8n sets the form content type for URLSearchParams bodies.
		options.body = new URLSearchParams(request.form);
	} else if (request.json !== undefined) {
		options.body = request.json as IDataObject;
	}
	return options;
}

function compactQuery(query: HttpRequest['query']): IDataObject | undefined {
	if (!query) return undefined;
	const entries = Object.entries(query).filter(([, value]) => value !== undefined);
	return entries.length ? (Object.fromEntries(entries) as IDataObject) : undefined;
}

function flattenHeaders(headers: unknown): Record<string, string | undefined> {
	const result: Record<string, string | undefined> = {};
	if (!headers || typeof headers !== 'object') return result;
	for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
		if (value === undefined || value === null) continue;
		result[name.toLowerCase()] = Array.isArray(value) ? value.map(String).join(', ') : String(value);
	}
	return result;
}

/** n8n parses JSON answers already; a JSON answer sent with another content type arrives as text. */
function parseBody(body: unknown): unknown {
	if (Buffer.isBuffer(body)) body = body.toString('utf8');
	if (typeof body !== 'string') return body;
	const text = body.trim();
	if (text === '') return undefined;
	if (text.startsWith('{') || text.startsWith('[')) {
		try {
			return JSON.parse(text) as unknown;
		} catch {
			return body;
		}
	}
	return body;
}
