/**
 * The triggers' incremental reader (src/triggers/stream.ts) and the tracker on top of it
 * (src/triggers/tracker.ts), over the in-memory FakeApi in both sort orders.
 *
 * Invariants checked: every call is consumed exactly once across polls (baseline or steady state,
 * with calls arriving between polls and between page requests); a poll's requests grow with the new
 * calls, not with the list (≤ 2 + new/100); a changed unsettled call is reported as one update; a
 * deleted old call or a late-inserted recent call never causes double counting.
 */
import { matchesFilters, normalizeCall, type Call } from '../../src/calls';
import { callSchema } from '../../src/schemas';
import { newStream, readStream, type StreamRead, type StreamState } from '../../src/triggers/stream';
import {
	countedCall,
	newTracker,
	track,
	watchedOf,
	type TrackerChanges,
	type TrackerState,
} from '../../src/triggers/tracker';
import { FakeApi, seedCalls, type FakeCall } from './fakeApi';

const MINUTE = 60_000;
const NOW = Date.parse('2026-11-26T12:00:00Z');
const ORDERS = ['desc', 'asc'] as const;

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

function apiWith(order: 'asc' | 'desc'): FakeApi {
	const api = new FakeApi();
	api.order = order;
	return api;
}

/** Newest call of the list by the API's own sort key (created_at, then id). */
function newest(api: FakeApi): FakeCall {
	return [...api.calls].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at) || b.id - a.id)[0];
}

/** One poll of the bare stream, allowing `budget` requests (as counted by the fake API; always bounded,
 * so that a reader that makes no progress cannot spin forever). */
async function poll(api: FakeApi, state: StreamState, budget = 50): Promise<{ read: StreamRead; requests: number }> {
	const before = api.callRequests();
	const read = await readStream(api.client(), state, {
		query: {},
		known: () => false,
		hasTime: (requests = 1) => api.callRequests() - before + requests - 1 < budget,
		horizon: 0,
	});
	const requests = api.callRequests() - before;
	expect(read.requests).toBe(requests);
	return { read, requests };
}

/** Baselines the stream without interference, returns the caught-up state. */
async function baseline(api: FakeApi): Promise<StreamState> {
	let state = newStream();
	for (let i = 0; i < 100; i++) {
		const { read } = await poll(api, state);
		state = read.state;
		if (read.caughtUp) return state;
	}
	throw new Error('baseline did not catch up');
}

const ids = (read: StreamRead) => read.fresh.map((f) => f.call.id);

describe.each(ORDERS)('stream baseline, list sorted %s', (order) => {
	/**
	 * Baselines 1,234 calls over polls of `budget` requests. Calls arrive between polls (10) and,
	 * while `arriving`, before the page requests selected by `arrivesBefore` (3 each). After every
	 * poll the consumed calls must be exactly the k oldest calls of the list, each consumed once.
	 */
	async function runBaseline(budget: number, arrivesBefore: (requestNumber: number) => boolean, maxPolls: number) {
		const api = apiWith(order);
		seedCalls(api, 1_234, Date.parse('2026-11-20T00:00:00Z'), MINUTE);
		let clock = Date.parse('2026-11-26T00:00:00Z');
		const arrive = (n: number) => {
			for (let i = 0; i < n; i++) {
				clock += 1_000;
				api.add({ created_at: iso(clock) });
			}
		};
		let arriving = true;
		api.beforeAnswer = (requestNumber) => {
			if (arriving && arrivesBefore(requestNumber)) arrive(3);
		};
		const counts = new Map<number, number>();
		let state = newStream();
		let polls = 0;
		let caughtUp = false;
		for (; polls < maxPolls && !caughtUp; polls++) {
			const { read, requests } = await poll(api, state, budget);
			expect(read.lost).toBe(false);
			// The budget, plus at most one request after it ran out (the order probe or a final check).
			expect(requests).toBeLessThanOrEqual(budget + 1);
			for (const { call } of read.fresh) counts.set(call.id, (counts.get(call.id) ?? 0) + 1);
			state = read.state;
			// Consumed so far: exactly the k oldest calls, once each.
			const oldest = [...api.calls]
				.sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at) || a.id - b.id)
				.slice(0, state.k)
				.map((c) => c.id);
			expect([...counts.keys()].sort((a, b) => a - b)).toEqual(oldest.sort((a, b) => a - b));
			expect([...counts.values()].every((n) => n === 1)).toBe(true);
			if (read.caughtUp && !arriving) caughtUp = true;
			if (read.caughtUp) arriving = false;
			if (arriving) arrive(10);
		}
		return { api, state, counts, polls, caughtUp };
	}

	it('consumes every call exactly once over several short polls while calls keep arriving', async () => {
		// 3 calls arrive before every 4th page request.
		const { api, state, counts, polls, caughtUp } = await runBaseline(6, (n) => n % 4 === 0, 40);
		expect(caughtUp).toBe(true);
		expect(polls).toBeGreaterThan(3); // it really took several polls
		expect(api.calls.length).toBeGreaterThan(1_234 + 20);
		expect(counts.size).toBe(api.calls.length);
		const top = newest(api);
		expect(state).toEqual({
			order: order === 'desc' ? -1 : 1,
			k: api.calls.length,
			anchorId: top.id,
			newestAt: Date.parse(top.created_at),
			perPage: 100,
			total: api.calls.length,
			grew: expect.any(Number),
			quiet: expect.any(Boolean),
		});
	});

	// Regression (newest-first lists): reading toward the newest end, the next position is always the
	// last row of the next page, so a call arriving before that request pushed it back onto the page
	// just read; the reader then advanced only by the arrivals and never caught up. The shifted page
	// is now kept and used after the few rows below it.
	it('catches up while a call arrives before every page request', async () => {
		const { caughtUp, counts, api } = await runBaseline(6, () => true, 40);
		expect(caughtUp).toBe(true);
		expect(counts.size).toBe(api.calls.length);
	});

	it('reports fresh calls oldest first with their positions from the oldest end', async () => {
		const api = apiWith(order);
		const calls = seedCalls(api, 250, Date.parse('2026-11-20T00:00:00Z'), MINUTE);
		const { read } = await poll(api, newStream());
		expect(read.caughtUp).toBe(true);
		expect(read.total).toBe(250);
		expect(read.fresh.map((f) => [f.position, f.call.id])).toEqual(calls.map((c, index) => [index, c.id]));
	});

	it('an empty list and a list of one', async () => {
		const api = apiWith(order);
		const empty = await poll(api, newStream());
		expect(empty.read.fresh).toEqual([]);
		expect(empty.read.caughtUp).toBe(true);
		const only = api.add({ created_at: '2026-11-25T10:00:00Z' });
		const one = await poll(api, empty.read.state);
		expect(ids(one.read)).toEqual([only.id]);
		const second = api.add({ created_at: '2026-11-25T11:00:00Z' });
		const two = await poll(api, one.read.state);
		expect(ids(two.read)).toEqual([second.id]);
		const again = await poll(api, two.read.state);
		expect(again.read.fresh).toEqual([]);
	});
});

describe.each(ORDERS)('stream steady state, list sorted %s', (order) => {
	it('0 new calls cost 1 request; 250 new calls at most 4', async () => {
		const api = apiWith(order);
		seedCalls(api, 450, Date.parse('2026-11-20T00:00:00Z'), MINUTE);
		let state = await baseline(api);

		const idle = await poll(api, state);
		expect(idle.requests).toBe(1);
		expect(idle.read.fresh).toEqual([]);
		expect(idle.read.caughtUp).toBe(true);
		state = idle.read.state;

		const added = seedCalls(api, 250, Date.parse('2026-11-26T00:00:00Z'), 1_000);
		const busy = await poll(api, state);
		expect(busy.requests).toBeLessThanOrEqual(2 + 250 / 100);
		expect(ids(busy.read)).toEqual(added.map((c) => c.id));
		expect(busy.read.caughtUp).toBe(true);
		expect(busy.read.state.k).toBe(700);
	});

	it('new calls arriving between the page requests of a steady poll are counted once', async () => {
		const api = apiWith(order);
		seedCalls(api, 300, Date.parse('2026-11-20T00:00:00Z'), MINUTE);
		let state = await baseline(api);
		const counts = new Map<number, number>();
		let clock = Date.parse('2026-11-26T00:00:00Z');
		let pollStart = 0;
		let arriving = true;
		// 5 calls arrive before each of the first two page requests of every poll.
		api.beforeAnswer = (requestNumber) => {
			if (!arriving || requestNumber - pollStart > 2) return;
			for (let i = 0; i < 5; i++) api.add({ created_at: iso((clock += 1_000)) });
		};
		for (let i = 0; i < 6; i++) {
			seedCalls(api, 130, (clock += 200_000), 1_000);
			clock += 200_000;
			pollStart = api.requests.length;
			const { read } = await poll(api, state);
			read.fresh.forEach(({ call }) => counts.set(call.id, (counts.get(call.id) ?? 0) + 1));
			state = read.state;
		}
		arriving = false;
		const { read } = await poll(api, state);
		read.fresh.forEach(({ call }) => counts.set(call.id, (counts.get(call.id) ?? 0) + 1));
		expect(read.caughtUp).toBe(true);
		expect([...counts.values()].every((n) => n === 1)).toBe(true);
		expect(counts.size).toBe(api.calls.length - 300);
		expect(counts.size).toBe(6 * (130 + 10));
	});
});

describe.each(ORDERS)('quiet polls and page sizes, list sorted %s', (order) => {
	const sizes = (api: FakeApi, from: number) =>
		api.requests
			.slice(from)
			.filter((r) => r.path === '/user/calls')
			.map((r) => Number(r.query?.per_page));

	it('a poll after a quiet one asks for a probe of 5 rows; a few new calls come in it, more in full pages', async () => {
		const api = apiWith(order);
		seedCalls(api, 450, Date.parse('2026-11-20T00:00:00Z'), MINUTE);
		let state = await baseline(api);
		const first = await poll(api, state);
		expect(first.read.state.quiet).toBe(true);
		state = first.read.state;

		let from = api.requests.length;
		const quiet = await poll(api, state);
		expect(sizes(api, from)).toEqual([5]);
		expect(quiet.read.caughtUp).toBe(true);
		expect(quiet.read.state.quiet).toBe(true);
		state = quiet.read.state;

		from = api.requests.length;
		const few = seedCalls(api, 4, Date.parse('2026-11-26T00:00:00Z'), 1_000);
		const small = await poll(api, state);
		// Newest first, the probe is page 1: the anchor and the 4 newest calls. Oldest first, pages of 5
		// start at multiples of 5: the anchor's page may end before the last new call.
		if (order === 'desc') expect(sizes(api, from)).toEqual([5]);
		else expect(sizes(api, from)).toEqual(sizes(api, from).length === 1 ? [5] : [5, 100]);
		expect(ids(small.read)).toEqual(few.map((c) => c.id));
		expect(small.read.state.quiet).toBe(false);
		state = small.read.state;

		// After a poll that found calls, the next starts with a full page.
		from = api.requests.length;
		const many = seedCalls(api, 30, Date.parse('2026-11-26T01:00:00Z'), 1_000);
		const full = await poll(api, state);
		expect(sizes(api, from)).toEqual([100]);
		expect(ids(full.read)).toEqual(many.map((c) => c.id));
		state = (await poll(api, full.read.state)).read.state;

		// A burst after a quiet poll: the probe, then full pages (one more request than without it) — in a
		// newest-first list each of the size, from 50 to 100 rows, that reaches furthest toward the newest end.
		from = api.requests.length;
		const burst = seedCalls(api, 130, Date.parse('2026-11-26T02:00:00Z'), 1_000);
		const busy = await poll(api, state);
		expect(sizes(api, from)[0]).toBe(5);
		expect(
			sizes(api, from)
				.slice(1)
				.every((size) => (order === 'asc' ? size === 100 : size >= 50 && size <= 100)),
		).toBe(true);
		expect(busy.requests).toBeLessThanOrEqual(2 + 130 / 100 + 1);
		expect(ids(busy.read)).toEqual(burst.map((c) => c.id));
	});

	it('a server that pages by 50 whatever is asked: the reader uses 50 and remembers it', async () => {
		const api = apiWith(order);
		api.drift = 'cap-per-page';
		const calls = seedCalls(api, 430, Date.parse('2026-11-20T00:00:00Z'), MINUTE);
		const counts = new Map<number, number>();
		let state = newStream();
		for (let i = 0; i < 20 && !(state.k === api.calls.length && state.quiet); i++) {
			const { read } = await poll(api, state);
			for (const { call } of read.fresh) counts.set(call.id, (counts.get(call.id) ?? 0) + 1);
			state = read.state;
		}
		expect(state.perPage).toBe(50);
		expect(counts.size).toBe(calls.length);
		expect([...counts.values()].every((n) => n === 1)).toBe(true);
		const added = seedCalls(api, 70, Date.parse('2026-11-26T00:00:00Z'), 1_000);
		const from = api.requests.length;
		const { read, requests } = await poll(api, state);
		expect(ids(read)).toEqual(added.map((c) => c.id));
		expect(requests).toBeLessThanOrEqual(3);
		expect(
			sizes(api, from)
				.slice(1)
				.every((size) => (order === 'asc' ? size === 50 : size >= 25 && size <= 50)),
		).toBe(true);
	});

	it.each(['short-page', 'lying-last-page', 'lying-total'] as const)(
		'%s: the poll fails typed, nothing counted',
		async (drift) => {
			const api = apiWith(order);
			seedCalls(api, 430, Date.parse('2026-11-20T00:00:00Z'), MINUTE);
			api.drift = drift;
			const error = await readStream(api.client(), newStream(), {
				query: {},
				known: () => false,
				hasTime: () => true,
				horizon: 0,
			}).catch((e: unknown) => e);
			expect(error).toMatchObject({ name: 'FamulorApiError', kind: 'incomplete' });
		},
	);
});

describe.each(ORDERS)('stream over 100,000 calls, list sorted %s', (order) => {
	it('a caught-up poll costs 1 request, 250 new calls at most 4', async () => {
		const api = apiWith(order);
		seedCalls(api, 100_000, Date.parse('2026-06-01T00:00:00Z'), MINUTE);
		// The state a completed baseline leaves (checked by the baseline test above): all consumed,
		// anchored at the newest call.
		const top = newest(api);
		let state: StreamState = {
			order: order === 'desc' ? -1 : 1,
			k: 100_000,
			anchorId: top.id,
			newestAt: Date.parse(top.created_at),
			perPage: 100,
			total: 100_000,
			grew: 0,
			quiet: false,
		};

		const idle = await poll(api, state);
		expect(idle.requests).toBe(1);
		expect(idle.read.fresh).toEqual([]);
		expect(idle.read.caughtUp).toBe(true);
		expect(idle.read.lost).toBe(false);
		state = idle.read.state;

		const added = seedCalls(api, 250, Date.parse('2026-11-26T00:00:00Z'), 1_000);
		const busy = await poll(api, state);
		expect(busy.requests).toBeLessThanOrEqual(2 + 250 / 100);
		expect(ids(busy.read)).toEqual(added.map((c) => c.id));
		expect(busy.read.fresh.map((f) => f.position)).toEqual(added.map((_, i) => 100_000 + i));
		expect(busy.read.state.k).toBe(100_250);
		expect(busy.read.state.anchorId).toBe(added[249].id);
	});
});

describe.each(ORDERS)('deleted calls, list sorted %s', (order) => {
	it('a deleted old call: the stream follows the anchor and counts only the new calls', async () => {
		const api = apiWith(order);
		const calls = seedCalls(api, 350, Date.parse('2026-11-20T00:00:00Z'), MINUTE);
		let state = await baseline(api);
		// Delete three old calls (they were counted already).
		for (const gone of [calls[5], calls[6], calls[200]]) api.calls.splice(api.calls.indexOf(gone), 1);
		const added = seedCalls(api, 4, Date.parse('2026-11-26T00:00:00Z'), 1_000);
		const { read } = await poll(api, state);
		expect(read.lost).toBe(false);
		expect(ids(read)).toEqual(added.map((c) => c.id));
		expect(read.state.k).toBe(351);
		expect(read.state.anchorId).toBe(added[3].id);
		state = read.state;
		const idle = await poll(api, state);
		expect(idle.read.fresh).toEqual([]);
		expect(idle.read.caughtUp).toBe(true);
		expect(idle.requests).toBe(1);
	});

	it('a deleted anchor is reported as lost (the caller re-baselines)', async () => {
		const api = apiWith(order);
		seedCalls(api, 120, Date.parse('2026-11-20T00:00:00Z'), MINUTE);
		const state = await baseline(api);
		api.calls.splice(
			api.calls.findIndex((c) => c.id === state.anchorId),
			1,
		);
		api.add({ created_at: '2026-11-26T00:00:00Z' });
		const { read } = await poll(api, state);
		expect(read.lost).toBe(true);
		expect(read.caughtUp).toBe(false);
	});
});

/** Runs tracker polls and keeps a running total the way the triggers do: added + (after − before). */
class Tracking {
	state: TrackerState = newTracker({});
	total = 0;
	addedCount = new Map<number, number>();
	updates: Array<{ before: Call; after: Call }> = [];

	constructor(private readonly api: FakeApi) {}

	async poll(now: number, settleMs = 15 * MINUTE): Promise<TrackerChanges> {
		// A generous but bounded budget, so that a reader making no progress cannot spin forever.
		const before = this.api.callRequests();
		const hasTime = (requests = 1) => this.api.callRequests() - before + requests - 1 < 50;
		const changes = await track(this.api.client(), this.state, { now, settleMs, hasTime });
		expect(changes.lost).toBe(false);
		for (const call of changes.added) {
			this.addedCount.set(call.id, (this.addedCount.get(call.id) ?? 0) + 1);
			this.total += call.totalCost;
		}
		for (const update of changes.updated) {
			this.updates.push(update);
			this.total += update.after.totalCost - update.before.totalCost;
		}
		this.state = changes.state;
		return changes;
	}
}

/** Exact units of the costs currently in the fake list (strings with 8 decimals). */
function listTotal(api: FakeApi): number {
	return api.calls.reduce((sum, c) => sum + Math.round(Number(String(c.total_cost).replace('.', ''))), 0);
}

describe.each(ORDERS)('tracker, list sorted %s', (order) => {
	it('an unsettled call re-read later with a new cost is updated exactly once per change', async () => {
		const api = apiWith(order);
		seedCalls(api, 300, Date.parse('2026-11-20T00:00:00Z'), MINUTE, { total_cost: '0.10000000' });
		const live = api.add({
			created_at: iso(NOW - 10 * MINUTE),
			status: 'in-progress',
			total_cost: '0.05000000',
			duration: 20,
		});
		api.add({ created_at: iso(NOW - 9 * MINUTE), total_cost: '0.20000000' });
		const tracking = new Tracking(api);

		const first = await tracking.poll(NOW);
		expect(first.added).toHaveLength(302);
		expect(first.updated).toEqual([]);
		expect(first.caughtUp).toBe(true);

		// Nothing changed: nothing reported.
		const quiet = await tracking.poll(NOW + MINUTE);
		expect([quiet.added, quiet.updated]).toEqual([[], []]);

		// The call ends with its final cost.
		live.status = 'completed';
		live.total_cost = '0.31000000';
		live.duration = 185;
		const settled = await tracking.poll(NOW + 2 * MINUTE);
		expect(settled.added).toEqual([]);
		expect(settled.updated).toHaveLength(1);
		const [{ before, after }] = settled.updated;
		expect([before.id, before.status, before.totalCost, before.durationSeconds]).toEqual([
			live.id,
			'in-progress',
			5_000_000,
			20,
		]);
		expect([after.id, after.status, after.totalCost, after.durationSeconds]).toEqual([
			live.id,
			'completed',
			31_000_000,
			185,
		]);

		// Later polls do not report it again, while new calls still arrive.
		const later = api.add({ created_at: iso(NOW + 3 * MINUTE) });
		const next = await tracking.poll(NOW + 4 * MINUTE);
		expect(next.added.map((c) => c.id)).toEqual([later.id]);
		expect(next.updated).toEqual([]);
		const last = await tracking.poll(NOW + 5 * MINUTE);
		expect([last.added, last.updated]).toEqual([[], []]);

		expect(tracking.updates).toHaveLength(1);
		expect([...tracking.addedCount.values()].every((n) => n === 1)).toBe(true);
		expect(tracking.addedCount.size).toBe(api.calls.length);
		// Every call counted once, at its latest cost.
		expect(tracking.total).toBe(listTotal(api));
	});

	it('a cost that changes twice is reported twice, each change once', async () => {
		const api = apiWith(order);
		seedCalls(api, 150, Date.parse('2026-11-20T00:00:00Z'), MINUTE);
		const live = api.add({ created_at: iso(NOW - 5 * MINUTE), status: 'in-progress', total_cost: '0.01000000' });
		const tracking = new Tracking(api);
		await tracking.poll(NOW);
		live.total_cost = '0.04000000';
		expect((await tracking.poll(NOW + MINUTE)).updated).toHaveLength(1);
		expect((await tracking.poll(NOW + 2 * MINUTE)).updated).toHaveLength(0);
		live.total_cost = '0.09000000';
		live.status = 'ended';
		expect((await tracking.poll(NOW + 3 * MINUTE)).updated).toHaveLength(1);
		expect((await tracking.poll(NOW + 4 * MINUTE)).updated).toHaveLength(0);
		expect(tracking.total).toBe(listTotal(api));
	});

	it('a late-inserted recent call is counted once', async () => {
		const api = apiWith(order);
		seedCalls(api, 200, Date.parse('2026-11-20T00:00:00Z'), MINUTE);
		// Recent calls, one a minute over the last 10 minutes.
		seedCalls(api, 10, NOW - 10 * MINUTE, MINUTE);
		const tracking = new Tracking(api);
		const first = await tracking.poll(NOW);
		expect(first.added).toHaveLength(210);

		// A call created 4.5 minutes ago shows up only now, below the newest calls.
		const late = api.add({ created_at: iso(NOW - 4.5 * MINUTE), total_cost: '0.77000000' });
		const second = await tracking.poll(NOW + MINUTE);
		expect(second.added.map((c) => c.id)).toEqual([late.id]);
		expect(second.updated).toEqual([]);

		// Together with a new call, later.
		const fresh = api.add({ created_at: iso(NOW + 1.5 * MINUTE) });
		const third = await tracking.poll(NOW + 2 * MINUTE);
		expect(third.added.map((c) => c.id)).toEqual([fresh.id]);
		const fourth = await tracking.poll(NOW + 3 * MINUTE);
		expect([fourth.added, fourth.updated]).toEqual([[], []]);

		expect([...tracking.addedCount.values()].every((n) => n === 1)).toBe(true);
		expect(tracking.addedCount.size).toBe(api.calls.length);
		expect(tracking.total).toBe(listTotal(api));
	});

	it('a deleted old call does not disturb the tracker', async () => {
		const api = apiWith(order);
		const calls = seedCalls(api, 260, Date.parse('2026-11-20T00:00:00Z'), MINUTE);
		const tracking = new Tracking(api);
		await tracking.poll(NOW);
		api.calls.splice(api.calls.indexOf(calls[10]), 1);
		const added = seedCalls(api, 3, NOW + 10_000, 10_000);
		const changes = await tracking.poll(NOW + MINUTE);
		expect(changes.added.map((c) => c.id)).toEqual(added.map((c) => c.id));
		expect(changes.updated).toEqual([]);
		expect([...tracking.addedCount.values()].every((n) => n === 1)).toBe(true);
	});
});

describe.each(ORDERS)('tracker with a watch list wider than a page, list sorted %s', (order) => {
	// A busy account: 150 calls within the settle window (one every 20 s over the last 50 minutes) so
	// the calls that are re-read span two pages of 100.
	function busyAccount(api: FakeApi): FakeCall[] {
		seedCalls(api, 120, Date.parse('2026-11-20T00:00:00Z'), MINUTE);
		return seedCalls(api, 150, NOW - 50 * MINUTE, 20_000, { status: 'in-progress', total_cost: '0.01000000' });
	}

	// Regression: readStream once jumped from the first re-read page straight to position k, so watched
	// calls on the pages between `rereadFrom` and k−1 were not re-read (their updates came late or never).
	it('every watched call that changes is updated in the next poll', async () => {
		const api = apiWith(order);
		const recent = busyAccount(api);
		const tracking = new Tracking(api);
		await tracking.poll(NOW, 60 * MINUTE);
		for (const call of recent) {
			call.status = 'completed';
			call.total_cost = '0.02000000';
		}
		const changes = await tracking.poll(NOW + MINUTE, 60 * MINUTE);
		expect(changes.updated).toHaveLength(150);
		expect(tracking.total).toBe(listTotal(api));
	});

	// A page answered with the rows of another page (a repeated page) can hide an unsettled call it
	// should have shown; the tracker notices that the call was not read again and asks for it by id.
	it("updates an unsettled call even when its page is answered with another page's rows", async () => {
		const api = apiWith(order);
		seedCalls(api, 120, Date.parse('2026-11-20T00:00:00Z'), MINUTE);
		const recent = seedCalls(api, 150, NOW - 50 * MINUTE, 20_000);
		const [oldest, newest] = [recent[0], recent[recent.length - 1]];
		for (const call of [oldest, newest]) Object.assign(call, { status: 'in-progress', total_cost: '0.00000000' });
		const tracking = new Tracking(api);
		await tracking.poll(NOW, 60 * MINUTE);
		for (const call of [oldest, newest]) Object.assign(call, { status: 'completed', total_cost: '0.31000000' });
		// The page that holds the oldest unsettled call (page 2 of 100 in either order) is answered once
		// with the rows of page 1.
		let repeated = false;
		api.rowsOfPage = (page) => {
			if (page !== 2 || repeated) return page;
			repeated = true;
			return 1;
		};
		// A poll that reads up to the newest call has every unsettled call read again, in that poll: the
		// next poll may come hours later, when the call has left the watch list.
		const changes = await tracking.poll(NOW + MINUTE, 60 * MINUTE);
		expect(repeated).toBe(true);
		expect(changes.caughtUp).toBe(true);
		expect(changes.updated.map((u) => u.after.id).sort((a, b) => a - b)).toEqual([oldest.id, newest.id]);
		expect(tracking.total).toBe(listTotal(api));
	});

	// Regression: a late insertion was once only recognised on the page of the anchor (k−1); on an
	// earlier page that is re-read first it was classed as a re-read of an unknown call and never counted.
	it('a late-inserted recent call far below the newest end is counted once', async () => {
		const api = apiWith(order);
		busyAccount(api);
		const tracking = new Tracking(api);
		await tracking.poll(NOW, 60 * MINUTE);
		// Created 45 minutes ago: about 135 positions below the newest call, on another page than k−1.
		const late = api.add({ created_at: iso(NOW - 45 * MINUTE - 10_000), total_cost: '0.50000000' });
		const changes = await tracking.poll(NOW + MINUTE, 60 * MINUTE);
		expect(changes.added.map((c) => c.id)).toEqual([late.id]);
		expect(tracking.total).toBe(listTotal(api));
	});
});

describe('watched call snapshots', () => {
	// Regression: the snapshot dropped the direction, so with a direction filter the counted version of
	// a call that changed no longer matched the filter: its old cost was never subtracted (counted twice).
	it('keep every field the filters check, so the counted version matches the same filters', () => {
		const call = normalizeCall(
			callSchema.parse({
				id: 7,
				created_at: '2026-11-25T10:00:00Z',
				status: 'in-progress',
				type: 'inbound',
				assistant_phone_number: '+4930111111',
				assistant_name: 'Support Bot',
				campaign_name: 'Q4',
			}),
		);
		const watched = watchedOf(call, 0);
		expect(watched.counted).toBeDefined();
		const counted = countedCall(watched as Parameters<typeof countedCall>[0]);
		const filters = {
			direction: 'inbound',
			status: 'in-progress',
			phoneNumber: '+4930111111',
			assistantName: 'Support Bot',
			campaignName: 'Q4',
		};
		for (const [name, value] of Object.entries(filters)) {
			expect([name, matchesFilters(counted, { [name]: value })]).toEqual([
				name,
				matchesFilters(call, { [name]: value }),
			]);
		}
		expect(matchesFilters(call, { direction: 'inbound' })).toBe(true);
	});
});
