/**
 * Error texts tell a shop owner which setting to change, by the name the node shows ("Create
 * Coupons In", "Program Settings → Tiers (JSON)"). This reads the texts in nodes/ and engine/ and checks
 * every setting they name in that form exists in a registered node's or credential's description,
 * so a renamed parameter cannot leave an error pointing at nothing.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import type { INodeProperties, INodePropertyCollection, INodePropertyOptions } from 'n8n-workflow';

import { allParameters, loadRegisteredCredentials, loadRegisteredNodes, ROOT } from '../../support/registeredNodes';

/** Names in quotes that are not settings of ours: n8n's own UI, the vendors' UI and values. */
const NOT_OUR_SETTINGS = new Map([
	['Test step', "n8n's button"],
	['Listen for test event', "n8n's button"],
	['Continue On Fail', "n8n's node setting"],
	['A message comes in', "Twilio Console's webhook"],
	['Trigger Sample', "the WooCommerce Cart Abandonment plugin's button"],
	['WooCommerce → Cart Abandonment → Settings', "the WooCommerce plugin's menu"],
	['Webhooks → Subscriptions', "the Square Developer Dashboard's menu"],
]);

/** Lines that describe a parameter rather than report an error (vendor menus in descriptions are fine). */
const DESCRIPTION_LINE = /^\s*(displayName|name|description|placeholder|hint|action|subtitle|value|notice):/;

function sourceFiles(dir: string): string[] {
	return readdirSync(dir).flatMap((entry) => {
		const path = join(dir, entry);
		if (statSync(path).isDirectory()) return sourceFiles(path);
		return path.endsWith('.ts') ? [path] : [];
	});
}

/** The string literals of a file, without comments and description lines. */
function textsOf(file: string): string[] {
	const lines = readFileSync(file, 'utf8')
		.replace(/\/\*[\s\S]*?\*\//g, '')
		.split('\n')
		.filter((line) => !DESCRIPTION_LINE.test(line) && !/^\s*\/\//.test(line));
	return lines.flatMap((line) => [...line.matchAll(/'((?:[^'\\]|\\.)*)'|`((?:[^`\\]|\\.)*)`/g)].map((m) => m[1] ?? m[2]));
}

/** A name as nodes show it: Title Case words, minor words only between them, an optional "(JSON)"-like tail. */
const TITLE_WORDS = '[A-Z][A-Za-z0-9]*(?: (?:(?:a|an|and|as|at|by|for|from|in|of|on|or|per|the|to|with) )*[A-Z][A-Za-z0-9]*)*(?: \\([^)]*\\))?';

/** The settings a text names: in quotes ("Order Source", “Order Source”) or as a path (Program Settings → Tiers (JSON)). */
function namedSettings(text: string): string[][] {
	const quoted = [...text.matchAll(new RegExp(`["“](${TITLE_WORDS})["”]`, 'g'))].map((m) => [m[1]]);
	const paths = [...text.matchAll(new RegExp(`${TITLE_WORDS}(?: → ${TITLE_WORDS})+`, 'g'))].map((m) => m[0].split(' → '));
	return [...quoted, ...paths];
}

function knownNames(): Set<string> {
	const names = new Set<string>();
	const addProperties = (properties: readonly INodeProperties[]) => {
		for (const { property } of allParameters(properties)) {
			names.add(property.displayName);
			if (property.type === 'options' || property.type === 'multiOptions') for (const option of (property.options ?? []) as INodePropertyOptions[]) names.add(option.name);
			if (property.type === 'fixedCollection') for (const group of (property.options ?? []) as INodePropertyCollection[]) names.add(group.displayName);
		}
	};
	for (const { node } of loadRegisteredNodes()) {
		names.add(node.description.displayName);
		for (const output of node.description.outputNames ?? []) names.add(output);
		addProperties(node.description.properties);
	}
	for (const credential of loadRegisteredCredentials()) {
		names.add(credential.displayName);
		addProperties(credential.properties);
	}
	return names;
}

describe('settings named in error texts', () => {
	const known = knownNames();
	const files = ['nodes', 'engine'].flatMap((dir) => sourceFiles(join(ROOT, dir)));
	const named = files.flatMap((file) => textsOf(file).flatMap((text) => namedSettings(text).map((path) => ({ file: relative(ROOT, file), path, text }))));

	test('the texts name settings (the reader finds them)', () => {
		assert.ok(named.some(({ path }) => path.join(' → ') === 'Loyalty Program → Tiers'), 'a path form');
		assert.ok(named.some(({ path }) => path.join() === 'Order Source'), 'a quoted form');
		assert.ok(named.some(({ path }) => path.join() === 'Create Coupons In'), "Send Offer's coupon shop error");
	});

	test('every setting an error text names exists in a node or credential description', () => {
		const unknown = named.filter(({ path }) => !NOT_OUR_SETTINGS.has(path.join(' → ')) && path.some((part) => !known.has(part))).map(({ file, path, text }) => `${file}: "${path.join(' → ')}" in: ${text}`);
		assert.deepEqual(unknown, []);
	});
});
