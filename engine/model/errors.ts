/**
 * The engine's error family. Every error names the field (dot path) that caused it so a node can
 * show a shop owner exactly what to fix. `retryable` tells callers whether trying again may help.
 */
export const ErrorCode = {
	InvalidInput: 'invalid_input',
	NotFound: 'not_found',
	/** The identities given for one customer belong to two or more stored customers. */
	IdentityConflict: 'identity_conflict',
	/** A refund id already applied under a different idempotency key. */
	RefundAlreadyApplied: 'refund_already_applied',
	/** An idempotency key (ledger, send or coupon) reused for a different request. */
	KeyReused: 'key_reused',
	/** Held points that were already approved or declined. */
	HeldAlreadyDecided: 'held_already_decided',
	InsufficientPoints: 'insufficient_points',
	/** The identities belong to a person who asked to be erased: nothing is recorded for them until they consent again. */
	CustomerErased: 'customer_erased',
	Store: 'store_error',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class LoyaltyError extends Error {
	readonly code: ErrorCode;
	readonly field?: string;
	readonly retryable: boolean;

	constructor(code: ErrorCode, message: string, options: { field?: string; retryable?: boolean; cause?: unknown } = {}) {
		super(message);
		this.name = 'LoyaltyError';
		this.code = code;
		this.field = options.field;
		this.retryable = options.retryable ?? false;
		if (options.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
	}

	static invalid(field: string, message: string): LoyaltyError {
		return new LoyaltyError(ErrorCode.InvalidInput, `${field}: ${message}`, { field });
	}

	static notFound(field: string, message: string): LoyaltyError {
		return new LoyaltyError(ErrorCode.NotFound, `${field}: ${message}`, { field });
	}

	/**
	 * A key seen before with a different request (Stripe's idempotency_key_in_use): nothing is
	 * written, and the message says what the key was first used for and what this request is.
	 */
	static keyReused(field: string, key: string, first: string, now: string, different: readonly string[]): LoyaltyError {
		const differs = different.length > 0 ? ` (different: ${different.join(', ')})` : '';
		return new LoyaltyError(ErrorCode.KeyReused, `${field} "${key}" was first used for ${first}; this request is ${now}${differs}. Use a new key for a new request`, { field });
	}
}

export function isLoyaltyError(error: unknown): error is LoyaltyError {
	return error instanceof LoyaltyError;
}
