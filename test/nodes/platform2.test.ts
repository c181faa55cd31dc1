/**
 * Famulor Platform 2.0 credentials (issue 17): a key that starts with fam_, a famulor.io Base URL,
 * or a (white-label) host whose successful answers have Platform 2.0's shape. An error answer keeps its
 * meaning whatever its body says (issue 23): a 2.0-style error body on a 404 is "wrong address".
 * Through n8n's engine, against the sandbox and a local Platform 2.0 look-alike:
 * - every node (the action node and both triggers) fails with a NodeApiError that says the account
 *   is on Platform 2.0, that this package reads Famulor Classic, and what to do — and for a key or
 *   host it recognises, sends nothing at all (the sandbox would even have accepted that key);
 * - the credential's Test button (n8n's CredentialsTester flow: test request + rules) names
 *   Platform 2.0 in its answer to a fam_ key or a Platform 2.0 address, and a Classic key still
 *   passes.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INodeParameters } from 'n8n-workflow';
import { FamulorBilling } from '../../nodes/FamulorBilling/FamulorBilling.node';
import { FamulorSpikeTrigger } from '../../nodes/FamulorSpikeTrigger/FamulorSpikeTrigger.node';
import { FamulorThresholdTrigger } from '../../nodes/FamulorThresholdTrigger/FamulorThresholdTrigger.node';
import {
	createPollingWorkflow,
	executeNode,
	testCredential,
	type CredentialData,
	type EngineError,
} from '../helpers/engine';
import { Sandbox } from '../sandbox/server';
import { PLATFORM2_FIX } from '../../src/api/classic/platform';

const KEY_2 = 'fam_live_5e1d7c3b9a2f4e6d8c0b';
const TZ = 'Europe/Berlin';

const billing = new FamulorBilling();
const threshold = new FamulorThresholdTrigger();
const spike = new FamulorSpikeTrigger();

let sandbox: Sandbox;
let platform2: { url: string; requests: number; close: () => Promise<void> };

/**
 * A local stand-in for a white-label Platform 2.0 host: every path answers `status` with `body` (by
 * default 200 with 2.0's list envelope).
 */
async function startPlatform2(
	status = 200,
	body: unknown = { data: [], meta: { pagination: { total: 0, limit: 100, offset: 0 } } },
): Promise<typeof platform2> {
	let requests = 0;
	const server = http.createServer((_req, res) => {
		requests++;
		res.writeHead(status, { 'Content-Type': 'application/json' });
		res.end(JSON.stringify(body));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/api/v1`,
		get requests() {
			return requests;
		},
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

beforeAll(async () => {
	// The sandbox accepts the Platform 2.0 key: only the package's own check keeps it from being used.
	sandbox = await Sandbox.start({ apiKey: KEY_2, now: '2026-11-26T12:00:00Z', calls: 200, days: 40, futureDays: 0 });
	platform2 = await startPlatform2();
});

afterAll(async () => {
	await sandbox.stop();
	await platform2.close();
});

beforeEach(() => sandbox.resetStats());

const ACTION = { resource: 'account', operation: 'getBalance', options: {} };
const THRESHOLD = {
	metric: 'spend',
	period: 'month',
	thresholdType: 'absolute',
	thresholds: '50',
	groupBy: 'none',
	options: {},
};
const SPIKE = {
	metric: 'calls',
	window: 'hour',
	baselineDays: 3,
	seasonality: 'none',
	minIncreasePercent: 100,
	minAbsoluteIncrease: 0,
	groupBy: 'none',
	options: {},
};

/** The error of each node (action run, trigger activation poll) with these credentials. */
async function errorsOf(credentials: CredentialData): Promise<Array<[string, EngineError | undefined]>> {
	const action = await executeNode({ node: billing, parameters: ACTION as INodeParameters, credentials, timezone: TZ });
	const polls: Array<[string, EngineError | undefined]> = [];
	for (const [name, node, parameters] of [
		['Famulor Threshold Trigger', threshold, THRESHOLD],
		['Famulor Spike Trigger', spike, SPIKE],
	] as const) {
		const workflow = createPollingWorkflow({
			node,
			parameters: parameters as unknown as INodeParameters,
			credentials,
			timezone: TZ,
		});
		polls.push([name, (await workflow.poll()).error]);
	}
	return [['Famulor Billing', action.error], ...polls];
}

describe('every node recognises a Platform 2.0 credential and sends nothing', () => {
	it('a fam_ key (Classic Base URL): NodeApiError naming Platform 2.0, no request, key never shown', async () => {
		const credentials = { apiKey: KEY_2, baseUrl: sandbox.url, currency: 'EUR', billingCycleDay: 1 };
		for (const [node, error] of await errorsOf(credentials)) {
			expect([node, error?.name]).toEqual([node, 'NodeApiError']);
			expect(error?.message).toBe(
				'API Key is a Famulor Platform 2.0 key (it starts with fam_), ' +
					'but this package reads Famulor Classic (app.famulor.de); nothing was sent',
			);
			expect(error?.description).toBe(PLATFORM2_FIX);
			expect((error as { failure?: { cause?: string } }).failure?.cause).toBe('credential-invalid');
			expect(JSON.stringify(error) + String(error?.stack)).not.toContain(KEY_2.slice(4));
		}
		expect(sandbox.stats.requests).toBe(0);
	});

	it('a famulor.io Base URL: the same, naming the host', async () => {
		const credentials = { apiKey: 'classic-key-0123456789', baseUrl: 'https://app.famulor.io/api/v1', currency: 'EUR' };
		for (const [node, error] of await errorsOf(credentials)) {
			expect([node, error?.name]).toEqual([node, 'NodeApiError']);
			expect(error?.message).toBe(
				'Base URL points at app.famulor.io, which is Famulor Platform 2.0, ' +
					'but this package reads Famulor Classic (app.famulor.de); nothing was sent',
			);
			expect(error?.description).toBe(PLATFORM2_FIX);
		}
	});

	it('a white-label host that answers like Platform 2.0: recognised from its answer, not "wrong key"', async () => {
		const before = platform2.requests;
		const credentials = { apiKey: 'classic-key-0123456789', baseUrl: platform2.url, currency: 'EUR' };
		for (const [node, error] of await errorsOf(credentials)) {
			expect([node, error?.name]).toEqual([node, 'NodeApiError']);
			expect(error?.message).toBe(
				'The Base URL answered like Famulor Platform 2.0 (HTTP 200 with a Platform 2.0 list envelope), ' +
					'but this package reads Famulor Classic (app.famulor.de)',
			);
			expect(error?.description).toBe(PLATFORM2_FIX);
		}
		// One request per node, no retries: the answer is final.
		expect(platform2.requests - before).toBe(3);
	});

	it('a host whose 404 has a 2.0-style error body: "wrong address", as any 404', async () => {
		const notFound = await startPlatform2(404, { error: { code: 'not_found', message: 'Unknown route' } });
		try {
			const credentials = { apiKey: 'classic-key-0123456789', baseUrl: notFound.url, currency: 'EUR' };
			for (const [node, error] of await errorsOf(credentials)) {
				expect([node, error?.name]).toEqual([node, 'NodeApiError']);
				expect(error?.message).toBe('Nothing answers at GET /user/me (HTTP 404)');
				expect(error?.description).toContain('https://app.famulor.de/api');
			}
		} finally {
			await notFound.close();
		}
	});

	it('a Classic key with the Classic Base URL still works (the check is not in the way)', async () => {
		const classic = await Sandbox.start({ now: '2026-11-26T12:00:00Z', calls: 50, days: 10, futureDays: 0 });
		try {
			const credentials = { apiKey: classic.apiKey, baseUrl: classic.url, currency: 'EUR' };
			const { output, error } = await executeNode({
				node: billing,
				parameters: ACTION as INodeParameters,
				credentials,
			});
			expect(error).toBeUndefined();
			expect(output?.[0]?.[0]?.json.balance).toBe(classic.me().total_balance);
		} finally {
			await classic.stop();
		}
	});
});

describe("the credential's Test button (n8n's test request and rules)", () => {
	it('a valid Classic key passes', async () => {
		const classic = await Sandbox.start({ now: '2026-11-26T12:00:00Z', calls: 20, days: 5, futureDays: 0 });
		try {
			expect((await testCredential({ apiKey: classic.apiKey, baseUrl: classic.url })).status).toBe('OK');
			// Trailing slashes are dropped (by a linear expression: a lookbehind, not /\/+$/).
			expect((await testCredential({ apiKey: classic.apiKey, baseUrl: `${classic.url}///` })).status).toBe('OK');
			// …and a wrong Classic key fails: the likely cause and its fix first.
			const wrong = await testCredential({ apiKey: 'not-the-key', baseUrl: classic.url });
			expect(wrong.status).toBe('Error');
			expect(
				wrong.message.startsWith(
					'Famulor rejected the API key (401): it is wrong or was revoked. Create a new key at ' +
						'https://app.famulor.de/api-keys',
				),
			).toBe(true);
		} finally {
			await classic.stop();
		}
	});

	it('a fam_ key: the answer says it is a Platform 2.0 key and how to get a Classic one, without the key', async () => {
		// Famulor Classic does not know Platform 2.0 keys (401); the sandbox plays Classic with another key.
		const classic = await Sandbox.start({ now: '2026-11-26T12:00:00Z', calls: 20, days: 5, futureDays: 0 });
		try {
			const result = await testCredential({ apiKey: KEY_2, baseUrl: classic.url });
			expect(result.status).toBe('Error');
			expect(result.message).toContain('A key that starts with fam_ is for Famulor Platform 2.0');
			expect(result.message).toContain('Create a new key at https://app.famulor.de/api-keys');
			expect(result.message).not.toContain(KEY_2);
		} finally {
			await classic.stop();
		}
	});

	it('a Platform 2.0 address (404 at /user/me): the answer says Platform 2.0 addresses are not supported', async () => {
		const notFound = await startPlatform2(404, { error: { code: 'not_found' } });
		try {
			const result = await testCredential({ apiKey: 'classic-key-0123456789', baseUrl: notFound.url });
			expect(result.status).toBe('Error');
			expect(result.message).toContain('Famulor Platform 2.0 addresses (app.famulor.io, …/api/v1) are not supported');
			expect(result.message).toContain('https://app.famulor.de/api');
		} finally {
			await notFound.close();
		}
	});
});
