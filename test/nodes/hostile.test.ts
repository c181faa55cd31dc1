/**
 * Hostile and drifted data (SPEC §14), through n8n's real engine against the sandbox: answers that
 * never finish, and other ways a server can keep a node waiting. (Names that are object keys,
 * damaged state and lying paginators have their own files.)
 */
import type { INodeParameters } from 'n8n-workflow';
import { FamulorThresholdTrigger } from '../../nodes/FamulorThresholdTrigger/FamulorThresholdTrigger.node';
import { createPollingWorkflow, type CredentialData } from '../helpers/engine';
import { Sandbox } from '../sandbox/server';

let sandbox: Sandbox;
let credentials: CredentialData;

beforeAll(async () => {
	sandbox = await Sandbox.start({ now: '2026-11-26T12:00:00Z', calls: 400, days: 20, futureDays: 0 });
	credentials = { apiKey: sandbox.apiKey, baseUrl: sandbox.url, currency: 'EUR', billingCycleDay: 1 };
});

afterAll(async () => {
	await sandbox.stop();
});

beforeEach(() => {
	sandbox.clearFaults();
	sandbox.resetStats();
});

const THRESHOLD = { metric: 'spend', period: 'month', thresholdType: 'absolute', thresholds: '100', groupBy: 'none', options: {} };

describe('every wait is bounded', () => {
	it('a body trickling in byte by byte is cut at the poll deadline (an idle-socket timeout never fires)', async () => {
		// ~70 KB at one byte every 300 ms would take hours; the socket is never idle for long.
		sandbox.injectFaults([{ kind: 'trickle', path: '/user/calls', count: Infinity, delayMs: 300 }]);
		const workflow = createPollingWorkflow({
			node: new FamulorThresholdTrigger(),
			parameters: THRESHOLD as INodeParameters,
			credentials,
			pollBudgetMs: 2_000,
		});
		const started = Date.now();
		const outcome = await workflow.poll();
		const elapsed = Date.now() - started;
		expect(outcome.error?.message).toMatch(/did not answer in time/);
		expect(outcome.error?.description).toMatch(/Try again/);
		// The poll's own budget (80 % of 2 s) plus the one-second floor of a last request, with room for
		// a slow machine; without the hard deadline the poll would not end at all.
		expect(elapsed).toBeLessThan(6_000);
		expect(workflow.persisted().state).toBeUndefined();
	});
});
