/*
 * Ending the process without losing output. When stdout is a pipe, Node writes it asynchronously:
 * whatever the pipe cannot take at once (64 KiB on Linux) waits in memory, and `process.exit()`
 * throws that away. So the CLI never calls `process.exit()` after writing: it sets the exit code,
 * waits until both streams have handed everything to the OS, and lets the process end by itself.
 */

type OutputStream = NodeJS.WriteStream;

/** Resolves once everything written to `stream` so far has been handed to the OS (or cannot be). */
export function flushed(stream: OutputStream): Promise<void> {
	return new Promise((resolve) => {
		if (stream.destroyed || stream.writableEnded) return resolve();
		// Writes complete in order, so the callback of an empty write runs after every earlier one.
		stream.write('', () => resolve());
	});
}

/** Sets the exit code and waits for stdout and stderr to drain; the process then ends on its own. */
export async function exitWhenFlushed(code: number): Promise<void> {
	process.exitCode = code;
	await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
}

/** Exit status of a program whose reader went away, as a shell reports death by SIGPIPE (128 + 13). */
export const CLOSED_PIPE_EXIT_CODE = 141;

/**
 * `n8n-loyalty segment … | head` closes the pipe before we are done: the rest of the output has no
 * reader, so the process stops at once and says nothing (a stack trace would only go to the
 * terminal the reader left). Any other stream error is a real failure and is reported.
 */
export function quietOnClosedPipe(): void {
	for (const stream of [process.stdout, process.stderr]) {
		stream.on('error', (error: NodeJS.ErrnoException) => {
			if (error.code === 'EPIPE') process.exit(CLOSED_PIPE_EXIT_CODE);
			throw error;
		});
	}
}
