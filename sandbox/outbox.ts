/**
 * What the vendors send on their own: webhook deliveries, Square notifications, Twilio status
 * callbacks and inbound messages. Every POST is recorded with its answer; `settled()` waits for
 * those still in flight.
 */
import { SANDBOX_HEADER, SANDBOX_HEADER_VALUE, type Vendor } from './types';

export interface OutgoingDelivery {
	vendor: Vendor;
	url: string;
	headers: Record<string, string>;
	body: string;
	/** The receiver's answer, or undefined while in flight or when it could not be reached. */
	status?: number;
	answer?: string;
	error?: string;
	at: string;
}

const DELIVERY_TIMEOUT_MS = 30_000;

export class Outbox {
	readonly sent: OutgoingDelivery[] = [];
	private readonly inflight = new Set<Promise<unknown>>();
	private stopped = false;

	post(vendor: Vendor, url: string, headers: Record<string, string>, body: string): Promise<OutgoingDelivery> {
		const delivery: OutgoingDelivery = { vendor, url, headers: { ...headers, [SANDBOX_HEADER]: SANDBOX_HEADER_VALUE }, body, at: new Date().toISOString() };
		this.sent.push(delivery);
		if (this.stopped) {
			delivery.error = 'the sandbox is stopped';
			return Promise.resolve(delivery);
		}
		const work = (async () => {
			try {
				const response = await fetch(url, { method: 'POST', headers: delivery.headers, body, signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS) });
				delivery.answer = await response.text();
				delivery.status = response.status;
			} catch (error) {
				delivery.error = error instanceof Error ? error.message : String(error);
			}
			return delivery;
		})();
		this.inflight.add(work);
		void work.finally(() => this.inflight.delete(work));
		return work;
	}

	/** Resolves once nothing is in flight (including deliveries started while waiting). */
	async settled(): Promise<void> {
		while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
	}

	stop(): void {
		this.stopped = true;
	}
}
