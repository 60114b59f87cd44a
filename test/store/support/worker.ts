/**
 * One "n8n worker": a separate process that applies a list of loyalty events to a shared store,
 * in its own order. Used by the multi-process test to show exactly-once across processes.
 * argv: <store config JSON> <events JSON file> <seed>
 */
import { readFileSync } from 'node:fs';
import { Ledger, openStore, type LoyaltyEvent, type StoreConfig } from '../../../engine';

async function main(): Promise<void> {
	const [configJson, eventsFile, seedText] = process.argv.slice(2);
	const events = JSON.parse(readFileSync(eventsFile, 'utf8')) as LoyaltyEvent[];
	// Purchases first, then refunds (a refund needs its order), each group shuffled per worker.
	let seed = Number(seedText);
	const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
	const shuffled = (list: LoyaltyEvent[]) => list.map((e) => [random(), e] as const).sort((a, b) => a[0] - b[0]).map(([, e]) => e);
	const ordered = [...shuffled(events.filter((e) => e.type === 'purchase')), ...shuffled(events.filter((e) => e.type === 'refund'))];
	const store = await openStore(JSON.parse(configJson) as StoreConfig);
	const ledger = new Ledger(store);
	let applied = 0;
	let replays = 0;
	try {
		// Four in flight at a time, like a worker with concurrency 4.
		let next = 0;
		await Promise.all(
			Array.from({ length: 4 }, async () => {
				while (next < ordered.length) {
					const event = ordered[next++];
					await store.recordEvent(event);
					const result = await ledger.applyEvent(event);
					if (result?.replay) replays++;
					else applied++;
				}
			}),
		);
	} finally {
		await store.close();
	}
	process.stdout.write(JSON.stringify({ applied, replays }) + '\n');
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
