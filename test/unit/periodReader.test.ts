/**
 * The period reader over a hostile in-memory list (test/helpers/memorySource.ts): calls of one second
 * reordered on every answer, rows listed twice, order flips, answers capped at a few rows, calls
 * arriving and listed late while the list is read. Each call id of the period is visited exactly once,
 * or the read fails with a typed error — never a silent double count or shortfall (SPEC §15).
 */
import fc from 'fast-check';
import { FamulorApiError } from '../../src/errors';
import { forEachCall, newestCalls, type PeriodScan } from '../../src/list/period';
import { resolvePeriod } from '../../src/periods';
import { makeCall, MemorySource, type MemoryCall } from '../helpers/memorySource';

const NOW = Date.parse('2026-11-26T12:00:00Z');
const DAY = 86_400_000;

/** `n` calls in bursts: `perSecond` calls share each second, `gap` seconds between bursts, ending before `end`. */
function bursts(n: number, perSecond: number, end: number, gapSeconds = 37, firstId = 1): MemoryCall[] {
	const calls: MemoryCall[] = [];
	let second = Math.floor(end / 1000) - 1;
	while (calls.length < n) {
		for (let k = 0; k < perSecond && calls.length < n; k++) {
			const id = firstId + calls.length;
			calls.push(makeCall({ id, createdAt: second * 1000, totalCost: 1_000_000 + ((id * 7919) % 5_000_000) }));
		}
		second -= gapSeconds;
	}
	return calls;
}

function scanOf(name: 'today' | 'last7Days' | 'thisMonth'): PeriodScan {
	return { period: resolvePeriod(name, { now: NOW, timezone: 'Europe/Berlin' }), query: {}, filters: {} };
}

/** Reads a period and returns the visits by id. */
async function visits(source: MemorySource, scan: PeriodScan): Promise<Map<number, number>> {
	const seen = new Map<number, number>();
	await forEachCall(source, scan, ({ call }) => seen.set(call.id, (seen.get(call.id) ?? 0) + 1));
	return seen;
}

/** The ids a correct read visits: the calls of the period that are listed, by an independent filter. */
function truth(source: MemorySource, scan: PeriodScan): number[] {
	return source.calls
		.filter((c) => !c.deleted && (c.listedAt ?? c.createdAt) <= source.now)
		.filter((c) => c.createdAt >= scan.period.startMs && c.createdAt < scan.period.endMs)
		.map((c) => c.id)
		.sort((a, b) => a - b);
}

describe('the period reader counts each call once under tie shuffles (SPEC §15)', () => {
	it.each(['desc', 'asc'] as const)('250 calls, 7 a second, ties reordered on every answer (%s)', async (order) => {
		for (let seed = 1; seed <= 30; seed++) {
			const source = new MemorySource(seed);
			source.order = order;
			source.add(...bursts(250, 7, NOW - 3_600_000, 3));
			const scan = scanOf('today');
			const seen = await visits(source, scan);
			expect([...seen.values()].every((n) => n === 1)).toBe(true);
			expect([...seen.keys()].sort((a, b) => a - b)).toEqual(truth(source, scan));
		}
	});

	it('a month of campaign bursts (10 calls a second): exact for any page boundary', async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.integer({ min: 1, max: 2 ** 31 }),
				fc.integer({ min: 1, max: 40 }),
				fc.constantFrom('asc', 'desc'),
				async (seed, perSecond, order) => {
					const source = new MemorySource(seed);
					source.order = order as 'asc' | 'desc';
					source.add(...bursts(600, perSecond, NOW - 60_000, 1800));
					const scan = scanOf('thisMonth');
					const seen = await visits(source, scan);
					expect([...seen.values()].every((n) => n === 1)).toBe(true);
					expect([...seen.keys()].sort((a, b) => a - b)).toEqual(truth(source, scan));
				},
			),
			{ numRuns: 40 },
		);
	});

	it('a row listed twice in one answer fails the read, typed; it is never counted twice', async () => {
		const source = new MemorySource(3);
		source.add(...bursts(250, 2, NOW - 60_000, 11));
		source.duplicateRow = (answer) => answer === 2;
		await expect(visits(source, scanOf('today'))).rejects.toMatchObject({
			kind: 'incomplete',
			message: expect.stringContaining('twice in one answer'),
		});
	});

	it('calls arriving between answers (newest first): each call listed at the first answer once', async () => {
		const source = new MemorySource(4);
		source.add(...bursts(400, 3, NOW - 60_000, 5));
		let id = 10_000;
		const before = new Set(source.list().map((c) => c.id));
		source.beforeAnswer = (answer) => {
			if (answer === 1) return;
			for (let k = 0; k < 30; k++) source.add(makeCall({ id: id++, createdAt: NOW - 30_000 }));
		};
		const seen = await visits(source, scanOf('today'));
		expect([...seen.values()].every((n) => n === 1)).toBe(true);
		for (const callId of before) expect(seen.get(callId)).toBe(1);
	});

	it('calls listed late while the list is read are visited once if at all, and nothing else is lost', async () => {
		const source = new MemorySource(5);
		const calls = bursts(300, 4, NOW - 60_000, 9);
		// Every fifth call is listed only after the first answer (inserted among older calls).
		for (const call of calls.filter((c) => c.id % 5 === 0)) call.listedAt = NOW - 1;
		source.now = NOW - 2;
		source.add(...calls);
		const listedAtFirst = new Set(source.list().map((c) => c.id));
		source.beforeAnswer = (answer) => {
			if (answer === 3) source.now = NOW;
		};
		const seen = await visits(source, scanOf('today'));
		expect([...seen.values()].every((n) => n === 1)).toBe(true);
		for (const callId of listedAtFirst) expect(seen.get(callId)).toBe(1);
	});

	it('an order that flips between answers: exact, or a typed error', async () => {
		for (let seed = 1; seed <= 10; seed++) {
			const source = new MemorySource(seed);
			source.add(...bursts(250, 3, NOW - 60_000, 7));
			source.flipOrder = (answer) => answer % 3 === 0;
			const scan = scanOf('today');
			const result = await visits(source, scan).catch((error: unknown) => error);
			if (result instanceof FamulorApiError) {
				expect(result.kind).toBe('incomplete');
				continue;
			}
			const seen = result as Map<number, number>;
			expect([...seen.values()].every((n) => n === 1)).toBe(true);
			expect([...seen.keys()].sort((a, b) => a - b)).toEqual(truth(source, scan));
		}
	});

	it.each([3, 4, 6])('answers capped at %i rows: exact when no second holds more calls than fit', async (cap) => {
		const source = new MemorySource(cap);
		source.cap = cap;
		source.add(...bursts(60, 1, NOW - 60_000, 13));
		const scan = scanOf('today');
		const seen = await visits(source, scan);
		expect([...seen.keys()].sort((a, b) => a - b)).toEqual(truth(source, scan));
	});

	it('answers capped below a second of calls: a typed error, never a short total', async () => {
		const source = new MemorySource(9);
		source.cap = 4;
		source.add(...bursts(60, 10, NOW - 60_000, 13));
		await expect(visits(source, scanOf('today'))).rejects.toMatchObject({ kind: 'incomplete' });
	});
});

describe('newestCalls', () => {
	it.each(['desc', 'asc'] as const)(
		'the newest calls in either order, ties by id, under shuffles (%s)',
		async (order) => {
			for (let seed = 1; seed <= 20; seed++) {
				const source = new MemorySource(seed);
				source.order = order;
				source.add(...bursts(500, 6, NOW - 60_000, 2));
				const scan = scanOf('last7Days');
				const expected = source
					.list({}, 'desc')
					.sort((a, b) => b.createdAt - a.createdAt || b.id - a.id)
					.slice(0, 50)
					.map((c) => c.id);
				const found = await newestCalls(source, scan, 50);
				expect(found.map((row) => row.call.id)).toEqual(expected);
			}
		},
	);

	it('reads only what it needs: the newest 20 of a large list in one or two answers', async () => {
		for (const order of ['desc', 'asc'] as const) {
			const source = new MemorySource(2);
			source.order = order;
			source.add(...bursts(5000, 1, NOW - 60_000, 1));
			await newestCalls(source, scanOf('last7Days'), 20);
			expect(source.requests).toBeLessThanOrEqual(2);
		}
	});

	it('a period with no calls', async () => {
		const source = new MemorySource(1);
		source.add(makeCall({ id: 1, createdAt: NOW - 20 * DAY }));
		expect(await newestCalls(source, scanOf('today'), 5)).toEqual([]);
	});
});
