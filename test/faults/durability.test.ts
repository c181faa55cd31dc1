/**
 * State durability (issue 7): a poll killed midway — at each of its await points in turn — leaves the
 * stored state as it was, and the next poll recovers with no lost and no duplicated alert.
 *
 * Core level (virtual time, real HTTP to the sandbox): the critical poll reads several pages (new
 * calls that cross thresholds or make a spike) and waits through a 429 and a 500 (backoff). It is run
 * once uninterrupted (the reference), then killed at every request (the request never answers: the
 * process died) and at every sleep (the wait throws), and answered with a 401 at every request (a
 * typed failure). After each kill the stored state is byte-identical to before, and the following
 * polls emit exactly the reference's alerts — none lost, none twice — and reach the same totals.
 *
 * Engine level: the same through n8n's real poll loop (createPollingWorkflow), with a proxy in front
 * of the sandbox that fails the n-th request; and a failed poll's requests still count for pacing.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FamulorApiError } from '../../src/errors';
import type { Transport } from '../../src/api/classic/transport';
import { filtersFromInput } from '../../src/filters';
import type { SpikeConfig, SpikeState } from '../../src/triggers/spike';
import type { ThresholdConfig, ThresholdState } from '../../src/triggers/threshold';
import { FamulorThresholdTrigger } from '../../nodes/FamulorThresholdTrigger/FamulorThresholdTrigger.node';
import { FamulorSpikeTrigger } from '../../nodes/FamulorSpikeTrigger/FamulorSpikeTrigger.node';
import { createPollingWorkflow } from '../helpers/engine';
import { Sandbox } from '../sandbox/server';
import { modelPoll, spikeSpec, thresholdSpec, type EngineSpec, type Stored } from './lib/poller';
import { canonical } from './lib/truth';
import { periodValues, spikeBuckets } from '../helpers/stateViews';
import { httpTransport, seededRandom, VirtualClock, VirtualRateLimiter } from './lib/virtual';

const MINUTE = 60_000;
const START = Date.parse('2026-10-28T09:00:00Z');
const counts = { killPoints: 0, recoveries: 0, alerts: 0 };

class Killed extends Error {}

const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

type AnyState = { v: number; config: string; phase: string };

interface Bench<Config, State extends AnyState> {
	sandbox: Sandbox;
	spec: EngineSpec<Config, State>;
	config: Config;
	clock: VirtualClock;
	transport: Transport;
	/** A new timeline (client clock and rate window) from the start: each what-if run gets its own. */
	fresh(): void;
	close(): Promise<void>;
}

async function bench<Config, State extends AnyState>(
	spec: EngineSpec<Config, State>,
	config: Config,
	sort: 'asc' | 'desc',
): Promise<Bench<Config, State>> {
	const sandbox = await Sandbox.start({ now: iso(START), calls: 360, days: 9, futureDays: 0, sort, seed: 11 });
	const transports: Array<{ close(): void }> = [];
	const b = {
		sandbox,
		spec,
		config,
		fresh() {
			b.clock = new VirtualClock(START);
			const made = httpTransport({
				baseUrl: sandbox.url,
				apiKey: sandbox.apiKey,
				clock: b.clock,
				limiter: new VirtualRateLimiter(),
			});
			transports.push(made);
			b.transport = made.transport;
		},
		close: async () => {
			for (const made of transports) made.close();
			await sandbox.stop();
		},
	} as Bench<Config, State>;
	b.fresh();
	return b;
}

/** One poll at server time `at` with the store-only-on-success rule. A kill makes it hang forever: it is abandoned. */
async function pollAt<Config, State extends AnyState>(
	b: Bench<Config, State>,
	stored: Stored<State>,
	at: number,
	kill: { request?: number; sleep?: number; unauthorizedAt?: number } = {},
): Promise<{ killed: boolean; ok: boolean; error?: unknown; events: string[]; requests: number; sleeps: number }> {
	b.sandbox.clock.set(new Date(at));
	b.clock.advanceTo(at);
	let requests = 0;
	let sleeps = 0;
	let signalKilled: () => void = () => {};
	const killedSignal = new Promise<'killed'>((resolve) => {
		signalKilled = () => resolve('killed');
	});
	const transport: Transport = async (request) => {
		requests++;
		if (requests === kill.request) {
			signalKilled();
			return new Promise(() => {});
		}
		if (requests === kill.unauthorizedAt) return { status: 401, headers: {}, body: { message: 'Unauthenticated.' } };
		return b.transport(request);
	};
	const outcome = await Promise.race([
		modelPoll(b.spec, stored, b.config, {
			clock: b.clock,
			transport,
			serverNow: at,
			random: seededRandom(at),
			sleep: async (ms: number) => {
				sleeps++;
				if (sleeps === kill.sleep) {
					signalKilled();
					throw new Killed('killed while waiting');
				}
				await b.clock.sleep(ms);
			},
		}),
		killedSignal,
	]);
	if (outcome === 'killed') return { killed: true, ok: false, events: [], requests, sleeps };
	if (!outcome.ok && outcome.error instanceof Killed) return { killed: true, ok: false, events: [], requests, sleeps };
	return {
		killed: false,
		ok: outcome.ok,
		error: outcome.error,
		events: outcome.events.map((e) => e.eventId),
		requests,
		sleeps,
	};
}

interface Scenario<Config, State extends AnyState> {
	/** Polls that build a ready state; the critical poll comes at `critical`. */
	warmUp: number[];
	critical: number;
	/** The polls after it (the next ticks). */
	after: number[];
	/** Changes to the sandbox made just before the critical poll. */
	arrive(b: Bench<Config, State>): void;
	/** What a recovered run must reach: the money totals (or buckets) of the final state. */
	totals(state: State | undefined): unknown;
}

const CRITICAL_FAULTS = [
	{ kind: '429' as const, path: '&page=', count: 1, delayMs: 2_000 },
	{ kind: '500' as const, path: '/user/calls', count: 1 },
];

async function killEverywhere<Config, State extends AnyState>(
	spec: EngineSpec<Config, State>,
	config: Config,
	sort: 'asc' | 'desc',
	scenario: Scenario<Config, State>,
): Promise<void> {
	const b = await bench(spec, config, sort);
	try {
		const stored: Stored<State> = {};
		for (const at of scenario.warmUp) {
			const outcome = await pollAt(b, stored, at);
			expect(outcome.ok).toBe(true);
		}
		expect(stored.state?.phase).toBe('ready');
		const before = JSON.stringify(stored);
		scenario.arrive(b);

		// The reference: the critical poll and the next ones, uninterrupted.
		const reference = { events: [] as string[], requests: 0, sleeps: 0, totals: undefined as unknown };
		{
			const copy: Stored<State> = JSON.parse(before);
			b.fresh();
			b.sandbox.clearFaults();
			b.sandbox.injectFaults(CRITICAL_FAULTS);
			const critical = await pollAt(b, copy, scenario.critical);
			expect(critical.ok).toBe(true);
			b.sandbox.clearFaults();
			reference.events.push(...critical.events);
			reference.requests = critical.requests;
			reference.sleeps = critical.sleeps;
			for (const at of scenario.after) reference.events.push(...(await pollAt(b, copy, at)).events);
			reference.totals = scenario.totals(copy.state);
		}
		expect(reference.events.length).toBeGreaterThan(0);
		expect(new Set(reference.events).size).toBe(reference.events.length);
		expect(reference.requests).toBeGreaterThanOrEqual(3);
		expect(reference.sleeps).toBeGreaterThanOrEqual(2);

		const kills: Array<{ request?: number; sleep?: number; unauthorizedAt?: number }> = [
			...Array.from({ length: reference.requests }, (_, i) => ({ request: i + 1 })),
			...Array.from({ length: reference.sleeps }, (_, i) => ({ sleep: i + 1 })),
			...Array.from({ length: reference.requests }, (_, i) => ({ unauthorizedAt: i + 1 })),
		];
		for (const kill of kills) {
			counts.killPoints++;
			const copy: Stored<State> = JSON.parse(before);
			b.fresh();
			b.sandbox.clearFaults();
			b.sandbox.injectFaults(CRITICAL_FAULTS);
			const killed = await pollAt(b, copy, scenario.critical, kill);
			b.sandbox.clearFaults();
			if (kill.unauthorizedAt !== undefined) {
				expect(killed.ok).toBe(false);
				expect(killed.error).toBeInstanceOf(FamulorApiError);
				expect((killed.error as FamulorApiError).kind).toBe('auth');
			} else {
				expect(killed.killed).toBe(true);
			}
			// Nothing half-written: the stored state is exactly what it was (a failed poll keeps only its
			// requests' send times, for pacing).
			expect(JSON.stringify(copy.state)).toBe(JSON.stringify(JSON.parse(before).state));
			expect(copy.skew).toEqual(JSON.parse(before).skew);

			// Recovery: the next ticks, from the state as it was.
			const events: string[] = [];
			for (const at of [scenario.critical + MINUTE, ...scenario.after]) {
				const outcome = await pollAt(b, copy, at);
				expect(outcome.error).toBeUndefined();
				events.push(...outcome.events);
			}
			counts.recoveries++;
			counts.alerts += events.length;
			expect(new Set(events).size).toBe(events.length);
			expect([...events].sort()).toEqual([...reference.events].sort());
			expect(canonical(scenario.totals(copy.state))).toBe(canonical(reference.totals));
		}
	} finally {
		await b.close();
	}
}

function thresholdConfig(thresholds: number[]): ThresholdConfig {
	const { query, filters } = filtersFromInput({}, { includeStatusInQuery: false });
	return {
		metric: 'spend',
		period: 'day',
		timezone: 'Europe/Berlin',
		billingCycleDay: 1,
		thresholdType: 'absolute',
		budget: 0,
		thresholds,
		groupBy: 'none',
		query,
		filters,
		rearmMarginPercent: 10,
		fireOnActivation: false,
		currency: 'EUR',
		settleMinutes: 15,
	};
}

function spikeConfig(): SpikeConfig {
	const { query, filters } = filtersFromInput({}, { includeStatusInQuery: false });
	return {
		metric: 'calls',
		window: 'fifteenMinutes',
		baselineDays: 3,
		seasonality: 'none',
		minIncreasePercent: 100,
		minAbsoluteIncrease: 5,
		groupBy: 'campaign',
		query,
		filters,
		timezone: 'Europe/Berlin',
		settleMinutes: 15,
		minBaselineSamples: 3,
		currency: 'EUR',
	};
}

/** `n` settled calls ending before `at`, one every `spacing` ms, costing `cents` each. */
function addSettled(
	sandbox: Sandbox,
	at: number,
	n: number,
	cents: number,
	spacing = 1_000,
	campaign: string | null = null,
): void {
	for (let i = 0; i < n; i++) {
		sandbox.addCall({
			created_at: iso(at - (n - i) * spacing),
			status: 'completed',
			duration: 60,
			total_cost: (cents / 100).toFixed(8),
			carrier_cost: '0.00000000',
			assistant_name: 'Sales Assistant',
			campaign_name: campaign,
			type: 'outbound',
		});
	}
}

describe('state durability: a poll killed at each await point', () => {
	afterAll(() => {
		console.log(
			`durability: ${counts.killPoints} kill points (every request, every wait, a 401 at every request), ` +
				`${counts.recoveries} recoveries, ${counts.alerts} alerts re-emitted exactly once, none lost`,
		);
	});

	it.each(['desc', 'asc'] as const)(
		'threshold trigger (list sorted %s): killed anywhere, the next poll emits exactly the alerts',
		async (sort) => {
			const critical = START + 40 * MINUTE;
			// Spend today before the critical poll is whatever the sandbox has; the thresholds sit above it.
			const probe = await bench(thresholdSpec, thresholdConfig([1_000_000]), sort);
			const stored: Stored<ThresholdState> = {};
			await pollAt(probe, stored, START);
			const today = (periodValues(stored.state?.periods.at(-1))[''] ?? 0) / 1e8;
			await probe.close();
			const base = Math.ceil(today) + 1;
			const config = thresholdConfig([base, base + 2, base + 4, base + 6]);
			await killEverywhere(thresholdSpec, config, sort, {
				warmUp: [START, START + 10 * MINUTE],
				critical,
				after: [critical + 5 * MINUTE, critical + 20 * MINUTE],
				arrive: (b) => {
					// 250 new calls worth 5 EUR (three pages): base, base + 2 and base + 4 are crossed.
					addSettled(b.sandbox, critical, 250, 2, 1_500);
					// Calls still running, whose cost appears once they settle (base + 6 after that).
					for (let i = 0; i < 3; i++) {
						b.sandbox.addCall({
							created_at: iso(critical - 30_000 - i * 1000),
							duration: 240,
							assistant_name: 'Booking Agent',
						});
					}
					b.sandbox.addCall({
						created_at: iso(critical - 20_000),
						status: 'completed',
						duration: 600,
						total_cost: '2.50000000',
						carrier_cost: '0.00000000',
						assistant_name: 'Support Bot',
					});
				},
				totals: (state) => state?.periods.map((p) => [p.id, periodValues(p)]),
			});
		},
		240_000,
	);

	it.each(['desc', 'asc'] as const)(
		'spike trigger (list sorted %s): killed anywhere, the next poll emits exactly the spike',
		async (sort) => {
			const critical = START + 60 * MINUTE;
			await killEverywhere(spikeSpec, spikeConfig(), sort, {
				warmUp: [START, START + 30 * MINUTE, START + 45 * MINUTE],
				critical,
				after: [critical + 5 * MINUTE],
				arrive: (b) => {
					// A burst in the quarter [critical − 30 min, critical − 15 min): it closes, settles and is
					// evaluated at the critical poll. Then 220 ordinary calls in the last minutes (pages to read).
					for (let i = 0; i < 30; i++) {
						b.sandbox.addCall({
							created_at: iso(critical - 29 * MINUTE + i * 20_000),
							status: 'completed',
							duration: 45,
							campaign_name: 'Black Friday Blitz',
							assistant_name: 'Sales Assistant',
							type: 'outbound',
						});
					}
					addSettled(b.sandbox, critical, 220, 1, 1_000);
				},
				totals: (state) => spikeBuckets(state),
			});
		},
		240_000,
	);
});

/** A proxy in front of the sandbox that answers 401 to the n-th request (counted from `arm()`). */
async function failingProxy(
	target: string,
): Promise<{ url: string; arm(n: number): void; seen(): number; close(): Promise<void> }> {
	const upstream = new URL(target);
	let count = 0;
	let failAt = 0;
	const server = http.createServer((req, res) => {
		count++;
		if (count === failAt) {
			res.writeHead(401, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify({ message: 'Unauthenticated.' }));
			return;
		}
		const forward = http.request(
			{ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
			(answer) => {
				res.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.pipe(res);
			},
		);
		forward.on('error', () => res.destroy());
		req.pipe(forward);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}${upstream.pathname}`,
		arm: (n) => {
			count = 0;
			failAt = n;
		},
		seen: () => count,
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

describe("state durability through n8n's poll loop", () => {
	it(
		'a poll failing at the n-th request (every n) leaves the state as it was; the next poll emits the alerts ' + 'once',
		async () => {
			const sandbox = await Sandbox.start({ now: '2026-10-28T09:00:00Z', calls: 360, days: 9, futureDays: 0, seed: 5 });
			const proxy = await failingProxy(sandbox.url);
			try {
				const parameters = {
					metric: 'spend',
					period: 'day',
					thresholdType: 'absolute',
					thresholds: '1000000',
					groupBy: 'none',
					options: { timezone: 'Europe/Berlin' },
				};
				const credentials = { apiKey: sandbox.apiKey, baseUrl: proxy.url };
				const probe = createPollingWorkflow({
					node: new FamulorThresholdTrigger(),
					parameters,
					credentials,
					timezone: 'Europe/Berlin',
				});
				proxy.arm(0);
				expect((await probe.poll()).error).toBeUndefined();
				const today = Number(periodValues((probe.staticData().state as ThresholdState).periods.at(-1))[''] ?? 0) / 1e8;
				const base = Math.ceil(today) + 1;
				const thresholds = `${base}, ${base + 2}, ${base + 4}`;
				const workflow = createPollingWorkflow({
					node: new FamulorThresholdTrigger(),
					parameters: { ...parameters, thresholds },
					credentials,
					timezone: 'Europe/Berlin',
				});
				proxy.arm(0);
				expect((await workflow.poll()).error).toBeUndefined();
				sandbox.clock.advance(10 * MINUTE);
				expect((await workflow.poll()).error).toBeUndefined();
				const snapshot = JSON.stringify(workflow.staticData());
				addSettled(sandbox, sandbox.clock.nowMs(), 250, 2, 1_500);

				const restore = () => {
					const data = workflow.staticData();
					for (const key of Object.keys(data)) delete data[key];
					Object.assign(data, JSON.parse(snapshot));
				};
				const ids = (outcome: { result: unknown }) =>
					((outcome.result as Array<Array<{ json: { eventId: string } }>> | null)?.[0] ?? []).map(
						(item) => item.json.eventId,
					);

				restore();
				proxy.arm(0);
				const reference = await workflow.poll();
				expect(reference.error).toBeUndefined();
				const expected = ids(reference).sort();
				expect(expected).toHaveLength(3);
				const requests = proxy.seen();
				expect(requests).toBeGreaterThanOrEqual(3);

				for (let n = 1; n <= requests; n++) {
					restore();
					const stateBefore = JSON.stringify(workflow.staticData().state);
					proxy.arm(n);
					const failed = await workflow.poll();
					expect(failed.error?.message).toMatch(/401|API key/);
					expect(failed.result).toBeNull();
					expect(JSON.stringify(workflow.staticData().state)).toBe(stateBefore);
					// The failed poll's requests were kept for pacing.
					expect(((workflow.staticData().pacing as { sent: number[] }).sent ?? []).length).toBeGreaterThanOrEqual(n);
					proxy.arm(0);
					const recovered = await workflow.poll();
					expect(recovered.error).toBeUndefined();
					expect(ids(recovered).sort()).toEqual(expected);
					proxy.arm(0);
					expect(ids(await workflow.poll())).toEqual([]);
				}
			} finally {
				await proxy.close();
				await sandbox.stop();
			}
		},
		120_000,
	);

	it('spike trigger: a poll failing at the n-th request leaves the state as it was', async () => {
		const sandbox = await Sandbox.start({ now: '2026-10-28T09:00:00Z', calls: 360, days: 9, futureDays: 0, seed: 6 });
		const proxy = await failingProxy(sandbox.url);
		try {
			const parameters = {
				metric: 'calls',
				window: 'hour',
				baselineDays: 3,
				seasonality: 'none',
				minIncreasePercent: 100,
				minAbsoluteIncrease: 5,
				groupBy: 'none',
				options: { timezone: 'Europe/Berlin', settleMinutes: 5 },
			};
			const workflow = createPollingWorkflow({
				node: new FamulorSpikeTrigger(),
				parameters,
				credentials: { apiKey: sandbox.apiKey, baseUrl: proxy.url },
				timezone: 'Europe/Berlin',
			});
			proxy.arm(0);
			expect((await workflow.poll()).error).toBeUndefined();
			const saved = JSON.stringify(workflow.staticData());
			const snapshot = JSON.stringify(workflow.staticData().state);
			const restore = () => {
				const data = workflow.staticData();
				for (const key of Object.keys(data)) delete data[key];
				Object.assign(data, JSON.parse(saved));
			};
			addSettled(sandbox, sandbox.clock.nowMs(), 150, 1);
			sandbox.clock.advance(2 * MINUTE);
			// How many requests the poll makes uninterrupted, then a failure at each of them.
			proxy.arm(0);
			expect((await workflow.poll()).error).toBeUndefined();
			const requests = proxy.seen();
			const reference = JSON.stringify(workflow.staticData().state);
			expect(reference).not.toBe(snapshot);
			for (let n = 1; n <= requests; n++) {
				restore();
				proxy.arm(n);
				const failed = await workflow.poll();
				expect(failed.error?.message).toMatch(/401|API key/);
				expect(JSON.stringify(workflow.staticData().state)).toBe(snapshot);
				proxy.arm(0);
				expect((await workflow.poll()).error).toBeUndefined();
				// The recovered state counts the same calls as the uninterrupted poll's.
				expect(JSON.stringify(spikeBuckets(workflow.staticData().state as SpikeState))).toBe(
					JSON.stringify(spikeBuckets(JSON.parse(reference) as SpikeState)),
				);
			}
		} finally {
			await proxy.close();
			await sandbox.stop();
		}
	}, 120_000);
});
