import { deliveryCounts, discardQuarantined, getQuarantined, listParkedDeliveries, listQuarantine, openStore, replayQuarantined, retryParkedDeliveries, type QuarantineStatus, type Store } from '../../engine';
import type { ParsedArgs } from '../args';
import type { CliCommand } from '../command';
import { storeFromFlags } from '../storeFromFlags';

const STORE_OPTIONS = `Store options:
  --store <file>          embedded SQLite file (default: <N8N_USER_FOLDER>/.n8n/loyalty.sqlite)
  --pg <url>              PostgreSQL instead, e.g. postgres://postgres@127.0.0.1:5432/test
  --schema <name>         PostgreSQL schema for the loyalty tables`;

async function withStore(flags: ParsedArgs['flags'], work: (store: Store) => Promise<number>): Promise<number> {
	const store = await openStore(storeFromFlags(flags));
	try {
		return await work(store);
	} finally {
		await store.close();
	}
}

const print = (value: unknown) => console.log(JSON.stringify(value));

async function fetchPost(request: { url: string; headers: Record<string, string>; body: Buffer }): Promise<{ status: number; body: string }> {
	const response = await fetch(request.url, { method: 'POST', headers: request.headers, body: request.body, signal: AbortSignal.timeout(60_000) });
	return { status: response.status, body: await response.text() };
}

export const quarantineCommand: CliCommand = {
	name: 'quarantine',
	summary: 'signed deliveries that could not be processed: list, show, replay through n8n, discard',
	usage: `n8n-loyalty quarantine list [--all] [store options]      one JSON line per quarantined delivery (newest first)
n8n-loyalty quarantine show <id> [store options]         the delivery with its body and signing headers
n8n-loyalty quarantine replay <id>|--all [store options] send it through its Loyalty Trigger again (n8n must be running)
n8n-loyalty quarantine discard <id> --reason <text>      keep it, but stop counting it

A replay posts the same bytes and signing headers to the URL it came to, so it takes the same path
and keys as the first time; replaying twice changes nothing. Exit code 2 when a replay still fails.

${STORE_OPTIONS}`,
	async run({ positional, flags }) {
		const [action, id] = positional;
		return withStore(flags, async (store) => {
			switch (action) {
				case 'list': {
					for (const item of await listQuarantine(store, { status: flags.all ? 'all' : ('quarantined' as QuarantineStatus), limit: 10_000 })) {
						const { body, headers, ...summary } = item;
						print({ ...summary, bytes: body.length, signedWith: Object.keys(headers) });
					}
					return 0;
				}
				case 'show': {
					if (!id) throw new Error('quarantine show: give the id from `quarantine list`');
					const item = await getQuarantined(store, id);
					print({ ...item, body: item.body.toString('utf8') });
					return 0;
				}
				case 'replay': {
					const ids = flags.all ? (await listQuarantine(store, { limit: 10_000 })).map((q) => q.id) : id ? [id] : [];
					if (ids.length === 0) throw new Error('quarantine replay: give an id, or --all');
					let failed = 0;
					for (const each of ids) {
						const outcome = await replayQuarantined(store, each, fetchPost);
						if (outcome.outcome !== 'replayed') failed++;
						print(outcome);
					}
					return failed > 0 ? 2 : 0;
				}
				case 'discard': {
					if (!id) throw new Error('quarantine discard: give the id from `quarantine list`');
					if (typeof flags.reason !== 'string' || !flags.reason.trim()) throw new Error('quarantine discard: say why with --reason, e.g. --reason "test order"');
					const item = await discardQuarantined(store, id, flags.reason);
					print({ id: item.id, status: item.status, resolution: item.resolution });
					return 0;
				}
				default:
					throw new Error(`quarantine: unknown action "${action ?? ''}" (list, show, replay, discard)`);
			}
		});
	},
};

export const deliveriesCommand: CliCommand = {
	name: 'deliveries',
	summary: 'events owed to the workflows: counts, parked ones (failed 8 runs), retry them',
	usage: `n8n-loyalty deliveries [store options]                  owed, running, parked, done and recovered counts
n8n-loyalty deliveries parked [store options]           one JSON line per parked delivery with its last error
n8n-loyalty deliveries retry <event id>|--all           run parked deliveries again now

${STORE_OPTIONS}`,
	async run({ positional, flags }) {
		const [action, id] = positional;
		return withStore(flags, async (store) => {
			if (!action) {
				print(await deliveryCounts(store));
				return 0;
			}
			if (action === 'parked') {
				for (const parked of await listParkedDeliveries(store, 10_000)) print(parked);
				return 0;
			}
			if (action === 'retry') {
				if (!id && !flags.all) throw new Error('deliveries retry: give the event id, or --all');
				print({ retried: await retryParkedDeliveries(store, flags.all ? undefined : id) });
				return 0;
			}
			throw new Error(`deliveries: unknown action "${action}" (parked, retry)`);
		});
	},
};

export const INTAKE_COMMANDS: readonly CliCommand[] = [quarantineCommand, deliveriesCommand];
