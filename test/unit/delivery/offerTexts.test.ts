import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NodeHelpers } from 'n8n-workflow';

import { readOfferTexts, readTemplates } from '../../../nodes/SendOffer/helpers/settings';
import { SendOffer } from '../../../nodes/SendOffer/SendOffer.node';

describe('Send Offer: offer texts as a form (version 1.1), JSON kept for nodes saved as version 1', () => {
	test('each row is one offer; fields left empty are left out', () => {
		const texts = readOfferTexts({
			text: [
				{ id: 'birthday', metricName: 'Loyalty: Birthday', emailSubject: 'Happy birthday, {{firstName|friend}}!', emailBody: 'We added {{points}} points.', smsBody: '' },
				{ id: 'cart', metricName: 'Loyalty: Cart', emailSubject: '', emailBody: '', smsBody: 'Your cart waits, {{firstName}}.' },
			],
		});
		assert.deepEqual(texts, [
			{ id: 'birthday', metricName: 'Loyalty: Birthday', emailSubject: 'Happy birthday, {{firstName|friend}}!', emailBody: 'We added {{points}} points.' },
			{ id: 'cart', metricName: 'Loyalty: Cart', smsBody: 'Your cart waits, {{firstName}}.' },
		]);
		assert.deepEqual(readOfferTexts(texts.map((t) => t)).length, 0, 'a value that is not the form has no rows');
	});

	test('mistakes name the row and field, as the JSON did', () => {
		assert.throws(() => readOfferTexts({ text: [{ id: 'a', metricName: 'M', emailBody: 'Hi {{fristName}}' }] }), /templates\.0\.emailBody: \{\{fristName\}\} is not a known field/);
		assert.throws(() => readOfferTexts({ text: [{ id: 'a', metricName: 'M' }, { id: 'a', metricName: 'N' }] }), /templates\.1\.id: "a" is used twice/);
		assert.throws(() => readOfferTexts({ text: [{ id: 'a', metricName: '' }] }), /metricName/);
	});

	test('the form is shown from version 1.1; version 1 keeps its JSON parameter and reads it as before', () => {
		const node = new SendOffer().description;
		const resolve = (typeVersion: number) => NodeHelpers.getNodeParameters(node.properties, { resource: 'offer', operation: 'send' }, true, false, { typeVersion }, node) ?? {};
		assert.ok('templates' in resolve(1) && !('offerTexts' in resolve(1)));
		assert.ok('offerTexts' in resolve(1.1) && !('templates' in resolve(1.1)));
		const fromForm = readOfferTexts(resolve(1.1).offerTexts);
		assert.deepEqual(readTemplates(resolve(1).templates), fromForm, 'both versions start from the same example');
	});
});
