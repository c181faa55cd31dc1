/** Polling triggers through a real PollContext and n8n 2.40's in-memory scheduler rules. */
import type {
	IDataObject,
	INode,
	INodeExecutionData,
	INodeParameters,
	IWorkflowBase,
	WorkflowActivateMode,
} from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';
import { ExecutionLifecycleHooks, PollContext, PollTriggerExecutor, WorkflowExecute } from 'n8n-core';
import { makeAdditionalData } from './additionalData';
import { TestCredentialsHelper } from './credentials';
import { executions } from './execute';
import {
	cloneParameters,
	credentialMap,
	latestVersion,
	makeNodeTypes,
	nodeCredentials,
	nodeTypeName,
	toError,
	type AnyNodeType,
	type CredentialData,
	type EngineError,
} from './nodeTypes';
import { Container } from './setup';

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
		const executionId = `manual-${++executions.counter}`;
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
