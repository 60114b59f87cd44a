import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyProgramChanges, defaultProgramSettings, LoyaltyError, referralLink } from '../../../engine';
import { changesFromForm } from '../../../nodes/LoyaltyProgram/settingsForm';

describe('referral settings, stored once with the program', () => {
	test('defaults: 100 welcome points, 500 for the advocate, a 30-day window, 10 referrals in 30 days, no link', () => {
		assert.deepEqual(defaultProgramSettings('UTC').referral, { friendPoints: 100, advocatePoints: 500, returnWindowDays: 30, maxReferralsPerPeriod: 10, periodDays: 30, linkTemplate: '' });
	});

	test('the Loyalty Program form changes only the referral fields added; the others keep their value', () => {
		const current = defaultProgramSettings('UTC');
		const changed = applyProgramChanges(current, changesFromForm({ referralAdvocatePoints: 800, referralLinkTemplate: ' https://shop.example/?ref={code} ' }, {}, current));
		assert.deepEqual(changed.referral, { ...current.referral, advocatePoints: 800, linkTemplate: 'https://shop.example/?ref={code}' });
		const again = applyProgramChanges(changed, changesFromForm({ referralReturnWindowDays: 14 }, {}, changed));
		assert.deepEqual([again.referral.advocatePoints, again.referral.returnWindowDays, again.currency], [800, 14, 'USD']);
		assert.equal(referralLink(again.referral, 'AB3K7MQ'), 'https://shop.example/?ref=AB3K7MQ');
	});

	test('a bad value is refused naming the field', () => {
		const current = defaultProgramSettings('UTC');
		for (const [form, field] of [
			[{ referralLinkTemplate: 'shop.example/?ref=' }, 'program.referral.linkTemplate'],
			[{ referralFriendPoints: -1 }, 'program.referral.friendPoints'],
			[{ referralMaxPerPeriod: 0 }, 'program.referral.maxReferralsPerPeriod'],
		] as const) {
			assert.throws(() => applyProgramChanges(current, changesFromForm(form, {}, current)), (error: LoyaltyError) => error.field === field && error.message.startsWith(field));
		}
	});
});

describe('badges, set from the Loyalty Program form', () => {
	test('the Badges (JSON) field replaces the list; bad JSON or a bad badge is refused naming the field', () => {
		const current = defaultProgramSettings('UTC');
		const badges = [{ id: 'first-purchase', name: 'First Sip' }, { id: 'night-owl', name: 'Night Owl' }];
		assert.deepEqual(applyProgramChanges(current, changesFromForm({ badges: JSON.stringify(badges) }, {}, current)).badges, badges);
		assert.deepEqual(applyProgramChanges(current, changesFromForm({ badges }, {}, current)).badges, badges, 'an expression hands the list over parsed');
		assert.deepEqual(applyProgramChanges(current, changesFromForm({ referralFriendPoints: 50 }, {}, current)).badges, current.badges, 'left out, the list stays');
		assert.throws(() => changesFromForm({ badges: '[{ id: first }' }, {}, current), (error: LoyaltyError) => error.field === 'program.badges');
		assert.throws(
			() => applyProgramChanges(current, changesFromForm({ badges: JSON.stringify([{ id: 'Night Owl', name: 'x' }]) }, {}, current)),
			(error: LoyaltyError) => String(error.field).startsWith('program.badges'),
		);
	});
});
