/**
 * The core without HTTP.
 *
 * - throughput: calls per second through UsageAggregator and ChargeSummaryBuilder, CPU only, over
 *   pre-built normalized Call objects;
 * - pipeline: the whole client path of a usage summary (FamulorClient → schema validation →
 *   normalization → forEachCall's dedupe and period filter → UsageAggregator) over an in-memory
 *   API that builds each page of 100 raw calls when it is asked for (nothing is stored, so what the
 *   process retains is the pipeline's own memory);
 * - memory: heapUsed after a forced GC (retained) and rss, sampled while the pipeline runs, at
 *   100,000 and 1,000,000 calls with the same groups; and the aggregator alone over streamed calls.
 */
import { DateTime } from 'luxon';
import { UsageAggregator } from '../src/aggregate';
import type { Call, GroupBy } from '../src/calls';
import { ChargeSummaryBuilder, parseClientRules, resolvePlan } from '../src/chargeSummary';
import { FamulorClient } from '../src/api/classic/client';
import { type Transport } from '../src/api/classic/transport';
import { parseMoney } from '../src/money';
import type { PhoneNumberInfo } from '../src/numbers';
import { resolvePeriod, type ResolvedPeriod } from '../src/periods';
import { summarizeUsage } from '../src/usage';
import { MemoryPeak, TZ, log } from './lib';

const ASSISTANTS = ['Sales Assistant', 'Support Bot', 'Booking Agent', 'Survey Caller'];
const CAMPAIGNS = ['Q4 Lead Follow-up', 'Customer Feedback Survey', 'Black Friday Blitz', null, null];
const NUMBERS = [
	'+4930555010101',
	'+4940555070707',
	'+31205550303',
	'+12125550404',
	'+442075550505',
	'+4989555060606',
	null,
];
const STATUSES = [
	'completed',
	'completed',
	'completed',
	'ended_by_customer',
	'ended_by_assistant',
	'no-answer',
	'busy',
	'failed',
];

/** November 2026 in Europe/Berlin, the month every core case runs over. */
export function benchPeriod(): ResolvedPeriod {
	return resolvePeriod('custom', {
		now: Date.parse('2026-12-01T12:00:00Z'),
		timezone: TZ,
		startDate: '2026-11-01',
		endDate: '2026-12-01',
	});
}

const pad8 = (units: number) => `${Math.floor(units / 1e8)}.${String(units % 1e8).padStart(8, '0')}`;

/** The raw API object of call `i` of `n` spread evenly over the period (deterministic). */
function rawCall(i: number, n: number, period: ResolvedPeriod): Record<string, unknown> {
	const at = period.startMs + Math.floor(((i + 0.5) * (period.endMs - period.startMs)) / n);
	const duration = (i * 37) % 400;
	const total = 1_000_000 + ((i * 7_919) % 89_999_999);
	const carrier = (i * 31) % 9_999_999;
	const iso = new Date(at).toISOString().replace('.000Z', 'Z');
	return {
		id: 1_000_000 + i,
		assistant_name: ASSISTANTS[i % ASSISTANTS.length],
		campaign_name: CAMPAIGNS[i % CAMPAIGNS.length],
		type: i % 3 === 0 ? 'inbound' : 'outbound',
		duration,
		assistant_phone_number: NUMBERS[i % NUMBERS.length],
		client_phone_number: `+49151${String(1_000_000 + (i % 900_000)).padStart(7, '0')}`,
		status: STATUSES[i % STATUSES.length],
		transcript: [],
		variables: [],
		evaluation: [],
		webhook_response: null,
		carrier_cost: pad8(carrier),
		total_cost: pad8(total + carrier),
		answered_by: null,
		recording_url: null,
		created_at: iso,
		updated_at: iso,
	};
}

/** An API over `n` calls, newest first, that builds each page when asked (a Laravel paginator). */
function syntheticApi(n: number, period: ResolvedPeriod, onPage: (page: number) => void): Transport {
	return async (request) => {
		const perPage = Number(request.query?.per_page ?? 15);
		const page = Number(request.query?.page ?? 1);
		const lastPage = Math.max(1, Math.ceil(n / perPage));
		const data: unknown[] = [];
		for (let k = (page - 1) * perPage; k < Math.min(n, page * perPage); k++) data.push(rawCall(n - 1 - k, n, period));
		onPage(page);
		return {
			status: 200,
			headers: {},
			body: {
				current_page: page,
				data,
				per_page: perPage,
				total: n,
				last_page: lastPage,
				next_page_url: page < lastPage ? `?page=${page + 1}` : null,
			},
		};
	};
}

export interface PipelineResult {
	calls: number;
	groupBy: GroupBy;
	groups: number;
	seconds: number;
	callsPerSecond: number;
	/** Heap retained after GC above the heap before the run, at its peak (MB). */
	retainedHeapPeakMB: number;
	rssPeakMB: number;
	/** rss before the run: the benchmark process itself (ts-node, n8n-core, luxon, zod). */
	rssStartMB: number;
	baseHeapMB: number;
}

/**
 * A usage summary through the client over the synthetic API; memory sampled on every page, after GC `samples`
 * times.
 */
export async function pipeline(n: number, groupBy: GroupBy, samples = 20): Promise<PipelineResult> {
	const every = Math.max(1, Math.floor(n / 100 / samples));
	const period = benchPeriod();
	const memory = new MemoryPeak();
	const client = new FamulorClient({
		transport: syntheticApi(n, period, (page) => memory.sample(page % every === 0)),
		sleep: async () => undefined,
		limits: { perMinute: 1e9, perTenSeconds: 1e9 },
	});
	const started = process.hrtime.bigint();
	const rows = await summarizeUsage(client, { period, query: {}, filters: {} }, groupBy, 'EUR');
	const seconds = Number(process.hrtime.bigint() - started) / 1e9;
	memory.sample(true);
	const counted = rows.reduce((sum, row) => sum + row.calls, 0);
	if (counted !== n) throw new Error(`pipeline counted ${counted} of ${n} calls`);
	const result: PipelineResult = {
		calls: n,
		groupBy,
		groups: rows.length,
		seconds,
		callsPerSecond: n / seconds,
		retainedHeapPeakMB: memory.retainedPeakMB,
		rssPeakMB: memory.rssPeakMB,
		rssStartMB: memory.baseRssMB,
		baseHeapMB: memory.baseHeapMB,
	};
	log(
		`pipeline ${n} calls by ${groupBy}: ${Math.round(result.callsPerSecond)} calls/s, retained heap peak ` +
			`${result.retainedHeapPeakMB.toFixed(1)} MB, rss peak ${result.rssPeakMB.toFixed(0)} MB`,
	);
	return result;
}

/** Normalized calls as the client produces them, built directly (no validation cost). */
export function buildCalls(n: number, period: ResolvedPeriod): Call[] {
	const calls: Call[] = [];
	for (let i = 0; i < n; i++) calls.push(normalizedCall(i, n, period));
	return calls;
}

function normalizedCall(i: number, n: number, period: ResolvedPeriod): Call {
	const raw = rawCall(i, n, period);
	const duration = raw.duration as number;
	const status = raw.status as string;
	return {
		id: raw.id as number,
		createdAt: Date.parse(raw.created_at as string),
		updatedAt: Date.parse(raw.updated_at as string),
		status,
		settled: true,
		direction: raw.type as string,
		durationSeconds: duration,
		billableSeconds: duration > 0 ? Math.max(30, duration) : 0,
		totalCost: parseMoney(raw.total_cost as string),
		carrierCost: parseMoney(raw.carrier_cost as string),
		assistantName: raw.assistant_name as string,
		campaignName: raw.campaign_name as string | null,
		assistantPhoneNumber: raw.assistant_phone_number as string | null,
		clientPhoneNumber: raw.client_phone_number as string,
		answeredBy: null,
	};
}

/** The aggregator alone over `n` calls built one at a time (nothing kept): its own memory. */
export function aggregatorMemory(
	n: number,
	groupBy: GroupBy,
): { calls: number; groups: number; retainedHeapPeakMB: number } {
	const period = benchPeriod();
	const memory = new MemoryPeak();
	const aggregator = new UsageAggregator(groupBy, TZ);
	for (let i = 0; i < n; i++) {
		aggregator.add(normalizedCall(i, n, period));
		if (i % 10_000 === 0) memory.sample(true);
	}
	memory.sample(true);
	return { calls: n, groups: aggregator.entries().length, retainedHeapPeakMB: memory.retainedPeakMB };
}

export interface ThroughputResult {
	name: string;
	calls: number;
	seconds: number;
	callsPerSecond: number;
}

function time(name: string, calls: number, run: () => void): ThroughputResult {
	run(); // warm-up
	const started = process.hrtime.bigint();
	run();
	const seconds = Number(process.hrtime.bigint() - started) / 1e9;
	const result = { name, calls, seconds, callsPerSecond: calls / seconds };
	log(`throughput ${name}: ${Math.round(result.callsPerSecond)} calls/s`);
	return result;
}

const NUMBERS_INFO: PhoneNumberInfo[] = NUMBERS.filter((n): n is string => n !== null).map((phoneNumber, index) => ({
	id: index + 1,
	phoneNumber,
	nickname: null,
	countryCode: phoneNumber.startsWith('+49') ? 'DE' : 'NL',
	type: 'normal',
	rented: true,
	monthlyFee: parseMoney('3.99'),
	assistants: [ASSISTANTS[index % ASSISTANTS.length]],
	createdAt: '2025-01-01 00:00:00',
}));

/** CPU throughput over `total` adds of pre-built calls (a pool of `pool` calls, cycled). */
export function throughput(total: number, pool = 200_000): ThroughputResult[] {
	const period = benchPeriod();
	const calls = buildCalls(pool, period);
	const rounds = Math.ceil(total / pool);
	const adds = rounds * pool;
	const results: ThroughputResult[] = [];
	for (const groupBy of ['none', 'day', 'hour', 'campaign', 'assistant'] as GroupBy[]) {
		results.push(
			time(`UsageAggregator groupBy ${groupBy}`, adds, () => {
				const aggregator = new UsageAggregator(groupBy, TZ);
				for (let r = 0; r < rounds; r++) for (const call of calls) aggregator.add(call);
				aggregator.entries();
			}),
		);
	}
	results.push(
		time('ChargeSummaryBuilder reported, no clients (+ finish)', adds, () => {
			const builder = new ChargeSummaryBuilder({ period, currency: 'EUR', pricingMode: 'reported' });
			for (let r = 0; r < rounds; r++) for (const call of calls) builder.add(call);
			builder.finish(NUMBERS_INFO);
		}),
	);
	const clients = parseClientRules([
		{ name: 'Acme', matchBy: 'campaign', values: 'Q4*, Black Friday Blitz', markupPercent: 12.5 },
		{ name: 'Beta', matchBy: 'assistant', values: 'Support Bot', markupPercent: 10 },
		{ name: 'Gamma', matchBy: 'phoneNumber', values: '+31*', markupPercent: 0 },
	]);
	results.push(
		time('ChargeSummaryBuilder plan (business), 3 client rules (+ finish)', adds, () => {
			const builder = new ChargeSummaryBuilder({
				period,
				currency: 'EUR',
				pricingMode: 'plan',
				plan: resolvePlan('business'),
				clients,
			});
			for (let r = 0; r < rounds; r++) for (const call of calls) builder.add(call);
			builder.finish(NUMBERS_INFO);
		}),
	);
	return results;
}

export function monthLabel(): string {
	return DateTime.fromMillis(benchPeriod().startMs, { zone: TZ }).toFormat('LLLL yyyy');
}

/** What a Set of `n` call ids retains (forEachCall keeps one to dedupe the calls it has seen). */
export function idSetMemoryMB(n: number): number {
	const memory = new MemoryPeak();
	const ids = new Set<number>();
	for (let i = 0; i < n; i++) ids.add(1_000_000 + i);
	memory.sample(true);
	if (ids.size !== n) throw new Error('unreachable');
	return memory.retainedPeakMB;
}
