/**
 * Operators: a name, the fact types it applies to, a check of the rule's value at compile time,
 * and a synchronous predicate. A fact value of the wrong type (or missing) never reaches the
 * predicate: the condition is then "not met" with that reason.
 */
export type FactType = 'number' | 'money' | 'string' | 'list' | 'date' | 'boolean' | 'any';

export interface Operator {
	name: string;
	/** What the operator means, in the words a shop owner reads in the rule builder. */
	description: string;
	/** What the fact must be at run time. */
	actualType: Exclude<FactType, 'money' | 'any'> | 'present' | 'anything';
	describeExpected: string;
	checkExpected(value: unknown): boolean;
	/**
	 * The predicate for one rule's value, which is worked out once here (lower-cased, parsed) rather
	 * than on every evaluation. `actual` already has `actualType`.
	 */
	prepare(expected: unknown): Predicate;
	/**
	 * The whole test in one predicate, for the operators most rules use: the value is there, of
	 * `actualType`, and holds. Same answer as the fact checks plus `prepare`, in one call instead of
	 * three (a rule set with many conditions spends much of its time in those calls).
	 */
	prepareCheck?(expected: unknown): Predicate;
}

export type Predicate = (actual: unknown, nowMs: number) => boolean;

const DAY_MS = 86_400_000;
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isStringOrNumber = (v: unknown) => isString(v) || isNumber(v);
const isList = (v: unknown): v is unknown[] => Array.isArray(v);
const isInstant = (v: unknown): v is string => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) && !Number.isNaN(Date.parse(v));

/**
 * Equality as rules mean it: the same value, or the same string ignoring case. `known` is one side
 * worked out in advance (the value and, for a string, its lower case).
 */
interface Known {
	value: unknown;
	lower: string | undefined;
}

function known(value: unknown): Known {
	return { value, lower: isString(value) ? value.toLowerCase() : undefined };
}

function sameAs(item: unknown, k: Known): boolean {
	if (item === k.value) return true;
	if (k.lower === undefined || typeof item !== 'string') return false;
	// Lower-casing never shortens a string, so a longer one cannot match and need not be lower-cased.
	return item.length <= k.lower.length && item.toLowerCase() === k.lower;
}

/** Whether `list` holds something equal to `k`. */
function listHas(list: readonly unknown[], k: Known): boolean {
	for (let i = 0; i < list.length; i++) if (sameAs(list[i], k)) return true;
	return false;
}

/** Whether one of `items` (known in advance) equals `value`; `value` is lower-cased at most once. */
function oneOf(items: readonly Known[], value: unknown): boolean {
	let lower: string | undefined;
	for (let i = 0; i < items.length; i++) {
		const item = items[i];
		if (item.value === value) return true;
		if (item.lower === undefined || typeof value !== 'string' || value.length > item.lower.length) continue;
		lower ??= value.toLowerCase();
		if (lower === item.lower) return true;
	}
	return false;
}

function numeric(name: string, description: string, compare: (e: number) => Predicate, check: (e: number) => Predicate): Operator {
	return { name, description, actualType: 'number', describeExpected: 'a number', checkExpected: isNumber, prepare: (e) => compare(e as number), prepareCheck: (e) => check(e as number) };
}

function listOp(name: string, description: string, test: (actual: readonly unknown[], expected: readonly Known[]) => boolean): Operator {
	return {
		name,
		description,
		actualType: 'list',
		describeExpected: 'a non-empty list of strings or numbers',
		checkExpected: (v) => isList(v) && v.length > 0 && v.every(isStringOrNumber),
		prepare: (e) => {
			const expected = (e as unknown[]).map(known);
			return (a) => test(a as unknown[], expected);
		},
	};
}

const noValue = (v: unknown) => v === undefined || v === true;

export const OPERATORS: readonly Operator[] = [
	{
		name: 'equal',
		description: 'The field is exactly the value (capital letters do not matter)',
		actualType: 'anything',
		describeExpected: 'a string, number or boolean',
		checkExpected: (v) => isStringOrNumber(v) || typeof v === 'boolean',
		prepare: (e) => {
			const k = known(e);
			return (a) => sameAs(a, k);
		},
		prepareCheck: (e) => {
			const k = known(e);
			return (a) => a !== undefined && a !== null && sameAs(a, k);
		},
	},
	{
		name: 'not_equal',
		description: 'The field has a value, and not this one',
		actualType: 'anything',
		describeExpected: 'a string, number or boolean',
		checkExpected: (v) => isStringOrNumber(v) || typeof v === 'boolean',
		prepare: (e) => {
			const k = known(e);
			return (a) => !sameAs(a, k);
		},
	},
	numeric('greater_than', 'The number is more than the value', (e) => (a) => (a as number) > e, (e) => (a) => typeof a === 'number' && a > e && Number.isFinite(a)),
	numeric('greater_than_or_equal', 'The number is the value or more', (e) => (a) => (a as number) >= e, (e) => (a) => typeof a === 'number' && a >= e && Number.isFinite(a)),
	numeric('less_than', 'The number is less than the value', (e) => (a) => (a as number) < e, (e) => (a) => typeof a === 'number' && a < e && Number.isFinite(a)),
	numeric('less_than_or_equal', 'The number is the value or less', (e) => (a) => (a as number) <= e, (e) => (a) => typeof a === 'number' && a <= e && Number.isFinite(a)),
	{
		name: 'between',
		description: 'The number lies between two values, both included, such as 10, 50',
		actualType: 'number',
		describeExpected: 'two numbers [low, high], both inclusive',
		checkExpected: (v) => isList(v) && v.length === 2 && isNumber(v[0]) && isNumber(v[1]) && v[0] <= v[1],
		prepare: (e) => {
			const [low, high] = e as [number, number];
			return (a) => (a as number) >= low && (a as number) <= high;
		},
	},
	{
		name: 'in',
		description: 'The field is one of several values, such as coffee, tea',
		actualType: 'anything',
		describeExpected: 'a non-empty list',
		checkExpected: (v) => isList(v) && v.length > 0,
		prepare: (e) => {
			const items = (e as unknown[]).map(known);
			return (a) => oneOf(items, a);
		},
		prepareCheck: (e) => {
			const items = (e as unknown[]).map(known);
			return (a) => a !== undefined && a !== null && oneOf(items, a);
		},
	},
	{
		name: 'not_in',
		description: 'The field is none of several values',
		actualType: 'anything',
		describeExpected: 'a non-empty list',
		checkExpected: (v) => isList(v) && v.length > 0,
		prepare: (e) => {
			const items = (e as unknown[]).map(known);
			return (a) => !oneOf(items, a);
		},
	},
	{
		name: 'starts_with',
		description: 'The text begins with the value (capital letters do not matter)',
		actualType: 'string',
		describeExpected: 'a string',
		checkExpected: isString,
		prepare: (e) => {
			const prefix = (e as string).toLowerCase();
			return (a) => (a as string).toLowerCase().startsWith(prefix);
		},
	},
	{
		name: 'ends_with',
		description: 'The text ends with the value (capital letters do not matter)',
		actualType: 'string',
		describeExpected: 'a string',
		checkExpected: isString,
		prepare: (e) => {
			const suffix = (e as string).toLowerCase();
			return (a) => (a as string).toLowerCase().endsWith(suffix);
		},
	},
	{
		name: 'contains',
		description: 'The list (categories, tags, coupon codes…) includes the value',
		actualType: 'list',
		describeExpected: 'a string or number',
		checkExpected: isStringOrNumber,
		prepare: (e) => {
			const k = known(e);
			return (a) => listHas(a as unknown[], k);
		},
		prepareCheck: (e) => {
			const k = known(e);
			return (a) => Array.isArray(a) && listHas(a, k);
		},
	},
	{
		name: 'not_contains',
		description: 'The list does not include the value',
		actualType: 'list',
		describeExpected: 'a string or number',
		checkExpected: isStringOrNumber,
		prepare: (e) => {
			const k = known(e);
			return (a) => !listHas(a as unknown[], k);
		},
	},
	listOp('contains_any', 'The list includes at least one of several values', (a, e) => e.some((k) => listHas(a, k))),
	listOp('contains_all', 'The list includes every one of several values', (a, e) => e.every((k) => listHas(a, k))),
	listOp('contains_none', 'The list includes none of several values', (a, e) => !e.some((k) => listHas(a, k))),
	{
		name: 'before',
		description: 'The date is earlier than the value, a date such as 2026-03-01',
		actualType: 'date',
		describeExpected: 'an ISO date-time',
		checkExpected: isInstant,
		prepare: (e) => {
			const at = Date.parse(e as string);
			return (a) => Date.parse(a as string) < at;
		},
	},
	{
		name: 'after',
		description: 'The date is later than the value, a date such as 2026-03-01',
		actualType: 'date',
		describeExpected: 'an ISO date-time',
		checkExpected: isInstant,
		prepare: (e) => {
			const at = Date.parse(e as string);
			return (a) => Date.parse(a as string) > at;
		},
	},
	{
		name: 'within_last_days',
		description: 'The date is no more than the value’s number of days ago',
		actualType: 'date',
		describeExpected: 'a number of days',
		checkExpected: (v) => isNumber(v) && v > 0,
		prepare: (e) => {
			const span = (e as number) * DAY_MS;
			return (a, now) => Date.parse(a as string) >= now - span;
		},
	},
	{
		name: 'more_than_days_ago',
		description: 'The date is longer ago than the value’s number of days',
		actualType: 'date',
		describeExpected: 'a number of days',
		checkExpected: (v) => isNumber(v) && v > 0,
		prepare: (e) => {
			const span = (e as number) * DAY_MS;
			return (a, now) => Date.parse(a as string) < now - span;
		},
	},
	{ name: 'is_true', description: 'The yes-or-no field is yes; needs no value', actualType: 'boolean', describeExpected: 'no value', checkExpected: noValue, prepare: () => (a) => a === true },
	{ name: 'is_false', description: 'The yes-or-no field is no; needs no value', actualType: 'boolean', describeExpected: 'no value', checkExpected: noValue, prepare: () => (a) => a === false },
	{ name: 'exists', description: 'The field has any value at all; needs no value', actualType: 'present', describeExpected: 'no value', checkExpected: noValue, prepare: () => () => true },
	{ name: 'not_exists', description: 'The field has no value, such as a customer with no tier yet; needs no value', actualType: 'anything', describeExpected: 'no value', checkExpected: noValue, prepare: () => (a) => a === undefined || a === null },
];

export const OPERATOR_BY_NAME: ReadonlyMap<string, Operator> = new Map(OPERATORS.map((op) => [op.name, op]));

/** Which operators make sense on a fact of each type; anything else is a compile error. */
export function operatorFitsFact(operator: Operator, factType: FactType): boolean {
	if (factType === 'any' || operator.actualType === 'anything' || operator.actualType === 'present') return true;
	if (factType === 'money') return operator.actualType === 'number';
	return operator.actualType === factType;
}

const isBoolean = (v: unknown) => typeof v === 'boolean';
const isPresent = (v: unknown) => v !== undefined && v !== null;
const isAnything = () => true;

/** The check that a run-time fact value has the type the operator needs. */
export function fitsOf(operator: Operator): (actual: unknown) => boolean {
	switch (operator.actualType) {
		case 'number':
			return isNumber;
		case 'string':
			return isString;
		case 'list':
			return isList;
		case 'date':
			return isInstant;
		case 'boolean':
			return isBoolean;
		case 'present':
			return isPresent;
		case 'anything':
			return isAnything;
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
