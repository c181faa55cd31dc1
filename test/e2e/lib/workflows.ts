/** Small builders for the workflow JSON the e2e runner imports into n8n. */

export const PACKAGE = 'n8n-nodes-famulor-billing';
export const TYPES = {
	action: `${PACKAGE}.famulorBilling`,
	threshold: `${PACKAGE}.famulorThresholdTrigger`,
	spike: `${PACKAGE}.famulorSpikeTrigger`,
	calls: `${PACKAGE}.famulorCallTrigger`,
	/** The action node's "…Tool" variant, which n8n generates for AI agents and the MCP Server Trigger. */
	tool: `${PACKAGE}.famulorBillingTool`,
};
export const CREDENTIAL_TYPE = 'famulorBillingApi';

export interface WorkflowNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	executeOnce?: boolean;
	[key: string]: unknown;
}

export interface WorkflowJson {
	id?: string;
	name: string;
	active?: boolean;
	nodes: WorkflowNode[];
	/** Per source node: `main`, and `ai_tool`, `ai_languageModel`, … for AI sub-nodes. */
	connections: Record<string, Record<string, Array<Array<{ node: string; type: string; index: number }>>>>;
	settings?: Record<string, unknown>;
	[key: string]: unknown;
}

export interface CredentialRef {
	id: string;
	name: string;
}

let nodeCounter = 0;
function nodeId(): string {
	nodeCounter += 1;
	return `00000000-0000-4000-8000-${String(nodeCounter).padStart(12, '0')}`;
}

export function manualTrigger(name = 'Start'): WorkflowNode {
	return { id: nodeId(), name, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} };
}

export function famulor(
	name: string,
	credential: CredentialRef,
	parameters: Record<string, unknown>,
	extra: Partial<WorkflowNode> = {},
): WorkflowNode {
	return {
		id: nodeId(),
		name,
		type: TYPES.action,
		typeVersion: 1,
		position: [0, 0],
		parameters,
		credentials: { [CREDENTIAL_TYPE]: credential },
		...extra,
	};
}

export function setNode(name: string, values: Record<string, string | number | boolean>): WorkflowNode {
	const assignments = Object.entries(values).map(([key, value], index) => ({
		id: `assignment-${index}`,
		name: key,
		value,
		type: typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'boolean' : 'string',
	}));
	return {
		id: nodeId(),
		name,
		type: 'n8n-nodes-base.set',
		typeVersion: 3.4,
		position: [0, 0],
		parameters: { assignments: { assignments }, options: {} },
	};
}

export function noOp(name: string): WorkflowNode {
	return { id: nodeId(), name, type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [0, 0], parameters: {} };
}

/** A workflow whose nodes run one after the other, in the given order. */
export function chain(
	id: string,
	name: string,
	nodes: WorkflowNode[],
	settings: Record<string, unknown> = {},
): WorkflowJson {
	const connections: WorkflowJson['connections'] = {};
	nodes.forEach((node, index) => {
		node.position = [index * 220, 0];
		const next = nodes[index + 1];
		if (next) connections[node.name] = { main: [[{ node: next.name, type: 'main', index: 0 }]] };
	});
	return {
		id,
		name,
		active: false,
		nodes,
		connections,
		settings: { executionOrder: 'v1', timezone: 'Europe/Berlin', ...settings },
	};
}

/** Sets the Famulor credential on every Famulor node (examples ship without credentials). */
export function withFamulorCredential(workflow: WorkflowJson, credential: CredentialRef): WorkflowJson {
	const copy = JSON.parse(JSON.stringify(workflow)) as WorkflowJson;
	for (const node of copy.nodes) {
		if (node.type.startsWith(`${PACKAGE}.`))
			node.credentials = { ...(node.credentials ?? {}), [CREDENTIAL_TYPE]: credential };
	}
	return copy;
}

/** Node types that talk to a service outside this machine; a dry run replaces them with No-Op nodes. */
const EXTERNAL_NAMES = [
	'slack',
	'emailSend',
	'gmail',
	'googleSheets',
	'microsoftOutlook',
	'microsoftTeams',
	'telegram',
	'discord',
	'mattermost',
	'httpRequest',
	'sendGrid',
	'mailgun',
	'airtable',
	'notion',
];
const EXTERNAL = new RegExp(`^n8n-nodes-base\\.(${EXTERNAL_NAMES.join('|')})$`);
const SCHEDULES = /^n8n-nodes-base\.(scheduleTrigger|cron|interval)$/;

export function isPollingExample(workflow: WorkflowJson): boolean {
	return workflow.nodes.some(
		(node) => node.type === TYPES.threshold || node.type === TYPES.spike || node.type === TYPES.calls,
	);
}

/**
 * A runnable copy of an example: its schedule trigger becomes a Manual Trigger and each node of an
 * external service a No-Op node, both under the same name (so expressions that name them still work).
 * Returns the names of the replaced nodes.
 */
export function dryRunCopy(
	workflow: WorkflowJson,
	id: string,
	credential: CredentialRef,
): { workflow: WorkflowJson; replaced: string[] } | undefined {
	const copy = withFamulorCredential(workflow, credential);
	copy.id = id;
	copy.name = `${workflow.name} (e2e dry run)`;
	copy.active = false;
	const replaced: string[] = [];
	let hasStart = false;
	copy.nodes = copy.nodes.map((node) => {
		if (node.type === 'n8n-nodes-base.manualTrigger') {
			hasStart = true;
			return node;
		}
		if (SCHEDULES.test(node.type)) {
			hasStart = true;
			replaced.push(node.name);
			return {
				id: node.id,
				name: node.name,
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: node.position,
				parameters: {},
			};
		}
		if (EXTERNAL.test(node.type)) {
			replaced.push(node.name);
			return {
				id: node.id,
				name: node.name,
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: node.position,
				parameters: {},
			};
		}
		return node;
	});
	return hasStart ? { workflow: copy, replaced } : undefined;
}
