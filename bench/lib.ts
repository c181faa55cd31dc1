/**
 * What the benchmark steps share: a plain HTTP transport for the core client, a clock, memory
 * sampling with a forced GC, the month of the sandbox, and small formatting helpers.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { DateTime } from 'luxon';
import { FamulorClient } from '../src/api/classic/client';
import { type Transport } from '../src/api/classic/transport';
import type { Sandbox } from '../test/sandbox/server';

export const TZ = 'Europe/Berlin';
/** Famulor's documented limits: 100 requests a minute, 20 per 10 s, at most 100 calls a page. */
export const REAL_LIMIT = { perMinute: 100, perTenSeconds: 20 };
export const CALLS_PER_PAGE = 100;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The core's Transport over Node's fetch, to a sandbox (for the pure trigger engines). */
export function fetchTransport(sandbox: Sandbox): Transport {
	return async (request) => {
		const url = new URL(sandbox.url + request.path);
		for (const [key, value] of Object.entries(request.query ?? {})) url.searchParams.set(key, String(value));
		const response = await fetch(url, {
			headers: { Authorization: `Bearer ${sandbox.apiKey}`, Accept: 'application/json' },
			signal: AbortSignal.timeout(request.timeoutMs),
		});
		const headers: Record<string, string> = {};
		response.headers.forEach((value, key) => (headers[key] = value));
		const text = await response.text();
		let body: unknown = text;
		try {
			body = JSON.parse(text);
		} catch {
			// the client classifies non-JSON bodies
		}
		return { status: response.status, headers, body };
	};
}

export function sandboxClient(sandbox: Sandbox): FamulorClient {
	return new FamulorClient({ transport: fetchTransport(sandbox), sleep });
}

/** The calendar month of the sandbox's clock, in TZ: bounds and the custom-period dates. */
export function sandboxMonth(sandbox: Sandbox): { start: number; end: number; startDate: string; endDate: string } {
	const start = DateTime.fromMillis(sandbox.clock.nowMs(), { zone: TZ }).startOf('month');
	const end = start.plus({ months: 1 });
	return {
		start: start.toMillis(),
		end: end.toMillis(),
		startDate: start.toISODate() as string,
		endDate: end.toISODate() as string,
	};
}

/** Calls the sandbox shows now inside [start, end). */
export function visibleCallsBetween(sandbox: Sandbox, start: number, end: number): number {
	let count = 0;
	for (const call of sandbox.visibleCalls()) {
		const text = String(call.created_at);
		const at = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`);
		if (at >= start && at < end) count++;
	}
	return count;
}

let gcFunction: (() => void) | undefined;

/** global.gc (run node with --expose-gc); otherwise enabled at run time through V8 flags. */
export function gc(): (() => void) | undefined {
	if (gcFunction) return gcFunction;
	const exposed = (globalThis as { gc?: () => void }).gc;
	if (typeof exposed === 'function') {
		gcFunction = exposed;
	} else {
		try {
			v8.setFlagsFromString('--expose-gc');
			gcFunction = vm.runInNewContext('gc') as () => void;
		} catch {
			gcFunction = undefined;
		}
	}
	return gcFunction;
}

export interface MemorySample {
	heapUsedMB: number;
	rssMB: number;
}

export function memoryNow(collect: boolean): MemorySample {
	if (collect) gc()?.();
	const usage = process.memoryUsage();
	return { heapUsedMB: usage.heapUsed / 2 ** 20, rssMB: usage.rss / 2 ** 20 };
}

/** Peak heapUsed after GC (what is retained) and peak rss, sampled when `sample()` is called. */
export class MemoryPeak {
	private readonly base: MemorySample;
	retainedPeakMB = 0;
	rssPeakMB = 0;
	samples = 0;

	constructor() {
		this.base = memoryNow(true);
		this.rssPeakMB = this.base.rssMB;
	}

	sample(collect: boolean): void {
		const now = memoryNow(collect);
		this.samples++;
		if (collect) this.retainedPeakMB = Math.max(this.retainedPeakMB, now.heapUsedMB - this.base.heapUsedMB);
		this.rssPeakMB = Math.max(this.rssPeakMB, now.rssMB);
	}

	get baseHeapMB(): number {
		return this.base.heapUsedMB;
	}

	get baseRssMB(): number {
		return this.base.rssMB;
	}
}

export const round = (value: number, digits = 1) => Number(value.toFixed(digits));
export const pct = (value: number) => `${(value * 100).toFixed(1)} %`;
export const int = (value: number) => Math.round(value).toLocaleString('en-US');
export const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

export function log(message: string): void {
	process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** A plain-text table: the first row is the header. */
export function table(rows: Array<Array<string | number>>): string {
	const cells = rows.map((row) => row.map((cell) => String(cell)));
	const widths = cells[0].map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
	const line = (row: string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
	return [
		line(cells[0]),
		`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
		...cells.slice(1).map(line),
	].join('\n');
}

/**
 * The earliest time the last of `n` requests can be sent by a client that starts with an empty
 * window and never exceeds `perMinute` in any 60 s nor `perTenSeconds` in any 10 s (zero latency,
 * zero margin): the physical limit for that many requests.
 */
export function idealLastSendMs(n: number, limits: { perMinute: number; perTenSeconds: number }): number {
	const sent: number[] = [];
	let t = 0;
	for (let i = 0; i < n; i++) {
		if (sent.length >= limits.perTenSeconds) t = Math.max(t, sent[sent.length - limits.perTenSeconds] + 10_000);
		if (sent.length >= limits.perMinute) t = Math.max(t, sent[sent.length - limits.perMinute] + 60_000);
		sent.push(t);
	}
	return sent.length ? sent[sent.length - 1] : 0;
}

/**
 * Loads a node class from its .node.ts file. A plain `import` of `X.node` would find the codex file
 * `X.node.json` first under ts-node (Node tries .json before .ts); jest resolves .ts first.
 */
export function loadNode<T>(relativePath: string): T {
	return require(require.resolve(`../${relativePath}.ts`)) as T;
}
