/**
 * A shop's webhook storm with a crash in the middle: many paid orders, each delivered several times
 * from concurrent senders, and an n8n process killed (SIGKILL) part way through. Used by the
 * crash suite on the embedded store and in queue mode.
 */
import { signedWooDelivery, wooOrderPayload, type Delivery } from './webhooks';

export interface StormOrder {
	id: number;
	email: string;
	totalMinor: number;
	delivery: Delivery;
}

/** `count` paid orders of `customers` customers, amounts 1.00–50.00, one signed delivery each. */
export function stormOrders(options: { count: number; customers: number; firstId: number; secret: string }): StormOrder[] {
	return Array.from({ length: options.count }, (_, i) => {
		const id = options.firstId + i;
		const email = `storm${i % options.customers}@example.com`;
		const total = `${(i % 50) + 1}.00`;
		const delivery = signedWooDelivery('order.created', wooOrderPayload({ id, status: 'processing', total, email }), options.secret);
		return { id, email, totalMinor: Math.round(Number(total) * 100), delivery };
	});
}

export interface StormResult {
	/** Order ids with at least one delivery answered 200: the shop was told they are received. */
	accepted: Set<number>;
	answered: number;
	refused: number;
}

/**
 * Sends every order `copies` times in a shuffled order from `senders` concurrent senders; calls
 * `onAnswered` after each 200 so the caller can crash a process at a chosen point. Connection
 * errors (the process is dead) count as refused, as the shop would see them.
 */
export async function sendStorm(url: string, orders: readonly StormOrder[], options: { copies: number; senders: number; onAnswered?: (answered: number) => void }): Promise<StormResult> {
	const queue = orders.flatMap((order) => Array.from({ length: options.copies }, () => order));
	for (let i = queue.length - 1; i > 0; i--) {
		const j = Math.floor(Math.random() * (i + 1));
		[queue[i], queue[j]] = [queue[j]!, queue[i]!];
	}
	const result: StormResult = { accepted: new Set(), answered: 0, refused: 0 };
	let next = 0;
	const sender = async () => {
		while (next < queue.length) {
			const order = queue[next++]!;
			try {
				const response = await fetch(url, { method: 'POST', headers: order.delivery.headers, body: order.delivery.body, signal: AbortSignal.timeout(15_000) });
				await response.arrayBuffer();
				if (response.status === 200) {
					result.accepted.add(order.id);
					result.answered++;
					options.onAnswered?.(result.answered);
				} else result.refused++;
			} catch {
				result.refused++;
			}
		}
	};
	await Promise.all(Array.from({ length: options.senders }, sender));
	return result;
}
