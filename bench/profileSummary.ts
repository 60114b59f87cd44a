/**
 * Where a profiled phase's CPU went: `node --import tsx bench/profileSummary.ts <file.cpuprofile>
 * [requests]`. Self time by where the code lives (our package by file, n8n's packages, other
 * dependencies, Node's internals, GC), and the inclusive time of our package's own frames, in ms
 * and per request when the request count is given.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	children?: number[];
}

interface Profile {
	nodes: ProfileNode[];
	samples: number[];
	timeDeltas: number[];
	startTime: number;
	endTime: number;
}

/** Where a frame's code lives: our package's file, an n8n package, another dependency, Node, or V8's own buckets. */
function placeOf(url: string, functionName: string): string {
	if (!url) return functionName.startsWith('(') ? functionName : `(native) ${functionName || 'anonymous'}`;
	// The packed package inside n8n, or the sources when a bench profiles itself.
	const ours = /n8n-nodes-loyalty\/dist\/(.+)$/.exec(url) ?? /^file:\/\/.*?\/((?:engine|nodes|connectors)\/.+)$/.exec(url);
	if (ours) return `ours: ${ours[1]}`;
	if (url.startsWith('node:')) return `node: ${url.slice(5).split('/')[0]}`;
	const packages = [...url.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)];
	const last = packages.at(-1)?.[1];
	return last ? `pkg: ${last}` : `other: ${url.replace(/^file:\/\//, '')}`;
}

/** Coarse groups for "where a request's time goes"; the first that matches a place wins. */
const GROUPS: Array<[string, RegExp]> = [
	['ours (engine, nodes, connectors, their zod)', /^ours:/],
	["n8n's expression sandbox (isolated-vm)", /^\(native\) (Isolate|createContext|evalClosureSync|eval|dispose|compileScript|run|release)$|expression-runtime|isolated-vm/],
	["n8n's own database (executions, webhooks)", /typeorm|sqlite3|sqlite-pooled|^\(native\) (Backup|Statement|Database)/],
	['n8n (workflow, core, server, express)', /^pkg: (n8n|n8n-core|n8n-workflow|@n8n\/.+|express|body-parser|raw-body|content-type|prom-client|cache-manager|lru-cache|lodash|tarn|mime-types|iconv-lite)$/],
	['Node internals', /^node:/],
	['V8 and native code not attributed ((program), GC)', /^\((program|garbage collector)\)$/],
];

export function summarise(profile: Profile, requests?: number): string {
	const byId = new Map(profile.nodes.map((node) => [node.id, node]));
	const parentOf = new Map<number, number>();
	for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
	const selfUs = new Map<number, number>();
	profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
	const totalUs = profile.endTime - profile.startTime;

	const bySelfPlace = new Map<string, number>();
	const ourInclusive = new Map<string, number>();
	for (const [id, us] of selfUs) {
		const node = byId.get(id)!;
		const place = placeOf(node.callFrame.url, node.callFrame.functionName);
		bySelfPlace.set(place, (bySelfPlace.get(place) ?? 0) + us);
		// Inclusive time of our frames: every distinct our-frame on the stack gets the sample once.
		const seen = new Set<string>();
		for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
			const frame = byId.get(at)!.callFrame;
			const where = placeOf(frame.url, frame.functionName);
			if (!where.startsWith('ours:')) continue;
			const key = `${where.slice(6)} ${frame.functionName || '(anonymous)'}:${frame.lineNumber + 1}`;
			if (seen.has(key)) continue;
			seen.add(key);
			ourInclusive.set(key, (ourInclusive.get(key) ?? 0) + us);
		}
	}
	const busyUs = [...bySelfPlace].filter(([place]) => place !== '(idle)').reduce((sum, [, us]) => sum + us, 0);
	const ms = (us: number) => (us / 1000).toFixed(1).padStart(9);
	const perRequest = (us: number) => (requests ? (us / 1000 / requests).toFixed(3).padStart(8) : '');
	const lines = [
		`profile ${(totalUs / 1e6).toFixed(1)} s, busy ${(busyUs / 1000).toFixed(0)} ms${requests ? `, ${requests} requests: ${(busyUs / 1000 / requests).toFixed(2)} ms CPU a request` : ''}`,
		'',
		'self time by place            ms   ms/req  share',
	];
	const ranked = [...bySelfPlace].filter(([place]) => place !== '(idle)').sort((a, b) => b[1] - a[1]);
	for (const [place, us] of ranked.slice(0, 40)) lines.push(`${ms(us)} ${perRequest(us)} ${((100 * us) / busyUs).toFixed(1).padStart(5)}%  ${place}`);
	const groups = new Map<string, number>();
	for (const [place, us] of ranked) {
		const group = GROUPS.find(([, pattern]) => pattern.test(place))?.[0] ?? 'other';
		groups.set(group, (groups.get(group) ?? 0) + us);
	}
	lines.push('', 'by group                     ms   ms/req  share');
	for (const [group, us] of [...groups].sort((a, b) => b[1] - a[1])) lines.push(`${ms(us)} ${perRequest(us)} ${((100 * us) / busyUs).toFixed(1).padStart(5)}%  ${group}`);
	const ourSelf = ranked.filter(([place]) => place.startsWith('ours:')).reduce((sum, [, us]) => sum + us, 0);
	lines.push('', `ours, self: ${(ourSelf / 1000).toFixed(1)} ms (${((100 * ourSelf) / busyUs).toFixed(1)}%)`, '', 'our frames, inclusive (top 40)');
	for (const [key, us] of [...ourInclusive].sort((a, b) => b[1] - a[1]).slice(0, 40)) lines.push(`${ms(us)} ${perRequest(us)} ${((100 * us) / busyUs).toFixed(1).padStart(5)}%  ${key}`);
	return lines.join('\n');
}

if (process.argv[2]) {
	const profile = JSON.parse(readFileSync(process.argv[2], 'utf8')) as Profile;
	console.log(summarise(profile, process.argv[3] ? Number(process.argv[3]) : undefined));
}
