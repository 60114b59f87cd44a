/**
 * The one way tests wait: for an observable condition (a row, an execution, a log line), never for
 * a fixed time. `probe` is called until it returns a value other than `undefined` or `false`; at the
 * deadline the wait fails naming what it waited for, the probe's last error and `detail()` (what
 * the system looked like then), so a timeout says why.
 */
export interface EventuallyOptions {
	/** How long to wait before failing (10 s unless told). */
	timeoutMs?: number;
	/** Pause between probes (50 ms unless told). */
	intervalMs?: number;
	/** What the system looked like at the deadline, added to the failure. */
	detail?: () => unknown;
}

export async function eventually<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, options: EventuallyOptions = {}): Promise<T> {
	const timeoutMs = options.timeoutMs ?? 10_000;
	const deadline = Date.now() + timeoutMs;
	let lastError: unknown;
	for (;;) {
		try {
			const value = await probe();
			if (value !== undefined && value !== false) return value;
			lastError = undefined;
		} catch (error) {
			// A probe may fail while the system is still getting there (a locked database, a row not yet written).
			lastError = error;
		}
		if (Date.now() > deadline) {
			const detail = options.detail ? await Promise.resolve(options.detail()).catch((error: unknown) => `(detail failed: ${String(error)})`) : undefined;
			const parts = [`timed out after ${timeoutMs} ms waiting for ${what}`];
			if (lastError !== undefined) parts.push(`last error: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
			if (detail !== undefined) parts.push(typeof detail === 'string' ? detail : JSON.stringify(detail));
			throw new Error(parts.join('\n'));
		}
		await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
	}
}
