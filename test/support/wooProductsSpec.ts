import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/*
 * A temp copy of the WooCommerce OpenAPI document whose GET /products answers with chosen
 * products. Prism's static mode answers with a response's `example`, so the example decides which
 * categories the client sees. Works on the reference document and on a copy already given to
 * `prefixSpecPaths` (paths under /wp-json/wc/v3), in either order: YAML documents are edited line
 * by line like `prefixSpecPaths` does (no YAML parser is a dependency), JSON ones as objects.
 *
 * The copy also declares GET /products `include` as a comma-separated list (`explode: false`).
 * WordPress reads array parameters that way; the unofficial document leaves OpenAPI's default
 * (`include=1&include=2`), which a real shop would read as the last id only (PHP keeps the last
 * of repeated keys). Prism still checks every listed id is an integer.
 */

export interface ExampleProduct {
	id: number;
	name: string;
	categories: string[];
}

export async function withProductCategoryExamples(specPath: string, products: ExampleProduct[]): Promise<{ path: string; cleanup(): Promise<void> }> {
	const source = await readFile(specPath, 'utf8');
	const example = productExamples(products);
	const edited = specPath.endsWith('.json') ? editJson(source, example) : editYaml(source, example);
	const dir = await mkdtemp(path.join(tmpdir(), 'loyalty-prism-products-'));
	const file = path.join(dir, path.basename(specPath));
	await writeFile(file, edited);
	return { path: file, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Products shaped like WooCommerce's; a category name gets the same id and slug in every product. */
function productExamples(products: ExampleProduct[]): unknown[] {
	const categoryIds = new Map<string, number>();
	for (const product of products) for (const name of product.categories) if (!categoryIds.has(name)) categoryIds.set(name, 100 + categoryIds.size);
	return products.map((product) => ({
		id: product.id,
		name: product.name,
		slug: slugOf(product.name),
		type: 'simple',
		status: 'publish',
		categories: product.categories.map((name) => ({ id: categoryIds.get(name), name, slug: slugOf(name) })),
	}));
}

function slugOf(name: string): string {
	return name
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-|-$/g, '');
}

const isProductsPath = (key: string): boolean => key === '/products' || key.endsWith('/wc/v3/products');

interface JsonDocument {
	paths?: Record<string, { get?: { parameters?: Array<{ name?: string; in?: string; explode?: boolean }>; responses?: Record<string, { content?: Record<string, { example?: unknown }> }> } }>;
}

function editJson(source: string, example: unknown[]): string {
	const document = JSON.parse(source) as JsonDocument;
	const keys = Object.keys(document.paths ?? {}).filter(isProductsPath);
	if (keys.length !== 1) throw new Error(`expected one GET /products path, found ${keys.length}`);
	const get = document.paths![keys[0]].get;
	const content = get?.responses?.['200']?.content?.['application/json'];
	if (!content) throw new Error('GET /products has no 200 application/json response');
	content.example = example;
	const include = get?.parameters?.find((parameter) => parameter.name === 'include' && parameter.in === 'query');
	if (include) include.explode = false;
	return JSON.stringify(document);
}

/**
 * In the reference layout the block reads `  /products:` → `    get:` → `      responses:` →
 * `        '200':` → ... `            application/json:`, and the parameters list items as
 * `        - name: include`. JSON is valid YAML, so the example is written as one JSON line.
 */
function editYaml(source: string, example: unknown[]): string {
	const lines = source.split('\n');
	const pathKey = /^ {2}(['"]?)(\/[^'":]*)\1:\s*$/;
	const starts = lines.map((line, index) => ({ match: pathKey.exec(line), index })).filter(({ match }) => match && isProductsPath(match[2]));
	if (starts.length !== 1) throw new Error(`expected one GET /products path, found ${starts.length}; the spec layout is not the expected YAML`);
	const start = starts[0].index;
	let end = start + 1;
	while (end < lines.length && !/^ {0,2}\S/.test(lines[end])) end++;
	const block = lines.slice(start, end);

	const get = block.findIndex((line) => /^ {4}get:\s*$/.test(line));
	if (get < 0) throw new Error('GET /products not found');
	let getEnd = get + 1;
	while (getEnd < block.length && !/^ {0,4}\S/.test(block[getEnd])) getEnd++;

	const ok = indexAfter(block, get, getEnd, /^ {8}'?200'?:\s*$/);
	const json = indexAfter(block, ok, getEnd, /^ {12}application\/json:\s*$/);
	const include = indexAfter(block, get, getEnd, /^ {8}- name: include\s*$/);
	// Insert from the bottom up so the earlier index stays valid.
	const inserts = [
		{ after: json, line: `              example: ${JSON.stringify(example)}` },
		{ after: include, line: '          explode: false' },
	].sort((a, b) => b.after - a.after);
	for (const { after, line } of inserts) block.splice(after + 1, 0, line);
	return [...lines.slice(0, start), ...block, ...lines.slice(end)].join('\n');
}

function indexAfter(lines: string[], from: number, to: number, pattern: RegExp): number {
	for (let index = from + 1; index < to; index++) if (pattern.test(lines[index])) return index;
	throw new Error(`GET /products: ${String(pattern)} not found; the spec layout is not the expected YAML`);
}
