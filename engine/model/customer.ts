import { z } from 'zod';
import { idSchema, idText } from './ids';
import { isoInstant } from './instant';

/** Every way a person can be recognised. One profile owns all of them, whatever system sent them. */
export const IdentityKind = {
	Email: 'email',
	Phone: 'phone',
	Square: 'square',
	WooCommerce: 'woocommerce',
	Loyalty: 'loyalty',
} as const;
export type IdentityKind = (typeof IdentityKind)[keyof typeof IdentityKind];
export const IDENTITY_KINDS = Object.values(IdentityKind) as [IdentityKind, ...IdentityKind[]];

export const ConsentChannel = {
	EmailMarketing: 'email_marketing',
	SmsMarketing: 'sms_marketing',
	SmsTransactional: 'sms_transactional',
} as const;
export type ConsentChannel = (typeof ConsentChannel)[keyof typeof ConsentChannel];

export const e164Phone = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number such as +14155550123');

export const identitiesSchema = z
	.object({
		email: idText(z.string().trim().toLowerCase().email()).optional(),
		phone: e164Phone.optional(),
		square: idSchema.optional(),
		woocommerce: idSchema.optional(),
		loyalty: idSchema.optional(),
	})
	.strict();
export type Identities = z.infer<typeof identitiesSchema>;

export const birthdaySchema = z
	.object({
		month: z.number().int().min(1).max(12),
		day: z.number().int().min(1).max(31),
		year: z.number().int().min(1900).max(2100).optional(),
	})
	.refine((b) => b.day <= daysInMonth(b.month, b.year ?? 2000), { message: 'is not a real calendar date', path: ['day'] });
export type Birthday = z.infer<typeof birthdaySchema>;

function daysInMonth(month: number, year: number): number {
	return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export const consentRecordSchema = z.object({
	granted: z.boolean(),
	at: isoInstant,
	source: z.string().min(1),
	wordingVersion: z.string().optional(),
});
export type ConsentRecord = z.infer<typeof consentRecordSchema>;

export const timeZoneSchema = z.string().refine(isValidTimeZone, { message: 'is not an IANA time zone such as Europe/Berlin' });

export function isValidTimeZone(zone: string): boolean {
	try {
		new Intl.DateTimeFormat('en-US', { timeZone: zone });
		return true;
	} catch {
		return false;
	}
}

/** What an incoming event says about a customer; merged into the stored profile. */
export const customerInputSchema = z.object({
	identities: identitiesSchema.refine((ids) => Object.values(ids).some((v) => v !== undefined), {
		message: 'at least one identity (email, phone, Square id, WooCommerce id or loyalty id) is required',
	}),
	firstName: z.string().trim().min(1).optional(),
	lastName: z.string().trim().min(1).optional(),
	birthday: birthdaySchema.optional(),
	timeZone: timeZoneSchema.optional(),
	consent: z.record(z.enum([ConsentChannel.EmailMarketing, ConsentChannel.SmsMarketing, ConsentChannel.SmsTransactional]), consentRecordSchema).optional(),
	tags: z.array(z.string().min(1)).optional(),
});
export type CustomerInput = z.infer<typeof customerInputSchema>;

/** The stored profile. */
export interface Customer {
	id: string;
	identities: Identities;
	firstName?: string;
	lastName?: string;
	birthday?: Birthday;
	timeZone?: string;
	consent: Partial<Record<ConsentChannel, ConsentRecord>>;
	tags: string[];
	createdAt: string;
	updatedAt: string;
}
