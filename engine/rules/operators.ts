/**
 * Operators: a name, the fact types it applies to, a check of the rule's value at compile time,
 * and a synchronous predicate. A fact value of the wrong type (or missing) never reaches the
 * predicate: the condition is then "not met" with that reason.
 */
export type FactType = 'number' | 'money' | 'string' | 'list' | 'date' | 'boolean' | 'any';

export interface Operator {
	name: string;
	/** What the operator checks, in a shop owner's words, for the lists that offer it (the rule builder). */
	description: string;
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

function numeric(name: string, description: string, test: (a: number, e: number) => boolean): Operator {
	return { name, description, actualType: 'number', describeExpected: 'a number', checkExpected: isNumber, test: (a, e) => test(a as number, e as number) };
}

function listOp(name: string, description: string, test: (actual: unknown[], expected: unknown[]) => boolean): Operator {
	return {
		name,
		description,
		actualType: 'list',
		describeExpected: 'a non-empty list of strings or numbers',
		checkExpected: (v) => isList(v) && v.length > 0 && v.every(isStringOrNumber),
		test: (a, e) => test(a as unknown[], e as unknown[]),
	};
}

export const OPERATORS: readonly Operator[] = [
	{ name: 'equal', description: 'The field is exactly the value (capital letters do not matter)', actualType: 'anything', describeExpected: 'a string, number or boolean', checkExpected: (v) => isStringOrNumber(v) || typeof v === 'boolean', test: same },
	{ name: 'not_equal', description: 'The field has a value, and not this one', actualType: 'anything', describeExpected: 'a string, number or boolean', checkExpected: (v) => isStringOrNumber(v) || typeof v === 'boolean', test: (a, e) => !same(a, e) },
	numeric('greater_than', 'The number is more than the value', (a, e) => a > e),
	numeric('greater_than_or_equal', 'The number is the value or more', (a, e) => a >= e),
	numeric('less_than', 'The number is less than the value', (a, e) => a < e),
	numeric('less_than_or_equal', 'The number is the value or less', (a, e) => a <= e),
	{
		name: 'between',
		description: 'The number lies between two values, both included, such as 10, 50',
		actualType: 'number',
		describeExpected: 'two numbers [low, high], both inclusive',
		checkExpected: (v) => isList(v) && v.length === 2 && isNumber(v[0]) && isNumber(v[1]) && v[0] <= v[1],
		test: (a, e) => (a as number) >= (e as number[])[0] && (a as number) <= (e as number[])[1],
	},
	{ name: 'in', description: 'The field is one of several values, such as coffee, tea', actualType: 'anything', describeExpected: 'a non-empty list', checkExpected: (v) => isList(v) && v.length > 0, test: (a, e) => listHas(e as unknown[], a) },
	{ name: 'not_in', description: 'The field is none of several values', actualType: 'anything', describeExpected: 'a non-empty list', checkExpected: (v) => isList(v) && v.length > 0, test: (a, e) => !listHas(e as unknown[], a) },
	{ name: 'starts_with', description: 'The text begins with the value (capital letters do not matter)', actualType: 'string', describeExpected: 'a string', checkExpected: isString, test: (a, e) => (a as string).toLowerCase().startsWith((e as string).toLowerCase()) },
	{ name: 'ends_with', description: 'The text ends with the value (capital letters do not matter)', actualType: 'string', describeExpected: 'a string', checkExpected: isString, test: (a, e) => (a as string).toLowerCase().endsWith((e as string).toLowerCase()) },
	{ name: 'contains', description: 'The list (categories, tags, coupon codes…) includes the value', actualType: 'list', describeExpected: 'a string or number', checkExpected: isStringOrNumber, test: (a, e) => listHas(a as unknown[], e) },
	{ name: 'not_contains', description: 'The list does not include the value', actualType: 'list', describeExpected: 'a string or number', checkExpected: isStringOrNumber, test: (a, e) => !listHas(a as unknown[], e) },
	listOp('contains_any', 'The list includes at least one of several values', (a, e) => e.some((v) => listHas(a, v))),
	listOp('contains_all', 'The list includes every one of several values', (a, e) => e.every((v) => listHas(a, v))),
	listOp('contains_none', 'The list includes none of several values', (a, e) => !e.some((v) => listHas(a, v))),
	{ name: 'before', description: 'The date is earlier than the value, a date such as 2026-03-01', actualType: 'date', describeExpected: 'an ISO date-time', checkExpected: isInstant, test: (a, e) => Date.parse(a as string) < Date.parse(e as string) },
	{ name: 'after', description: 'The date is later than the value, a date such as 2026-03-01', actualType: 'date', describeExpected: 'an ISO date-time', checkExpected: isInstant, test: (a, e) => Date.parse(a as string) > Date.parse(e as string) },
	{
		name: 'within_last_days',
		description: 'The date is no more than the value’s number of days ago',
		actualType: 'date',
		describeExpected: 'a number of days',
		checkExpected: (v) => isNumber(v) && v > 0,
		test: (a, e, now) => Date.parse(a as string) >= now - (e as number) * DAY_MS,
	},
	{
		name: 'more_than_days_ago',
		description: 'The date is longer ago than the value’s number of days',
		actualType: 'date',
		describeExpected: 'a number of days',
		checkExpected: (v) => isNumber(v) && v > 0,
		test: (a, e, now) => Date.parse(a as string) < now - (e as number) * DAY_MS,
	},
	{ name: 'is_true', description: 'The yes-or-no field is yes; needs no value', actualType: 'boolean', describeExpected: 'no value', checkExpected: (v) => v === undefined || v === true, test: (a) => a === true },
	{ name: 'is_false', description: 'The yes-or-no field is no; needs no value', actualType: 'boolean', describeExpected: 'no value', checkExpected: (v) => v === undefined || v === true, test: (a) => a === false },
	{ name: 'exists', description: 'The field has any value at all; needs no value', actualType: 'present', describeExpected: 'no value', checkExpected: (v) => v === undefined || v === true, test: () => true },
	{ name: 'not_exists', description: 'The field has no value, such as a customer with no tier yet; needs no value', actualType: 'anything', describeExpected: 'no value', checkExpected: (v) => v === undefined || v === true, test: (a) => a === undefined || a === null },
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
