/**
 * A CPU profile of another Node process for exactly one bench phase, through its inspector
 * (started with `--inspect=127.0.0.1:0`): Profiler.start before the phase, Profiler.stop after,
 * so start-up and idle time are not in it. Written as a `.cpuprofile` (Chrome DevTools opens it).
 */
import { writeFileSync } from 'node:fs';

export interface Profiler {
	stop(file: string): Promise<void>;
}

/** The first inspector address a process printed ("Debugger listening on ws://…"). */
export function inspectorUrl(log: string): string | undefined {
	return /Debugger listening on (ws:\/\/\S+)/.exec(log)?.[1];
}

export async function startProfiler(url: string, samplingIntervalUs = 200): Promise<Profiler> {
	const socket = new WebSocket(url);
	await new Promise<void>((resolve, reject) => {
		socket.addEventListener('open', () => resolve(), { once: true });
		socket.addEventListener('error', () => reject(new Error(`cannot reach the inspector at ${url}`)), { once: true });
	});
	let nextId = 1;
	const waiting = new Map<number, (result: unknown) => void>();
	socket.addEventListener('message', (event) => {
		const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
		if (message.id !== undefined) waiting.get(message.id)?.(message.result);
	});
	const send = (method: string, params: Record<string, unknown> = {}) =>
		new Promise<unknown>((resolve) => {
			const id = nextId++;
			waiting.set(id, resolve);
			socket.send(JSON.stringify({ id, method, params }));
		});
	await send('Profiler.enable');
	await send('Profiler.setSamplingInterval', { interval: samplingIntervalUs });
	await send('Profiler.start');
	return {
		async stop(file) {
			const result = (await send('Profiler.stop')) as { profile: unknown };
			writeFileSync(file, JSON.stringify(result.profile));
			socket.close();
		},
	};
}
