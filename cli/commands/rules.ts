import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { compileRules, eventsJsonSchema, explanationLine, minorToDecimalString, openStore, parseRuleEvent, rulesJsonSchema, simulate, type Decision, type RuleEvent, type SimulationSummary } from '../../engine';
import type { CliCommand } from '../command';

async function readEvents(file: string): Promise<{ events: RuleEvent[]; bad: number }> {
	const events: RuleEvent[] = [];
	let line = 0;
	let bad = 0;
	for await (const text of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
		line++;
		if (!text.trim()) continue;
		try {
			events.push(parseRuleEvent(JSON.parse(text), 'event'));
		} catch (error) {
			bad++;
			console.error(`line ${line}: ${(error as Error).message}`);
		}
	}
	return { events, bad };
}

/** One line per decision: what fired and why the others did not, without the full condition trees. */
function decisionLine(decision: Decision): string {
	return JSON.stringify({
		at: decision.evaluatedAt,
		event: decision.eventKey,
		type: decision.eventType,
		customer: decision.customerKey,
		routes: decision.routes,
		points: decision.pointsToAward,
		fired: decision.fired.map((f) => ({ rule: f.ruleId, ...(f.arm ? { arm: f.arm } : {}), points: f.points, actions: f.actions.map((a) => a.type), costMinor: f.costMinor })),
		...(decision.holdouts.length ? { holdouts: decision.holdouts } : {}),
		explanation: decision.explanation.filter((e) => e.outcome !== 'fired').map(explanationLine),
	});
}

function money(minor: number, currency: string): string {
	return `${minorToDecimalString(minor, currency)} ${currency}`;
}

function readableSummary(summary: SimulationSummary, currency: string): string {
	const rows = Object.entries(summary.perRule).map(([id, t]) => `  ${id.padEnd(28)} fired ${String(t.fired).padStart(6)}  suppressed ${String(t.suppressed).padStart(5)}  holdout ${String(t.holdout).padStart(4)}  points ${String(t.points).padStart(8)}  offers ${String(t.offers).padStart(5)}  coupons ${String(t.coupons).padStart(5)}  cost ${money(t.costMinor, currency)}`);
	return [
		'',
		`Events: ${summary.events} (${summary.failedEvents} failed)   customers reached: ${summary.customersReached}`,
		`Points issued: ${summary.pointsIssued}   offers: ${summary.offersSent}   coupons: ${summary.couponsIssued}`,
		`Estimated reward cost: ${money(summary.estimatedRewardCostMinor, currency)} vs revenue touched ${money(summary.revenueTouchedMinor, currency)}${summary.costShareOfRevenue === null ? '' : ` (${(summary.costShareOfRevenue * 100).toFixed(1)}%)`}`,
		'Per rule:',
		...rows,
		`Rules that never fired: ${summary.rulesNeverFired.join(', ') || 'none'}`,
		`Limits that held rules back: ${Object.entries(summary.capsThatBound).map(([k, n]) => `${k} ×${n}`).join('; ') || 'none'}`,
	].join('\n');
}

export const simulateCommand: CliCommand = {
	name: 'simulate',
	summary: 'replay past events through rules on a scratch store: decisions, reach, points, offers, cost',
	usage: `n8n-loyalty simulate --rules rules.json --events events.jsonl [--as-of <ISO time>] [--json] [--currency USD]

Replays the events (one JSON object per line) oldest first through the rules, each at its own time,
against a throw-away SQLite store, so windows, frequency limits, caps and holds bind as they would have.
Prints one JSON line per decision, then a summary: customers reached, decisions per rule, points
issued, offers and coupons by rule, estimated reward cost vs revenue touched, rules that never fired
and the limits that held rules back. --json prints the summary as a final JSON line {"summary": ...}.
Money in the readable summary is shown in --currency (default USD). Nothing touches your live store.
Exit code 2 when some event lines could not be read or decided.

The formats: n8n-loyalty schema rules, n8n-loyalty schema events.`,
	async run({ flags }) {
		if (typeof flags.rules !== 'string' || typeof flags.events !== 'string') throw new Error('simulate: give --rules <rules.json> and --events <events.jsonl>');
		const asOf = typeof flags['as-of'] === 'string' ? new Date(flags['as-of']) : undefined;
		if (asOf && Number.isNaN(asOf.getTime())) throw new Error(`simulate: --as-of "${flags['as-of']}" is not an ISO date-time`);
		const ruleSet = compileRules(JSON.parse(readFileSync(flags.rules, 'utf8')));
		const { events, bad } = await readEvents(flags.events);
		const dir = mkdtempSync(join(tmpdir(), 'n8n-loyalty-simulate-'));
		const store = await openStore({ kind: 'sqlite', path: join(dir, 'scratch.sqlite') });
		try {
			let failed = 0;
			const summary = await simulate(store, ruleSet, events, {
				asOf,
				onDecision: (decision) => console.log(decisionLine(decision)),
				onError: (error, event) => {
					failed++;
					console.error(`event ${event.idempotencyKey}: ${(error as Error).message}`);
				},
			});
			console.log(flags.json ? JSON.stringify({ summary }) : readableSummary(summary, typeof flags.currency === 'string' ? flags.currency : 'USD'));
			return bad + failed > 0 ? 2 : 0;
		} finally {
			await store.close();
			rmSync(dir, { recursive: true, force: true });
		}
	},
};

export const schemaCommand: CliCommand = {
	name: 'schema',
	summary: 'print the JSON Schema of rule files (rules) or simulation events (events)',
	usage: 'n8n-loyalty schema rules|events\n\nPrints a JSON Schema (draft 2020-12) generated from the same definitions the rule compiler uses.',
	async run({ positional }) {
		const which = positional[0];
		if (which === 'rules') console.log(JSON.stringify(rulesJsonSchema(), null, 2));
		else if (which === 'events') console.log(JSON.stringify(eventsJsonSchema(), null, 2));
		else throw new Error('schema: say which, e.g. n8n-loyalty schema rules (or events)');
		return 0;
	},
};

/** Rule evaluator commands (simulate, schema). */
export const RULES_COMMANDS: readonly CliCommand[] = [simulateCommand, schemaCommand];
