/**
 * Reading the calls of a period through the in-memory FakeApi: exactly-once visits while pages shift
 * under new calls, in both sort orders; precise period bounds inside the widened API day range;
 * newestCalls' order, limit and request cost.
 *
 * The period used throughout is Berlin 1–8 Nov 2026 (custom, end exclusive):
 *   start 2026-10-31T23:00:00Z, end 2026-11-07T23:00:00Z; API days date_from 2026-10-30, date_to 2026-11-08.
 */
import { forEachCall, newestCalls, periodQuery, type PeriodScan } from '../../src/list/period';
import { resolvePeriod } from '../../src/periods';
import { FamulorApiError } from '../../src/errors';
import { FakeApi, seedCalls, type FakeCall } from './fakeApi';

const START = Date.parse('2026-10-31T23:00:00Z');
const END = Date.parse('2026-11-07T23:00:00Z');
const MINUTE = 60_000;
const STEP = 20 * MINUTE;

const period = resolvePeriod('custom', {
	now: Date.parse('2026-11-05T12:00:00Z'),
	timezone: 'Europe/Berlin',
	startDate: '2026-11-01',
	endDate: '2026-11-08',
});

const scan = (filters: PeriodScan['filters'] = {}): PeriodScan => ({ period, query: {}, filters });

const inPeriod = (c: FakeCall) => {
	const t = Date.parse(c.created_at);
	return t >= START && t < END;
};

const isoAt = (ms: number) => new Date(ms).toISOString();

function apiWith(order: 'asc' | 'desc'): FakeApi {
	const api = new FakeApi();
	api.order = order;
	return api;
}

async function visitCounts(api: FakeApi, s: PeriodScan = scan()): Promise<Map<number, number>> {
	const counts = new Map<number, number>();
	await forEachCall(api.client(), s, ({ call, raw }) => {
		expect(raw.id).toBe(call.id);
		counts.set(call.id, (counts.get(call.id) ?? 0) + 1);
	});
	return counts;
}

describe('the period and its API query', () => {
	it('resolves to the bounds the tests assume', () => {
		expect([period.startMs, period.endMs]).toEqual([START, END]);
		expect(periodQuery(scan())).toEqual({ from: '2026-10-30', to: '2026-11-08' });
	});
});

describe.each(['desc', 'asc'] as const)('forEachCall, list sorted %s', (order) => {
	it('visits exactly the calls of the period, excluding the widened days around it', async () => {
		const api = apiWith(order);
		// 28 Oct .. 11 Nov, every 20 minutes: 14 days × 72 calls.
		const calls = seedCalls(api, 14 * 72, Date.parse('2026-10-28T00:00:00Z'), STEP);
		const counts = await visitCounts(api);
		// 7 whole days of 72 calls lie in [START, END).
		expect(counts.size).toBe(7 * 72);
		expect([...counts.values()].every((n) => n === 1)).toBe(true);
		const expected = calls
			.filter(inPeriod)
			.map((c) => c.id)
			.sort((a, b) => a - b);
		expect([...counts.keys()].sort((a, b) => a - b)).toEqual(expected);
		// The start is inclusive, the end exclusive.
		const byTime = new Map(calls.map((c) => [Date.parse(c.created_at), c.id]));
		expect(counts.has(byTime.get(START) as number)).toBe(true);
		expect(counts.has(byTime.get(END - STEP) as number)).toBe(true);
		expect(counts.has(byTime.get(END) as number)).toBe(false);
		expect(counts.has(byTime.get(START - STEP) as number)).toBe(false);
		// Every request asked for the widened days, at most 100 per page (the first one 100).
		for (const request of api.requests) {
			expect(request.query).toMatchObject({ date_from: '2026-10-30', date_to: '2026-11-08' });
			expect(Number(request.query?.per_page)).toBeLessThanOrEqual(100);
		}
		expect(api.requests[0]?.query).toMatchObject({ per_page: 100, page: 1 });
	});

	it('visits each call once while new calls arrive between page requests', async () => {
		const api = apiWith(order);
		// History up to "now" (5 Nov 11:40 UTC): 28 Oct .. 5 Nov, every 20 minutes.
		const initial = seedCalls(api, 612, Date.parse('2026-10-28T00:00:00Z'), STEP);
		const arrived: FakeCall[] = [];
		let clock = Date.parse('2026-11-05T12:00:00Z');
		api.beforeAnswer = (requestNumber) => {
			if (requestNumber < 2) return;
			for (let i = 0; i < 7; i++) {
				clock += 5_000;
				arrived.push(api.add({ created_at: isoAt(clock) }));
			}
		};
		const counts = await visitCounts(api);
		expect(api.callRequests()).toBeGreaterThan(2);
		expect(arrived.length).toBeGreaterThan(0);
		// Never twice.
		expect([...counts.entries()].filter(([, n]) => n !== 1)).toEqual([]);
		// Every call that existed when the scan started and lies in the period was visited.
		const initialInPeriod = initial.filter(inPeriod).map((c) => c.id);
		// 31 Oct 23:00 .. 5 Nov 11:40 UTC: 4 days 12h 40m = 326 calls of 20 minutes, plus the one at 23:00.
		expect(initialInPeriod).toHaveLength(327);
		expect(initialInPeriod.filter((id) => !counts.has(id))).toEqual([]);
		// Nothing outside the period, nothing invented.
		const known = new Map([...initial, ...arrived].map((c) => [c.id, c]));
		for (const id of counts.keys()) {
			expect(known.has(id)).toBe(true);
			expect(inPeriod(known.get(id) as FakeCall)).toBe(true);
		}
	});

	it('re-checks filters locally', async () => {
		const api = apiWith(order);
		seedCalls(api, 300, Date.parse('2026-11-02T00:00:00Z'), MINUTE, { assistant_name: 'Sales' });
		const support = seedCalls(api, 40, Date.parse('2026-11-02T00:00:30Z'), MINUTE, { assistant_name: 'Support' });
		const counts = await visitCounts(api, scan({ assistantName: 'Support' }));
		expect([...counts.keys()].sort((a, b) => a - b)).toEqual(support.map((c) => c.id));
	});

	it('an empty list costs one request', async () => {
		const api = apiWith(order);
		const counts = await visitCounts(api);
		expect(counts.size).toBe(0);
		expect(api.callRequests()).toBe(1);
	});
});

describe.each(['desc', 'asc'] as const)('newestCalls, list sorted %s', (order) => {
	function seedUpToNow(api: FakeApi): FakeCall[] {
		// 28 Oct 00:00 .. 5 Nov 11:40 UTC every 20 minutes; the API's days show 30 Oct onwards: 468 calls.
		return seedCalls(api, 612, Date.parse('2026-10-28T00:00:00Z'), STEP);
	}

	const newestFirst = (calls: FakeCall[]) =>
		calls
			.filter(inPeriod)
			.sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at) || b.id - a.id)
			.map((c) => c.id);

	it('returns the newest calls of the period, newest first, in at most 2 requests', async () => {
		const api = apiWith(order);
		const calls = seedUpToNow(api);
		const found = await newestCalls(api.client(), scan(), 5);
		expect(found.map((f) => f.call.id)).toEqual(newestFirst(calls).slice(0, 5));
		expect(found[0].call.createdAt).toBe(Date.parse('2026-11-05T11:40:00Z'));
		expect(found.every((f) => f.raw.id === f.call.id)).toBe(true);
		expect(api.callRequests()).toBeLessThanOrEqual(2);
	});

	it('honours a limit larger than a page', async () => {
		const api = apiWith(order);
		const calls = seedUpToNow(api);
		const found = await newestCalls(api.client(), scan(), 150);
		expect(found.map((f) => f.call.id)).toEqual(newestFirst(calls).slice(0, 150));
	});

	it('returns all calls of the period when the limit exceeds them, never calls outside it', async () => {
		const api = apiWith(order);
		const calls = seedUpToNow(api);
		const found = await newestCalls(api.client(), scan(), 10_000);
		expect(found.map((f) => f.call.id)).toEqual(newestFirst(calls));
		expect(found).toHaveLength(327);
	});

	it('excludes calls after the end of the period that the API days include', async () => {
		const api = apiWith(order);
		// 7 Nov 20:00 .. 8 Nov 03:40 UTC: the period ends at 23:00.
		const calls = seedCalls(api, 24, Date.parse('2026-11-07T20:00:00Z'), STEP);
		const found = await newestCalls(api.client(), scan(), 3);
		expect(found.map((f) => f.call.createdAt)).toEqual([
			Date.parse('2026-11-07T22:40:00Z'),
			Date.parse('2026-11-07T22:20:00Z'),
			Date.parse('2026-11-07T22:00:00Z'),
		]);
		expect(found.map((f) => f.call.id)).toEqual(newestFirst(calls).slice(0, 3));
	});
});

describe('newestCalls request cost when the newest page is short', () => {
	// 403 calls: in an oldest-first list the last page holds only the 3 newest calls.
	function seed403(api: FakeApi): FakeCall[] {
		return seedCalls(api, 403, Date.parse('2026-11-02T00:00:00Z'), MINUTE);
	}

	it('newest first: one request', async () => {
		const api = apiWith('desc');
		const calls = seed403(api);
		const found = await newestCalls(api.client(), scan(), 5);
		expect(found.map((f) => f.call.id)).toEqual(
			calls
				.slice(-5)
				.reverse()
				.map((c) => c.id),
		);
		expect(api.callRequests()).toBe(1);
	});

	it('oldest first: still the right calls', async () => {
		const api = apiWith('asc');
		const calls = seed403(api);
		const found = await newestCalls(api.client(), scan(), 5);
		expect(found.map((f) => f.call.id)).toEqual(
			calls
				.slice(-5)
				.reverse()
				.map((c) => c.id),
		);
	});

	// An oldest-first list whose last page of 100 holds fewer than `limit` calls (403 calls): the
	// newest calls are fetched with a page size whose last page holds them all.
	it('oldest first: at most 2 requests for a limit of 5', async () => {
		const api = apiWith('asc');
		seed403(api);
		await newestCalls(api.client(), scan(), 5);
		expect(api.callRequests()).toBeLessThanOrEqual(2);
	});
});

describe.each(['desc', 'asc'] as const)(
	'drifted paginators, list sorted %s: exact or a typed error, never short',
	(order) => {
		const totalOf = (calls: FakeCall[]) => calls.filter(inPeriod).length;

		async function outcome(drift: FakeApi['drift']): Promise<{ visited: number; expected: number; error?: unknown }> {
			const api = apiWith(order);
			const calls = seedCalls(api, 7 * 72, Date.parse('2026-11-01T00:00:00Z'), STEP);
			api.drift = drift;
			let visited = 0;
			try {
				await forEachCall(api.client(), scan(), () => visited++);
				return { visited, expected: totalOf(calls) };
			} catch (error) {
				return { visited, expected: totalOf(calls), error };
			}
		}

		it('a per_page cap the server reports is used: every call, exactly once', async () => {
			const result = await outcome('cap-per-page');
			expect(result.error).toBeUndefined();
			expect(result.visited).toBe(result.expected);
		});

		it.each([
			['short-page', /page 1 of the calls has 15 rows, but per_page is 100 and it is not the last page/],
			['lying-last-page', /page 1 of the calls reports last_page 1, but total \d+ at 100 a page makes \d/],
			[
				'lying-total',
				/page \d+ of the calls has \d+ rows, but (total \d+ leaves \d+ for it|per_page is \d+ and it is not the last page)/,
			],
			// Page 1's rows for any page: caught where they claim to be the end of the list.
			['ignore-page', /page \d+ of the calls has \d+ rows, but total \d+ leaves \d+ for it/],
		] as const)('%s fails with an `incomplete` error naming it', async (drift, message) => {
			const result = await outcome(drift);
			expect(result.error).toBeInstanceOf(FamulorApiError);
			expect((result.error as FamulorApiError).kind).toBe('incomplete');
			expect((result.error as FamulorApiError).message).toMatch(/^Famulor's call list cannot be proven complete: /);
			expect((result.error as FamulorApiError).message).toMatch(message);
			expect((result.error as FamulorApiError).fix).toMatch(/no total is short/);
		});

		it('calls deleted behind the read shift the pages after it: none of the rest skipped or read twice', async () => {
			const api = apiWith(order);
			seedCalls(api, 7 * 72, Date.parse('2026-11-01T00:00:00Z'), STEP);
			// Between page 1 and page 2, calls the read already passed disappear: later pages shift by 5 rows.
			api.beforeAnswer = (n) => {
				if (n === 2) api.calls.splice(order === 'desc' ? api.calls.length - 5 : 0, 5);
			};
			const counts = await visitCounts(api);
			expect([...counts.values()].every((n) => n === 1)).toBe(true);
			for (const call of api.calls.filter(inPeriod)) expect(counts.get(call.id)).toBe(1);
		});

		it('newestCalls: adapts to a reported cap, fails typed on a lying last page', async () => {
			const api = apiWith(order);
			const calls = seedCalls(api, 403, Date.parse('2026-11-02T00:00:00Z'), MINUTE);
			api.drift = 'cap-per-page';
			const found = await newestCalls(api.client(), scan(), 120);
			expect(found.map((f) => f.call.id)).toEqual(
				calls
					.slice(-120)
					.reverse()
					.map((c) => c.id),
			);
			api.drift = 'lying-last-page';
			const error = await newestCalls(api.client(), scan(), 120).catch((e: unknown) => e);
			expect((error as FamulorApiError).kind).toBe('incomplete');
		});
	},
);

describe('memory: the period reader keeps one second of ids, not every id', () => {
	/** The largest Set of ids held at any moment of a read of `days` days of calls. */
	async function peakIds(days: number): Promise<number> {
		const api = apiWith('desc');
		seedCalls(api, days * 72, Date.parse('2026-11-01T00:00:00Z'), STEP);
		let peak = 0;
		const originalAdd = Set.prototype.add;
		Set.prototype.add = function (this: Set<unknown>, value: unknown) {
			const result = originalAdd.call(this, value) as Set<unknown>;
			peak = Math.max(peak, this.size);
			return result as never;
		};
		try {
			await forEachCall(api.client(), scan(), () => undefined);
		} finally {
			Set.prototype.add = originalAdd;
		}
		return peak;
	}

	it('a week of calls and three days of calls need the same memory (one answer of ids at most)', async () => {
		const week = await peakIds(7);
		const days = await peakIds(3);
		expect(week).toBe(days);
		expect(week).toBeLessThanOrEqual(100);
	});
});
