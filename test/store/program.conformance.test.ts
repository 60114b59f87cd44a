import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { changeProgram, Ledger, ledgerProgramOf, listPrograms, loadProgram, LoyaltyError, peekProgram, programHistory, type Store } from '../../engine';
import { paidOrder } from '../support/fixtures';
import { backends } from '../support/stores';

const context = { defaultTimeZone: 'Europe/Berlin', source: 'test' };

describe('stored program conformance', async () => {
	for (const backend of await backends()) {
		describe(`stored program (${backend.name})`, { skip: backend.unavailable }, () => {
			let store: Store;
			let cleanup: () => Promise<void>;
			before(async () => ({ store, cleanup } = await backend.open()));
			after(async () => cleanup?.());

			test('a program never set reads as the defaults without writing; first use stores them once, as version 1', async () => {
				const peeked = await peekProgram(store, 'fresh', 'Europe/Berlin');
				assert.equal(peeked.version, 0);
				assert.deepEqual(await programHistory(store, 'fresh'), []);
				const first = await loadProgram(store, 'fresh', context);
				assert.equal(first.createdDefaults, true);
				assert.deepEqual([first.version, first.settings.pointsPerCurrencyUnit, first.settings.currency, first.settings.expiry, first.settings.timeZone], [1, 1, 'USD', { kind: 'never' }, 'Europe/Berlin']);
				assert.match(first.source, /^defaults \(first used by test\)/);
				const second = await loadProgram(store, 'fresh', {
					...context,
					defaultTimeZone: 'Asia/Tokyo',
				});
				assert.deepEqual([second.createdDefaults, second.version, second.settings.timeZone], [false, 1, 'Europe/Berlin']);
			});

			test('many processes reading a new program at once store its defaults once', async () => {
				const reads = await Promise.all(Array.from({ length: 8 }, () => loadProgram(store, 'race', context)));
				assert.equal(reads.filter((r) => r.createdDefaults).length, 1);
				assert.deepEqual(new Set(reads.map((r) => r.version)), new Set([1]));
				assert.equal((await programHistory(store, 'race')).length, 1);
			});

			test('a change is a new version with its time and source; nested settings merge; an unchanged set writes nothing', async () => {
				const now = new Date('2026-12-01T10:00:00Z');
				const v1 = await changeProgram(
					store,
					'shop',
					{
						pointsPerCurrencyUnit: 2,
						delivery: { quietHoursStart: '21:00' },
					},
					{ ...context, source: 'cli', now },
				);
				assert.deepEqual([v1.changed, v1.program.version, v1.previousVersion], [true, 1, undefined]);
				const v2 = await changeProgram(store, 'shop', { delivery: { maxPerDay: 3 } }, { ...context, source: 'n8n: Setup / Loyalty Program' });
				assert.deepEqual([v2.program.version, v2.previousVersion, v2.program.settings.delivery.quietHoursStart, v2.program.settings.delivery.maxPerDay, v2.program.settings.pointsPerCurrencyUnit], [2, 1, '21:00', 3, 2]);
				const same = await changeProgram(store, 'shop', { pointsPerCurrencyUnit: 2 }, context);
				assert.deepEqual([same.changed, same.program.version], [false, 2]);
				const history = await programHistory(store, 'shop');
				assert.deepEqual(
					history.map((v) => [v.version, v.source]),
					[
						[1, 'cli'],
						[2, 'n8n: Setup / Loyalty Program'],
					],
				);
				assert.equal(history[0].changedAt, now.toISOString());
				assert.ok((await listPrograms(store)).includes('shop'));
			});

			test('concurrent changes are all kept, one version each, none lost', async () => {
				await Promise.all([1, 2, 3, 4].map((days) => changeProgram(store, 'busy', { pendingDays: days }, context)));
				const history = await programHistory(store, 'busy');
				assert.deepEqual(
					history.map((v) => v.version),
					[1, 2, 3, 4],
				);
				assert.deepEqual(new Set(history.map((v) => v.settings.pendingDays)), new Set([1, 2, 3, 4]));
			});

			test('a bad setting names its field and stores nothing', async () => {
				for (const [changes, field] of [
					[{ currency: 'XYZ' }, 'program.currency'],
					[{ pointsPerCurrencyUnit: 0 }, 'program.pointsPerCurrencyUnit'],
					[{ timeZone: 'Mars/Olympus' }, 'program.timeZone'],
					[{ delivery: { quietHoursStart: '25:00' } }, 'program.delivery.quietHoursStart'],
					[{ earnRate: 2 }, 'program'],
				] as const) {
					await assert.rejects(changeProgram(store, 'strict', changes as Record<string, unknown>, context), (error: unknown) => error instanceof LoyaltyError && error.field === field, JSON.stringify(changes));
				}
				assert.deepEqual(await programHistory(store, 'strict'), []);
			});

			test('a change applies from then on: earlier earnings keep their version, later ones use the new rate', async () => {
				const v1 = await changeProgram(store, 'rates', { pointsPerCurrencyUnit: 1 }, context);
				const before = await new Ledger(store, ledgerProgramOf('rates', v1.program.version, v1.program.settings)).earnForOrder({ ...paidOrder('rate@example.com', 2000), id: 'r-1' });
				const v2 = await changeProgram(store, 'rates', { pointsPerCurrencyUnit: 3 }, context);
				const afterChange = await new Ledger(store, ledgerProgramOf('rates', v2.program.version, v2.program.settings)).earnForOrder({ ...paidOrder('rate@example.com', 2000), id: 'r-2' });
				assert.deepEqual([before.change.available, before.programVersion], [20, 1]);
				assert.deepEqual([afterChange.change.available, afterChange.programVersion, afterChange.balance.available], [60, 2, 80]);
				// A replay returns the original result, with the version that applied then.
				const replay = await new Ledger(store, ledgerProgramOf('rates', v2.program.version, v2.program.settings)).earnForOrder({ ...paidOrder('rate@example.com', 2000), id: 'r-1' });
				assert.deepEqual([replay.replay, replay.change.available, replay.programVersion], [true, 20, 1]);
				const rows = await store.db.query<{
					idempotency_key: string;
					program_version: number;
				}>("SELECT idempotency_key, program_version FROM ledger_operations WHERE program_id = 'rates' ORDER BY idempotency_key");
				assert.deepEqual(
					rows.map((r) => [r.idempotency_key, Number(r.program_version)]),
					[
						['woocommerce:order:r-1:paid', 1],
						['woocommerce:order:r-2:paid', 2],
					],
				);
			});

			test('programs stay apart by id', async () => {
				await changeProgram(store, 'brand-a', { pointsPerCurrencyUnit: 5 }, context);
				await changeProgram(store, 'brand-b', { currency: 'EUR' }, context);
				const a = await peekProgram(store, 'brand-a', 'UTC');
				const b = await peekProgram(store, 'brand-b', 'UTC');
				assert.deepEqual([a.settings.pointsPerCurrencyUnit, a.settings.currency, b.settings.pointsPerCurrencyUnit, b.settings.currency], [5, 'USD', 1, 'EUR']);
			});
		});
	}
});
