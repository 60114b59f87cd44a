import { writeFileSync } from 'node:fs';
import { eraseCustomer, exportCustomer, listPrivacyRequests, parseSubjectRef } from '../../engine';
import type { ParsedArgs } from '../args';
import type { CliCommand } from '../command';
import { openStoreFromFlags } from '../storeFromFlags';

const USAGE = `n8n-loyalty customer export | erase | requests [options]

A customer's data on request (docs/privacy.md). <customer> is a customer id (cus_…), an email,
or a phone number in E.164 (+14155550123). Every export and erasure is logged in the store
with its time and source.

  export <customer>          everything the store holds about the customer, as one JSON
                             document (profile, identities, consent history, points, rule
                             decisions, messages sent, scores, quarantined deliveries)
  erase <customer> --yes     remove the customer's personal data for good: points, orders and
                             messages stay in the books under an anonymous id; later webhooks
                             about them are not recorded until they sign up again with consent
  requests [<customer>]      the privacy request log, newest first (for an erased customer,
                             give the erased:… id the erasure printed)

Options:
  --out <file>               export: write the document to this file (readable by you only)
                             instead of printing it
  --yes                      erase: confirm; without it nothing is erased
  --source <text>            who asked, logged with the request (default "cli"), e.g.
                             --source "ticket 4711"
  --limit <n>                requests: at most this many (default 100)
  --store, --pg, --schema    as for the other commands`;

function sourceFrom(flags: ParsedArgs['flags']): string {
	return typeof flags.source === 'string' && flags.source.trim() ? `cli: ${flags.source.trim()}` : 'cli';
}

export const customerCommand: CliCommand = {
	name: 'customer',
	summary: "export or erase everything held about one customer (privacy requests), and list those requests",
	usage: USAGE,
	async run({ positional, flags }: ParsedArgs) {
		const [action, reference] = positional;
		if (!['export', 'erase', 'requests'].includes(action ?? '')) throw new Error(`customer: say what to do: export, erase or requests\n\n${USAGE}`);
		if (action !== 'requests' && !reference) throw new Error(`customer ${action}: name the customer: a customer id (cus_…), an email or a phone number (+14155550123)`);
		const subject = reference ? parseSubjectRef(reference) : undefined;
		if (action === 'erase' && flags.yes !== true) throw new Error(`customer erase: nothing was erased. Erasing cannot be undone: add --yes to erase ${reference}`);
		const store = await openStoreFromFlags(flags);
		try {
			if (action === 'requests') {
				const customerId = subject && 'customerId' in subject ? subject.customerId : undefined;
				if (subject && !customerId) throw new Error('customer requests: the log names customers by id only (cus_… or erased:…), never by email or phone');
				const limit = typeof flags.limit === 'string' ? Number(flags.limit) : undefined;
				for (const request of await listPrivacyRequests(store.db, { customerId, limit })) console.log(JSON.stringify(request));
				return 0;
			}
			if (action === 'export') {
				const exported = await exportCustomer(store, subject!, { source: sourceFrom(flags) });
				const text = JSON.stringify(exported, null, 2);
				const rows = Object.values(exported.tables).reduce((n, table) => n + table.length, 0);
				if (typeof flags.out === 'string') {
					writeFileSync(flags.out, `${text}\n`, { mode: 0o600 });
					console.error(`exported customer ${exported.customer.id} (${rows} rows in ${Object.keys(exported.tables).length} tables) to ${flags.out}; logged as ${exported.requestId}`);
				} else {
					console.log(text);
					console.error(`exported customer ${exported.customer.id} (${rows} rows in ${Object.keys(exported.tables).length} tables); logged as ${exported.requestId}`);
				}
				return 0;
			}
			const outcome = await eraseCustomer(store, subject!, { source: sourceFrom(flags) });
			console.log(JSON.stringify(outcome));
			console.error(outcome.message);
			return 0;
		} finally {
			await store.close();
		}
	},
};
