import { ImportMode, importOrders, type ImportProgress, Ledger, openStore, ORDER_SOURCES, type OrderSource } from '../../engine';
import type { CliCommand } from '../command';
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
2 when lines were skipped.`,
	async run({ flags }) {
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
