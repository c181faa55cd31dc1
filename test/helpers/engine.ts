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
 *
 * One file per concern under test/helpers/engine/: setup.ts (process setup, DI, captured logs),
 * nodeTypes.ts (node types, the test credential, shared helpers), credentials.ts (the
 * CredentialsHelper), credentialTest.ts (the Test button), additionalData.ts, execute.ts
 * (executeNode) and polling.ts (createPollingWorkflow). Import from here; setup runs first.
 */
export { capturedLogs, capturedLogText, clearCapturedLogs, type CapturedLog } from './engine/setup';
export { nodeTypeName, type CredentialData, type EngineError } from './engine/nodeTypes';
export { createCredentialsHelper, TestCredentialsHelper } from './engine/credentials';
export { testCredential, type CredentialTestResult } from './engine/credentialTest';
export { executeNode, type ExecuteNodeResult } from './engine/execute';
export { createPollingWorkflow, type PollingWorkflow, type PollOutcome } from './engine/polling';
export { executeAsTool, toolVariant, type ToolRunResult } from './engine/tool';
