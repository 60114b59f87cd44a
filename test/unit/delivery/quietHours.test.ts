import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { isInsideSendWindow, nextAllowedSendTime, parseSendWindow, planDelivery, timeZoneFromPhone, customerTimeZone, isValidTimeZone, LoyaltyError, parseOfferDecision } from '../../../engine';

const ZONES = Intl.supportedValuesOf('timeZone');
const instant = fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2035-12-31T23:59:59Z'), noInvalidDate: true });
const hhmm = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);

describe('quiet hours', () => {
	test('9:00 is allowed, 8:59 and 20:00 are not (Berlin, default window)', () => {
		const zone = 'Europe/Berlin';
		assert.equal(isInsideSendWindow(new Date('2026-01-15T08:00:00Z'), zone), true);
		assert.equal(isInsideSendWindow(new Date('2026-01-15T07:59:00Z'), zone), false);
		assert.equal(isInsideSendWindow(new Date('2026-01-15T19:00:00Z'), zone), false);
	});

	test('a late-evening send waits for 09:00 the next local morning', () => {
		const at = new Date('2026-07-01T21:30:00-07:00');
		assert.equal(nextAllowedSendTime(at, 'America/Los_Angeles').toISOString(), '2026-07-02T16:00:00.000Z');
	});

	test('an early-morning send waits for 09:00 the same day', () => {
		assert.equal(nextAllowedSendTime(new Date('2026-03-09T20:00:00Z'), 'Asia/Tokyo').toISOString(), '2026-03-10T00:00:00.000Z');
	});

	test('a window that wraps midnight', () => {
		const window = parseSendWindow({ start: '22:00', end: '02:00' });
		assert.equal(isInsideSendWindow(new Date('2026-01-15T23:30:00Z'), 'UTC', window), true);
		assert.equal(isInsideSendWindow(new Date('2026-01-15T12:00:00Z'), 'UTC', window), false);
		assert.equal(nextAllowedSendTime(new Date('2026-01-15T12:00:00Z'), 'UTC', window).toISOString(), '2026-01-15T22:00:00.000Z');
	});

	test('an opening skipped by daylight saving goes to the first real minute after it', () => {
		// Santiago springs forward at local midnight (2026-09-06 00:00 → 01:00).
		const window = parseSendWindow({ start: '00:30', end: '06:00' });
		const sendAt = nextAllowedSendTime(new Date('2026-09-06T02:00:00Z'), 'America/Santiago', window);
		assert.equal(isInsideSendWindow(sendAt, 'America/Santiago', window), true);
		assert.equal(DateTime.fromJSDate(sendAt, { zone: 'America/Santiago' }).toFormat('HH:mm'), '01:00');
	});

	test('a bad window names the field', () => {
		assert.throws(() => parseSendWindow({ start: '9am' }), (e: LoyaltyError) => e.field === 'quietHours.start');
		assert.throws(() => parseSendWindow({ start: '09:00', end: '09:00' }), (e: LoyaltyError) => e.field === 'quietHours.end');
	});

	test('property: in any zone, at any instant, with any window, the send time is inside the window, never earlier than asked, and at most a day away', () => {
		fc.assert(
			fc.property(fc.constantFrom(...ZONES), instant, hhmm, hhmm, (zone, at, start, end) => {
				fc.pre(start !== end);
				const window = { start, end };
				const sendAt = nextAllowedSendTime(at, zone, window);
				assert.ok(isInsideSendWindow(sendAt, zone, window), `${sendAt.toISOString()} in ${zone} is outside ${start}-${end}`);
				assert.ok(sendAt.getTime() >= at.getTime());
				assert.ok(sendAt.getTime() - at.getTime() <= 26 * 3_600_000);
				if (isInsideSendWindow(at, zone, window)) assert.equal(sendAt.getTime(), at.getTime());
				else assert.equal(sendAt.getUTCSeconds(), 0, 'deferred sends start on a whole minute');
			}),
			{ numRuns: 2000 },
		);
	});

	test('property: the deferred time is the FIRST allowed minute (the minute before it is not allowed)', () => {
		fc.assert(
			fc.property(fc.constantFrom(...ZONES), instant, (zone, at) => {
				const sendAt = nextAllowedSendTime(at, zone);
				if (sendAt.getTime() === at.getTime()) return;
				const minuteBefore = new Date(sendAt.getTime() - 60_000);
				assert.equal(isInsideSendWindow(minuteBefore, zone), false);
			}),
			{ numRuns: 1000 },
		);
	});

	test('property: a planned marketing SMS never goes out inside quiet hours, and is deferred rather than dropped', () => {
		const phones = fc.constantFrom('+14155550123', '+12125550123', '+442079460958', '+81312345678', '+61212345678', '+5511912345678');
		fc.assert(
			fc.property(fc.option(fc.constantFrom(...ZONES), { nil: undefined }), phones, fc.constantFrom(...ZONES), instant, (profileZone, phone, programZone, now) => {
				const plan = planDelivery({
					decision: parseOfferDecision({ decisionId: 'd1', customer: { customerId: 'c1' }, offerTemplateId: 't', ruleId: 'r', channelPreference: 'sms' }),
					customer: { identities: { phone }, timeZone: profileZone, consent: { sms_marketing: { granted: true, at: '2019-01-01T00:00:00Z', source: 'test' } } },
					programTimeZone: programZone,
					history: [],
					now,
				});
				assert.equal(plan.action, 'send');
				if (plan.action !== 'send') return;
				const expectedZone = customerTimeZone(profileZone, phone, programZone).zone;
				assert.equal(plan.timeZone, expectedZone);
				assert.ok(isInsideSendWindow(new Date(plan.sendAt), expectedZone));
				assert.equal(plan.deferred, !isInsideSendWindow(now, expectedZone));
			}),
			{ numRuns: 500 },
		);
	});
});

describe('time zone of a customer', () => {
	test('profile first, then phone area code, then the program', () => {
		assert.deepEqual(customerTimeZone('Europe/Paris', '+14155550123', 'UTC'), { zone: 'Europe/Paris', from: 'profile' });
		assert.deepEqual(customerTimeZone(undefined, '+14155550123', 'UTC'), { zone: 'America/Los_Angeles', from: 'phone' });
		assert.deepEqual(customerTimeZone(undefined, '+61212345678', 'Australia/Sydney'), { zone: 'Australia/Sydney', from: 'program' });
		assert.deepEqual(customerTimeZone(undefined, undefined, 'UTC'), { zone: 'UTC', from: 'program' });
	});

	test('country codes: the longest prefix wins, multi-zone countries are not guessed', () => {
		assert.equal(timeZoneFromPhone('+353871234567'), 'Europe/Dublin');
		assert.equal(timeZoneFromPhone('+34612345678'), 'Europe/Madrid');
		assert.equal(timeZoneFromPhone('+12125550123'), 'America/New_York');
		assert.equal(timeZoneFromPhone('+19995550123'), undefined);
		assert.equal(timeZoneFromPhone('+79161234567'), undefined);
		assert.equal(timeZoneFromPhone('4155550123'), undefined);
	});

	test('every zone in the table is one this runtime knows', () => {
		for (const phone of ['+14155550123', '+12125550123', '+13125550123', '+13035550123', '+19075550123', '+18085550123', '+447911123456', '+819012345678', '+541123456789', '+97150123456']) {
			const zone = timeZoneFromPhone(phone);
			assert.ok(zone && isValidTimeZone(zone), `${phone} → ${zone}`);
		}
	});
});
