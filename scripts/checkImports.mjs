#!/usr/bin/env node
// The import rules of docs/architecture.md, checked over the package's own code (engine, nodes,
// connectors, cli, credentials). Run by `npm run lint` and by `npm test` after lint; exits 1 and
// names every file and import that breaks a rule:
//   - no import cycle, type-only imports included (a cycle makes load order decide behaviour);
//   - nodes, connectors, the CLI and credentials use the engine through engine/index.ts only;
//   - connectors do not import nodes; the engine imports no connector, node, CLI or n8n package;
//   - the store core (engine/store) and the model import no feature of the engine;
//   - no feature imports engine/privacy (it works from what every feature declares).
// It reads imports with the TypeScript parser the project already has, so it needs no other tool.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TOP_FOLDERS = ['engine', 'nodes', 'connectors', 'cli', 'credentials'];
/** The engine's shared core: what every feature may use, and which uses no feature. */
const ENGINE_CORE = ['engine/store', 'engine/model'];
/** Features that read every other feature's declarations: only the engine's collector and surface import them. */
const NOT_IMPORTED_BY_FEATURES = ['engine/privacy'];
const FEATURE_COLLECTORS = ['engine/features.ts', 'engine/index.ts'];

function sourceFiles(folder) {
	const files = [];
	if (!existsSync(folder)) return files;
	for (const name of readdirSync(folder)) {
		const path = join(folder, name);
		if (statSync(path).isDirectory()) files.push(...sourceFiles(path));
		else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) files.push(path);
	}
	return files;
}

/** A relative specifier resolved to a project file (`x.ts` or `x/index.ts`); undefined for a package. */
function resolveRelative(fromFile, specifier) {
	if (!specifier.startsWith('.')) return undefined;
	const base = resolve(dirname(fromFile), specifier);
	for (const candidate of [`${base}.ts`, join(base, 'index.ts'), base]) {
		if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
	}
	return undefined;
}

const project = (path) => relative(root, path).split(sep).join('/');
const within = (path, folder) => path === folder || path.startsWith(`${folder}/`);
const topOf = (path) => path.split('/')[0];

/** Every import, re-export and dynamic import of each file: `{ specifier, target? }`. */
const imports = new Map();
for (const file of TOP_FOLDERS.flatMap((folder) => sourceFiles(join(root, folder)))) {
	const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
	imports.set(
		project(file),
		importedFiles.map(({ fileName }) => {
			const target = resolveRelative(file, fileName);
			return { specifier: fileName, target: target === undefined ? undefined : project(target) };
		}),
	);
}

/** The rule an import breaks, or undefined. */
function brokenRule(from, { specifier, target }) {
	const top = topOf(from);
	if (target === undefined) {
		if (top === 'engine' && (specifier === 'n8n-workflow' || specifier.startsWith('n8n-') || specifier.startsWith('@n8n/'))) return 'the engine imports nothing from n8n';
		return undefined;
	}
	const targetTop = topOf(target);
	if (top !== 'engine' && targetTop === 'engine' && target !== 'engine/index.ts') return 'outside the engine, import it from engine/index.ts only';
	if (top === 'connectors' && targetTop === 'nodes') return 'connectors do not import nodes';
	if (top === 'engine' && targetTop !== 'engine') return `the engine does not import ${targetTop}/`;
	const core = ENGINE_CORE.find((folder) => within(from, folder));
	if (core && targetTop === 'engine' && !ENGINE_CORE.some((folder) => within(target, folder))) return `${core} is the shared core: it imports no feature (features register with it instead)`;
	if (within(from, 'engine/model') && !within(target, 'engine/model')) return 'engine/model imports nothing else of the engine';
	const leaf = NOT_IMPORTED_BY_FEATURES.find((folder) => within(target, folder));
	if (leaf && top === 'engine' && !within(from, leaf) && !FEATURE_COLLECTORS.includes(from)) return `${leaf} works from what every feature declares: no feature imports it`;
	return undefined;
}

const problems = [];
for (const [from, list] of imports) {
	for (const entry of list) {
		const rule = brokenRule(from, entry);
		if (rule) problems.push(`${from}: import '${entry.specifier}' — ${rule}`);
	}
}

/** Strongly connected components (Tarjan): every component with more than one file, or a file importing itself, is a cycle. */
function cycles() {
	const graph = new Map([...imports].map(([file, list]) => [file, [...new Set(list.map((entry) => entry.target).filter((target) => imports.has(target)))]]));
	const index = new Map();
	const low = new Map();
	const onStack = new Set();
	const stack = [];
	const found = [];
	let counter = 0;
	function visit(file) {
		index.set(file, counter);
		low.set(file, counter);
		counter++;
		stack.push(file);
		onStack.add(file);
		for (const next of graph.get(file)) {
			if (!index.has(next)) {
				visit(next);
				low.set(file, Math.min(low.get(file), low.get(next)));
			} else if (onStack.has(next)) low.set(file, Math.min(low.get(file), index.get(next)));
		}
		if (low.get(file) === index.get(file)) {
			const component = [];
			let member;
			do {
				member = stack.pop();
				onStack.delete(member);
				component.push(member);
			} while (member !== file);
			if (component.length > 1 || graph.get(file).includes(file)) found.push(component.sort());
		}
	}
	for (const file of graph.keys()) if (!index.has(file)) visit(file);
	return found.map((component) => pathThrough(graph, new Set(component), component[0]));
}

/** One concrete loop inside a cycle's files, starting and ending at `start`, to name in the message. */
function pathThrough(graph, members, start) {
	const previous = new Map([[start, undefined]]);
	const queue = [start];
	while (queue.length > 0) {
		const file = queue.shift();
		for (const next of graph.get(file)) {
			if (!members.has(next)) continue;
			if (next === start) {
				const loop = [file];
				for (let at = previous.get(file); at !== undefined; at = previous.get(at)) loop.unshift(at);
				return [...loop, start];
			}
			if (!previous.has(next)) {
				previous.set(next, file);
				queue.push(next);
			}
		}
	}
	return [start, start];
}

for (const loop of cycles()) problems.push(`import cycle: ${loop.join(' → ')}`);

if (problems.length > 0) {
	console.error(`Import rules (docs/architecture.md): ${problems.length} problem(s)`);
	for (const problem of problems) console.error(`  ${problem}`);
	process.exitCode = 1;
} else {
	console.log(`Import rules (docs/architecture.md): ${imports.size} files, no cycle, no import across a boundary`);
}
