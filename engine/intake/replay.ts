import type { Store } from '../store/store';
import { getQuarantined, QuarantineStatus, type QuarantinedDelivery } from './quarantine';

/** The replay header the Loyalty Trigger recognises (lower case, as n8n hands headers over). */
export const REPLAY_HEADER = 'x-loyalty-replay';

/** How a replay reaches n8n: the caller's HTTP function (n8n's helper in a node, fetch in the CLI). */
export type ReplayPost = (request: { url: string; headers: Record<string, string>; body: Buffer }) => Promise<{ status: number; body: string }>;

export interface ReplayOutcome {
	id: string;
	/** replayed: it went through now; still_quarantined: it failed again (see reason); refused: the trigger did not accept it at all. */
	outcome: 'replayed' | 'still_quarantined' | 'refused' | 'not_quarantined';
	status?: number;
	reason?: string;
	events?: number;
	new?: number;
}

/**
 * Sends a quarantined delivery through its trigger again: the same bytes, the same signing headers,
 * the same URL, so it takes the same path and keys as the first time (a second replay changes
 * nothing). n8n must be running with the trigger's workflow published.
 */
export async function replayQuarantined(store: Store, id: string, post: ReplayPost): Promise<ReplayOutcome> {
	const delivery: QuarantinedDelivery = await getQuarantined(store, id);
	if (delivery.status !== QuarantineStatus.Quarantined) return { id, outcome: 'not_quarantined', reason: `already ${delivery.status}${delivery.resolution ? `: ${delivery.resolution}` : ''}` };
	if (!delivery.url) return { id, outcome: 'refused', reason: 'the delivery was kept without the URL it came to; send it from the shop again' };
	const answer = await post({ url: delivery.url, headers: { ...delivery.headers, [REPLAY_HEADER]: id }, body: delivery.body });
	let reply: Record<string, unknown> = {};
	try {
		reply = JSON.parse(answer.body) as Record<string, unknown>;
	} catch {
		// Not JSON: n8n's own error page; the status says enough.
	}
	if (answer.status !== 200) {
		const why = typeof reply.reason === 'string' ? reply.reason : typeof reply.error === 'string' ? reply.error : answer.body.slice(0, 300);
		const hint = answer.status === 401 ? ' (the signing secret changed since it arrived?)' : answer.status === 404 ? ' (is the workflow with this trigger published and n8n running?)' : '';
		return { id, outcome: 'refused', status: answer.status, reason: `${why}${hint}` };
	}
	if (reply.quarantined === true) return { id, outcome: 'still_quarantined', status: 200, reason: String(reply.reason ?? '') };
	return { id, outcome: 'replayed', status: 200, events: Number(reply.events ?? 0), new: Number(reply.new ?? 0) };
}
