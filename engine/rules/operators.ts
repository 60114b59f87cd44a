/**
 * Operators: a name, the fact types it applies to, a check of the rule's value at compile time,
 * and a synchronous predicate. A fact value of the wrong type (or missing) never reaches the
 * predicate: the condition is then "not met" with that reason.
 */
export type FactType = 'number' | 'money' | 'string' | 'list' | 'date' | 'boolean' | 'any';

export interface Operator {
	name: string;
	/** What the fact must be at run time. */
	actualType: Exclude<FactType, 'money' | 'any'> | 'present' | 'anything';
	describeExpected: string;
	checkExpected(value: unknown): boolean;
	test(actual: unknown, expected: unknown, nowMs: number): boolean;
}

const DAY_MS = 86_400_000;
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isStringOrNumber = (v: unknown) => isString(v) || isNumber(v);
const isList = (v: unknown): v is unknown[] => Array.isArray(v);
const isInstant = (v: unknown): v is string => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) && !Number.isNaN(Date.parse(v));
const same = (a: unknown, b: unknown) => a === b || (isString(a) && isString(b) && a.toLowerCase() === b.toLowerCase());
const listHas = (list: unknown[], value: unknown) => list.some((item) => same(item, value));

function numeric(name: string, test: (a: number, e: number) => boolean): Operator {
	return { name, actualType: 'number', describeExpected: 'a number', checkExpected: isNumber, test: (a, e) => test(a as number, e as number) };
}

function listOp(name: string, test: (actual: unknown[], expected: unknown[]) => boolean): Operator {
	return {
		name,
		actualType: 'list',
		describeExpected: 'a non-empty list of strings or numbers',
		checkExpected: (v) => isList(v) && v.length > 0 && v.every(isStringOrNumber),
		test: (a, e) => test(a as unknown[], e as unknown[]),
	};
}

export const OPERATORS: readonly Operator[] = [
	{ name: 'equal', actualType: 'anything', describeExpected: 'a string, number or boolean', checkExpected: (v) => isStringOrNumber(v) || typeof v === 'boolean', test: same },
	{ name: 'not_equal', actualType: 'anything', describeExpected: 'a string, number or boolean', checkExpected: (v) => isStringOrNumber(v) || typeof v === 'boolean', test: (a, e) => !same(a, e) },
	numeric('greater_than', (a, e) => a > e),
	numeric('greater_than_or_equal', (a, e) => a >= e),
	numeric('less_than', (a, e) => a < e),
	numeric('less_than_or_equal', (a, e) => a <= e),
	{
		name: 'between',
		actualType: 'number',
		describeExpected: 'two numbers [low, high], both inclusive',
		checkExpected: (v) => isList(v) && v.length === 2 && isNumber(v[0]) && isNumber(v[1]) && v[0] <= v[1],
		test: (a, e) => (a as number) >= (e as number[])[0] && (a as number) <= (e as number[])[1],
	},
	{ name: 'in', actualType: 'anything', describeExpected: 'a non-empty list', checkExpected: (v) => isList(v) && v.length > 0, test: (a, e) => listHas(e as unknown[], a) },
	{ name: 'not_in', actualType: 'anything', describeExpected: 'a non-empty list', checkExpected: (v) => isList(v) && v.length > 0, test: (a, e) => !listHas(e as unknown[], a) },
	{ name: 'starts_with', actualType: 'string', describeExpected: 'a string', checkExpected: isString, test: (a, e) => (a as string).toLowerCase().startsWith((e as string).toLowerCase()) },
	{ name: 'ends_with', actualType: 'string', describeExpected: 'a string', checkExpected: isString, test: (a, e) => (a as string).toLowerCase().endsWith((e as string).toLowerCase()) },
	{ name: 'contains', actualType: 'list', describeExpected: 'a string or number', checkExpected: isStringOrNumber, test: (a, e) => listHas(a as unknown[], e) },
	{ name: 'not_contains', actualType: 'list', describeExpected: 'a string or number', checkExpected: isStringOrNumber, test: (a, e) => !listHas(a as unknown[], e) },
	listOp('contains_any', (a, e) => e.some((v) => listHas(a, v))),
	listOp('contains_all', (a, e) => e.every((v) => listHas(a, v))),
	listOp('contains_none', (a, e) => !e.some((v) => listHas(a, v))),
	{ name: 'before', actualType: 'date', describeExpected: 'an ISO date-time', checkExpected: isInstant, test: (a, e) => Date.parse(a as string) < Date.parse(e as string) },
	{ name: 'after', actualType: 'date', describeExpected: 'an ISO date-time', checkExpected: isInstant, test: (a, e) => Date.parse(a as string) > Date.parse(e as string) },
	{
		name: 'within_last_days',
		actualType: 'date',
		describeExpected: 'a number of days',
		checkExpected: (v) => isNumber(v) && v > 0,
		test: (a, e, now) => Date.parse(a as string) >= now - (e as number) * DAY_MS,
	},
	{
		name: 'more_than_days_ago',
		actualType: 'date',
		describeExpected: 'a number of days',
		checkExpected: (v) => isNumber(v) && v > 0,
		test: (a, e, now) => Date.parse(a as string) < now - (e as number) * DAY_MS,
	},
	{ name: 'is_true', actualType: 'boolean', describeExpected: 'no value', checkExpected: (v) => v === undefined || v === true, test: (a) => a === true },
	{ name: 'is_false', actualType: 'boolean', describeExpected: 'no value', checkExpected: (v) => v === undefined || v === true, test: (a) => a === false },
	{ name: 'exists', actualType: 'present', describeExpected: 'no value', checkExpected: (v) => v === undefined || v === true, test: () => true },
	{ name: 'not_exists', actualType: 'anything', describeExpected: 'no value', checkExpected: (v) => v === undefined || v === true, test: (a) => a === undefined || a === null },
];

export const OPERATOR_BY_NAME: ReadonlyMap<string, Operator> = new Map(OPERATORS.map((op) => [op.name, op]));

/** Which operators make sense on a fact of each type; anything else is a compile error. */
export function operatorFitsFact(operator: Operator, factType: FactType): boolean {
	if (factType === 'any' || operator.actualType === 'anything' || operator.actualType === 'present') return true;
	if (factType === 'money') return operator.actualType === 'number';
	return operator.actualType === factType;
}

/** Does a run-time fact value have the type the operator needs? */
export function actualFits(operator: Operator, actual: unknown): boolean {
	switch (operator.actualType) {
		case 'number':
			return isNumber(actual);
		case 'string':
			return isString(actual);
		case 'list':
			return isList(actual);
		case 'date':
			return isInstant(actual);
		case 'boolean':
			return typeof actual === 'boolean';
		case 'present':
			return actual !== undefined && actual !== null;
		case 'anything':
			return true;
	}
}

/** "contains_any_off" → "contains_any": the closest known name, to put in the error. */
export function closestOperator(name: string): string | undefined {
	let best: string | undefined;
	let bestDistance = Infinity;
	for (const op of OPERATORS) {
		const d = editDistance(name.toLowerCase(), op.name);
		if (d < bestDistance) [best, bestDistance] = [op.name, d];
	}
	return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
	const row = Array.from({ length: b.length + 1 }, (_, i) => i);
	for (let i = 1; i <= a.length; i++) {
		let previous = row[0];
		row[0] = i;
		for (let j = 1; j <= b.length; j++) {
			const current = row[j];
			row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
			previous = current;
		}
	}
	return row[b.length];
}
