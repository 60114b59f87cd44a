import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { closeSharedStores, type LoyaltyEvent } from '../../../engine';
import { AwardPoints } from '../../../nodes/AwardPoints/AwardPoints.node';
import { LoyaltyProgram } from '../../../nodes/LoyaltyProgram/LoyaltyProgram.node';
import { executeContext, type Credentials } from './fakes';

const node = new AwardPoints();
let dir: string;
let credentials: Credentials;

before(() => {
	dir = mkdtempSync(join(tmpdir(), 'loyalty-referral-node-'));
	credentials = { loyaltyStoreApi: { storage: 'embedded', sqlitePath: join(dir, 'loyalty.sqlite') } };
});

after(async () => {
	await closeSharedStores();
	rmSync(dir, { recursive: true, force: true });
});

async function run(parameters: INodeParameters | ((itemIndex: number) => INodeParameters), options: { items?: number; continueOnFail?: boolean } = {}) {
	const context = executeContext({ description: node.description, parameters, credentials, items: Array.from({ length: options.items ?? 1 }, (_, i) => ({ json: { i } })), continueOnFail: options.continueOnFail });
	const [output] = await node.execute.call(context);
	return output;
}

const purchase = (id: string, email: string, referralCode?: string): LoyaltyEvent => {
	const customer = { identities: { email } };
	return {
		id: `generic:${id}`,
		type: 'purchase',
		source: 'generic',
		occurredAt: '2026-03-03T10:00:00Z',
		idempotencyKey: `generic:order:${id}:paid`,
		customer,
		order: { source: 'generic', id, status: 'paid', placedAt: '2026-03-03T10:00:00Z', currency: 'USD', totalMinor: 2000, lines: [], customer, ...(referralCode ? { referralCode } : {}) },
	};
};

describe('Award Points → Referral, with a fake n8n context against a real SQLite store', () => {
	test('Get Code and Link, then Reward Referral with the program\'s stored settings; the output carries the offers for Send Offer', async () => {
		const programNode = new LoyaltyProgram();
		await programNode.execute.call(executeContext({ description: programNode.description, parameters: { operation: 'update', programId: 'default', settings: { referralAdvocatePoints: 250, referralLinkTemplate: 'https://shop.example/r/{code}' }, useTiers: 'keep' }, credentials }));
		await run({ resource: 'points', operation: 'applyEvent', event: purchase('adv-1', 'ann@example.com') as unknown as INodeParameters });
		const [code] = await run({ resource: 'referral', operation: 'getCode', identifyBy: 'email', customerValue: 'ann@example.com' });
		assert.match(String(code.json.referralCode), /^[23456789A-Z]{7}$/);
		assert.equal(code.json.referralLink, `https://shop.example/r/${code.json.referralCode}`);
		const [rewarded] = await run({ resource: 'referral', operation: 'rewardReferral', event: purchase('f-1', 'bob@example.com', String(code.json.referralCode)) as unknown as INodeParameters });
		const referral = rewarded.json.referral as IDataObject;
		assert.deepEqual([referral.status, referral.advocatePoints, referral.friendPoints], ['rewarded', 250, 100]);
		assert.equal((rewarded.json.friendOffer as IDataObject).offerTemplateId, 'referral_welcome');
		assert.equal((rewarded.json.advocateOffer as IDataObject).decisionId, 'referral:generic:f-1:advocate');
	});

	test('an unknown code is answered, not failed; a bad item fails alone under Continue On Fail, naming the field, and the next still runs', async () => {
		const events = [purchase('f-2', 'cy@example.com', 'ZZZZZZZ'), { ...purchase('f-3', 'dee@example.com'), order: { ...purchase('f-3', 'dee@example.com').order, currency: 'XXQ' } }, purchase('f-4', 'eve@example.com')];
		const output = await run((itemIndex) => ({ resource: 'referral', operation: 'rewardReferral', event: events[itemIndex] as unknown as INodeParameters }), { items: 3, continueOnFail: true });
		assert.equal((output[0].json.referral as IDataObject).status, 'unknown_code');
		assert.match(String((output[0].json.referral as IDataObject).message), /does not exist/);
		assert.match(String(output[1].json.error), /currency/);
		assert.deepEqual(output[1].pairedItem, { item: 1 });
		assert.equal((output[2].json.referral as IDataObject).status, 'no_code');
		assert.equal(output.length, 3);
	});
});
