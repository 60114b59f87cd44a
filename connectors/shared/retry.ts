import { VendorApiError } from '../http';

export interface RetryPolicy {
	/** Total tries, the first included. */
	attempts: number;
	baseDelayMs: number;
	maxDelayMs: number;
	/** Injected so tests and the CLI can observe the waits instead of sleeping through them. */
	sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 500, maxDelayMs: 30_000 };

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` again while it throws a retryable VendorApiError: after the vendor's own
 * Retry-After when it gave one, else exponential backoff with jitter. The last error is thrown.
 */
export async function withRetry<T>(policy: RetryPolicy, attempt: (tryNumber: number) => Promise<T>): Promise<T> {
	const sleep = policy.sleep ?? realSleep;
	for (let tryNumber = 1; ; tryNumber += 1) {
		try {
			return await attempt(tryNumber);
		} catch (error) {
			if (!(error instanceof VendorApiError) || !error.retryable || tryNumber >= policy.attempts) throw error;
			const hinted = retryAfterMs(error);
			const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (tryNumber - 1));
			await sleep(hinted !== undefined ? Math.min(hinted, policy.maxDelayMs) : Math.round(backoff / 2 + Math.random() * (backoff / 2)));
		}
	}
}

/** Carried on VendorApiError.details by clients that read a Retry-After header. */
export interface RetryHint {
	retryAfterMs?: number;
}

function retryAfterMs(error: VendorApiError): number | undefined {
	const hint = (error.details as { retryHint?: RetryHint } | undefined)?.retryHint;
	return hint?.retryAfterMs;
}

/** Retry-After is seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now: Date = new Date()): number | undefined {
	if (!value) return undefined;
	const trimmed = value.trim();
	if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
	const at = Date.parse(trimmed);
	return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}
