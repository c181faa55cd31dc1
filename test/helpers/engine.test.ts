import http from 'node:http';
import type { AddressInfo } from 'node:net';

import {
	capturedLogs,
	capturedLogText,
	createCredentialsHelper,
	createPollingWorkflow,
	executeNode,
	type CredentialData,
} from './engine';
import { CounterTrigger } from './fixtures/CounterTrigger.node';
import { EchoAction } from './fixtures/EchoAction.node';

interface SeenRequest {
	method: string;
	url: string;
	headers: http.IncomingHttpHeaders;
}

const API_KEY = 'sk-test-DO-NOT-LEAK-4242';
const seen: SeenRequest[] = [];
let events: Array<{ id: number }> = [];
let failEvents = false;
let server: http.Server;
let baseUrl = '';

beforeAll(async () => {
	server = http.createServer((req, res) => {
		seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		const send = (status: number, body: unknown) => {
			res.writeHead(status, { 'content-type': 'application/json' });
			res.end(JSON.stringify(body));
		};
		if (req.headers.authorization !== `Bearer ${API_KEY}`) return send(401, { message: 'Unauthenticated.' });
		if (url.pathname === '/echo') return send(200, { ok: true, query: Object.fromEntries(url.searchParams) });
		if (url.pathname === '/boom') return send(500, { message: 'Server exploded' });
		if (url.pathname === '/events') {
			if (failEvents) return send(503, { message: 'Maintenance' });
			const after = Number(url.searchParams.get('after') ?? 0);
			return send(200, { events: events.filter((e) => e.id > after) });
		}
		return send(404, { message: 'Not found' });
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
	await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
	seen.length = 0;
	events = [];
	failEvents = false;
});

const creds = (): CredentialData => ({ apiKey: API_KEY, baseUrl });

describe('executeNode (WorkflowExecute, manual mode)', () => {
	it('sends the credential header over real HTTP and resolves expressions from input items', async () => {
		const { output, error } = await executeNode({
			node: new EchoAction(),
			parameters: { path: '/echo', value: '={{ $json.x * 2 }}' },
			credentials: creds(),
			inputItems: [{ x: 2 }, { x: 5 }],
			timezone: 'Europe/Berlin',
		});
		expect(error).toBeUndefined();
		expect(output).toHaveLength(1);
		expect(output![0].map((i) => i.json.value)).toEqual([4, 10]);
		expect(output![0][0].json).toMatchObject({
			ok: true,
			query: { value: '4' },
			mode: 'manual',
			timezone: 'Europe/Berlin',
		});
		expect(output![0].map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(seen).toHaveLength(2);
		expect(seen.every((r) => r.headers.authorization === `Bearer ${API_KEY}`)).toBe(true);
	});

	it('applies credential defaults for missing fields', async () => {
		const { error } = await executeNode({
			node: new EchoAction(),
			parameters: { path: '/echo' },
			credentials: { apiKey: API_KEY, baseUrl },
		});
		expect(error).toBeUndefined();
		// Default timezone is UTC; currency/billingCycleDay defaults come from the credential type.
		const decrypted = await createCredentialsHelper(creds()).getDecrypted(
			{} as never,
			{ id: '1', name: 'x' },
			'famulorBillingApi',
		);
		expect(decrypted).toMatchObject({ apiKey: API_KEY, baseUrl, currency: 'EUR', billingCycleDay: 1 });
	});

	it('returns an error thrown by the node', async () => {
		const { output, error } = await executeNode({
			node: new EchoAction(),
			parameters: { value: '={{ $json.x }}', failOn: 3 },
			credentials: creds(),
			inputItems: [{ x: 3 }],
		});
		expect(output).toBeUndefined();
		expect(error).toBeDefined();
		expect(error!.name).toBe('NodeOperationError');
		expect(error!.message).toBe('Refusing value 3 [item 0]');
	});

	it('returns an HTTP failure as NodeApiError with the status code', async () => {
		const { error } = await executeNode({
			node: new EchoAction(),
			parameters: { path: '/boom' },
			credentials: creds(),
		});
		expect(error?.name).toBe('NodeApiError');
		expect(error?.httpCode).toBe('500');
	});

	it('continueOnFail turns the failing item into an error item and keeps going', async () => {
		const { output, error } = await executeNode({
			node: new EchoAction(),
			parameters: { value: '={{ $json.x }}', failOn: 3 },
			credentials: creds(),
			inputItems: [{ x: 1 }, { x: 3 }, { x: 4 }],
			continueOnFail: true,
		});
		expect(error).toBeUndefined();
		expect(output![0].map((i) => i.json.error ?? i.json.value)).toEqual([1, 'Refusing value 3 [item 1]', 4]);
		expect(output![0][1].pairedItem).toEqual({ item: 1 });
	});

	it('with continueOnFail, an uncaught throw passes the input through and reports the error (n8n 2.40)', async () => {
		const { output, error } = await executeNode({
			node: new EchoAction(),
			parameters: { value: 3, failOn: 3, catchErrors: false },
			credentials: creds(),
			inputItems: [{ x: 1 }],
			continueOnFail: true,
		});
		expect(error?.message).toBe('Refusing value 3 [item 0]');
		expect(output![0].map((i) => i.json)).toEqual([{ x: 1 }]);
	});

	it('fails cleanly without credentials', async () => {
		const { error } = await executeNode({ node: new EchoAction(), parameters: {} });
		expect(error?.message).toMatch(/credentials/i);
	});

	it('keeps n8n logs quiet and captured, without the API key', async () => {
		await executeNode({ node: new EchoAction(), parameters: { path: '/boom' }, credentials: creds() });
		expect(capturedLogs.length).toBeGreaterThan(0);
		expect(capturedLogText()).not.toContain(API_KEY);
	});
});

describe('createPollingWorkflow (active workflow semantics)', () => {
	it('keeps static data in memory between polls and persists only after activation or emission', async () => {
		const wf = createPollingWorkflow({
			node: new CounterTrigger(),
			parameters: {},
			credentials: creds(),
			pollBudgetMs: 777,
		});

		// Activation poll: nothing to emit, but n8n saves static data right after activation.
		const activation = await wf.poll();
		expect(activation).toEqual({ result: null, activationPoll: true });
		expect(wf.staticData()).toMatchObject({ polls: 1, lastActivation: 'activate', lastMode: 'trigger' });
		expect(wf.persisted()).toMatchObject({ polls: 1 });

		// A tick that returns null changes memory only.
		const quiet = await wf.poll();
		expect(quiet.result).toBeNull();
		expect(wf.staticData()).toMatchObject({ polls: 2 });
		expect(wf.persisted()).toMatchObject({ polls: 1 });

		// A tick that emits saves.
		events = [{ id: 7 }];
		const emitting = await wf.poll();
		expect(emitting.result![0].map((i) => i.json)).toEqual([
			{ id: 7, mode: 'trigger', activation: 'activate', budgetMs: 777, timezone: 'UTC' },
		]);
		expect(wf.persisted()).toEqual({ polls: 3, cursor: 7, lastMode: 'trigger', lastActivation: 'activate' });

		await wf.poll();
		expect(wf.staticData()).toMatchObject({ polls: 4, cursor: 7 });
		expect(wf.persisted()).toMatchObject({ polls: 3 });

		// Restart: memory reverts to the DB copy; the next poll is an 'init' activation.
		wf.restart();
		expect(wf.staticData()).toEqual({ polls: 3, cursor: 7, lastMode: 'trigger', lastActivation: 'activate' });
		const afterRestart = await wf.poll();
		expect(afterRestart.activationPoll).toBe(true);
		expect(wf.staticData()).toMatchObject({ polls: 4, lastActivation: 'init' });
		expect(wf.persisted()).toMatchObject({ polls: 4, lastActivation: 'init' });
		expect(wf.emissions).toHaveLength(1);
	});

	it('runs manual polls (Fetch Test Event) on a throwaway copy: getMode() is manual, nothing is kept', async () => {
		const wf = createPollingWorkflow({
			node: new CounterTrigger(),
			parameters: {},
			credentials: creds(),
			pollBudgetMs: 500,
		});
		await wf.poll();
		const before = { live: wf.staticData(), db: wf.persisted() };
		events = [{ id: 1 }];
		const manual = await wf.poll({ mode: 'manual' });
		expect(manual.error).toBeUndefined();
		expect(manual.result![0][0].json).toMatchObject({ id: 1, mode: 'manual', activation: 'manual' });
		expect(wf.staticData()).toEqual(before.live);
		expect(wf.persisted()).toEqual(before.db);

		const tick = await wf.poll();
		expect(tick.result![0][0].json).toMatchObject({ id: 1, mode: 'trigger', budgetMs: 500 });
	});

	it('does not persist in-place changes to nested objects created after load (shallow change detection)', async () => {
		const wf = createPollingWorkflow({
			node: new CounterTrigger(),
			parameters: { lateObject: true },
			credentials: creds(),
		});
		await wf.poll(); // creates state.nested = { hits: 0 } (top-level assignment: saved at activation)
		expect(wf.persisted()).toEqual({ nested: { hits: 0 } });
		await wf.poll(); // state.nested.hits = 1, in memory only
		expect(wf.staticData()).toEqual({ nested: { hits: 1 } });
		wf.restart();
		expect(wf.staticData()).toEqual({ nested: { hits: 0 } });
		// After a restart the object was loaded, so it is proxied again and its change is detected.
		await wf.poll();
		expect(wf.persisted()).toEqual({ nested: { hits: 1 } });
	});

	it('fails activation when the activation poll throws; setParameters() re-activates with "update"', async () => {
		const wf = createPollingWorkflow({ node: new CounterTrigger(), parameters: { fail: true }, credentials: creds() });
		const failedActivation = await wf.poll();
		expect(failedActivation).toMatchObject({ result: null, activationPoll: true });
		expect(failedActivation.error?.message).toBe('Counter trigger asked to fail');
		expect(wf.persisted()).toEqual({});
		// Activation failed, so the next poll is an activation poll again.
		expect((await wf.poll()).activationPoll).toBe(true);

		wf.setParameters({ onlyCount: true });
		const activated = await wf.poll();
		expect(activated).toEqual({ result: null, activationPoll: true });
		expect(wf.persisted()).toMatchObject({ polls: 1, lastActivation: 'update' });
		expect((await wf.poll()).activationPoll).toBe(false);
		expect(wf.staticData()).toMatchObject({ polls: 2 });

		// Editing the node reloads static data from the DB copy (the unsaved tick is lost).
		wf.setParameters({ onlyCount: true, lateObject: false });
		expect(wf.staticData()).toMatchObject({ polls: 1 });
	});

	it('returns a tick error (via __emitError) after a successful activation and saves nothing', async () => {
		events = [{ id: 1 }];
		const wf = createPollingWorkflow({ node: new CounterTrigger(), parameters: {}, credentials: creds() });
		expect((await wf.poll()).result).toHaveLength(1);
		const saved = wf.persisted();
		expect(saved).toMatchObject({ polls: 1, cursor: 1 });

		failEvents = true;
		const tick = await wf.poll();
		expect(tick.activationPoll).toBe(false);
		expect(tick.result).toBeNull();
		expect(tick.error?.name).toBe('NodeApiError');
		expect(tick.error?.httpCode).toBe('503');
		expect(wf.staticData()).toMatchObject({ polls: 2 }); // mutated before the request failed
		expect(wf.persisted()).toEqual(saved);
	});

	it('a wrong API key is a 401 NodeApiError from the activation poll', async () => {
		const wf = createPollingWorkflow({
			node: new CounterTrigger(),
			parameters: {},
			credentials: { apiKey: 'wrong', baseUrl },
		});
		const activation = await wf.poll();
		expect(activation.error?.name).toBe('NodeApiError');
		expect(activation.error?.httpCode).toBe('401');
		expect(seen[0].headers.authorization).toBe('Bearer wrong');
	});
});
