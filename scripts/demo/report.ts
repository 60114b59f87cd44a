/** The demo's closing page: who has the most points, whether the books balance, where to look. */
import { verifyBalances, listQuarantine, type Store } from '../../engine';
import { DEMO_OWNER, executionsOf } from '../../test/e2e/support/n8n';
import { loadTemplate, TEMPLATE_FILES, type TemplatesEnv } from '../../test/e2e/support/templates';
import type { DayTally } from './day';
import { DAY, DAY_MS } from './shop';

export async function report(env: TemplatesEnv, store: Store, tally: DayTally, pastEvents: number, print: (line: string) => void = console.log): Promise<{ balanced: boolean }> {
	const accounts = await store.db.query<{ customer_id: string; available: number; lifetime_earned: number; tier: string | null }>(
		`SELECT customer_id, available, lifetime_earned, tier FROM loyalty_accounts ORDER BY available DESC, customer_id`,
	);
	print(`\nTop customers (${accounts.length} members with points; tiers: ${tiers(accounts)}):\n`);
	print(`  ${'customer'.padEnd(18)} ${'points'.padStart(7)} ${'lifetime'.padStart(9)}  tier`);
	for (const a of accounts.slice(0, 10)) {
		const customer = await store.findCustomer({ customerId: a.customer_id });
		const name = [customer?.firstName, customer?.lastName].filter(Boolean).join(' ') || a.customer_id;
		print(`  ${name.padEnd(18)} ${String(a.available).padStart(7)} ${String(a.lifetime_earned).padStart(9)}  ${a.tier ?? '-'}`);
	}

	const [{ n: events }] = await store.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM events');
	const sent = await store.db.query<{ offer_template_id: string; channel: string; n: number }>(
		`SELECT offer_template_id, channel, COUNT(*) AS n FROM delivery_sends WHERE status = 'sent' AND send_at >= $1 GROUP BY offer_template_id, channel ORDER BY COUNT(*) DESC, offer_template_id, channel`,
		[new Date(DAY.opensAt.getTime() - DAY_MS).toISOString()],
	);
	const sends = sent.reduce((sum, row) => sum + Number(row.n), 0);
	const quarantined = await listQuarantine(store);
	const mismatches = await verifyBalances(store);
	const runs = TEMPLATE_FILES.flatMap((file) => executionsOf(env.userFolder, env.workflowIds[file]));
	print('');
	print(`  today: ${tally.deliveries} signed deliveries (${tally.duplicates} duplicates dropped), ${tally.forged} forged (401); ${Number(events) - pastEvents} new events on record; ${runs.length} workflow runs (${runs.filter((r) => r.status === 'success').length} succeeded); ${sends} messages sent`);
	print(`  messages: ${sent.map((row) => `${row.n} ${row.offer_template_id.replace(/_/g, ' ')} (${row.channel})`).join(', ')}`);
	print(`  quarantine: ${quarantined.length} delivery${quarantined.length === 1 ? '' : 'ies'} waiting for the owner${quarantined.length > 0 ? ` (${quarantined.map((q) => q.errorMessage).join('; ')})` : ''}`);
	print(`  books balance: ${mismatches.length === 0 ? 'yes' : `NO (${mismatches.length} mismatches)`}`);

	print(`\nWhere to look: the n8n editor at ${env.n8n.baseUrl}  (log in as ${DEMO_OWNER.email} / ${DEMO_OWNER.password})`);
	print(`  Workflows: ${TEMPLATE_FILES.map((file) => `“${loadTemplate(file).name}”`).join(', ')}.`);
	print('  Each workflow’s runs are under its Executions tab (top of the canvas); all of them under Overview → Executions.');
	print(`  While the demo runs, the points are in ${env.storePath} (check them: npx n8n-loyalty verify --store <that file>).`);
	if (env.dashboardUrl) print(`\nThe owner's dashboard (health, points, campaigns, experiments): ${env.dashboardUrl}`);
	return { balanced: mismatches.length === 0 };
}

function tiers(accounts: Array<{ tier: string | null }>): string {
	const counts = new Map<string, number>();
	for (const a of accounts) counts.set(a.tier ?? 'none', (counts.get(a.tier ?? 'none') ?? 0) + 1);
	return [...counts].map(([tier, n]) => `${n} ${tier}`).join(', ');
}
