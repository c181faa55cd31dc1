/**
 * Hostile and drifted data (SPEC §14), through n8n's real engine against the sandbox: answers that
 * never finish, and paginators that drift from Laravel's. Money is exact or the node fails with a
 * typed error naming the problem — never short.
 */
import type { INodeParameters } from 'n8n-workflow';
import { FamulorBilling } from '../../nodes/FamulorBilling/FamulorBilling.node';
import { FamulorThresholdTrigger } from '../../nodes/FamulorThresholdTrigger/FamulorThresholdTrigger.node';
import { createPollingWorkflow, executeNode, type CredentialData } from '../helpers/engine';
import { lastMonthBounds, createdMs, toNumber, totalsBy } from '../helpers/truth';
import { Sandbox, type FaultKind } from '../sandbox/server';

let sandbox: Sandbox;
let credentials: CredentialData;

beforeAll(async () => {
	sandbox = await Sandbox.start({ now: '2026-11-26T12:00:00Z', calls: 1500, days: 45, futureDays: 0 });
	credentials = { apiKey: sandbox.apiKey, baseUrl: sandbox.url, currency: 'EUR', billingCycleDay: 1 };
});

afterAll(async () => {
	await sandbox.stop();
});

beforeEach(() => {
	sandbox.clearFaults();
	sandbox.resetStats();
});

const THRESHOLD = {
	metric: 'spend',
	period: 'month',
	thresholdType: 'absolute',
	thresholds: '100',
	groupBy: 'none',
	options: {},
};

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

describe("paginators that drift from Laravel's: the usage summary is exact or fails typed", () => {
	const billing = new FamulorBilling();
	const summary = () =>
		executeNode({
			node: billing,
			parameters: {
				resource: 'usage',
				operation: 'getSummary',
				period: 'lastMonth',
				groupBy: 'none',
				options: { timezone: 'UTC' },
			} as INodeParameters,
			credentials,
			timezone: 'UTC',
		});
	const truth = () => {
		const { start, end } = lastMonthBounds('UTC', undefined);
		return totalsBy(
			sandbox.visibleCalls(),
			() => 'all',
			(call) => createdMs(call) >= start && createdMs(call) < end,
		).get('all');
	};

	it('a per_page cap the server reports (50) is used: the total is exact', async () => {
		const expected = truth();
		expect(expected?.calls).toBeGreaterThan(150);
		sandbox.injectFaults([{ kind: 'cap-per-page', path: '/user/calls', count: Infinity }]);
		const { output, error } = await summary();
		expect(error).toBeUndefined();
		const [item] = output?.[0] ?? [];
		expect(item?.json.calls).toBe(expected?.calls);
		expect(item?.json.totalCost).toBe(toNumber(expected?.totalCost ?? 0n));
		// After the first answer reported the cap, no page is asked above it.
		const sizes = sandbox.requestLog
			.filter((entry) => entry.path === '/api/user/calls')
			.map((entry) => Number(entry.query.per_page));
		expect(sizes[0]).toBe(100);
		expect(Math.max(...sizes.slice(1))).toBeLessThanOrEqual(50);
	});

	it.each<[FaultKind, RegExp]>([
		['short-page', /has 15 rows, but per_page is 100 and it is not the last page/],
		['lying-last-page', /reports last_page 1, but total \d+ at 100 a page makes \d+/],
		['lying-total', /has \d+ rows, but (total \d+ leaves|per_page is \d+)/],
		// Page 1's rows for any page: caught where they claim the list's end, or where it contradicts the calls read.
		[
			'ignore-page',
			/(page \d+ of the calls has \d+ rows, but total \d+ leaves|list ends at row \d+, before calls read)/,
		],
	])('%s: the node fails with an error that names it, and returns no total', async (kind, message) => {
		sandbox.injectFaults([{ kind, path: '/user/calls', count: Infinity }]);
		const { output, error } = await summary();
		expect(output).toBeUndefined();
		expect(error?.message).toMatch(/^Famulor's call list cannot be proven complete: /);
		expect(error?.message).toMatch(message);
		expect(error?.description).toMatch(/no total is short/);
	});
});
