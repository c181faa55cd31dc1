/**
 * The performance benchmark of SPEC / issue 6: prints a table and writes bench/results.json.
 *
 *   npm run bench                 default run (~10 minutes on 2 cores)
 *   npm run bench -- --full       every HTTP case at Famulor's real limit (adds ~10 minutes)
 *   npm run bench -- --only=ingestion,poll,core,state --out=.tmp/partial.json
 *
 * See bench/README.md for what each figure means.
 */
import { wallNow } from '../test/sandbox/hostClock';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
	aggregatorMemory,
	idSetMemoryMB,
	pipeline,
	throughput,
	type PipelineResult,
	type ThroughputResult,
} from './core';
import { measureIngestion, startMonthSandbox, type IngestionResult } from './ingestion';
import { REAL_LIMIT, gc, int, kb, log, pct, round, table } from './lib';
import type { NaivePoll } from './naive';
import { measurePollCost, naiveUnderRealLimit, type PollCostResult } from './pollCost';
import { measureStateSize, type StateSizeResult } from './stateSize';

const STEPS = ['ingestion', 'poll', 'core', 'state'] as const;
type Step = (typeof STEPS)[number];

interface Options {
	full: boolean;
	only: Set<Step>;
	out: string;
}

/** SPEC §9: under 128 KB at 250 calls a minute sustained. */
const SUSTAINED_STATE_TARGET_CHARS = 128 * 1024;

function parseArgs(argv: string[]): Options {
	const options: Options = { full: false, only: new Set(STEPS), out: path.join(__dirname, 'results.json') };
	for (const arg of argv) {
		if (arg === '--full') options.full = true;
		else if (arg.startsWith('--only=')) {
			const wanted = arg
				.slice(7)
				.split(',')
				.map((s) => s.trim());
			const unknown = wanted.filter((s) => !STEPS.includes(s as Step));
			if (unknown.length) throw new Error(`unknown step(s) ${unknown.join(', ')}; steps: ${STEPS.join(', ')}`);
			options.only = new Set(wanted as Step[]);
		} else if (arg.startsWith('--out=')) options.out = path.resolve(arg.slice(6));
		else if (arg === '--help' || arg === '-h') {
			process.stdout.write(
				'usage: npm run bench [-- --full] [-- --only=ingestion,poll,core,state] [-- --out=file.json]\n',
			);
			process.exit(0);
		} else throw new Error(`unknown argument ${arg}`);
	}
	return options;
}

/** The 100,000-call ingestion at a proportionally scaled limit, unless --full. */
const SCALED_LIMIT = { perMinute: 1000, perTenSeconds: 200 };

interface Results {
	benchmark: string;
	command: string;
	machine: {
		cpu: string;
		cores: number;
		memoryGB: number;
		node: string;
		platform: string;
		loadAverageAtStart: number[];
		loadAverageAtEnd?: number[];
	};
	/** The code measured: the commit, and the shipped files that differ from it. */
	source: { commit: string; modified: string[] };
	startedAt: string;
	seconds?: number;
	full: boolean;
	ingestion?: {
		cases: IngestionResult[];
		million?: { calls: number; callsPerSecondCoreOnly: number; requestsAtApi: number; minutesAtRealLimit: number };
		naiveUnderRealLimit?: NaivePoll;
	};
	pollCost?: PollCostResult[];
	core?: {
		throughput: ThroughputResult[];
		pipeline: PipelineResult[];
		aggregatorOnly: Array<{ calls: number; groups: number; retainedHeapPeakMB: number }>;
		idSetMB: Array<{ ids: number; retainedMB: number }>;
		gcExposed: boolean;
	};
	stateSize?: StateSizeResult;
	targets?: Array<{ target: string; met: boolean; detail: string }>;
}

async function main(): Promise<void> {
	const options = parseArgs(process.argv.slice(2));
	const started = wallNow();
	const results: Results = {
		benchmark: 'n8n-nodes-famulor-billing performance (issue 6)',
		command: `npm run bench${options.full ? ' -- --full' : ''}`,
		machine: {
			cpu: os.cpus()[0]?.model ?? 'unknown',
			cores: os.cpus().length,
			memoryGB: round(os.totalmem() / 2 ** 30, 1),
			node: process.version,
			platform: `${os.platform()} ${os.release()}`,
			loadAverageAtStart: os.loadavg().map((l) => round(l, 2)),
		},
		source: sourceOf(),
		startedAt: new Date(started).toISOString(),
		full: options.full,
	};
	const gcExposed = gc() !== undefined;

	if (options.only.has('core')) {
		// First, in a fresh process: the heap and rss figures are not mixed with the sandboxes'.
		const throughputResults = throughput(1_000_000);
		await pipeline(20_000, 'day'); // warm-up (JIT), not reported
		const pipelines = [await pipeline(100_000, 'day'), await pipeline(1_000_000, 'day')];
		const aggregatorOnly = [
			aggregatorMemory(100_000, 'day'),
			aggregatorMemory(1_000_000, 'day'),
			aggregatorMemory(1_000_000, 'hour'),
		];
		const idSetMB = [100_000, 1_000_000].map((ids) => ({ ids, retainedMB: idSetMemoryMB(ids) }));
		results.core = { throughput: throughputResults, pipeline: pipelines, aggregatorOnly, idSetMB, gcExposed };
		const million = pipelines[1];
		const requestsAtApi = Math.ceil(million.calls / 100);
		results.ingestion = {
			cases: [],
			million: {
				calls: million.calls,
				callsPerSecondCoreOnly: million.callsPerSecond,
				requestsAtApi,
				minutesAtRealLimit: requestsAtApi / REAL_LIMIT.perMinute,
			},
		};
	}

	let sandbox10k: Awaited<ReturnType<typeof startMonthSandbox>> | undefined;
	let sandbox100k: Awaited<ReturnType<typeof startMonthSandbox>> | undefined;
	try {
		if (options.only.has('ingestion') || options.only.has('poll')) {
			log('starting the sandboxes (10,000 and 100,000 calls in November 2026)');
			sandbox10k = await startMonthSandbox(10_000, false, 1);
			sandbox100k = await startMonthSandbox(100_000, false, 2);
		}
		if (options.only.has('ingestion') && sandbox10k && sandbox100k) {
			const cases = [
				await measureIngestion(sandbox10k, '10k', REAL_LIMIT),
				await measureIngestion(sandbox100k, '100k', options.full ? REAL_LIMIT : SCALED_LIMIT),
			];
			const naive = await naiveUnderRealLimit(sandbox10k);
			results.ingestion = { ...results.ingestion, cases, naiveUnderRealLimit: naive };
		}
		if (options.only.has('poll') && sandbox10k && sandbox100k) {
			// Sustained arrivals cost the same whatever the month holds: measured once, at 10k.
			results.pollCost = [await measurePollCost(sandbox10k, '10k'), await measurePollCost(sandbox100k, '100k', [])];
		}
	} finally {
		await sandbox10k?.stop();
		await sandbox100k?.stop();
	}

	if (options.only.has('state')) results.stateSize = await measureStateSize();

	results.targets = targets(results);
	results.machine.loadAverageAtEnd = os.loadavg().map((l) => round(l, 2));
	results.seconds = Math.round((wallNow() - started) / 1000);
	process.stdout.write(`\n${report(results)}\n`);
	fs.writeFileSync(options.out, `${JSON.stringify(results, null, 2)}\n`);
	log(`wrote ${path.relative(process.cwd(), options.out)} (${results.seconds} s)`);
}

/** From git (read-only); BENCH_COMMIT / BENCH_MODIFIED (comma-separated) when run from an export. */
function sourceOf(): Results['source'] {
	const git = (...args: string[]) =>
		execFileSync('git', args, {
			cwd: path.join(__dirname, '..'),
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'ignore'],
		}).trim();
	let commit = process.env.BENCH_COMMIT ?? '';
	let modified = (process.env.BENCH_MODIFIED ?? '').split(',').filter(Boolean);
	if (!commit) {
		try {
			commit = git('rev-parse', '--short', 'HEAD');
			modified = git('status', '--porcelain', '--', 'src', 'nodes', 'credentials')
				.split('\n')
				.filter(Boolean)
				// The status letters, then the path (the output is trimmed: the first line lost its leading blank).
				.map((line) => line.trim().replace(/^\S+\s+/, ''));
		} catch {
			commit = 'unknown';
		}
	}
	return { commit, modified };
}

/** Retained heap added per additional call between two pipeline runs. */
function bytesPerCall(small: PipelineResult, large: PipelineResult): number {
	return ((large.retainedHeapPeakMB - small.retainedHeapPeakMB) * 2 ** 20) / (large.calls - small.calls);
}

function targets(results: Results): Results['targets'] {
	const list: NonNullable<Results['targets']> = [];
	for (const c of results.ingestion?.cases ?? []) {
		list.push({
			target: `ingestion ${c.label} ≥ 90 % of the ceiling`,
			met: c.fractionOfCeiling >= 0.9,
			detail:
				`${int(c.callsPerMinute)} calls/min of ${int(c.ceilingCallsPerMinute)}/min ` +
				`(${pct(c.fractionOfCeiling)})${c.realLimit ? '' : ', scaled limit'}`,
		});
		list.push({
			target: `ingestion ${c.label}: zero 429`,
			met: c.status429 === 0,
			detail: `${c.status429} × 429 in ${c.requests} requests`,
		});
	}
	for (const run of results.pollCost ?? []) {
		for (const trigger of run.triggers) {
			const worst = trigger.isolated.filter((s) => !s.withinTarget);
			list.push({
				target: `${trigger.trigger} poll ≤ 2 + new/100 requests (${run.label})`,
				met: worst.length === 0,
				detail: trigger.isolated.map((s) => `${s.fresh} new: ${s.maxRequests}`).join(', '),
			});
			for (const s of trigger.sustained) {
				const target = 2 + s.perMinute / 100;
				list.push({
					target: `${trigger.trigger} poll ≤ 2 + new/100 with ${s.perMinute} new calls every minute`,
					met: s.requests <= target,
					detail: `${s.requests} requests (≤ ${target}); ${s.watched} recent calls watched; state ${kb(s.stateChars)}`,
				});
				list.push({
					target: `${trigger.trigger} state < 128 KB with ${s.perMinute} new calls every minute`,
					met: s.stateChars < SUSTAINED_STATE_TARGET_CHARS,
					detail: `state ${kb(s.stateChars)}, ${s.watched} recent calls watched`,
				});
			}
			for (const s of trigger.isolated.filter((sample) => sample.fresh > 0)) {
				const worst = Math.max(...s.bytes.map((bytes, k) => bytes - 2 * (s.newRowBytes[k] ?? 0)));
				list.push({
					target: `${trigger.trigger} poll with ${s.fresh} new reads ≤ 2× their bytes + 4 KB (${run.label})`,
					met: worst <= 4 * 1024,
					detail: `${kb(Math.max(...s.bytes))} read for ${kb(Math.max(...s.newRowBytes))} of new calls`,
				});
			}
			const quiet = trigger.isolated.find((s) => s.fresh === 0);
			if (quiet) {
				list.push({
					target: `${trigger.trigger} quiet poll: 1 request, < 5 KB (${run.label})`,
					met: quiet.maxRequests === 1 && Math.max(...quiet.bytes) < 5 * 1024,
					detail: `${quiet.maxRequests} request(s), ${kb(Math.max(...quiet.bytes))}`,
				});
			}
		}
	}
	const pipelines = results.core?.pipeline ?? [];
	if (pipelines.length === 2) {
		const [small, large] = pipelines;
		const aggregator = results.core?.aggregatorOnly ?? [];
		list.push({
			target: 'summary memory grows < 2 bytes per call',
			met: bytesPerCall(small, large) < 2,
			detail:
				`${bytesPerCall(small, large).toFixed(1)} bytes per extra call; retained heap ` +
				`${small.retainedHeapPeakMB.toFixed(1)} MB at ${int(small.calls)} → ${large.retainedHeapPeakMB.toFixed(1)} MB ` +
				`at ${int(large.calls)} calls (${large.groups} groups); ` +
				`aggregator alone ${aggregator.map((a) => `${a.retainedHeapPeakMB.toFixed(1)} MB`).join(' / ')}`,
		});
	}
	for (const c of results.stateSize?.cases ?? []) {
		list.push({
			target: `state < 64 KB: ${c.name}`,
			met: c.withinTarget,
			detail: `max ${kb(c.maxChars)} (${c.maxAt}), final ${kb(c.finalChars)}`,
		});
	}
	return list;
}

function report(results: Results): string {
	const out: string[] = [];
	const m = results.machine;
	out.push(
		`Famulor Billing benchmark — ${m.cpu}, ${m.cores} cores, ${m.memoryGB} GB, Node ${m.node}; load ` +
			`${m.loadAverageAtStart.join('/')} at start`,
	);
	out.push(
		`command: ${results.command}${results.full ? '' : '  (100k ingestion at a scaled limit; --full runs it at 100/min)'}`,
	);
	out.push(
		`code: ${results.source.commit}${results.source.modified.length ? ` + ${results.source.modified.join(', ')}` : ''}`,
	);

	if (results.ingestion) {
		const rows: Array<Array<string | number>> = [
			[
				'ingestion (usage/getSummary, month)',
				'calls',
				'limit',
				'time',
				'requests',
				'429s',
				'calls/min',
				'of ceiling',
				'vs ideal schedule',
			],
		];
		for (const c of results.ingestion.cases) {
			rows.push([
				`${c.label} via sandbox + n8n engine`,
				int(c.callsInMonth),
				`${c.limit.perMinute}/min, ${c.limit.perTenSeconds}/10 ` +
					`s${c.realLimit ? ' (real)' : ' (scaled ×' + c.limit.perMinute / 100 + ')'}`,
				`${(c.elapsedMs / 1000).toFixed(1)} s`,
				c.requests,
				c.status429,
				int(c.callsPerMinute),
				`${pct(c.fractionOfCeiling)} of ${int(c.ceilingCallsPerMinute)}`,
				c.scheduleEfficiency === null ? 'n/a' : pct(c.scheduleEfficiency),
			]);
		}
		const million = results.ingestion.million;
		if (million) {
			rows.push([
				'1M core only (no HTTP)',
				int(million.calls),
				'none',
				`${(million.calls / million.callsPerSecondCoreOnly).toFixed(1)} s`,
				`(${int(million.requestsAtApi)} at the API)`,
				'-',
				int(million.callsPerSecondCoreOnly * 60),
				`API-bound: ≥ ${Math.round(million.minutesAtRealLimit)} min at 100/min`,
				'-',
			]);
		}
		out.push('', table(rows));
		const naive = results.ingestion.naiveUnderRealLimit;
		if (naive) {
			out.push(
				`naive peer at the real limit: ` +
					`${
						naive.failed
							? `HTTP ${naive.failed.status} at request ${naive.failed.request} (n8n's HTTP Request node ` +
								`fails the run)`
							: `completed in ${naive.requests} requests`
					}`,
			);
		}
	}

	if (results.pollCost) {
		const rows: Array<Array<string | number>> = [
			[
				'poll cost (rate limit off)',
				'calls in month',
				'new calls',
				'requests mean/max',
				'bytes/poll',
				'new calls’ bytes',
				'target',
				'naive requests',
				'naive bytes',
				'naive ÷ ours',
			],
		];
		for (const run of results.pollCost) {
			for (const trigger of run.triggers) {
				for (const s of trigger.isolated) {
					const naive = run.naive.find((n) => n.fresh === s.fresh);
					rows.push([
						`${trigger.trigger}`,
						int(run.callsInMonth),
						s.fresh,
						`${round(s.meanRequests, 2)} / ${s.maxRequests}`,
						kb(s.meanBytes),
						kb(s.newRowBytes.reduce((a, b) => a + b, 0) / Math.max(1, s.newRowBytes.length)),
						`≤ ${s.target}${s.withinTarget ? ' ✔' : ' ✘'}`,
						naive ? int(naive.requests) : '-',
						naive ? `${(naive.bytes / 2 ** 20).toFixed(1)} MB` : '-',
						naive ? `${int(naive.requests / s.meanRequests)}× req, ${int(naive.bytes / s.meanBytes)}× bytes` : '-',
					]);
				}
			}
		}
		out.push('', table(rows));
		const sustained: Array<Array<string | number>> = [
			[
				'sustained arrivals (poll every minute)',
				'calls in month',
				'new calls/min',
				'requests/poll',
				'bytes/poll',
				'target',
				'calls watched',
				'state',
			],
		];
		for (const run of results.pollCost) {
			for (const trigger of run.triggers) {
				for (const s of trigger.sustained) {
					const target = 2 + s.perMinute / 100;
					sustained.push([
						trigger.trigger,
						int(run.callsInMonth),
						s.perMinute,
						s.requests,
						kb(s.bytes),
						`≤ ${target}${s.requests <= target ? ' ✔' : ' ✘'}`,
						s.watched,
						kb(s.stateChars),
					]);
				}
			}
		}
		out.push('', table(sustained));
		const baselines = results.pollCost.flatMap((run) =>
			run.triggers.map(
				(t) => `${t.trigger} ${run.label}: ${t.baseline.requests} requests in ${t.baseline.polls} poll(s)`,
			),
		);
		out.push(`baselines (rate limit off): ${baselines.join('; ')}`);
	}

	if (results.core) {
		const rows: Array<Array<string | number>> = [['core throughput (CPU only, pre-built calls)', 'calls', 'calls/s']];
		for (const t of results.core.throughput) rows.push([t.name, int(t.calls), int(t.callsPerSecond)]);
		for (const p of results.core.pipeline)
			rows.push([`full client path, parse → summary by ${p.groupBy} (no HTTP)`, int(p.calls), int(p.callsPerSecond)]);
		out.push('', table(rows));
		const memory: Array<Array<string | number>> = [
			['memory (heapUsed after GC, above the start)', 'calls', 'groups', 'retained heap peak', 'rss peak'],
		];
		for (const p of results.core.pipeline) {
			memory.push([
				`usage summary, full client path`,
				int(p.calls),
				p.groups,
				`${p.retainedHeapPeakMB.toFixed(1)} MB`,
				`${p.rssPeakMB.toFixed(0)} MB (${p.rssStartMB.toFixed(0)} at start)`,
			]);
		}
		for (const a of results.core.aggregatorOnly)
			memory.push([
				'UsageAggregator alone, streamed calls',
				int(a.calls),
				a.groups,
				`${a.retainedHeapPeakMB.toFixed(2)} MB`,
				'-',
			]);
		for (const s of results.core.idSetMB)
			memory.push(['a Set of call ids (forEachCall dedupe)', int(s.ids), '-', `${s.retainedMB.toFixed(1)} MB`, '-']);
		out.push('', table(memory));
		if (!results.core.gcExposed) out.push('(GC not available: heap figures include garbage)');
	}

	if (results.stateSize) {
		const s = results.stateSize;
		const rows: Array<Array<string | number>> = [
			[
				`state after a simulated month (${int(s.callsInMonth)} calls, poll every ${s.pollEveryMinutes} min)`,
				'final',
				'largest',
				'at',
				'events',
				'requests/poll mean/max',
			],
		];
		for (const c of s.cases)
			rows.push([
				c.name,
				kb(c.finalChars),
				kb(c.maxChars),
				c.maxAt,
				c.events,
				`${round(c.meanRequestsPerPoll, 2)} / ${c.maxRequestsPerPoll}`,
			]);
		out.push('', table(rows));
	}

	if (results.targets?.length) {
		const rows: Array<Array<string | number>> = [['target', 'met', 'measured']];
		for (const t of results.targets) rows.push([t.target, t.met ? '✔' : '✘', t.detail]);
		out.push('', table(rows));
	}
	out.push('', `total ${results.seconds} s; load ${results.machine.loadAverageAtEnd?.join('/')} at end`);
	return out.join('\n');
}

main().catch((error: unknown) => {
	process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
	process.exit(1);
});
