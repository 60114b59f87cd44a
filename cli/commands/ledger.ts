import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Ledger, loyaltyEventSchema, parseOrThrow, verifyBalances, type Identities, type Store } from '../../engine';
import type { ParsedArgs } from '../args';
import type { CliCommand } from '../command';
import { ledgerProgramFromFlags, PROGRAM_ID_OPTION } from '../program';
import { openStoreFromFlags } from '../storeFromFlags';

const STORE_OPTIONS = `Store options:
  --store <file>          embedded SQLite file (default: <N8N_USER_FOLDER>/.n8n/loyalty.sqlite)
  --pg <url>              PostgreSQL instead, e.g. postgres://postgres@127.0.0.1:5432/test
  --schema <name>         PostgreSQL schema for the loyalty tables
${PROGRAM_ID_OPTION}
  --create                start a new, empty store when there is none (SQLite file missing, or
                          no loyalty tables in the PostgreSQL database/schema); without it
                          that is an error naming where it looked`;

async function withLedger(flags: ParsedArgs['flags'], work: (store: Store, ledger: Ledger) => Promise<number>, options: { mayCreate?: boolean } = {}): Promise<number> {
	const store = await openStoreFromFlags(flags, options);
	try {
		return await work(store, new Ledger(store, await ledgerProgramFromFlags(store, flags)));
	} finally {
		await store.close();
	}
}

function identitiesFrom(flags: ParsedArgs['flags']): Identities {
	const identities: Identities = {};
	for (const kind of ['email', 'phone', 'square', 'woocommerce', 'loyalty'] as const) {
		if (typeof flags[kind] === 'string') identities[kind] = flags[kind] as string;
	}
	return identities;
}

export const replayCommand: CliCommand = {
	name: 'replay',
	summary: 'apply canonical loyalty events (JSON lines) to the store; repeats are skipped',
	usage: `n8n-loyalty replay <events.jsonl> [store options]\n\nPurchases earn, refunds reverse; events applied before are replays and write nothing.\nA bad line is reported with its number and skipped; the rest is still applied.\nReplay writes: it creates the SQLite store when the file does not exist yet (no --create needed).\n\n${STORE_OPTIONS}`,
	async run({ positional, flags }) {
		const file = positional[0];
		if (!file) throw new Error('replay: give the events file, e.g. n8n-loyalty replay events.jsonl');
		return withLedger(flags, async (store, ledger) => {
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
					console.error(`line ${line}: ${(error as Error).message}`);
				}
			}
			console.log(JSON.stringify({ lines: line, applied, replays, failed }));
			return failed > 0 ? 2 : 0;
		}, { mayCreate: true });
	},
};

export const balanceCommand: CliCommand = {
	name: 'balance',
	summary: "show a customer's points balance",
	usage: `n8n-loyalty balance --email <e> | --phone <p> | --square <id> | --woocommerce <id> | --loyalty <id> [store options]\n\n${STORE_OPTIONS}`,
	async run({ flags }) {
		return withLedger(flags, async (_store, ledger) => {
			console.log(JSON.stringify(await ledger.getBalance({ identities: identitiesFrom(flags) })));
			return 0;
		});
	},
};

export const verifyCommand: CliCommand = {
	name: 'verify',
	summary: 'check that every cached balance equals the sum of its ledger entries',
	usage: `n8n-loyalty verify [store options]\n\nExit code 3 when any balance disagrees with its entries.\n\n${STORE_OPTIONS}`,
	async run({ flags }) {
		return withLedger(flags, async (store) => {
			const mismatches = await verifyBalances(store);
			console.log(JSON.stringify({ ok: mismatches.length === 0, mismatches }));
			return mismatches.length === 0 ? 0 : 3;
		});
	},
};

const HELD_USAGE = `n8n-loyalty held list [--status held|approved|declined|all] [--limit <n>] [store options]
n8n-loyalty held approve <approvalKey> --by <who> [--reason <why>] [--key <idempotency key>] [store options]
n8n-loyalty held decline <approvalKey> --by <who> [--reason <why>] [--key <idempotency key>] [store options]

An order that would earn more than the program's maxPointsPerOrder (default 5,000) earns nothing
until the owner decides. "list" shows what waits (one JSON line per held order, oldest first);
"approve" credits the points as an earn for that order; "decline" credits nothing and keeps who
and why. Deciding again the same way is a replay and changes nothing.

${STORE_OPTIONS}`;

export const heldCommand: CliCommand = {
	name: 'held',
	summary: 'list, approve or decline points held because an order was above the ceiling',
	usage: HELD_USAGE,
	async run({ positional, flags }) {
		const [action, approvalKey] = positional;
		const text = (name: string) => (typeof flags[name] === 'string' ? (flags[name] as string) : undefined);
		if (action === 'list') {
			const limit = text('limit') === undefined ? undefined : Number(text('limit'));
			return withLedger(flags, async (_store, ledger) => {
				const held = await ledger.listHeld({ status: (text('status') ?? 'held') as 'held', ...(limit === undefined ? {} : { limit }) });
				for (const row of held) console.log(JSON.stringify(row));
				return 0;
			});
		}
		if (action === 'approve' || action === 'decline') {
			if (!approvalKey) throw new Error(`held ${action}: give the approvalKey, e.g. n8n-loyalty held ${action} held:woocommerce:order:1234:paid --by "Maria"`);
			const by = text('by');
			if (!by) throw new Error(`held ${action}: say who decides with --by, e.g. --by "Maria (owner)"`);
			return withLedger(flags, async (_store, ledger) => {
				const input = { approvalKey, decidedBy: by, ...(text('reason') ? { reason: text('reason') } : {}), ...(text('key') ? { idempotencyKey: text('key') } : {}) };
				const result = action === 'approve' ? await ledger.approveHeld(input) : await ledger.declineHeld(input);
				console.log(JSON.stringify(result));
				return 0;
			});
		}
		throw new Error(`held: say what to do: list, approve or decline\n\n${HELD_USAGE}`);
	},
};

export const LEDGER_COMMANDS: readonly CliCommand[] = [replayCommand, balanceCommand, verifyCommand, heldCommand];
