/*
 * A stand-in for a running n8n: writes points to a store without pause until stdin closes, and
 * prints "wrote <n>" after each committed write so the parent can wait for real progress.
 * Run as: node --import tsx ledgerWriter.ts <store.sqlite>
 */
import { Ledger } from '../../../engine/ledger/ledger';
import { openStore } from '../../../engine';

const CUSTOMERS = 7;

async function writeUntilStdinCloses(path: string): Promise<void> {
	const store = await openStore({ kind: 'sqlite', path });
	const ledger = new Ledger(store, { earnRates: { USD: { points: 1, perMinor: 100 } } });
	let stop = false;
	process.stdin.on('end', () => (stop = true)).resume();
	const customers = [];
	for (let c = 0; c < CUSTOMERS; c++) customers.push(await store.upsertCustomer({ identities: { email: `writer-${c}@example.com` } }));
	for (let n = 1; !stop; n++) {
		const customer = customers[n % CUSTOMERS];
		// Every fifth write (once each customer has points) takes one back: balances move both ways.
		const points = n % 5 === 0 && n > CUSTOMERS ? -1 : 1 + (n % 13);
		await ledger.adjust({ customer: { customerId: customer.id }, points, idempotencyKey: `writer:${process.pid}:${n}`, reason: 'backup test load' });
		process.stdout.write(`wrote ${n}\n`);
		// Yield to the event loop so stdin's end can arrive between writes.
		await new Promise((resolve) => setImmediate(resolve));
	}
	await store.close();
}

writeUntilStdinCloses(process.argv[2]).catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
