import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ICredentialType, INodeProperties, INodePropertyCollection, INodeType } from 'n8n-workflow';

/** The repository root. */
export const ROOT = join(__dirname, '..', '..');

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { n8n: { nodes: string[]; credentials: string[] } };

/** The source module of a registered dist path (dist/nodes/X/X.node.js → nodes/X/X.node.ts). */
function sourceOf(distPath: string): string {
	return join(ROOT, distPath.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
}

function instanceOf<T>(distPath: string, className: string): T {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const module = require(sourceOf(distPath)) as Record<string, new () => T>;
	const Class = module[className];
	if (typeof Class !== 'function') throw new Error(`${distPath} does not export ${className}`);
	return new Class();
}

/** Every node package.json registers, with the folder it lives in. */
export function loadRegisteredNodes(): Array<{ node: INodeType; folder: string }> {
	return pkg.n8n.nodes.map((distPath) => {
		const folder = distPath.split('/')[2];
		return { node: instanceOf<INodeType>(distPath, folder), folder };
	});
}

/** Every credential package.json registers. */
export function loadRegisteredCredentials(): ICredentialType[] {
	return pkg.n8n.credentials.map((distPath) => instanceOf<ICredentialType>(distPath, distPath.split('/').pop()!.replace(/\.credentials\.js$/, '')));
}

/** Every parameter, also those inside collections and fixed collections, with a readable path. */
export function allParameters(properties: readonly INodeProperties[], prefix = ''): Array<{ property: INodeProperties; path: string }> {
	const found: Array<{ property: INodeProperties; path: string }> = [];
	for (const property of properties) {
		const path = `${prefix}${property.name}`;
		found.push({ property, path });
		if (property.type === 'collection') found.push(...allParameters((property.options ?? []) as INodeProperties[], `${path}.`));
		if (property.type === 'fixedCollection') {
			for (const group of (property.options ?? []) as INodePropertyCollection[]) found.push(...allParameters(group.values, `${path}.${group.name}.`));
		}
	}
	return found;
}

/**
 * The display names shown together: at each level (the node's parameters, a collection's options,
 * a fixed collection group's values), grouped by identical display conditions.
 */
export function displayNamesOf(properties: readonly INodeProperties[], level = 'top level'): Map<string, string[]> {
	const groups = new Map<string, string[]>();
	const add = (key: string, name: string) => groups.set(key, [...(groups.get(key) ?? []), name]);
	for (const property of properties) {
		add(`${level} ${stableJson(property.displayOptions ?? {})}`, property.displayName);
		const nested =
			property.type === 'collection'
				? [[`${property.name}`, (property.options ?? []) as INodeProperties[]] as const]
				: property.type === 'fixedCollection'
					? ((property.options ?? []) as INodePropertyCollection[]).map((group) => [`${property.name}.${group.name}`, group.values] as const)
					: [];
		for (const [path, values] of nested) for (const [key, names] of displayNamesOf(values, `in ${path}`)) for (const name of names) add(key, name);
	}
	return groups;
}

function stableJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
	if (value && typeof value === 'object') return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`).join(',')}}`;
	return JSON.stringify(value);
}
