import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { HttpFunction, HttpResponse } from '../../../connectors/http';
import { type WooCommerceClient, createWooCommerceClient } from '../../../connectors/woocommerce';
import { couponCodeFor } from '../../../engine';
import { alteringHttp, fetchHttp, recordingHttp } from '../../support/http';
import { type PrismServer, prefixSpecPaths, specOrSkip, startPrism } from '../../support/prism';
import { assertVendorError } from './helpers';

/* Single-use personal coupons against the WooCommerce REST v3 document served by Prism. */
const spec = specOrSkip('woocommerce-openapi-unofficial.yml');

describe('WooCommerce coupons against Prism', { skip: spec.skip }, () => {
	let prism: PrismServer;
	let cleanup: () => Promise<void> = async () => {};
	let client: (http?: HttpFunction) => WooCommerceClient;
	before(async () => {
		const served = await prefixSpecPaths(spec.path as string, '/wp-json/wc/v3');
		cleanup = served.cleanup;
		prism = await startPrism({ spec: served.path });
		client = (http = fetchHttp) => createWooCommerceClient(http, { baseUrl: prism.baseUrl, consumerKey: 'ck_prism', consumerSecret: 'cs_prism' });
	});
	after(async () => {
		await prism?.stop();
		await cleanup();
	});

	const input = {
		code: couponCodeFor('dec-2026-06-10-c1'),
		discountType: 'percent' as const,
		amount: '10',
		expiresAt: '2026-06-24T12:00:00.000Z',
		emailRestrictions: ['ana@example.com'],
		categoryIds: [15],
		description: 'Loyalty offer coffee-10 for decision dec-2026-06-10-c1',
	};

	test('createCoupon: a single-use, personal, expiring coupon is accepted', async () => {
		const recorder = recordingHttp(fetchHttp);
		const coupon = await client(recorder.http).createCoupon(input);
		assert.equal(typeof coupon.id, 'number');
		const sent = recorder.calls[0].request.json as Record<string, unknown>;
		assert.equal(recorder.calls[0].request.url.endsWith('/wp-json/wc/v3/coupons'), true);
		assert.deepEqual(
			{ code: sent.code, usage_limit: sent.usage_limit, email_restrictions: sent.email_restrictions, date_expires_gmt: sent.date_expires_gmt, product_categories: sent.product_categories },
			{ code: input.code, usage_limit: 1, email_restrictions: ['ana@example.com'], date_expires_gmt: '2026-06-24T12:00:00', product_categories: [15] },
		);
	});

	test('createCoupon: an unknown discount type is refused by validation', async () => {
		const broken = alteringHttp(fetchHttp, (r) => ({ ...r, json: { ...(r.json as object), discount_type: 'bogo' } }));
		await assertVendorError(client(broken).createCoupon(input), { vendor: 'woocommerce', status: 400, retryable: false });
	});

	test('createCoupon: a code that already exists returns that coupon instead of failing (a retried creation)', async () => {
		const calls: string[] = [];
		const exists: HttpFunction = async (request) => {
			calls.push(`${request.method} ${new URL(request.url).pathname}${request.query?.code ? `?code=${request.query.code}` : ''}`);
			if (request.method === 'POST') return { status: 400, headers: {}, body: { code: 'woocommerce_rest_coupon_code_already_exists', message: 'The coupon code already exists', data: { status: 400 } } } satisfies HttpResponse;
			return { status: 200, headers: {}, body: [{ id: 77, code: input.code.toLowerCase() }] };
		};
		const coupon = await createWooCommerceClient(exists, { baseUrl: 'https://shop.example', consumerKey: 'ck', consumerSecret: 'cs' }).createCoupon(input);
		assert.equal(coupon.id, 77);
		assert.deepEqual(calls, ['POST /wp-json/wc/v3/coupons', `GET /wp-json/wc/v3/coupons?code=${input.code}`]);
	});
});
