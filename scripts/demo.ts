/**
 * `npm run demo`: the main job, end to end. A real n8n starts with this package installed and the
 * points-on-purchase template published on the embedded store; a coffee shop's day of signed
 * WooCommerce and Square webhooks is replayed into it (with the retries and duplicates real
 * shops send, and one forged delivery); then the points it awarded are printed and the n8n
 * editor stays open so the executions can be inspected. Ctrl+C stops everything.
 *
 * `--exit` (or LOYALTY_DEMO_EXIT=1) stops after printing, for scripted runs.
 */
import { Ledger, openStore } from '../engine';
import { DEMO_OWNER, N8nSession, PROJECT_ROOT, childEnv, executionsOf, run } from '../test/e2e/support/n8n';
import { pointsOnPurchaseUnavailable, startPointsOnPurchase } from '../test/e2e/support/pointsOnPurchase';
import { shopDay } from '../test/e2e/support/shopDay';
import { post } from '../test/e2e/support/webhooks';

const exitWhenDone = process.argv.includes('--exit') || process.env.LOYALTY_DEMO_EXIT === '1';

function pad(text: string | number, width: number): string {
	return String(text).padEnd(width);
}

async function main(): Promise<void> {
	const unavailable = pointsOnPurchaseUnavailable();
	if (unavailable) throw new Error(`The demo serves WooCommerce and Square from their API documents in ../shared/reference: ${unavailable}`);
	console.log('n8n-nodes-loyalty demo: a coffee shop’s day through a real n8n\n');
	// Always from the current sources: a stale dist/ would demo yesterday's code.
	console.log('  · building the package…');
	await run('npx', ['n8n-node', 'build'], { cwd: PROJECT_ROOT, env: childEnv(), timeoutMs: 10 * 60_000 });
	const env = await startPointsOnPurchase({ log: (line) => console.log(`  · ${line}`) });
	const stop = async () => {
		await env.stop();
		process.exit(0);
	};
	process.once('SIGINT', () => void stop());
	process.once('SIGTERM', () => void stop());

	const session = new N8nSession(env.n8n.baseUrl);
	await session.loginOwner();

	console.log(`\nn8n is up at ${env.n8n.baseUrl}; replaying the day's webhooks:\n`);
	const steps = shopDay({
		wooSecret: env.wooSecret,
		squareSignatureKey: env.squareSignatureKey,
		squareNotificationUrl: env.squareUrl,
		squareOrderId: env.squareExampleOrderId,
		squareCustomerId: env.squareExampleCustomerId,
	});
	const forgedAt = Math.floor(steps.length / 2);
	let posted = 0;
	for (const [index, step] of steps.entries()) {
		const answer = await post(step.source === 'woocommerce' ? env.wooUrl : env.squareUrl, step.delivery);
		posted++;
		const note = answer.body.includes('"duplicate":true') ? 'duplicate, dropped' : answer.status === 200 ? 'accepted' : answer.body;
		console.log(`  ${step.at.slice(11, 16)}  ${pad(step.source, 11)} ${pad(step.what, 58)} → ${answer.status} ${note}`);
		if (index === forgedAt) {
			const forged = { body: step.delivery.body.replace(/"total":"[\d.]+"/, '"total":"999.00"'), headers: step.delivery.headers };
			const refused = await post(step.source === 'woocommerce' ? env.wooUrl : env.squareUrl, forged);
			posted++;
			console.log(`  ${step.at.slice(11, 16)}  ${pad(step.source, 11)} ${pad('a forged copy of that delivery (total changed to $999)', 58)} → ${refused.status} refused`);
		}
	}

	// Let the last executions finish before reading the books.
	for (let i = 0; i < 100 && executionsOf(env.userFolder, env.workflowId).some((e) => ['new', 'running'].includes(e.status)); i++) {
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
	const runs = executionsOf(env.userFolder, env.workflowId);
	const store = await openStore(env.storeConfig);
	try {
		const ledger = new Ledger(store);
		const customers = await store.db.query<{ id: string }>('SELECT id FROM customers ORDER BY created_at, id');
		console.log(`\nPoints after the day (embedded store: ${env.storeConfig.kind === 'sqlite' ? env.storeConfig.path : 'PostgreSQL'}):\n`);
		console.log(`  ${pad('customer', 34)} ${pad('available', 10)} ${pad('pending', 8)} lifetime earned`);
		let earned = 0;
		let reversed = 0;
		for (const { id } of customers) {
			const customer = (await store.findCustomer({ customerId: id }))!;
			const balance = await ledger.getBalance({ customerId: id });
			const label = [customer.firstName, customer.identities.email ?? customer.identities.square].filter(Boolean).join(' ');
			console.log(`  ${pad(label, 34)} ${pad(balance.available, 10)} ${pad(balance.pending, 8)} ${balance.lifetimeEarned}`);
		}
		for (const row of await store.db.query<{ kind: string; points: number }>('SELECT kind, SUM(available_delta + pending_delta) AS points FROM ledger_entries GROUP BY kind')) {
			if (row.kind === 'earn' || row.kind === 'pending') earned += Number(row.points);
			if (row.kind === 'reverse') reversed -= Number(row.points);
		}
		const [{ n: events }] = await store.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM events');
		const mismatches = await store.verifyBalances();
		console.log(`\n  ${posted} deliveries posted → ${events} distinct events recorded → ${runs.length} workflow runs (${runs.filter((r) => r.status === 'success').length} succeeded)`);
		console.log(`  ${earned} points earned, ${reversed} taken back by refunds; books balance: ${mismatches.length === 0 ? 'yes' : `NO (${mismatches.length} mismatches)`}`);
	} finally {
		await store.close();
	}

	console.log(`\nOpen the n8n editor: ${env.n8n.baseUrl}  (log in as ${DEMO_OWNER.email} / ${DEMO_OWNER.password})`);
	console.log('The workflow "Loyalty: points on purchase" and its executions are there.');
	if (exitWhenDone) return stop();
	console.log('Press Ctrl+C to stop n8n and clean up.');
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
