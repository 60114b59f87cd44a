/**
 * Checks every request the sandbox receives and every answer it gives against the vendors' own
 * OpenAPI documents, when they are present beside the checkout (they are not part of the
 * project). The checking is openapi-backend's (routing, parameters, bodies and responses through
 * Ajv); this file only finds the documents, adapts their known quirks and records the outcome.
 *
 * Each document is read and prepared once per process, on the first request that needs it.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import OpenAPIBackend, { type Document, type Operation } from 'openapi-backend';
import { parse as parseYaml } from 'yaml';
import type { SandboxRequest, Vendor } from './types';

export const repoRoot = path.resolve(__dirname, '..');

/** Same lookup as the Prism contract suites: an environment variable, else ../shared/reference. */
export function referenceDir(): string {
	return process.env.LOYALTY_REFERENCE_DIR ?? path.resolve(repoRoot, '../shared/reference');
}

export interface Violation {
	vendor: Vendor;
	direction: 'request' | 'response';
	method: string;
	path: string;
	status?: number;
	document: string;
	operationId?: string;
	errors: string[];
}

/** A document the sandbox validates against: its file, and how paths map onto it. */
interface DocumentChoice {
	file: string;
	apiRoot: string;
}

const WOO_ROOT = '/wp-json/wc/v3';

/** Which document describes this request, or undefined when none is present. */
export function documentFor(vendor: Vendor, pathname: string, dir = referenceDir()): DocumentChoice | undefined {
	const specs = path.join(dir, 'specs');
	const first = (...names: string[]) => names.map((n) => path.join(specs, n)).find((f) => existsSync(f));
	let file: string | undefined;
	let apiRoot = '/';
	if (vendor === 'woocommerce') {
		file = first('woocommerce-openapi-unofficial.yml');
		apiRoot = WOO_ROOT;
	} else if (vendor === 'square') file = first('square-api.json');
	else if (vendor === 'twilio') file = first('twilio-api-v2010.json');
	else if (pathname.startsWith('/api/events')) file = first('klaviyo-events.json', 'klaviyo-openapi-stable.json');
	else if (pathname.startsWith('/api/profile')) file = first('klaviyo-profiles.json', 'klaviyo-openapi-stable.json');
	else file = first('klaviyo-openapi-stable.json');
	return file ? { file, apiRoot } : undefined;
}

/** The documents the sandbox would use, and which of them are missing (for the one notice). */
export function documentStatus(dir = referenceDir()): { dir: string; missing: string[] } {
	const specs = path.join(dir, 'specs');
	const wanted = [['woocommerce-openapi-unofficial.yml'], ['square-api.json'], ['twilio-api-v2010.json'], ['klaviyo-openapi-stable.json', 'klaviyo-events.json']];
	const missing = wanted.filter((names) => !names.some((n) => existsSync(path.join(specs, n)))).map((names) => names.join(' or '));
	return { dir: specs, missing };
}

const backends = new Map<string, Promise<OpenAPIBackend>>();

function backendFor(choice: DocumentChoice): Promise<OpenAPIBackend> {
	const key = `${choice.file}|${choice.apiRoot}`;
	let backend = backends.get(key);
	if (!backend) {
		backend = (async () => {
			const text = readFileSync(choice.file, 'utf8');
			const document = prepare((choice.file.endsWith('.json') ? JSON.parse(text) : parseYaml(text)) as Record<string, unknown>, path.basename(choice.file));
			const api = new OpenAPIBackend({
				definition: document as unknown as Document,
				apiRoot: choice.apiRoot,
				// Quick: no validation of the document itself, and Ajv validators compiled per
				// operation on first use; the Square document has hundreds of operations.
				quick: true,
				// Formats (date-time, uri, Twilio's own) are not checked: types, required fields and enums are.
				ajvOpts: { strict: false, allErrors: true, validateFormats: false },
			});
			await api.init();
			return api;
		})();
		backends.set(key, backend);
	}
	return backend;
}

/**
 * The known quirks of the reference documents (see the reference README), adapted in memory:
 * - Square: remote `$ref`s to Square's common scalar schemas, and one to a schema that does not exist.
 * - Klaviyo: `nullable` without `type` (Ajv rejects the schema; Prism silently stops validating).
 * - WooCommerce: list parameters are comma-separated, as WordPress reads them (`explode: false`).
 * - Every operation gets an operationId (openapi-backend needs one to pick validators).
 * - JSON:API bodies (`application/vnd.api+json`, Klaviyo) are JSON: openapi-backend checks only
 *   `application/json` content, so the schema is offered under that name too.
 */
function prepare(document: Record<string, unknown>, name: string): Record<string, unknown> {
	const scalar: Record<string, unknown> = { String: { type: 'string' }, Number: { type: 'number' }, Boolean: { type: 'boolean' }, PhoneNumber: { type: 'string' } };
	const schemas = ((document.components as Record<string, unknown> | undefined)?.schemas ?? {}) as Record<string, unknown>;
	const walk = (node: unknown): unknown => {
		if (Array.isArray(node)) return node.map(walk);
		if (!node || typeof node !== 'object') return node;
		const object = node as Record<string, unknown>;
		if (typeof object.$ref === 'string') {
			const ref = object.$ref;
			const remote = /^https?:\/\/.*#squareup\.common\.(\w+)$/.exec(ref);
			if (remote) return scalar[remote[1]] ?? {};
			if (/^https?:/.test(ref)) return {};
			const local = /^#\/components\/schemas\/(.+)$/.exec(ref);
			if (local && !(decodeURIComponent(local[1]) in schemas)) return { type: 'string' };
			return object;
		}
		const out: Record<string, unknown> = {};
		for (const [key, value] of Object.entries(object)) out[key] = walk(value);
		if (out.nullable !== undefined && out.type === undefined) delete out.nullable;
		const content = out.content as Record<string, unknown> | undefined;
		if (content && typeof content === 'object' && !content['application/json']) {
			const jsonLike = Object.keys(content).find((type) => /\+json$/.test(type));
			if (jsonLike) content['application/json'] = content[jsonLike];
		}
		return out;
	};
	const prepared = walk(document) as Record<string, unknown>;
	const methods = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'];
	for (const [pathKey, item] of Object.entries((prepared.paths ?? {}) as Record<string, Record<string, Record<string, unknown>>>)) {
		for (const method of methods) {
			const operation = item[method];
			if (!operation) continue;
			if (typeof operation.operationId !== 'string') operation.operationId = `${method} ${pathKey}`;
			if (name.startsWith('woocommerce')) {
				for (const parameter of (operation.parameters ?? []) as Array<Record<string, unknown>>) {
					if (parameter.in === 'query' && (parameter.schema as { type?: string } | undefined)?.type === 'array') parameter.explode = false;
				}
			}
		}
	}
	return prepared;
}

/**
 * Where a document contradicts what the vendor really sends, the vendor wins and the difference
 * is tolerated (and counted in the summary), never silently: the unofficial WooCommerce document
 * types a line item's product_id as a string and an order's version as an integer, while
 * WooCommerce sends an integer id and a version string ("9.0.0").
 */
const ERRATA: Array<{ document: RegExp; error: RegExp; reason: string }> = [
	{ document: /^woocommerce/, error: /^(\/\d+)?\/line_items\/\d+\/product_id must be string/, reason: 'WooCommerce line item product_id is an integer' },
	{ document: /^woocommerce/, error: /^(\/\d+)?\/version must be integer/, reason: 'WooCommerce order version is a string' },
];

/** WordPress's own parameters, accepted on every route and described in no endpoint. */
const WORDPRESS_GLOBAL_QUERY = ['_fields', '_envelope', '_embed', '_method', '_jsonp'];

export interface ValidationOutcome {
	/** The matched operation, or undefined when the document does not describe the path. */
	operation?: Operation;
	document?: string;
	violations: Violation[];
}

export class ValidationLayer {
	readonly violations: Violation[] = [];
	readonly validated = new Map<string, number>();
	readonly undescribed = new Map<string, number>();
	readonly statusNotDescribed = new Map<string, number>();
	readonly errata = new Map<string, number>();

	constructor(readonly enabled: boolean) {}

	/** Validates a request; returns the operation to validate its answer against. */
	async checkRequest(request: SandboxRequest): Promise<ValidationOutcome> {
		if (!this.enabled) return { violations: [] };
		const choice = documentFor(request.vendor, request.pathname);
		if (!choice) return { violations: [] };
		const api = await backendFor(choice);
		const query: Record<string, string | string[]> = {};
		for (const key of new Set(request.query.keys())) {
			if (request.vendor === 'woocommerce' && WORDPRESS_GLOBAL_QUERY.includes(key)) continue;
			const values = request.query.getAll(key);
			query[key] = values.length > 1 ? values : values[0];
		}
		const candidate = { method: request.method, path: request.pathname, headers: lowerHeaders(request.headers), query, body: request.body };
		const operation = api.matchOperation(candidate);
		const document = path.basename(choice.file);
		const label = `${request.vendor} ${request.method} ${templated(request.pathname)}`;
		if (!operation) {
			this.undescribed.set(label, (this.undescribed.get(label) ?? 0) + 1);
			return { violations: [] };
		}
		if (request.form) candidate.body = coerceForm(request.form, formSchema(operation));
		const result = api.validateRequest(candidate, operation);
		const key = `${request.vendor} ${operation.method.toUpperCase()} ${operation.path}`;
		this.validated.set(key, (this.validated.get(key) ?? 0) + 1);
		const errors = this.withoutErrata(document, describe(result.errors));
		const violations = errors.length === 0 ? [] : [{ vendor: request.vendor, direction: 'request' as const, method: request.method, path: request.url, document, operationId: operation.operationId, errors }];
		this.violations.push(...violations);
		return { operation, document, violations };
	}

	/** Validates an answer to a documented request (statuses the document describes). */
	async checkResponse(request: SandboxRequest, outcome: ValidationOutcome, status: number, body: unknown): Promise<void> {
		if (!this.enabled || !outcome.operation) return;
		const choice = documentFor(request.vendor, request.pathname);
		if (!choice) return;
		const api = await backendFor(choice);
		const responses = (outcome.operation.responses ?? {}) as Record<string, unknown>;
		const described = String(status) in responses || `${String(status)[0]}XX` in responses || 'default' in responses;
		if (!described) {
			const key = `${request.vendor} ${outcome.operation.method.toUpperCase()} ${outcome.operation.path} → ${status}`;
			this.statusNotDescribed.set(key, (this.statusNotDescribed.get(key) ?? 0) + 1);
			return;
		}
		const result = api.validateResponse(body, outcome.operation, status);
		const errors = this.withoutErrata(outcome.document ?? '', describe(result.errors));
		if (errors.length > 0) {
			this.violations.push({ vendor: request.vendor, direction: 'response', method: request.method, path: request.url, status, document: outcome.document ?? '', operationId: outcome.operation.operationId, errors });
		}
	}

	private withoutErrata(document: string, errors: string[]): string[] {
		return errors.filter((error) => {
			const erratum = ERRATA.find((e) => e.document.test(document) && e.error.test(error));
			if (erratum) this.errata.set(erratum.reason, (this.errata.get(erratum.reason) ?? 0) + 1);
			return !erratum;
		});
	}

	summary(): string {
		if (!this.enabled) return 'shop sandbox: validation against the vendors\' documents was off';
		const count = (map: Map<string, number>) => [...map.values()].reduce((a, b) => a + b, 0);
		const lines = [`shop sandbox: ${count(this.validated)} requests and their answers validated against the vendors' documents (${this.validated.size} operations), ${this.violations.length} violations`];
		if (this.undescribed.size > 0) lines.push(`not validated, the documents do not describe these paths: ${[...this.undescribed.entries()].map(([k, n]) => `${k} (${n})`).join(', ')}`);
		if (this.statusNotDescribed.size > 0) lines.push(`answers not validated, the documents do not describe these statuses: ${[...this.statusNotDescribed.entries()].map(([k, n]) => `${k} (${n})`).join(', ')}`);
		if (this.errata.size > 0) lines.push(`tolerated where the document contradicts the vendor: ${[...this.errata.entries()].map(([k, n]) => `${k} (${n})`).join(', ')}`);
		return lines.join('\n# ');
	}
}

function lowerHeaders(headers: SandboxRequest['headers']): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
	return out;
}

/** Ids in a path become `{id}` so the summary groups them. */
function templated(pathname: string): string {
	return pathname.replace(/\/(?=[^/]*\d)[A-Za-z0-9_-]{1,64}(?=\/|\.json$|$)/g, '/{id}');
}

function describe(errors: unknown): string[] {
	return ((errors ?? []) as Array<{ instancePath?: string; message?: string; params?: unknown }>).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params ?? {})}`.trim());
}

function formSchema(operation: Operation): Record<string, { type?: string; items?: { type?: string } }> {
	const content = (operation.requestBody as { content?: Record<string, { schema?: { properties?: Record<string, { type?: string }> } }> } | undefined)?.content;
	return content?.['application/x-www-form-urlencoded']?.schema?.properties ?? {};
}

/** Form fields are text; OpenAPI reads them by the schema's types (as a server does). */
function coerceForm(form: URLSearchParams, properties: Record<string, { type?: string; items?: { type?: string } }>): Record<string, unknown> {
	const scalar = (value: string, type: string | undefined): unknown => {
		if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
		if ((type === 'integer' || type === 'number') && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
		return value;
	};
	const out: Record<string, unknown> = {};
	for (const key of new Set(form.keys())) {
		const schema = properties[key];
		const values = form.getAll(key);
		out[key] = schema?.type === 'array' ? values.map((v) => scalar(v, schema.items?.type)) : scalar(values[values.length - 1], schema?.type);
	}
	return out;
}
