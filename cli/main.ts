#!/usr/bin/env node
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Ledger, isLoyaltyError, loyaltyEventSchema, openStore, parseOrThrow, type Identities, type Store } from '../engine';
import { parseArgs, type ParsedArgs } from './args';
import { storeFromFlags } from './storeFromFlags';

const USAGE = `n8n-loyalty <command> [options]

Commands:
  replay <events.jsonl>   apply canonical loyalty events (one JSON per line) to the store:
                          purchases earn, refunds reverse; already-applied events are skipped
  balance --email <e>     show a customer's balance (also --phone, --square, --woocommerce, --loyalty)
  verify                  check that every cached balance equals the sum of its ledger entries

Store options (all commands):
  --store <file>          embedded SQLite file (default: <N8N_USER_FOLDER>/.n8n/loyalty.sqlite)
  --pg <url>              PostgreSQL instead, e.g. postgres://postgres@127.0.0.1:5432/test
  --schema <name>         PostgreSQL schema for the loyalty tables
  --program <json>        program settings as JSON, e.g. '{"pendingDays":14}'
`;

async function replay(store: Store, ledger: Ledger, file: string): Promise<number> {
	let line = 0;
	let applied = 0;
	let replays = 0;
	let failed = 0;
	for await (const text of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
		line++;
		if (!text.trim()) continue;
		try {
			const event = parseOrThrow(loyaltyEventSchema, JSON.parse(text), 'event');
			await store.recordEvent(event);
			const result = await ledger.applyEvent(event);
			if (result?.replay) replays++;
			else applied++;
		} catch (error) {
			failed++;
			// One bad line is reported and skipped; the rest of the file is still applied.
			console.error(`line ${line}: ${(error as Error).message}`);
		}
	}
	console.log(JSON.stringify({ lines: line, applied, replays, failed }));
	return failed > 0 ? 2 : 0;
}

function identitiesFrom(flags: ParsedArgs['flags']): Identities {
	const identities: Identities = {};
	for (const kind of ['email', 'phone', 'square', 'woocommerce', 'loyalty'] as const) {
		if (typeof flags[kind] === 'string') identities[kind] = flags[kind] as string;
	}
	return identities;
}

export async function main(argv: readonly string[]): Promise<number> {
	const args = parseArgs(argv);
	if (!args.command || args.flags.help || args.command === 'help') {
		console.log(USAGE);
		return args.command ? 0 : 1;
	}
	const store = await openStore(storeFromFlags(args.flags));
	try {
		const ledger = new Ledger(store, typeof args.flags.program === 'string' ? JSON.parse(args.flags.program) : {});
		switch (args.command) {
			case 'replay':
				if (!args.positional[0]) throw new Error('replay: give the events file, e.g. n8n-loyalty replay events.jsonl');
				return await replay(store, ledger, args.positional[0]);
			case 'balance':
				console.log(JSON.stringify(await ledger.getBalance({ identities: identitiesFrom(args.flags) })));
				return 0;
			case 'verify': {
				const mismatches = await store.verifyBalances();
				console.log(JSON.stringify({ ok: mismatches.length === 0, mismatches }));
				return mismatches.length === 0 ? 0 : 3;
			}
			default:
				console.error(`unknown command "${args.command}"\n\n${USAGE}`);
				return 1;
		}
	} finally {
		await store.close();
	}
}

if (require.main === module) {
	main(process.argv.slice(2)).then(
		(code) => process.exit(code),
		(error) => {
			console.error(isLoyaltyError(error) ? error.message : error);
			process.exit(1);
		},
	);
}
