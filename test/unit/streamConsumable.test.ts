/**
 * The stream reader's `consumable` option (src/triggers/stream.ts, passed through by track()): a
 * caller that takes calls no faster than it can use them. The read ends, caught up, at the first
 * call refused; that call and everything newer stay in the list for the next poll, which reads on
 * from there. Over the in-memory FakeApi in both sort orders.
 */
import { newStream, readStream, type StreamRead, type StreamState } from '../../src/triggers/stream';
import { newTracker, track, type TrackerState } from '../../src/triggers/tracker';
import type { Call } from '../../src/calls';
import { FakeApi, seedCalls } from './fakeApi';

const MINUTE = 60_000;
const ORDERS = ['desc', 'asc'] as const;

function apiWith(order: 'asc' | 'desc'): FakeApi {
	const api = new FakeApi();
	api.order = order;
	return api;
}

async function poll(
	api: FakeApi,
	state: StreamState,
	consumable?: (call: Call) => boolean,
): Promise<{ read: StreamRead; requests: number }> {
	const before = api.callRequests();
	const read = await readStream(api.client(), state, {
		query: {},
		known: () => false,
		hasTime: (requests = 1) => api.callRequests() - before + requests - 1 < 50,
		horizon: 0,
		consumable,
	});
	return { read, requests: api.callRequests() - before };
}

/** Oldest first by the list's own key. */
const sorted = (api: FakeApi) =>
	[...api.calls].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at) || a.id - b.id);

describe.each(ORDERS)('consumable, list sorted %s', (order) => {
	it('a cap of n calls a poll: each poll takes the n oldest calls not taken yet, caught up, each once', async () => {
		const api = apiWith(order);
		seedCalls(api, 1_050, Date.parse('2026-11-20T00:00:00Z'), MINUTE);
		let state = newStream();
		const taken: number[] = [];
		for (let polls = 1; polls <= 4; polls++) {
			let allowed = 300;
			const { read, requests } = await poll(api, state, () => allowed-- > 0);
			expect(read.caughtUp).toBe(true);
			expect(read.lost).toBe(false);
			expect(read.fresh).toHaveLength(Math.min(300, 1_050 - taken.length));
			// The new calls cost the requests (pages of 100, plus the page where it stopped).
			expect(requests).toBeLessThanOrEqual(2 + read.fresh.length / 100 + 1);
			taken.push(...read.fresh.map((f) => f.call.id));
			expect(taken).toEqual(
				sorted(api)
					.slice(0, taken.length)
					.map((c) => c.id),
			);
			expect(read.state.k).toBe(taken.length);
			state = read.state;
		}
		expect(new Set(taken).size).toBe(1_050);
		// Caught up and nothing new: one small request.
		const idle = await poll(api, state, () => true);
		expect(idle.read.fresh).toEqual([]);
		expect(idle.requests).toBe(1);
	});

	it('a time limit: calls created after it stay in the list until a later poll allows them', async () => {
		const api = apiWith(order);
		const start = Date.parse('2026-11-26T10:00:00Z');
		const calls = seedCalls(api, 240, start, 15_000); // one call every 15 s for an hour
		let state = newStream();
		const taken: number[] = [];
		for (const until of [start + 20 * MINUTE, start + 20 * MINUTE, start + 45 * MINUTE, start + 2 * 60 * MINUTE]) {
			const { read } = await poll(api, state, (call) => call.createdAt < until);
			expect(read.caughtUp).toBe(true);
			taken.push(...read.fresh.map((f) => f.call.id));
			expect(taken).toEqual(calls.filter((c) => Date.parse(c.created_at) < until).map((c) => c.id));
			state = read.state;
		}
		expect(taken).toHaveLength(240);
	});

	it('the refused call is asked about again on the next poll, and calls arriving meanwhile come after it', async () => {
		const api = apiWith(order);
		seedCalls(api, 130, Date.parse('2026-11-20T00:00:00Z'), MINUTE);
		let state = newStream();
		const first = await poll(api, state, (call) => call.id <= 100);
		expect(first.read.fresh.map((f) => f.call.id)).toEqual(
			sorted(api)
				.slice(0, 100)
				.map((c) => c.id),
		);
		state = first.read.state;
		const asked: number[] = [];
		seedCalls(api, 20, Date.parse('2026-11-26T00:00:00Z'), 1_000);
		const second = await poll(api, state, (call) => {
			asked.push(call.id);
			return true;
		});
		expect(asked[0]).toBe(101);
		expect(second.read.fresh.map((f) => f.call.id)).toEqual(
			sorted(api)
				.slice(100)
				.map((c) => c.id),
		);
		expect(second.read.caughtUp).toBe(true);
	});

	it("a page that carries another page's rows where the read stops is not taken", async () => {
		const api = apiWith(order);
		seedCalls(api, 450, Date.parse('2026-11-20T00:00:00Z'), MINUTE);
		let state = newStream();
		for (let i = 0; i < 10 && state.k < 450; i++) state = (await poll(api, state, () => true)).read.state;
		seedCalls(api, 250, Date.parse('2026-11-26T00:00:00Z'), 1_000);
		// Page 2 is answered once with the rows of page 1: in a newest-first list the 120 calls taken
		// end on it (positions 450–569: page 3, the anchor's, and page 2).
		let repeated = false;
		api.rowsOfPage = (page) => {
			if (page !== 2 || repeated) return page;
			repeated = true;
			return 1;
		};
		const taken: number[] = [];
		for (let polls = 0; polls < 6 && taken.length < 250; polls++) {
			let allowed = 120;
			const outcome: Awaited<ReturnType<typeof poll>> | Error = await poll(api, state, () => allowed-- > 0).catch(
				(error: Error) => error,
			);
			if (outcome instanceof Error) continue; // a typed failure keeps the state as it was
			taken.push(...outcome.read.fresh.map((f) => f.call.id));
			state = outcome.read.state;
		}
		expect(taken).toEqual(
			sorted(api)
				.slice(450)
				.map((c) => c.id),
		);
		if (order === 'desc') expect(repeated).toBe(true);
	});

	it('track() passes it to the reader', async () => {
		const api = apiWith(order);
		seedCalls(api, 50, Date.parse('2026-11-26T10:00:00Z'), MINUTE);
		let state: TrackerState = newTracker({});
		const now = Date.parse('2026-11-26T12:00:00Z');
		const hasTime = () => true;
		const first = await track(api.client(), state, {
			now,
			settleMs: 15 * MINUTE,
			hasTime,
			consumable: (call) => call.id <= 10,
		});
		expect(first.added.map((c) => c.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
		expect(first.caughtUp).toBe(true);
		state = first.state;
		const second = await track(api.client(), state, { now, settleMs: 15 * MINUTE, hasTime });
		expect(second.added.map((c) => c.id)).toEqual(Array.from({ length: 40 }, (_, i) => i + 11));
	});
});
