import { square, withRetries, woocommerce } from '../../connectors';
import { type HistoryPage, ImportMode, importOrderHistory, importOrders, type ImportProgress, Ledger, openStore, ORDER_SOURCES, type OrderSource } from '../../engine';
import type { ParsedArgs } from '../args';
import type { CliCommand } from '../command';
import { fetchHttp } from '../fetchHttp';
import { ledgerProgramFromFlags } from '../program';
import { storeFromFlags } from '../storeFromFlags';

const grouped = (n: number) => n.toLocaleString('en-US');

function duration(seconds: number): string {
	const m = Math.floor(seconds / 60);
	return m > 0 ? `${m}m ${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
}

function progressLine(p: ImportProgress): string {
	return `import: ${grouped(p.rows)} rows, ${grouped(p.rowsPerSecond)} rows/s, ${Math.round(p.done * 100)}% of the file${p.etaSeconds !== undefined ? `, ETA ${duration(p.etaSeconds)}` : ''}`;
}

export const importCommand: CliCommand = {
	name: 'import',
	summary: "import a shop's order history (orders CSV): award points for it, or record it for insight only",
	usage: `n8n-loyalty import --orders orders.csv (--earn | --record-only) --source woocommerce|square|generic [options]
n8n-loyalty import --from woocommerce --url <shop> --key <ck_…> --secret <cs_…> (--earn | --record-only) [options]
n8n-loyalty import --from square --token <access token> [--location <id>] (--earn | --record-only) [options]

The orders CSV is the one segment reads, with an order_id on every row:
  customer_id,placed_at,total,order_id[,currency,sku,category,quantity,email,refund_id]
customer_id is the shop's customer id (the woocommerce or square identity; generic: the loyalty
id); add an email column so imported and live orders land on one profile. Rows of one order (one
per SKU) follow each other and count once. A negative total is a refund of that order
(refund_id, else "<order_id>:import-refund:<n>"). placed_at is a date or a date-time with offset.

  --earn            award points for past orders, as the live webhooks would
  --record-only     record the orders for insight (segments, metrics); no points
  --source <name>   woocommerce, square or generic: orders are booked under the keys live
                    webhooks use (<source>:order:<id>:paid), so importing twice, or over orders
                    webhooks already delivered, books nothing twice
  --currency <ISO>  currency of rows without one (default USD)
  --batch <n>       orders per transaction (default 5000 on SQLite, 500 on PostgreSQL)
  --progress <n>    a progress line on stderr every n rows (default 50000)
  --checkpoint <f>  resume file (default <orders.csv>.import-checkpoint.json): an interrupted
                    import run again continues after the last committed batch
  --store, --pg, --schema, --program-id   as for the ledger commands

Bad lines are reported on stderr with their number and skipped. Prints a JSON summary; exit code
2 when lines were skipped.

From the shop's API (--from), instead of a file: every order, oldest first, a page of 100 at a
time, normalized by the same code as the Loyalty Trigger's webhooks, so each order is booked
under the key its webhook uses (woocommerce:order:<id>:paid, square:order:<id>:paid; refunds by
refund id): an import over orders the webhooks already delivered, or run twice, books nothing
twice. Unpaid orders are left out; refunds are taken from each order.
  --from <shop>       woocommerce or square
  --url <shop>        WooCommerce: the shop's address (env LOYALTY_WOOCOMMERCE_URL);
                      Square: another API address (a proxy), default by --environment
  --key <ck_…>        WooCommerce consumer key (env LOYALTY_WOOCOMMERCE_KEY)
  --secret <cs_…>     WooCommerce consumer secret (env LOYALTY_WOOCOMMERCE_SECRET)
  --token <token>     Square access token (env LOYALTY_SQUARE_TOKEN)
  --environment <e>   Square: production (default) or sandbox
  --location <ids>    Square: these locations only (comma-separated; default all of them)
  --since <date>      only orders created from this date (or date-time) on
  --birthday-meta-keys <keys>  WooCommerce: the order meta keys your birthday plugin uses,
                      tried in order (comma-separated; default as the Loyalty Trigger's
                      Birthday Meta Keys: birthday, billing_birth_date, yith_birthday, …)
  --restart           forget the resume point and start from the first order
  --store, --pg, --schema, --program-id   as for the ledger commands
Prefer the environment variables to the flags for secrets: flags stay in the shell's history.
A 429 is waited out (Retry-After), a 5xx or a dropped connection retried with back-off (6 tries).
After each page its place is saved in the store: an interrupted import run again with the same
--from, shop and mode continues from there. A progress line per page on stderr; prints a JSON
summary; exit code 2 when orders or refunds were skipped.`,
	async run({ flags }) {
		if (flags.from !== undefined) return importFromApi(flags);
		const file = flags.orders;
		if (typeof file !== 'string') throw new Error('import: give the orders file, e.g. --orders orders.csv');
		if ((flags.earn === true) === (flags['record-only'] === true)) throw new Error('import: choose --earn (award points for past orders) or --record-only (orders for insight, no points)');
		const source = flags.source;
		if (typeof source !== 'string' || !ORDER_SOURCES.includes(source as OrderSource)) throw new Error(`import: --source must be one of ${ORDER_SOURCES.join(', ')}: it builds the same keys as that shop's webhooks`);
		const number = (name: string) => (typeof flags[name] === 'string' ? Number(flags[name]) : undefined);
		const store = await openStore(storeFromFlags(flags));
		try {
			const ledger = new Ledger(store, await ledgerProgramFromFlags(store, flags));
			const summary = await importOrders(store, ledger, {
				file,
				source: source as OrderSource,
				mode: flags.earn === true ? ImportMode.Earn : ImportMode.RecordOnly,
				currency: typeof flags.currency === 'string' ? flags.currency : undefined,
				batchSize: number('batch'),
				progressEvery: number('progress'),
				checkpointPath: typeof flags.checkpoint === 'string' ? flags.checkpoint : undefined,
				onProgress: (p) => console.error(progressLine(p)),
				onProblem: ({ line, message }) => console.error(`line ${line}: ${message}`),
			});
			console.log(JSON.stringify(summary));
			return summary.skippedLines > 0 ? 2 : 0;
		} finally {
			await store.close();
		}
	},
};

const text = (flags: ParsedArgs['flags'], name: string, env?: string): string | undefined => {
	const value = flags[name];
	if (typeof value === 'string' && value !== '') return value;
	const fromEnv = env ? process.env[env] : undefined;
	return fromEnv !== undefined && fromEnv !== '' ? fromEnv : undefined;
};

function required(flags: ParsedArgs['flags'], name: string, env: string, what: string): string {
	const value = text(flags, name, env);
	if (value === undefined) throw new Error(`import: give ${what} with --${name} or the ${env} environment variable`);
	return value;
}

async function importFromApi(flags: ParsedArgs['flags']): Promise<number> {
	const from = flags.from;
	if (from !== 'woocommerce' && from !== 'square') throw new Error('import: --from must be woocommerce or square');
	if ((flags.earn === true) === (flags['record-only'] === true)) throw new Error('import: choose --earn (award points for past orders) or --record-only (orders for insight, no points)');
	const mode = flags.earn === true ? ImportMode.Earn : ImportMode.RecordOnly;
	const since = text(flags, 'since');
	if (since !== undefined && !Number.isFinite(Date.parse(since))) throw new Error(`import: --since "${since}" is not a date (e.g. 2025-01-31)`);
	const http = withRetries(fetchHttp(), {
		onWait: ({ status, delayMs, attempt }) => console.error(`import: ${from} answered ${status ?? 'nothing'}; waiting ${(delayMs / 1000).toFixed(1)}s before try ${attempt + 1}`),
	});
	let name: string;
	let pages: (resumeFrom: string | undefined) => AsyncIterable<HistoryPage>;
	if (from === 'woocommerce') {
		const shopUrl = required(flags, 'url', 'LOYALTY_WOOCOMMERCE_URL', "the shop's address");
		const client = woocommerce.createWooCommerceClient(http, { baseUrl: shopUrl, consumerKey: required(flags, 'key', 'LOYALTY_WOOCOMMERCE_KEY', 'the consumer key'), consumerSecret: required(flags, 'secret', 'LOYALTY_WOOCOMMERCE_SECRET', 'the consumer secret') });
		name = `woocommerce:${woocommerce.wooCommerceShopKey(shopUrl)}`;
		// As the Loyalty Trigger's Birthday Meta Keys setting: the keys a birthday plugin uses, tried in order.
		const keys = text(flags, 'birthday-meta-keys')?.split(',').map((key) => key.trim()).filter(Boolean);
		pages = (resumeFrom) => woocommerce.wooCommerceOrderHistory(client, { shopUrl, since, ...(keys ? { birthdayMetaKeys: keys } : {}) }, resumeFrom);
	} else {
		const environment = text(flags, 'environment') ?? 'production';
		if (environment !== 'production' && environment !== 'sandbox') throw new Error('import: --environment must be production or sandbox');
		const baseUrl = text(flags, 'url');
		const client = square.createSquareClient(http, { accessToken: required(flags, 'token', 'LOYALTY_SQUARE_TOKEN', 'the access token'), environment, ...(baseUrl ? { baseUrl } : {}) });
		const locationIds = text(flags, 'location')?.split(',').map((id) => id.trim()).filter(Boolean);
		name = `square:${baseUrl ?? environment}:${locationIds?.join(',') ?? 'all'}`;
		pages = (resumeFrom) => square.squareOrderHistory(client, { locationIds, since }, resumeFrom);
	}
	// One resume point per shop, mode and --since: a different import never resumes another's.
	name = `${name}:${mode}:${since ?? ''}`;
	const store = await openStore(storeFromFlags(flags));
	try {
		if (flags.restart === true) await store.db.execute('DELETE FROM import_checkpoints WHERE name = $1', [name]);
		const ledger = new Ledger(store, await ledgerProgramFromFlags(store, flags));
		const summary = await importOrderHistory(store, ledger, {
			name,
			source: from,
			mode,
			pages,
			onProgress: (p) => console.error(`import: page ${grouped(p.pages)}, ${grouped(p.orders)} orders, ${grouped(p.refunds)} refunds, ${grouped(p.ordersPerSecond)} orders/s`),
			onProblem: ({ item, message }) => console.error(`${item}: ${message}`),
		});
		if (summary.resumedFrom !== undefined) console.error(`import: resumed after ${summary.resumedFrom}`);
		console.log(JSON.stringify(summary));
		return summary.skipped > 0 ? 2 : 0;
	} finally {
		await store.close();
	}
}
