/**
 * `npm run screenshots`: one picture per workflow template (`workflows/*.json`), taken from the
 * real n8n canvas, saved as `docs/screenshots/<template>.png` (1600×900) for the README.
 *
 * A real n8n (the pinned version of the end-to-end harness) boots once with this package
 * installed as a community package; every template is imported (with a placeholder credential
 * for every credential a template names, so no node shows a credential warning), and Debian's
 * `chromium`, driven by playwright-core, logs in, opens each workflow, zooms to fit and takes
 * the picture. Nothing is drawn by hand: change a template, run this again.
 *
 * `npm run screenshots -- points-on-purchase` takes only the named templates. dist/ is rebuilt
 * when a source is newer than it; `--no-build` pictures the dist/ that is there.
 * Needs Debian's chromium (`apt-get install chromium`) or LOYALTY_CHROMIUM=<path to a Chromium>.
 */
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import {
	DEMO_OWNER,
	N8nSession,
	PROJECT_ROOT,
	childEnv,
	ensureN8nInstalled,
	importCredentials,
	makeUserFolder,
	n8nCli,
	normaliseWorkflow,
	packAndInstallPackage,
	run,
	startN8n,
	type CredentialJson,
	type WorkflowJson,
} from '../test/e2e/support/n8n';

const DEBIAN_CHROMIUM = '/usr/bin/chromium';
const VIEWPORT = { width: 1600, height: 900 };
const OUT_DIR = path.join(PROJECT_ROOT, 'docs', 'screenshots');
const TEMPLATES_DIR = path.join(PROJECT_ROOT, 'workflows');

/** As the issue asks, plus what keeps a headless run quiet and offline. */
const CHROMIUM_FLAGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--no-first-run',
	'--disable-quic',
	// same pixels on every machine: no LCD subpixel colours, no font hinting differences
	'--disable-lcd-text',
	'--font-render-hinting=none',
	'--hide-scrollbars',
];

/**
 * What the pictures rely on in n8n's editor (2.41, a Vue Flow canvas). When an n8n upgrade
 * breaks one of these, the run fails naming it instead of saving a half-drawn canvas.
 */
const SELECTORS = {
	signinEmail: 'input[name="emailOrLdapLoginId"]',
	signinPassword: 'input[name="password"]',
	signinSubmit: '[data-test-id="form-submit-button"]',
	canvas: '[data-test-id="canvas"]',
	/** every node and sticky note as Vue Flow draws it (invisible until it has been measured) */
	flowNode: '.vue-flow__node',
	/** carries the pan/zoom transform */
	viewport: '.vue-flow__viewport',
	/** a workflow node (not a sticky note), with its name as an attribute */
	node: '[data-test-id="canvas-node"][data-node-name]',
	/** the header's workflow name (its title attribute holds the full name) */
	workflowName: '[data-test-id="workflow-name-input"]',
	zoomToFit: '[data-test-id="zoom-to-fit"]',
	/** what must not be in a picture: modals and drawers, toasts (n8n reports errors in them), banners */
	interruption: '[role="dialog"], [role="alertdialog"], .el-notification, .el-message, [data-test-id="banner-stack"] > *',
};

/** What the canvas shows right now: read in the page, judged in Node. */
interface CanvasState {
	/** Vue Flow nodes (workflow nodes and sticky notes) that are drawn and measured */
	drawn: number;
	nodes: Array<{ name: string; text: string; icons: Array<{ src: string; loaded: boolean }> }>;
	fontsLoaded: boolean;
	transform: string;
	workflowName: string;
	/** visible dialogs, toasts and banners, by their text */
	interruptions: string[];
}

/**
 * The little of the DOM the page-side functions touch. The project compiles without the
 * "dom" lib (it is a Node package), so it takes these from globalThis, typed here.
 */
interface BrowserElement {
	offsetWidth: number;
	innerText: string;
	src?: string;
	complete?: boolean;
	naturalWidth?: number;
	getAttribute(name: string): string | null;
	querySelectorAll(selector: string): ArrayLike<BrowserElement>;
}
interface BrowserGlobals {
	document: { querySelector(selector: string): BrowserElement | null; querySelectorAll(selector: string): ArrayLike<BrowserElement>; fonts: { status: string } };
	getComputedStyle(element: BrowserElement): { visibility: string };
	history: { pushState(state: unknown, unused: string, url: string): void };
	PopStateEvent: new (type: string, init: { state: unknown }) => unknown;
	dispatchEvent(event: unknown): boolean;
}

async function canvasState(page: Page): Promise<CanvasState> {
	return page.evaluate((selectors) => {
		const { document, getComputedStyle } = globalThis as unknown as BrowserGlobals;
		// no named helper functions in here: tsx would wrap them in a __name() the page lacks
		return {
			drawn: Array.from(document.querySelectorAll(selectors.flowNode)).filter((n) => getComputedStyle(n).visibility !== 'hidden' && n.offsetWidth > 0).length,
			nodes: Array.from(document.querySelectorAll(selectors.node)).map((n) => ({
				name: n.getAttribute('data-node-name') ?? '',
				text: n.innerText,
				icons: Array.from(n.querySelectorAll('img')).map((img) => ({ src: img.getAttribute('src') ?? '', loaded: !!img.complete && (img.naturalWidth ?? 0) > 0 })),
			})),
			fontsLoaded: document.fonts.status === 'loaded',
			transform: document.querySelector(selectors.viewport)?.getAttribute('style') ?? '',
			workflowName: document.querySelector(selectors.workflowName)?.getAttribute('title') ?? '',
			interruptions: Array.from(document.querySelectorAll(selectors.interruption))
				.filter((element) => getComputedStyle(element).visibility !== 'hidden' && element.offsetWidth > 0)
				.map((element) => element.innerText.trim().replace(/\s+/g, ' ').slice(0, 200)),
		};
	}, SELECTORS);
}

/** What is still missing from the picture of `workflow`, or undefined when everything is drawn. */
function stillMissing(state: CanvasState, workflow: WorkflowJson): string | undefined {
	if (state.workflowName !== workflow.name) return `the editor shows workflow "${state.workflowName}"`;
	const nodes = workflow.nodes.filter((node) => node.type !== 'n8n-nodes-base.stickyNote');
	if (state.nodes.length !== nodes.length) return `${state.nodes.length} of ${nodes.length} nodes drawn`;
	if (state.drawn !== workflow.nodes.length) return `${state.drawn} of ${workflow.nodes.length} nodes and sticky notes drawn`;
	for (const node of nodes) {
		const drawn = state.nodes.find((n) => n.name === node.name);
		if (!drawn) return `node "${node.name}" not drawn`;
		if (!drawn.text.includes(node.name)) return `node "${node.name}" drawn without its name`;
		const broken = drawn.icons.find((icon) => !icon.loaded);
		if (broken) return `icon ${broken.src} of node "${node.name}" not loaded (is dist/ complete? npx n8n-node build copies the icons last)`;
	}
	if (!state.fontsLoaded) return 'fonts still loading';
	return undefined;
}

/** A problem the person running the script fixes (no stack trace needed). */
class SetupError extends Error {}

function chromiumPath(): string {
	const chosen = process.env.LOYALTY_CHROMIUM;
	if (chosen) {
		if (fs.existsSync(chosen)) return chosen;
		throw new SetupError(`LOYALTY_CHROMIUM=${chosen}: no such file`);
	}
	if (fs.existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
	throw new SetupError(
		`npm run screenshots needs Debian's chromium, which is not installed here (no ${DEBIAN_CHROMIUM}).\n` +
			'Install it with:  sudo apt-get install chromium\n' +
			'or point LOYALTY_CHROMIUM at another Chromium binary.',
	);
}

interface Template {
	/** file name without .json: names the picture */
	name: string;
	workflow: WorkflowJson;
}

function readTemplates(only: string[]): Template[] {
	const files = fs
		.readdirSync(TEMPLATES_DIR)
		.filter((f) => f.endsWith('.json'))
		.sort();
	const templates = files.map((file) => ({ name: file.slice(0, -'.json'.length), workflow: JSON.parse(fs.readFileSync(path.join(TEMPLATES_DIR, file), 'utf8')) as WorkflowJson }));
	const unknown = only.filter((name) => !templates.some((t) => t.name === name || `${t.name}.json` === name));
	if (unknown.length) throw new SetupError(`no template ${unknown.join(', ')} in workflows/ (there are: ${templates.map((t) => t.name).join(', ')})`);
	return only.length ? templates.filter((t) => only.includes(t.name) || only.includes(`${t.name}.json`)) : templates;
}

/**
 * One placeholder credential per (type, name) the templates refer to: the editor then shows the
 * credential as chosen, the way a shop that filled it in sees it. The data is never used:
 * nothing runs.
 */
function placeholderCredentials(templates: Template[]): CredentialJson[] {
	const seen = new Map<string, CredentialJson>();
	for (const { workflow } of templates)
		for (const node of workflow.nodes) {
			for (const [type, ref] of Object.entries(node.credentials ?? {})) seen.set(`${type}\0${ref.name}`, { name: ref.name, type, data: {} });
		}
	return [...seen.values()];
}

/** Log in through the sign-in form, as a person would; the session cookie is bound to the browser. */
async function signIn(page: Page, baseUrl: string): Promise<void> {
	await page.goto(`${baseUrl}/signin`);
	await page.locator(SELECTORS.signinEmail).fill(DEMO_OWNER.email);
	await page.locator(SELECTORS.signinPassword).fill(DEMO_OWNER.password);
	await Promise.all([page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: 30_000 }), page.locator(SELECTORS.signinSubmit).click()]);
}

/**
 * Opens a workflow and waits until Vue Flow has drawn every node and sticky note, each node
 * with its name and its icon loaded, and the fonts are in.
 *
 * Once the editor is loaded, the next workflow is opened inside it, the way its back and
 * forward buttons do (new address, then `popstate`): a full page load parses n8n's bundle and
 * fetches every node type again, 10 s a picture here instead of 1.5 s, for the same pixels.
 * Should that ever not draw, a full page load takes over.
 */
async function openWorkflow(page: Page, baseUrl: string, workflow: WorkflowJson): Promise<void> {
	const address = `/workflow/${workflow.id}`;
	if (page.url().includes('/workflow/')) {
		await page.evaluate((url) => {
			const browser = globalThis as unknown as BrowserGlobals;
			browser.history.pushState({}, '', url);
			browser.dispatchEvent(new browser.PopStateEvent('popstate', { state: {} }));
		}, address);
		try {
			return await drawn(page, workflow, 15_000);
		} catch {
			// fall through to a full page load
		}
	}
	await page.goto(`${baseUrl}${address}`);
	await page.locator(SELECTORS.canvas).waitFor({ timeout: 60_000 });
	await drawn(page, workflow, 30_000);
}

async function drawn(page: Page, workflow: WorkflowJson, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const missing = stillMissing(await canvasState(page), workflow);
		if (!missing) return;
		if (Date.now() > deadline) throw new Error(missing);
		await page.waitForTimeout(100);
	}
}

/**
 * Nothing may cover the canvas: a dialog or toast is closed with Escape (as a person would);
 * whatever stays is an error worth reading, so the run stops and names it.
 */
async function clearInterruptions(page: Page): Promise<void> {
	for (let attempt = 0; ; attempt++) {
		const { interruptions } = await canvasState(page);
		if (interruptions.length === 0) return;
		if (attempt === 3) throw new Error(`something covers the canvas: ${interruptions.map((text) => JSON.stringify(text)).join('; ')}`);
		await page.keyboard.press('Escape');
		await page.waitForTimeout(300);
	}
}

/** Zoom to fit, then wait until the viewport transform stops changing (the zoom may be animated). */
async function fitView(page: Page): Promise<void> {
	await page.locator(SELECTORS.zoomToFit).click();
	await page.mouse.move(VIEWPORT.width - 2, VIEWPORT.height / 2); // no hover toolbar on any node
	let last = '';
	for (let stable = 0; stable < 3; ) {
		await page.waitForTimeout(100);
		const { transform } = await canvasState(page);
		stable = transform === last ? stable + 1 : 0;
		last = transform;
	}
}

/** Sources the built package is made of; dist/ is stale when one of them is newer than its build. */
const SOURCE_DIRS = ['nodes', 'credentials', 'engine', 'connectors', 'cli', 'icons'];

function newestMtime(dir: string): number {
	let newest = 0;
	if (!fs.existsSync(dir)) return newest;
	for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
		if (entry.isFile()) newest = Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
	}
	return newest;
}

function distIsStale(): boolean {
	const builtAt = path.join(PROJECT_ROOT, 'dist', 'tsconfig.tsbuildinfo');
	if (!fs.existsSync(builtAt)) return true;
	const sources = Math.max(fs.statSync(path.join(PROJECT_ROOT, 'package.json')).mtimeMs, ...SOURCE_DIRS.map((dir) => newestMtime(path.join(PROJECT_ROOT, dir))));
	return sources > fs.statSync(builtAt).mtimeMs;
}

async function build(): Promise<void> {
	try {
		await run('npx', ['n8n-node', 'build'], { cwd: PROJECT_ROOT, env: childEnv(), timeoutMs: 10 * 60_000 });
	} catch (error) {
		// n8n-node's spinner fills the output; the compiler's complaints are the lines worth showing
		const complaints = String((error as Error).message)
			.split('\n')
			.filter((line) => /error TS|error:/i.test(line))
			.map((line) => line.replace(/^.*?■\s*/, '').trim());
		throw new Error(`building the package failed (fix the build, or picture the existing dist/ with --no-build):\n${complaints.join('\n') || (error as Error).message}`);
	}
}

async function main(): Promise<void> {
	const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
	const executablePath = chromiumPath();
	const templates = readTemplates(only);
	const startedAt = Date.now();
	const log = (line: string) => console.error(`  · ${((Date.now() - startedAt) / 1000).toFixed(1).padStart(5)} s  ${line}`);

	if (!process.argv.includes('--no-build') && distIsStale()) {
		log('building the package…'); // a stale dist/ would picture yesterday's nodes
		await build();
	}
	log('installing n8n (cached after the first run)…');
	const install = await ensureN8nInstalled({ log });
	const userFolder = await makeUserFolder('loyalty-screenshots-');
	const browserProfile = await fsp.mkdtemp(path.join(os.tmpdir(), 'loyalty-chromium-'));
	const cleanups: Array<() => Promise<unknown>> = [
		() => fsp.rm(browserProfile, { recursive: true, force: true }),
		() => (process.env.LOYALTY_E2E_KEEP ? Promise.resolve() : fsp.rm(userFolder, { recursive: true, force: true })),
	];
	try {
		log('installing the packed package into n8n…');
		await packAndInstallPackage(userFolder);
		const placeholders = placeholderCredentials(templates);
		const credentials = placeholders.length ? await importCredentials(userFolder, placeholders, { install }) : [];
		const workflows = templates.map(({ workflow }) => normaliseWorkflow(workflow, { credentials }));
		// one import for all: each n8n CLI call boots n8n's database layer, seconds apiece
		const importFile = path.join(userFolder, 'import', 'templates.json');
		await fsp.mkdir(path.dirname(importFile), { recursive: true });
		await fsp.writeFile(importFile, JSON.stringify(workflows, null, 2));
		log(`importing ${workflows.length} template(s)…`);
		await n8nCli(userFolder, ['import:workflow', `--input=${importFile}`], { install, successPattern: /Successfully imported \d+ workflow/ });

		log('starting n8n…');
		const n8n = await startN8n({ userFolder, install });
		cleanups.unshift(() => n8n.stop());
		await new N8nSession(n8n.baseUrl).loginOwner(); // creates the owner account

		log(`starting ${executablePath}…`);
		const context = await chromium.launchPersistentContext(browserProfile, {
			executablePath,
			headless: true,
			chromiumSandbox: false,
			args: CHROMIUM_FLAGS,
			viewport: VIEWPORT,
			deviceScaleFactor: 1,
			locale: 'en-US',
			timezoneId: 'UTC',
			colorScheme: 'light',
			reducedMotion: 'reduce',
		});
		cleanups.unshift(() => context.close());
		const page = context.pages()[0] ?? (await context.newPage());
		await signIn(page, n8n.baseUrl);

		await fsp.mkdir(OUT_DIR, { recursive: true });
		for (const [index, { name }] of templates.entries()) {
			const started = Date.now();
			const workflow = workflows[index]!;
			try {
				await openWorkflow(page, n8n.baseUrl, workflow);
				await clearInterruptions(page);
				await fitView(page);
			} catch (error) {
				// what the browser showed, to find out which selector n8n changed
				const evidence = path.join(os.tmpdir(), `loyalty-screenshots-failed-${name}`);
				await page.screenshot({ path: `${evidence}.png` }).catch(() => undefined);
				await fsp.writeFile(`${evidence}.html`, await page.content().catch(() => '')).catch(() => undefined);
				throw new Error(`${name}: the canvas did not draw as expected (page saved as ${evidence}.png and .html): ${(error as Error).message}`);
			}
			const file = path.join(OUT_DIR, `${name}.png`);
			const png = await page.screenshot({ path: file, animations: 'disabled', caret: 'hide', scale: 'css' });
			console.log(JSON.stringify({ file: path.relative(PROJECT_ROOT, file), bytes: png.length, ms: Date.now() - started }));
		}
	} finally {
		for (const cleanup of cleanups) await cleanup().catch(() => undefined);
	}
}

main().catch((error) => {
	console.error(error instanceof SetupError ? error.message : error);
	process.exit(1);
});
