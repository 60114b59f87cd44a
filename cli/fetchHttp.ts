import type { HttpFunction } from '../connectors';

/** The connectors' HttpFunction on Node's fetch: JSON in and out, every status resolved. */
export function fetchHttp(options: { timeoutMs?: number } = {}): HttpFunction {
	return async (request) => {
		const url = new URL(request.url);
		for (const [name, value] of Object.entries(request.query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
		const headers: Record<string, string> = { ...request.headers };
		let body: string | undefined;
		if (request.json !== undefined) {
			headers['Content-Type'] = 'application/json';
			body = JSON.stringify(request.json);
		} else if (request.form !== undefined) {
			headers['Content-Type'] = 'application/x-www-form-urlencoded';
			body = new URLSearchParams(request.form).toString();
		}
		const response = await fetch(url, { method: request.method, headers, body, signal: AbortSignal.timeout(options.timeoutMs ?? 60_000) });
		const text = await response.text();
		let parsed: unknown = text;
		if (text !== '' && /json/i.test(response.headers.get('content-type') ?? '')) {
			try {
				parsed = JSON.parse(text);
			} catch {
				parsed = text;
			}
		}
		return { status: response.status, headers: Object.fromEntries(response.headers.entries()), body: parsed };
	};
}
