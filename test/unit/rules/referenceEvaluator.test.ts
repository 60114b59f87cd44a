/**
 * The compiled evaluator against a straightforward reference kept here: the condition semantics
 * written plainly (every value re-read, compared and lower-cased on the spot, no memo, no
 * prepared operators), and the winners' order as a plain sort. On random rules and events the
 * decision must name the same fired rules, in the same order, with the same condition trees, and
 * the same first failing condition for every rule that was not met.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileRules, evaluate, type EvaluatedCondition, type EvaluatedNode, type EvaluationContext, type RuleInput } from '../../../engine';

const DAY_MS = 86_400_000;

// ---- The reference: facts, operators and trees as the rule model defines them. ----

type Read = (context: EvaluationContext, nowMs: number) => unknown;

function categoriesOf(lines: Array<{ category?: string }> | undefined): string[] | undefined {
	return lines ? [...new Set(lines.filter((l) => l.category).map((l) => l.category!.toLowerCase()))] : undefined;
}

const REFERENCE_FACTS: Record<string, { type: string; read: Read }> = {
	'event.order.totalMinor': { type: 'number', read: (c) => c.event.order?.totalMinor },
	'event.order.itemCount': { type: 'number', read: (c) => c.event.order?.lines?.reduce((n, l) => n + (l.quantity ?? 1), 0) },
	'event.order.categories': { type: 'list', read: (c) => categoriesOf(c.event.order?.lines) },
	'event.order.skus': { type: 'list', read: (c) => c.event.order?.lines?.flatMap((l) => (l.sku ? [l.sku] : [])) },
	'event.order.currency': { type: 'string', read: (c) => c.event.order?.currency },
	'event.occurredAt': { type: 'date', read: (c) => c.event.occurredAt },
	'profile.spendMinor': { type: 'number', read: (c) => c.profile.spendMinor },
	'profile.orderCount': { type: 'number', read: (c) => c.profile.orderCount },
	'profile.tier': { type: 'string', read: (c) => c.profile.tier },
	'profile.segment': { type: 'string', read: (c) => c.profile.segment },
	'profile.tags': { type: 'list', read: (c) => c.profile.tags ?? c.event.customer?.tags },
	'profile.lastOrderAt': { type: 'date', read: (c) => c.profile.lastOrderAt },
	'profile.daysSinceLastOrder': { type: 'number', read: (c, now) => (c.profile.lastOrderAt && !Number.isNaN(Date.parse(c.profile.lastOrderAt)) ? Math.floor((now - Date.parse(c.profile.lastOrderAt)) / DAY_MS) : undefined) },
	'event.data.x': { type: 'any', read: (c) => c.event.data?.x },
};

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isInstant = (v: unknown) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) && !Number.isNaN(Date.parse(v));
const same = (a: unknown, b: unknown) => a === b || (typeof a === 'string' && typeof b === 'string' && a.toLowerCase() === b.toLowerCase());
const has = (list: unknown[], value: unknown) => list.some((item) => same(item, value));

/** Operator → [the type the fact must have, the predicate]. */
const REFERENCE_OPERATORS: Record<string, [string, (a: unknown, e: unknown, now: number) => boolean]> = {
	equal: ['anything', (a, e) => same(a, e)],
	not_equal: ['anything', (a, e) => !same(a, e)],
	greater_than: ['number', (a, e) => (a as number) > (e as number)],
	greater_than_or_equal: ['number', (a, e) => (a as number) >= (e as number)],
	less_than: ['number', (a, e) => (a as number) < (e as number)],
	less_than_or_equal: ['number', (a, e) => (a as number) <= (e as number)],
	between: ['number', (a, e) => (a as number) >= (e as number[])[0] && (a as number) <= (e as number[])[1]],
	in: ['anything', (a, e) => has(e as unknown[], a)],
	not_in: ['anything', (a, e) => !has(e as unknown[], a)],
	starts_with: ['string', (a, e) => (a as string).toLowerCase().startsWith((e as string).toLowerCase())],
	ends_with: ['string', (a, e) => (a as string).toLowerCase().endsWith((e as string).toLowerCase())],
	contains: ['list', (a, e) => has(a as unknown[], e)],
	not_contains: ['list', (a, e) => !has(a as unknown[], e)],
	contains_any: ['list', (a, e) => (e as unknown[]).some((v) => has(a as unknown[], v))],
	contains_all: ['list', (a, e) => (e as unknown[]).every((v) => has(a as unknown[], v))],
	contains_none: ['list', (a, e) => !(e as unknown[]).some((v) => has(a as unknown[], v))],
	before: ['date', (a, e) => Date.parse(a as string) < Date.parse(e as string)],
	after: ['date', (a, e) => Date.parse(a as string) > Date.parse(e as string)],
	within_last_days: ['date', (a, e, now) => Date.parse(a as string) >= now - (e as number) * DAY_MS],
	more_than_days_ago: ['date', (a, e, now) => Date.parse(a as string) < now - (e as number) * DAY_MS],
	exists: ['present', () => true],
	not_exists: ['anything', (a) => a === undefined || a === null],
};

function fits(type: string, value: unknown): boolean {
	if (type === 'number') return isNumber(value);
	if (type === 'string') return typeof value === 'string';
	if (type === 'list') return Array.isArray(value);
	if (type === 'date') return isInstant(value);
	if (type === 'present') return value !== undefined && value !== null;
	return true;
}

interface Leaf {
	fact: string;
	operator: string;
	value?: unknown;
}
type Node = Leaf | { all: Node[] } | { any: Node[] } | { not: Node };

function explainLeaf(leaf: Leaf, path: string, context: EvaluationContext, nowMs: number): EvaluatedCondition {
	const actual = REFERENCE_FACTS[leaf.fact].read(context, nowMs);
	const [type, predicate] = REFERENCE_OPERATORS[leaf.operator];
	const base = { path, fact: leaf.fact, operator: leaf.operator, expected: leaf.value };
	if ((actual === undefined || actual === null) && leaf.operator !== 'not_exists') return { ...base, actual: null, result: false, reason: `${leaf.fact} is missing` };
	if (!fits(type, actual)) return { ...base, actual, result: false, reason: `${leaf.fact} is not a ${type}` };
	return { ...base, actual, result: predicate(actual, leaf.value, nowMs) };
}

/** The whole evaluated tree, as a fired rule shows it. */
function explain(node: Node, path: string, context: EvaluationContext, nowMs: number): EvaluatedNode {
	if ('all' in node) {
		const all = node.all.map((child, i) => explain(child, `${path}.all[${i}]`, context, nowMs));
		return { path, all, result: all.every((c) => c.result) };
	}
	if ('any' in node) {
		const any = node.any.map((child, i) => explain(child, `${path}.any[${i}]`, context, nowMs));
		return { path, any, result: any.some((c) => c.result) };
	}
	if ('not' in node) {
		const not = explain(node.not, `${path}.not`, context, nowMs);
		return { path, not, result: !not.result };
	}
	return explainLeaf(node, path, context, nowMs);
}

/**
 * Whether the conditions hold, and if not the reason: the first failing leaf in reading order
 * (a failed alternative of an `any` that held is no reason; a `not` whose condition held is).
 */
function firstFailure(node: Node, path: string, context: EvaluationContext, nowMs: number): { held: boolean; failure?: EvaluatedCondition } {
	if ('all' in node) {
		for (let i = 0; i < node.all.length; i++) {
			const child = firstFailure(node.all[i], `${path}.all[${i}]`, context, nowMs);
			if (!child.held) return child;
		}
		return { held: true };
	}
	if ('any' in node) {
		let first: EvaluatedCondition | undefined;
		for (let i = 0; i < node.any.length; i++) {
			const child = firstFailure(node.any[i], `${path}.any[${i}]`, context, nowMs);
			if (child.held) return { held: true };
			first ??= child.failure;
		}
		return { held: false, failure: first };
	}
	if ('not' in node) {
		if (!firstFailure(node.not, `${path}.not`, context, nowMs).held) return { held: true };
		return { held: false, failure: { path, fact: 'not', operator: 'not', expected: false, actual: true, result: false, reason: `the condition at ${path}.not was met` } };
	}
	const leaf = explainLeaf(node, path, context, nowMs);
	return leaf.result ? { held: true } : { held: false, failure: leaf };
}

// ---- Random rules and events. ----

const text = fc.constantFrom('Gold', 'gold', 'GOLD', 'Silver', 'coffee', 'Coffee', 'TEA', 'vip', 'İstanbul', 'istanbul', 'i̇stanbul', 'loyal', '');
const amount = fc.oneof(fc.integer({ min: -5, max: 20_000 }), fc.constantFrom(0, 1000, 5000));
const instant = fc.constantFrom('2026-03-01T00:00:00Z', '2026-03-10T14:00:00Z', '2025-12-24T10:00:00+02:00', '2020-01-01T00:00:00Z');
const numberFacts = ['event.order.totalMinor', 'event.order.itemCount', 'profile.spendMinor', 'profile.orderCount', 'profile.daysSinceLastOrder'];
const stringFacts = ['profile.tier', 'profile.segment', 'event.order.currency'];
const listFacts = ['event.order.categories', 'event.order.skus', 'profile.tags'];
const dateFacts = ['event.occurredAt', 'profile.lastOrderAt'];

const leaf: fc.Arbitrary<Leaf> = fc.oneof(
	fc.record({ fact: fc.constantFrom(...numberFacts, 'event.data.x'), operator: fc.constantFrom('greater_than', 'greater_than_or_equal', 'less_than', 'less_than_or_equal'), value: amount }),
	fc.record({ fact: fc.constantFrom(...numberFacts), operator: fc.constant('between'), value: fc.tuple(amount, amount).map(([a, b]) => [Math.min(a, b), Math.max(a, b)]) }),
	fc.record({ fact: fc.constantFrom(...stringFacts, ...numberFacts, 'event.data.x'), operator: fc.constantFrom('equal', 'not_equal'), value: fc.oneof(text, amount, fc.boolean()) }),
	fc.record({ fact: fc.constantFrom(...stringFacts, ...numberFacts, 'event.data.x'), operator: fc.constantFrom('in', 'not_in'), value: fc.array(fc.oneof(text, amount, fc.constant(null)), { minLength: 1, maxLength: 4 }) }),
	fc.record({ fact: fc.constantFrom(...stringFacts, 'event.data.x'), operator: fc.constantFrom('starts_with', 'ends_with'), value: text }),
	fc.record({ fact: fc.constantFrom(...listFacts, 'event.data.x'), operator: fc.constantFrom('contains', 'not_contains'), value: fc.oneof(text, amount) }),
	fc.record({ fact: fc.constantFrom(...listFacts, 'event.data.x'), operator: fc.constantFrom('contains_any', 'contains_all', 'contains_none'), value: fc.array(fc.oneof(text, amount), { minLength: 1, maxLength: 3 }) }),
	fc.record({ fact: fc.constantFrom(...dateFacts, 'event.data.x'), operator: fc.constantFrom('before', 'after'), value: instant }),
	fc.record({ fact: fc.constantFrom(...dateFacts, 'event.data.x'), operator: fc.constantFrom('within_last_days', 'more_than_days_ago'), value: fc.integer({ min: 1, max: 400 }) }),
	fc.record({ fact: fc.constantFrom(...stringFacts, ...listFacts, 'event.data.x'), operator: fc.constantFrom('exists', 'not_exists') }),
);
const tree: fc.Arbitrary<Node> = fc.letrec<{ node: Node }>((tie) => ({
	node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, leaf, fc.record({ all: fc.array(tie('node'), { maxLength: 3 }) }), fc.record({ any: fc.array(tie('node'), { maxLength: 3 }) }), fc.record({ not: tie('node') })),
})).node;

const action = fc.oneof(
	fc.record({ type: fc.constant('award_points' as const), mode: fc.constant('fixed' as const), points: fc.integer({ min: 1, max: 30 }) }),
	fc.record({ type: fc.constant('award_points' as const), mode: fc.constant('per_currency_unit' as const), pointsPerUnit: fc.constantFrom(0.5, 1, 2) }),
	fc.record({ type: fc.constant('send_offer' as const), template: fc.constant('t'), valueMinor: fc.integer({ min: 1, max: 30 }) }),
);
const ruleList = fc.uniqueArray(fc.record({ id: fc.stringMatching(/^[a-zA-Z0-9][a-z0-9_]{0,5}$/), priority: fc.integer({ min: 0, max: 2 }), conditions: fc.option(tree, { nil: undefined }), actions: fc.array(action, { minLength: 1, maxLength: 2 }) }), { selector: (r) => r.id, maxLength: 24 });

const line = fc.record({ sku: fc.option(fc.constantFrom('S1', 's2'), { nil: undefined }), category: fc.option(fc.constantFrom('Coffee', 'coffee', 'TEA', 'pastries'), { nil: undefined }), quantity: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }), totalMinor: fc.integer({ min: 0, max: 5000 }) }, { requiredKeys: [] });
const context: fc.Arbitrary<EvaluationContext> = fc
	.record({
		// A missing total (a malformed context) makes per-unit points NaN: their order is then left unchecked.
		order: fc.option(fc.record({ id: fc.constant('o1'), currency: fc.constantFrom('USD', 'JPY'), totalMinor: fc.option(fc.integer({ min: 0, max: 20_000 }), { nil: undefined, freq: 8 }), lines: fc.option(fc.array(line, { maxLength: 4 }), { nil: undefined }) }, { requiredKeys: ['id', 'currency', 'totalMinor'] }), { nil: undefined }),
		data: fc.option(fc.record({ x: fc.oneof(text, amount, fc.boolean(), fc.constant(null), fc.array(text, { maxLength: 2 }), instant) }), { nil: undefined }),
		tags: fc.option(fc.array(text, { maxLength: 3 }), { nil: undefined }),
		profile: fc.record({ spendMinor: amount, orderCount: fc.integer({ min: 0, max: 12 }), tier: text, segment: text, tags: fc.array(text, { maxLength: 3 }), lastOrderAt: fc.oneof(instant, fc.constant('not a date')) }, { requiredKeys: [] }),
	})
	.map(({ order, data, tags, profile }) => ({
		event: { type: 'purchase', occurredAt: '2026-03-10T14:00:00Z', idempotencyKey: 'k', customer: { identities: { email: 'a@example.com' }, ...(tags ? { tags } : {}) }, ...(order ? { order: order as { id: string; currency: string; totalMinor: number } } : {}), ...(data ? { data } : {}) },
		profile: { customerKey: 'cus_1', ...profile },
		aggregates: {},
		counters: { ruleUses: {}, customerRewardsToday: 0, capUsage: {}, suppressedUntil: {} },
	}));

describe('the compiled evaluator against a plain reference', () => {
	test('property: the same rules fire, in the same order, with the same condition trees and the same first failing condition', () => {
		const NOW = new Date('2026-03-10T15:00:00Z');
		fc.assert(
			fc.property(ruleList, fc.array(context, { minLength: 1, maxLength: 3 }), (rules, contexts) => {
				const set = compileRules(rules.map((r) => ({ id: r.id, priority: r.priority, triggers: ['purchase'], actions: r.actions, ...(r.conditions ? { conditions: r.conditions } : {}) }) as RuleInput));
				for (const c of contexts) {
					const decision = evaluate(set, c, NOW);
					const expectedFired = [];
					for (const rule of rules) {
						const line = decision.explanation.find((e) => e.ruleId === rule.id);
						assert.ok(line, `rule ${rule.id} is explained`);
						if (!rule.conditions) {
							assert.equal(line.outcome, 'fired');
							assert.deepEqual(line.conditions, { path: 'conditions', all: [], result: true });
						} else if (firstFailure(rule.conditions, 'rules[i].conditions', c, NOW.getTime()).held) {
							assert.equal(line.outcome, 'fired', `rule ${rule.id} fires`);
						} else {
							assert.equal(line.outcome, 'not_met', `rule ${rule.id} is not met`);
						}
						if (line.outcome === 'fired') expectedFired.push(rule);
						const index = rules.indexOf(rule);
						const path = `rules[${index}].conditions`;
						if (rule.conditions && line.outcome === 'fired') assert.deepStrictEqual(line.conditions, explain(rule.conditions, path, c, NOW.getTime()));
						if (rule.conditions && line.outcome === 'not_met') assert.deepStrictEqual(line.failedCondition, firstFailure(rule.conditions, path, c, NOW.getTime()).failure);
					}
					// Winners in order: priority, then value (points at 1 minor unit each, plus offers), then id by code point.
					const valueOf = (ruleId: string) => decision.fired.find((f) => f.ruleId === ruleId)!.costMinor;
					const order = expectedFired.map((r) => ({ id: r.id, priority: r.priority, value: valueOf(r.id) }));
					if (order.every((o) => !Number.isNaN(o.value))) {
						order.sort((a, b) => b.priority - a.priority || b.value - a.value || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
						assert.deepEqual(
							decision.fired.map((f) => f.ruleId),
							order.map((o) => o.id),
						);
					} else {
						assert.deepEqual(decision.fired.map((f) => f.ruleId).sort(), order.map((o) => o.id).sort());
					}
				}
			}),
			{ numRuns: 400 },
		);
	});
});
