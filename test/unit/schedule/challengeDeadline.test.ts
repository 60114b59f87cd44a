import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DUE_EVENT_TYPE_OF, LoyaltyError, parseScheduleSettings, RULE_TRIGGERS } from '../../../engine';
import { SCHEDULE_PROPERTIES } from '../../../nodes/LoyaltyScheduleTrigger/description';
import { scheduleSettingsFrom } from '../../../nodes/LoyaltyScheduleTrigger/settings';

const base = { programId: 'default', programTimeZone: 'UTC', currency: 'USD' };

describe('challenge deadline settings', () => {
	test('arrives as a challenge_deadline event, a rule trigger; 2 days before by default; whole days only', () => {
		assert.equal(DUE_EVENT_TYPE_OF.challenge_deadline, 'challenge_deadline');
		assert.ok(RULE_TRIGGERS.includes('challenge_deadline'));
		assert.deepEqual(parseScheduleSettings({ ...base, kinds: { challengeDeadline: {} } }).kinds.challengeDeadline, { daysBefore: 2 });
		assert.throws(
			() => parseScheduleSettings({ ...base, kinds: { challengeDeadline: { daysBefore: 1.5 } } }),
			(error: unknown) => error instanceof LoyaltyError && error.field === 'settings.kinds.challengeDeadline.daysBefore',
		);
	});

	test('the schedule trigger offers "Challenge Ending Soon" with its days, shown only for it', () => {
		const kinds = SCHEDULE_PROPERTIES.find((p) => p.name === 'dueEvents');
		assert.ok(kinds?.options?.some((o) => 'value' in o && o.value === 'challengeDeadline' && o.name === 'Challenge Ending Soon'));
		const days = SCHEDULE_PROPERTIES.find((p) => p.name === 'challengeDaysBefore');
		assert.deepEqual([days?.displayName, days?.default, days?.displayOptions], ['Days Before the Challenge Ends', 2, { show: { dueEvents: ['challengeDeadline'] } }]);

		const read = (values: Record<string, unknown>) => (name: string, fallback?: unknown) => (name in values ? values[name] : fallback);
		assert.deepEqual(scheduleSettingsFrom(read({ dueEvents: ['challengeDeadline'], challengeDaysBefore: 3 }))?.kinds, { challengeDeadline: { daysBefore: 3 } });
		assert.deepEqual(scheduleSettingsFrom(read({ dueEvents: ['challengeDeadline'] }))?.kinds, { challengeDeadline: { daysBefore: 2 } });
		assert.throws(() => scheduleSettingsFrom(read({ dueEvents: ['challengeDeadline'], challengeDaysBefore: 0 })), (error: unknown) => error instanceof LoyaltyError && error.field === 'challengeDaysBefore');
	});
});
