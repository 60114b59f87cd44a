/**
 * One schedule-mode poller in its own process: claims due events at each of the given instants
 * (several claims in flight at once, as overlapping polls would be) and prints the keys it got.
 * argv: <store config JSON> <settings JSON> <instants JSON> <limit>
 */
import { claimDueEventsFrom, openStore, type ScheduleSettings, type StoreConfig } from '../../../engine';

async function main(): Promise<void> {
	const [configJson, settingsJson, instantsJson, limitText] = process.argv.slice(2);
	const store = await openStore(JSON.parse(configJson) as StoreConfig);
	const settings = JSON.parse(settingsJson) as ScheduleSettings;
	const keys: string[] = [];
	try {
		for (const instant of JSON.parse(instantsJson) as string[]) {
			const batches = await Promise.all([0, 1].map(() => claimDueEventsFrom(store, settings, new Date(instant), Number(limitText))));
			for (const batch of batches) keys.push(...batch.map((e) => e.idempotencyKey));
		}
	} finally {
		await store.close();
	}
	process.stdout.write(JSON.stringify(keys) + '\n');
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
