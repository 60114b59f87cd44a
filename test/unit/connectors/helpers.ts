import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { type HttpFunction, type HttpRequest, type HttpResponse, VendorApiError } from '../../../connectors/http';
import { LoyaltyError } from '../../../engine/model';

export function fixture<T = Record<string, unknown>>(vendor: 'woocommerce' | 'square', name: string): T {
	return JSON.parse(readFileSync(path.resolve(__dirname, '../../fixtures', vendor, name), 'utf8')) as T;
}

/** Independent of the code under test, so a bug in its helpers cannot hide in both places. */
export function hmac(secret: string, ...parts: Array<string | Buffer>): Buffer {
	const h = createHmac('sha256', secret);
	for (const part of parts) h.update(part);
	return h.digest();
}

export async function assertVendorError(
	promise: Promise<unknown>,
	expected: { vendor: string; status?: number; retryable?: boolean; message?: RegExp },
): Promise<VendorApiError> {
	let caught: unknown;
	try {
		await promise;
	} catch (error) {
		caught = error;
	}
	assert.ok(caught instanceof VendorApiError, `expected a VendorApiError, got ${String(caught)}`);
	assert.equal(caught.vendor, expected.vendor);
	if (expected.status !== undefined) assert.equal(caught.status, expected.status);
	if (expected.retryable !== undefined) assert.equal(caught.retryable, expected.retryable);
	if (expected.message) assert.match(caught.message, expected.message);
	return caught;
}

export function assertLoyaltyError(fn: () => unknown, field: string, message?: RegExp): LoyaltyError {
	let caught: unknown;
	try {
		fn();
	} catch (error) {
		caught = error;
	}
	assert.ok(caught instanceof LoyaltyError, `expected a LoyaltyError naming ${field}, got ${String(caught)}`);
	assert.equal(caught.field, field, caught.message);
	if (message) assert.match(caught.message, message);
	return caught;
}

/**
 * A canned-reply HttpFunction, used only where the vendor's spec has nothing to serve: error
 * bodies (Square's spec describes only 200s) and paging headers.
 */
export function cannedHttp(...replies: Array<Partial<HttpResponse> | Error>): { http: HttpFunction; requests: HttpRequest[] } {
	const requests: HttpRequest[] = [];
	return {
		requests,
		http: async (request) => {
			requests.push(request);
			const reply = replies.shift();
			if (reply === undefined) throw new Error(`unexpected request ${request.method} ${request.url}`);
			if (reply instanceof Error) throw reply;
			return { status: 200, headers: {}, body: undefined, ...reply };
		},
	};
}

/** Amounts in minor units with their decimal spelling, built from digits, never from float maths. */
export function decimalAmount(exponent: number, options: { min?: number } = {}): fc.Arbitrary<{ minor: number; text: string }> {
	return fc.integer({ min: options.min ?? 0, max: 9_999_999_999 }).map((minor) => {
		if (exponent === 0) return { minor, text: String(minor) };
		const digits = String(minor).padStart(exponent + 1, '0');
		return { minor, text: `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}` };
	});
}

/** A different printable character at one position of a string. */
export function mutateChar(text: string, index: number, shift: number): string {
	const code = text.charCodeAt(index);
	const printable = 0x7e - 0x20 + 1;
	const next = 0x20 + ((code - 0x20 + shift) % printable + printable) % printable;
	return text.slice(0, index) + String.fromCharCode(next) + text.slice(index + 1);
}
