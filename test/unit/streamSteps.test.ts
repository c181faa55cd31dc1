/**
 * The stream reader's parts on their own (src/triggers/pageCursor.ts, streamChecks.ts): the page
 * cursor over the FakeApi, and the anchor and watch checks and checkpoints over hand-made pages.
 * test/unit/stream.test.ts proves the reader they make up.
 */
import type { Call } from '../../src/calls';
import { FamulorApiError } from '../../src/errors';
import type { PositionedCall } from '../../src/pages';
import { newestFirstPlace, PageCursor, PROBE_SIZE } from '../../src/triggers/pageCursor';
import {
	AnchorCheck,
	Checkpoints,
	MAX_READS_PER_POSITION,
	WatchCheck,
	type AnchorContext,
} from '../../src/triggers/streamChecks';
import { FakeApi, seedCalls } from './fakeApi';

const MINUTE = 60_000;

function apiWith(order: 'asc' | 'desc', n = 250): FakeApi {
	const api = new FakeApi();
	api.order = order;
	seedCalls(api, n, Date.parse('2026-11-20T00:00:00Z'), MINUTE);
	return api;
}

describe('PageCursor', () => {
	it('asks the probe size first, full pages after fullSize(), and numbers pages by the size it asks', async () => {
		const api = apiWith('desc');
		const cursor = new PageCursor(api.client(), {}, 100, true);
		expect(cursor.size).toBe(PROBE_SIZE);
		expect(cursor.place(249, 250, -1)).toEqual({ page: 1, size: PROBE_SIZE });
		expect(cursor.place(240, 250, -1)).toEqual({ page: 2, size: PROBE_SIZE });
		const probe = await cursor.fetchOrStop(1);
		expect(probe?.calls).toHaveLength(PROBE_SIZE);
		cursor.fullSize();
		expect(cursor.place(240, 250, -1)).toEqual({ page: 1, size: 100 });
		expect((await cursor.fetchOrStop(1))?.calls).toHaveLength(100);
		expect(api.requests.map((r) => r.query?.per_page)).toEqual([5, 100]);
		expect(cursor.requests).toBe(2);
	});

	it('keeps the pages of the poll: the same page at the same size is not asked twice until forget()', async () => {
		const api = apiWith('asc');
		const cursor = new PageCursor(api.client(), {}, 100, false);
		const page = await cursor.fetchOrStop(2);
		cursor.current = page;
		expect(cursor.readThisPoll({ page: 2, size: 100 })).toBe(page);
		cursor.drop();
		expect(cursor.readThisPoll({ page: 2, size: 100 })).toBe(page);
		expect(cursor.readThisPoll({ page: 2, size: 99 })).toBeUndefined();
		cursor.forget();
		expect(cursor.readThisPoll({ page: 2, size: 100 })).toBeUndefined();
		expect(api.callRequests()).toBe(1);
	});

	it('after forget() (something looked wrong) asks full pages: a probe only proves a quiet poll', async () => {
		const api = apiWith('asc');
		const cursor = new PageCursor(api.client(), {}, 100, true);
		expect(cursor.size).toBe(PROBE_SIZE);
		cursor.forget();
		expect(cursor.size).toBe(100);
		expect(cursor.place(123, 250, 1)).toEqual({ page: 2, size: 100 });
		expect((await cursor.fetchOrStop(2))?.calls).toHaveLength(100);
		expect(api.requests.map((r) => r.query?.per_page)).toEqual([100]);
	});

	it('adopts a smaller per_page the server reports, for page numbers and the next requests', async () => {
		const api = apiWith('asc', 430);
		api.drift = 'cap-per-page';
		const cursor = new PageCursor(api.client(), {}, 100, false);
		const page = await cursor.fetchOrStop(1);
		expect(page?.perPage).toBe(50);
		expect([cursor.perPage, cursor.size]).toEqual([50, 50]);
		expect(cursor.place(120, 430, 1)).toEqual({ page: 3, size: 50 });
	});

	it('adopts a cap the server reports for a page asked at less than full size', async () => {
		const api = apiWith('desc', 430);
		api.drift = 'cap-per-page';
		const cursor = new PageCursor(api.client(), {}, 100, false);
		const page = await cursor.fetchOrStop(2, 73);
		expect(page?.perPage).toBe(50);
		expect([cursor.perPage, cursor.size]).toEqual([50, 50]);
	});

	it('in a newest-first list asks for the page with the most rows from the position toward the newest end', () => {
		const cursor = new PageCursor(new FakeApi().client(), {}, 100, false);
		// Index 100 (position 899 of 1000): at 100 a page it would be the only row of page 2; 51 rows
		// a page put it last on page 2, with 50 newer rows.
		expect(cursor.place(899, 1000, -1)).toEqual({ page: 2, size: 51 });
		// Index 199: the last row of page 2 at full size.
		expect(cursor.place(800, 1000, -1)).toEqual({ page: 2, size: 100 });
		// Within the first 100 rows: page 1 at full size, everything newer on it.
		expect(cursor.place(950, 1000, -1)).toEqual({ page: 1, size: 100 });
		// Oldest first, pages stay at full size (they do not move with arrivals).
		expect(cursor.place(899, 1000, 1)).toEqual({ page: 9, size: 100 });
	});

	it('reads any stretch of a newest-first list in as many requests as full pages would take', () => {
		for (const start of [100, 250, 1750, 9999, 10_000, 12_345]) {
			let index = start;
			let requests = 0;
			while (index >= 0) {
				const { page, size } = newestFirstPlace(index, 100);
				const first = (page - 1) * size;
				expect(first).toBeLessThanOrEqual(index);
				expect(index).toBeLessThan(page * size);
				expect(size).toBeGreaterThanOrEqual(50);
				index = first - 1;
				requests++;
			}
			expect(requests).toBe(Math.ceil((start + 1) / 100));
		}
	});

	it('asks again when the answer is another page number, and fails typed after three answers', async () => {
		const api = apiWith('asc');
		api.rowsOfPage = (page) => page;
		const transport = api.transport;
		let answers = 0;
		api.transport = async (request) => {
			const response = await transport(request);
			const body = response.body as { current_page: number };
			if (++answers <= 3) body.current_page = 9;
			return response;
		};
		const cursor = new PageCursor(api.client(), {}, 100, false);
		const error = await cursor.fetchOrStop(1).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(FamulorApiError);
		expect((error as FamulorApiError).message).toMatch(/request for page 1 of the calls with page 9/);
		expect(cursor.requests).toBe(3);
	});

	it('refuses a page that contradicts itself, and stops (undefined) when the poll has no time left', async () => {
		const api = apiWith('asc');
		api.drift = 'lying-last-page';
		const lying = new PageCursor(api.client(), {}, 100, false);
		expect(await lying.fetchOrStop(1).catch((e: FamulorApiError) => e.kind)).toBe('incomplete');
		const outOfTime = apiWith('asc');
		const client = outOfTime.client();
		client.deadline = Date.now() - 1;
		client.pacer.recordSent(Date.now());
		const late = new PageCursor(client, {}, 100, false);
		// With a 1-request-per-10-s limit and one request just sent, the next waits past the deadline.
		Object.assign(client.pacer, { limits: { perMinute: 1, perTenSeconds: 1 } });
		expect(await late.fetchOrStop(1)).toBeUndefined();
	});
});

/** A call at `position` of a list where position p was created at minute p (ids = position + 1). */
function at(position: number, id = position + 1): PositionedCall {
	const call = { id, createdAt: Date.parse('2026-11-20T00:00:00Z') + position * MINUTE } as Call;
	return { call, position };
}

function page(positions: number[], ids?: number[]) {
	const positioned = positions.map((p, i) => at(p, ids?.[i]));
	return { positioned, lowest: positions[0] as number, highest: positions[positions.length - 1] as number, total: 300 };
}

const context = (overrides: Partial<AnchorContext> = {}): AnchorContext => ({
	position: 99,
	start: 99,
	lateStart: 99,
	skipped: false,
	watchedHere: [],
	...overrides,
});

describe('AnchorCheck', () => {
	// The anchor is the call at position k−1 = 99 (id 100).
	const check = (k = 100) =>
		new AnchorCheck(
			() => k,
			() => ({ id: 100, createdAt: at(99).call.createdAt }),
		);

	it('is not here on a page without position k−1; found where it was left; checked once', () => {
		const anchor = check();
		expect(anchor.inspect(page([0, 1, 2]), context())).toEqual({ kind: 'notHere' });
		expect(anchor.inspect(page([99, 100, 101]), context())).toEqual({ kind: 'found', position: 99 });
		expect(anchor.checked).toBe(true);
		expect(anchor.inspect(page([99, 100]), context())).toEqual({ kind: 'notHere' });
	});

	it('a list with nothing consumed has no anchor to check', () => {
		expect(check(0).inspect(page([0, 1]), context())).toEqual({ kind: 'notHere' });
	});

	it('found higher up: calls were inserted below it', () => {
		const anchor = check();
		// Positions 99..102 hold older calls and the anchor at 101: two insertions below it.
		const shifted = page([99, 100, 101, 102], [98, 99, 100, 101]);
		expect(anchor.inspect(shifted, context())).toEqual({ kind: 'found', position: 101 });
		expect(anchor.insertedBelow).toBe(true);
	});

	it('inserted below with older recent calls to read again: restart from the oldest recent call, once', () => {
		const anchor = check();
		const shifted = page([99, 100, 101], [98, 99, 100]);
		expect(anchor.inspect(shifted, context({ lateStart: 40 }))).toEqual({ kind: 'restart' });
		expect(anchor.restarted).toBe(true);
		expect(anchor.inspect(shifted, context({ lateStart: 40 }))).toEqual({ kind: 'found', position: 101 });
	});

	it('a page of only older calls pushed the anchor further: asked again, then believed', () => {
		const anchor = check();
		const older = { ...page([95, 96, 97, 98, 99], [90, 91, 92, 93, 94]), total: 300 };
		expect(anchor.inspect(older, context())).toEqual({ kind: 'reask' });
		expect(anchor.inspect(older, context())).toEqual({ kind: 'pushedAbove' });
	});

	it('gone from where it must be: asked again, then lost', () => {
		const anchor = check();
		const without = page([97, 98, 99, 100], [97, 98, 500, 501]);
		for (let read = 1; read < MAX_READS_PER_POSITION; read++)
			expect(anchor.inspect(without, context())).toEqual({ kind: 'reask' });
		expect(anchor.inspect(without, context())).toEqual({ kind: 'lost' });
	});
});

describe('WatchCheck', () => {
	const watched = { id: 50, createdAt: at(49).call.createdAt };

	it('nothing to watch, or the page is above where the call was: ok', () => {
		expect(new WatchCheck(undefined, undefined).inspect(page([0, 1]).positioned, 0, 1)).toBe('ok');
		expect(new WatchCheck(49, watched).inspect(page([60, 61]).positioned, 60, 61)).toBe('ok');
	});

	it('seen on its page, or a call not older than it there: ok', () => {
		expect(new WatchCheck(49, watched).inspect(page([40, 49, 55]).positioned, 40, 55)).toBe('ok');
		expect(new WatchCheck(49, watched).inspect(page([45, 60], [45, 61]).positioned, 45, 60)).toBe('ok');
	});

	it('only older calls: pushed up, the next page must show it; only newer there: that page was wrong', () => {
		const check = new WatchCheck(49, watched);
		expect(check.inspect(page([40, 41], [40, 41]).positioned, 40, 49)).toBe('ok');
		// The next page holds only newer calls: the one before held another page's rows.
		const newer = page([50, 51], [70, 71]).positioned;
		for (let miss = 1; miss < MAX_READS_PER_POSITION; miss++) {
			expect(check.inspect(page([40, 41], [40, 41]).positioned, 40, 49)).toBe('ok');
			expect(check.inspect(newer, 50, 51)).toBe('reask');
		}
		expect(check.inspect(page([40, 41], [40, 41]).positioned, 40, 49)).toBe('ok');
		expect(check.inspect(newer, 50, 51)).toBe('stop');
	});
});

describe('Checkpoints', () => {
	it('copies what the poll holds, and keeps the last two', () => {
		const checkpoints = new Checkpoints<{ k: number }>();
		const state = { k: 1 };
		const fresh = [at(0)];
		const first = Checkpoints.take(state, fresh, []);
		state.k = 2;
		fresh.push(at(1));
		expect(first).toEqual({ state: { k: 1 }, fresh: [at(0)], reread: [] });
		checkpoints.consuming(first);
		const second = Checkpoints.take(state, fresh, []);
		checkpoints.consuming(second);
		expect(checkpoints.beforeLast).toBe(second);
		expect(checkpoints.beforePrevious).toBe(first);
		expect(checkpoints.pagesConsumed).toBe(2);
	});
});
