import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { withRetries, type HttpFunction, type HttpResponse } from '../../../connectors';

/** Answers in turn; records what the retrying layer asked to wait. */
function scripted(...answers: Array<HttpResponse | Error>): { http: HttpFunction; calls: () => number } {
	let calls = 0;
	return {
		calls: () => calls,
		http: async () => {
			const answer = answers[Math.min(calls++, answers.length - 1)];
			if (answer instanceof Error) throw answer;
			return answer;
		},
	};
}

const ok: HttpResponse = { status: 200, headers: {}, body: {} };
const request = { method: 'GET' as const, url: 'https://shop.example/orders' };

describe('withRetries', () => {
	test("waits a 429's Retry-After in seconds or as a date, backs off on 5xx and lost answers", async () => {
		const slept: number[] = [];
		const soon = new Date(Date.now() + 30_000).toUTCString();
		const { http, calls } = scripted({ status: 429, headers: { 'Retry-After': '3' }, body: {} }, { status: 429, headers: { 'retry-after': soon }, body: {} }, { status: 502, headers: {}, body: {} }, new Error('socket hang up'), ok);
		const answer = await withRetries(http, { baseDelayMs: 100, sleep: async (ms) => void slept.push(ms) })(request);
		assert.equal(answer.status, 200);
		assert.equal(calls(), 5);
		assert.equal(slept[0], 3000);
		assert.ok(slept[1] > 25_000 && slept[1] <= 30_000, `an HTTP-date Retry-After is waited until then (${slept[1]} ms)`);
		assert.deepEqual(slept.slice(2), [400, 800], 'the back-off doubles with each try');
	});

	test('gives the last answer back when the tries run out, and never retries a 4xx', async () => {
		const failing = scripted({ status: 503, headers: {}, body: { message: 'down' } });
		const answer = await withRetries(failing.http, { attempts: 3, sleep: async () => undefined })(request);
		assert.equal(answer.status, 503);
		assert.equal(failing.calls(), 3);
		const refused = scripted({ status: 401, headers: {}, body: {} }, ok);
		assert.equal((await withRetries(refused.http, { sleep: async () => undefined })(request)).status, 401);
		assert.equal(refused.calls(), 1);
		const lost = scripted(new Error('ECONNREFUSED'));
		await assert.rejects(withRetries(lost.http, { attempts: 2, sleep: async () => undefined })(request), /ECONNREFUSED/);
	});

	test('no wait is longer than maxDelayMs', async () => {
		const slept: number[] = [];
		const { http } = scripted({ status: 429, headers: { 'retry-after': '3600' }, body: {} }, ok);
		await withRetries(http, { maxDelayMs: 60_000, sleep: async (ms) => void slept.push(ms) })(request);
		assert.deepEqual(slept, [60_000]);
	});
});
