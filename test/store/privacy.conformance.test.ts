import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
	acceptEvents,
	eraseCustomer,
	exportCustomer,
	ImportMode,
	importOrderHistory,
	Ledger,
	listPrivacyRequests,
	LoyaltyError,
	Store,
	verifyBalances,
	type CustomerExport,
	type ErasureOutcome,
	type LoyaltyEventInput,
} from '../../engine';
import { backends } from '../support/stores';
import { findPersonalValues, storeTableNames } from '../support/schemaWalk';
import { personNamed, seedRichCustomer, type SeededCustomer } from '../support/richCustomer';

const NOW = new Date('2026-06-01T12:00:00Z');
const LATER = new Date('2026-06-03T12:00:00Z');

/** Row counts of every table: what "nothing was written" is checked against. */
async function rowCounts(store: Store): Promise<Record<string, number>> {
	const counts: Record<string, number> = {};
	for (const table of await storeTableNames(store)) {
		const [row] = await store.db.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${table}`);
		counts[table] = Number(row.n);
	}
	return counts;
}

/** An export without what changes from one export to the next (its time, its log line, the log itself). */
function stable(exported: CustomerExport): unknown {
	const tables = Object.fromEntries(Object.entries(exported.tables).filter(([table]) => table !== 'privacy_requests'));
	return { customer: exported.customer, tables };
}

function purchase(email: string, id: string, at: Date, consent?: { granted: boolean; at: string; source: string }): LoyaltyEventInput {
	const customer = { identities: { email }, ...(consent ? { consent: { email_marketing: consent } } : {}) };
	return {
		id: `delivery-${id}`,
		type: 'purchase',
		source: 'woocommerce',
		occurredAt: at.toISOString(),
		idempotencyKey: `woocommerce:order:${id}:paid`,
		customer,
		order: { source: 'woocommerce', id, status: 'paid', placedAt: at.toISOString(), currency: 'USD', totalMinor: 1500, lines: [], customer },
	};
}

describe('privacy requests: export and erasure', async () => {
	const all = await backends();
	for (const backend of all) {
		describe(`on ${backend.name}`, { skip: backend.unavailable }, () => {
			let store: Store;
			let cleanup: () => Promise<void>;
			let ada: SeededCustomer;
			let bob: SeededCustomer;
			let adaBalance: number;
			let bobBefore: CustomerExport;
			let exported: CustomerExport;
			let erased: ErasureOutcome;
			let walkBefore: Awaited<ReturnType<typeof findPersonalValues>>;

			before(async () => {
				({ store, cleanup } = await backend.open());
				ada = await seedRichCustomer(store, personNamed('ada'), 'ada', NOW);
				bob = await seedRichCustomer(store, personNamed('bob'), 'bob', NOW);
				adaBalance = (await new Ledger(store).getBalance({ customerId: ada.customerId })).available;
				bobBefore = await exportCustomer(store, { customerId: bob.customerId }, { source: 'test: before', now: NOW });
				walkBefore = await findPersonalValues(store, ada.needles);
			});
			after(async () => cleanup());

			test('the seed put the person in every corner the walk looks at (so the walk can fail)', () => {
				const tables = new Set(walkBefore.hits.map((hit) => hit.split('.')[0]));
				for (const table of ['customers', 'customer_identities', 'events', 'orders', 'ledger_entries', 'ledger_operations', 'rule_follow_ups', 'delivery_sends', 'delivery_consent_changes', 'intake_quarantine', 'carts', 'customer_insights', 'rule_firings', 'due_emissions']) {
					assert.ok(tables.has(table), `the seed left nothing of the person in ${table}: ${walkBefore.hits.join('; ')}`);
				}
				assert.ok(walkBefore.hits.some((hit) => hit.startsWith('intake_quarantine.body_base64') && hit.includes('analytical row')), 'the postal address is found in the quarantined body');
				assert.ok(walkBefore.hits.includes(`rule_firings.customer_key: ${ada.person.email}`), 'a decision made before the profile is keyed by the email');
			});

			test('export: one document with the profile, identities, consent history, points, decisions, sends, scores and the quarantined delivery, logged', async () => {
				exported = await exportCustomer(store, { identities: { email: ada.person.email.toUpperCase() } }, { source: 'n8n: Privacy / Loyalty Customer Data', now: NOW });
				assert.equal(exported.format, 'n8n-loyalty customer export');
				assert.equal(exported.customer.id, ada.customerId);
				assert.equal(exported.customer.firstName, ada.person.firstName);
				assert.deepEqual(exported.customer.allIdentities.map((i) => i.kind), ['email', 'phone', 'square', 'woocommerce']);
				const { tables } = exported;
				assert.deepEqual(tables.delivery_consent_changes.map((c) => [c.channel, Number(c.granted)]).sort(), [['email_marketing', 1], ['sms_marketing', 1]]);
				assert.equal(tables.ledger_entries.length, 5);
				assert.equal(Number(tables.loyalty_accounts[0].available), adaBalance);
				assert.ok(tables.rule_firings.length >= 4);
				assert.equal(tables.delivery_sends.length, 1);
				assert.equal(typeof tables.delivery_sends[0].request, 'object', 'JSON columns are shown as JSON');
				assert.equal(tables.customer_insights.length, 1);
				assert.deepEqual(tables.customer_badges.map((b) => b.badge), ['first-purchase'], 'the badges the customer earned');
				assert.equal(tables.orders.length, 3);
				assert.match(String(tables.intake_quarantine[0].body), /Analytical Row/);
				assert.ok(!JSON.stringify(tables).includes(bob.person.email), 'nothing of another customer');
				const [logged] = await listPrivacyRequests(store.db, { customerId: ada.customerId });
				assert.deepEqual([logged.id, logged.kind, logged.source, logged.requestedAt], [exported.requestId, 'export', 'n8n: Privacy / Loyalty Customer Data', NOW.toISOString()]);
			});

			test('an unknown customer: a clear error naming the customer, and nothing written', async () => {
				const counts = await rowCounts(store);
				for (const ref of [{ identities: { email: 'nobody@example.org' } }, { customerId: 'cus_00000000-0000-0000-0000-000000000000' }, { customerId: 'erased:000000000000000000000000' }]) {
					await assert.rejects(eraseCustomer(store, ref, { source: 'cli', now: NOW }), (error: LoyaltyError) => error.code === 'not_found' && error.field === 'customer' && /nothing was/.test(error.message));
					await assert.rejects(exportCustomer(store, ref, { source: 'cli', now: NOW }), (error: LoyaltyError) => error.code === 'not_found' && error.field === 'customer');
				}
				await assert.rejects(eraseCustomer(store, { identities: { email: ada.person.email } }, { source: '  ', now: NOW }), (error: LoyaltyError) => error.field === 'source');
				await assert.rejects(eraseCustomer(store, { identities: { email: 'not an email' } }, { source: 'cli', now: NOW }), (error: LoyaltyError) => error.field?.startsWith('customer') === true);
				assert.deepEqual(await rowCounts(store), counts);
			});

			test('a failure part-way through leaves everything as it was', async () => {
				const counts = await rowCounts(store);
				const walk = await findPersonalValues(store, ada.needles);
				// The same database with one more cache to rebuild, which fails after the rows were removed and moved.
				const failing = new Store(store.db, { ...store.tables, afterCustomerMerge: [...store.tables.afterCustomerMerge, async () => Promise.reject(new Error('disk full'))] });
				try {
					await assert.rejects(eraseCustomer(failing, { customerId: ada.customerId }, { source: 'cli', now: NOW }), /disk full/);
				} finally {
					// The store core keeps one set of tables per process: give it back the real ones.
					new Store(store.db, store.tables);
				}
				assert.deepEqual(await rowCounts(store), counts);
				assert.deepEqual(await findPersonalValues(store, ada.needles), walk);
			});

			test('erase: no value that names the person is left in any table, including tables no feature declares', async () => {
				erased = await eraseCustomer(store, { identities: { email: ada.person.email } }, { source: 'n8n: Privacy / Loyalty Customer Data', now: NOW });
				assert.equal(erased.status, 'erased');
				assert.match(String(erased.pseudonym), /^erased:[0-9a-f]{24}$/);
				const walk = await findPersonalValues(store, ada.needles);
				assert.deepEqual(walk.hits, []);
				assert.deepEqual(walk.tables, walkBefore.tables, 'the walk read every table of the migrated store');
				assert.ok(walk.tables.length >= 30);
				for (const table of ['customers', 'customer_identities', 'delivery_consent_changes', 'carts', 'customer_insights', 'rule_follow_ups', 'intake_quarantine', 'customer_badges']) assert.ok((erased.removed[table] ?? 0) > 0, `${table} rows removed`);
				for (const table of ['ledger_entries', 'orders', 'events', 'delivery_sends', 'rule_firings']) assert.ok((erased.kept[table] ?? 0) > 0, `${table} rows kept`);
			});

			test('the books still balance: the points stay under the pseudonym and the balances equal the ledger', async () => {
				assert.deepEqual(await verifyBalances(store), []);
				const ledger = new Ledger(store);
				assert.equal((await ledger.getBalance({ customerId: erased.pseudonym! })).available, adaBalance);
				const [{ n }] = await store.db.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM ledger_entries WHERE customer_id = $1', [erased.pseudonym]);
				assert.equal(Number(n), 5);
				const [profile] = await store.db.query<{ profile: string }>('SELECT profile FROM customers WHERE id = $1', [erased.pseudonym]);
				assert.deepEqual(JSON.parse(profile.profile), { consent: {}, tags: [] });
			});

			test('other customers are untouched', async () => {
				const bobAfter = await exportCustomer(store, { customerId: bob.customerId }, { source: 'test: after', now: NOW });
				assert.deepEqual(stable(bobAfter), stable(bobBefore));
			});

			test('the request is logged with its time, source, pseudonym and counts; no identity in the log', async () => {
				const log = await listPrivacyRequests(store.db, { customerId: erased.pseudonym! });
				const erasure = log.find((r) => r.kind === 'erase');
				assert.ok(erasure);
				assert.deepEqual([erasure.id, erasure.source, erasure.requestedAt, erasure.outcome], [erased.requestId, 'n8n: Privacy / Loyalty Customer Data', NOW.toISOString(), 'erased']);
				assert.deepEqual((erasure.detail as { removed: unknown }).removed, erased.removed);
				assert.ok(log.some((r) => r.kind === 'export' && r.id === exported.requestId), 'the earlier export now names the pseudonym');
			});

			test('asking again: a no-op that says so, by email or by pseudonym, and is logged', async () => {
				const counts = await rowCounts(store);
				for (const ref of [{ identities: { email: ada.person.email } }, { identities: { phone: ada.person.phone } }, { customerId: erased.pseudonym! }]) {
					const again = await eraseCustomer(store, ref, { source: 'cli', now: LATER });
					assert.deepEqual([again.status, again.requestId, again.pseudonym, again.erasedAt], ['already_erased', erased.requestId, erased.pseudonym, NOW.toISOString()]);
					assert.match(again.message, /already erased/);
				}
				const after = await rowCounts(store);
				assert.equal(after.privacy_requests, counts.privacy_requests + 3);
				assert.deepEqual({ ...after, privacy_requests: 0 }, { ...counts, privacy_requests: 0 });
			});

			test('a later webhook does not bring the person back; the rest of its delivery is recorded', async () => {
				const counts = await rowCounts(store);
				const carl = personNamed('carl');
				const accepted = await acceptEvents(store, [purchase(ada.person.email, 'ada-after-1', LATER), purchase(carl.email, 'carl-1', LATER)] as never, LATER);
				assert.deepEqual(accepted.map((a) => [a.inserted, Boolean(a.refused)]), [[false, true], [true, false]]);
				assert.match(String(accepted[0].refused), /asked for their data to be erased/);
				assert.equal((await rowCounts(store)).customers, counts.customers + 1, 'only the other shopper is new');
				assert.deepEqual((await findPersonalValues(store, ada.needles)).hits, []);
				// Straight to the ledger or the store: a clear error, nothing written.
				await assert.rejects(new Ledger(store).earnForOrder(purchase(ada.person.email, 'ada-after-2', LATER).order as never), (error: LoyaltyError) => error.code === 'customer_erased' && error.field === 'customer');
				await assert.rejects(store.upsertCustomer({ identities: { square: ada.person.square } }, LATER), (error: LoyaltyError) => error.code === 'customer_erased');
				// Group commit (Award Points with many items, the import): the erased person's order fails alone.
				const group = await new Ledger(store).earnForOrders([
					{ order: purchase(ada.person.email, 'ada-after-3', LATER).order as never },
					{ order: purchase(carl.email, 'carl-2', LATER).order as never },
				]);
				assert.deepEqual(group.map((outcome) => outcome.ok), [false, true]);
				assert.equal(!group[0].ok && (group[0].error as LoyaltyError).code, 'customer_erased');
				// A consent given before the erasure (an old sign-up, delivered late) does not lift it.
				await assert.rejects(store.upsertCustomer({ identities: { email: ada.person.email }, consent: { email_marketing: { granted: true, at: '2026-05-01T00:00:00Z', source: 'checkout' } } }, LATER), (error: LoyaltyError) => error.code === 'customer_erased');
				assert.deepEqual((await findPersonalValues(store, ada.needles)).hits, []);
			});

			test("importing the shop's history again skips the erased person's orders alone, in both modes", async () => {
				for (const mode of [ImportMode.RecordOnly, ImportMode.Earn]) {
					const problems: string[] = [];
					const orders = [purchase(ada.person.email, `ada-history-${mode}`, LATER), purchase(personNamed('dora').email, `dora-history-${mode}`, LATER)];
					const summary = await importOrderHistory(store, new Ledger(store), {
						name: `privacy-test-${mode}`,
						source: 'woocommerce',
						mode,
						pages: async function* () {
							yield { orders: orders.map((event) => ({ order: event.order!, idempotencyKey: event.idempotencyKey })), refunds: [], position: 'end' };
						},
						onProblem: ({ item, message }) => problems.push(`${item}: ${message}`),
					});
					assert.deepEqual([summary.written, summary.skipped], [1, 1], mode);
					assert.match(problems.join('\n'), new RegExp(`order ada-history-${mode}: customer: this person asked for their data to be erased`), mode);
				}
				assert.deepEqual((await findPersonalValues(store, ada.needles)).hits, []);
			});

			test('a new sign-up with consent lifts it, for all the identities of that erasure, and the lift is logged', async () => {
				const accepted = await acceptEvents(store, [purchase(ada.person.email, 'ada-back-1', LATER, { granted: true, at: LATER.toISOString(), source: 'newsletter signup' })] as never, LATER);
				assert.equal(accepted[0].inserted, true);
				const back = (await store.findCustomer({ identities: { email: ada.person.email } }))!;
				assert.notEqual(back.id, ada.customerId);
				assert.equal(back.consent.email_marketing?.granted, true);
				// The phone of the same erasure is free again too: it joins the new profile.
				assert.equal((await store.upsertCustomer({ identities: { email: ada.person.email, phone: ada.person.phone } }, LATER)).id, back.id);
				const lift = (await listPrivacyRequests(store.db)).find((r) => r.kind === 'consent_again');
				assert.ok(lift);
				assert.deepEqual([lift.source, lift.outcome, (lift.detail as { erasureRequest: string }).erasureRequest], ['consent: newsletter signup (email_marketing)', 'lifted', erased.requestId]);
				assert.deepEqual(await verifyBalances(store), []);
			});
		});
	}

	describe('a table no feature declares', () => {
		const sqlite = all.find((backend) => backend.name === 'sqlite')!;
		test('is walked like the others: a customer id left in it fails the check', async () => {
			const { store, cleanup } = await sqlite.open();
			try {
				const dana = await seedRichCustomer(store, personNamed('dana'), 'dana', NOW);
				await store.db.execute('CREATE TABLE future_feature_notes (customer_id TEXT NOT NULL, note TEXT NOT NULL)');
				await store.db.execute('INSERT INTO future_feature_notes (customer_id, note) VALUES ($1, $2)', [dana.customerId, 'likes oat milk']);
				await eraseCustomer(store, { customerId: dana.customerId }, { source: 'cli', now: NOW });
				assert.deepEqual((await findPersonalValues(store, dana.needles)).hits, [`future_feature_notes.customer_id: ${dana.customerId}`]);
			} finally {
				await cleanup();
			}
		});
	});
});
