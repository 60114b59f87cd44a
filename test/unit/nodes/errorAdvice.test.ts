import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { ErrorCode, LoyaltyError } from '../../../engine';
import { ERROR_ADVICE, summarizeError } from '../../../nodes/shared/errors';

const ROOT = join(__dirname, '..', '..', '..');

function sourcesUnder(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) return sourcesUnder(path);
		return name.endsWith('.ts') ? [path] : [];
	});
}

const engineSources = sourcesUnder(join(ROOT, 'engine'))
	.filter((path) => !path.endsWith(join('model', 'errors.ts')))
	.map((path) => readFileSync(path, 'utf8'))
	.join('\n');

/** The ways engine code raises each code: `ErrorCode.X`, the literal, or a LoyaltyError factory. */
const FACTORIES: Record<string, string[]> = { invalid_input: ['LoyaltyError.invalid('], not_found: ['LoyaltyError.notFound('], key_reused: ['LoyaltyError.keyReused('] };

/** What each code's advice must speak of, and (for the codes that once shared "conflict") what it must not. */
const WORDING: Record<ErrorCode, { must: RegExp[]; mustNot?: RegExp }> = {
	invalid_input: { must: [/Check the/] },
	not_found: { must: [/customer/i] },
	identity_conflict: { must: [/identities/i, /customer profiles/i], mustNot: /idempotency key/i },
	refund_already_applied: { must: [/refund/i, /already applied/i] },
	key_reused: { must: [/idempotency key/i, /different request/i] },
	held_already_decided: { must: [/held points/i, /already approved or declined/i] },
	insufficient_points: { must: [/enough available points/i] },
	customer_erased: { must: [/erased/i, /consent/i] },
	store_error: { must: [/loyalty store/i] },
};

const MADE_BY_FACTORY: Record<string, string> = {
	invalid_input: LoyaltyError.invalid('f', 'm').code,
	not_found: LoyaltyError.notFound('f', 'm').code,
	key_reused: LoyaltyError.keyReused('f', 'k', 'a', 'b', []).code,
};

function raisers(code: string, name: string): string[] {
	return [`ErrorCode.${name}`, `'${code}'`, ...(FACTORIES[code] ?? [])];
}

describe('error codes and the advice the nodes give for them', () => {
	for (const [name, code] of Object.entries(ErrorCode)) {
		test(`${code}: raised in the engine, with advice that fits it`, () => {
			const ways = raisers(code, name);
			assert.ok(ways.some((way) => engineSources.includes(way)), `${code} is never raised in engine/ (looked for ${ways.join(', ')})`);
			// A factory counts as raising the code only if it does.
			if (FACTORIES[code]) assert.equal(MADE_BY_FACTORY[code], code);
			const advice = ERROR_ADVICE[code];
			assert.equal(typeof advice, 'function', `${code} has no advice`);
			const text = summarizeError(new LoyaltyError(code, `x: ${code}`, { field: 'x' })).description ?? '';
			assert.notEqual(text, 'Check the node parameters and run the node again.', `${code} falls back to the generic advice`);
			for (const pattern of WORDING[code].must) assert.match(text, pattern, code);
			if (WORDING[code].mustNot) assert.doesNotMatch(text, WORDING[code].mustNot as RegExp, code);
		});
	}

	test('every advice is listed in the wording table, so a new code needs its own wording', () => {
		assert.deepEqual(Object.keys(ERROR_ADVICE).sort(), Object.values(ErrorCode).sort());
		assert.deepEqual(Object.keys(WORDING).sort(), Object.values(ErrorCode).sort());
	});

	test('not found advice follows what was not found', () => {
		const advice = (field: string) => summarizeError(LoyaltyError.notFound(field, 'missing')).description ?? '';
		assert.match(advice('customer'), /Identify Customer By/);
		assert.match(advice('refund.orderId'), /no record of that order/);
		assert.match(advice('approvalKey'), /List Held Points/);
		assert.match(advice('decision.offerTemplateId'), /offer template/);
		assert.match(advice('customer.square'), /Square Loyalty account/);
	});

	test('a reused decision id gets advice about decisions, a reused ledger key advice about keys', () => {
		const decision = summarizeError(LoyaltyError.keyReused('decision.decisionId', 'd-1', 'a', 'b', ['ruleId'])).description ?? '';
		assert.match(decision, /decision ID was already used for a different offer/);
		const ledger = summarizeError(LoyaltyError.keyReused('idempotencyKey', 'k', 'a', 'b', ['points'])).description ?? '';
		assert.match(ledger, /idempotency key was already used for a different request/);
	});
});
