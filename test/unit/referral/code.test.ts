import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { normalizeReferralCode, REFERRAL_CODE_ALPHABET, REFERRAL_CODE_LENGTH, referralCodesInText } from '../../../engine';
import { candidateReferralCode } from '../../../engine/referral/code';
import { mailbox } from '../../../engine/referral/referrals';

const codeChar = fc.constantFrom(...REFERRAL_CODE_ALPHABET.split(''));
const code = fc.array(codeChar, { minLength: REFERRAL_CODE_LENGTH, maxLength: REFERRAL_CODE_LENGTH }).map((chars) => chars.join(''));
/** How people write a code: any case, with spaces or dashes between characters, padded. */
const written = fc.tuple(code, fc.array(fc.constantFrom('', ' ', '-', '  ', '\t'), { minLength: REFERRAL_CODE_LENGTH, maxLength: REFERRAL_CODE_LENGTH }), fc.array(fc.boolean(), { minLength: REFERRAL_CODE_LENGTH, maxLength: REFERRAL_CODE_LENGTH })).map(([c, gaps, lower]) => ({
	code: c,
	text: ` ${c
		.split('')
		.map((ch, i) => (lower[i] ? ch.toLowerCase() : ch) + (i < c.length - 1 ? gaps[i] : ''))
		.join('')} `,
}));

describe('referral codes: reading and matching', () => {
	test('a code written in any case, with spaces or dashes, reads back as the stored code', () => {
		fc.assert(fc.property(written, ({ code: c, text }) => normalizeReferralCode(text) === c));
	});

	test('reading is idempotent, and anything read is a code of the alphabet and length', () => {
		fc.assert(
			fc.property(fc.string({ maxLength: 20 }), (text) => {
				const read = normalizeReferralCode(text);
				if (read === undefined) return true;
				return read.length === REFERRAL_CODE_LENGTH && [...read].every((ch) => REFERRAL_CODE_ALPHABET.includes(ch)) && normalizeReferralCode(read) === read;
			}),
		);
	});

	test('look-alikes and wrong lengths are no code: 0/O, 1/I/L and U never appear, six or eight characters are refused', () => {
		for (const text of ['AB3K7M0', 'AB3K7MO', 'AB3K7M1', 'AB3K7MI', 'AB3K7ML', 'AB3K7MU', 'AB3K7M', 'AB3K7MQQ', '', '       ', 'AB3K7M!']) assert.equal(normalizeReferralCode(text), undefined, text);
	});

	test('codes in a note are found among other words, also split in two; ordinary words are not codes', () => {
		fc.assert(
			fc.property(code, fc.array(fc.constantFrom('thanks', 'referred', 'by', 'Ann', 'extra', 'hot', 'please', '!', ','), { maxLength: 6 }), fc.array(fc.constantFrom('please', 'ring', 'bell'), { maxLength: 4 }), (c, before, after) => {
				const note = [...before, `code: ${c.slice(0, 3).toLowerCase()} ${c.slice(3)}`, ...after].join(' ');
				return referralCodesInText(note).includes(c);
			}),
		);
		assert.deepEqual(referralCodesInText('Extra napkins, please ring the bell'), []);
	});

	test('a derived code is a valid code, the same for the same customer and attempt, and differs between attempts', () => {
		fc.assert(
			fc.property(fc.string({ minLength: 1, maxLength: 12 }), fc.uuid(), fc.nat(50), (program, customer, attempt) => {
				const first = candidateReferralCode(program, customer, attempt);
				return normalizeReferralCode(first) === first && candidateReferralCode(program, customer, attempt) === first;
			}),
		);
		const tries = new Set(Array.from({ length: 20 }, (_, i) => candidateReferralCode('default', 'c_1', i)));
		assert.ok(tries.size >= 19, 'attempts give different codes');
	});

	test('one mailbox however it is written; different mailboxes stay different', () => {
		assert.equal(mailbox('Ann.Smith+shop@GMAIL.com'), mailbox('annsmith@gmail.com'));
		assert.equal(mailbox('ann+x@example.com'), 'ann@example.com');
		assert.notEqual(mailbox('ann.smith@example.com'), mailbox('annsmith@example.com'), 'dots only mean nothing at Gmail');
		assert.notEqual(mailbox('ann@example.com'), mailbox('anne@example.com'));
	});
});
