/**
 * A tiny, bounded HTTP load loop for loopback benchmarks: `concurrency` clients each send one
 * request at a time (keep-alive) for `durationMs`, then the numbers are summarised.
 * Used for the bare-n8n webhook baseline and, later, for the product's overhead against it.
 */
import * as http from 'node:http';

export interface LoadOptions {
	url: string;
	method?: string;
	/** body per request: a fixed value, or a function of (client, sequence number) */
	body?: string | Record<string, unknown> | unknown[] | ((client: number, seq: number) => unknown);
	headers?: Record<string, string>;
	/** a whole request per (client, sequence number), for bodies that need their own headers (signatures); wins over body/headers, and its `url` (loopback too) over `url` */
	request?: (client: number, seq: number) => { body: string; headers: Record<string, string>; url?: string };
	concurrency?: number;
	durationMs?: number;
	/** requests not counted at the start (JIT, connection setup) */
	warmupMs?: number;
	/** per-request timeout */
	timeoutMs?: number;
	/** hard cap on requests, whatever the duration */
	maxRequests?: number;
	/** told each answer's status (0 when none came), e.g. to check afterwards what the answered requests did */
	onAnswer?: (client: number, seq: number, status: number) => void;
}

export interface LoadResult {
	url: string;
	concurrency: number;
	durationMs: number;
	requests: number;
	/** every request that completed, warm-up included (e.g. to count the executions it caused) */
	totalRequests: number;
	ok: number;
	failed: number;
	statusCounts: Record<string, number>;
	perSecond: number;
	latencyMs: { min: number; p50: number; p90: number; p99: number; max: number; mean: number };
	firstError?: string;
}

function loopbackUrl(text: string): URL {
	const url = new URL(text);
	if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
		throw new Error(`runLoad is for loopback only, not ${url.hostname}`);
	}
	return url;
}

export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
	const url = loopbackUrl(opts.url);
	const concurrency = opts.concurrency ?? 4;
	const durationMs = opts.durationMs ?? 10_000;
	const warmupMs = opts.warmupMs ?? 0;
	const timeoutMs = opts.timeoutMs ?? 30_000;
	const maxRequests = opts.maxRequests ?? 1_000_000;
	const method = opts.method ?? 'POST';
	const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
	const latencies: number[] = [];
	const statusCounts: Record<string, number> = {};
	let ok = 0;
	let failed = 0;
	let sent = 0;
	let completed = 0;
	let firstError: string | undefined;

	const once = (client: number, seq: number) =>
		new Promise<{ status: number; ms: number }>((resolve) => {
			const custom = opts.request?.(client, seq);
			const b = custom ? custom.body : typeof opts.body === 'function' ? opts.body(client, seq) : opts.body;
			const payload = b === undefined ? undefined : Buffer.from(typeof b === 'string' ? b : JSON.stringify(b));
			const t0 = performance.now();
			const req = http.request(
				custom?.url ? loopbackUrl(custom.url) : url,
				{
					method,
					agent,
					timeout: timeoutMs,
					headers: {
						...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
						...(custom ? custom.headers : (opts.headers ?? {})),
					},
				},
				(res) => {
					res.resume();
					res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0 }));
					res.on('error', (e) => {
						firstError ??= e.message;
						resolve({ status: 0, ms: performance.now() - t0 });
					});
				},
			);
			req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
			req.on('error', (e) => {
				firstError ??= e.message;
				resolve({ status: 0, ms: performance.now() - t0 });
			});
			req.end(payload);
		});

	const start = performance.now();
	const measureFrom = start + warmupMs;
	const end = measureFrom + durationMs;
	const clients = Array.from({ length: concurrency }, async (_, client) => {
		let seq = 0;
		while (performance.now() < end && sent < maxRequests) {
			sent++;
			const t = performance.now();
			const { status, ms } = await once(client, seq);
			opts.onAnswer?.(client, seq++, status);
			completed++;
			if (t < measureFrom) continue; // warm-up
			statusCounts[status] = (statusCounts[status] ?? 0) + 1;
			latencies.push(ms);
			if (status >= 200 && status < 300) ok++;
			else {
				failed++;
				firstError ??= `HTTP ${status}`;
			}
		}
	});
	await Promise.all(clients);
	const elapsed = performance.now() - measureFrom;
	agent.destroy();
	latencies.sort((a, b) => a - b);
	const pct = (p: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]! : 0);
	const r1 = (x: number) => Math.round(x * 10) / 10;
	return {
		url: opts.url,
		concurrency,
		durationMs: Math.round(elapsed),
		requests: ok + failed,
		totalRequests: completed,
		ok,
		failed,
		statusCounts,
		perSecond: r1((ok / elapsed) * 1000),
		latencyMs: {
			min: r1(latencies[0] ?? 0),
			p50: r1(pct(50)),
			p90: r1(pct(90)),
			p99: r1(pct(99)),
			max: r1(latencies[latencies.length - 1] ?? 0),
			mean: r1(latencies.reduce((a, b) => a + b, 0) / (latencies.length || 1)),
		},
		firstError,
	};
}
