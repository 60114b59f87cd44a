import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { findOfferTemplate, LoyaltyError, parseOfferTemplates, renderTemplate, withOptOutHint, type PersonalFields } from '../../../engine';

const TZ = { timeZone: 'Europe/Berlin' };

describe('personalisation', () => {
	test('fills the fields a shop owner writes', () => {
		const text = '{{firstName}}, your favourite {{favouriteCategory}} are running low — order now for 2x points; you have {{points}} points.';
		assert.equal(
			renderTemplate(text, { firstName: 'Ana', favouriteCategory: 'beans', points: 1450 }, TZ),
			'Ana, your favourite beans are running low — order now for 2x points; you have 1,450 points.',
		);
	});

	test('missing fields read naturally: built-in fallback, own fallback, or the sentence is left out', () => {
		assert.equal(renderTemplate('Hi {{firstName}}!', {}, TZ), 'Hi there!');
		assert.equal(renderTemplate('Hi {{firstName|friend}}!', {}, TZ), 'Hi friend!');
		const text = 'Hi {{firstName}}.{{#pointsExpiring}} {{pointsExpiring}} points expire on {{pointsExpireAt}}.{{/pointsExpiring}} See you soon.';
		assert.equal(renderTemplate(text, {}, TZ), 'Hi there. See you soon.');
		assert.equal(renderTemplate(text, { pointsExpiring: 120, pointsExpireAt: '2026-07-31T21:59:59Z' }, TZ), 'Hi there. 120 points expire on Jul 31, 2026. See you soon.');
	});

	test('a hole that cannot be filled is an error naming the field, never "undefined"', () => {
		assert.throws(() => renderTemplate('Use {{couponCode}}', {}, { ...TZ, field: 'templates.0.smsBody' }), (e: LoyaltyError) => e.field === 'templates.0.smsBody' && /couponCode/.test(e.message));
	});

	test('property: no rendering of any subset of fields ever says undefined, null or shows a brace', () => {
		const text = 'Hi {{firstName}}, {{tier}} member.{{#points}} You have {{points}} points.{{/points}}{{#couponCode}} Code {{couponCode}} until {{couponExpiresAt|soon}}.{{/couponCode}} Try {{crossSellPick}} from {{shopName}}.';
		const fields = fc.record<PersonalFields>(
			{ firstName: fc.string({ minLength: 1, maxLength: 8 }).filter((s) => !/[{}]/.test(s)), points: fc.nat(), tier: fc.constantFrom('Gold', 'Silver'), couponCode: fc.constant('LOY-ABC'), couponExpiresAt: fc.constant('2026-08-01T00:00:00Z'), crossSellPick: fc.constant('grinder'), shopName: fc.constant('Bean Bar') },
			{ requiredKeys: [] },
		);
		fc.assert(
			fc.property(fields, (f) => {
				const out = renderTemplate(text, f, TZ);
				assert.doesNotMatch(out, /undefined|null|NaN|\{|\}/);
			}),
		);
	});

	test('templates are checked when set up: unknown fields and duplicate ids are refused by field', () => {
		assert.throws(() => parseOfferTemplates([{ id: 'a', metricName: 'm', smsBody: 'Hi {{frstName}}' }]), (e: LoyaltyError) => e.field === 'templates.0.smsBody' && /frstName/.test(e.message));
		assert.throws(() => parseOfferTemplates([{ id: 'a', metricName: 'm' }, { id: 'a', metricName: 'n' }]), (e: LoyaltyError) => e.field === 'templates.1.id');
		const templates = parseOfferTemplates([{ id: 'coffee-10', metricName: 'Loyalty Offer: Coffee', smsBody: 'Hi {{firstName}}' }]);
		assert.equal(findOfferTemplate(templates, 'coffee-10').metricName, 'Loyalty Offer: Coffee');
		assert.throws(() => findOfferTemplate(templates, 'tea'), (e: LoyaltyError) => e.field === 'decision.offerTemplateId' && e.code === 'not_found');
	});

	test('marketing SMS say how to stop them, once', () => {
		assert.equal(withOptOutHint('10% off today.'), '10% off today. Reply STOP to opt out.');
		assert.equal(withOptOutHint('10% off. Text STOP to end.'), '10% off. Text STOP to end.');
	});
});
