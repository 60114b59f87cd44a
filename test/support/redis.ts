import { createConnection } from 'node:net';

/** The Redis n8n's queue mode uses in the end-to-end suites (LOYALTY_REDIS_HOST, LOYALTY_REDIS_PORT). */
export const REDIS = { host: process.env.LOYALTY_REDIS_HOST ?? '127.0.0.1', port: Number(process.env.LOYALTY_REDIS_PORT ?? 6379) };

/** Why Redis cannot be used here (a PING without +PONG), or undefined when it answers. */
export function redisUnavailable(): Promise<string | undefined> {
	return new Promise((resolve) => {
		const socket = createConnection(REDIS);
		const done = (reason: string | undefined) => {
			socket.destroy();
			resolve(reason);
		};
		socket.setTimeout(2000, () => done(`Redis at ${REDIS.host}:${REDIS.port} did not answer`));
		socket.once('error', (error) => done(`Redis at ${REDIS.host}:${REDIS.port} is not reachable (${error.message})`));
		socket.once('connect', () => socket.write('PING\r\n'));
		socket.once('data', (data) => done(data.toString().startsWith('+PONG') ? undefined : `Redis answered ${data.toString().trim()}`));
	});
}
