/**
 * `npm run demo`: the product, end to end. A coffee shop with Square at the counter and a
 * WooCommerce web shop: 36 members with three weeks of history, then one day (and the next
 * noon) replayed through a real n8n running the campaign templates of workflows/ side by side.
 * The shop sandbox (sandbox/) plays Square, WooCommerce, Klaviyo and Twilio and sends their signed
 * webhooks itself; n8n's clock is moved so "two hours later" and "9:00 on Kai's birthday" happen
 * on demand. A narrated timeline is printed as things happen, then the balances, whether the
 * books balance, and where to look in the n8n editor, which stays open. Ctrl+C stops everything.
 *
 * `--exit` (or LOYALTY_DEMO_EXIT=1) stops after printing, for scripted runs. Needs nothing outside
 * the repository.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openStore, type Store } from '../engine';
import { MovableClock } from '../test/e2e/support/movableClock';
import { N8nSession, PROJECT_ROOT, childEnv, run } from '../test/e2e/support/n8n';
import { startTemplates, type TemplatesEnv } from '../test/e2e/support/templates';
import { ShopDay } from './demo/day';
import { report } from './demo/report';
import { screenshotsAsked, shootDashboard } from './demo/dashboardShots';
import { customers, DAY, dollars, history } from './demo/shop';

const exitWhenDone = process.argv.includes('--exit') || process.env.LOYALTY_DEMO_EXIT === '1';

async function main(): Promise<void> {
	const started = performance.now();
	console.log('n8n-nodes-loyalty demo: a coffee shop’s day through a real n8n\n');
	// Always from the current sources: a stale dist/ would demo yesterday's code.
	console.log('  · building the package…');
	await run('npx', ['n8n-node', 'build'], { cwd: PROJECT_ROOT, env: childEnv(), timeoutMs: 10 * 60_000 });

	// One clock for n8n, the shop sandbox and the narration.
	const clockDir = mkdtempSync(join(tmpdir(), 'loyalty-demo-clock-'));
	MovableClock.followInThisProcess(join(clockDir, 'clock-offset'));
	let env: TemplatesEnv | undefined;
	let store: Store | undefined;
	const stop = async (code = 0) => {
		await store?.close().catch(() => undefined);
		await env?.stop();
		rmSync(clockDir, { recursive: true, force: true });
		process.exit(code);
	};
	process.once('SIGINT', () => void stop());
	process.once('SIGTERM', () => void stop());

	try {
		// The owner's dashboard comes up beside the templates; its token is made fresh for each demo.
		const dashboard = { token: randomBytes(24).toString('hex'), timeZone: 'America/New_York' };
		env = await startTemplates({ startAt: DAY.opensAt, square: true, dashboard, clockFile: join(clockDir, 'clock-offset'), log: (line) => console.log(`  · ${line}  (${Math.round((performance.now() - started) / 1000)} s)`) });
		await new N8nSession(env.n8n.baseUrl).loginOwner();
		store = await openStore({ kind: 'sqlite', path: env.storePath });
		console.log(`  · n8n is up at ${env.n8n.baseUrl}`);

		const people = customers();
		const past = history(people);
		const day = new ShopDay(env, store, people);
		await day.enrol(people);
		await day.bookHistory(past);
		await day.bookTrial(['bea', 'cruz', 'dev', 'emma', 'femi', 'gus', 'hugo', 'iris']);
		const pastCents = past.reduce((sum, o) => sum + o.lines.reduce((s, l) => s + l.cents * l.quantity, 0), 0);
		console.log(`\nThe Corner Cup: ${people.length} members and ${past.length} orders in the weeks before today (${past.filter((o) => o.channel === 'counter').length} at the Square counter, ${past.filter((o) => o.channel === 'web').length} in the WooCommerce web shop, ${dollars(pastCents)}),`);
		console.log('already on the books (written to the store as Award Points writes them). Today goes through n8n.');
		await day.shopConnected();
		console.log(`\n${DAY.label}, New York time:\n`);

		await day.at('07:00');
		day.say('Shop', 'opens; the win-back campaign looks for members gone quiet for 60 days');
		await day.offer('hana', 'win_back_favourite_category');
		await day.offer('ivo', 'win_back_discount');

		await day.at('07:05');
		const ana = await day.counter('ana', { latte: 2 });
		await day.at('07:12');
		await day.counter('ben', { flatWhite: 1, croissant: 1 });
		await day.at('07:20');
		const sam = await day.counter('sam', { latte: 1, muffin: 1 });
		await day.at('07:26');
		await day.squareRetry(ana.eventId, ana.orderId, 'Ana');
		await day.at('07:33');
		await day.counter('nora', { espresso: 2, croissant: 2 });
		await day.at('07:42');
		const rosa = await day.web('rosa', [{ productId: 201 }]);
		await day.at('07:51');
		await day.counter('tara', { latte: 1 });
		await day.at('08:06');
		await day.counter('omar', { flatWhite: 2, muffin: 1, beans: 1 });
		await day.at('08:30');
		await day.web('zoe', [{ productId: 203 }, { productId: 202, quantity: 2 }]);
		await day.offer('zoe', 'welcome');
		day.note(`Zoe now has ${(await day.balance('zoe')).available} points (her first order, with the 100-point welcome bonus)`);
		await day.at('08:45');
		const milo = await day.web('milo', [{ productId: 201 }, { productId: 204 }]);
		await day.at('09:01');
		day.say('Shop', 'the birthday campaign greets members at 9:00 in their time zone');
		await day.offer('kai', 'birthday');
		day.note(`Kai now has ${(await day.balance('kai')).available} points`);
		await day.at('09:18');
		await day.counter('wes', { espresso: 1, muffin: 1 });
		await day.at('09:30');
		await day.forged(milo.deliveryId, 'Milo');
		await day.at('09:39');
		await day.wooRetry(rosa.deliveryId, rosa.orderId, 'Rosa');
		await day.at('10:00');
		await day.cart('dana', 201, 3);
		await day.at('10:03');
		await day.cart('finn', 203, 5);
		await day.at('10:06');
		await day.cart('carl', 202, 4);
		await day.at('10:20');
		await day.textStop('finn');
		await day.at('10:36');
		await day.counter('yuki', { latte: 1, croissant: 1 });
		await day.at('11:15');
		const before = await day.balance('priya');
		await day.web('priya', [{ productId: 204, quantity: 2 }]);
		day.note(`her lifetime spend passes $500 (she had ${before.available} points, tier ${before.tier ?? 'none'})`);
		await day.offer('priya', 'vip_upgrade');
		const priya = await day.balance('priya');
		day.note(`Priya is now ${priya.tier} with ${priya.available} points (200 bonus), and her Klaviyo profile says so`);
		await day.at('11:30');
		await day.webQuarantined('jade');
		await day.at('12:05');
		day.say('Shop', 'carts idle for two hours get a reminder (carts of $50 or more)');
		await day.offer('dana', 'cart_reminder');
		await day.offer('finn', 'cart_reminder');
		day.note(`Carl's cart ($14.00) is under the $50 minimum: ${(await day.sendsOf('carl')).some((s) => s.offer_template_id.startsWith('cart')) ? 'a reminder?!' : 'no reminder'}`);
		await day.at('14:30');
		await day.squareRefund(sam.paymentId, sam.orderId, 375, 'Sam', 'muffin');
		await day.at('15:00');
		await day.wooRefund(milo.orderId, 2500, 'Milo', 'gift card returned');
		await day.at('16:30');
		await day.counter('cruz', { flatWhite: 1 });
		await day.at('17:30');
		await day.counter('emma', { latte: 3, muffin: 2 });

		console.log(`\nThe next day, Wednesday, New York time:\n`);
		await day.at('12:12', 1);
		day.say('Shop', 'carts still open 24 hours after the reminder get a 10% coupon: by text where the customer agreed to texts');
		const dana = await day.offer('dana', 'cart_coupon');
		day.note(`(code ${dana.coupon_code}: a single-use WooCommerce coupon, created in the shop before the text)`);
		const finn = await day.offer('finn', 'cart_coupon');
		const finnTexts = env.sandbox.twilio.messages.filter((m) => m.to === day.person('finn').phone).length;
		const [optOut] = await store.db.query<{ at: string }>(`SELECT at FROM delivery_consent_changes WHERE customer_id = $1 AND channel = 'sms_marketing' AND granted = 0`, [day.idOf('finn')]);
		day.note(`Finn's coupon went by ${finn.channel}, not by text: he texted STOP at ${new Date(optOut.at).toLocaleTimeString('en-GB', { timeZone: 'America/New_York', hour: '2-digit', minute: '2-digit' })} yesterday, which withdrew his SMS consent; texts sent to him: ${finnTexts}`);

		await env.sandbox.settled();
		const { balanced } = await report(env, store, day.tally, past.length);
		if (screenshotsAsked() && env.dashboardUrl) console.log(`  · dashboard pictures: ${await shootDashboard(env.dashboardUrl)}`);
		console.log(`\nThe demo took ${Math.round((performance.now() - started) / 1000)} s.`);
		if (!balanced) return stop(1);
		if (exitWhenDone) return stop(0);
		console.log('Press Ctrl+C to stop n8n and clean up.');
	} catch (error) {
		console.error(error);
		if (env) console.error(`\nLast lines of n8n's log:\n${env.n8n.log().slice(-3000)}`);
		return stop(1);
	}
}

void main();
