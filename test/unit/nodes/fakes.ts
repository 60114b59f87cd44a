/**
 * Minimal n8n contexts for the node tests. n8n-core (the real execution context) is not a
 * dependency of this package, so these implement just what the nodes call; parameter defaults are
 * resolved with n8n-workflow's own `NodeHelpers.getNodeParameters`, as n8n does. Expressions are
 * not evaluated: tests pass concrete values.
 */
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	INodeParameters,
	INodeTypeDescription,
	IWebhookFunctions,
} from 'n8n-workflow';
import { forgetRecentCredentials } from '../../../nodes/shared/recentCredentials';
import { NodeHelpers } from 'n8n-workflow';

export type Credentials = Record<string, ICredentialDataDecryptedObject>;

function nodeOf(description: INodeTypeDescription, parameters: INodeParameters, credentials: Credentials): INode {
	return {
		id: '00000000-0000-4000-8000-000000000001',
		name: description.defaults.name ?? description.displayName,
		type: `n8n-nodes-loyalty.${description.name}`,
		typeVersion: 1,
		position: [0, 0],
		parameters,
		credentials: Object.fromEntries(Object.keys(credentials).map((type) => [type, { id: type, name: type }])),
	};
}

function resolveParameters(description: INodeTypeDescription, parameters: INodeParameters): INodeParameters {
	return NodeHelpers.getNodeParameters(description.properties, parameters, true, false, { typeVersion: 1 }, description) ?? {};
}

export interface ExecuteOptions {
	description: INodeTypeDescription;
	/** Parameters per item (a function) or for all items. */
	parameters: INodeParameters | ((itemIndex: number) => INodeParameters);
	items?: INodeExecutionData[];
	credentials?: Credentials;
	continueOnFail?: boolean;
	/** n8n's time zone setting (GENERIC_TIMEZONE); a new program starts in it. */
	timezone?: string;
}

export function executeContext(options: ExecuteOptions): IExecuteFunctions {
	const items = options.items ?? [{ json: {} }];
	const credentials = options.credentials ?? {};
	const parametersFor = (itemIndex: number) =>
		resolveParameters(options.description, typeof options.parameters === 'function' ? options.parameters(itemIndex) : options.parameters);
	const node = nodeOf(options.description, parametersFor(0), credentials);
	const context = {
		getInputData: () => items,
		getNode: () => node,
		getTimezone: () => options.timezone ?? 'America/New_York',
		getWorkflow: () => ({ id: 'unitTestWorkflow', name: 'unit test', active: false }),
		logger: recordingLogger({ requests: [], logs: [] }),
		continueOnFail: () => options.continueOnFail ?? false,
		getNodeParameter(name: string, itemIndex: number, fallback?: unknown) {
			const value = parametersFor(itemIndex)[name];
			return value === undefined ? fallback : value;
		},
		async getCredentials(type: string) {
			const data = credentials[type];
			if (!data) throw new Error(`Node does not have any credentials set for "${type}"`);
			return data;
		},
		helpers: {
			returnJsonArray: (data: IDataObject | IDataObject[]) => (Array.isArray(data) ? data : [data]).map((json) => ({ json })),
			constructExecutionMetaData: (data: INodeExecutionData[], { itemData }: { itemData: unknown }) =>
				data.map((entry) => ({ ...entry, pairedItem: itemData })),
		},
	};
	return context as unknown as IExecuteFunctions;
}

/** A fake vendor: answers n8n-style full responses for the requests the connectors send. */
export type FakeServer = (request: IHttpRequestOptions) => { statusCode: number; body?: unknown; headers?: IDataObject };

export interface HookOptions {
	description: INodeTypeDescription;
	parameters: INodeParameters;
	credentials?: Credentials;
	staticData?: IDataObject;
	webhookUrl?: string;
	server?: FakeServer;
	/** The workflow the node sits in (a trigger's deliveries are counted per workflow and node). */
	workflowId?: string;
}

export interface Recorded {
	requests: Array<{ credentialType?: string; options: IHttpRequestOptions }>;
	/** What the node logged through `this.logger`. */
	logs: Array<{ level: 'debug' | 'info' | 'warn' | 'error'; message: string }>;
}

function recordingLogger(recorded: Recorded) {
	const at = (level: Recorded['logs'][number]['level']) => (message: string) => {
		recorded.logs.push({ level, message });
	};
	return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), verbose: at('debug') };
}

function requestHelpers(server: FakeServer | undefined, recorded: Recorded) {
	const answer = async (credentialType: string | undefined, options: IHttpRequestOptions) => {
		recorded.requests.push({ credentialType, options });
		if (!server) throw new Error(`unexpected request ${options.method} ${options.url}`);
		const response = server(options);
		return { statusCode: response.statusCode, body: response.body, headers: response.headers ?? {} };
	};
	return {
		httpRequest: async (options: IHttpRequestOptions) => answer(undefined, options),
		httpRequestWithAuthentication: async (credentialType: string, options: IHttpRequestOptions) => answer(credentialType, options),
	};
}

export function hookContext(options: HookOptions): { context: IHookFunctions; staticData: IDataObject; recorded: Recorded } {
	const credentials = options.credentials ?? {};
	const parameters = resolveParameters(options.description, options.parameters);
	const staticData = options.staticData ?? {};
	const recorded: Recorded = { requests: [], logs: [] };
	const context = {
		logger: recordingLogger(recorded),
		getNode: () => nodeOf(options.description, parameters, credentials),
		getNodeParameter: (name: string, fallback?: unknown) => parameters[name] ?? fallback,
		getNodeWebhookUrl: () => options.webhookUrl ?? 'https://n8n.example.com/webhook/hook-id/webhook',
		getWorkflowStaticData: () => staticData,
		getWorkflow: () => ({ id: options.workflowId ?? 'unitTestWorkflow', name: 'unit test', active: true }),
		getTimezone: () => 'America/New_York',
		async getCredentials(type: string) {
			const data = credentials[type];
			if (!data) throw new Error(`Node does not have any credentials set for "${type}"`);
			return data;
		},
		helpers: requestHelpers(options.server, recorded),
	};
	return { context: context as unknown as IHookFunctions, staticData, recorded };
}

export interface WebhookOptions extends HookOptions {
	body: Buffer;
	headers?: Record<string, string>;
	/**
	 * n8n's execution mode: 'manual' is "Listen for test event", where the trigger shows the new
	 * events as items (what most unit tests read); 'webhook' is a published workflow, where intake
	 * only records and answers.
	 */
	mode?: 'manual' | 'webhook';
	/** The request's path and query as received (CartFlows signs with a token in the query). */
	requestUrl?: string;
	/** Keep the credentials the trigger read for earlier deliveries (a test of that cache); forgotten otherwise. */
	keepRecentCredentials?: boolean;
}

export interface Response {
	status?: number;
	body?: unknown;
}

export function webhookContext(options: WebhookOptions): { context: IWebhookFunctions; response: Response; recorded: Recorded } {
	// Each fake delivery may come with other credentials under the same id: nothing kept from the last one.
	if (!options.keepRecentCredentials) forgetRecentCredentials();
	const { context: hook, recorded } = hookContext(options);
	const response: Response = {};
	const res = {
		status(code: number) {
			response.status = code;
			return res;
		},
		json(body: unknown) {
			response.body = body;
			return res;
		},
	};
	const request = { rawBody: options.body, readRawBody: async () => undefined, headers: options.headers ?? {}, url: options.requestUrl ?? '/webhook/hook-id/webhook' };
	const context = {
		...hook,
		getMode: () => options.mode ?? 'manual',
		getRequestObject: () => request,
		getResponseObject: () => res,
		getHeaderData: () => options.headers ?? {},
		getBodyData: () => JSON.parse(options.body.toString('utf8')) as IDataObject,
		getWebhookResourceUrl: () => options.webhookUrl ?? 'https://n8n.example.com/webhook/hook-id/webhook',
	};
	return { context: context as unknown as IWebhookFunctions, response, recorded };
}
