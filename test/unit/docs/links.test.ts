/**
 * The documentation stays navigable: every relative link in README.md and docs/**\/*.md points at a
 * file (or folder) of this repository, every node's documentation link opens its own page under
 * docs/, and the README stays short, with the two commands to try it on its first screen.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const DOCS_BASE = 'https://github.com/n8n-nodes-loyalty/n8n-nodes-loyalty/blob/main/';

function markdownFiles(dir: string): string[] {
	return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) return markdownFiles(full);
		return entry.name.endsWith('.md') ? [full] : [];
	});
}

/** Link targets of `[text](target)` and `![alt](target)`, outside fenced code blocks and inline code. */
function linkTargets(markdown: string): string[] {
	const prose = markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
	return [...prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
}

const FILES = [path.join(ROOT, 'README.md'), ...markdownFiles(path.join(ROOT, 'docs'))];

describe('documentation links', () => {
	it('finds the pages', () => {
		assert.ok(FILES.length > 10, `only ${FILES.length} markdown files found`);
	});

	for (const file of FILES) {
		it(`${path.relative(ROOT, file)}: every relative link resolves`, () => {
			const broken: string[] = [];
			for (const target of linkTargets(fs.readFileSync(file, 'utf8'))) {
				if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue;
				const [filePart] = target.split('#');
				const resolved = path.resolve(path.dirname(file), decodeURIComponent(filePart!));
				if (!resolved.startsWith(ROOT + path.sep)) broken.push(`${target} (outside the repository)`);
				else if (!fs.existsSync(resolved)) broken.push(target);
			}
			assert.deepEqual(broken, [], `broken links in ${path.relative(ROOT, file)}`);
		});
	}

	it('no page refers to files outside the repository or to the product brief', () => {
		for (const file of FILES) {
			const text = fs.readFileSync(file, 'utf8');
			assert.ok(!text.includes('../shared'), `${path.relative(ROOT, file)} mentions ../shared`);
			assert.ok(!/product brief/i.test(text), `${path.relative(ROOT, file)} mentions the product brief`);
		}
	});
});

describe('README', () => {
	const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

	it('is at most 10 KB', () => {
		const bytes = Buffer.byteLength(readme);
		assert.ok(bytes <= 10_240, `README.md is ${bytes} bytes`);
	});

	it('shows npm install, npm run demo and npm test within its first 60 lines', () => {
		const head = readme.split('\n').slice(0, 60).join('\n');
		for (const command of ['npm install', 'npm run demo', 'npm test']) {
			assert.ok(head.includes(command), `"${command}" is not in the first 60 lines`);
		}
	});
});

describe('node documentation links', () => {
	const nodesDir = path.join(ROOT, 'nodes');
	const codexFiles = fs
		.readdirSync(nodesDir, { withFileTypes: true })
		.filter((entry) => entry.isDirectory())
		.map((entry) => path.join(nodesDir, entry.name, `${entry.name}.node.json`))
		.filter((file) => fs.existsSync(file));

	it('finds a codex file for every node in package.json', () => {
		const nodes = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { n8n: { nodes: string[] } }).n8n.nodes;
		assert.equal(codexFiles.length, nodes.length);
	});

	for (const file of codexFiles) {
		it(`${path.relative(ROOT, file)} opens its own page under docs/nodes/`, () => {
			const codex = JSON.parse(fs.readFileSync(file, 'utf8')) as {
				resources: { primaryDocumentation: Array<{ url: string }>; credentialDocumentation?: Array<{ url: string }> };
			};
			const primary = codex.resources.primaryDocumentation[0]!.url;
			assert.match(primary, /\/docs\/nodes\/[a-z-]+\.md$/);
			for (const { url } of [codex.resources.primaryDocumentation[0]!, ...(codex.resources.credentialDocumentation ?? [])]) {
				assert.ok(url.startsWith(DOCS_BASE), `${url} is not in this repository`);
				assert.ok(fs.existsSync(path.join(ROOT, url.slice(DOCS_BASE.length).split('#')[0]!)), `${url} has no page`);
			}
		});
	}

	it('every credential documentation link opens a page of this repository', () => {
		const credentialsDir = path.join(ROOT, 'credentials');
		for (const name of fs.readdirSync(credentialsDir).filter((f) => f.endsWith('.credentials.ts'))) {
			const url = /documentationUrl = '([^']+)'/.exec(fs.readFileSync(path.join(credentialsDir, name), 'utf8'))?.[1];
			assert.ok(url !== undefined && url.startsWith(DOCS_BASE), `${name}: ${url}`);
			assert.ok(fs.existsSync(path.join(ROOT, url.slice(DOCS_BASE.length).split('#')[0]!)), `${name}: ${url} has no page`);
		}
	});

	it('the documentation base matches package.json repository', () => {
		const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { repository: { url: string } };
		const repo = pkg.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');
		assert.equal(DOCS_BASE, `${repo}/blob/main/`);
	});
});
