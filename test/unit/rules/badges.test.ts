import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { loyaltyProfileProperties } from '../../../connectors/klaviyo';
import { badgeExplorer, badgeReferralChampion, compileRules, DEFAULT_BADGES, evaluate, offerDecisionsFrom, parseOfferDecision, parseProgramSettings, rulesProgramOf, type RuleInput } from '../../../engine';
import { contextFor, purchase } from './helpers';

const NOW = new Date('2026-03-10T15:00:00Z');
const program = { id: 'p', badges: DEFAULT_BADGES.map(({ id, name }) => ({ id, name })) };

test('the program carries the four default badges until the owner sets a list; a duplicate id is refused, naming it', () => {
	const settings = parseProgramSettings({ timeZone: 'UTC' });
	assert.deepEqual(settings.badges.map((b) => b.id), ['first-purchase', 'tenth-visit', 'explorer', 'referral-champion']);
	assert.deepEqual(rulesProgramOf('p', 1, settings).badges?.map((b) => b.name), ['First purchase', '10th visit', 'Explorer', 'Referral champion']);
	assert.throws(() => parseProgramSettings({ timeZone: 'UTC', badges: [{ id: 'a', name: 'A' }, { id: 'a', name: 'B' }] }), (error: Error) => error.message.includes('program.badges.1.id') || error.message.includes('badges[1].id'));
	assert.throws(() => parseProgramSettings({ timeZone: 'UTC', badges: [{ id: 'Gold Star', name: 'Gold' }] }), /badges/);
});

test('a badge is awarded with its program name, once even when two fired rules give it, and only to a customer on file', () => {
	const set = compileRules({
		version: 1,
		program,
		rules: [
			{ id: 'a', triggers: ['purchase'], actions: [{ type: 'award_badge', badge: 'explorer' }] },
			{ id: 'b', triggers: ['purchase'], actions: [{ type: 'award_badge', badge: 'explorer' }, { type: 'award_badge', badge: 'first-purchase' }] },
		],
	});
	const known = evaluate(set, contextFor(purchase(1000), { customerId: 'cus_1', badges: ['first-purchase'] }), NOW);
	assert.deepEqual(known.badgeAwards, [{ ruleId: 'a', badge: 'explorer', name: 'Explorer' }]);
	assert.deepEqual(known.routes, ['other']);
	const unknown = evaluate(set, contextFor(purchase(1000), {}), NOW);
	assert.deepEqual([unknown.fired.length, unknown.badgeAwards], [2, undefined]);
});

test('explorer preset: the third distinct category earns it, not before, not again (property)', () => {
	const set = compileRules({ version: 1, program, rules: badgeExplorer.build() });
	fc.assert(
		fc.property(fc.integer({ min: 0, max: 8 }), fc.boolean(), (categoryCount, held) => {
			const decision = evaluate(set, contextFor(purchase(1000), { customerId: 'c', categoryCount, badges: held ? ['explorer'] : [], tags: [] }), NOW);
			const earns = categoryCount >= 3 && !held;
			assert.equal(decision.badgeAwards?.[0]?.badge === 'explorer', earns);
			assert.deepEqual(decision.perkTags ?? [], earns ? [{ ruleId: 'badge_explorer', tag: 'early-access' }] : []);
		}),
	);
});

test('referral champion counts the referrals on file (profile.referralCount), or the fact it is given', () => {
	const set = compileRules({ version: 1, program, rules: badgeReferralChampion.build() });
	assert.equal(set.needsReferralCount, true, 'the store counts referrals only for rule sets that ask');
	assert.equal(compileRules({ version: 1, program, rules: badgeReferralChampion.build({ countFact: 'event.data.referralCount' }) }).needsReferralCount, false);
	const visit = (n: number) => ({ type: 'visit', occurredAt: NOW.toISOString(), idempotencyKey: `v:${n}`, customer: { identities: { email: 'a@example.com' } } });
	assert.equal(evaluate(set, contextFor(visit(1), { customerId: 'c', badges: [], referralCount: 4 }), NOW).badgeAwards, undefined);
	assert.deepEqual(evaluate(set, contextFor(visit(2), { customerId: 'c', badges: [], referralCount: 5 }), NOW).badgeAwards?.map((b) => b.badge), ['referral-champion']);
	const own = compileRules({ version: 1, program, rules: badgeReferralChampion.build({ countFact: 'event.data.referralCount', triggers: ['signup'] }) });
	const signup = { type: 'signup', occurredAt: NOW.toISOString(), idempotencyKey: 's:5', customer: { identities: { email: 'a@example.com' } }, data: { referralCount: 5 } };
	assert.deepEqual(evaluate(own, contextFor(signup, { customerId: 'c', badges: [] }), NOW).badgeAwards?.map((b) => b.badge), ['referral-champion']);
});

test('free shipping perk: an offer with a free-shipping coupon Send Offer accepts; early access: a tag on the Other output', () => {
	const rules: RuleInput[] = [{ id: 'perks', triggers: ['purchase'], actions: [{ type: 'perk', perk: 'free_shipping', validHours: 48 }, { type: 'perk', perk: 'early_access' }] }];
	const set = compileRules({ version: 1, program, rules });
	const event = purchase(1000);
	const decision = evaluate(set, contextFor(event, { customerId: 'c', tags: [] }), NOW);
	assert.deepEqual(decision.routes, ['offer', 'other']);
	assert.deepEqual(decision.perkTags, [{ ruleId: 'perks', tag: 'early-access' }]);
	const offers = offerDecisionsFrom(decision, event);
	assert.equal(offers.length, 1, 'early access is no message');
	const parsed = parseOfferDecision(offers[0].offer);
	assert.deepEqual([parsed.offerTemplateId, parsed.coupon?.kind, parsed.coupon?.amount, parsed.coupon?.validDays], ['free_shipping', 'free_shipping', 0, 2]);
	assert.throws(() => parseOfferDecision({ ...offers[0].offer, coupon: { kind: 'percent', amount: 0 } }), (error: Error) => error.message.includes('coupon.amount'));
});

test('an unknown badge and a bad perk are refused at compile time, naming the field', () => {
	assert.throws(() => compileRules({ version: 1, program, rules: [{ id: 'x', triggers: ['purchase'], actions: [{ type: 'schedule_follow_up', afterHours: 1, then: [{ type: 'award_badge', badge: 'nope' }] }] }] }), (error: Error) => error.message.includes('rules[0].actions[0].then[0].badge'));
	assert.throws(() => compileRules({ version: 1, program, rules: [{ id: 'x', triggers: ['purchase'], actions: [{ type: 'perk', perk: 'free_lunch' }] }] as unknown as RuleInput[] }), (error: Error) => error.message.includes('rules[0].actions[0].perk'));
});

test('the Klaviyo profile properties carry the badge names and early access', () => {
	const properties = loyaltyProfileProperties({ points: 120, badges: ['First purchase', 'Explorer'], earlyAccess: true, updatedAt: NOW.toISOString() });
	assert.deepEqual([properties.loyalty_points, properties.loyalty_badges, properties.loyalty_early_access], [120, ['First purchase', 'Explorer'], true]);
});
