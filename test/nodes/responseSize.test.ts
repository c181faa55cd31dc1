/**
 * An answer far larger than any of Famulor's (issue 23: a server that sends 100,000 calls in one
 * answer was read and parsed whole, +150 MB, before it was refused), through n8n's real
 * httpRequestWithAuthentication: the node stops reading at 10 MB and fails with a typed error that
 * names the request and the fix, and the server never gets to send the rest.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INodeParameters } from 'n8n-workflow';
import { FamulorBilling } from '../../nodes/FamulorBilling/FamulorBilling.node';
import { FamulorThresholdTrigger } from '../../nodes/FamulorThresholdTrigger/FamulorThresholdTrigger.node';
import { MAX_RESPONSE_BYTES } from '../../src/api/classic/responseSize';
import { createPollingWorkflow, executeNode } from '../helpers/engine';

const CHUNK = Buffer.alloc(64 * 1024, 'x');
const TOTAL = 100 * 1024 * 1024;

/** A server that answers every request with 200 and a 100 MB JSON-looking body (no Content-Length). */
async function hugeServer() {
	const sent: number[] = [];
	const server = http.createServer((_req, res) => {
		res.writeHead(200, { 'Content-Type': 'application/json' });
		let bytes = 0;
		const index = sent.push(0) - 1;
		const pump = () => {
			while (bytes < TOTAL && !res.destroyed) {
				bytes += CHUNK.length;
				sent[index] = bytes;
				if (!res.write(bytes === CHUNK.length ? Buffer.from('{"data":["') : CHUNK)) {
					res.once('drain', pump);
					return;
				}
			}
			if (!res.destroyed) res.end('"]}');
		};
		pump();
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/api`,
		sent,
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}

let huge: Awaited<ReturnType<typeof hugeServer>>;

beforeEach(async () => {
	huge = await hugeServer();
});

afterEach(async () => {
	await huge.close();
});

const expectTooLarge = (error: { name?: string; message?: string; description?: string | null } | undefined) => {
	expect(error?.name).toBe('NodeApiError');
	expect(error?.message).toMatch(/^Famulor's answer to GET \/user\/me is larger than 10 MB \(at least 10(\.\d)? MB\)/);
	expect(error?.description).toContain('Check that Base URL points at the Famulor Classic API');
};

it('the action node stops reading at 10 MB, once, and says so', async () => {
	const credentials = { apiKey: 'classic-key-0123456789', baseUrl: huge.url, currency: 'EUR' };
	const { error } = await executeNode({
		node: new FamulorBilling(),
		parameters: { resource: 'account', operation: 'getBalance', options: {} } as INodeParameters,
		credentials,
	});
	expectTooLarge(error);
	expect(huge.sent).toHaveLength(1); // not retried
	// The server got to send the cap and what socket buffers hold, far from its 100 MB.
	expect(huge.sent[0]).toBeLessThan(3 * MAX_RESPONSE_BYTES);
});

it('a trigger poll fails typed and keeps its state as it was', async () => {
	const credentials = { apiKey: 'classic-key-0123456789', baseUrl: huge.url, currency: 'EUR' };
	const workflow = createPollingWorkflow({
		node: new FamulorThresholdTrigger(),
		parameters: {
			metric: 'balance',
			thresholdType: 'absolute',
			thresholds: '10',
			options: { timezone: 'Europe/Berlin' },
		} as unknown as INodeParameters,
		credentials,
		timezone: 'Europe/Berlin',
	});
	const outcome = await workflow.poll();
	expectTooLarge(outcome.error);
	expect(workflow.staticData().state).toBeUndefined();
	expect(Math.max(...huge.sent)).toBeLessThan(3 * MAX_RESPONSE_BYTES);
});
