import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileRules, parseRuleEvent } from '../../../engine';
import { runCli as capture } from '../../support/cli';

const fixtures = join(__dirname, '..', '..', 'fixtures', 'rules');


describe('n8n-loyalty simulate and schema', () => {
	test('simulate replays the fixture history: a line per decision, then the summary', async () => {
		const { code, lines } = await capture(['simulate', '--rules', join(fixtures, 'rules.json'), '--events', join(fixtures, 'events.jsonl'), '--json']);
		assert.equal(code, 0);
		const decisions = lines.slice(0, -1).map((l) => JSON.parse(l));
		assert.equal(decisions.length, 9, 'eight events and the follow-up one of them scheduled');
		assert.deepEqual(decisions.find((d) => d.type === 'follow_up_due')?.fired, [{ rule: 'cart_recovery', points: 0, actions: ['issue_coupon'], costMinor: 400 }]);
		assert.deepEqual(decisions.map((d) => d.at), [...decisions.map((d) => d.at)].sort(), 'in time order');
		const { summary } = JSON.parse(lines.at(-1)!);
		assert.equal(summary.customersReached, 2);
		assert.equal(summary.pointsIssued, 250);
		assert.deepEqual(summary.rulesNeverFired, ['win_back_high_value', 'birthday_reward']);
		assert.equal(summary.perRule.cart_recovery.fired, 2);
		assert.equal(summary.couponsIssued, 1);
		assert.equal(summary.perRule.cart_recovery.offers, 1);
		assert.deepEqual(summary.capsThatBound, { 'suppression cart_recovery': 1, 'frequency win_back': 1 });
		assert.ok(summary.estimatedRewardCostMinor > 0 && summary.revenueTouchedMinor > summary.estimatedRewardCostMinor);
	});

	test('--as-of leaves later events out; a bad line is reported with its number', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'simulate-'));
		try {
			const events = join(dir, 'events.jsonl');
			writeFileSync(events, readFileSync(join(fixtures, 'events.jsonl'), 'utf8') + '{"type":"purchase"}\n');
			const { code, lines, errors } = await capture(['simulate', '--rules', join(fixtures, 'rules.json'), '--events', events, '--as-of', '2026-01-31T00:00:00Z', '--json']);
			assert.equal(code, 2);
			assert.match(errors[0], /^line 9: event\.occurredAt: /);
			assert.equal(lines.length - 1, 7, 'six events up to January 31 and one follow-up');
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});

	test('simulate refuses an invalid rule file with the JSON path', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'simulate-'));
		try {
			const rules = join(dir, 'rules.json');
			writeFileSync(rules, JSON.stringify({ version: 1, rules: [{ id: 'x', triggers: ['purchase'], actions: [{ type: 'award_points', mode: 'fixed', points: -1 }] }] }));
			await assert.rejects(capture(['simulate', '--rules', rules, '--events', join(fixtures, 'events.jsonl')]), /rules\[0\]\.actions\[0\]\.points/);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});

	test('schema prints JSON Schemas that describe the fixtures', async () => {
		const rules = await capture(['schema', 'rules']);
		const schema = JSON.parse(rules.lines.join('\n'));
		assert.equal(schema.type, 'object');
		assert.deepEqual(schema.required.sort(), ['rules', 'version']);
		assert.equal(schema.properties.version.const, 1);
		const events = JSON.parse((await capture(['schema', 'events'])).lines.join('\n'));
		assert.deepEqual(events.required.sort(), ['customer', 'idempotencyKey', 'occurredAt', 'type']);
		// The fixtures the schemas document are accepted by the code they were generated from.
		compileRules(JSON.parse(readFileSync(join(fixtures, 'rules.json'), 'utf8')));
		for (const line of readFileSync(join(fixtures, 'events.jsonl'), 'utf8').trim().split('\n')) parseRuleEvent(JSON.parse(line));
	});
});
