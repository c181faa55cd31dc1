/**
 * Secrets (issue 7): with a recognisable API key, every action operation, every trigger (activation,
 * steady polls, "Fetch Test Event") and every sandbox fault kind run through n8n's real engine, and
 * everything they produce — output items (binary data included), error messages, descriptions, the
 * full error objects and every line n8n logged — is searched for the key. Requests never follow a
 * redirect (so never carry the key to another host), and the credential's Base URL is refused over
 * plain http unless it points at this machine.
 */
import http from 'node:http';
import os from 'node:os';
import util from 'node:util';
import type { AddressInfo } from 'node:net';
import { Workflow, type INode, type INodeParameters, type INodeTypes } from 'n8n-workflow';
import { FamulorBilling } from '../../nodes/FamulorBilling/FamulorBilling.node';
import { FamulorSpikeTrigger } from '../../nodes/FamulorSpikeTrigger/FamulorSpikeTrigger.node';
import { FamulorThresholdTrigger } from '../../nodes/FamulorThresholdTrigger/FamulorThresholdTrigger.node';
import { FamulorBillingApi } from '../../credentials/FamulorBillingApi.credentials';
import {
	capturedLogText,
	clearCapturedLogs,
	createPollingWorkflow,
	executeNode,
	testCredential,
	type CredentialData,
} from '../helpers/engine';
import { FAULT_KINDS, Sandbox } from '../sandbox/server';

const KEY = 'fam-SECRET-7c1d9e2f4a6b8c0d5e3f';
/** The random part alone: a key cut or re-encoded around its prefix still shows it. */
const KEY_TAIL = KEY.slice('fam-SECRET-'.length);
const TZ = 'Europe/Berlin';

const billing = new FamulorBilling();
const thresholdTrigger = new FamulorThresholdTrigger();
const spikeTrigger = new FamulorSpikeTrigger();

let sandbox: Sandbox;
let credentials: CredentialData;
const checked = { outputs: 0, characters: 0 };

beforeAll(async () => {
	sandbox = await Sandbox.start({ apiKey: KEY, now: new Date().toISOString(), calls: 1200, days: 40, futureDays: 0 });
	credentials = { apiKey: KEY, baseUrl: sandbox.url, currency: 'EUR', billingCycleDay: 1 };
});

afterAll(async () => {
	await sandbox.stop();
	console.log(
		`secrets: ${checked.outputs} outputs searched (${checked.characters} characters, items, errors and n8n logs): ` +
			`the key appears nowhere`,
	);
});

beforeEach(() => {
	sandbox.clearFaults();
	sandbox.resetStats();
	clearCapturedLogs();
});

/** Every string reachable from `value`: JSON, util.inspect (hidden properties, stacks, causes), error fields. */
function render(value: unknown): string {
	const parts: string[] = [];
	const seen = new WeakSet<object>();
	const walk = (v: unknown, depth: number): void => {
		if (v === null || v === undefined || depth > 12) return;
		if (typeof v === 'string') {
			parts.push(v);
			// Binary data of n8n items is base64.
			if (/^[A-Za-z0-9+/=\s]{40,}$/.test(v)) parts.push(Buffer.from(v, 'base64').toString('utf8'));
			return;
		}
		if (typeof v !== 'object') {
			parts.push(String(v));
			return;
		}
		if (seen.has(v as object)) return;
		seen.add(v as object);
		if (v instanceof Error)
			parts.push(v.message, v.stack ?? '', String((v as { description?: unknown }).description ?? ''));
		for (const key of Object.getOwnPropertyNames(v)) {
			try {
				walk((v as Record<string, unknown>)[key], depth + 1);
			} catch {
				// getters that throw
			}
		}
	};
	walk(value, 0);
	let json = '';
	try {
		json = JSON.stringify(value);
	} catch {
		json = '';
	}
	return [json, util.inspect(value, { depth: 12, showHidden: true }), ...parts].join('\n');
}

function expectNoKey(label: string, ...values: unknown[]): void {
	const text = values.map(render).join('\n') + '\n' + capturedLogText();
	checked.outputs++;
	checked.characters += text.length;
	if (text.includes(KEY) || text.includes(KEY_TAIL)) {
		const at = Math.max(text.indexOf(KEY), text.indexOf(KEY_TAIL));
		throw new Error(`${label}: the API key appears in the output: …${text.slice(Math.max(0, at - 200), at + 60)}…`);
	}
}

const run = (parameters: Record<string, unknown>, extra: Partial<Parameters<typeof executeNode>[0]> = {}) =>
	executeNode({ node: billing, parameters: parameters as INodeParameters, credentials, timezone: TZ, ...extra });

const ACTIONS: Array<[string, Record<string, unknown>]> = [
	[
		'account/getBalance with runway',
		{ resource: 'account', operation: 'getBalance', options: { includeRunway: true, timezone: TZ } },
	],
	[
		'usage/getSummary by assistant',
		{
			resource: 'usage',
			operation: 'getSummary',
			period: 'last30Days',
			groupBy: 'assistant',
			options: { timezone: TZ },
		},
	],
	[
		'usage/getSummary by day with an assistant filter',
		{
			resource: 'usage',
			operation: 'getSummary',
			period: 'thisMonth',
			groupBy: 'day',
			filters: { assistantId: { __rl: true, mode: 'id', value: '1201' } },
			options: {},
		},
	],
	[
		'usage/getCalls raw',
		{
			resource: 'usage',
			operation: 'getCalls',
			period: 'last7Days',
			returnAll: false,
			limit: 20,
			simplify: false,
			options: {},
		},
	],
	[
		'usage/getCalls all',
		{ resource: 'usage', operation: 'getCalls', period: 'today', returnAll: true, simplify: true, options: {} },
	],
	[
		'phoneNumber/getAll',
		{
			resource: 'phoneNumber',
			operation: 'getAll',
			defaultMonthlyFee: 3.99,
			monthlyFees: { fee: [{ country: 'DE', fee: 4.5 }] },
			options: { rentedOnly: false },
		},
	],
	[
		'phoneNumber/audit',
		{
			resource: 'phoneNumber',
			operation: 'audit',
			defaultMonthlyFee: 3.99,
			idleDays: 30,
			renewingWithinDays: 7,
			options: {},
		},
	],
	[
		'chargeSummary/generate per client with CSV',
		{
			resource: 'chargeSummary',
			operation: 'generate',
			period: 'lastMonth',
			pricingMode: 'plan',
			plan: 'business',
			defaultMonthlyFee: 3.99,
			clients: { client: [{ name: 'Acme GmbH', matchBy: 'assistant', values: 'Sales Assistant', markupPercent: 15 }] },
			outputs: { csv: true, onePerClient: true },
			options: { timezone: TZ },
		},
	],
];

describe('the key never appears in any output', () => {
	it.each(ACTIONS)('action %s', async (label, parameters) => {
		const result = await run(parameters);
		expect(result.error).toBeUndefined();
		expect(result.output?.[0].length).toBeGreaterThan(0);
		// Requests did carry the key (to the sandbox), so a leak would have something to leak.
		expect(sandbox.requestLog.at(-1)?.authorization).toBe(`Bearer ${KEY}`);
		expectNoKey(label, result.output, result.runData, result.run.data.resultData);
	});

	it('an unsupported operation and a wrong key (401) fail without the key, also as continueOnFail items', async () => {
		const unsupported = await run({ resource: 'account', operation: 'delete' });
		expect(unsupported.error?.message).toMatch(/not supported/);
		const wrong = await executeNode({
			node: billing,
			parameters: { resource: 'account', operation: 'getBalance' } as INodeParameters,
			credentials: { ...credentials, apiKey: `${KEY}-revoked` },
			continueOnFail: true,
		});
		expect(wrong.output?.[0][0].json.error).toMatch(/401|API key/);
		expectNoKey('errors', unsupported.error, unsupported.runData, wrong.output, wrong.runData);
	});

	it.each([
		[
			'threshold: spend per campaign',
			thresholdTrigger,
			{
				metric: 'spend',
				period: 'month',
				thresholdType: 'absolute',
				thresholds: '1, 5, 50',
				groupBy: 'campaign',
				options: { timezone: TZ, fireOnActivation: true },
			},
		],
		[
			'threshold: balance',
			thresholdTrigger,
			{
				metric: 'balance',
				thresholdType: 'absolute',
				thresholds: '1000',
				options: { timezone: TZ, fireOnActivation: true },
			},
		],
		[
			'spike: calls per hour',
			spikeTrigger,
			{
				metric: 'calls',
				window: 'hour',
				baselineDays: 3,
				seasonality: 'none',
				minIncreasePercent: 0,
				minAbsoluteIncrease: 0,
				groupBy: 'none',
				options: { timezone: TZ, minBaselineSamples: 1 },
			},
		],
	] as const)('trigger %s: activation, polls and Fetch Test Event', async (label, node, parameters) => {
		const workflow = createPollingWorkflow({
			node,
			parameters: parameters as unknown as INodeParameters,
			credentials,
			timezone: TZ,
		});
		const outcomes = [await workflow.poll(), await workflow.poll(), await workflow.poll({ mode: 'manual' })];
		for (const outcome of outcomes) expect(outcome.error).toBeUndefined();
		expect(outcomes.some((outcome) => (outcome.result?.[0].length ?? 0) > 0)).toBe(true);
		expectNoKey(label, outcomes, workflow.staticData(), workflow.persisted(), workflow.emissions);
	});
});

// Every fault but the trickle, whose 30 s request deadline is proved in hostile.test.ts.
const FAULTS = FAULT_KINDS.filter((kind) => kind !== 'trickle');

describe('a Famulor Platform 2.0 key (fam_…) is never sent and never shown', () => {
	const KEY_2 = 'fam_SECRET_3b8e1f6a9c2d4e7f0a5b';

	it('every node refuses it before any request; errors, items and logs do not contain it', async () => {
		const platform2 = { ...credentials, apiKey: KEY_2 };
		const action = await executeNode({
			node: billing,
			parameters: {
				resource: 'usage',
				operation: 'getCalls',
				period: 'today',
				returnAll: true,
				options: {},
			} as INodeParameters,
			credentials: platform2,
			continueOnFail: true,
		});
		expect(action.output?.[0]?.[0]?.json.error).toMatch(/Platform 2\.0/);
		const polls = [];
		for (const node of [thresholdTrigger, spikeTrigger]) {
			const workflow = createPollingWorkflow({
				node,
				parameters: { metric: 'spend', thresholds: '1', options: {} } as unknown as INodeParameters,
				credentials: platform2,
				timezone: TZ,
			});
			polls.push(await workflow.poll(), await workflow.poll({ mode: 'manual' }));
		}
		for (const poll of polls) expect(poll.error?.message).toMatch(/Platform 2\.0/);
		expect(sandbox.requestLog).toEqual([]);
		const text = [action, ...polls].map(render).join('\n') + capturedLogText();
		expect(text).not.toContain(KEY_2);
		expect(text).not.toContain(KEY_2.slice('fam_SECRET_'.length));
	});

	it("the credential's Test button answers without it", async () => {
		const result = await testCredential({ apiKey: KEY_2, baseUrl: sandbox.url });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/fam_ is for Famulor Platform 2\.0/);
		expect(render(result) + capturedLogText()).not.toContain(KEY_2.slice('fam_SECRET_'.length));
	});
});

describe('the key never appears under any sandbox fault', () => {
	it.each(FAULTS)(
		'%s: an action that retries or fails typed, and a trigger poll that fails on it',
		async (kind) => {
			const delayMs = kind === 'slow' ? 50 : 1_000;
			// An action whose first request hits the fault, then recovers.
			sandbox.injectFaults([{ kind, count: 1, delayMs }]);
			const recovered = await run({
				resource: 'usage',
				operation: 'getCalls',
				period: 'last30Days',
				returnAll: false,
				limit: 150,
				simplify: false,
				options: {},
			});
			sandbox.clearFaults();
			// A trigger poll that meets the fault on every request until its (short) time budget ends.
			sandbox.injectFaults([{ kind, count: 1_000, delayMs }]);
			const workflow = createPollingWorkflow({
				node: thresholdTrigger,
				parameters: {
					metric: 'spend',
					period: 'month',
					thresholdType: 'absolute',
					thresholds: '100',
					groupBy: 'none',
					options: { timezone: TZ },
				} as INodeParameters,
				credentials,
				timezone: TZ,
				pollBudgetMs: 1_500,
			});
			const failing = await workflow.poll();
			sandbox.clearFaults();
			expect(sandbox.requestLog.length).toBeGreaterThan(1);
			expect(sandbox.requestLog.every((entry) => entry.authorization === `Bearer ${KEY}`)).toBe(true);
			expectNoKey(kind, recovered.output, recovered.error, recovered.runData, failing, workflow.staticData());
		},
		60_000,
	);

	it('an action item that fails for good (continueOnFail) carries no key', async () => {
		// A 429 asking for a wait longer than the retry budget fails at once.
		sandbox.injectFaults([{ kind: '429', count: 1_000, delayMs: 600_000 }]);
		const item = await run(
			{ resource: 'usage', operation: 'getSummary', period: 'today', groupBy: 'none', options: {} },
			{ continueOnFail: true },
		);
		expect(item.output?.[0][0].json.error).toMatch(/rate limit/);
		expectNoKey('failed item', item.output, item.runData);
	});

	it('a server that echoes the key in an error body does not get it into the message', async () => {
		const echo = await server((req, res) => {
			res.writeHead(422, { 'Content-Type': 'application/json' });
			const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
			res.end(JSON.stringify({ message: `Token ${token} is not allowed here`, error: `key=${token}` }));
		});
		try {
			const action = await executeNode({
				node: billing,
				parameters: { resource: 'account', operation: 'getBalance' } as INodeParameters,
				credentials: { ...credentials, baseUrl: `http://127.0.0.1:${echo.port}/api` },
			});
			expect(action.error?.message).toMatch(/422/);
			expect(echo.received[0].authorization).toBe(`Bearer ${KEY}`);
			expectNoKey('echo', action.error, action.runData);
		} finally {
			await echo.close();
		}
	});
});

/** A server that answers every request with `reply`, and remembers what it got. */
async function server(reply: (req: http.IncomingMessage, res: http.ServerResponse) => void, host = '127.0.0.1') {
	const received: Array<{ url: string; authorization?: string; host?: string }> = [];
	const srv = http.createServer((req, res) => {
		received.push({ url: req.url ?? '', authorization: req.headers.authorization, host: req.headers.host });
		reply(req, res);
	});
	await new Promise<void>((resolve) => srv.listen(0, host, resolve));
	const { port } = srv.address() as AddressInfo;
	return { port, received, close: () => new Promise<void>((resolve) => srv.close(() => resolve())) };
}

describe('redirects are never followed with the key', () => {
	it.each([301, 302, 303, 307, 308])(
		'HTTP %i from the Base URL to another host: refused, the other host gets nothing',
		async (status) => {
			const target = await server((_req, res) => {
				res.writeHead(200, { 'Content-Type': 'application/json' });
				res.end(JSON.stringify({ name: 'x', email: 'x@example.com', total_balance: 1 }));
			});
			const redirector = await server((req, res) => {
				res.writeHead(status, { Location: `http://localhost:${target.port}${req.url}` });
				res.end();
			});
			try {
				const action = await executeNode({
					node: billing,
					parameters: { resource: 'account', operation: 'getBalance' } as INodeParameters,
					credentials: { ...credentials, baseUrl: `http://127.0.0.1:${redirector.port}/api` },
				});
				const workflow = createPollingWorkflow({
					node: thresholdTrigger,
					parameters: {
						metric: 'balance',
						thresholdType: 'absolute',
						thresholds: '10',
						options: { timezone: TZ },
					} as INodeParameters,
					credentials: { ...credentials, baseUrl: `http://127.0.0.1:${redirector.port}/api` },
					timezone: TZ,
				});
				const poll = await workflow.poll();
				expect(action.error?.message).toMatch(/redirects/);
				expect(action.error?.description).toMatch(/Base URL/);
				expect(poll.error?.message).toMatch(/redirects/);
				// The redirector did get the key (it is the Base URL); the host it points to got nothing at all.
				expect(redirector.received.length).toBeGreaterThan(0);
				expect(target.received).toEqual([]);
				expectNoKey(`redirect ${status}`, action.error, action.runData, poll);
			} finally {
				await redirector.close();
				await target.close();
			}
		},
	);
});

function lanAddress(): string | undefined {
	for (const list of Object.values(os.networkInterfaces())) {
		for (const entry of list ?? []) if (entry.family === 'IPv4' && !entry.internal) return entry.address;
	}
	return undefined;
}

describe('the credential refuses plain http except to this machine', () => {
	it('accepts http to 127.0.0.1 and localhost (the sandbox)', async () => {
		for (const baseUrl of [sandbox.url, sandbox.url.replace('127.0.0.1', 'localhost')]) {
			const { error, output } = await executeNode({
				node: billing,
				parameters: { resource: 'account', operation: 'getBalance' } as INodeParameters,
				credentials: { ...credentials, baseUrl },
			});
			expect(error).toBeUndefined();
			expect(output?.[0][0].json.balance).toBe(sandbox.me().total_balance);
		}
	});

	it('refuses http to any other host (even one answering on this machine) before sending anything', async () => {
		const listener = await server((_req, res) => {
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end('{}');
		}, '0.0.0.0');
		const lan = lanAddress();
		try {
			const refused = [
				'http://famulor.example.com/api',
				`http://localhost.example.com:${listener.port}/api`,
				`http://127.0.0.1.nip.io:${listener.port}/api`,
				`http://127.0.0.1@famulor.example.com:${listener.port}/api`,
				...(lan ? [`http://${lan}:${listener.port}/api`] : []),
			];
			for (const baseUrl of refused) {
				sandbox.resetStats();
				const action = await executeNode({
					node: billing,
					parameters: { resource: 'account', operation: 'getBalance' } as INodeParameters,
					credentials: { ...credentials, baseUrl },
				});
				expect(action.error?.message).toMatch(/is not https|user name or password/);
				expect(action.error?.description).toMatch(/localhost|API Key, never in the address/);
				const workflow = createPollingWorkflow({
					node: spikeTrigger,
					parameters: {
						metric: 'calls',
						window: 'hour',
						baselineDays: 3,
						seasonality: 'none',
						minIncreasePercent: 100,
						minAbsoluteIncrease: 0,
						groupBy: 'none',
						options: {},
					} as INodeParameters,
					credentials: { ...credentials, baseUrl },
				});
				expect((await workflow.poll()).error?.message).toMatch(/is not https|user name or password/);
				expectNoKey(baseUrl, action.error, action.runData);
			}
			expect(listener.received).toEqual([]);
		} finally {
			await listener.close();
		}
	});

	it(
		"the credential's Test button: no redirect is followed, and plain http goes nowhere unless it is this " + 'machine',
		() => {
			const credential = new FamulorBillingApi();
			expect(credential.test.request.disableFollowRedirect).toBe(true);
			expect(credential.authenticate).toMatchObject({
				type: 'generic',
				properties: { headers: { Authorization: '=Bearer {{$credentials.apiKey}}' } },
			});
			// The test request's baseURL, resolved by n8n's expression engine like the credentials helper does.
			const nodeTypes = {
				getByName: () => billing,
				getByNameAndVersion: () => billing,
				getKnownTypes: () => ({}),
			} as unknown as INodeTypes;
			const workflow = new Workflow({ nodes: [], connections: {}, active: false, nodeTypes });
			const node = {
				id: 'c',
				name: 'credential',
				type: 'credential',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			} as unknown as INode;
			const baseUrlFor = (baseUrl: string) =>
				String(
					workflow.expression.getSimpleParameterValue(
						node,
						credential.test.request.baseURL as string,
						'internal',
						{ $credentials: { baseUrl } },
						undefined,
						'',
					),
				);
			expect(baseUrlFor('https://app.famulor.de/api/')).toBe('https://app.famulor.de/api');
			expect(baseUrlFor(' HTTPS://white-label.example/api ')).toBe('HTTPS://white-label.example/api');
			expect(baseUrlFor('http://127.0.0.1:5680/api')).toBe('http://127.0.0.1:5680/api');
			expect(baseUrlFor('http://localhost:5680/api')).toBe('http://localhost:5680/api');
			expect(baseUrlFor('http://[::1]:5680/api')).toBe('http://[::1]:5680/api');
			const refusedUrls = [
				'http://famulor.example.com/api',
				'http://localhost.example.com/api',
				'http://127.0.0.1@evil.example/api',
				'http://192.0.2.2:5680/api',
				'ftp://app.famulor.de/api',
				'app.famulor.de/api',
				'https://user:pw@app.famulor.de/api',
				'https://app.famulor.de/api?key=abc',
				'https://app.famulor.de/api#x',
			];
			for (const refused of refusedUrls) {
				expect(baseUrlFor(refused)).toBe('https://refused-base-url-use-https-and-no-user-query-or-fragment.invalid');
			}
		},
	);
});
