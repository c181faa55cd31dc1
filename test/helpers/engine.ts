/**
 * Test harness that runs our nodes through n8n's real execution engine, in-process:
 * `Workflow` (n8n-workflow), `WorkflowExecute` + `ExecutionLifecycleHooks` + `PollContext` +
 * `TriggersAndPollers` + `PollTriggerExecutor` (n8n-core). HTTP really goes out (n8n-core's
 * OutboundHttp, i.e. axios) — point the credential's baseUrl at a local http.createServer.
 *
 * Only the parts of the n8n *server* (packages/cli) that n8n-core expects to be injected are
 * re-implemented here: the CredentialsHelper (decrypt + apply the credential type's `authenticate`
 * block, like cli's CredentialsHelper), the node-type registry, `additionalData`, and the
 * static-data persistence rules of ActiveWorkflowManager / WorkflowStaticDataService.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import util from 'node:util';

import type {
	ICredentialDataDecryptedObject,
	ICredentials,
	ICredentialType,
	IDataObject,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeExecutionData,
	INodeParameters,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
	INodeTypes,
	IRequestOptionsSimplified,
	IRun,
	IRunData,
	IVersionedNodeType,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	WorkflowActivateMode,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { createEmptyRunExecutionData, ICredentialsHelper, LoggerProxy, Workflow } from 'n8n-workflow';
import {
	ExecuteContext,
	ExecutionLifecycleHooks,
	ExternalSecretsProxy,
	PollContext,
	PollTriggerExecutor,
	RoutingNode,
	TriggersAndPollers,
	WorkflowExecute,
} from 'n8n-core';

import { FamulorBillingApi } from '../../credentials/FamulorBillingApi.credentials';
import { ManualStart } from './fixtures/ManualStart.node';

// ---------------------------------------------------------------------------------------------
// Process setup (runs once per jest worker, before anything asks n8n-core's DI container for a
// service).
// ---------------------------------------------------------------------------------------------

// n8n-core's InstanceSettings (constructed lazily by every node execution context) creates
// <N8N_USER_FOLDER>/.n8n/config with a generated encryption key. Keep that out of $HOME.
const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'famulor-n8n-engine-'));
process.env.N8N_USER_FOLDER = userFolder;
const removeUserFolder = () => fs.rmSync(userFolder, { recursive: true, force: true });
// Jest: each test file gets its own module registry (and so its own folder); clean up after it.
if (typeof afterAll === 'function') afterAll(removeUserFolder);
else process.on('exit', removeUserFolder);

// n8n-core ships its own nested copies of @n8n/di, @n8n/backend-common, ... (versions differ from
// the hoisted ones). Services must be registered in *its* container, so resolve from n8n-core.
const coreDir = path.dirname(require.resolve('n8n-core/package.json'));
function fromCore<T>(id: string): T {
	return require(require.resolve(id, { paths: [coreDir] })) as T;
}
interface DiContainer {
	set(token: unknown, value: unknown): void;
	get<T>(token: abstract new (...args: any[]) => T): T;
}
const { Container } = fromCore<{ Container: DiContainer }>('@n8n/di');
const { Logger: CoreLogger } = fromCore<{ Logger: abstract new (...args: any[]) => unknown }>(
	'@n8n/backend-common',
);

export interface CapturedLog {
	level: 'error' | 'warn' | 'info' | 'debug';
	message: string;
	meta?: unknown;
	scopes?: string[];
}

/** Every log line n8n emitted (LoggerProxy and the DI Logger used as `this.logger` by contexts). */
export const capturedLogs: CapturedLog[] = [];

/** All captured log lines rendered as one string (messages and metadata, errors included). */
export function capturedLogText(): string {
	return capturedLogs
		.map((l) => `${l.level} ${l.message} ${l.meta === undefined ? '' : util.inspect(l.meta, { depth: 8 })}`)
		.join('\n');
}

export function clearCapturedLogs(): void {
	capturedLogs.length = 0;
}

class CapturingLogger {
	constructor(private readonly scopes: string[] = []) {}

	private record(level: CapturedLog['level'], message: string, meta?: unknown) {
		capturedLogs.push({ level, message: String(message), meta, scopes: this.scopes });
		if (process.env.ENGINE_LOG === '1') {
			process.stderr.write(`[n8n ${level}] ${String(message)}\n`);
		}
	}

	error(message: string, meta?: unknown) {
		this.record('error', message, meta);
	}

	warn(message: string, meta?: unknown) {
		this.record('warn', message, meta);
	}

	info(message: string, meta?: unknown) {
		this.record('info', message, meta);
	}

	debug(message: string, meta?: unknown) {
		this.record('debug', message, meta);
	}

	verbose(message: string, meta?: unknown) {
		this.record('debug', message, meta);
	}

	scoped(scopes: string | string[]) {
		return new CapturingLogger([...this.scopes, ...(Array.isArray(scopes) ? scopes : [scopes])]);
	}
}

const capturingLogger = new CapturingLogger();
// Must be registered before anything resolves Logger: the real Logger's constructor calls
// LoggerProxy.init(itself) and prints to the console.
Container.set(CoreLogger, capturingLogger);
LoggerProxy.init(capturingLogger as never);

// ---------------------------------------------------------------------------------------------
// Types and registries
// ---------------------------------------------------------------------------------------------

export interface CredentialData {
	apiKey: string;
	baseUrl: string;
	currency?: string;
	billingCycleDay?: number;
}

export type EngineError = Error & Record<string, any>;

type AnyNodeType = INodeType | IVersionedNodeType;

const PACKAGE_PREFIX = 'n8n-nodes-famulor-billing';
const CREDENTIAL_TYPE = 'famulorBillingApi';
const CREDENTIAL_REF: INodeCredentialsDetails = { id: '1', name: 'Famulor Billing (test)' };
const START_NODE_NAME = 'Manual Start';

const credentialTypes: Record<string, ICredentialType> = {
	[CREDENTIAL_TYPE]: new FamulorBillingApi(),
};

function isVersioned(nodeType: AnyNodeType): nodeType is IVersionedNodeType {
	return 'nodeVersions' in nodeType;
}

function baseDescription(nodeType: AnyNodeType) {
	return nodeType.description;
}

/** The full description (for a versioned node type: of its default/latest version). */
function fullDescription(nodeType: AnyNodeType): INodeTypeDescription {
	return isVersioned(nodeType) ? nodeType.getNodeType().description : nodeType.description;
}

function latestVersion(nodeType: AnyNodeType): number {
	if (isVersioned(nodeType)) return nodeType.currentVersion;
	const v = nodeType.description.version;
	return Array.isArray(v) ? Math.max(...v) : v;
}

/** The node type string n8n would use for a node of this package. */
export function nodeTypeName(nodeType: AnyNodeType): string {
	return `${PACKAGE_PREFIX}.${baseDescription(nodeType).name}`;
}

function makeNodeTypes(list: AnyNodeType[]): INodeTypes {
	const byName = new Map<string, AnyNodeType>();
	for (const t of list) byName.set(nodeTypeName(t), t);
	const lookup = (name: string) => {
		const t = byName.get(name);
		if (!t) throw new Error(`engine harness: unknown node type "${name}"`);
		return t;
	};
	return {
		getByName: (name) => lookup(name),
		getByNameAndVersion: (name, version) => {
			const t = lookup(name);
			return isVersioned(t) ? t.getNodeType(version) : t;
		},
		getKnownTypes: () => {
			const known: IDataObject = {};
			for (const [name, t] of byName) {
				known[name] = { className: t.constructor.name, sourcePath: '' };
			}
			return known;
		},
	};
}

// ---------------------------------------------------------------------------------------------
// CredentialsHelper (mirrors packages/cli/src/credentials-helper.ts for what we use)
// ---------------------------------------------------------------------------------------------

function withDefaults(type: string, data: IDataObject): ICredentialDataDecryptedObject {
	const credentialType = credentialTypes[type];
	const out: ICredentialDataDecryptedObject = {};
	for (const prop of credentialType?.properties ?? []) {
		if (prop.default !== undefined) out[prop.name] = prop.default as never;
	}
	for (const [k, v] of Object.entries(data)) {
		if (v !== undefined) out[k] = v as never;
	}
	return out;
}

export class TestCredentialsHelper extends ICredentialsHelper {
	/** Every request options object after `authenticate` ran (what went out). */
	readonly authenticatedRequests: IHttpRequestOptions[] = [];

	constructor(
		private readonly data: Record<string, IDataObject>,
		private readonly nodeTypesForResolution: INodeTypes,
	) {
		super();
	}

	getParentTypes(name: string): string[] {
		const parents: string[] = [];
		let current = credentialTypes[name];
		while (current?.extends?.length) {
			parents.push(...current.extends);
			current = credentialTypes[current.extends[0]];
		}
		return parents;
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		incomingRequestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const requestOptions = incomingRequestOptions as IHttpRequestOptions;
		const credentialType = credentialTypes[typeName];
		if (!credentialType) throw new Error(`engine harness: unknown credential type "${typeName}"`);
		const { authenticate } = credentialType;
		if (typeof authenticate === 'function') {
			const result = await authenticate(credentials, requestOptions);
			this.authenticatedRequests.push(result);
			return result;
		}
		if (typeof authenticate === 'object' && authenticate.type === 'generic') {
			requestOptions.headers ??= {};
			const target = requestOptions as unknown as Record<string, Record<string, unknown>>;
			for (const [outerKey, outerValue] of Object.entries(authenticate.properties)) {
				for (const [key, value] of Object.entries(outerValue as Record<string, string>)) {
					const keyResolved = this.resolveValue(key, credentials, workflow, node);
					const valueResolved = this.resolveValue(value, credentials, workflow, node);
					target[outerKey] ??= {};
					target[outerKey][keyResolved] = valueResolved;
				}
			}
		}
		this.authenticatedRequests.push(requestOptions);
		return requestOptions;
	}

	/** Same as cli's CredentialsHelper.resolveValue: `={{...}}` against { $credentials }. */
	private resolveValue(
		value: string,
		credentials: ICredentialDataDecryptedObject,
		workflow?: Workflow,
		node?: INode,
	): string {
		if (typeof value !== 'string' || value.charAt(0) !== '=') return value;
		const wf =
			workflow ??
			new Workflow({ nodes: [], connections: {}, active: false, nodeTypes: this.nodeTypesForResolution });
		const n = node ?? ({ name: 'credential', type: 'credential', typeVersion: 1, parameters: {} } as unknown as INode);
		const resolved = wf.expression.getSimpleParameterValue(n, value, 'internal', { $credentials: credentials }, undefined, '');
		if (!resolved) return '';
		return resolved.toString();
	}

	async preAuthentication(): Promise<ICredentialDataDecryptedObject | undefined> {
		// Our credential type has no expirable property, so cli's helper returns undefined as well.
		return undefined;
	}

	async runPreAuthentication(): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	async getCredentials(): Promise<ICredentials> {
		throw new Error('engine harness: getCredentials (encrypted) is not supported');
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		const data = this.data[type];
		if (data === undefined || (nodeCredentials?.id ?? null) !== CREDENTIAL_REF.id) {
			throw new Error(`engine harness: no credentials of type "${type}" with id "${String(nodeCredentials?.id)}"`);
		}
		// A fresh object per call: httpRequestWithAuthentication Object.assign()s into it.
		return withDefaults(type, JSON.parse(JSON.stringify(data)) as IDataObject);
	}

	async updateCredentials(): Promise<void> {}

	async updateCredentialsOauthTokenData(): Promise<void> {}

	getCredentialsProperties(type: string): INodeProperties[] {
		return credentialTypes[type]?.properties ?? [];
	}
}

// ---------------------------------------------------------------------------------------------
// additionalData
// ---------------------------------------------------------------------------------------------

const BASE = 'http://127.0.0.1:5678';

function makeAdditionalData(
	credentialsHelper: TestCredentialsHelper,
	extra: Partial<IWorkflowExecuteAdditionalData> = {},
): IWorkflowExecuteAdditionalData {
	const additionalData: Partial<IWorkflowExecuteAdditionalData> = {
		credentialsHelper,
		executeWorkflow: async () => {
			throw new Error('engine harness: executeWorkflow is not supported');
		},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		currentNodeExecutionIndex: 0,
		restApiUrl: `${BASE}/rest`,
		instanceBaseUrl: `${BASE}/`,
		formBaseUrl: `${BASE}/form`,
		formWaitingBaseUrl: `${BASE}/form-waiting`,
		formTestBaseUrl: `${BASE}/form-test`,
		webhookBaseUrl: `${BASE}/webhook`,
		webhookWaitingBaseUrl: `${BASE}/webhook-waiting`,
		webhookTestBaseUrl: `${BASE}/webhook-test`,
		mcpBaseUrl: `${BASE}/mcp`,
		mcpTestBaseUrl: `${BASE}/mcp-test`,
		variables: {},
		logAiEvent: () => {},
		startRunnerTask: async () => {
			throw new Error('engine harness: task runners are not supported');
		},
		externalSecretsProxy: new ExternalSecretsProxy(),
		userId: 'user-1',
		...extra,
	};
	return additionalData as IWorkflowExecuteAdditionalData;
}

function credentialMap(credentials?: CredentialData): Record<string, IDataObject> {
	return credentials ? { [CREDENTIAL_TYPE]: { ...credentials } as IDataObject } : {};
}

function nodeCredentials(nodeType: AnyNodeType, credentials?: CredentialData): INode['credentials'] {
	const wants = fullDescription(nodeType).credentials?.some((c) => c.name === CREDENTIAL_TYPE) ?? false;
	return credentials && wants ? { [CREDENTIAL_TYPE]: { ...CREDENTIAL_REF } } : undefined;
}

/** The Workflow constructor rewrites node parameters; never touch the caller's object. */
function cloneParameters(p: INodeParameters): INodeParameters {
	return JSON.parse(JSON.stringify(p ?? {})) as INodeParameters;
}

function toError(e: unknown): EngineError {
	return (e instanceof Error ? e : new Error(String(e))) as EngineError;
}

// ---------------------------------------------------------------------------------------------
// executeNode: Manual Start -> node, in mode 'manual', through WorkflowExecute.run()
// ---------------------------------------------------------------------------------------------

export interface ExecuteNodeResult {
	output: INodeExecutionData[][] | undefined;
	error?: EngineError;
	runData: IRunData;
	/** The full IRun WorkflowExecute resolved with. */
	run: IRun;
	/** Request options as they left the credentials helper (headers included). */
	authenticatedRequests: IHttpRequestOptions[];
}

let executionCounter = 0;

export async function executeNode(opts: {
	node: AnyNodeType;
	parameters: INodeParameters;
	credentials?: CredentialData;
	inputItems?: IDataObject[];
	timezone?: string;
	continueOnFail?: boolean;
	/** Name of the node in the workflow (default: the node type's defaults.name). */
	nodeName?: string;
}): Promise<ExecuteNodeResult> {
	const start = new ManualStart();
	const nodeTypes = makeNodeTypes([start, opts.node]);
	const name = opts.nodeName ?? fullDescription(opts.node).defaults.name ?? 'Node';
	const executionId = String(++executionCounter);

	const startNode: INode = {
		id: 'start-node-id',
		name: START_NODE_NAME,
		type: nodeTypeName(start),
		typeVersion: 1,
		position: [0, 0],
		parameters: { items: JSON.stringify(opts.inputItems ?? [{}]) },
	};
	const targetNode: INode = {
		id: 'target-node-id',
		name,
		type: nodeTypeName(opts.node),
		typeVersion: latestVersion(opts.node),
		position: [200, 0],
		parameters: cloneParameters(opts.parameters),
		credentials: nodeCredentials(opts.node, opts.credentials),
		...(opts.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
	};
	const connections = { [START_NODE_NAME]: { main: [[{ node: name, type: 'main' as const, index: 0 }]] } };
	const settings = { timezone: opts.timezone ?? 'UTC', executionOrder: 'v1' as const };

	const workflow = new Workflow({
		id: 'wf-execute',
		name: 'engine harness',
		nodes: [startNode, targetNode],
		connections,
		active: false,
		nodeTypes,
		staticData: {},
		settings,
	});
	const workflowData = {
		id: workflow.id,
		name: workflow.name,
		active: false,
		activeVersionId: null,
		isArchived: false,
		nodes: [startNode, targetNode],
		connections,
		settings,
		createdAt: new Date(),
		updatedAt: new Date(),
	} as unknown as IWorkflowBase;

	const hooks = new ExecutionLifecycleHooks('manual', executionId, workflowData);
	const credentialsHelper = new TestCredentialsHelper(credentialMap(opts.credentials), nodeTypes);
	const additionalData = makeAdditionalData(credentialsHelper, { hooks, executionId, workflowId: workflow.id });

	const workflowExecute = new WorkflowExecute(additionalData, 'manual');
	const run = await workflowExecute.run({ workflow, startNode: workflow.getNode(START_NODE_NAME)! });

	const runData = run.data.resultData.runData;
	const task = runData[name]?.[0];
	const error = (task?.error ?? run.data.resultData.error) as EngineError | undefined;
	return {
		output: task?.data?.main as INodeExecutionData[][] | undefined,
		...(error ? { error } : {}),
		runData,
		run,
		authenticatedRequests: credentialsHelper.authenticatedRequests,
	};
}

// ---------------------------------------------------------------------------------------------
// Polling
// ---------------------------------------------------------------------------------------------

function makePollNode(
	nodeType: AnyNodeType,
	name: string,
	parameters: INodeParameters,
	credentials?: CredentialData,
): INode {
	return {
		id: 'trigger-node-id',
		name,
		type: nodeTypeName(nodeType),
		typeVersion: latestVersion(nodeType),
		position: [0, 0],
		parameters: cloneParameters(parameters),
		credentials: nodeCredentials(nodeType, credentials),
	};
}

function makePollWorkflow(
	nodeType: AnyNodeType,
	node: INode,
	staticData: IDataObject,
	timezone: string | undefined,
	id = 'wf-poll',
): Workflow {
	return new Workflow({
		id,
		name: 'engine harness (poll)',
		nodes: [node],
		connections: {},
		active: true,
		nodeTypes: makeNodeTypes([nodeType]),
		staticData,
		settings: { timezone: timezone ?? 'UTC', executionOrder: 'v1' },
	});
}

/**
 * One poll through a real PollContext and TriggersAndPollers.runPollFunction. The node's static
 * data is `opts.staticData` itself (wrapped by the Workflow as workflow.staticData['node:<name>']),
 * so every mutation the node makes is visible on the caller's object afterwards.
 */
export async function runPoll(opts: {
	node: AnyNodeType;
	parameters: INodeParameters;
	credentials?: CredentialData;
	staticData: IDataObject;
	mode?: 'trigger' | 'manual';
	activation?: WorkflowActivateMode;
	timezone?: string;
	pollBudgetMs?: number;
	nodeName?: string;
}): Promise<{ result: INodeExecutionData[][] | null; staticData: IDataObject; error?: EngineError }> {
	const name = opts.nodeName ?? 'Trigger';
	const mode: WorkflowExecuteMode = opts.mode ?? 'trigger';
	const activation: WorkflowActivateMode = opts.activation ?? (mode === 'manual' ? 'manual' : 'activate');
	const node = makePollNode(opts.node, name, opts.parameters, opts.credentials);
	const workflow = makePollWorkflow(opts.node, node, { [`node:${name}`]: opts.staticData }, opts.timezone);
	const credentialsHelper = new TestCredentialsHelper(credentialMap(opts.credentials), workflow.nodeTypes);
	const additionalData = makeAdditionalData(credentialsHelper, { workflowId: workflow.id });
	const context = new PollContext(
		workflow,
		node,
		additionalData,
		mode,
		activation,
		() => {},
		() => {},
		undefined,
		undefined,
		undefined,
		opts.pollBudgetMs === undefined ? undefined : () => opts.pollBudgetMs as number,
	);
	try {
		const result = await Container.get(TriggersAndPollers).runPollFunction(workflow, node, context);
		return { result: result ?? null, staticData: opts.staticData };
	} catch (e) {
		return { result: null, staticData: opts.staticData, error: toError(e) };
	}
}

export interface PollOutcome {
	result: INodeExecutionData[][] | null;
	error?: EngineError;
	/** Whether this poll was the activation poll (first trigger-mode poll after create/restart/update). */
	activationPoll?: boolean;
}

export interface PollingWorkflow {
	poll(opts?: { mode?: 'trigger' | 'manual'; activation?: string }): Promise<PollOutcome>;
	/** Live in-memory static data of the node (workflow.staticData['node:Trigger']). */
	staticData(): IDataObject;
	/** JSON snapshot of the node's static data as n8n would have stored it in the database. */
	persisted(): IDataObject;
	/** Simulate an n8n restart: a new Workflow loaded from persisted(), activated with 'init'. */
	restart(): void;
	/** Edit the node and save: like n8n, the workflow is re-activated ('update') from the DB copy. */
	setParameters(p: INodeParameters): void;
	/** The Workflow object currently "active" (for advanced assertions). */
	workflow(): Workflow;
	/** Items emitted so far (one entry per emitting trigger-mode poll). */
	emissions: INodeExecutionData[][][];
}

/**
 * A long-lived "active workflow" with one polling trigger, following the n8n 2.40 in-memory
 * (non-durable) scheduler:
 * - the first trigger-mode poll after creation/restart()/setParameters() is the activation poll
 *   (PollTriggerExecutor with testingTrigger=true: an error fails activation and is returned;
 *   nothing is saved then and the next poll is again an activation poll);
 * - one PollContext is created per activation and reused for every tick, so getActivationMode()
 *   keeps returning the activation mode ('activate' initially, 'init' after restart(), 'update'
 *   after setParameters()) unless `activation` is passed to poll();
 * - static data is saved (persisted() updated) when a poll emits items (ActiveWorkflowManager's
 *   __emit -> WorkflowStaticDataService.saveStaticData) and right after activation, and in both
 *   cases only if workflow.staticData.__dataChanged is true — exactly n8n's shallow change
 *   detection, so in-place mutation of a nested object created after load is NOT saved;
 * - a tick that returns null or throws saves nothing (errors go to __emitError and are returned);
 * - mode 'manual' is "Fetch Test Event": WorkflowExecute runs the trigger alone in a throwaway
 *   Workflow loaded from the DB copy (persisted()); its writes never reach the active workflow or
 *   the DB, and getPollBudgetMs() there is n8n's default (5 min), not opts.pollBudgetMs.
 */
export function createPollingWorkflow(opts: {
	node: AnyNodeType;
	parameters: INodeParameters;
	credentials?: CredentialData;
	timezone?: string;
	pollBudgetMs?: number;
	nodeName?: string;
}): PollingWorkflow {
	const name = opts.nodeName ?? 'Trigger';
	const key = `node:${name}`;
	let parameters = opts.parameters;
	let dbStaticData: IDataObject = {};
	let nextActivation: WorkflowActivateMode = 'activate';
	let active: { workflow: Workflow; node: INode } = load();
	let activated: { context: PollContext; execute: (testingTrigger?: boolean) => Promise<void> } | undefined;
	let tickResult: { emitted?: INodeExecutionData[][]; error?: unknown } = {};
	const emissions: INodeExecutionData[][][] = [];

	function clone<T>(v: T): T {
		return JSON.parse(JSON.stringify(v ?? {})) as T;
	}

	function load() {
		const node = makePollNode(opts.node, name, parameters, opts.credentials);
		return { node, workflow: makePollWorkflow(opts.node, node, clone(dbStaticData), opts.timezone) };
	}

	function saveStaticData(workflow: Workflow) {
		// WorkflowStaticDataService.saveStaticData
		if (workflow.staticData.__dataChanged === true) {
			dbStaticData = clone(workflow.staticData);
			workflow.staticData.__dataChanged = false;
		}
	}

	function credentialsHelperFor(workflow: Workflow) {
		return new TestCredentialsHelper(credentialMap(opts.credentials), workflow.nodeTypes);
	}

	function activate(activation: WorkflowActivateMode) {
		const { workflow, node } = active;
		const additionalData = makeAdditionalData(credentialsHelperFor(workflow), { workflowId: workflow.id });
		const context = new PollContext(
			workflow,
			node,
			additionalData,
			'trigger',
			activation,
			(data: INodeExecutionData[][]) => {
				// ActiveWorkflowManager: save static data, then start an execution with `data`.
				saveStaticData(workflow);
				tickResult.emitted = data;
			},
			(error: unknown) => {
				tickResult.error = error;
			},
			undefined,
			undefined,
			undefined,
			opts.pollBudgetMs === undefined ? undefined : () => opts.pollBudgetMs as number,
		);
		const execute = Container.get(PollTriggerExecutor).create(workflow, node, context, () => true);
		return { context, execute };
	}

	async function manualPoll(activation?: string): Promise<PollOutcome> {
		const node = makePollNode(opts.node, name, parameters, opts.credentials);
		const workflow = makePollWorkflow(opts.node, node, clone(dbStaticData), opts.timezone, 'wf-poll-manual');
		const executionId = `manual-${++executionCounter}`;
		const hooks = new ExecutionLifecycleHooks('manual', executionId, {
			id: workflow.id,
			name: workflow.name,
			active: false,
			nodes: [node],
			connections: {},
			createdAt: new Date(),
			updatedAt: new Date(),
		} as unknown as IWorkflowBase);
		const additionalData = makeAdditionalData(credentialsHelperFor(workflow), {
			hooks,
			executionId,
			workflowId: workflow.id,
		});
		if (activation !== undefined && activation !== 'manual') {
			throw new Error('engine harness: a manual poll always has activation mode "manual"');
		}
		const run = await new WorkflowExecute(additionalData, 'manual').run({ workflow, startNode: node });
		const task = run.data.resultData.runData[name]?.[0];
		const error = (task?.error ?? run.data.resultData.error) as EngineError | undefined;
		const data = (task?.data?.main as INodeExecutionData[][] | undefined) ?? null;
		return { result: error ? null : data, ...(error ? { error } : {}) };
	}

	return {
		emissions,
		async poll(pollOpts = {}) {
			if ((pollOpts.mode ?? 'trigger') === 'manual') return await manualPoll(pollOpts.activation);
			tickResult = {};
			const isActivationPoll = activated === undefined;
			if (isActivationPoll || pollOpts.activation !== undefined) {
				activated = activate((pollOpts.activation as WorkflowActivateMode | undefined) ?? nextActivation);
			}
			const current = activated!;
			try {
				await current.execute(isActivationPoll);
			} catch (e) {
				// Activation failed (n8n: WorkflowActivationError); nothing was saved.
				activated = undefined;
				return { result: null, error: toError(e), activationPoll: true };
			}
			if (isActivationPoll) saveStaticData(active.workflow); // ActiveWorkflowManager.add
			if (tickResult.emitted) emissions.push(tickResult.emitted);
			return {
				result: tickResult.emitted ?? null,
				...(tickResult.error !== undefined ? { error: toError(tickResult.error) } : {}),
				activationPoll: isActivationPoll,
			};
		},
		staticData() {
			return active.workflow.getStaticData('node', active.node);
		},
		persisted() {
			return clone((dbStaticData[key] as IDataObject | undefined) ?? {});
		},
		restart() {
			active = load();
			activated = undefined;
			nextActivation = 'init';
		},
		setParameters(p) {
			parameters = p;
			active = load();
			activated = undefined;
			nextActivation = 'update';
		},
		workflow() {
			return active.workflow;
		},
	};
}

/** For tests that need to call the helper directly (e.g. credential resolution). */
export function createCredentialsHelper(credentials?: CredentialData, nodeTypes: AnyNodeType[] = []) {
	return new TestCredentialsHelper(credentialMap(credentials), makeNodeTypes(nodeTypes));
}


// ---------------------------------------------------------------------------------------------
// The credential's Test button (mirrors packages/cli/src/services/credentials-tester.service.ts,
// n8n 2.40/2.41: getCredentialTestFunction + runRequestTest)
// ---------------------------------------------------------------------------------------------

export interface CredentialTestResult {
	status: 'OK' | 'Error';
	message: string;
}

/**
 * Runs the credential type's `test` the way n8n's "Test" button does: the test request becomes the
 * `routing.request` of a temporary declarative node, n8n-core's RoutingNode sends it (expressions
 * resolved against `$credentials`, the credential's `authenticate` applied), and the rules turn an
 * error status (`responseCode`) or a matching 2xx body (`responseSuccessBody`) into the message.
 */
export async function testCredential(
	credentials: CredentialData,
	credentialType: ICredentialType | undefined = credentialTypes[CREDENTIAL_TYPE],
): Promise<CredentialTestResult> {
	const testRequest = credentialType?.test;
	if (!testRequest) return { status: 'Error', message: 'No testing function found for this credential.' };
	const start = new ManualStart();
	const tempType: INodeType = {
		description: {
			...start.description,
			name: 'credentialTestNode',
			credentials: [{ name: CREDENTIAL_TYPE, required: true }],
			properties: [
				{ displayName: 'Temp', name: 'temp', type: 'string', routing: { request: testRequest.request }, default: '' },
			],
		},
	};
	const nodeTypes = makeNodeTypes([tempType]);
	const node: INode = {
		id: 'temp',
		name: 'Temp-Node',
		type: nodeTypeName(tempType),
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		credentials: { [CREDENTIAL_TYPE]: { ...CREDENTIAL_REF } },
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const credentialsHelper = new TestCredentialsHelper(credentialMap(credentials), nodeTypes);
	const additionalData = makeAdditionalData(credentialsHelper, { currentNodeParameters: node.parameters });
	const decrypted = {
		id: CREDENTIAL_REF.id as string,
		name: CREDENTIAL_REF.name,
		type: CREDENTIAL_TYPE,
		data: withDefaults(CREDENTIAL_TYPE, { ...credentials } as IDataObject),
	};
	const runExecutionData = createEmptyRunExecutionData();
	const executeFunctions = new ExecuteContext(
		workflow,
		node,
		additionalData,
		'internal',
		runExecutionData,
		0,
		[],
		{ main: [[{ json: {} }]] },
		{ node, data: {}, source: null },
		[],
	);
	const routingNode = new RoutingNode(executeFunctions, tempType, decrypted);
	const rules = (testRequest.rules ?? []) as Array<{ type: string; properties: Record<string, any> }>;
	let response: INodeExecutionData[][] | null | undefined;
	try {
		response = await routingNode.runNode();
	} catch (e) {
		const error = e as EngineError;
		const cause = error.cause as { response?: { status: number; statusText?: string }; code?: string } | undefined;
		if (cause?.response) {
			const statusCode = cause.response.status;
			for (const rule of rules) {
				if (rule.type === 'responseCode' && statusCode === rule.properties.value) {
					return { status: 'Error', message: String(rule.properties.message) };
				}
			}
			if (statusCode < 199 || statusCode > 299) {
				return {
					status: 'Error',
					message: cause.response.statusText || `Received HTTP status code: ${statusCode}`,
				};
			}
		} else if (cause?.code) {
			return { status: 'Error', message: String(cause.code) };
		}
		return { status: 'Error', message: String(error.message) };
	}
	for (const rule of rules) {
		if (rule.type === 'responseSuccessBody') {
			const json = response?.[0]?.[0]?.json as IDataObject | undefined;
			if (getPath(json, String(rule.properties.key)) === rule.properties.value) {
				return { status: 'Error', message: String(rule.properties.message) };
			}
		}
	}
	return { status: 'OK', message: 'Connection successful!' };
}

/** lodash.get for dotted keys. */
function getPath(value: unknown, key: string): unknown {
	let current = value;
	for (const part of key.split('.')) {
		if (current === null || typeof current !== 'object') return undefined;
		current = (current as Record<string, unknown>)[part];
	}
	return current;
}
