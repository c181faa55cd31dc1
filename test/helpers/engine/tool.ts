/**
 * executeAsTool: a node of this package run as an AI tool by n8n-core's real engine. The workflow is
 * Manual Start → Tool Caller (test/helpers/fixtures/ToolCaller.node.ts) with the node's "…Tool"
 * variant connected to the caller's `ai_tool` input, as n8n's editor builds it. The variant is made
 * the way n8n's server makes it for a `usableAsTool` node (packages/cli NodeTypes.getByNameAndVersion
 * and convertNodeToAiTool): the same node object with a description named `<name>Tool`, no inputs
 * and an `ai_tool` output.
 */
import type {
	IConnections,
	IDataObject,
	INode,
	INodeParameters,
	INodeProperties,
	INodeType,
	IWorkflowBase,
} from 'n8n-workflow';
import { NodeConnectionTypes, Workflow } from 'n8n-workflow';
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import { ManualStart } from '../fixtures/ManualStart.node';
import { ToolCaller } from '../fixtures/ToolCaller.node';
import { makeAdditionalData } from './additionalData';
import { TestCredentialsHelper } from './credentials';
import { executions } from './execute';
import {
	cloneParameters,
	credentialMap,
	makeNodeTypes,
	nodeCredentials,
	nodeTypeName,
	START_NODE_NAME,
	type CredentialData,
	type EngineError,
} from './nodeTypes';

/**
 * The "…Tool" variant of a node type, as n8n's server derives it (shares the node's `execute`): its
 * parameters gain Tool Description (`descriptionType` auto/manual, `toolDescription`), which n8n
 * reads to describe the tool to a model.
 */
export function toolVariant(nodeType: INodeType): INodeType {
	const { description } = nodeType;
	const toolParameters: INodeProperties[] = [
		{
			displayName: 'Tool Description',
			name: 'descriptionType',
			type: 'options',
			options: [
				{ name: 'Set Automatically', value: 'auto' },
				{ name: 'Set Manually', value: 'manual' },
			],
			default: 'auto',
		},
		{
			displayName: 'Description',
			name: 'toolDescription',
			type: 'string',
			default: description.description,
			displayOptions: { show: { descriptionType: ['manual'] } },
		},
	];
	return Object.create(nodeType, {
		description: {
			value: {
				...description,
				name: `${description.name}Tool`,
				displayName: `${description.displayName} Tool`,
				inputs: [],
				outputs: [NodeConnectionTypes.AiTool],
				usableAsTool: undefined,
				properties: [...toolParameters, ...description.properties],
			},
		},
	}) as INodeType;
}

export interface ToolRunResult {
	/** What the tool answered: the items' json, as the caller got them. */
	answer: Array<Record<string, any>> | null;
	/** The error text the caller got, if the tool failed. */
	error: string | null;
	/** supplyData only: the tool's name, description and argument schema (key → description, optional). */
	toolNames?: string[];
	description?: string;
	schema?: Record<string, { description: string; optional: boolean }>;
	/** The workflow's own error (the run failed instead of answering). */
	runError?: EngineError;
}

export async function executeAsTool(opts: {
	node: INodeType;
	parameters: INodeParameters;
	credentials?: CredentialData;
	args: IDataObject;
	via: 'supplyData' | 'engineRequest';
	nodeName?: string;
	timezone?: string;
}): Promise<ToolRunResult> {
	const start = new ManualStart();
	const caller = new ToolCaller();
	const tool = toolVariant(opts.node);
	const nodeTypes = makeNodeTypes([start, caller, tool]);
	const toolName = opts.nodeName ?? 'Famulor_tool';
	const executionId = String(++executions.counter);
	const startNode: INode = {
		id: 'start-node-id',
		name: START_NODE_NAME,
		type: nodeTypeName(start),
		typeVersion: 1,
		position: [0, 0],
		parameters: { items: JSON.stringify([{ chatInput: 'What did we spend?' }]) },
	};
	const callerNode: INode = {
		id: 'caller-node-id',
		name: 'Agent',
		type: nodeTypeName(caller),
		typeVersion: 1,
		position: [200, 0],
		parameters: { via: opts.via, toolName, args: JSON.stringify(opts.args) },
	};
	const toolNode: INode = {
		id: 'tool-node-id',
		name: toolName,
		type: nodeTypeName(tool),
		typeVersion: 1,
		position: [200, 200],
		parameters: cloneParameters(opts.parameters),
		credentials: nodeCredentials(tool, opts.credentials),
	};
	const connections: IConnections = {
		[START_NODE_NAME]: { main: [[{ node: 'Agent', type: 'main', index: 0 }]] },
		[toolName]: { ai_tool: [[{ node: 'Agent', type: 'ai_tool', index: 0 }]] },
	};
	const settings = { timezone: opts.timezone ?? 'UTC', executionOrder: 'v1' as const };
	const nodes = [startNode, callerNode, toolNode];
	const workflow = new Workflow({
		id: 'wf-tool',
		name: 'tool harness',
		nodes,
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
		nodes,
		connections,
		settings,
		createdAt: new Date(),
		updatedAt: new Date(),
	} as unknown as IWorkflowBase;
	const hooks = new ExecutionLifecycleHooks('manual', executionId, workflowData);
	const credentialsHelper = new TestCredentialsHelper(credentialMap(opts.credentials), nodeTypes);
	const additionalData = makeAdditionalData(credentialsHelper, { hooks, executionId, workflowId: workflow.id });
	const run = await new WorkflowExecute(additionalData, 'manual').run({
		workflow,
		startNode: workflow.getNode(START_NODE_NAME)!,
	});
	const runData = run.data.resultData.runData;
	const tasks = runData.Agent ?? [];
	const output = tasks[tasks.length - 1]?.data?.main?.[0]?.[0]?.json as ToolRunResult | undefined;
	const runError = (run.data.resultData.error ?? tasks[tasks.length - 1]?.error) as EngineError | undefined;
	return {
		answer: (output?.answer as Array<Record<string, any>> | null | undefined) ?? null,
		error: output?.error ?? null,
		...(output?.toolNames ? { toolNames: output.toolNames } : {}),
		...(output?.description !== undefined ? { description: output.description } : {}),
		...(output?.schema ? { schema: output.schema } : {}),
		...(runError ? { runError } : {}),
	};
}
