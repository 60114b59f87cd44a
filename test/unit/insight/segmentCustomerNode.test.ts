import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { INodeParameters } from 'n8n-workflow';

import { changeProgram, closeSharedStores, openSharedStore, type StoreConfig } from '../../../engine';
import { SegmentCustomer } from '../../../nodes/SegmentCustomer/SegmentCustomer.node';
import { executeContext, type Credentials } from '../nodes/fakes';
import { randomSource } from './simulate';

const node = new SegmentCustomer();
let dir: string;
let credentials: Credentials;

/** 40 customers with 1–5 orders in Jan–Apr 2026; ana@example.com buys beans and filters monthly. */
async function seed(config: StoreConfig): Promise<void> {
	const store = await openSharedStore(config);
	await store.transaction(async (sql) => {
		for (let c = 0; c < 40; c++) {
			const id = c === 0 ? 'ana' : `c${c}`;
			await sql.execute('INSERT INTO customers (id, profile, created_at, updated_at) VALUES ($1, $2, $3, $3)', [id, '{}', '2026-01-01T00:00:00.000Z']);
			if (c === 0) await sql.execute("INSERT INTO customer_identities (kind, value, customer_id) VALUES ('email', 'ana@example.com', 'ana')");
			for (let v = 0; v <= c % 5; v++) {
				const placedAt = new Date(Date.UTC(2026, 0, 1 + ((c * 3 + v * 25) % 110), 12)).toISOString();
				const lines = c % 3 === 0 ? [{ sku: 'BEANS', category: 'coffee', quantity: 1, totalMinor: 1500 }, { sku: 'FILTERS', category: 'coffee', quantity: 1, totalMinor: 300 }] : [{ sku: 'BEANS', category: 'coffee', quantity: 1, totalMinor: 1500 }];
				await sql.execute(
					`INSERT INTO orders (source, id, customer_id, status, placed_at, currency, total_minor, refunded_minor, payload, updated_at) VALUES ('generic', $1, $2, 'paid', $3, 'USD', $4, 0, $5, $3)`,
					[`${id}-${v}`, id, placedAt, 1000 + c * 100, JSON.stringify({ lines })],
				);
			}
		}
	});
}

before(async () => {
	dir = mkdtempSync(join(tmpdir(), 'loyalty-segment-'));
	const path = join(dir, 'loyalty.sqlite');
	credentials = { loyaltyStoreApi: { storage: 'embedded', sqlitePath: path } };
	await seed({ kind: 'sqlite', path });
});

after(async () => {
	await closeSharedStores();
	rmSync(dir, { recursive: true, force: true });
});

async function run(parameters: INodeParameters, options: { items?: number; continueOnFail?: boolean } = {}) {
	const context = executeContext({
		description: node.description,
		parameters: { ...parameters, insightSettings: { asOf: '2026-05-01', ...((parameters.insightSettings as object) ?? {}) } },
		credentials,
		items: Array.from({ length: options.items ?? 1 }, (_, i) => ({ json: { i } })),
		continueOnFail: options.continueOnFail,
	});
	const [output] = await node.execute.call(context);
	return output;
}

describe('Segment Customer, executed with a fake n8n context against a real SQLite store', () => {
	test('Fit Prediction Models reports the fitted parameters or why not', async () => {
		const [item] = await run({ resource: 'program', operation: 'fitModels' });
		assert.equal(item.json.operation, 'fitModels');
		assert.ok(item.json.fitted === true || typeof item.json.fallbackReason === 'string');
	});

	test('Score All outputs only the customers who moved: everyone at first, then only the movers', async () => {
		const first = await run({ resource: 'program', operation: 'scoreAll' });
		assert.equal(first.length, 40);
		assert.ok(first.every((i) => i.json.changed === true && i.json.previous === null));
		assert.deepEqual(first[0].pairedItem, { item: 0 });
		const later = await run({ resource: 'program', operation: 'scoreAll', insightSettings: { asOf: '2026-09-01' } });
		assert.ok(later.length > 0 && later.length <= 40);
		assert.ok(later.every((i) => i.json.previous !== null));
		const all = await run({ resource: 'program', operation: 'scoreAll', scoreAllOutput: 'all', insightSettings: { asOf: '2026-09-01' } });
		assert.equal(all.length, 40);
	});

	test('Score finds a customer by email and saves the picture', async () => {
		const [item] = await run({ resource: 'customer', operation: 'score', identifyBy: 'email', customerValue: 'ana@example.com' });
		assert.equal(item.json.customerId, 'ana');
		for (const key of ['segment', 'lifecycle', 'valueTier', 'recencyScore', 'pAlive', 'clvMinor', 'nextOrderDate']) assert.ok(key in item.json, key);
	});

	test('Score and Score All say how sure each prediction is: 80% ranges and a certainty label with its reason', async () => {
		const [item] = await run({ resource: 'customer', operation: 'score', identifyBy: 'customerId', customerValue: 'c4' });
		const json = item.json as Record<string, number | string | null>;
		assert.ok(['high', 'medium', 'low'].includes(json.certainty as string));
		assert.equal(typeof json.certaintyReason, 'string');
		if (json.pAlive === null) assert.equal(json.certainty, 'low', 'no model, no trust');
		else {
			const within = (low: string, point: string, high: string) => assert.ok((json[low] as number) <= (json[point] as number) && (json[point] as number) <= (json[high] as number), `${low} ${json[low]} ${point} ${json[point]} ${high} ${json[high]}`);
			within('pAliveLow', 'pAlive', 'pAliveHigh');
			within('expectedOrders90DaysLow', 'expectedOrders90Days', 'expectedOrders90DaysHigh');
			if (json.clvMinor !== null) within('clvMinorLow', 'clvMinor', 'clvMinorHigh');
		}
		const all = await run({ resource: 'program', operation: 'scoreAll', scoreAllOutput: 'all' });
		const c4 = all.find((i) => i.json.customerId === 'c4')!;
		assert.deepEqual(
			Object.fromEntries(['pAliveLow', 'pAliveHigh', 'certainty', 'certaintyReason'].map((k) => [k, c4.json[k]])),
			Object.fromEntries(['pAliveLow', 'pAliveHigh', 'certainty', 'certaintyReason'].map((k) => [k, json[k]])),
			'the same picture either way',
		);
	});

	test('Cross-sell and next best action', async () => {
		const [picks] = await run({ resource: 'customer', operation: 'crossSell', identifyBy: 'customerId', customerValue: 'c1' });
		assert.deepEqual((picks.json.picks as { item: string }[]).map((p) => p.item), ['FILTERS']);
		const [action] = await run({ resource: 'customer', operation: 'nextBestAction', identifyBy: 'customerId', customerValue: 'ana' });
		assert.equal(typeof action.json.action, 'string');
		assert.equal(typeof action.json.reason, 'string');
		assert.ok(action.json.signals);
	});

	test('Get Program Metrics', async () => {
		const [item] = await run({ resource: 'program', operation: 'getMetrics' });
		assert.equal(item.json.customers, 40);
		assert.equal(item.json.members, 0, 'no one has a points account in this store');
		assert.equal((item.json.nonMemberBuyers as { buyers: number }).buyers, 40);
		assert.ok(Array.isArray(item.json.clvBySegment) && (item.json.clvBySegment as unknown[]).length > 0);
	});

	test('an unknown customer fails that item only with Continue On Fail', async () => {
		const output = await run({ resource: 'customer', operation: 'score', identifyBy: 'email', customerValue: 'nobody@example.com' }, { continueOnFail: true, items: 2 });
		assert.equal(output.length, 2);
		assert.equal(output[0].json.field, 'customer');
		assert.match(String(output[0].json.error), /no customer/);
	});

	test('Settings: value-tier rules, spend in the currency above, diversity counted from the order lines', async () => {
		const tiers = async (rules: INodeParameters) => {
			const output = await run({ resource: 'program', operation: 'scoreAll', scoreAllOutput: 'all', insightSettings: { programId: 'p-settings', ...rules } });
			assert.equal(output.length, 40);
			return new Set(output.map((i) => i.json.valueTier));
		};
		// Spends are $10.00 to $49.00 in total per order, so $10.00 makes everyone high-value and $10.01 not the first customer.
		assert.deepEqual(await tiers({ highSpend: 10 }), new Set(['high-value']));
		assert.ok((await tiers({ highSpend: 10.01 })).size > 1);
		const unreachable = { highSpend: 1_000_000, midSpend: 1_000_000, midOrders: 99 };
		assert.deepEqual(await tiers({ ...unreachable, highOrders: 99 }), new Set(['occasional']));
		assert.deepEqual(await tiers({ ...unreachable, highOrders: 1, highCategories: 1 }), new Set(['high-value']), 'everyone bought coffee');
		assert.deepEqual(await tiers({ ...unreachable, highOrders: 1, highCategories: 2 }), new Set(['occasional']), 'nobody bought a second category');
	});

	test('Settings: lifecycle thresholds in fixed days or missed orders', async () => {
		const stages = async (rules: INodeParameters) => {
			const output = await run({ resource: 'program', operation: 'scoreAll', scoreAllOutput: 'all', insightSettings: { programId: 'p-settings', ...rules } });
			return new Set(output.map((i) => i.json.lifecycle));
		};
		assert.deepEqual(await stages({ lifecycleMode: 'fixed', atRiskDays: 1, lapsedDays: 2 }), new Set(['lapsed']), 'every last order is more than 2 days before the as-of date');
		assert.deepEqual(await stages({ lifecycleMode: 'fixed', atRiskDays: 1000, lapsedDays: 2000, newDays: 1000, loyalOrders: 1 }), new Set(['new', 'loyal']));
		const byRhythm = await stages({ asOf: '2026-09-01' });
		assert.ok(byRhythm.has('lapsed'), 'four months after the last orders, with the default rhythm thresholds');
		const patient = await stages({ asOf: '2026-09-01', atRiskGaps: 50, lapsedGaps: 100 });
		assert.ok(!patient.has('lapsed') && !patient.has('at-risk'), 'fifty missed orders are far off for everyone');
	});

	test('Get Refill Reminders, with its timing setting', async () => {
		const refills = async (settings: INodeParameters = {}) => {
			const [item] = await run({ resource: 'customer', operation: 'replenishment', identifyBy: 'customerId', customerValue: 'c4', insightSettings: settings });
			assert.equal(item.json.customerId, 'c4');
			return item.json.refills as { product: string; lastBought: string; runsOutOn: string; remindOn: string }[];
		};
		const [beans] = (await refills()).filter((r) => r.product === 'BEANS');
		assert.ok(beans, 'c4 buys beans every 25 days');
		assert.ok(beans.lastBought < beans.remindOn && beans.remindOn <= beans.runsOutOn);
		const [onTheDay] = (await refills({ remindAtPercent: 100 })).filter((r) => r.product === 'BEANS');
		assert.equal(onTheDay.remindOn, onTheDay.runsOutOn);
		assert.deepEqual(await refills({ minIntervals: 10_000 }), [], 'no product has been bought again that often');
	});

	test('Settings: each rule is checked and named; the time zone is the stored program’s', async () => {
		const fieldOf = async (settings: INodeParameters) => (await run({ resource: 'program', operation: 'scoreAll', insightSettings: settings }, { continueOnFail: true }))[0].json.field;
		assert.equal(await fieldOf({ highOrders: 2.5 }), 'highOrders');
		assert.equal(await fieldOf({ atRiskDays: 0 }), 'atRiskDays');
		assert.equal(await fieldOf({ highSpend: 10.005 }), 'highSpend');
		const store = await openSharedStore({ kind: 'sqlite', path: String(credentials.loyaltyStoreApi.sqlitePath) });
		await changeProgram(store, 'tokyo-shop', { timeZone: 'Asia/Tokyo' }, { defaultTimeZone: 'UTC', source: 'test' });
		const [tokyo] = await run({ resource: 'program', operation: 'fitModels', programId: 'tokyo-shop' });
		assert.deepEqual([tokyo.json.operation, tokyo.json.programId], ['fitModels', 'tokyo-shop']);
	});

	test('a bad as-of date names its field', async () => {
		const [item] = await run({ resource: 'program', operation: 'scoreAll', insightSettings: { asOf: '01/05/2026' } }, { continueOnFail: true });
		assert.equal(item.json.field, 'asOf');
	});
});

describe('Segment Customer on a shop whose repeat purchases are sometimes free', () => {
	let freeDir: string;
	let freeCredentials: Credentials;
	const free = new Set<string>();
	before(async () => {
		freeDir = mkdtempSync(join(tmpdir(), 'loyalty-segment-free-'));
		const path = join(freeDir, 'loyalty.sqlite');
		freeCredentials = { loyaltyStoreApi: { storage: 'embedded', sqlitePath: path } };
		const store = await openSharedStore({ kind: 'sqlite', path });
		const random = randomSource(7);
		await store.transaction(async (sql) => {
			for (let c = 0; c < 60; c++) {
				const id = `f${c}`;
				const visits = 1 + (c % 5);
				// Every fourth repeat customer pays for the first order only (reward redemptions after it).
				const isFree = visits > 1 && c % 4 === 1;
				if (isFree) free.add(id);
				await sql.execute('INSERT INTO customers (id, profile, created_at, updated_at) VALUES ($1, $2, $3, $3)', [id, '{}', '2026-01-01T00:00:00.000Z']);
				// Values vary between customers as well as within, so Gamma-Gamma is identified.
				const typical = 300 * Math.exp(3 * random());
				const days = Array.from({ length: visits }, (_, v) => 1 + ((c * 3 + v * 23) % 115)).sort((a, b) => a - b);
				for (let v = 0; v < visits; v++) {
					const placedAt = new Date(Date.UTC(2026, 0, days[v], 12)).toISOString();
					const total = v > 0 && isFree ? 0 : typical * (0.5 + random());
					await sql.execute(
						`INSERT INTO orders (source, id, customer_id, status, placed_at, currency, total_minor, refunded_minor, payload, updated_at) VALUES ('generic', $1, $2, 'paid', $3, 'USD', $4, 0, '{}', $3)`,
						[`${id}-${v}`, id, placedAt, Math.round(total)],
					);
				}
			}
		});
	});
	after(() => rmSync(freeDir, { recursive: true, force: true }));

	async function runFree(parameters: INodeParameters) {
		const context = executeContext({ description: node.description, parameters: { ...parameters, insightSettings: { asOf: '2026-05-01' } }, credentials: freeCredentials, items: [{ json: {} }] });
		const [output] = await node.execute.call(context);
		return output;
	}

	test('Fit Models and Get Metrics say how many were left out of the spend model and why; Score All gives them an unknown CLV', async () => {
		const reason = 'repeat purchases average 0.00: spend model not applicable';
		const [fit] = await runFree({ resource: 'program', operation: 'fitModels' });
		assert.equal(fit.json.fitted, true, String(fit.json.fallbackReason));
		assert.ok(fit.json.spendModel, String(fit.json.fallbackReason));
		assert.deepEqual(fit.json.spendModelExcluded, {
			customers: free.size,
			reasons: [{ reason, customers: free.size }],
			summary: `${free.size} repeat customers left out of the Gamma-Gamma fit: repeat purchases average 0.00: ${free.size}`,
		});
		const [metrics] = await runFree({ resource: 'program', operation: 'getMetrics', activeDays: 90 });
		assert.deepEqual(metrics.json.spendModelExcluded, fit.json.spendModelExcluded);

		const items = await runFree({ resource: 'program', operation: 'scoreAll', scoreAllOutput: 'all' });
		assert.equal(items.length, 60);
		for (const { json } of items) {
			if (free.has(json.customerId as string)) {
				assert.equal(json.clvMinor, null);
				assert.equal(json.clvMinorLow, null);
				assert.equal(json.clvUnknownReason, reason);
			} else {
				assert.equal(typeof json.clvMinor, 'number', JSON.stringify(json));
				assert.equal(json.clvUnknownReason, null);
			}
		}
	});
});
