import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LoyaltyError } from '../../../engine';
import { SCHEDULE_PROPERTIES } from '../../../nodes/LoyaltyScheduleTrigger/description';
import { healthCheckSettingsFrom, scheduleSettingsFrom } from '../../../nodes/LoyaltyScheduleTrigger/settings';

const read = (values: Record<string, unknown>) => (name: string, fallback?: unknown) => (name in values ? values[name] : fallback);

describe('the schedule trigger’s health check', () => {
	test('is an event kind of its own, with its thresholds shown only for it', () => {
		const kinds = SCHEDULE_PROPERTIES.find((p) => p.name === 'dueEvents');
		assert.ok(kinds?.options?.some((o) => 'value' in o && o.value === 'healthCheck' && o.name === 'Health Check (for the Owner)'));
		for (const name of ['healthQuietFactor', 'healthMinQuietHours', 'healthQuarantineAbove', 'healthParkedAbove', 'healthUnprocessedAbove']) {
			assert.deepEqual(SCHEDULE_PROPERTIES.find((p) => p.name === name)?.displayOptions, { show: { dueEvents: ['healthCheck'] } }, name);
		}
	});

	test('alone, it looks for no customer events; with others, both are read', () => {
		// The program (id, time zone) is the stored one, handed over by the trigger.
		const shop = { id: 'shop', currency: 'EUR', timeZone: 'Europe/Berlin' };
		const only = read({ dueEvents: ['healthCheck'] });
		assert.equal(scheduleSettingsFrom(only, shop), undefined);
		assert.deepEqual(healthCheckSettingsFrom(only, shop), { programId: 'shop', timeZone: 'Europe/Berlin', quietFactor: 3, minQuietHours: 24, quarantineAbove: 0, parkedAbove: 0, unprocessedAbove: 0 });
		const both = read({ dueEvents: ['healthCheck', 'followUps'], healthMinQuietHours: 6, healthQuarantineAbove: 2 });
		assert.deepEqual(scheduleSettingsFrom(both)?.kinds, { followUps: true });
		assert.deepEqual(healthCheckSettingsFrom(both), { programId: 'default', timeZone: 'UTC', quietFactor: 3, minQuietHours: 6, quarantineAbove: 2, parkedAbove: 0, unprocessedAbove: 0 });
		assert.equal(healthCheckSettingsFrom(read({ dueEvents: ['followUps'] })), undefined);
	});

	test('wrong numbers name their field', () => {
		const fails = (values: Record<string, unknown>, field: string) =>
			assert.throws(() => healthCheckSettingsFrom(read({ dueEvents: ['healthCheck'], ...values })), (error: unknown) => error instanceof LoyaltyError && error.field === field);
		fails({ healthQuietFactor: 1 }, 'healthQuietFactor');
		fails({ healthMinQuietHours: 0 }, 'healthMinQuietHours');
		fails({ healthQuarantineAbove: -1 }, 'healthQuarantineAbove');
		fails({ healthParkedAbove: 1.5 }, 'healthParkedAbove');
		assert.throws(() => healthCheckSettingsFrom(read({ dueEvents: [] })), (error: unknown) => error instanceof LoyaltyError && error.field === 'dueEvents');
	});
});
