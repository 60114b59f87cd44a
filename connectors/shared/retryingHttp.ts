import type { HttpFunction, HttpResponse } from '../http';
import { responseHeader } from './transport';

export interface RetryOptions {
	/** Tries in all, the first included (default 6). */
	attempts?: number;
	/** First back-off after a 5xx or no answer, doubled each time (default 1,000 ms). */
	baseDelayMs?: number;
	/** No wait is longer than this, whatever Retry-After says (default 60,000 ms). */
	maxDelayMs?: number;
	/** Told before each wait, e.g. to print it. */
	onWait?: (wait: { status?: number; delayMs: number; attempt: number; url: string }) => void;
	sleep?: (ms: number) => Promise<void>;
}

/**
 * An HttpFunction that waits out rate limits and passing failures, for long runs such as an
 * import: a 429 is retried after its Retry-After (seconds or an HTTP date), a 5xx or a request
 * that got no answer after an exponential back-off. Only for reads and for writes that carry an
 * idempotency key: a retried request must not do anything twice. The last answer is returned
 * (or the last error thrown) when the tries run out.
 */
export function withRetries(http: HttpFunction, options: RetryOptions = {}): HttpFunction {
	const attempts = options.attempts ?? 6;
	const base = options.baseDelayMs ?? 1000;
	const max = options.maxDelayMs ?? 60_000;
	const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
	return async (request) => {
		for (let attempt = 1; ; attempt++) {
			let response: HttpResponse | undefined;
			let failure: unknown;
			try {
				response = await http(request);
			} catch (error) {
				failure = error;
			}
			const retryable = response === undefined || response.status === 429 || response.status >= 500;
			if (!retryable || attempt >= attempts) {
				if (response) return response;
				throw failure;
			}
			const backOff = base * 2 ** (attempt - 1);
			const delayMs = Math.min(max, response?.status === 429 ? (retryAfterMs(response) ?? backOff) : backOff);
			options.onWait?.({ status: response?.status, delayMs, attempt, url: request.url });
			await sleep(delayMs);
		}
	};
}

export function retryAfterMs(response: HttpResponse): number | undefined {
	const value = responseHeader(response, 'retry-after')?.trim();
	if (!value) return undefined;
	if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
	const at = Date.parse(value);
	return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}
