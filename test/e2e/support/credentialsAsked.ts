/**
 * The credentials a loyalty node asks for with its parameters, found the way n8n finds them (every
 * parameter's default filled in, then each credential's display conditions). The templates ship
 * without credential references — an owner picks them after import, and a workflow naming a
 * credential n8n does not have cannot even be tried by hand — so the suites attach the imported
 * ones the way the owner would.
 */
import { NodeHelpers, type INode, type INodeParameters, type INodeTypeDescription } from 'n8n-workflow';

import { loadRegisteredNodes } from '../../support/registeredNodes';

let descriptions: Map<string, INodeTypeDescription> | undefined;

function descriptionOf(type: string): INodeTypeDescription | undefined {
	descriptions ??= new Map(loadRegisteredNodes().map(({ node }) => [`n8n-nodes-loyalty.${node.description.name}`, node.description]));
	return descriptions.get(type);
}

/** The credential types the node asks for (required and shown), or [] for a node that is not ours. */
export function credentialsAskedFor(node: { type: string; typeVersion?: number; parameters: Record<string, unknown> }): string[] {
	const description = descriptionOf(node.type);
	if (!description) return [];
	const typeVersion = node.typeVersion ?? 1;
	const values = NodeHelpers.getNodeParameters(description.properties, node.parameters as INodeParameters, true, false, { typeVersion }, description) ?? {};
	const stub = { parameters: values, typeVersion } as unknown as INode;
	return (description.credentials ?? []).filter((c) => c.required && NodeHelpers.displayParameter(values, c, stub, description)).map((c) => c.name);
}
