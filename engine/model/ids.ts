import { z } from 'zod';

/** The longest id, key or identity the store accepts: anything longer is not an id but a mistake (or an attack). */
export const MAX_ID_LENGTH = 255;

// C0 controls (NUL, line breaks, escape…), DEL and C1 controls: never part of a real id, and
// a NUL or a line break in a stored key makes logs, CSV exports and vendor calls misbehave.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export function hasControlCharacter(value: string): boolean {
	return CONTROL.test(value);
}

/**
 * Adds the checks every id shares to a string schema: at most 255 characters and no control
 * characters. One refinement for customer ids, identities, order/refund/event ids and
 * idempotency keys, so each is refused with the same wording, naming its own field.
 */
export function idText<S extends z.ZodString>(schema: S): z.ZodEffects<z.ZodString, string, string> {
	return schema
		.max(MAX_ID_LENGTH, `must be at most ${MAX_ID_LENGTH} characters`)
		.refine((value) => !hasControlCharacter(value), { message: 'must not contain control characters (such as NUL, tab or line breaks)' });
}

/** A required id: non-empty, at most 255 characters, no control characters. */
export const idSchema = idText(z.string().min(1, 'is required'));
