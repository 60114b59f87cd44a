/** Incoming request headers as n8n and Node hand them over: any case, possibly repeated. */
export type IncomingHeaders = Record<string, string | string[] | undefined>;

/** Header names are case-insensitive; a repeated header counts by its first value. */
export function headerValue(headers: IncomingHeaders, name: string): string | undefined {
	const wanted = name.toLowerCase();
	for (const [key, value] of Object.entries(headers)) {
		if (key.toLowerCase() !== wanted) continue;
		const first = Array.isArray(value) ? value[0] : value;
		if (first !== undefined) return first;
	}
	return undefined;
}
