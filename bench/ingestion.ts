/**
 * Ingestion: the Famulor Billing node's usage/getSummary over a month, run by n8n-core's real
 * engine (axios through httpRequestWithAuthentication) against the sandbox WITH rate limiting on.
 * Counted at the sandbox: requests, bytes, 429s and the arrival time of each request.
 */
import { wallNow } from '../test/sandbox/hostClock';
import { executeNode } from '../test/helpers/engine';
import { Sandbox, type RateLimit } from '../test/sandbox/server';
import { CALLS_PER_PAGE, TZ, idealLastSendMs, loadNode, log, sandboxMonth, visibleCallsBetween } from './lib';

const { FamulorBilling } = loadNode<typeof import('../nodes/FamulorBilling/FamulorBilling.node')>(
	'nodes/FamulorBilling/FamulorBilling.node',
);

export interface IngestionResult {
	label: string;
	callsInMonth: number;
	limit: RateLimit;
	/** The limit is Famulor's own (100/min, 20/10 s), not a proportional scale of it. */
	realLimit: boolean;
	ceilingCallsPerMinute: number;
	elapsedMs: number;
	requests: number;
	status429: number;
	bytes: number;
	callsPerMinute: number;
	fractionOfCeiling: number;
	/** The same number of requests at the physical limit, first to last request (zero latency). */
	idealSpanMs: number;
	/** First to last request as they arrived at the sandbox. */
	actualSpanMs: number;
	/** idealSpanMs / actualSpanMs: how close the pacing comes to the limit for this many requests. */
	scheduleEfficiency: number | null;
	/** A sandbox-side count of the month equals the node's summed `calls`. */
	exact: boolean;
}

/** Saturday noon: 27.5 days of the month (Europe/Berlin) lie behind, 2.5 days ahead for the trigger polls. */
export const NOW = '2026-11-28T12:00:00Z';

/** Seeded calls over the 28 days before NOW give ≈ 0.98–0.99 × target in November (Europe/Berlin). */
export function seedFor(callsInMonth: number): number {
	return Math.round(callsInMonth * 1.02);
}

export async function startMonthSandbox(
	callsInMonth: number,
	rateLimit: RateLimit | false,
	seed = 1,
): Promise<Sandbox> {
	return Sandbox.start({ now: NOW, calls: seedFor(callsInMonth), days: 28, futureDays: 0, rateLimit, seed });
}

export async function measureIngestion(sandbox: Sandbox, label: string, limit: RateLimit): Promise<IngestionResult> {
	sandbox.setRateLimit(limit);
	const month = sandboxMonth(sandbox);
	const callsInMonth = visibleCallsBetween(sandbox, month.start, month.end);
	sandbox.resetStats();
	log(`ingestion ${label}: ${callsInMonth} calls in the month at ${limit.perMinute}/min, ${limit.perTenSeconds}/10 s`);
	const started = wallNow();
	const { output, error } = await executeNode({
		node: new FamulorBilling(),
		parameters: {
			resource: 'usage',
			operation: 'getSummary',
			period: 'custom',
			startDate: month.startDate,
			endDate: month.endDate,
			groupBy: 'day',
			options: { timezone: TZ },
		} as never,
		credentials: { apiKey: sandbox.apiKey, baseUrl: sandbox.url, currency: 'EUR', billingCycleDay: 1 },
		timezone: TZ,
	});
	const elapsedMs = wallNow() - started;
	if (error) throw new Error(`usage/getSummary failed: ${error.message}`);
	const summed = (output?.[0] ?? []).reduce((sum, item) => sum + Number(item.json.calls ?? 0), 0);
	const arrivals = sandbox.requestLog.map((entry) => entry.at);
	const requests = sandbox.stats.requests;
	const ceilingCallsPerMinute = limit.perMinute * CALLS_PER_PAGE;
	const callsPerMinute = callsInMonth / (elapsedMs / 60_000);
	const idealSpanMs = idealLastSendMs(requests, limit);
	const actualSpanMs = arrivals.length ? arrivals[arrivals.length - 1] - arrivals[0] : 0;
	const result: IngestionResult = {
		label,
		callsInMonth,
		limit,
		realLimit: limit.perMinute === 100 && limit.perTenSeconds === 20,
		ceilingCallsPerMinute,
		elapsedMs,
		requests,
		status429: sandbox.stats.status429,
		bytes: sandbox.stats.bytes,
		callsPerMinute,
		fractionOfCeiling: callsPerMinute / ceilingCallsPerMinute,
		idealSpanMs,
		actualSpanMs,
		scheduleEfficiency: idealSpanMs > 0 && actualSpanMs > 0 ? idealSpanMs / actualSpanMs : null,
		exact: summed === callsInMonth,
	};
	log(
		`ingestion ${label}: ${(elapsedMs / 1000).toFixed(1)} s, ${requests} requests, ${result.status429} × 429, ` +
			`${Math.round(callsPerMinute)} calls/min (${(result.fractionOfCeiling * 100).toFixed(1)} % of ` +
			`${ceilingCallsPerMinute}/min)`,
	);
	sandbox.setRateLimit(false);
	return result;
}
