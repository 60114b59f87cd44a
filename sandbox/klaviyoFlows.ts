/**
 * Klaviyo flow webhook actions, as the shop sandbox plays them: a metric happens to a profile (an
 * onsite Viewed Product, a Started Checkout), the flow it triggers reaches its Webhook action, and
 * Klaviyo renders the action's JSON body template with the event and the person and posts it with
 * the action's fixed headers (flow webhooks are not signed; the owner adds a token header).
 *
 * The renderer covers the template language the project's templates use: `{{ path }}`,
 * `{{ event|lookup:'$name' }}`, `|default:'x'`, `|join:'sep'` and `|trim_slash`. A missing value
 * renders as Klaviyo renders it: `None`, unless a default is given.
 */
import { randomBytes } from 'node:crypto';
import type { OutgoingDelivery, Outbox } from './outbox';

type Json = Record<string, unknown>;

export interface FlowWebhookInput {
	/** The Webhook action's destination URL. */
	url: string;
	/** The JSON body template pasted into the action. */
	template: string;
	/** The action's fixed headers (the owner's shared token). */
	headers: Record<string, string>;
	/** Event properties (ProductID, ProductName, Categories, Price, URL…). `$event_id` is made when absent. */
	event: Json;
	person: { email?: string; phone_number?: string; first_name?: string; last_name?: string };
	organization?: { url?: string };
}

export interface FlowWebhookDelivery {
	eventId: string;
	url: string;
	body: string;
	headers: Record<string, string>;
	posts: OutgoingDelivery[];
}

export class KlaviyoFlows {
	readonly deliveries: FlowWebhookDelivery[] = [];

	constructor(private readonly outbox: Outbox) {}

	/** The metric happens and its flow's webhook action fires; resolves when the post was answered. */
	async fire(input: FlowWebhookInput): Promise<OutgoingDelivery> {
		const eventId = typeof input.event.$event_id === 'string' ? input.event.$event_id : randomBytes(10).toString('hex');
		const body = renderKlaviyoTemplate(input.template, { event: { ...input.event, $event_id: eventId }, person: input.person, organization: input.organization ?? { url: 'https://shop.example/' } });
		JSON.parse(body); // Klaviyo refuses to save an action whose body is not JSON.
		const headers = { 'content-type': 'application/json', 'user-agent': 'Klaviyo-Webhooks (sandbox)', ...input.headers };
		const delivery: FlowWebhookDelivery = { eventId, url: input.url, body, headers, posts: [] };
		this.deliveries.push(delivery);
		const post = await this.outbox.post('klaviyo', input.url, headers, body);
		delivery.posts.push(post);
		return post;
	}

	/** Posts a delivery again, byte for byte (a retried action). */
	async redeliver(eventId: string): Promise<OutgoingDelivery> {
		const delivery = this.deliveries.find((d) => d.eventId === eventId);
		if (!delivery) throw new Error(`no Klaviyo flow delivery for event ${eventId}`);
		const post = await this.outbox.post('klaviyo', delivery.url, delivery.headers, delivery.body);
		delivery.posts.push(post);
		return post;
	}
}

const TAG = /\{\{\s*([^}|]+?)\s*((?:\|[^}]*)?)\}\}/g;
const FILTER = /\|\s*([a-z_]+)(?::\s*'([^']*)')?/g;

export function renderKlaviyoTemplate(template: string, context: Json): string {
	return template.replace(TAG, (_, path: string, filters: string) => {
		let value: unknown = read(context, path.trim());
		let defaulted = false;
		for (const [, name, argument] of filters.matchAll(FILTER)) {
			if (name === 'lookup') value = value && typeof value === 'object' ? (value as Json)[argument ?? ''] : undefined;
			else if (name === 'default') {
				if (value === undefined || value === null || value === '') value = argument ?? '';
				defaulted = true;
			} else if (name === 'join') value = Array.isArray(value) ? value.join(argument ?? '') : value;
			else if (name === 'trim_slash') value = typeof value === 'string' ? value.replace(/\/+$/, '') : value;
			else throw new Error(`the sandbox's Klaviyo renderer has no filter "${name}"`);
		}
		if (value === undefined || value === null) return defaulted ? '' : 'None';
		return JSON.stringify(String(value)).slice(1, -1);
	});
}

function read(context: Json, path: string): unknown {
	let value: unknown = context;
	for (const key of path.split('.')) value = value && typeof value === 'object' ? (value as Json)[key] : undefined;
	return value;
}
