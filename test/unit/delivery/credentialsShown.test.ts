import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NodeHelpers, type INode, type INodeParameters } from 'n8n-workflow';

import { SendOffer } from '../../../nodes/SendOffer/SendOffer.node';

const node = new SendOffer();

/**
 * The credentials n8n asks for with these parameters (it also refuses the others at run time).
 * n8n fills in the default of every parameter left out before it looks (the editor, and the
 * Workflow class on the server), so the conditions see the defaults too.
 */
function credentialsAskedFor(parameters: INodeParameters): string[] {
	const values = NodeHelpers.getNodeParameters(node.description.properties, parameters, true, false, { typeVersion: 1 }, node.description) ?? {};
	const stub = { parameters: values, typeVersion: 1 } as unknown as INode;
	return (node.description.credentials ?? []).filter((c) => c.required && NodeHelpers.displayParameter(values, c, stub, node.description)).map((c) => c.name);
}

test('Send Offer asks for exactly the vendor credentials each operation uses', () => {
	assert.deepEqual(credentialsAskedFor({ resource: 'offer', operation: 'send', email: true, sms: false, couponShop: 'none' }), ['loyaltyKlaviyoApi']);
	assert.deepEqual(credentialsAskedFor({ resource: 'offer', operation: 'send', email: false, sms: true, couponShop: 'woocommerce' }), ['loyaltyTwilioApi', 'loyaltyWooCommerceApi']);
	assert.deepEqual(credentialsAskedFor({ resource: 'offer', operation: 'recordRedemption' }), [], 'recording a redemption needs only the store');
	assert.deepEqual(credentialsAskedFor({ resource: 'profile', operation: 'syncKlaviyo' }), ['loyaltyKlaviyoApi']);
});
