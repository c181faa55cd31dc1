/**
 * The Call Trigger driven through n8n-core's real PollContext (test/helpers/engine.ts) against the
 * sandbox, with the sandbox clock moving. What each item must hold is computed here from the sandbox's
 * raw calls (BigInt cost sums, luxon days in the timezone), never from the package's code.
 */
import { DateTime } from 'luxon';
import { FamulorCallTrigger } from '../../nodes/FamulorCallTrigger/FamulorCallTrigger.node';
import { Sandbox, type RawCall } from '../sandbox/server';
import { createPollingWorkflow, type CredentialData, type PollingWorkflow } from '../helpers/engine';
import { costUnits, createdMs, toNumber } from '../helpers/truth';

const TZ = 'Europe/Berlin';
const MINUTE = 60_000;
const node = new FamulorCallTrigger();
let sandbox: Sandbox;
let credentials: CredentialData;

type Item = Record<string, any>;

const itemsOf = (outcome: { result: unknown }): Item[] =>
	((outcome.result as Array<Array<{ json: Item }>> | null)?.[0] ?? []).map((item) => item.json);

const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** The item a call must become, written out from the raw call (SPEC §5 and §12). */
function expectedItem(raw: RawCall): Item {
	const created = createdMs(raw);
	const duration = Number(raw.duration ?? 0);
	const total = costUnits(raw.total_cost as string);
	const carrier = costUnits(raw.carrier_cost as string);
	const local = DateTime.fromMillis(created, { zone: TZ });
	return {
		eventId: `call:${raw.id}`,
		id: raw.id,
		// ISO 8601 with the trigger's timezone offset, to the second (like every date the nodes output).
		createdAt: local.toISO({ suppressMilliseconds: true }),
		direction: raw.type,
		status: raw.status,
		durationSeconds: duration,
		billableMinutes: Number(((duration > 0 ? Math.max(duration, 30) : 0) / 60).toFixed(4)),
		totalCost: toNumber(total),
		carrierCost: toNumber(carrier),
		platformCost: toNumber(total - carrier),
		currency: 'EUR',
		assistantName: raw.assistant_name,
		campaignName: raw.campaign_name,
		assistantPhoneNumber: raw.assistant_phone_number,
		clientPhoneNumber: raw.client_phone_number,
		answeredBy: raw.answered_by,
		day: local.toFormat('yyyy-MM-dd'),
		month: local.toFormat('yyyy-MM'),
		correction: false,
	};
}

/** The call as the API shows it now. */
function visible(id: number): RawCall {
	const call = sandbox.visibleCalls().find((c) => c.id === id);
	if (!call) throw new Error(`call ${id} is not visible`);
	return call;
}

/** A settled call (final status and cost from the start) created `agoMs` before the sandbox clock. */
function settledCall(agoMs: number, fields: Partial<RawCall> = {}): RawCall {
	return sandbox.addCall({
		created_at: iso(sandbox.clock.nowMs() - agoMs),
		status: 'completed',
		duration: 45,
		total_cost: '0.31415926',
		carrier_cost: '0.02000000',
		assistant_name: 'Sales Assistant',
		campaign_name: 'Q4 Lead Follow-up',
		type: 'outbound',
		...fields,
	});
}

/**
 * Polls like n8n and keeps every emitted item.
 */
class Feed {
	readonly emitted: Item[] = [];
	readonly requests: number[] = [];
	readonly workflow: PollingWorkflow;

	constructor(parameters: Record<string, unknown>) {
		this.workflow = createPollingWorkflow({ node, parameters: parameters as never, credentials, timezone: TZ });
	}

	/**
	 * The host's clock moves with the sandbox's (test/sandbox/hostClock.ts). The sandbox's stands still
	 * between moves while the host's runs, so the offset the last poll stored (behind by the wall time
	 * that poll took) would start the next poll a moment before the sandbox's time: it is zeroed, as it
	 * is between two clocks that agree.
	 */
	advance(ms: number): void {
		sandbox.clock.advance(ms);
		const data = this.workflow.staticData();
		if (typeof data.skew === 'number') data.skew = 0;
	}

	async poll(): Promise<Item[]> {
		sandbox.resetStats();
		const outcome = await this.workflow.poll();
		expect(outcome.error).toBeUndefined();
		this.requests.push(sandbox.stats.requests);
		const items = itemsOf(outcome);
		this.emitted.push(...items);
		return items;
	}

	ids(): string[] {
		return this.emitted.map((item) => item.eventId);
	}
}

afterEach(async () => {
	await sandbox?.stop();
});

async function start(options: Parameters<typeof Sandbox.start>[0] = {}): Promise<void> {
	sandbox = await Sandbox.start({ now: '2026-11-12T10:00:00Z', calls: 1500, days: 25, futureDays: 0, ...options });
	credentials = { apiKey: sandbox.apiKey, baseUrl: sandbox.url, currency: 'EUR', billingCycleDay: 1 };
}

describe('every call once, when it is due', () => {
	it('calls arriving while polling come once, Settle Minutes after they ended, oldest first, exact items', async () => {
		await start();
		const feed = new Feed({ options: { timezone: TZ } });
		expect(await feed.poll()).toEqual([]); // activation: the calls before it are not emitted
		feed.advance(MINUTE);
		const a = settledCall(40_000, { duration: 20 });
		const b = settledCall(30_000, {
			duration: 25,
			campaign_name: null,
			type: 'inbound',
			assistant_name: 'Support Bot',
		});
		const c = settledCall(20_000, {
			duration: 0,
			status: 'no-answer',
			total_cost: '0.00000000',
			carrier_cost: '0.00000000',
		});
		expect(await feed.poll()).toEqual([]); // ended seconds ago: not due
		feed.advance(3 * MINUTE);
		expect(await feed.poll()).toEqual([]); // ended 3 minutes ago: still not due (5 minutes)
		feed.advance(2 * MINUTE);
		const due = await feed.poll();
		expect(due).toEqual([a, b, c].map((call) => expectedItem(visible(call.id))));
		for (let i = 0; i < 4; i++) {
			feed.advance(10 * MINUTE);
			expect(await feed.poll()).toEqual([]);
		}
		expect(feed.ids()).toEqual([`call:${a.id}`, `call:${b.id}`, `call:${c.id}`]);
		// Quiet polls and the poll that emitted stay within 2 + new/100 requests.
		expect(Math.max(...feed.requests.slice(1))).toBeLessThanOrEqual(2);
	});

	it.each([
		['desc', 30],
		['desc', 250],
		['asc', 30],
	] as const)(
		'calls arriving all the time (%s, %i a minute): each once, and every poll within 2 + new/100 requests',
		async (sort, perMinute) => {
			// The calls due wait Settle Minutes behind the newest ones: in a newest-first list they are
			// hundreds of rows from page 1.
			await start({ sort });
			const feed = new Feed({ options: { timezone: TZ } });
			await feed.poll();
			const arrived: RawCall[] = [];
			const costs: Array<{ emitted: number; requests: number }> = [];
			for (let minute = 0; minute < 20; minute++) {
				feed.advance(MINUTE);
				for (let i = 0; i < perMinute; i++) arrived.push(settledCall(MINUTE - ((i + 1) * 59_000) / (perMinute + 1)));
				const items = await feed.poll();
				costs.push({ emitted: items.length, requests: feed.requests[feed.requests.length - 1] as number });
			}
			// Every call of the first 12 minutes is due by the last poll: emitted once, oldest first.
			const due = arrived.slice(0, 12 * perMinute).map((call) => `call:${call.id}`);
			expect(feed.ids().slice(0, due.length)).toEqual(due);
			expect(new Set(feed.ids()).size).toBe(feed.ids().length);
			for (const { emitted, requests } of costs) expect(requests).toBeLessThanOrEqual(2 + emitted / 100);
		},
	);
});

describe('late costs', () => {
	it('a call in progress for a while, costed after it ended, comes once, with the final cost', async () => {
		// Calls show `in-progress` with a zero cost until 2 minutes after they ended (the sandbox lifecycle).
		await start({ settleLagSeconds: 120 });
		const feed = new Feed({ options: { timezone: TZ } });
		await feed.poll();
		const t0 = sandbox.clock.nowMs();
		const short = sandbox.addCall({ created_at: iso(t0), duration: 60, campaign_name: 'Black Friday Blitz' });
		const long = sandbox.addCall({
			created_at: iso(t0 + 10_000),
			duration: 20 * 60,
			campaign_name: 'Black Friday Blitz',
		});
		const after = sandbox.addCall({ created_at: iso(t0 + 20_000), duration: 45 });
		const seen = new Map<string, number>();
		for (let minute = 1; minute <= 30; minute++) {
			feed.advance(MINUTE);
			for (const item of await feed.poll()) seen.set(item.eventId, minute);
		}
		// Each once, with the cost it has once settled, when it was due: the short one 6 minutes after it
		// started (1 minute long + 5), the one after it not held up by the long one, the long one 25 minutes after.
		expect(feed.ids().sort()).toEqual([short, long, after].map((c) => `call:${c.id}`).sort());
		for (const call of [short, long, after]) {
			const item = feed.emitted.find((i) => i.id === call.id) as Item;
			expect(item).toEqual(expectedItem(visible(call.id)));
			expect(item.totalCost).toBeGreaterThan(0);
			expect(item.status).toBe('completed');
		}
		expect(seen.get(`call:${short.id}`)).toBe(6);
		expect(seen.get(`call:${after.id}`)).toBe(7); // 20 s later, 45 s long: due 6:05 after t0
		expect(seen.get(`call:${long.id}`)).toBe(26);
		expect(Math.max(...feed.requests)).toBeLessThanOrEqual(3);
	});

	it('a cost booked after the call ended, before it is due, is in the item', async () => {
		await start();
		const feed = new Feed({ options: { timezone: TZ, settleMinutes: 10 } });
		await feed.poll();
		feed.advance(MINUTE);
		// Famulor shows the call as completed at once, but books its cost 4 minutes later.
		const call = settledCall(30_000, { total_cost: '0.00000000', carrier_cost: '0.00000000' });
		feed.advance(4 * MINUTE);
		expect(await feed.poll()).toEqual([]);
		sandbox.updateCall(call.id, { total_cost: '1.23456789', carrier_cost: '0.11111111' });
		feed.advance(7 * MINUTE);
		const items = await feed.poll();
		expect(items).toEqual([expectedItem(visible(call.id))]);
		expect(items[0].totalCost).toBe(1.23456789);
	});
});

describe('Start From: a backfill spread over polls', () => {
	it('every call of the month so far once, oldest first, at most Max Items per Poll a poll, then new', async () => {
		await start();
		const monthStart = DateTime.fromISO('2026-11-12T10:00:00Z').setZone(TZ).startOf('month').toMillis();
		const feed = new Feed({ options: { timezone: TZ, startFrom: 'startOfMonth', maxItemsPerPoll: 150 } });
		const perPoll: number[] = [];
		const taken: number[] = [];
		// Calls taken so far: those behind the tracker's cursor, and those at it.
		const k = () => {
			const { tracker } = feed.workflow.staticData().state as {
				tracker: { ledger: { behind: number }; cursor: { ids: number[] } | null };
			};
			return tracker.ledger.behind + (tracker.cursor?.ids.length ?? 0);
		};
		for (let i = 0; i < 12; i++) {
			const before = i === 0 ? 0 : k();
			perPoll.push((await feed.poll()).length);
			taken.push(k() - before);
			feed.advance(MINUTE);
		}
		const fresh = settledCall(10_000);
		feed.advance(10 * MINUTE);
		await feed.poll();
		const now = sandbox.clock.nowMs();
		// Every call of the month that is due now: settled and ended 5 minutes ago.
		const truth = sandbox
			.visibleCalls()
			.filter((call) => createdMs(call) >= monthStart)
			.filter(
				(call) => call.status !== 'in-progress' && createdMs(call) + Number(call.duration) * 1000 + 5 * MINUTE <= now,
			)
			.sort((a, b) => createdMs(a) - createdMs(b) || a.id - b.id);
		expect(truth.length).toBeGreaterThan(500);
		expect(truth.some((call) => call.id === fresh.id)).toBe(true);
		expect(feed.ids().sort()).toEqual(truth.map((call) => `call:${call.id}`).sort());
		expect(new Set(feed.ids()).size).toBe(feed.ids().length);
		// Spread over several polls, none above the cap, and oldest first.
		expect(perPoll.filter((n) => n > 0).length).toBeGreaterThanOrEqual(4);
		expect(Math.max(...perPoll)).toBeLessThanOrEqual(150);
		const order = feed.emitted.map((item) => [Date.parse(item.createdAt), item.id]);
		expect(order).toEqual([...order].sort((a, b) => a[0] - b[0] || a[1] - b[1]));
		// Every item as the raw call says, costs to the 8th decimal.
		const byId = new Map(truth.map((call) => [call.id, call]));
		for (const item of feed.emitted) expect(item).toEqual(expectedItem(byId.get(item.id) as RawCall));
		const emittedTotal = feed.emitted.reduce((sum, item) => sum + costUnits(visible(item.id).total_cost as string), 0n);
		expect(emittedTotal).toBe(truth.reduce((sum, call) => sum + costUnits(call.total_cost as string), 0n));
		// A backfill poll reads the calls it takes in pages (newest first: the list's first page, the pages
		// from where it stopped, and the page after the one where it stops, to confirm that one): at most
		// 4 + taken/100 requests (and the clock check at activation).
		feed.requests
			.slice(1, 12)
			.forEach((requests, index) => expect(requests).toBeLessThanOrEqual(4 + (taken[index + 1] as number) / 100));
	});

	it("Start of Today emits today's calls only", async () => {
		await start();
		const dayStart = DateTime.fromISO('2026-11-12T10:00:00Z').setZone(TZ).startOf('day').toMillis();
		const feed = new Feed({ options: { timezone: TZ, startFrom: 'startOfToday' } });
		const items = await feed.poll();
		const now = sandbox.clock.nowMs();
		const truth = sandbox
			.visibleCalls()
			.filter((call) => createdMs(call) >= dayStart)
			.filter(
				(call) => call.status !== 'in-progress' && createdMs(call) + Number(call.duration) * 1000 + 5 * MINUTE <= now,
			);
		expect(truth.length).toBeGreaterThan(5);
		expect(items.map((item) => item.id).sort((a, b) => a - b)).toEqual(
			truth.map((call) => call.id).sort((a, b) => a - b),
		);
		expect(items.every((item) => item.day === '2026-11-12' && item.month === '2026-11')).toBe(true);
	});
});

describe('corrections', () => {
	it('a cost changed after emission comes as call:<id>:rev<n> with the cost before, also for older calls', async () => {
		await start();
		const feed = new Feed({ options: { timezone: TZ } });
		await feed.poll();
		feed.advance(MINUTE);
		const early = settledCall(30_000, { total_cost: '0.50000000' });
		feed.advance(6 * MINUTE);
		expect((await feed.poll()).map((item) => item.eventId)).toEqual([`call:${early.id}`]);
		// Many calls later (the early call is pages below the newest one) its cost changes.
		for (let i = 0; i < 3; i++) {
			for (let n = 0; n < 90; n++) settledCall(50_000 - n * 500);
			feed.advance(6 * MINUTE);
			await feed.poll();
		}
		const recent = feed.emitted[feed.emitted.length - 1] as Item;
		sandbox.updateCall(early.id, { total_cost: '0.75000000' });
		sandbox.updateCall(recent.id, { total_cost: '2.00000000' });
		const corrections: Item[] = [];
		for (let i = 0; i < 6; i++) {
			feed.advance(MINUTE);
			corrections.push(...(await feed.poll()));
		}
		expect(corrections.map((item) => item.eventId).sort()).toEqual(
			[`call:${early.id}:rev1`, `call:${recent.id}:rev1`].sort(),
		);
		const first = corrections.find((item) => item.id === early.id) as Item;
		expect(first).toEqual({
			...expectedItem(visible(early.id)),
			eventId: `call:${early.id}:rev1`,
			correction: true,
			previousTotalCost: 0.5,
		});
		expect(first.totalCost).toBe(0.75);
		// A second change is rev2; an unchanged cost is not emitted again.
		sandbox.updateCall(early.id, { total_cost: '0.70000000' });
		const later: Item[] = [];
		for (let i = 0; i < 6; i++) {
			feed.advance(MINUTE);
			later.push(...(await feed.poll()));
		}
		expect(later.map((item) => [item.eventId, item.previousTotalCost, item.totalCost])).toEqual([
			[`call:${early.id}:rev2`, 0.75, 0.7],
		]);
		// The re-checks stay within 2 + new/100 requests a poll.
		expect(Math.max(...feed.requests.slice(-12))).toBeLessThanOrEqual(2);
	});

	it('with Emit Corrections off, a changed cost emits nothing and nothing is remembered', async () => {
		await start();
		const feed = new Feed({ options: { timezone: TZ, emitCorrections: false } });
		await feed.poll();
		feed.advance(MINUTE);
		const call = settledCall(30_000);
		feed.advance(6 * MINUTE);
		expect(await feed.poll()).toHaveLength(1);
		sandbox.updateCall(call.id, { total_cost: '9.00000000' });
		for (let i = 0; i < 3; i++) {
			feed.advance(MINUTE);
			expect(await feed.poll()).toEqual([]);
		}
		expect((feed.workflow.staticData().state as { emitted: { id: number[] } }).emitted.id).toEqual([]);
	});
});

describe('filters, Min Cost and Min Duration', () => {
	it('emits only the calls that pass all of them, the others silently', async () => {
		await start();
		const feed = new Feed({
			filters: { campaignId: { __rl: true, mode: 'list', value: '303' }, direction: 'outbound' },
			minCost: 0.5,
			minDurationMinutes: 2,
			options: { timezone: TZ },
		});
		await feed.poll();
		feed.advance(MINUTE);
		const black = { campaign_name: 'Black Friday Blitz', type: 'outbound' as const };
		const wanted = settledCall(50_000, { ...black, duration: 150, total_cost: '0.50000000' });
		settledCall(45_000, { ...black, duration: 150, total_cost: '0.49999999' }); // below Min Cost
		settledCall(40_000, { ...black, duration: 119, total_cost: '3.00000000' }); // under 2 minutes
		settledCall(35_000, { duration: 300, total_cost: '3.00000000' }); // another campaign
		settledCall(30_000, { ...black, type: 'inbound', duration: 300, total_cost: '3.00000000' }); // inbound
		const big = settledCall(25_000, { ...black, duration: 48 * 60, total_cost: '9.80000000' });
		feed.advance(60 * MINUTE);
		await feed.poll();
		feed.advance(MINUTE);
		await feed.poll();
		expect(feed.ids()).toEqual([`call:${wanted.id}`, `call:${big.id}`]);
		expect(feed.emitted.map((item) => item.totalCost)).toEqual([0.5, 9.8]);
	});
});

describe('modes and state', () => {
	it('manual mode returns the latest due calls as a sample and never touches the state', async () => {
		await start();
		const feed = new Feed({ minCost: 0.2, options: { timezone: TZ } });
		// Before activation: no state is created.
		const before = await feed.workflow.poll({ mode: 'manual' });
		expect(before.error).toBeUndefined();
		expect(feed.workflow.persisted()).toEqual({});
		const sample = itemsOf(before);
		const now = sandbox.clock.nowMs();
		const latest = sandbox
			.visibleCalls()
			.filter(
				(call) => call.status !== 'in-progress' && createdMs(call) + Number(call.duration) * 1000 + 5 * MINUTE <= now,
			)
			.filter((call) => costUnits(call.total_cost as string) >= 20_000_000n)
			.sort((a, b) => createdMs(b) - createdMs(a) || b.id - a.id)
			.slice(0, 3)
			.reverse();
		expect(sample).toEqual(latest.map((call) => ({ ...expectedItem(call), sample: true })));
		// After activation and some polls: the stored state stays byte for byte.
		await feed.poll();
		feed.advance(MINUTE);
		settledCall(20_000, { total_cost: '0.90000000' });
		feed.advance(6 * MINUTE);
		await feed.poll();
		settledCall(10_000, { total_cost: '0.80000000' });
		feed.advance(6 * MINUTE);
		const state = JSON.stringify(feed.workflow.staticData());
		const persisted = JSON.stringify(feed.workflow.persisted());
		const manual = await feed.workflow.poll({ mode: 'manual' });
		expect(itemsOf(manual).every((item) => item.sample === true)).toBe(true);
		expect(itemsOf(manual)).toHaveLength(3);
		expect(JSON.stringify(feed.workflow.staticData())).toBe(state);
		expect(JSON.stringify(feed.workflow.persisted())).toBe(persisted);
	});

	it('after a restart nothing comes twice; after the state is lost, no call before it comes again', async () => {
		await start();
		const feed = new Feed({ options: { timezone: TZ } });
		await feed.poll();
		const calls: RawCall[] = [];
		for (let round = 0; round < 3; round++) {
			feed.advance(MINUTE);
			calls.push(settledCall(30_000), settledCall(20_000));
			feed.advance(6 * MINUTE);
			await feed.poll();
			// n8n saves the state only when a poll emits; a restart loads what it saved.
			feed.workflow.restart();
			feed.advance(MINUTE);
			await feed.poll();
		}
		for (const key of Object.keys(feed.workflow.staticData())) delete feed.workflow.staticData()[key];
		await feed.poll(); // a new baseline: the calls before it are not emitted again
		feed.advance(MINUTE);
		calls.push(settledCall(10_000));
		feed.advance(6 * MINUTE);
		await feed.poll();
		feed.workflow.restart();
		await feed.poll();
		expect(feed.ids()).toEqual(calls.map((call) => `call:${call.id}`));
	});

	it.each<[string, (data: Record<string, any>) => void]>([
		['a state of version 1', (data) => void (data.state.v = 1)],
		['the tracker as an empty object', (data) => void (data.state.tracker = {})],
		['emitted columns of different lengths', (data) => void data.state.emitted.id.push(1)],
		['a missing key (held)', (data) => void delete data.state.held],
		['a whole state that is an array', (data) => void (data.state = [])],
	])('a damaged state (%s) is a new feed from then on: a backfill is not emitted again', async (_name, damage) => {
		await start({ calls: 400 });
		const feed = new Feed({ options: { timezone: TZ, startFrom: 'startOfMonth' } });
		await feed.poll();
		const backfill = feed.ids().length;
		expect(backfill).toBeGreaterThan(100);
		feed.advance(MINUTE);
		expect(await feed.poll()).toEqual([]);

		damage(feed.workflow.staticData());
		feed.advance(MINUTE);
		expect(await feed.poll()).toEqual([]);
		feed.advance(MINUTE);
		const fresh = settledCall(10_000);
		feed.advance(6 * MINUTE);
		expect((await feed.poll()).map((item) => item.eventId)).toEqual([`call:${fresh.id}`]);
		expect(new Set(feed.ids()).size).toBe(backfill + 1);
	});

	it('Simplify off: the raw call without its transcript, with the billing fields and eventId, day, month', async () => {
		await start();
		const feed = new Feed({ options: { timezone: TZ, simplify: false } });
		await feed.poll();
		feed.advance(MINUTE);
		const call = settledCall(30_000);
		feed.advance(6 * MINUTE);
		const [item] = await feed.poll();
		const raw: Record<string, unknown> = { ...visible(call.id) };
		expect(raw.transcript).toBeDefined();
		delete raw.transcript;
		expect(item).toEqual({ ...raw, ...expectedItem(visible(call.id)) });
		expect(Object.keys(item as Item)[0]).toBe('eventId');
		expect(item).not.toHaveProperty('transcript');
	});

	it('names such as __proto__ and constructor are data', async () => {
		await start();
		const feed = new Feed({ options: { timezone: TZ } });
		await feed.poll();
		feed.advance(MINUTE);
		const odd = settledCall(30_000, { campaign_name: '__proto__', assistant_name: 'constructor' });
		const other = settledCall(20_000, { campaign_name: 'toString', assistant_name: 'hasOwnProperty' });
		feed.advance(6 * MINUTE);
		const items = await feed.poll();
		expect(items).toEqual([expectedItem(visible(odd.id)), expectedItem(visible(other.id))]);
		expect(items[0]?.campaignName).toBe('__proto__');
		expect(({} as Record<string, unknown>).assistantName).toBeUndefined();
		expect(Object.getPrototypeOf(items[0])).toBe(Object.prototype);
	});

	it('invalid parameters fail with the parameter named and the fix, before any request', async () => {
		await start();
		const cases: Array<[Record<string, unknown>, RegExp]> = [
			[{ minCost: -1 }, /minCost/],
			[{ minDurationMinutes: -2 }, /minDurationMinutes/],
			[{ options: { maxItemsPerPoll: 0 } }, /maxItemsPerPoll/],
			[{ options: { settleMinutes: 5000 } }, /settleMinutes/],
			[{ options: { startFrom: 'yesterday' } }, /startFrom/],
			[{ options: { timezone: 'Nowhere/City' } }, /timezone/],
			[{ filters: { campaignId: { __rl: true, mode: 'id', value: 'abc' } } }, /campaignId/],
		];
		for (const [parameters, pattern] of cases) {
			sandbox.resetStats();
			const outcome = await createPollingWorkflow({
				node,
				parameters: parameters as never,
				credentials,
				timezone: TZ,
			}).poll();
			expect(outcome.error?.message).toMatch(pattern);
			expect(outcome.error?.description).toBeTruthy();
			expect(sandbox.stats.requests).toBe(0);
		}
	});
});
