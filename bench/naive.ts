/**
 * The naive peer: what an n8n user builds without this package. A Schedule Trigger, an HTTP Request
 * node with pagination and a Code node that sums the month on every run:
 *
 *   HTTP Request  GET {baseUrl}/user/calls?date_from={{ $now.startOf('month').toISODate() }}
 *                 Authorization: Bearer <key>
 *                 Pagination: Update a Parameter in Each Request, query `page` = {{ $pageCount + 1 }},
 *                 Complete When: Other, {{ !$response.body.next_page_url }}
 *                 (no per_page: the API's default of 15; no interval between requests; no page limit)
 *   Code          return [{ json: { spend: $input.all().flatMap(i => i.json.data)
 *                   .reduce((s, c) => s + parseFloat(c.total_cost), 0) } }]
 *
 * Its request pattern is reproduced here exactly: page 1, 2, … of 15 calls until next_page_url is
 * null, re-reading the whole period each poll. Like the HTTP Request node, it stops at the first
 * non-2xx answer (n8n fails the execution).
 */
import type { Sandbox } from '../test/sandbox/server';

export interface NaivePoll {
	requests: number;
	bytes: number;
	calls: number;
	spend: number;
	/** The request that failed (1-based) and its status, when one did. */
	failed?: { request: number; status: number };
}

export async function naivePoll(sandbox: Sandbox, dateFrom: string): Promise<NaivePoll> {
	const before = { requests: sandbox.stats.requests, bytes: sandbox.stats.bytes };
	let calls = 0;
	let spend = 0;
	let failed: NaivePoll['failed'];
	for (let page = 1; ; page++) {
		const response = await fetch(`${sandbox.url}/user/calls?date_from=${dateFrom}&page=${page}`, {
			headers: { Authorization: `Bearer ${sandbox.apiKey}`, Accept: 'application/json' },
		});
		if (!response.ok) {
			await response.arrayBuffer();
			failed = { request: page, status: response.status };
			break;
		}
		const body = (await response.json()) as { data: Array<{ total_cost: string }>; next_page_url: string | null };
		for (const call of body.data) {
			calls++;
			spend += parseFloat(call.total_cost);
		}
		if (!body.next_page_url) break;
	}
	return {
		requests: sandbox.stats.requests - before.requests,
		bytes: sandbox.stats.bytes - before.bytes,
		calls,
		spend,
		failed,
	};
}
