import { LoyaltyError } from '../model/errors';
import { FACT_BY_NAME, genericEventFact, MEMO_SLOTS, type Fact } from './facts';
import { closestOperator, fitsOf, operatorFitsFact, OPERATOR_BY_NAME, OPERATORS, type Operator } from './operators';
import { aggregateSchema, type AggregateSpec } from './schema';
import type { EvaluatedCondition, EvaluatedNode, EvaluationContext } from './types';
import { formatZodPath } from './paths';

/** Per-evaluation scratch: the compiled closures read the context and note the first failure. */
export interface ConditionRun {
	context: EvaluationContext;
	nowMs: number;
	zone: string;
	failure: EvaluatedCondition | undefined;
	/** Derived facts (category lists) computed once per evaluation, however many rules read them; by `Fact.memoSlot`. */
	memo: unknown[] | undefined;
	/** Which memo slots hold a value (bit `1 << slot`): a value may itself be undefined. */
	memoized: number;
}

/** A reader of one fact for a run; a costly fact is read once per evaluation. */
function readerOf(fact: Fact): (run: ConditionRun) => unknown {
	const { read, memoSlot } = fact;
	if (memoSlot === undefined) return (run) => read(run.context, run.nowMs, run.zone);
	const bit = 1 << memoSlot;
	return (run) => {
		if ((run.memoized & bit) !== 0) return run.memo![memoSlot];
		const value = read(run.context, run.nowMs, run.zone);
		// Made on the first derived fact: most evaluations of small rule sets read none.
		(run.memo ??= new Array<unknown>(MEMO_SLOTS))[memoSlot] = value;
		run.memoized |= bit;
		return value;
	};
}

/** A compiled condition tree: `test` is the fast path; `explain` builds the evaluated tree. */
export interface CompiledCondition {
	test(run: ConditionRun): boolean;
	explain(run: ConditionRun): EvaluatedNode;
	/** `explain` for a tree whose `test` just held in this run (a fired rule's): the same tree, without testing again what must have held. */
	explainPassed(run: ConditionRun): EvaluatedNode;
}

export function aggregateKey(spec: AggregateSpec): string {
	const window = spec.lastDays !== undefined ? `last_${spec.lastDays}_days` : `this_${spec.calendar}`;
	return spec.measure === 'category_purchases' ? `${spec.measure}:${spec.category!.toLowerCase()}:${window}` : `${spec.measure}:${window}`;
}

const ALWAYS: CompiledCondition = { test: () => true, explain: () => ({ path: 'conditions', all: [], result: true }), explainPassed: () => ({ path: 'conditions', all: [], result: true }) };

/**
 * Compiles a condition tree. Every malformed node is a LoyaltyError naming its JSON path; an
 * unknown operator is an error, never a silently false condition.
 */
export function compileConditions(input: unknown, path: string, aggregates: Map<string, AggregateSpec>): CompiledCondition {
	if (input === undefined) return ALWAYS;
	return compileNode(input, path, aggregates);
}

function compileNode(node: unknown, path: string, aggregates: Map<string, AggregateSpec>): CompiledCondition {
	if (node === null || typeof node !== 'object' || Array.isArray(node)) throw LoyaltyError.invalid(path, 'must be a condition ({ fact, operator, value }) or a group ({ all: [...] }, { any: [...] }, { not: {...} })');
	const keys = Object.keys(node);
	if (keys.length === 1 && (keys[0] === 'all' || keys[0] === 'any')) {
		const kind = keys[0];
		const children = (node as Record<string, unknown>)[kind];
		if (!Array.isArray(children)) throw LoyaltyError.invalid(`${path}.${kind}`, 'must be a list of conditions');
		return kind === 'all' ? allOf(children.map((c, i) => compileNode(c, `${path}.all[${i}]`, aggregates)), path) : anyOf(children.map((c, i) => compileNode(c, `${path}.any[${i}]`, aggregates)), path);
	}
	if (keys.length === 1 && keys[0] === 'not') return notOf(compileNode((node as { not: unknown }).not, `${path}.not`, aggregates), path);
	if (keys.some((k) => k === 'all' || k === 'any' || k === 'not')) throw LoyaltyError.invalid(path, 'a group has exactly one key: all, any or not');
	return compileLeaf(node as Record<string, unknown>, path, aggregates);
}

function compileLeaf(node: Record<string, unknown>, path: string, aggregates: Map<string, AggregateSpec>): CompiledCondition {
	for (const key of Object.keys(node)) {
		if (!['fact', 'aggregate', 'operator', 'value'].includes(key)) throw LoyaltyError.invalid(`${path}.${key}`, 'is not a condition field (fact, aggregate, operator, value)');
	}
	const operatorName = node.operator;
	if (typeof operatorName !== 'string' || operatorName.length === 0) throw LoyaltyError.invalid(`${path}.operator`, `is required: one of ${OPERATORS.map((o) => o.name).join(', ')}`);
	const operator = OPERATOR_BY_NAME.get(operatorName);
	if (!operator) {
		const hint = closestOperator(operatorName);
		throw LoyaltyError.invalid(`${path}.operator`, `unknown operator "${operatorName}"${hint ? ` (did you mean "${hint}"?)` : ''}`);
	}
	let fact: Fact;
	if (node.aggregate !== undefined) {
		if (node.fact !== undefined) throw LoyaltyError.invalid(path, 'give either fact or aggregate, not both');
		const parsed = aggregateSchema.safeParse(node.aggregate);
		if (!parsed.success) {
			const issue = parsed.error.issues[0];
			throw LoyaltyError.invalid(`${path}.aggregate${formatZodPath(issue.path)}`, issue.message);
		}
		const key = aggregateKey(parsed.data);
		aggregates.set(key, parsed.data);
		fact = { name: `aggregate.${key}`, type: parsed.data.measure === 'spend_minor' ? 'money' : 'number', description: '', read: (c) => c.aggregates[key] };
	} else {
		if (typeof node.fact !== 'string') throw LoyaltyError.invalid(`${path}.fact`, 'is required (e.g. "event.order.totalMinor"), or give an aggregate');
		const known = FACT_BY_NAME.get(node.fact) ?? genericEventFact(node.fact);
		if (!known) throw LoyaltyError.invalid(`${path}.fact`, `unknown fact "${node.fact}" (profile facts: ${[...FACT_BY_NAME.keys()].filter((f) => f.startsWith('profile.')).join(', ')}; or any event.<field>)`);
		fact = known;
	}
	if (!operatorFitsFact(operator, fact.type)) throw LoyaltyError.invalid(`${path}.operator`, `"${operator.name}" does not apply to ${fact.name}, which is a ${fact.type}`);
	if (!operator.checkExpected(node.value)) throw LoyaltyError.invalid(`${path}.value`, `"${operator.name}" needs ${operator.describeExpected}, got ${JSON.stringify(node.value) ?? 'nothing'}`);
	return leaf(fact, operator, node.value, path);
}

function leaf(fact: Fact, operator: Operator, expected: unknown, path: string): CompiledCondition {
	const treatsMissingAsMatch = operator.name === 'not_exists';
	const read = readerOf(fact);
	const fits = fitsOf(operator);
	const holds = operator.prepare(expected);
	const check = operator.prepareCheck?.(expected) ?? ((actual: unknown, nowMs: number) => ((actual === undefined || actual === null) && !treatsMissingAsMatch ? false : fits(actual) && holds(actual, nowMs)));
	const factName = fact.name;
	const operatorName = operator.name;
	const missing = `${factName} is missing`;
	const wrongType = `${factName} is not a ${operator.actualType}`;
	/**
	 * The evaluated condition for a value: missing, of the wrong type, or tested. `held` is the test's
	 * answer when it is already known (a value the check refused), else the predicate is asked.
	 */
	const evaluated = (actual: unknown, nowMs: number, held?: boolean): EvaluatedCondition => {
		if ((actual === undefined || actual === null) && !treatsMissingAsMatch) return { path, fact: factName, operator: operatorName, expected, actual: null, result: false, reason: missing };
		if (!fits(actual)) return { path, fact: factName, operator: operatorName, expected, actual, result: false, reason: wrongType };
		return { path, fact: factName, operator: operatorName, expected, actual, result: held ?? holds(actual, nowMs) };
	};
	return {
		test(run) {
			const actual = read(run);
			if (check(actual, run.nowMs)) return true;
			// Only failures pay for an explanation object, worded from the value just read.
			if (run.failure === undefined) run.failure = evaluated(actual, run.nowMs, false);
			return false;
		},
		explain(run) {
			return evaluated(read(run), run.nowMs);
		},
		explainPassed(run) {
			// The test held, so the value was there, of the right type, and held: only the value is read again.
			return { path, fact: factName, operator: operatorName, expected, actual: read(run), result: true };
		},
	};
}

function allOf(children: CompiledCondition[], path: string): CompiledCondition {
	return {
		test(run) {
			for (let i = 0; i < children.length; i++) if (!children[i].test(run)) return false;
			return true;
		},
		explain(run) {
			// Sized up front: a pushed-to array reserves room for 16 children.
			const evaluated = new Array<EvaluatedNode>(children.length);
			let result = true;
			for (let i = 0; i < children.length; i++) {
				const child = (evaluated[i] = children[i].explain(run));
				if (!child.result) result = false;
			}
			return { path, all: evaluated, result };
		},
		explainPassed(run) {
			// Every child of an `all` that held held too.
			const evaluated = new Array<EvaluatedNode>(children.length);
			for (let i = 0; i < children.length; i++) evaluated[i] = children[i].explainPassed(run);
			return { path, all: evaluated, result: true };
		},
	};
}

function anyOf(children: CompiledCondition[], path: string): CompiledCondition {
	return {
		test(run) {
			const before = run.failure;
			for (let i = 0; i < children.length; i++) {
				if (children[i].test(run)) {
					// A failed alternative is not the reason when another alternative held.
					run.failure = before;
					return true;
				}
			}
			return false;
		},
		explain(run) {
			const evaluated = new Array<EvaluatedNode>(children.length);
			let result = false;
			for (let i = 0; i < children.length; i++) {
				const child = (evaluated[i] = children[i].explain(run));
				if (child.result) result = true;
			}
			return { path, any: evaluated, result };
		},
		explainPassed(run) {
			// Which alternatives held is not known: each is tested as it is explained.
			return this.explain(run);
		},
	};
}

function notOf(child: CompiledCondition, path: string): CompiledCondition {
	return {
		test(run) {
			const before = run.failure;
			const held = child.test(run);
			run.failure = before;
			if (held && run.failure === undefined) run.failure = { path, fact: 'not', operator: 'not', expected: false, actual: true, result: false, reason: `the condition at ${path}.not was met` };
			return !held;
		},
		explain(run) {
			const evaluated = child.explain(run);
			return { path, not: evaluated, result: !evaluated.result };
		},
		explainPassed(run) {
			return { path, not: child.explain(run), result: true };
		},
	};
}
