/**
 * Faults on demand, for reliability tests: the next N requests of a vendor (optionally only those
 * whose path matches) are answered 429 or 5xx, held without an answer, or slowed down.
 */
import type { Vendor } from './types';

export interface FaultSpec {
	vendor: Vendor;
	/** Only requests whose path (with query) matches; a string is a regular expression source. */
	path?: RegExp | string;
	method?: string;
	/** Answer with this status (429 gets a Retry-After). */
	status?: number;
	/** Seconds in the Retry-After header of a 429 (default 1). */
	retryAfterSeconds?: number;
	/** Never answer (until the client gives up or the sandbox stops). */
	hang?: boolean;
	/** Wait this long first; without `status` or `hang` the request is then answered normally. */
	delayMs?: number;
	/** How many requests it applies to; without it, until cleared. */
	times?: number;
}

export interface ActiveFault extends Omit<FaultSpec, 'path'> {
	id: number;
	path?: RegExp;
	/** Requests it has applied to so far. */
	hits: number;
}

export class Faults {
	private nextId = 1;
	readonly active: ActiveFault[] = [];

	inject(spec: FaultSpec): ActiveFault {
		const path = spec.path === undefined ? undefined : typeof spec.path === 'string' ? new RegExp(spec.path) : spec.path;
		if (spec.status === undefined && !spec.hang && spec.delayMs === undefined) throw new Error('a fault needs a status, hang or delayMs');
		if (spec.times !== undefined && (!Number.isInteger(spec.times) || spec.times < 1)) throw new Error('times must be a positive whole number');
		const fault: ActiveFault = { ...spec, path, id: this.nextId++, hits: 0 };
		this.active.push(fault);
		return fault;
	}

	clear(vendor?: Vendor): void {
		for (let i = this.active.length - 1; i >= 0; i--) if (!vendor || this.active[i].vendor === vendor) this.active.splice(i, 1);
	}

	/** The fault this request meets, if any; counts it. */
	take(vendor: Vendor, method: string, url: string): ActiveFault | undefined {
		const fault = this.active.find((f) => f.vendor === vendor && (!f.method || f.method.toUpperCase() === method) && (!f.path || f.path.test(url)));
		if (!fault) return undefined;
		fault.hits += 1;
		if (fault.times !== undefined && fault.hits >= fault.times) this.active.splice(this.active.indexOf(fault), 1);
		return fault;
	}

	/** For the HTTP control endpoint: a fault described in JSON. */
	static fromJson(body: unknown): FaultSpec {
		const b = (body ?? {}) as Record<string, unknown>;
		const vendors = ['woocommerce', 'square', 'klaviyo', 'twilio'];
		if (typeof b.vendor !== 'string' || !vendors.includes(b.vendor)) throw new Error(`vendor must be one of ${vendors.join(', ')}`);
		const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
		return {
			vendor: b.vendor as Vendor,
			path: typeof b.path === 'string' ? b.path : undefined,
			method: typeof b.method === 'string' ? b.method : undefined,
			status: num(b.status),
			retryAfterSeconds: num(b.retryAfterSeconds),
			hang: b.hang === true,
			delayMs: num(b.delayMs),
			times: num(b.times),
		};
	}
}
