import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
	assignHoldout,
	checkConsent,
	checkFrequency,
	chooseChannel,
	consentFromSmsKeyword,
	couponCodeFor,
	DEFAULT_FREQUENCY_CAPS,
	LoyaltyError,
	normalizePhone,
	parseOfferDecision,
	planDelivery,
	smsKeywordIntent,
	type DeliveryContext,
	type PastSend,
} from '../../../engine';

const GRANTED = { granted: true, at: '2026-01-01T00:00:00Z', source: 'checkout', wordingVersion: 'v1' };
const NOW = new Date('2026-06-10T12:00:00Z');

function context(overrides: Partial<Omit<DeliveryContext, 'decision'>> & { decision?: Record<string, unknown> } = {}): DeliveryContext {
	const { decision, ...rest } = overrides;
	return {
		decision: parseOfferDecision({ decisionId: 'dec-1', customer: { customerId: 'c1' }, offerTemplateId: 'coffee-10', ruleId: 'r1', ...decision }),
		customer: { identities: { email: 'ana@example.com', phone: '+14155550123' }, timeZone: 'America/Los_Angeles', consent: { email_marketing: GRANTED, sms_marketing: GRANTED } },
		programTimeZone: 'UTC',
		history: [],
		now: NOW,
		...rest,
	};
}

describe('consent', () => {
	test('marketing needs a grant on that channel', () => {
		assert.deepEqual(checkConsent({ email_marketing: GRANTED }, 'email', 'marketing', NOW), { allowed: true });
		const refused = checkConsent({ email_marketing: GRANTED }, 'sms', 'marketing', NOW);
		assert.equal(refused.allowed, false);
		assert.equal(!refused.allowed && refused.reason, 'no_consent');
	});

	test('transactional SMS consent does not cover marketing, marketing consent covers service messages', () => {
		assert.equal(checkConsent({ sms_transactional: GRANTED }, 'sms', 'marketing', NOW).allowed, false);
		assert.equal(checkConsent({ sms_transactional: GRANTED }, 'sms', 'transactional', NOW).allowed, true);
		assert.equal(checkConsent({ sms_marketing: GRANTED }, 'sms', 'transactional', NOW).allowed, true);
	});

	test('a STOP withdraws all SMS and names when and where it was said', () => {
		const stop = consentFromSmsKeyword('opt_out', '2026-06-10T11:59:00Z', 'twilio:inbound');
		const refused = checkConsent({ sms_marketing: GRANTED, ...stop }, 'sms', 'transactional', NOW);
		assert.equal(!refused.allowed && refused.reason, 'consent_withdrawn');
		assert.match(!refused.allowed ? refused.detail : '', /2026-06-10T11:59:00Z.*twilio:inbound/);
	});

	test('a withdrawal counts at once even if its clock is ahead; a grant from the future does not', () => {
		const future = '2026-06-10T12:05:00Z';
		assert.equal(checkConsent({ email_marketing: { granted: false, at: future, source: 'klaviyo' } }, 'email', 'marketing', NOW).allowed, false);
		assert.equal(checkConsent({ email_marketing: { granted: true, at: future, source: 'klaviyo' } }, 'email', 'marketing', NOW).allowed, false);
	});

	test('SMS keywords: the whole message must be the keyword', () => {
		for (const word of ['STOP', 'stop', ' Stop. ', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT']) assert.equal(smsKeywordIntent(word), 'opt_out', word);
		for (const word of ['START', 'unstop', 'Yes']) assert.equal(smsKeywordIntent(word), 'opt_in', word);
		for (const word of ['please stop by tomorrow', 'STOPPED', 'hello', '']) assert.equal(smsKeywordIntent(word), undefined, word);
	});
});

describe('frequency caps', () => {
	const sent = (channel: 'email' | 'sms', hoursAgo: number, isReward = false): PastSend => ({ channel, sentAt: new Date(NOW.getTime() - hoursAgo * 3_600_000).toISOString(), isReward });

	test('smart sending: 16 h between emails, 24 h between SMS, each with the time it frees up', () => {
		const email = checkFrequency([sent('email', 15)], 'email', false, NOW, 'UTC');
		assert.equal(!email.allowed && email.retryAt, new Date(NOW.getTime() + 3_600_000).toISOString());
		assert.equal(checkFrequency([sent('email', 17)], 'email', false, NOW, 'UTC').allowed, true);
		assert.equal(checkFrequency([sent('sms', 23)], 'sms', false, NOW, 'UTC').allowed, false);
		assert.equal(checkFrequency([sent('sms', 23)], 'email', false, NOW, 'UTC').allowed, true);
	});

	test('one reward per customer day, counted in the customer zone', () => {
		// 12:00 UTC is 05:00 in Los Angeles; a reward at 06:00 UTC was 23:00 the previous LA day.
		assert.equal(checkFrequency([sent('sms', 6, true)], 'email', true, NOW, 'America/Los_Angeles').allowed, true);
		const refused = checkFrequency([sent('sms', 6, true)], 'email', true, NOW, 'UTC');
		assert.equal(!refused.allowed && refused.reason, 'daily_reward_limit');
		assert.equal(!refused.allowed && refused.retryAt, '2026-06-11T00:00:00.000Z');
		assert.equal(checkFrequency([sent('sms', 6, true)], 'email', false, NOW, 'UTC').allowed, true);
	});

	test('per day and per week across channels', () => {
		const caps = { ...DEFAULT_FREQUENCY_CAPS, emailGapHours: 0, smsGapHours: 0, maxPerDay: 2, maxPerWeek: 3 };
		assert.equal(checkFrequency([sent('sms', 1), sent('email', 2)], 'email', false, NOW, 'UTC', caps).allowed, false);
		const week = checkFrequency([sent('sms', 30), sent('email', 50), sent('email', 100)], 'email', false, NOW, 'UTC', caps);
		assert.equal(!week.allowed && week.retryAt, new Date(NOW.getTime() - 100 * 3_600_000 + 7 * 86_400_000).toISOString());
	});

	test('property: allowed exactly when no earlier send on the channel is within the gap (other caps off)', () => {
		const caps = { ...DEFAULT_FREQUENCY_CAPS, maxPerDay: 1000, maxPerWeek: 1000, rewardsPerDay: 1000 };
		fc.assert(
			fc.property(fc.array(fc.record({ channel: fc.constantFrom('email' as const, 'sms' as const), hoursAgo: fc.double({ min: 0, max: 100, noNaN: true }) })), fc.constantFrom('email' as const, 'sms' as const), (past, channel) => {
				const history = past.map((p) => sent(p.channel, p.hoursAgo));
				const gap = channel === 'email' ? 16 : 24;
				const expected = !past.some((p) => p.channel === channel && p.hoursAgo * 3_600_000 < gap * 3_600_000 && Date.parse(sent(p.channel, p.hoursAgo).sentAt) > NOW.getTime() - gap * 3_600_000);
				assert.equal(checkFrequency(history, channel, false, NOW, 'UTC', caps).allowed, expected);
			}),
		);
	});
});

describe('channel choice', () => {
	const ok = { allowed: true } as const;
	const no = { allowed: false, reason: 'no_consent', detail: 'none' } as const;

	test('consent first: the only consented channel wins over every preference', () => {
		assert.deepEqual(chooseChannel({ eligibility: { email: no, sms: ok }, statedPreference: 'email', rulePreference: 'email' }), { allowed: true, channel: 'sms', why: 'only_consented' });
	});

	test('then stated preference, then engagement, then the rule, then email', () => {
		assert.equal((chooseChannel({ eligibility: { email: ok, sms: ok }, statedPreference: 'sms', rulePreference: 'email' }) as { channel: string }).channel, 'sms');
		const engagement = { email: { sent: 10, engaged: 1 }, sms: { sent: 5, engaged: 3 } };
		assert.deepEqual(chooseChannel({ eligibility: { email: ok, sms: ok }, engagement, rulePreference: 'email' }), { allowed: true, channel: 'sms', why: 'engagement' });
		assert.deepEqual(chooseChannel({ eligibility: { email: ok, sms: ok }, engagement: { email: { sent: 1, engaged: 0 }, sms: { sent: 1, engaged: 1 } }, rulePreference: 'sms' }), { allowed: true, channel: 'sms', why: 'rule_preference' });
		assert.deepEqual(chooseChannel({ eligibility: { email: ok, sms: ok } }), { allowed: true, channel: 'email', why: 'default' });
	});

	test('nothing eligible: refused with every channel reason', () => {
		const choice = chooseChannel({ eligibility: { email: no, sms: { allowed: false, reason: 'consent_withdrawn', detail: 'STOP' } } });
		assert.equal(!choice.allowed && choice.reason, 'consent_withdrawn');
		assert.match(!choice.allowed ? choice.detail : '', /email: none; sms: STOP/);
	});
});

describe('planDelivery', () => {
	test('a consented email goes now', () => {
		const plan = planDelivery(context({ decision: { channelPreference: 'email' } }));
		assert.equal(plan.action, 'send');
		assert.equal(plan.action === 'send' && plan.channel, 'email');
		assert.equal(plan.action === 'send' && plan.deferred, false);
	});

	test('a marketing SMS at 05:00 local is deferred to 09:00 local', () => {
		const plan = planDelivery(context({ decision: { channelPreference: 'sms' }, customer: { identities: { phone: '+14155550123' }, timeZone: 'America/Los_Angeles', consent: { sms_marketing: GRANTED } } }));
		assert.equal(plan.action === 'send' && plan.sendAt, '2026-06-10T16:00:00.000Z');
		assert.equal(plan.action === 'send' && plan.deferred, true);
	});

	test('a transactional SMS is not held by quiet hours or caps', () => {
		const plan = planDelivery(
			context({
				decision: { channelPreference: 'sms', purpose: 'transactional' },
				customer: { identities: { phone: '+14155550123' }, timeZone: 'America/Los_Angeles', consent: { sms_transactional: GRANTED } },
				history: [{ channel: 'sms', sentAt: new Date(NOW.getTime() - 60_000).toISOString(), isReward: true }],
			}),
		);
		assert.equal(plan.action === 'send' && plan.sendAt, NOW.toISOString());
	});

	test('an opt-out stops the next send whatever the rule asks', () => {
		const stop = consentFromSmsKeyword('opt_out', '2026-06-10T11:00:00Z', 'twilio:inbound');
		const plan = planDelivery(context({ decision: { channelPreference: 'sms' }, customer: { identities: { phone: '+14155550123' }, consent: { sms_marketing: GRANTED, ...stop } } }));
		assert.equal(plan.action, 'refuse');
		assert.equal(plan.action === 'refuse' && plan.reason, 'consent_withdrawn');
	});

	test('no address is a refusal with its reason', () => {
		const plan = planDelivery(context({ customer: { identities: { phone: '+14155550123' }, consent: { email_marketing: GRANTED } } }));
		assert.equal(plan.action === 'refuse' && plan.reason, 'no_channel');
		assert.match(plan.action === 'refuse' ? plan.detail : '', /no email address/);
	});

	test('frequency caps are judged at the deferred send time', () => {
		const history: PastSend[] = [{ channel: 'sms', sentAt: '2026-06-09T15:30:00Z', isReward: false }];
		const customer = { identities: { phone: '+14155550123' }, timeZone: 'America/Los_Angeles', consent: { sms_marketing: GRANTED } };
		// Now (05:00 LA) is within 24 h of the last SMS, but 09:00 LA (16:00Z) is not.
		const plan = planDelivery(context({ decision: { channelPreference: 'sms' }, customer, history }));
		assert.equal(plan.action, 'send');
	});

	test('holdouts are planned like a send but marked hold_out', () => {
		const plan = planDelivery(context({ decision: { experiment: { id: 'exp1', arm: 'control', holdout: true } } }));
		assert.equal(plan.action, 'hold_out');
		assert.equal(plan.action === 'hold_out' && plan.channel, 'email');
	});
});

describe('decisions, phones, holdouts, coupon codes', () => {
	test('a decision without id, customer or rule is refused by field', () => {
		assert.throws(() => parseOfferDecision({ customer: { customerId: 'c' }, offerTemplateId: 't', ruleId: 'r' }), (e: LoyaltyError) => e.field === 'decision.decisionId');
		assert.throws(() => parseOfferDecision({ decisionId: 'd', customer: {}, offerTemplateId: 't', ruleId: 'r' }), (e: LoyaltyError) => e.field === 'decision.customer');
		assert.throws(() => parseOfferDecision({ decisionId: 'd', customer: { customerId: 'c' }, offerTemplateId: 't', ruleId: 'r', coupon: { kind: 'percent', amount: 150 } }), (e: LoyaltyError) => e.field === 'decision.coupon.amount');
		assert.throws(() => parseOfferDecision({ decisionId: 'd', customer: { customerId: 'c' }, offerTemplateId: 't', ruleId: 'r', coupon: { kind: 'fixed_cart', amount: 500 } }), (e: LoyaltyError) => e.field === 'decision.coupon.currency');
	});

	test('phones normalise to E.164 or are refused by field', () => {
		assert.equal(normalizePhone('(415) 555-0123', '1'), '+14155550123');
		assert.equal(normalizePhone('0044 20 7946 0958', undefined), '+442079460958');
		assert.equal(normalizePhone('020 7946 0958', '+44'), '+442079460958');
		assert.throws(() => normalizePhone('555-0123', undefined, 'customer.phone'), (e: LoyaltyError) => e.field === 'customer.phone');
		assert.throws(() => normalizePhone('+12', undefined), (e: LoyaltyError) => e.field === 'phone');
		assert.throws(() => normalizePhone('call me', '1'), (e: LoyaltyError) => e.field === 'phone');
	});

	test('holdout assignment is stable and close to its share', () => {
		assert.equal(assignHoldout('exp', 'c1', 10), assignHoldout('exp', 'c1', 10));
		const held = Array.from({ length: 10_000 }, (_, i) => assignHoldout('exp', `c${i}`, 10)).filter(Boolean).length;
		assert.ok(held > 850 && held < 1150, `${held} of 10000 held out at 10 %`);
		assert.equal(assignHoldout('exp', 'c1', 0), false);
	});

	test('coupon codes: same decision, same code; different decisions, different codes; typeable', () => {
		assert.equal(couponCodeFor('dec-1'), couponCodeFor('dec-1'));
		assert.notEqual(couponCodeFor('dec-1'), couponCodeFor('dec-2'));
		fc.assert(fc.property(fc.string({ minLength: 1 }), (id) => assert.match(couponCodeFor(id), /^LOY-[A-HJ-NP-Z2-9]{10}$/)));
	});
});
