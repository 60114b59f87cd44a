import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkFrequency, claimFingerprints, consentFromSmsKeyword, planDelivery, parseOfferDecision, type LoyaltyError, type OfferDecisionInput, type Store } from '../../engine';
import { DeliveryLog, type SendClaim } from '../../engine/delivery/deliveryLog';
import { backends } from '../support/stores';

/** The send log and consent history, asserted on every store backend. */
describe('delivery store conformance', async () => {
	for (const backend of await backends()) {
		describe(`delivery on ${backend.name}`, { skip: backend.unavailable }, () => {
			let store: Store;
			let log: DeliveryLog;
			let cleanup: () => Promise<void>;
			before(async () => {
				({ store, cleanup } = await backend.open());
				log = new DeliveryLog(store);
			});
			after(async () => cleanup());

			const NOW = new Date('2026-06-10T12:00:00Z');
			let n = 0;
			async function customer(): Promise<string> {
				n += 1;
				return (await store.upsertCustomer({ identities: { email: `d${n}-${backend.name}@example.com`, phone: `+1415555${String(1000 + n)}` } }, NOW)).id;
			}
			const claimFor = (customerId: string, decisionId: string, extra: Partial<SendClaim> = {}): SendClaim => ({
				decisionId,
				channel: 'email',
				customerId,
				ruleId: 'r1',
				offerTemplateId: 'coffee-10',
				purpose: 'marketing',
				isReward: true,
				idempotencyKey: decisionId,
				couponCode: `LOY-${decisionId}`,
				sendAt: NOW.toISOString(),
				...extra,
			});

			test('migrations 300 and 301 are applied once', async () => {
				const [row] = await store.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM loyalty_migrations WHERE version IN (300, 301)');
				assert.equal(Number(row.n), 2);
				assert.equal(await store.migrate(), 0);
			});

			test('claim → finish; a replayed decision is done and sends nothing', async () => {
				const id = await customer();
				const first = await log.claim(claimFor(id, 'dec-a'), NOW);
				assert.equal(first.outcome, 'claimed');
				assert.equal(await log.finish('dec-a', 'email', { status: 'sent', vendorMessageId: 'kl-1', at: NOW.toISOString() }), true);
				const replay = await log.claim(claimFor(id, 'dec-a'), NOW);
				assert.equal(replay.outcome, 'done');
				assert.equal(replay.outcome === 'done' && replay.send.status, 'sent');
				// Even on the other channel: one decision, one message.
				assert.equal((await log.claim(claimFor(id, 'dec-a', { channel: 'sms', idempotencyKey: 'dec-a:sms' }), NOW)).outcome, 'done');
				assert.equal((await log.sends('dec-a')).length, 1);
				assert.equal(await log.finish('dec-a', 'email', { status: 'failed', at: NOW.toISOString() }), false, 'a finished send is not finished again');
			});

			test('a decision id (send key) or its coupon reused for a different offer is refused, naming what differs; the same offer replays', async () => {
				const id = await customer();
				const decision = (extra: Partial<OfferDecisionInput> = {}) =>
					claimFingerprints(parseOfferDecision({ decisionId: 'dec-fp', customer: { customerId: id }, offerTemplateId: 'coffee-10', ruleId: 'r1', coupon: { kind: 'percent', amount: 10 }, decidedAt: NOW.toISOString(), ...extra }));
				assert.equal((await log.claim({ ...claimFor(id, 'dec-fp'), ...decision() }, NOW)).outcome, 'claimed');
				await assert.rejects(log.claim({ ...claimFor(id, 'dec-fp', { offerTemplateId: 'winback' }), ...decision({ offerTemplateId: 'winback' }) }, NOW), (error: LoyaltyError) => {
					assert.equal(error.code, 'key_reused');
					assert.equal(error.field, 'decision.decisionId');
					assert.match(error.message, new RegExp(`^decision.decisionId "dec-fp" was first used for offer coffee-10 by rule r1 \\(marketing, reward, channel any\\) for customer ${id}; this request is offer winback by rule r1 .*\\(different: offerTemplateId\\)`));
					return true;
				});
				await assert.rejects(log.claim({ ...claimFor(id, 'dec-fp'), ...decision({ coupon: { kind: 'percent', amount: 50 } }) }, NOW), (error: LoyaltyError) => {
					assert.equal(error.code, 'key_reused');
					assert.equal(error.field, 'decision.coupon');
					assert.match(error.message, /^decision.coupon "LOY-dec-fp" was first used for a coupon of 10% off valid 14 days; this request is a coupon of 50% off valid 14 days \(different: amount\)/);
					return true;
				});
				const sends = await log.sends('dec-fp');
				assert.equal(sends.length, 1);
				assert.equal(sends[0].attempts, 1, 'a refused claim writes nothing');
				// A later decision time is not part of the request: the same offer resumes its claim.
				assert.equal((await log.claim({ ...claimFor(id, 'dec-fp'), ...decision({ decidedAt: '2026-06-11T00:00:00Z' }) }, NOW)).outcome, 'resume');
				// A send logged before fingerprints existed matches any request.
				await store.db.execute('UPDATE delivery_sends SET request = NULL, coupon_request = NULL WHERE decision_id = $1', ['dec-fp']);
				assert.equal((await log.claim({ ...claimFor(id, 'dec-fp'), ...decision({ offerTemplateId: 'winback' }) }, NOW)).outcome, 'resume');
			});

			test('crash between claim and finish: the next run resumes with the SAME idempotency key', async () => {
				const id = await customer();
				const first = await log.claim(claimFor(id, 'dec-crash'), NOW);
				assert.equal(first.outcome, 'claimed');
				// ... the process dies here, before the vendor answered.
				const again = await log.claim(claimFor(id, 'dec-crash', { idempotencyKey: 'something-else' }), NOW);
				assert.equal(again.outcome, 'resume');
				assert.equal(again.outcome === 'resume' && again.send.idempotencyKey, 'dec-crash');
				assert.equal(again.outcome === 'resume' && again.send.attempts, 2);
				await log.finish('dec-crash', 'email', { status: 'sent', at: NOW.toISOString() });
				assert.equal((await log.claim(claimFor(id, 'dec-crash'), NOW)).outcome, 'done');
			});

			test('concurrent claims of one decision: exactly one is claimed', async () => {
				const id = await customer();
				const results = await Promise.all(Array.from({ length: 6 }, () => log.claim(claimFor(id, 'dec-race'), NOW)));
				assert.equal(results.filter((r) => r.outcome === 'claimed').length, 1);
				assert.deepEqual(new Set(results.map((r) => r.outcome)), new Set(['claimed', 'resume']));
			});

			test('caps are re-checked under the customer lock: two racing rewards, one wins', async () => {
				const id = await customer();
				const admit = (history: Parameters<typeof checkFrequency>[0]) => checkFrequency(history, 'email', true, NOW, 'UTC');
				const results = await Promise.all(['dec-r1', 'dec-r2', 'dec-r3'].map((d) => log.claim(claimFor(id, d), NOW, admit)));
				assert.equal(results.filter((r) => r.outcome === 'claimed').length, 1);
				const refused = results.filter((r) => r.outcome === 'refused');
				assert.equal(refused.length, 2);
				assert.equal((await log.sends('dec-r2')).length + (await log.sends('dec-r3')).length + (await log.sends('dec-r1')).length, 1, 'a refused claim writes nothing');
			});

			test('holdouts are logged, not contacted and not counted against caps', async () => {
				const id = await customer();
				const held = await log.recordHoldout(claimFor(id, 'dec-hold', { experimentId: 'exp', experimentArm: 'control' }), NOW);
				assert.equal(held.outcome === 'claimed' && held.send.status, 'held_out');
				assert.equal((await log.claim(claimFor(id, 'dec-hold'), NOW)).outcome, 'done');
				assert.deepEqual(await log.recentSends(id, new Date(NOW.getTime() - 86_400_000)), []);
			});

			test('status callbacks move forward only, by decision id or vendor message id', async () => {
				const id = await customer();
				await log.claim(claimFor(id, 'dec-s', { channel: 'sms', idempotencyKey: 'dec-s:sms' }), NOW);
				// The callback beats finish: it is found by decision id.
				const early = await log.applyStatus({ decisionId: 'dec-s', status: 'sent', vendorMessageId: 'SM1', at: '2026-06-10T12:00:01Z' });
				assert.equal(early?.status, 'sent');
				assert.equal((await log.applyStatus({ vendorMessageId: 'SM1', status: 'delivered', at: '2026-06-10T12:00:05Z' }))?.status, 'delivered');
				assert.equal((await log.applyStatus({ vendorMessageId: 'SM1', status: 'sent', at: '2026-06-10T12:00:06Z' }))?.status, 'delivered', 'a late "sent" does not undo "delivered"');
				assert.equal(await log.applyStatus({ vendorMessageId: 'SM-unknown', status: 'delivered', at: NOW.toISOString() }), undefined);
				const [send] = await log.sends('dec-s');
				assert.equal(send.vendorMessageId, 'SM1');
				assert.equal(send.sentAt, '2026-06-10T12:00:01Z');
			});

			test('recent sends feed the frequency caps; a redeemed coupon finds its send', async () => {
				const id = await customer();
				await log.claim(claimFor(id, 'dec-f1'), NOW);
				await log.finish('dec-f1', 'email', { status: 'sent', at: NOW.toISOString() });
				const history = await log.recentSends(id, new Date(NOW.getTime() - 7 * 86_400_000));
				assert.deepEqual(history, [{ channel: 'email', sentAt: NOW.toISOString(), isReward: true, decisionId: 'dec-f1' }]);
				const later = new Date(NOW.getTime() + 3_600_000);
				const plan = planDelivery({
					decision: parseOfferDecision({ decisionId: 'dec-f2', customer: { customerId: id }, offerTemplateId: 't', ruleId: 'r' }),
					customer: { identities: { email: 'x@example.com' }, consent: { email_marketing: { granted: true, at: '2026-01-01T00:00:00Z', source: 't' } } },
					programTimeZone: 'UTC',
					history,
					now: later,
				});
				assert.equal(plan.action === 'refuse' && plan.reason, 'frequency_cap');
				assert.equal((await log.sendForCoupon('LOY-dec-f1'))?.decisionId, 'dec-f1');
			});

			test('a redeemed coupon is linked to its send once, whatever the case of the code', async () => {
				const id = await customer();
				await log.claim(claimFor(id, 'dec-red', { couponCode: 'LOY-ABCDEFGHJK' }), NOW);
				await log.finish('dec-red', 'email', { status: 'sent', at: NOW.toISOString() });
				const order = { source: 'woocommerce' as const, id: '1042', placedAt: '2026-06-12T10:00:00Z', totalMinor: 4599, currency: 'USD', couponCodes: ['loy-abcdefghjk', 'SUMMER10'] };
				const linked = await log.attributeOrder(order);
				assert.deepEqual(linked.map((r) => [r.decisionId, r.couponCode, r.orderTotalMinor]), [['dec-red', 'LOY-ABCDEFGHJK', 4599]]);
				await log.attributeOrder(order);
				assert.equal((await log.redemptions('dec-red')).length, 1);
			});

			test('consent changes: history with time, source and wording; the profile shows the newest; redelivery writes once', async () => {
				const phone = '+14155559999';
				await store.upsertCustomer({ identities: { phone }, consent: { sms_marketing: { granted: true, at: '2026-01-01T00:00:00Z', source: 'checkout', wordingVersion: 'sms-v2' } } }, NOW);
				const stop = { identities: { phone }, changes: consentFromSmsKeyword('opt_out', '2026-06-10T11:00:00Z', 'twilio:inbound'), idempotencyKey: 'twilio:SM-stop-1' };
				const first = await log.recordConsent(stop, NOW);
				assert.equal(first.recorded, true);
				assert.equal(first.customer.consent.sms_marketing?.granted, false);
				assert.equal((await log.recordConsent(stop, NOW)).recorded, false);
				// An older grant arriving late does not undo the STOP.
				const late = await log.recordConsent({ identities: { phone }, changes: { sms_marketing: { granted: true, at: '2026-05-01T00:00:00Z', source: 'woocommerce' } }, idempotencyKey: 'woo:late' }, NOW);
				assert.equal(late.customer.consent.sms_marketing?.granted, false);
				const history = await log.consentHistory(first.customer.id);
				assert.deepEqual(
					history.map((h) => [h.channel, h.granted, h.at, h.source]),
					[
						['sms_marketing', true, '2026-05-01T00:00:00Z', 'woocommerce'],
						['sms_marketing', false, '2026-06-10T11:00:00Z', 'twilio:inbound'],
						['sms_transactional', false, '2026-06-10T11:00:00Z', 'twilio:inbound'],
					],
				);
			});
		});
	}
});

/** Opens and clicks: matched to their send, written once, counted per channel in one query. */
describe('delivery engagement conformance', async () => {
	for (const backend of await backends()) {
		describe(`engagement on ${backend.name}`, { skip: backend.unavailable }, () => {
			let store: Store;
			let log: DeliveryLog;
			let cleanup: () => Promise<void>;
			before(async () => {
				({ store, cleanup } = await backend.open());
				log = new DeliveryLog(store);
			});
			after(async () => cleanup());

			const NOW = new Date('2026-06-10T12:00:00Z');
			const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000);
			let n = 0;
			async function customer(): Promise<{ id: string; email: string; phone: string }> {
				n += 1;
				const email = `e${n}-${backend.name}@example.com`;
				const phone = `+1415666${String(1000 + n)}`;
				return { id: (await store.upsertCustomer({ identities: { email, phone } }, NOW)).id, email, phone };
			}
			/** A send that went out `ago` days before NOW, finished with `status`. */
			async function sent(customerId: string, decisionId: string, channel: 'email' | 'sms', ago: number, status: 'sent' | 'failed' | 'held_out' = 'sent', vendorMessageId?: string): Promise<void> {
				const at = daysAgo(ago);
				const claim: SendClaim = { decisionId, channel, customerId, ruleId: 'r1', offerTemplateId: 'coffee-10', purpose: 'marketing', isReward: false, idempotencyKey: `${decisionId}:${channel}`, sendAt: at.toISOString() };
				if (status === 'held_out') {
					await log.recordHoldout(claim, at);
					return;
				}
				await log.claim(claim, at);
				await log.finish(decisionId, channel, { status, vendorMessageId, at: at.toISOString() });
			}

			test('migration 302 is applied once', async () => {
				const [row] = await store.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM loyalty_migrations WHERE version = 302');
				assert.equal(Number(row.n), 1);
				assert.equal(await store.migrate(), 0);
			});

			test('by decision id: recorded once however often the webhook is redelivered', async () => {
				const c = await customer();
				await sent(c.id, 'eng-dec-1', 'email', 2);
				const fact = { idempotencyKey: 'klaviyo:engagement:eng-dec-1:click', channel: 'email' as const, kind: 'click' as const, at: daysAgo(1).toISOString(), source: 'klaviyo:flow', decisionId: 'eng-dec-1' };
				const first = await log.recordEngagement(fact, NOW);
				assert.equal(first.outcome === 'recorded' && first.engagement.matchedBy, 'decision');
				assert.equal(first.outcome === 'recorded' && first.engagement.customerId, c.id);
				const again = await Promise.all([log.recordEngagement(fact, NOW), log.recordEngagement(fact, NOW)]);
				assert.deepEqual(again.map((r) => r.outcome), ['duplicate', 'duplicate']);
				assert.equal((await log.engagements('eng-dec-1')).length, 1);
			});

			test('an unknown decision, a held-out send or a stranger is ignored with a reason and writes nothing', async () => {
				const c = await customer();
				await sent(c.id, 'eng-held', 'email', 2, 'held_out');
				const base = { channel: 'email' as const, kind: 'open' as const, at: daysAgo(1).toISOString(), source: 'test' };
				const unknown = await log.recordEngagement({ ...base, idempotencyKey: 'k-unknown', decisionId: 'never-sent', identities: { email: c.email } }, NOW);
				assert.equal(unknown.outcome, 'ignored');
				assert.match(unknown.outcome === 'ignored' ? unknown.reason : '', /no email send for decision never-sent/);
				const held = await log.recordEngagement({ ...base, idempotencyKey: 'k-held', decisionId: 'eng-held' }, NOW);
				assert.match(held.outcome === 'ignored' ? held.reason : '', /held_out/);
				const stranger = await log.recordEngagement({ ...base, idempotencyKey: 'k-stranger', identities: { email: 'nobody@example.com' } }, NOW);
				assert.match(stranger.outcome === 'ignored' ? stranger.reason : '', /no customer/);
				const [row] = await store.db.query<{ n: number }>("SELECT COUNT(*) AS n FROM delivery_engagements WHERE idempotency_key IN ('k-unknown', 'k-held', 'k-stranger')");
				assert.equal(Number(row.n), 0);
			});

			test('by vendor message id, else the latest send on that channel at or before the engagement', async () => {
				const c = await customer();
				await sent(c.id, 'eng-sms-old', 'sms', 10, 'sent', 'SM-old');
				await sent(c.id, 'eng-sms-new', 'sms', 3, 'sent', 'SM-new');
				await sent(c.id, 'eng-sms-failed', 'sms', 2, 'failed');
				await sent(c.id, 'eng-email', 'email', 1);
				const click = { channel: 'sms' as const, kind: 'click' as const, source: 'twilio:link_click' };
				const byMessage = await log.recordEngagement({ ...click, idempotencyKey: 'c1', at: daysAgo(0.5).toISOString(), vendorMessageId: 'SM-old', identities: { phone: c.phone } }, NOW);
				assert.deepEqual(byMessage.outcome !== 'ignored' && [byMessage.engagement.decisionId, byMessage.engagement.matchedBy], ['eng-sms-old', 'vendor_message']);
				// An unknown message sid falls back to the phone: the latest SMS that went out (not the failed one, not the email).
				const byPhone = await log.recordEngagement({ ...click, idempotencyKey: 'c2', at: daysAgo(0.5).toISOString(), vendorMessageId: 'SM-elsewhere', identities: { phone: c.phone } }, NOW);
				assert.deepEqual(byPhone.outcome !== 'ignored' && [byPhone.engagement.decisionId, byPhone.engagement.matchedBy], ['eng-sms-new', 'latest_send']);
				// A click dated before the newer send belongs to the older one.
				const earlier = await log.recordEngagement({ ...click, idempotencyKey: 'c3', at: daysAgo(5).toISOString(), identities: { phone: c.phone } }, NOW);
				assert.equal(earlier.outcome !== 'ignored' && earlier.engagement.decisionId, 'eng-sms-old');
				const beforeAny = await log.recordEngagement({ ...click, idempotencyKey: 'c4', at: daysAgo(20).toISOString(), identities: { phone: c.phone } }, NOW);
				assert.match(beforeAny.outcome === 'ignored' ? beforeAny.reason : '', /no sms send before/);
			});

			test('bad input names the field and writes nothing', async () => {
				const base = { idempotencyKey: 'bad', channel: 'email' as const, kind: 'open' as const, at: NOW.toISOString(), source: 'test', decisionId: 'x' };
				await assert.rejects(log.recordEngagement({ ...base, kind: 'view' as never }, NOW), (e: LoyaltyError) => e.field === 'engagement.kind');
				await assert.rejects(log.recordEngagement({ ...base, channel: 'push' as never }, NOW), (e: LoyaltyError) => e.field === 'engagement.channel');
				await assert.rejects(log.recordEngagement({ ...base, at: 'yesterday' }, NOW), (e: LoyaltyError) => e.field === 'engagement.at');
				await assert.rejects(log.recordEngagement({ ...base, idempotencyKey: ' ' }, NOW), (e: LoyaltyError) => e.field === 'engagement.idempotencyKey');
			});

			test('per channel in ONE query: sends that went out in the window, and distinct sends opened or clicked', async () => {
				const c = await customer();
				for (let i = 0; i < 4; i += 1) await sent(c.id, `cnt-sms-${i}`, 'sms', 10 + i);
				for (let i = 0; i < 4; i += 1) await sent(c.id, `cnt-email-${i}`, 'email', 20 + i);
				await sent(c.id, 'cnt-email-old', 'email', 200);
				await sent(c.id, 'cnt-email-failed', 'email', 5, 'failed');
				await sent(c.id, 'cnt-email-held', 'email', 6, 'held_out');
				await log.applyStatus({ decisionId: 'cnt-sms-0', channel: 'sms', status: 'delivered', at: daysAgo(10).toISOString() });
				const engage = (key: string, decisionId: string, channel: 'email' | 'sms', kind: 'open' | 'click') => log.recordEngagement({ idempotencyKey: key, decisionId, channel, kind, at: daysAgo(1).toISOString(), source: 'test' }, NOW);
				// Two clicks on one SMS count once; three SMS engaged in all. One email opened and clicked counts once.
				await engage('s0a', 'cnt-sms-0', 'sms', 'click');
				await engage('s0b', 'cnt-sms-0', 'sms', 'click');
				await engage('s1', 'cnt-sms-1', 'sms', 'click');
				await engage('s2', 'cnt-sms-2', 'sms', 'click');
				await engage('e0o', 'cnt-email-0', 'email', 'open');
				await engage('e0c', 'cnt-email-0', 'email', 'click');
				await engage('eold', 'cnt-email-old', 'email', 'open');

				const queries: string[] = [];
				const query = store.db.query.bind(store.db);
				store.db.query = (async (text: string, params?: unknown[]) => {
					queries.push(text);
					return query(text, params as never);
				}) as typeof store.db.query;
				let counts;
				try {
					counts = await log.engagementByChannel(c.id, 90, NOW);
				} finally {
					store.db.query = query;
				}
				assert.equal(queries.length, 1);
				assert.deepEqual(counts, { sms: { sent: 4, engaged: 3 }, email: { sent: 4, engaged: 1 } });
				assert.deepEqual(await log.engagementByChannel(c.id, 15, NOW), { sms: { sent: 4, engaged: 3 } });
				assert.deepEqual(await log.engagementByChannel('nobody', 90, NOW), {});
			});

			test('a merge moves the engagements to the surviving profile', async () => {
				const email = `merge-${backend.name}@example.com`;
				const phone = '+14156667777';
				const a = (await store.upsertCustomer({ identities: { email } }, NOW)).id;
				const b = (await store.upsertCustomer({ identities: { phone } }, NOW)).id;
				await sent(b, 'eng-merge', 'sms', 2);
				await log.recordEngagement({ idempotencyKey: 'merge-click', decisionId: 'eng-merge', channel: 'sms', kind: 'click', at: daysAgo(1).toISOString(), source: 'test' }, NOW);
				const survivor = (await store.upsertCustomer({ identities: { email, phone } }, NOW)).id;
				assert.ok([a, b].includes(survivor));
				assert.deepEqual((await log.engagements('eng-merge')).map((e) => e.customerId), [survivor]);
				assert.deepEqual(await log.engagementByChannel(survivor, 90, NOW), { sms: { sent: 1, engaged: 1 } });
			});
		});
	}
});
