/** executeNode: Manual Start → node, in mode 'manual', through WorkflowExecute.run(). */
import type {
	IDataObject,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	INodeParameters,
	IRun,
	IRunData,
	IWorkflowBase,
} from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import { ManualStart } from '../fixtures/ManualStart.node';
import { makeAdditionalData } from './additionalData';
import { TestCredentialsHelper } from './credentials';
import {
	cloneParameters,
	credentialMap,
	fullDescription,
	latestVersion,
	makeNodeTypes,
	nodeCredentials,
	nodeTypeName,
	START_NODE_NAME,
	type AnyNodeType,
	type CredentialData,
	type EngineError,
} from './nodeTypes';

export interface ExecuteNodeResult {
	output: INodeExecutionData[][] | undefined;
	error?: EngineError;
	runData: IRunData;
	/** The full IRun WorkflowExecute resolved with. */
	run: IRun;
	/** Request options as they left the credentials helper (headers included). */
	authenticatedRequests: IHttpRequestOptions[];
}

/** Execution ids of this process (the polling harness's manual runs count here too). */
export const executions = { counter: 0 };

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
	const executionId = String(++executions.counter);

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
