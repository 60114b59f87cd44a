import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileRules, type Decision } from '../../../engine';
import { SimulationTally } from '../../../engine/rules/simulationSummary';

const decision = (extra: Partial<Decision>): Decision => ({
	eventKey: 'e1',
	eventType: 'purchase',
	customerKey: 'cus_1',
	evaluatedAt: '2026-03-10T15:00:00.000Z',
	programId: 'default',
	routes: ['award'],
	fired: [],
	holdouts: [],
	bonusAwards: [],
	challengeCompletions: [],
	challengesToStart: [],
	extraPointsUsage: [],
	followUps: [],
	pointsToAward: 0,
	suppressionsToCreate: [],
	explanation: [],
	...extra,
});

test('the simulation counts bonus and challenge points on the rule that granted them, even one no longer in the set', () => {
	const set = compileRules([{ id: 'streak', triggers: ['purchase'], actions: [{ type: 'award_points', mode: 'fixed', points: 1 }] }]);
	const tally = new SimulationTally(set);
	tally.add(
		decision({
			bonusAwards: [{ ruleId: 'retired_bonus', sourceEventKey: 'old', multiplier: 2, points: 12, lines: [0] }],
			challengeCompletions: [{ ruleId: 'streak', sourceEventKey: 'start', challenge: '2_purchases_this_month', goal: 2, purchases: ['a', 'b'], points: 30 } as Decision['challengeCompletions'][number]],
		}),
	);
	const summary = tally.summary();
	assert.equal(summary.perRule.retired_bonus.points, 12);
	assert.equal(summary.perRule.streak.points, 30);
	assert.equal(summary.pointsIssued, 42);
	assert.deepEqual(summary.rulesNeverFired, ['streak']);
});
