/**
 * Klaviyo's JSON:API as this project uses it: events (kept; a repeated unique_id is dropped as
 * Klaviyo drops it), profiles (create, read, update, profile-import upsert), consent jobs and the
 * account (credential test).
 */
import { randomBytes } from 'node:crypto';
import { asObject, header, json, text, type SandboxRequest, type SandboxResponse, type VendorRequest } from './types';

type Json = Record<string, unknown>;

export interface KlaviyoEvent {
	metric: string;
	uniqueId?: string;
	profile: Json;
	properties: Json;
	time?: string;
	value?: number;
}

function klaviyoError(status: number, code: string, detail: string, pointer?: string): SandboxResponse {
	return json(status, { errors: [{ id: randomBytes(8).toString('hex'), status, code, title: detail, detail, ...(pointer ? { source: { pointer } } : {}) }] });
}

/** Klaviyo profile ids are 26 upper-case letters and digits. */
function profileId(): string {
	const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
	return Array.from(randomBytes(26), (b) => alphabet[b % alphabet.length]).join('');
}

const now = () => new Date().toISOString();

export class KlaviyoSandbox {
	readonly requests: VendorRequest[] = [];
	delayMs = 0;
	readonly events: KlaviyoEvent[] = [];
	readonly profiles = new Map<string, Json>();
	/** Consent changes, in order: who, which channel, SUBSCRIBED or UNSUBSCRIBED, and the list if any. */
	readonly consent: Array<{ email?: string; phone_number?: string; channel: 'email' | 'sms'; consent: string; listId?: string }> = [];

	profileByEmail(email: string): Json | undefined {
		return [...this.profiles.values()].find((p) => String(asObject(p.attributes).email ?? '').toLowerCase() === email.toLowerCase());
	}

	async handle(request: SandboxRequest): Promise<SandboxResponse> {
		if (!/^Klaviyo-API-Key\s+\S+/.test(header(request, 'authorization') ?? '')) return klaviyoError(401, 'not_authenticated', 'Authentication credentials were not provided.');
		if (!header(request, 'revision')) return klaviyoError(400, 'invalid', 'A revision header is required.');
		const route = request.pathname.replace(/\/$/, '');
		const method = request.method;
		const data = asObject(asObject(request.body).data);
		const attributes = asObject(data.attributes);
		let m: RegExpExecArray | null;

		if (route === '/api/accounts' && method === 'GET') return json(200, { data: [account()], links: { self: '/api/accounts' } });
		if (route === '/api/events' && method === 'POST') {
			if (data.type !== 'event') return klaviyoError(400, 'invalid', 'type must be "event"', '/data/type');
			const metric = text(asObject(asObject(asObject(attributes.metric).data).attributes).name);
			const profile = asObject(asObject(asObject(attributes.profile).data).attributes);
			if (!metric) return klaviyoError(400, 'invalid', 'A metric name is required.', '/data/attributes/metric');
			if (!profile.email && !profile.phone_number && !profile.external_id && !asObject(asObject(attributes.profile).data).id) return klaviyoError(400, 'invalid', 'The profile needs an identifier.', '/data/attributes/profile');
			const uniqueId = text(attributes.unique_id);
			if (!uniqueId || !this.events.some((e) => e.uniqueId === uniqueId)) {
				this.events.push({ metric, uniqueId, profile, properties: asObject(attributes.properties), time: text(attributes.time), value: typeof attributes.value === 'number' ? attributes.value : undefined });
				this.upsert(profile);
			}
			return { status: 202 };
		}
		if (route === '/api/profile-import' && method === 'POST') {
			if (data.type !== 'profile') return klaviyoError(400, 'invalid', 'type must be "profile"', '/data/type');
			if (!attributes.email && !attributes.phone_number && !attributes.external_id) return klaviyoError(400, 'invalid', 'One of email, phone_number or external_id is required.', '/data/attributes');
			const { profile, created } = this.upsert(attributes);
			return json(created ? 201 : 200, { data: profile, links: { self: `/api/profile-import` } });
		}
		if (route === '/api/profiles' && method === 'POST') {
			const existing = this.find(attributes);
			if (existing) return json(409, { errors: [{ id: randomBytes(8).toString('hex'), status: 409, code: 'duplicate_profile', title: 'Conflict.', detail: 'A profile already exists with one of these identifiers.', source: { pointer: '/data/attributes' }, meta: { duplicate_profile_id: existing.id } }] });
			return json(201, { data: this.upsert(attributes).profile });
		}
		if ((m = /^\/api\/profiles\/([A-Z0-9]+)$/.exec(route))) {
			const profile = this.profiles.get(m[1]);
			if (!profile) return klaviyoError(404, 'not_found', 'A profile with this id was not found.');
			if (method === 'GET') return json(200, { data: profile });
			if (method === 'PATCH') {
				this.apply(profile, attributes);
				return json(200, { data: profile });
			}
		}
		if ((route === '/api/profile-subscription-bulk-create-jobs' || route === '/api/profile-subscription-bulk-delete-jobs') && method === 'POST') {
			const subscribe = route.includes('create');
			const listId = text(asObject(asObject(asObject(data.relationships).list).data).id);
			const listed = asObject(attributes.profiles).data;
			const profiles = Array.isArray(listed) ? (listed as Json[]) : [];
			for (const entry of profiles) {
				const attrs = asObject(entry.attributes);
				const subscriptions = asObject(attrs.subscriptions);
				for (const channel of ['email', 'sms'] as const) {
					if (!subscriptions[channel]) continue;
					const consent = subscribe ? 'SUBSCRIBED' : 'UNSUBSCRIBED';
					this.consent.push({ email: text(attrs.email), phone_number: text(attrs.phone_number), channel, consent, ...(listId ? { listId } : {}) });
					const { profile } = this.upsert({ email: attrs.email, phone_number: attrs.phone_number });
					const current = asObject(asObject(profile.attributes).subscriptions);
					asObject(profile.attributes).subscriptions = { ...current, [channel]: { marketing: { consent, consent_timestamp: now(), can_receive_marketing: subscribe } } };
				}
			}
			return { status: 202 };
		}
		return klaviyoError(404, 'not_found', `No route matches ${method} ${route}.`);
	}

	private find(attributes: Json): Json | undefined {
		const matches = (p: Json) => {
			const a = asObject(p.attributes);
			return (attributes.email && String(a.email ?? '').toLowerCase() === String(attributes.email).toLowerCase()) || (attributes.phone_number && a.phone_number === attributes.phone_number) || (attributes.external_id && a.external_id === attributes.external_id);
		};
		return [...this.profiles.values()].find(matches);
	}

	private upsert(attributes: Json): { profile: Json; created: boolean } {
		const existing = this.find(attributes);
		if (existing) {
			this.apply(existing, attributes);
			return { profile: existing, created: false };
		}
		const id = profileId();
		const profile: Json = {
			type: 'profile',
			id,
			attributes: { email: null, phone_number: null, external_id: null, first_name: null, last_name: null, organization: null, locale: null, title: null, image: null, created: now(), updated: now(), last_event_date: null, location: {}, properties: {} },
			links: { self: `/api/profiles/${id}` },
		};
		this.apply(profile, attributes);
		this.profiles.set(id, profile);
		return { profile, created: true };
	}

	private apply(profile: Json, attributes: Json): void {
		const target = asObject(profile.attributes);
		for (const key of ['email', 'phone_number', 'external_id', 'first_name', 'last_name', 'organization', 'locale', 'title', 'image']) if (attributes[key] !== undefined) target[key] = attributes[key];
		if (attributes.properties) target.properties = { ...asObject(target.properties), ...asObject(attributes.properties) };
		if (attributes.location) target.location = { ...asObject(target.location), ...asObject(attributes.location) };
		target.updated = now();
	}
}

function account(): Json {
	return {
		type: 'account',
		id: 'SbX123',
		attributes: {
			test_account: true,
			contact_information: { default_sender_name: 'Sandbox coffee shop', default_sender_email: 'shop@example.com', website_url: 'https://shop.example', organization_name: 'Sandbox coffee shop', street_address: { address1: '1 Sandbox Way', address2: '', city: 'Boston', region: 'MA', country: 'US', zip: '02110' } },
			industry: 'Food & Beverage',
			timezone: 'America/New_York',
			preferred_currency: 'USD',
			public_api_key: 'SbX123',
			locale: 'en-US',
		},
		links: { self: '/api/accounts/SbX123' },
	};
}
