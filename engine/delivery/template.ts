import { DateTime } from 'luxon';
import { z } from 'zod';
import { LoyaltyError } from '../model/errors';
import { parseOrThrow } from '../model/validate';

/** What a message may say about the customer. Every field may be missing. */
export interface PersonalFields {
	firstName?: string;
	points?: number;
	pointsExpiring?: number;
	pointsExpireAt?: string;
	tier?: string;
	favouriteCategory?: string;
	crossSellPick?: string;
	/** The category the offer is about ("double points on pastries", "try our tea"). */
	offerCategory?: string;
	couponCode?: string;
	couponExpiresAt?: string;
	shopName?: string;
	/** The badge(s) the decision behind this offer awarded ("Explorer"), for "you earned a badge" wording. */
	badge?: string;
	/** Every badge the customer holds, as names separated by commas (Award Points → Get Balance lists them). */
	badges?: string;
}
export const PERSONAL_FIELDS = ['firstName', 'points', 'pointsExpiring', 'pointsExpireAt', 'tier', 'favouriteCategory', 'crossSellPick', 'offerCategory', 'couponCode', 'couponExpiresAt', 'shopName', 'badge', 'badges'] as const;
type FieldName = (typeof PERSONAL_FIELDS)[number];

/** Said instead of a missing field when the template gives no fallback of its own. */
const BUILT_IN_FALLBACKS: Partial<Record<FieldName, string>> = {
	firstName: 'there',
	tier: 'member',
	favouriteCategory: 'favourites',
	crossSellPick: 'something new',
	offerCategory: 'our range',
	shopName: 'us',
};

const PLACEHOLDER = /\{\{\s*([A-Za-z]+)\s*(?:\|([^}]*))?\}\}/g;
const SECTION = /\{\{#([A-Za-z]+)\}\}([\s\S]*?)\{\{\/\1\}\}/g;

/**
 * One offer's wording. `{{firstName|friend}}` gives a fallback; `{{#pointsExpiring}}…{{/pointsExpiring}}`
 * is left out entirely when that field is missing, so no sentence ever says "undefined".
 */
export const offerTemplateSchema = z.object({
	id: z.string().min(1),
	/** The Klaviyo metric this offer's event is recorded under, so a Klaviyo flow can trigger on it. */
	metricName: z.string().min(1),
	emailSubject: z.string().min(1).optional(),
	emailBody: z.string().min(1).optional(),
	smsBody: z.string().min(1).max(1600).optional(),
});
export type OfferTemplate = z.infer<typeof offerTemplateSchema>;

/** Validates templates once, so a typo in a field name fails when the node is set up, not at send time. */
export function parseOfferTemplates(input: unknown): OfferTemplate[] {
	const templates = parseOrThrow(z.array(offerTemplateSchema), input, 'templates');
	const seen = new Set<string>();
	templates.forEach((t, i) => {
		if (seen.has(t.id)) throw LoyaltyError.invalid(`templates.${i}.id`, `"${t.id}" is used twice`);
		seen.add(t.id);
		for (const key of ['emailSubject', 'emailBody', 'smsBody'] as const) {
			const text = t[key];
			if (text === undefined) continue;
			const unknown = fieldNamesIn(text).find((name) => !(PERSONAL_FIELDS as readonly string[]).includes(name));
			if (unknown) throw LoyaltyError.invalid(`templates.${i}.${key}`, `{{${unknown}}} is not a known field (known: ${PERSONAL_FIELDS.join(', ')})`);
		}
	});
	return templates;
}

function fieldNamesIn(text: string): string[] {
	return [...text.matchAll(/\{\{\s*[#/]?([A-Za-z]+)/g)].map((m) => m[1]);
}

export function findOfferTemplate(templates: readonly OfferTemplate[], id: string): OfferTemplate {
	const template = templates.find((t) => t.id === id);
	if (!template) throw LoyaltyError.notFound('decision.offerTemplateId', `no offer template "${id}" (known: ${templates.map((t) => t.id).join(', ') || 'none'})`);
	return template;
}

function present(value: unknown): boolean {
	return value !== undefined && value !== null && value !== '';
}

function formatField(name: FieldName, value: string | number, timeZone: string, locale: string): string {
	if (name === 'pointsExpireAt' || name === 'couponExpiresAt') {
		const when = DateTime.fromISO(String(value), { zone: timeZone });
		return when.isValid ? when.setLocale(locale).toLocaleString(DateTime.DATE_MED) : String(value);
	}
	if (typeof value === 'number') return new Intl.NumberFormat(locale).format(value);
	return value;
}

/**
 * Fills a template. A field with no value, no fallback of its own and no built-in one is an
 * error naming it, because a message with a hole (a coupon without its code) must not go out.
 */
export function renderTemplate(text: string, fields: PersonalFields, options: { timeZone: string; locale?: string; field?: string }): string {
	const locale = options.locale ?? 'en-US';
	const withSections = text.replace(SECTION, (_all, name: string, inner: string) => (present(fields[name as FieldName]) ? inner : ''));
	const rendered = withSections.replace(PLACEHOLDER, (_all, name: string, fallback: string | undefined) => {
		const value = fields[name as FieldName];
		if (present(value)) return formatField(name as FieldName, value as string | number, options.timeZone, locale);
		if (fallback !== undefined) return fallback;
		const builtIn = BUILT_IN_FALLBACKS[name as FieldName];
		if (builtIn !== undefined) return builtIn;
		throw LoyaltyError.invalid(options.field ?? 'template', `needs {{${name}}} but this customer has none; give it a fallback ({{${name}|…}}) or wrap it in {{#${name}}}…{{/${name}}}`);
	});
	return rendered.replace(/[ \t]{2,}/g, ' ').replace(/ +([,.!?])/g, '$1').trim();
}

const OPT_OUT_HINT = /\bSTOP\b/i;

/** Marketing SMS must tell the customer how to stop them. */
export function withOptOutHint(smsBody: string): string {
	return OPT_OUT_HINT.test(smsBody) ? smsBody : `${smsBody} Reply STOP to opt out.`;
}
