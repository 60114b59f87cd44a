/**
 * The engine's error family. Every error names the field (dot path) that caused it so a node can
 * show a shop owner exactly what to fix. `retryable` tells callers whether trying again may help.
 */
export const ErrorCode = {
	InvalidInput: 'invalid_input',
	NotFound: 'not_found',
	Conflict: 'conflict',
	InsufficientPoints: 'insufficient_points',
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
}

export function isLoyaltyError(error: unknown): error is LoyaltyError {
	return error instanceof LoyaltyError;
}
