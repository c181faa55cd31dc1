/**
 * The credential's Test button (mirrors packages/cli/src/services/credentials-tester.service.ts,
 * n8n 2.40/2.41: getCredentialTestFunction + runRequestTest).
 */
import type { ICredentialType, IDataObject, INode, INodeExecutionData, INodeType } from 'n8n-workflow';
import { createEmptyRunExecutionData, Workflow } from 'n8n-workflow';
import { ExecuteContext, RoutingNode } from 'n8n-core';
import { ManualStart } from '../fixtures/ManualStart.node';
import { makeAdditionalData } from './additionalData';
import { TestCredentialsHelper, withDefaults } from './credentials';
import {
	credentialMap,
	credentialTypes,
	CREDENTIAL_REF,
	CREDENTIAL_TYPE,
	makeNodeTypes,
	nodeTypeName,
	type CredentialData,
	type EngineError,
} from './nodeTypes';

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
