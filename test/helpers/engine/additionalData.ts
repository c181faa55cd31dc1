/** The `additionalData` n8n-core's contexts need (URLs must be valid absolute URLs). */
import type { IWorkflowExecuteAdditionalData } from 'n8n-workflow';
import { ExternalSecretsProxy } from 'n8n-core';
import type { TestCredentialsHelper } from './credentials';
const BASE = 'http://127.0.0.1:5678';

export function makeAdditionalData(
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
