/**
 * Validates the real-n8n harness with n8n's built-in nodes (Webhook -> Set), measures the bare
 * baseline, and - once dist/ exists - checks that the packed package loads as a community
 * package with `n8n-nodes-loyalty.*` types.
 *
 *   PATH=$PWD/node_modules/.bin:$PATH node --import tsx --test test/e2e/harness.test.ts
 *
 * LOYALTY_E2E_KEEP=1 keeps the temp user folders; LOYALTY_E2E_LOAD_MS sets the load duration
 * (default 10000, 0 skips the load measurement).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, test } from 'node:test';

import { runLoad } from './support/load';
import { bareWorkflow } from './support/bareWorkflow';
import {
	N8nSession,
	PROJECT_ROOT,
	ensureN8nInstalled,
	executionDetail,
	executionsOf,
	importCredentials,
	importWorkflow,
	makeUserFolder,
	nodeTypes,
	normaliseWorkflow,
	packAndInstallPackage,
	isWebhookRegistered,
	publishWorkflow,
	startN8n,
	waitForExecutions,
	webhookPaths,
	type RunningN8n,
} from './support/n8n';

const keep = process.env.LOYALTY_E2E_KEEP === '1';
const loadMs = Number(process.env.LOYALTY_E2E_LOAD_MS ?? 10_000);
const cleanups: Array<() => Promise<void>> = [];
const figures: Record<string, unknown> = {};

after(async () => {
	for (const c of cleanups.reverse()) await c().catch((e) => console.error('cleanup:', e));
	console.log(`[harness figures] ${JSON.stringify(figures, null, 2)}`);
});


async function tempUserFolder(prefix: string): Promise<string> {
	const dir = await makeUserFolder(prefix);
	cleanups.push(async () => {
		if (keep) console.log(`kept user folder ${dir}`);
		else await fs.promises.rm(dir, { recursive: true, force: true });
	});
	return dir;
}

function track(n: RunningN8n): RunningN8n {
	cleanups.push(() => n.stop());
	return n;
}

test('real n8n: built-in Webhook -> Set workflow runs through the harness', { timeout: 60 * 60_000 }, async (t) => {
	const t0 = Date.now();
	const install = await ensureN8nInstalled();
	figures.installSeconds = install.installSeconds ?? `cached (${((Date.now() - t0) / 1000).toFixed(1)} s check)`;

	const userFolder = await tempUserFolder('n8n-harness-');
	const wf = normaliseWorkflow(bareWorkflow('Harness check', 'harness-check'));
	assert.equal(wf.id!.length, 16);
	// a second workflow, imported but published only later through the REST API of the running n8n
	const live = normaliseWorkflow(bareWorkflow('Harness live publish', 'harness-live'));

	// a third one guarded by header auth: exercises credential import + placeholder wiring
	const authTemplate = bareWorkflow('Harness header auth', 'harness-auth');
	authTemplate.nodes[0]!.parameters.authentication = 'headerAuth';
	authTemplate.nodes[0]!.credentials = { httpHeaderAuth: { name: 'Harness header' } }; // no id, like our templates

	let t1 = Date.now();
	const creds = await importCredentials(
		userFolder,
		[{ name: 'Harness header', type: 'httpHeaderAuth', data: { name: 'x-harness-key', value: 's3cret' } }],
		{ install },
	);
	figures.importCredentialsMs = Date.now() - t1;
	const authWf = normaliseWorkflow(authTemplate, { credentials: creds });
	assert.deepEqual(authWf.nodes[0]!.credentials, { httpHeaderAuth: { id: creds[0]!.id, name: 'Harness header' } });

	t1 = Date.now();
	await importWorkflow(userFolder, wf, { install });
	figures.importWorkflowMs = Date.now() - t1;
	await importWorkflow(userFolder, live, { install });
	await importWorkflow(userFolder, authWf, { install });
	t1 = Date.now();
	await publishWorkflow(userFolder, wf.id!, { install });
	figures.publishCliMs = Date.now() - t1;
	await publishWorkflow(userFolder, authWf.id!, { install });

	// first boot: fresh database
	let n8n = track(await startN8n({ userFolder, install, waitForWebhooks: webhookPaths(wf) }));
	figures.firstBoot = { healthzMs: n8n.healthzMs, readyMs: n8n.readyMs, webhooksMs: n8n.webhooksMs };
	await n8n.stop();

	// warm boot: same user folder, published workflows register at boot
	n8n = track(
		await startN8n({ userFolder, install, waitForWebhooks: [...webhookPaths(wf), ...webhookPaths(authWf)] }),
	);
	figures.warmBoot = { healthzMs: n8n.healthzMs, readyMs: n8n.readyMs, webhooksMs: n8n.webhooksMs };
	t.diagnostic(`n8n ${install.version} at ${n8n.baseUrl}, log ${n8n.logFile}`);

	const res = await fetch(`${n8n.baseUrl}/webhook/harness-check`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ n: 42 }),
	});
	assert.equal(res.status, 200, await res.text());
	const rows = await waitForExecutions(userFolder, wf.id!, 1);
	assert.equal(rows.length, 1);
	assert.equal(rows[0]!.status, 'success', JSON.stringify(rows));
	const detail = executionDetail(userFolder, rows[0]!.id, install);
	assert.equal(detail.nodes.Set?.[0]?.[0]?.[0]?.seen, 42, JSON.stringify(detail.nodes));
	assert.deepEqual(detail.errors, {});

	// credentials: the imported header credential guards the webhook
	const denied = await fetch(`${n8n.baseUrl}/webhook/harness-auth`, { method: 'POST', body: '{}' });
	assert.ok([401, 403].includes(denied.status), `expected 401/403 without the header, got ${denied.status}`);
	const allowed = await fetch(`${n8n.baseUrl}/webhook/harness-auth`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', 'x-harness-key': 's3cret' },
		body: JSON.stringify({ n: 1 }),
	});
	assert.equal(allowed.status, 200);
	assert.equal((await waitForExecutions(userFolder, authWf.id!, 1))[0]!.status, 'success');

	// owner account + live publish through the REST API (what the editor does)
	const session = new N8nSession(n8n.baseUrl);
	await session.loginOwner(); // first time: sets the owner up
	await new N8nSession(n8n.baseUrl).loginOwner(); // afterwards: a plain login with the same password
	assert.equal(await isWebhookRegistered(`${n8n.baseUrl}/webhook/harness-live`), false);
	t1 = Date.now();
	await session.publish(live.id!);
	const registeredAfter = await n8n.waitForWebhook('harness-live', { timeoutMs: 30_000 });
	figures.livePublishToWebhookMs = Date.now() - t1;
	figures.livePublishRegisterAfterApiMs = registeredAfter;
	const res2 = await fetch(`${n8n.baseUrl}/webhook/harness-live`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ n: 7 }),
	});
	assert.equal(res2.status, 200);
	assert.equal((await waitForExecutions(userFolder, live.id!, 1))[0]!.status, 'success');

	if (loadMs > 0) {
		const before = executionsOf(userFolder, wf.id!).length;
		const load = await runLoad({
			url: `${n8n.baseUrl}/webhook/harness-check`,
			concurrency: 4,
			durationMs: loadMs,
			warmupMs: 1_000,
			body: (c, s) => ({ n: c * 1_000_000 + s }),
		});
		figures.bareWebhookLoad = load;
		t.diagnostic(`bare webhook: ${load.perSecond}/s, p50 ${load.latencyMs.p50} ms, p99 ${load.latencyMs.p99} ms`);
		assert.equal(load.failed, 0, JSON.stringify(load));
		// every request (warm-up ones included) became a successful execution
		const after = await waitForExecutions(userFolder, wf.id!, before + load.totalRequests, 60_000);
		assert.equal(after.length, before + load.totalRequests);
		const bad = after.filter((r) => r.status !== 'success');
		assert.equal(bad.length, 0, JSON.stringify(bad.slice(0, 3)));
		figures.executionsRecorded = after.length;
	}
});

test('real n8n: packed n8n-nodes-loyalty loads as a community package', { timeout: 30 * 60_000 }, async (t) => {
	const nodesDir = path.join(PROJECT_ROOT, 'dist', 'nodes');
	const built = fs.existsSync(nodesDir)
		? fs.readdirSync(nodesDir, { recursive: true }).map(String).filter((f) => f.endsWith('.node.js'))
		: [];
	if (built.length === 0) {
		t.skip(`${nodesDir} has no *.node.js yet (run npx n8n-node build once the nodes exist)`);
		return;
	}
	const install = await ensureN8nInstalled();
	const userFolder = await tempUserFolder('n8n-package-');
	const pkg = await packAndInstallPackage(userFolder);
	assert.equal(pkg.packageName, 'n8n-nodes-loyalty');
	const n8n = track(await startN8n({ userFolder, install }));
	const declared = (
		JSON.parse(fs.readFileSync(path.join(pkg.dir, 'package.json'), 'utf8')) as { n8n?: { nodes?: string[] } }
	).n8n?.nodes ?? [];
	const types = nodeTypes(userFolder);
	const ours = types.filter((x) => x.startsWith('n8n-nodes-loyalty.'));
	const credentialTypes = nodeTypes(userFolder, 'credentials');
	t.diagnostic(`loaded: ${ours.join(', ')}`);
	assert.ok(ours.length > 0, `no n8n-nodes-loyalty.* types; built: ${built.join(', ')}\n${n8n.log().slice(-3000)}`);
	assert.deepEqual(types.filter((x) => x.startsWith('CUSTOM.')), []);
	// every node file declared in package.json is loaded (usableAsTool nodes add a <name>Tool twin)
	const primary = ours.filter((x) => !(x.endsWith('Tool') && ours.includes(x.slice(0, -4))));
	assert.equal(primary.length, declared.length, `declared ${declared.join(', ')}; n8n knows ${ours.join(', ')}`);
	// the editor sees the same through the authenticated REST route
	const session = new N8nSession(n8n.baseUrl);
	await session.loginOwner();
	const viaRest = (await session.nodeTypes()).filter((x) => x.startsWith('n8n-nodes-loyalty.'));
	assert.deepEqual(viaRest.sort(), [...ours].sort());
	figures.packageTypes = { nodes: ours, credentials: credentialTypes.filter((c) => /^loyalty/i.test(c)) };
});
