/**
 * Mutations of valid webhook payloads for the intake fuzz suite: fast-check arbitraries that take
 * a seed (a JSON value or a form) and return the bytes a sender might sign after a bug of its own,
 * a hand-edited payload or a proxy that mangled it. Pure: signing and delivering is the caller's.
 */
import fc from 'fast-check';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const MUTATION_KINDS = ['drop', 'retype', 'empty', 'amount', 'currency', 'date', 'control', 'longId', 'unicode', 'deep'] as const;
type MutationKind = (typeof MUTATION_KINDS)[number];

const BYTE_KINDS = ['none', 'none', 'none', 'none', 'duplicateKey', 'truncate', 'garbage', 'bom', 'trailing', 'badUtf8'] as const;
type ByteKind = (typeof BYTE_KINDS)[number];

interface Mutation {
	kind: MutationKind;
	/** Which path (modulo the number of candidates). */
	pick: number;
	/** Which replacement value (modulo the number of choices). */
	variant: number;
}

const AMOUNTS: Json[] = ['99999999999999999999999', '-5.00', '0.001', 'NaN', 'Infinity', '-Infinity', '1e309', '1e-7', '12,34', ' 12.00 ', '0x1F', '', 1e308, -1e308, -1, 0.5, 1.005, 2 ** 53 + 1, -0, 0];
const CURRENCIES: Json[] = ['', 'usd', 'XXX', 'US', 'EURO', '€', '$', 'U$D', 'ZZZ', ' USD', 840, null];
const DATES: Json[] = ['', 'not a date', '2026-13-45T99:99:99Z', '0000-00-00 00:00:00', '2026-02-30T10:00:00', 'yesterday', '+275760-09-13T00:00:00.001Z', '1970-01-01', 1e15, -1, '2026-03-02T14:05:11.412+99:00'];
const CONTROL = ['\u0000', '\u0007', '\u001b[31m', '\r\n', '\t', '\u007f', '\u2028', '\ufeff'];
const UNICODE = ['𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ☕', 'e\u0301', '\u202eevil', '\ud800', '中文名字', 'Ωmega', '🧋🧋🧋', 'ﬁ', 'İstanbul'];
const TYPE_SWAPS = (value: Json): Json[] => [
	typeof value === 'number' ? String(value) : typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)) ? Number(value) : 42,
	null,
	{},
	[],
	true,
	'text',
	{ value },
	[value],
	-7.25,
];

const AMOUNT_KEY = /total|amount|price|value|subtotal|quantity|minor|cart_total/i;
const CURRENCY_KEY = /currency/i;
const DATE_KEY = /date|_at$|At$|time|created|updated|placed/i;
const ID_KEY = /(^|_)id$|Id$|sid$|Sid$|email|phone|number|event_id|session/i;

type Path = Array<string | number>;

function paths(value: Json, prefix: Path = [], out: Path[] = []): Path[] {
	if (value !== null && typeof value === 'object') {
		const entries: Array<[string | number, Json]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
		for (const [key, child] of entries) {
			out.push([...prefix, key]);
			if (out.length < 400) paths(child, [...prefix, key], out);
		}
	}
	return out;
}

const lastKey = (path: Path): string => String(path[path.length - 1] ?? '');

function preferred(kind: MutationKind, all: Path[]): Path[] {
	const match = (pattern: RegExp) => all.filter((p) => pattern.test(lastKey(p)));
	const chosen = kind === 'amount' ? match(AMOUNT_KEY) : kind === 'currency' ? match(CURRENCY_KEY) : kind === 'date' ? match(DATE_KEY) : kind === 'longId' ? match(ID_KEY) : [];
	return chosen.length > 0 ? chosen : all;
}

function getAt(root: Json, path: Path): Json {
	let node: Json = root;
	for (const key of path) node = (node as Record<string | number, Json>)[key];
	return node;
}

function replacement(kind: MutationKind, current: Json, variant: number): Json | typeof DROP {
	const pick = <T>(list: readonly T[]): T => list[variant % list.length];
	switch (kind) {
		case 'drop':
			return DROP;
		case 'retype':
			return pick(TYPE_SWAPS(current));
		case 'empty':
			return pick<Json>(['', ' ', [], {}]);
		case 'amount':
			return pick(AMOUNTS);
		case 'currency':
			return pick(CURRENCIES);
		case 'date':
			return pick(DATES);
		case 'control':
			return `${typeof current === 'string' ? current : String(current)}${pick(CONTROL)}`;
		case 'longId':
			return `${typeof current === 'string' ? current : 'id'}-${'x'.repeat(300 + (variant % 5000))}`;
		case 'unicode':
			return `${pick(UNICODE)}${typeof current === 'string' ? current : ''}`;
		case 'deep': {
			let nested: Json = current;
			for (let i = 0; i < 50 + (variant % 400); i++) nested = i % 2 === 0 ? [nested] : { nested };
			return nested;
		}
	}
}

const DROP = Symbol('drop');

export function applyMutation(root: Json, mutation: Mutation): Json {
	const all = paths(root);
	if (all.length === 0) return replacement(mutation.kind, root, mutation.variant) === DROP ? null : (replacement(mutation.kind, root, mutation.variant) as Json);
	const candidates = preferred(mutation.kind, all);
	const path = candidates[mutation.pick % candidates.length];
	const parent = getAt(root, path.slice(0, -1)) as Record<string | number, Json> | Json[];
	const key = path[path.length - 1];
	const value = replacement(mutation.kind, (parent as Record<string | number, Json>)[key], mutation.variant);
	if (value === DROP) {
		if (Array.isArray(parent)) parent.splice(Number(key), 1);
		else delete parent[key];
	} else (parent as Record<string | number, Json>)[key] = value;
	return root;
}

const mutationArbitrary: fc.Arbitrary<Mutation> = fc.record({ kind: fc.constantFrom(...MUTATION_KINDS), pick: fc.nat(), variant: fc.nat() });

/** Damage done to the serialized bytes after the value mutations. */
function damageBytes(text: string, kind: ByteKind, variant: number, garbage: Uint8Array): Buffer {
	switch (kind) {
		case 'none':
			return Buffer.from(text, 'utf8');
		case 'duplicateKey': {
			// The same key twice in one object: JSON.parse keeps the last; other parsers the first.
			const match = /"([^"\\]{1,40})":/.exec(text);
			if (!match || !text.startsWith('{')) return Buffer.from(text, 'utf8');
			const spare = JSON.stringify([null, 0, 'dup', {}, [], -1][variant % 6]);
			return Buffer.from(variant % 2 === 0 ? `{"${match[1]}":${spare},${text.slice(1)}` : `${text.slice(0, -1)},"${match[1]}":${spare}}`, 'utf8');
		}
		case 'truncate': {
			const bytes = Buffer.from(text, 'utf8');
			return bytes.subarray(0, bytes.length === 0 ? 0 : variant % bytes.length);
		}
		case 'garbage':
			return Buffer.from(garbage);
		case 'bom':
			return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
		case 'trailing':
			return Buffer.from(`${text}${['\n', ' garbage', '}', '\u0000', ',{}'][variant % 5]}`, 'utf8');
		case 'badUtf8': {
			const bytes = Buffer.from(text, 'utf8');
			const at = bytes.length === 0 ? 0 : variant % bytes.length;
			return Buffer.concat([bytes.subarray(0, at), Buffer.from([0xc3, 0x28, 0xff]), bytes.subarray(at)]);
		}
	}
}

export interface MutatedBody {
	body: Buffer;
	/** What was done, for a failure message. */
	how: string;
}

/**
 * Gives a seed its own ids (number `n` of UNIQUE_IDS), so that most deliveries are new and some
 * repeat an earlier one (duplicates must be answered as such, not recorded twice).
 */
export type Personalize<T> = (seed: T, n: number) => T;
const UNIQUE_IDS = 5_000;

/** A seed chosen from `seeds`, with 0–4 value mutations and perhaps damaged bytes. */
export function mutatedJson(seeds: readonly Json[], personalize: Personalize<Json> = (seed) => seed): fc.Arbitrary<MutatedBody & { seedIndex: number }> {
	return fc
		.record({
			seedIndex: fc.nat({ max: seeds.length - 1 }),
			unique: fc.nat({ max: UNIQUE_IDS - 1 }),
			mutations: fc.array(mutationArbitrary, { minLength: 0, maxLength: 4 }),
			bytes: fc.constantFrom(...BYTE_KINDS),
			variant: fc.nat(),
			garbage: fc.uint8Array({ minLength: 0, maxLength: 64 }),
		})
		.map(({ seedIndex, unique, mutations, bytes, variant, garbage }) => {
			let value = personalize(structuredClone(seeds[seedIndex]), unique);
			for (const mutation of mutations) value = applyMutation(value, mutation);
			const body = damageBytes(JSON.stringify(value) ?? 'null', bytes, variant, garbage);
			return { seedIndex, body, how: `seed ${seedIndex}; ${mutations.map((m) => `${m.kind}@${m.pick}/${m.variant}`).join(', ') || 'no value mutation'}; bytes: ${bytes}` };
		});
}

/** A form seed (CartFlows, Twilio) with dropped, emptied, garbled and repeated fields, then perhaps damaged bytes. */
export function mutatedForm(seeds: ReadonlyArray<Record<string, string>>, personalize: Personalize<Record<string, string>> = (seed) => seed): fc.Arbitrary<MutatedBody & { seedIndex: number }> {
	return fc
		.record({
			seedIndex: fc.nat({ max: seeds.length - 1 }),
			unique: fc.nat({ max: UNIQUE_IDS - 1 }),
			mutations: fc.array(mutationArbitrary, { minLength: 0, maxLength: 4 }),
			repeat: fc.option(fc.nat(), { freq: 4 }),
			bytes: fc.constantFrom(...BYTE_KINDS, 'percent' as const),
			variant: fc.nat(),
			garbage: fc.uint8Array({ minLength: 0, maxLength: 64 }),
		})
		.map(({ seedIndex, unique, mutations, repeat, bytes, variant, garbage }) => {
			let value: Json = personalize({ ...seeds[seedIndex] }, unique);
			for (const mutation of mutations) value = applyMutation(value, mutation);
			const params = new URLSearchParams();
			const entries = value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.entries(value) : [['value', value] as [string, Json]];
			for (const [key, field] of entries) params.append(key, typeof field === 'string' ? field : JSON.stringify(field) ?? '');
			if (repeat !== null && entries.length > 0) {
				const [key] = entries[repeat % entries.length];
				params.append(key, ['', 'again', 'STOP', '0', '-1'][repeat % 5]);
			}
			let text = params.toString();
			if (bytes === 'percent') text = `${text}&${['%zz', '%', 'a=%E0%A4%A', '==&&=', '+++'][variant % 5]}`;
			const body = bytes === 'percent' ? Buffer.from(text, 'utf8') : damageBytes(text, bytes, variant, garbage);
			return { seedIndex, body, how: `seed ${seedIndex}; ${mutations.map((m) => `${m.kind}@${m.pick}/${m.variant}`).join(', ') || 'no value mutation'}; repeat ${repeat}; bytes: ${bytes}` };
		});
}

/** Seed of a run: FUZZ_SEED reproduces one; the default is fixed so CI runs are the same every time. */
export function fuzzSeed(): number {
	const fromEnv = Number(process.env.FUZZ_SEED);
	return Number.isInteger(fromEnv) ? fromEnv : 20_260_601;
}

/** Deliveries per source: FUZZ_RUNS overrides (a quick local loop, or a long soak). */
export function fuzzRuns(fallback = 10_000): number {
	const fromEnv = Number(process.env.FUZZ_RUNS);
	return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : fallback;
}
