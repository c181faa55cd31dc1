/**
 * The Call Trigger's engine (src/triggers/callFeed.ts) and its state and items, directly over the
 * in-memory FakeApi: when a call is due, held calls (still running, stuck, deleted), a list that
 * lost calls under the reader, the bounded memory of emitted costs, the stored form and its schema,
 * and the item's columns in the timezone.
 */
import { normalizeCall } from '../../src/api/classic/calls';
import { callSchema } from '../../src/api/classic/schemas';
import {
	callEvent,
	callFeedFingerprint,
	decodeEmitted,
	encodeEmitted,
	isDue,
	MAX_REMEMBERED,
	newCallFeedState,
	pollCallFeed,
	readCallFeedState,
	startOf,
	storeCallFeed,
	STUCK_MS,
	validateCallFeedConfig,
	type CallEvent,
	type CallFeedConfig,
	type CallFeedState,
} from '../../src/triggers/callFeed';
import { STATE_VERSION } from '../../src/triggers/state';
import { FakeApi, seedCalls, type FakeCall } from './fakeApi';

const MINUTE = 60_000;
const NOW = Date.parse('2026-11-26T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

function config(overrides: Partial<CallFeedConfig> = {}): CallFeedConfig {
	return {
		query: {},
		filters: {},
		minCost: 0,
		minDurationMinutes: 0,
		settleMinutes: 5,
		timezone: 'Europe/Berlin',
		startFrom: 'now',
		emitCorrections: true,
		maxItemsPerPoll: 1000,
		simplify: true,
		currency: 'EUR',
		...overrides,
	};
}

/** Polls the engine like the node does (stored state in, new state out), counting requests. */
class Feed {
	state: CallFeedState;
	readonly emitted: CallEvent[] = [];
	requests = 0;

	constructor(
		private readonly api: FakeApi,
		readonly settings: CallFeedConfig = config(),
	) {
		this.state = newCallFeedState(callFeedFingerprint(settings, 'fake'));
	}

	async poll(now: number): Promise<CallEvent[]> {
		this.api.serverNow = now;
		const before = this.api.requests.length;
		const stored = JSON.parse(JSON.stringify(this.state)) as unknown;
		const state = readCallFeedState(stored, this.state.config);
		expect(state).toBeDefined();
		const result = await pollCallFeed(this.api.client(), state as CallFeedState, this.settings, {
			now: () => now,
			hasTime: () => true,
		});
		this.requests = this.api.requests.length - before;
		this.state = result.state;
		this.emitted.push(...result.events);
		return result.events;
	}
}

const raw = (fields: Record<string, unknown>) =>
	callSchema.parse({ id: 1, created_at: '2026-11-26T10:00:00Z', ...fields });

describe('when a call is due', () => {
	it('settled and ended Settle Minutes ago (created_at + duration)', () => {
		const call = normalizeCall(raw({ status: 'completed', duration: 120 }));
		const end = Date.parse('2026-11-26T10:02:00Z');
		expect(isDue(call, 5, end + 5 * MINUTE - 1)).toBe(false);
		expect(isDue(call, 5, end + 5 * MINUTE)).toBe(true);
		expect(isDue(normalizeCall(raw({ status: 'in-progress', duration: 120 })), 5, end + 60 * MINUTE)).toBe(false);
		expect(isDue(normalizeCall(raw({ status: 'no-answer', duration: 0 })), 0, Date.parse('2026-11-26T10:00:00Z'))).toBe(
			true,
		);
	});

	it('Start From in the timezone, across the DST change; now to the second', () => {
		const sunday = Date.parse('2026-10-25T10:00:00Z'); // clocks went back at 03:00 in Berlin
		expect(iso(startOf('startOfToday', sunday, 'Europe/Berlin'))).toBe('2026-10-24T22:00:00Z');
		expect(iso(startOf('startOfMonth', sunday, 'Europe/Berlin'))).toBe('2026-09-30T22:00:00Z');
		expect(iso(startOf('startOfMonth', Date.parse('2026-11-01T03:00:00Z'), 'America/New_York'))).toBe(
			'2026-10-01T04:00:00Z',
		);
		expect(startOf('now', NOW + 999, 'UTC')).toBe(NOW);
	});
});

describe('the item', () => {
	const call = normalizeCall(
		raw({
			id: 42,
			created_at: '2026-11-30T23:30:00Z',
			status: 'completed',
			duration: 61,
			total_cost: '0.12345678',
			carrier_cost: '0.02',
			transcript: [{ text: 'hi' }],
			variables: { lead: 7 },
		}),
	);

	it('has day and month of the call in the timezone (the spreadsheet columns)', () => {
		const berlin = callEvent(config(), call, undefined);
		expect([berlin.eventId, berlin.day, berlin.month, berlin.correction]).toEqual([
			'call:42',
			'2026-12-01',
			'2026-12',
			false,
		]);
		const york = callEvent(config({ timezone: 'America/New_York' }), call, undefined);
		expect([york.day, york.month]).toEqual(['2026-11-30', '2026-11']);
		expect(berlin).toMatchObject({
			totalCost: 0.12345678,
			carrierCost: 0.02,
			platformCost: 0.10345678,
			billableMinutes: 1.0167,
		});
		expect(berlin).not.toHaveProperty('previousTotalCost');
	});

	it('a correction: eventId with the revision, correction true, the cost emitted before', () => {
		const event = callEvent(config(), call, undefined, { rev: 2, previousTotalCost: 10_000_000 });
		expect([event.eventId, event.correction, event.previousTotalCost]).toEqual(['call:42:rev2', true, 0.1]);
	});

	it('Simplify off: the raw call without transcript under the billing fields, eventId first', () => {
		const rawCall = raw({
			id: 42,
			created_at: '2026-11-30T23:30:00Z',
			status: 'completed',
			transcript: [{ text: 'hi' }],
			variables: { lead: 7 },
		});
		const event = callEvent(config({ simplify: false }), call, rawCall);
		expect(Object.keys(event)[0]).toBe('eventId');
		expect(event).not.toHaveProperty('transcript');
		expect(event).toMatchObject({
			variables: { lead: 7 },
			created_at: '2026-11-30T23:30:00Z',
			totalCost: 0.12345678,
			day: '2026-12-01',
		});
	});
});

describe('configuration', () => {
	it.each([
		[{ minCost: -0.01 }, 'minCost'],
		[{ minCost: Number.NaN }, 'minCost'],
		[{ minDurationMinutes: 2000 }, 'minDurationMinutes'],
		[{ settleMinutes: -1 }, 'options.settleMinutes'],
		[{ maxItemsPerPoll: 2.5 }, 'options.maxItemsPerPoll'],
		[{ maxItemsPerPoll: 20_000 }, 'options.maxItemsPerPoll'],
		[{ startFrom: 'yesterday' as never }, 'options.startFrom'],
	])('%j is refused naming %s', (overrides, parameter) => {
		expect(() => validateCallFeedConfig(config(overrides))).toThrow(expect.objectContaining({ parameter }));
	});

	it('what selects calls starts a new feed; how items look, how many a poll, and corrections do not', () => {
		const base = callFeedFingerprint(config(), 'a');
		expect(callFeedFingerprint(config({ simplify: false, maxItemsPerPoll: 5, emitCorrections: false }), 'a')).toBe(
			base,
		);
		for (const change of [
			{ minCost: 1 },
			{ settleMinutes: 6 },
			{ startFrom: 'startOfMonth' as const },
			{ filters: { direction: 'inbound' } },
		]) {
			expect(callFeedFingerprint(config(change), 'a')).not.toBe(base);
		}
		expect(callFeedFingerprint(config(), 'b')).not.toBe(base);
	});
});

describe('the stored state', () => {
	it('emitted calls round-trip through their delta columns', () => {
		const emitted = new Map([
			[500, { created: NOW - 600_000, cost: 12_345_678, at: NOW, rev: 0, seen: false }],
			[498, { created: NOW - 660_000, cost: 0, at: NOW, rev: 3, seen: true }],
			[512, { created: NOW - 60_000, cost: -5, at: NOW + 60_000, rev: 1, seen: false }],
		]);
		const columns = encodeEmitted(emitted);
		expect(columns.id).toEqual([500, -2, 14]);
		expect(columns.created).toEqual([NOW - 600_000, -60_000, 600_000]);
		expect([...(decodeEmitted(columns) ?? [])]).toEqual([...emitted]);
	});

	it('the stored state passes its own schema', () => {
		const model = {
			held: new Map([[7, { at: NOW, due: 0 }]]),
			emitted: new Map([[8, { created: NOW, cost: 5, at: NOW, rev: 0, seen: false }]]),
		};
		const state = { ...newCallFeedState('abc'), ...storeCallFeed(model, NOW) };
		expect(readCallFeedState(JSON.parse(JSON.stringify(state)), 'abc')).toEqual(state);
	});

	it('a damaged or foreign state is not trusted (a silent new feed)', () => {
		const good = newCallFeedState('abc');
		expect(readCallFeedState(JSON.parse(JSON.stringify(good)), 'abc')).toEqual(good);
		const damaged: unknown[] = [
			{ ...good, v: STATE_VERSION - 1 },
			{ ...good, held: [{ id: 0, at: NOW, due: 0 }] },
			{ ...good, emitted: { ...good.emitted, id: [5] } },
			// The same id twice; a created_at that is no time.
			{
				...good,
				emitted: { id: [5, 0], created: [NOW, 0], cost: [1, 1], at: [NOW, 0], rev: [0, 0], seen: [0, 0] },
			},
			{ ...good, emitted: { id: [5], created: [5], cost: [1], at: [NOW], rev: [0], seen: [0] } },
			{ ...good, since: 'yesterday' },
			{ ...good, verifiedTo: -5 },
			null,
		];
		for (const state of damaged) expect(readCallFeedState(state, 'abc')).toBeUndefined();
		expect(readCallFeedState(good, 'other')).toBeUndefined();
	});
});

describe.each(['desc', 'asc'] as const)('the engine over a list sorted %s', (order) => {
	function api(): FakeApi {
		const fake = new FakeApi();
		fake.order = order;
		seedCalls(fake, 300, NOW - 36 * 60 * MINUTE, 5 * MINUTE);
		return fake;
	}

	it('a call still running when it is old enough waits, and comes once when due, with its final values', async () => {
		const fake = api();
		const feed = new Feed(fake);
		await feed.poll(NOW);
		const long = fake.add({
			created_at: iso(NOW + MINUTE),
			status: 'in-progress',
			duration: 0,
			total_cost: '0.00000000',
		});
		const next = fake.add({ created_at: iso(NOW + 2 * MINUTE), duration: 30 });
		expect(await feed.poll(NOW + 8 * MINUTE)).toEqual([expect.objectContaining({ id: next.id })]);
		expect(feed.state.held.map((h) => h.id)).toEqual([long.id]);
		Object.assign(long, { status: 'completed', duration: 20 * 60, total_cost: '3.21000000' });
		expect(await feed.poll(NOW + 22 * MINUTE)).toEqual([]); // ended 0 minutes ago
		expect(feed.state.held).toEqual([expect.objectContaining({ id: long.id, due: NOW + 26 * MINUTE })]);
		expect(await feed.poll(NOW + 25 * MINUTE)).toEqual([]);
		const due = await feed.poll(NOW + 26 * MINUTE);
		expect(due).toEqual([
			expect.objectContaining({
				eventId: `call:${long.id}`,
				totalCost: 3.21,
				durationSeconds: 1200,
				status: 'completed',
			}),
		]);
		expect(feed.state.held).toEqual([]);
		expect(await feed.poll(NOW + 40 * MINUTE)).toEqual([]);
		expect(feed.emitted.map((e) => e.id)).toEqual([next.id, long.id]);
	});

	it('a call stuck in progress comes as it is 2 hours after it started; a deleted held call is dropped', async () => {
		const fake = api();
		const feed = new Feed(fake);
		await feed.poll(NOW);
		const stuck = fake.add({
			created_at: iso(NOW + MINUTE),
			status: 'initiated',
			duration: 0,
			total_cost: '0.00000000',
		});
		const gone = fake.add({ created_at: iso(NOW + 2 * MINUTE), status: 'ringing', duration: 0 });
		await feed.poll(NOW + 10 * MINUTE);
		expect(feed.state.held.map((h) => h.id).sort((a, b) => a - b)).toEqual([stuck.id, gone.id]);
		fake.calls = fake.calls.filter((c) => c.id !== gone.id);
		let stuckAt = 0;
		for (let t = NOW + 20 * MINUTE; t <= NOW + 3 * 60 * MINUTE; t += 10 * MINUTE) {
			if ((await feed.poll(t)).some((e) => e.id === stuck.id)) stuckAt = t;
		}
		expect(stuckAt).toBeGreaterThanOrEqual(NOW + MINUTE + STUCK_MS);
		expect(stuckAt).toBeLessThan(NOW + MINUTE + STUCK_MS + 10 * MINUTE);
		expect(feed.emitted.filter((e) => e.id === stuck.id)).toEqual([
			expect.objectContaining({ status: 'initiated', eventId: `call:${stuck.id}` }),
		]);
		expect(feed.emitted.some((e) => e.id === gone.id)).toBe(false);
		expect(feed.state.held).toEqual([]);
	});

	it('a settled call ending tomorrow (by its duration) does not hold the others up; it comes later', async () => {
		const fake = api();
		const feed = new Feed(fake);
		await feed.poll(NOW);
		const odd = fake.add({ created_at: iso(NOW + MINUTE), duration: 86_400, total_cost: '0.40000000' });
		const next = fake.add({ created_at: iso(NOW + 2 * MINUTE), duration: 30 });
		expect((await feed.poll(NOW + 10 * MINUTE)).map((e) => e.id)).toEqual([next.id]);
		expect(feed.state.held).toEqual([expect.objectContaining({ id: odd.id, due: NOW + 15 * MINUTE })]);
		expect(await feed.poll(NOW + 14 * MINUTE)).toEqual([]);
		const late = await feed.poll(NOW + 15 * MINUTE);
		expect(late).toEqual([expect.objectContaining({ id: odd.id, durationSeconds: 86_400, totalCost: 0.4 })]);
		expect(feed.state.held).toEqual([]);
	});

	it('calls deleted under the reader: the feed goes on, nothing twice, nothing new missed', async () => {
		const fake = api();
		const feed = new Feed(fake);
		await feed.poll(NOW);
		const first = [fake.add({ created_at: iso(NOW + MINUTE) }), fake.add({ created_at: iso(NOW + 2 * MINUTE) })];
		await feed.poll(NOW + 10 * MINUTE);
		expect(feed.emitted.map((e) => e.id)).toEqual(first.map((c) => c.id));
		// The newest call read is deleted, and an older one: the list holds fewer calls behind the cursor.
		fake.calls = fake.calls.filter((c) => c.id !== first[1]?.id && c.id !== first[0]?.id);
		const later = fake.add({ created_at: iso(NOW + 11 * MINUTE) });
		for (let t = NOW + 20 * MINUTE; t <= NOW + 60 * MINUTE; t += 10 * MINUTE) await feed.poll(t);
		expect(feed.emitted.map((e) => e.id)).toEqual([...first, later].map((c) => c.id));
	});

	it('remembers at most MAX_REMEMBERED emitted calls for corrections, and the state stays small', async () => {
		const fake = api();
		const feed = new Feed(fake, config({ startFrom: 'startOfMonth', maxItemsPerPoll: 10_000 }));
		seedCalls(fake, 1_500, NOW - 7 * 24 * 60 * MINUTE, 6 * MINUTE);
		await feed.poll(NOW);
		expect(feed.emitted.length).toBeGreaterThan(1_600);
		expect(feed.state.emitted.id).toHaveLength(MAX_REMEMBERED);
		expect(JSON.stringify(feed.state).length).toBeLessThan(48 * 1024);
		// The newest ones are remembered: a change to one of them is a correction.
		const newest = fake.calls.find((c) => c.id === (feed.emitted[feed.emitted.length - 1] as CallEvent).id) as FakeCall;
		newest.total_cost = '7.00000000';
		const corrections = [];
		for (let t = NOW + MINUTE; t <= NOW + 15 * MINUTE; t += MINUTE) corrections.push(...(await feed.poll(t)));
		expect(corrections).toEqual([
			expect.objectContaining({ eventId: `call:${newest.id}:rev1`, totalCost: 7, correction: true }),
		]);
		// After 24 hours they are forgotten.
		await feed.poll(NOW + 25 * 60 * MINUTE);
		expect(feed.state.emitted.id).toEqual([]);
	});

	it('an emitted call moved up by calls inserted below it is still re-checked, and its correction comes', async () => {
		const fake = api();
		// Only calls of 1.00 or more: the one remembered call is re-checked by its own page.
		const feed = new Feed(fake, config({ minCost: 1 }));
		await feed.poll(NOW);
		const watched = fake.add({ created_at: iso(NOW + 5 * MINUTE), total_cost: '1.50000000' });
		await feed.poll(NOW + 12 * MINUTE);
		expect(feed.emitted.map((e) => e.id)).toEqual([watched.id]);
		// 150 calls that show up late, created just before it, then 250 newer ones: it is pages away
		// from where the reader is, and two pages higher than where it was emitted.
		seedCalls(fake, 150, NOW + 4 * MINUTE, 100);
		seedCalls(fake, 250, NOW + 13 * MINUTE, 1_000);
		await feed.poll(NOW + 30 * MINUTE);
		watched.total_cost = '1.65000000';
		const later: CallEvent[] = [];
		for (let t = NOW + 31 * MINUTE; t <= NOW + 50 * MINUTE; t += MINUTE) later.push(...(await feed.poll(t)));
		expect(later).toEqual([
			expect.objectContaining({ eventId: `call:${watched.id}:rev1`, previousTotalCost: 1.5, totalCost: 1.65 }),
		]);
	});

	it('a quiet poll costs one request, and the re-check of emitted calls only fits within 2 + new/100', async () => {
		const fake = api();
		const feed = new Feed(fake);
		await feed.poll(NOW);
		fake.add({ created_at: iso(NOW + MINUTE) });
		await feed.poll(NOW + 10 * MINUTE);
		expect(feed.emitted).toHaveLength(1);
		const counts: number[] = [];
		for (let t = NOW + 11 * MINUTE; t <= NOW + 15 * MINUTE; t += MINUTE) {
			await feed.poll(t);
			counts.push(feed.requests);
		}
		expect(Math.max(...counts)).toBeLessThanOrEqual(2);
		expect(Math.min(...counts)).toBeGreaterThanOrEqual(1);
		// Without emitted calls to re-check, a quiet poll is one request.
		const quiet = new Feed(fake, config({ emitCorrections: false }));
		await quiet.poll(NOW + 16 * MINUTE);
		await quiet.poll(NOW + 17 * MINUTE);
		await quiet.poll(NOW + 18 * MINUTE);
		expect(quiet.requests).toBe(1);
	});
});
