/** A loopback endpoint that keeps every POST it gets (raw body and headers), for the sandbox's webhooks. */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually } from '../support/eventually';

export interface Received {
	path: string;
	headers: IncomingHttpHeaders;
	body: Buffer;
}

export interface Receiver {
	url: string;
	received: Received[];
	/** Answers with this status (default 200). */
	status: number;
	waitFor(what: string, predicate: (all: Received[]) => boolean, timeoutMs?: number): Promise<void>;
	stop(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
	const received: Received[] = [];
	const state = { status: 200 };
	const server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			received.push({ path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks) });
			res.writeHead(state.status).end('ok');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	return Object.assign(state, {
		url,
		received,
		async waitFor(what: string, predicate: (all: Received[]) => boolean, timeoutMs = 10_000) {
			await eventually(what, () => predicate(received), { timeoutMs, intervalMs: 20, detail: () => `received ${received.length}: ${received.map((r) => r.path).join(', ')}` });
		},
		stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
	});
}

export const header = (r: Received, name: string): string | undefined => {
	const v = r.headers[name.toLowerCase()];
	return Array.isArray(v) ? v[0] : v;
};
