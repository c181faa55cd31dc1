/**
 * The triggers' tracker over a hostile in-memory list (test/helpers/memorySource.ts — a second adapter
 * behind the CallSource port, with offset/limit answers): calls of one second reordered on every answer,
 * calls arriving between polls and between the answers of a poll, calls listed minutes to hours late,
 * either sort order. Whatever happens, every call is taken exactly once — when it is listed, however
 * late — and the ledger's count of the calls taken before the cursor is the list's own (SPEC §15).
 */
import fc from 'fast-check';
import type { CallRow } from '../../src/api/port';
import { newTracker, track, type TrackerState } from '../../src/triggers/tracker';
import { makeCall, MemorySource, type MemoryCall } from '../helpers/memorySource';

const NOW = Date.parse('2026-11-26T12:00:00Z');
const MINUTE = 60_000;

interface Poll {
	/** Minutes since the last poll. */
	step: number;
	/** New calls: how many, how many share each second, how many minutes before the poll they were made. */
	arrivals: Array<{ n: number; perSecond: number; ageMinutes: number; lateMinutes: number }>;
	/** Calls arriving between two answers of the poll. */
	midPoll: number;
}

const pollArb: fc.Arbitrary<Poll> = fc.record({
	step: fc.constantFrom(1, 2, 5, 15, 60),
	arrivals: fc.array(
		fc.record({
			n: fc.integer({ min: 1, max: 40 }),
			perSecond: fc.integer({ min: 1, max: 10 }),
			ageMinutes: fc.integer({ min: 0, max: 30 }),
			// Listed this many minutes after it was made (0: at once; up to three hours).
			lateMinutes: fc.oneof(
				{ weight: 4, arbitrary: fc.constant(0) },
				{ weight: 1, arbitrary: fc.integer({ min: 1, max: 180 }) },
			),
		}),
		{ maxLength: 3 },
	),
	midPoll: fc.integer({ min: 0, max: 6 }),
});

/** Runs polls over a list with `seeded` calls already in it; returns every call taken, and the source. */
async function run(order: 'asc' | 'desc', seed: number, polls: Poll[], seeded = 250) {
	const source = new MemorySource(seed);
	source.order = order;
	let id = 1;
	const add = (createdAt: number, listedAt?: number) => {
		const call: MemoryCall = makeCall({ id: id++, createdAt, totalCost: 1_000_000 + id });
		if (listedAt !== undefined && listedAt > createdAt) call.listedAt = listedAt;
		source.add(call);
	};
	for (let k = 0; k < seeded; k++) add(NOW - 6 * 3_600_000 + k * 40_000 - (k % 3) * 1000);
	source.now = NOW;
	let state: TrackerState = newTracker({}, NOW - 3 * 3_600_000);
	const taken = new Map<number, number>();
	const take = (rows: CallRow[]) => {
		for (const { call } of rows) taken.set(call.id, (taken.get(call.id) ?? 0) + 1);
	};
	for (const poll of polls) {
		source.now += poll.step * MINUTE;
		for (const arrival of poll.arrivals) {
			const made = source.now - arrival.ageMinutes * MINUTE;
			for (let k = 0; k < arrival.n; k++) {
				const at = Math.floor((made - Math.floor(k / arrival.perSecond) * 1000) / 1000) * 1000;
				add(at, arrival.lateMinutes ? at + arrival.lateMinutes * MINUTE : undefined);
			}
		}
		let pending = poll.midPoll;
		source.beforeAnswer = (answer) => {
			if (answer > 1 && pending > 0) {
				pending--;
				add(Math.floor((source.now - 20_000) / 1000) * 1000);
			}
		};
		const changes = await track(source, JSON.parse(JSON.stringify(state)) as TrackerState, {
			now: source.now,
			settleMs: 5 * MINUTE,
			hasTime: () => true,
			keepFrom: NOW - 24 * 3_600_000,
			onShrink: 'rebuild',
		});
		expect(changes.lost).toBe(false);
		take(changes.added);
		state = changes.state;
		source.beforeAnswer = undefined;
	}
	return { taken, state, source };
}

/** The calls listed now from the tracker's start on (what a tracker that caught up must have taken). */
function listedSince(source: MemorySource, from: number): number[] {
	return source
		.list({}, 'asc')
		.filter((call) => call.createdAt >= from)
		.map((call) => call.id)
		.sort((a, b) => a - b);
}

describe('the tracker takes every call once, however ties, arrivals and late listing fall (SPEC §15)', () => {
	it.each(['desc', 'asc'] as const)('random polls over a hostile list (%s)', async (order) => {
		await fc.assert(
			fc.asyncProperty(
				fc.integer({ min: 1, max: 2 ** 31 }),
				fc.array(pollArb, { minLength: 3, maxLength: 10 }),
				async (seed, polls) => {
					// A last quiet poll after every call is listed: everything must be taken by then.
					const last: Poll = { step: 240, arrivals: [], midPoll: 0 };
					const { taken, state, source } = await run(order, seed, [...polls, last]);
					expect([...taken.values()].every((n) => n === 1)).toBe(true);
					expect([...taken.keys()].sort((a, b) => a - b)).toEqual(listedSince(source, NOW - 3 * 3_600_000));
					// The ledger counts exactly the rows behind the cursor's time.
					const cursor = state.cursor as { at: number };
					expect(state.ledger.behind).toBe(source.list().filter((call) => call.createdAt < cursor.at).length);
				},
			),
			{ numRuns: 60 },
		);
	});

	it('99 calls listed late while calls arrive during every answer are found (a recorded counterexample)', async () => {
		// The late search's first answer cannot hold every place the boundary may be (99 late calls), and the
		// list grows between its answers: it must follow the boundary by the answers' rows, not start over.
		const arrive = (n: number, ageMinutes: number) => ({ n, perSecond: 1, ageMinutes, lateMinutes: 0 });
		const polls: Poll[] = [
			{ step: 1, arrivals: [arrive(19, 0), arrive(34, 1)], midPoll: 1 },
			{ step: 1, arrivals: [arrive(36, 3), arrive(26, 3), arrive(36, 3)], midPoll: 5 },
			{ step: 1, arrivals: [], midPoll: 5 },
			{ step: 240, arrivals: [], midPoll: 0 },
		];
		const { taken, source } = await run('desc', 1, polls);
		expect([...taken.values()].every((n) => n === 1)).toBe(true);
		expect([...taken.keys()].sort((a, b) => a - b)).toEqual(listedSince(source, NOW - 3 * 3_600_000));
	});

	it('calls listed eight hours late, before the calls the ledger keeps by id, are found by checksum', async () => {
		for (const order of ['desc', 'asc'] as const) {
			const source = new MemorySource(11);
			source.order = order;
			source.now = NOW;
			// 200 calls over ten hours, three of them listed only eight hours after they were made.
			const late = new Set([40, 41, 90]);
			for (let id = 1; id <= 200; id++) {
				const call = makeCall({ id, createdAt: NOW + id * 3 * MINUTE, totalCost: id * 1000 });
				if (late.has(id)) call.listedAt = call.createdAt + 8 * 60 * MINUTE;
				source.add(call);
			}
			let state = newTracker({}, NOW);
			const taken: number[] = [];
			/** For each late call, the ledger's horizon when it was found: its calls before it are kept by checksum only. */
			const horizonWhenFound = new Map<number, number>();
			for (let hour = 1; hour <= 14; hour++) {
				source.now = NOW + hour * 60 * MINUTE;
				const changes = await track(source, JSON.parse(JSON.stringify(state)) as TrackerState, {
					now: source.now,
					settleMs: 5 * MINUTE,
					hasTime: () => true,
					keepFrom: NOW - 24 * 3_600_000,
					onShrink: 'rebuild',
				});
				expect(changes.lost).toBe(false);
				for (const { call } of changes.added) {
					taken.push(call.id);
					if (late.has(call.id)) horizonWhenFound.set(call.id, state.ledger.horizon);
				}
				state = changes.state;
			}
			expect([...taken].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, k) => k + 1));
			for (const id of late) expect(horizonWhenFound.get(id)).toBeGreaterThan(NOW + id * 3 * MINUTE);
		}
	});
});

describe('a tracker started at a time finds its place by a search, not answer by answer', () => {
	it.each(['asc', 'desc'] as const)('20,000 calls before the start, 30 after it (%s)', async (order) => {
		const source = new MemorySource(5);
		source.order = order;
		const start = NOW - 3_600_000;
		// Calls every 9 s for two days before the start, some sharing a second; 30 after it.
		let id = 1;
		for (let k = 20_000; k > 0; k--) source.add(makeCall({ id: id++, createdAt: start - Math.ceil(k / 2) * 9_000 }));
		for (let k = 0; k < 30; k++) source.add(makeCall({ id: id++, createdAt: start + k * 60_000 }));
		source.now = NOW;
		const changes = await track(source, newTracker({}, start), {
			now: NOW,
			settleMs: 5 * MINUTE,
			hasTime: () => true,
			keepFrom: start,
			onShrink: 'rebuild',
		});
		expect(changes.added.map(({ call }) => call.id)).toEqual(Array.from({ length: 30 }, (_, k) => 20_001 + k));
		expect(changes.caughtUp).toBe(true);
		expect(changes.state.ledger.behind).toBe(20_029);
		// 200 answers of 100 rows lie before the start: a galloping search and a halving one need about
		// 2·log2(200) ≈ 16 of them (answer by answer: 200).
		expect(source.requests).toBeLessThanOrEqual(20);
	});
});
