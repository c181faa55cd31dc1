/**
 * Whether the Famulor Billing node runs as an AI tool, and its errors then. n8n runs a tool node in
 * one of two ways (n8n-core, 2.40 and 2.41):
 *
 * - Through a tool object handed to the caller: the MCP Server Trigger, AI Agent versions before 3,
 *   the editor's tool test. n8n-core's `makeHandleToolInvocation` (get-input-connection-data.ts) calls
 *   `execute` with a SupplyDataContext on the `ai_tool` connection, whose `isToolExecution()` is true.
 * - As a node of the workflow, requested by AI Agent 3.x (an EngineRequest; requests-response.ts,
 *   `prepareRequestedNodesForExecution`): n8n sets `node.rewireOutputLogTo = 'ai_tool'` on the tool node
 *   and runs it with a regular ExecuteContext, whose `isToolExecution()` is false. WorkflowExecute itself
 *   tells such a run apart by `rewireOutputLogTo === 'ai_tool'` (`handleNodeErrorOutput`).
 *
 * Anything else — the node in a workflow's main flow — is not a tool run, whatever its type.
 */
import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INode,
	type INodeProperties,
	type NodeApiError,
	type NodeOperationError,
} from 'n8n-workflow';
import { InvalidParameterError } from '../../src/errors';
import { toolErrorText } from '../../src/tool';
import { toNodeError } from '../shared/errors';

export function isToolRun(context: IExecuteFunctions): boolean {
	const asked = (context as Partial<Pick<IExecuteFunctions, 'isToolExecution'>>).isToolExecution;
	if (typeof asked === 'function' && asked.call(context) === true) return true;
	return context.getNode().rewireOutputLogTo === NodeConnectionTypes.AiTool;
}

/** The values of an options parameter (`period`, `groupBy`, `filters.direction`, …), if it is one. */
export function optionValues(properties: INodeProperties[], path: string): string[] | undefined {
	const [first, second] = path.split('.');
	const matches = (list: readonly unknown[] | undefined, name: string | undefined): INodeProperties[] =>
		(list ?? []).filter(
			(entry): entry is INodeProperties =>
				typeof entry === 'object' && entry !== null && 'type' in entry && (entry as INodeProperties).name === name,
		);
	for (const property of matches(properties, first)) {
		const target = second === undefined ? property : matches(property.options, second)[0];
		if (target?.type !== 'options' || !Array.isArray(target.options)) continue;
		const values = target.options.map((option) => ('value' in option ? String(option.value) : '')).filter(Boolean);
		if (values.length) return values;
	}
	return undefined;
}

/**
 * The node's error for a tool run: its message says what happened and the fix in one plain line
 * (an AI Agent 3.x hands a model only the message; the MCP Server Trigger the message and, after it,
 * the description). A bad value of an options parameter also lists the values that work, named as
 * the model passes them.
 */
export function toolNodeError(
	node: INode,
	error: unknown,
	itemIndex: number,
	properties: INodeProperties[],
): NodeApiError | NodeOperationError {
	const nodeError = toNodeError(node, error, itemIndex);
	let fix = nodeError.description ?? undefined;
	if (error instanceof InvalidParameterError) {
		const values = optionValues(properties, error.parameter);
		const missing = values?.filter((value) => !(fix ?? '').includes(value));
		if (values && missing?.length) fix = `${fix ? `${fix} ` : ''}Valid values: ${values.join(', ')}.`;
	}
	nodeError.message = toolErrorText(nodeError.message, fix);
	if (fix !== undefined) nodeError.description = fix;
	return nodeError;
}
