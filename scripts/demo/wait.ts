/** Waiting on what can be seen (a ledger row, a send, an answer), never for a fixed time. */
import { performance } from 'node:perf_hooks';

/**
 * Resolves with the probe's first value other than undefined/false. Deadlines use the monotonic
 * clock: the demo moves `Date` forward by hours.
 */
export async function until<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 90_000): Promise<T> {
	const deadline = performance.now() + timeoutMs;
	let last: unknown;
	for (;;) {
		try {
			const value = await probe();
			if (value !== undefined && value !== false) return value;
		} catch (error) {
			last = error;
		}
		if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
		await new Promise((resolve) => setTimeout(resolve, 150));
	}
}
