import type { z } from 'zod';
import { LoyaltyError } from './errors';

/**
 * Parses input with a schema and turns the first zod issue into a LoyaltyError that names the
 * field by its dot path ("order.lines.0.quantity: must be at least 1").
 */
export function parseOrThrow<S extends z.ZodTypeAny>(schema: S, input: unknown, root: string): z.infer<S> {
	const result = schema.safeParse(input);
	if (result.success) return result.data;
	const issue = result.error.issues[0];
	const path = [root, ...issue.path.map(String)].filter(Boolean).join('.');
	return throwInvalid(path || root, issue.message);
}

function throwInvalid(field: string, message: string): never {
	throw LoyaltyError.invalid(field, message);
}
