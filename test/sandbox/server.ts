/**
 * The sandbox: a local look-alike of the Famulor Classic 1.0 API (the read-only endpoints the
 * package uses) over a seeded deterministic account, with a movable clock, calls that settle
 * after they end, optional rate limiting, request accounting and fault injection.
 *
 *   const sandbox = await Sandbox.start({ calls: 500 });
 *   // sandbox.url → http://127.0.0.1:<port>/api, sandbox.apiKey → Bearer key
 *   sandbox.clock.advance(3_600_000);
 *   await sandbox.stop();
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { DateTime } from 'luxon';
import { followHostClock, wallNow } from './hostClock';
import {
	ALL_STATUSES,
	ASSISTANTS,
	CALL_TYPES,
	CAMPAIGNS,
	CallGenerator,
	FINAL_STATUSES,
	NONE,
	addPhoneNumber,
	appendCalls,
	buildAccount,
	carrierUnits,
	clientNumber,
	createRng,
	formatModelTime,
	formatUnits,
	generateCalls,
	parseTime,
	parseUnits,
	platformUnits,
	type Account,
	type CallRecord,
	type CallStore,
	type NewPhoneNumber,
	type RawAssistant,
	type RawCall,
	type RawCampaign,
	type RawPhoneNumber,
	type TimestampStyle,
} from './seed';

export type { NewPhoneNumber, RawAssistant, RawCall, RawCampaign, RawPhoneNumber, TimestampStyle } from './seed';

// ---------------------------------------------------------------------------------------------
// Options and public types
// ---------------------------------------------------------------------------------------------

export interface RateLimit {
	perMinute: number;
	perTenSeconds: number;
}

export interface SandboxOptions {
	/** 0 (default) picks a free port. */
	port?: number;
	/** Interface to listen on (default 127.0.0.1). */
	host?: string;
	apiKey?: string;
	seed?: number;
	/** Target number of calls over the past `days`. */
	calls?: number;
	days?: number;
	/** Days of calls after `now`, revealed as the clock advances. */
	futureDays?: number;
	/** Start of the virtual clock, and the end of the seeded past. */
	now?: string;
	/** `manual` (default): the clock moves only when told; `realtime`: it follows wall time. */
	clock?: 'manual' | 'realtime';
	/**
	 * Whether the test process's Date.now() follows this sandbox's clock while it runs, like the clock of
	 * an n8n host that agrees with Famulor's (see hostClock.ts). Default on; off where n8n runs in
	 * another process (the e2e runner, the demo, the standalone sandbox).
	 */
	hostClock?: boolean;
	sort?: 'desc' | 'asc';
	/** Timezone in which `date_from` / `date_to` select whole days. */
	serverTimezone?: string;
	timestampStyle?: TimestampStyle;
	rateLimit?: false | RateLimit;
	settleLagSeconds?: number;
	/** Start of the one-hour spike of the spike campaign (default: `now` − 30 h). */
	spikeAt?: string;
	balance?: number;
	/** When true, total_balance drops by each call's cost as the call settles (default false). */
	drainBalance?: boolean;
	/**
	 * Calls sharing a created_at come in a new random order on every answer, as a database serves ties
	 * under LIMIT/OFFSET (default false: by id).
	 */
	shuffleTies?: boolean;
	/**
	 * Calls listed late: this share of the calls (0–1, chosen by id) appears in the list only
	 * `minSeconds`…`maxSeconds` after its created_at, at its created_at place (default: none).
	 */
	lateListing?: { share: number; minSeconds: number; maxSeconds: number };
}

export interface ResolvedSandboxOptions {
	port: number;
	host: string;
	apiKey: string;
	seed: number;
	calls: number;
	days: number;
	futureDays: number;
	now: string;
	clock: 'manual' | 'realtime';
	hostClock: boolean;
	sort: 'desc' | 'asc';
	serverTimezone: string;
	timestampStyle: TimestampStyle;
	rateLimit: false | RateLimit;
	settleLagSeconds: number;
	spikeAt: string;
	balance: number;
	drainBalance: boolean;
	shuffleTies: boolean;
	lateListing: { share: number; minSeconds: number; maxSeconds: number } | null;
}

/**
 * Every fault the sandbox can inject, the one list the tests draw from:
 * - 429 with retry_after in the body, with a Retry-After header, or with neither; 500, 502 (an HTML
 *   page), 503; a dropped connection; an answer slower than `delayMs`; a body cut in half, or not JSON;
 * - drifted types: costs as numbers, naive timestamps; a page answered with the previous page's rows;
 * - `trickle`: headers at once, then the body one byte every `delayMs` (default 300 ms) — never idle,
 *   never done;
 * - paginators that drift from Laravel's (calls and assistants): `cap-per-page` (50, reported as 50),
 *   `short-page` (15 rows a page, offsets too, while per_page echoes the request), `lying-last-page`
 *   (last_page 1 whatever the total), `lying-total` (total 150 above the rows, last_page to match),
 *   `ignore-page` (page 1's rows whatever page is asked, current_page echoing the request);
 * - `future-date`: a normal answer whose `Date` header is `aheadMs` (default a day) ahead of the clock;
 * - answers of the call list that a real database or a drifted server can give (SPEC §15):
 *   `duplicate-row` (one row listed twice, in place of the next), `flip-order` (the answer comes in the
 *   other sort order), `tiny-cap` (per_page capped at `cap`, default 4, 1–6 in the fault suite, and
 *   reported), `ignore-per-page` (15 rows a page whatever is asked, and per_page 15 reported).
 */
export const FAULT_KINDS = [
	'429',
	'429-header',
	'429-bare',
	'500',
	'502',
	'503',
	'drop',
	'slow',
	'truncated',
	'malformed',
	'drift-number-cost',
	'drift-naive-time',
	'duplicate-page',
	'trickle',
	'cap-per-page',
	'short-page',
	'lying-last-page',
	'lying-total',
	'ignore-page',
	'future-date',
	'duplicate-row',
	'flip-order',
	'tiny-cap',
	'ignore-per-page',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface Fault {
	kind: FaultKind;
	/** Applies to requests whose path + query contains this (default: any request). */
	path?: string;
	/** How many matching requests it hits (default 1; Infinity for all). */
	count?: number;
	/** `slow`: the delay (default 30000). 429 kinds: retry-after = ceil(delayMs / 1000) s (default 1 s). */
	delayMs?: number;
	/** `future-date`: how far ahead of the clock the Date header is (default a day). */
	aheadMs?: number;
	/** `tiny-cap`: the per_page cap (default 4). */
	cap?: number;
}

export interface RequestLogEntry {
	method: string;
	path: string;
	query: Record<string, string>;
	/** 0 when the connection was dropped. */
	status: number;
	bytes: number;
	/** Wall-clock ms when the request arrived. */
	at: number;
	authorization?: string;
	fault?: FaultKind;
}

export interface SandboxStats {
	requests: number;
	bytes: number;
	byPath: Record<string, number>;
	status429: number;
}

export interface SandboxClockApi {
	now(): Date;
	set(d: Date | string): void;
	advance(ms: number): void;
}

// ---------------------------------------------------------------------------------------------
// Clock
// ---------------------------------------------------------------------------------------------

/** A virtual clock: fixed until moved, or (realtime) following wall time from its start. */
export class SandboxClock implements SandboxClockApi {
	/** manual: the virtual time; realtime: virtual − wall. */
	private value: number;
	/** Wall time when the clock was last set or moved. */
	private movedAt = wallNow();
	/** Called when the clock is set or moved (the host clock follows the clock moved last). */
	onMove: () => void = () => undefined;

	constructor(
		start: Date,
		private readonly realtime: boolean,
	) {
		this.value = realtime ? start.getTime() - wallNow() : start.getTime();
	}

	nowMs(): number {
		return this.realtime ? wallNow() + this.value : this.value;
	}

	/** What the clock of a host that agrees with this server reads: it goes on while a manual clock stands. */
	hostNowMs(): number {
		return this.realtime ? this.nowMs() : this.value + (wallNow() - this.movedAt);
	}

	now(): Date {
		return new Date(this.nowMs());
	}

	set(d: Date | string): void {
		const ms = typeof d === 'string' ? parseTime(d) * 1000 : d.getTime();
		this.value = this.realtime ? ms - wallNow() : ms;
		this.movedAt = wallNow();
		this.onMove();
	}

	advance(ms: number): void {
		this.value += ms;
		this.movedAt = wallNow();
		this.onMove();
	}
}

// ---------------------------------------------------------------------------------------------
// Rate limiting (sliding windows over wall-clock time, like Laravel's throttle per key)
// ---------------------------------------------------------------------------------------------

const NO_LIMIT = 1_000_000;

interface LimitDecision {
	allowed: boolean;
	remaining: number;
	limit: number;
	resetSec: number;
	retryAfterSec: number;
}

class SlidingWindowLimiter {
	/** Wall ms of accepted requests in the last minute, oldest first. */
	private hits: number[] = [];

	reset(): void {
		this.hits = [];
	}

	hit(nowMs: number, limits: false | RateLimit): LimitDecision {
		while (this.hits.length > 0 && this.hits[0] <= nowMs - 60_000) this.hits.shift();
		const perMinute = limits ? limits.perMinute : NO_LIMIT;
		const perTen = limits ? limits.perTenSeconds : NO_LIMIT;
		const inMinute = this.hits.length;
		const firstInTen = this.hits.findIndex((t) => t > nowMs - 10_000);
		const inTen = firstInTen < 0 ? 0 : inMinute - firstInTen;
		let retryAfterMs = 0;
		if (inMinute >= perMinute) retryAfterMs = this.hits[inMinute - perMinute] + 60_000 - nowMs;
		if (inTen >= perTen) retryAfterMs = Math.max(retryAfterMs, this.hits[inMinute - perTen] + 10_000 - nowMs);
		const allowed = retryAfterMs <= 0;
		if (allowed) this.hits.push(nowMs);
		const used = this.hits.length;
		const usedTen = inTen + (allowed ? 1 : 0);
		const oldest = this.hits.length > 0 ? this.hits[0] + 60_000 : nowMs;
		return {
			allowed,
			limit: perMinute,
			remaining: Math.max(0, Math.min(perMinute - used, perTen - usedTen)),
			resetSec: Math.ceil((allowed ? oldest : nowMs + retryAfterMs) / 1000),
			retryAfterSec: Math.max(1, Math.ceil(retryAfterMs / 1000)),
		};
	}
}

// ---------------------------------------------------------------------------------------------
// Laravel-style responses
// ---------------------------------------------------------------------------------------------

interface Reply {
	status: number;
	/** Serialised as JSON unless `raw` is given. */
	body?: unknown;
	raw?: string;
	contentType?: string;
	headers?: Record<string, string>;
}

const json = (status: number, body: unknown): Reply => ({ status, body });

function validationError(errors: Record<string, string[]>): Reply {
	const messages = Object.values(errors).flat();
	const more = messages.length - 1;
	const message = more > 0 ? `${messages[0]} (and ${more} more error${more > 1 ? 's' : ''})` : messages[0];
	return json(422, { message, errors });
}

/** Laravel's LengthAwarePaginator::toArray(), with the query string kept in the page URLs. */
function paginator(
	data: unknown[],
	total: number,
	page: number,
	perPage: number,
	path: string,
	query: URLSearchParams,
	reportedLastPage?: number,
): Record<string, unknown> {
	const lastPage = reportedLastPage ?? Math.max(1, Math.ceil(total / perPage));
	const pageUrl = (n: number) => {
		const q = new URLSearchParams(query);
		q.delete('page');
		q.set('page', String(n));
		return `${path}?${q.toString()}`;
	};
	const first = (page - 1) * perPage;
	return {
		current_page: page,
		data,
		first_page_url: pageUrl(1),
		from: data.length > 0 ? first + 1 : null,
		last_page: lastPage,
		last_page_url: pageUrl(lastPage),
		links: [],
		next_page_url: page < lastPage ? pageUrl(page + 1) : null,
		path,
		per_page: perPage,
		prev_page_url: page > 1 ? pageUrl(page - 1) : null,
		to: data.length > 0 ? first + data.length : null,
		total,
	};
}

/** Laravel's `page` resolution: anything but an integer ≥ 1 means page 1. */
function pageParam(query: URLSearchParams): number {
	const raw = query.get('page') ?? '';
	return /^\d+$/.test(raw) && Number(raw) >= 1 ? Number(raw) : 1;
}

/** Validates `per_page` (integer 1–100); pushes a Laravel message into `errors` when invalid. */
function perPageParam(query: URLSearchParams, fallback: number, errors: Record<string, string[]>): number {
	const raw = (query.get('per_page') ?? '').trim();
	if (raw === '') return fallback;
	let message: string | undefined;
	if (!/^-?\d+$/.test(raw)) message = 'The per page field must be an integer.';
	else if (Number(raw) < 1) message = 'The per page field must be at least 1.';
	else if (Number(raw) > 100) message = 'The per page field must not be greater than 100.';
	if (message) {
		errors.per_page = [message];
		return fallback;
	}
	return Number(raw);
}

const STATUS_FAULTS = new Set<FaultKind>(['429', '429-header', '429-bare', '500', '502', '503']);

/** Page size, rows and paginator of a list page under a paginator drift (or none). */
function driftedPage(
	fault: FaultKind | undefined,
	asked: number,
	page: number,
	count: number,
	cap = 4,
): { perPage: number; rowsPage: number; reportedPerPage: number; total: number; lastPage?: number } {
	const perPage =
		fault === 'cap-per-page'
			? Math.min(asked, 50)
			: fault === 'short-page'
				? Math.min(asked, 15)
				: fault === 'tiny-cap'
					? Math.min(asked, cap)
					: fault === 'ignore-per-page'
						? 15
						: asked;
	return {
		perPage,
		rowsPage: fault === 'ignore-page' ? 1 : page,
		reportedPerPage: fault === 'short-page' ? asked : perPage,
		total: fault === 'lying-total' ? count + 150 : count,
		lastPage: fault === 'lying-last-page' ? 1 : undefined,
	};
}
const BODY_FAULTS = new Set<FaultKind>(['truncated', 'malformed']);

const HTML_502 =
	'<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad ' +
	'Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

// ---------------------------------------------------------------------------------------------
// Call queries
// ---------------------------------------------------------------------------------------------

interface CallFilter {
	status?: string;
	type?: string;
	phone?: string;
	assistantName?: string;
	campaignName?: string;
	fromSec?: number;
	toSec?: number;
}

/** Matches nothing: an assistant or campaign id the account does not have. */
const NO_MATCH = '\u0000no-match';

// ---------------------------------------------------------------------------------------------
// The sandbox
// ---------------------------------------------------------------------------------------------

export class Sandbox {
	readonly url: string;
	readonly apiKey: string;
	readonly clock: SandboxClock;
	readonly options: ResolvedSandboxOptions;
	readonly stats: SandboxStats = { requests: 0, bytes: 0, byPath: {}, status429: 0 };
	readonly requestLog: RequestLogEntry[] = [];

	private readonly account: Account;
	private readonly store: CallStore;
	private readonly generator: CallGenerator;
	private readonly limiter = new SlidingWindowLimiter();
	private faults: Array<Fault & { remaining: number }> = [];
	private readonly selections = new Map<string, Int32Array>();
	private balanceUnits: number;
	private balanceAtSec: number;
	private readonly timers = new Set<NodeJS.Timeout>();
	private readonly sockets = new Set<Socket>();
	/** `cap` of the fault hitting the request being answered (tiny-cap). */
	private faultCap: number | undefined;
	/** Order of calls sharing a created_at, new for every answer (shuffleTies). */
	private readonly tieRandom: () => number;
	/** Hands Date.now() back (see SandboxOptions.hostClock). */
	private releaseHostClock: () => void = () => undefined;

	private constructor(
		private readonly server: Server,
		options: ResolvedSandboxOptions,
	) {
		this.options = options;
		this.apiKey = options.apiKey;
		const nowSec = parseTime(options.now);
		this.clock = new SandboxClock(new Date(nowSec * 1000), options.clock === 'realtime');
		this.account = buildAccount(nowSec);
		const spikeSec = parseTime(options.spikeAt);
		this.store = generateCalls(this.account, {
			seed: options.seed,
			calls: options.calls,
			days: options.days,
			futureDays: options.futureDays,
			nowSec,
			spikeSec,
			settleLagSeconds: options.settleLagSeconds,
		});
		this.generator = new CallGenerator(this.account, createRng(options.seed, 2), spikeSec, nowSec - 30 * 86400);
		this.balanceUnits = parseUnits(options.balance);
		this.balanceAtSec = nowSec;
		this.tieRandom = createRng(options.seed, 3);
		if (options.lateListing) this.listLate(0, options.lateListing);
		const address = server.address() as AddressInfo;
		const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
		this.url = `http://${host}:${address.port}/api`;
		server.on('request', (req: IncomingMessage, res: ServerResponse) => {
			this.handle(req, res).catch((error: Error) => {
				if (!res.headersSent)
					this.write(res, undefined, json(500, { message: 'Server Error', exception: error.message }), {});
			});
		});
		server.on('connection', (socket: Socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
	}

	static async start(opts: SandboxOptions = {}): Promise<Sandbox> {
		const options = resolveOptions(opts);
		const server = createServer();
		server.keepAliveTimeout = 5_000;
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(options.port, options.host, () => {
				server.off('error', reject);
				resolve();
			});
		});
		try {
			const sandbox = new Sandbox(server, { ...options, port: (server.address() as AddressInfo).port });
			if (options.hostClock) {
				const host = followHostClock(() => sandbox.clock.hostNowMs());
				sandbox.clock.onMove = host.touch;
				sandbox.releaseHostClock = host.release;
			}
			return sandbox;
		} catch (error) {
			server.close();
			throw error;
		}
	}

	async stop(): Promise<void> {
		this.releaseHostClock();
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
		for (const socket of this.sockets) socket.destroy();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}

	// --- ground truth ------------------------------------------------------------------------

	private nowSec(): number {
		return this.clock.nowMs() / 1000;
	}

	/** Every call a client can see now, as the API renders it now, in the API's sort order. */
	visibleCalls(): RawCall[] {
		const nowSec = this.nowSec();
		const selection = this.selectCalls({}, nowSec);
		return this.inSortOrder(selection).map((i) => this.store.render(i, { nowSec, style: this.options.timestampStyle }));
	}

	/** Every stored call, future ones included, as each will look once settled, in sort order. */
	allCalls(): RawCall[] {
		const nowSec = this.nowSec();
		const live = Array.from(this.store.sorted()).filter((i) => !this.store.isDeleted(i));
		const ordered = this.options.sort === 'asc' ? live : live.reverse();
		return ordered.map((i) => this.store.render(i, { nowSec, final: true, style: this.options.timestampStyle }));
	}

	phoneNumbers(): RawPhoneNumber[] {
		return structuredClone(this.account.phoneNumbers);
	}

	assistants(): RawAssistant[] {
		return structuredClone(this.account.assistants);
	}

	campaigns(): RawCampaign[] {
		return structuredClone(this.account.campaigns);
	}

	me(): { name: string; email: string; total_balance: number } {
		return { ...this.account.user, total_balance: this.balanceAt(this.nowSec()) / 1e8 };
	}

	setBalance(n: number): void {
		this.balanceUnits = parseUnits(n);
		this.balanceAtSec = this.nowSec();
	}

	// --- changing the data -------------------------------------------------------------------

	/**
	 * Adds one call; its id is one above every stored id. Unset fields get defaults (Sales
	 * Assistant, its type and number, 60 s, completed, costs from the rates). Without `status`
	 * the call follows the lifecycle (in progress until created_at + duration + settle lag);
	 * with one it is shown exactly as given. Returns the call as it looks once settled.
	 */
	addCall(c: Partial<RawCall> & { created_at: string }, listing: { listedAfterSeconds?: number } = {}): RawCall {
		const known = <T>(list: readonly T[], name: (x: T) => string, value: string | null | undefined) =>
			value == null ? -1 : list.findIndex((x) => name(x) === value);
		const rest: Partial<RawCall> = { ...c };
		delete rest.id;
		delete rest.created_at;
		let assistant = known(ASSISTANTS, (a) => a.name, c.assistant_name);
		if (assistant >= 0 || c.assistant_name === undefined) delete rest.assistant_name;
		if (assistant < 0) assistant = 0;
		const campaign = known(CAMPAIGNS, (x) => x.name, c.campaign_name);
		if (campaign >= 0 || c.campaign_name == null) delete rest.campaign_name;
		let type = c.type === undefined ? -1 : CALL_TYPES.indexOf(c.type);
		if (type >= 0 || c.type === undefined) delete rest.type;
		if (type < 0) type = ASSISTANTS[assistant].type === 'inbound' ? 0 : 1;
		let ownNumber = type === 2 ? NONE : (this.account.numberIndex.get(ASSISTANTS[assistant].numberId) ?? NONE);
		if (c.assistant_phone_number !== undefined) {
			const idx = this.account.phoneNumbers.findIndex((n) => n.phone_number === c.assistant_phone_number);
			if (idx >= 0 || c.assistant_phone_number === null) {
				ownNumber = idx >= 0 ? idx : NONE;
				delete rest.assistant_phone_number;
			}
		}
		const id = this.store.maxId + 1;
		let client = clientNumber('DE', id);
		if (c.client_phone_number !== undefined && /^\+\d{1,15}$/.test(c.client_phone_number)) {
			client = Number(c.client_phone_number.slice(1));
			delete rest.client_phone_number;
		}
		const finalStatus =
			c.status === undefined ? 0 : FINAL_STATUSES.indexOf(c.status as (typeof FINAL_STATUSES)[number]);
		if (finalStatus >= 0) delete rest.status;
		const duration = c.duration ?? 60;
		const carrier = carrierUnits(this.account, ownNumber, duration);
		const record: CallRecord = {
			id,
			created: parseTime(c.created_at),
			duration,
			assistant,
			campaign: campaign >= 0 ? campaign : NONE,
			type,
			status: Math.max(0, finalStatus),
			ownNumber,
			client,
			carrier,
			total: platformUnits(assistant, duration) + carrier,
			answeredBy: type === 2 ? 3 : 0,
			flags: c.status !== undefined && finalStatus >= 0 ? 2 /* pinned */ : 0,
		};
		const i = this.store.push(record);
		if (Object.keys(rest).length > 0) this.store.patch(i, rest);
		if (listing.listedAfterSeconds !== undefined) this.store.listAt(i, record.created + listing.listedAfterSeconds);
		else if (this.options.lateListing) this.listLate(i, this.options.lateListing);
		return this.store.render(i, { nowSec: this.nowSec(), final: true, style: this.options.timestampStyle });
	}

	/**
	 * Adds a phone number to the account, after the seeded ones (which stay as they are): served by
	 * /user/phone-numbers/all from now on, and `addCall({ assistant_phone_number })` puts calls through
	 * it (carrier costs at its country's rate, none for a SIP trunk). Unset fields: the next free id, a
	 * rented dedicated number (type `normal`, active subscription) in DE. Returns the number as served.
	 */
	addPhoneNumber(fields: NewPhoneNumber): RawPhoneNumber {
		return addPhoneNumber(this.account, fields);
	}

	/** Adds `n` generated calls between `from` and `to` (optionally one campaign / assistant, by name). */
	addCalls(n: number, opts: { from: string; to: string; campaign?: string; assistant?: string }): RawCall[] {
		const forced: { assistant?: number; campaign?: number } = {};
		if (opts.assistant !== undefined) {
			forced.assistant = ASSISTANTS.findIndex((a) => a.name === opts.assistant);
			if (forced.assistant < 0) throw new Error(`No assistant named ${JSON.stringify(opts.assistant)}`);
		}
		if (opts.campaign !== undefined) {
			forced.campaign = CAMPAIGNS.findIndex((c) => c.name === opts.campaign);
			if (forced.campaign < 0) throw new Error(`No campaign named ${JSON.stringify(opts.campaign)}`);
		}
		const first = this.store.count;
		const added = appendCalls(this.store, this.generator, n, parseTime(opts.from), parseTime(opts.to), forced);
		if (this.options.lateListing) this.listLate(first, this.options.lateListing);
		const view = { nowSec: this.nowSec(), final: true, style: this.options.timestampStyle };
		return added.map((i) => this.store.render(i, view));
	}

	/**
	 * Changes a stored call (API field names). A `status` pins the call to the given fields; the
	 * call's updated_at becomes the clock's now unless the patch sets it.
	 */
	updateCall(id: number, patch: Partial<RawCall>): void {
		const i = this.storageIndex(id);
		this.store.patch(i, patch);
		if (patch.updated_at === undefined) this.store.touch(i, Math.floor(this.nowSec()));
	}

	deleteCall(id: number): void {
		this.store.delete(this.storageIndex(id));
	}

	private storageIndex(id: number): number {
		const i = this.store.indexOf(id);
		if (i < 0 || this.store.isDeleted(i)) throw new Error(`No call with id ${id}`);
		return i;
	}

	setSort(s: 'desc' | 'asc'): void {
		this.options.sort = s;
	}

	setRateLimit(r: SandboxOptions['rateLimit']): void {
		this.options.rateLimit = r ?? false;
		this.limiter.reset();
	}

	// --- accounting and faults ---------------------------------------------------------------

	resetStats(): void {
		this.stats.requests = 0;
		this.stats.bytes = 0;
		this.stats.byPath = {};
		this.stats.status429 = 0;
		this.requestLog.length = 0;
	}

	injectFaults(faults: Fault[]): void {
		for (const fault of faults) this.faults.push({ ...fault, remaining: fault.count ?? 1 });
	}

	clearFaults(): void {
		this.faults = [];
	}

	private takeFault(target: string): Fault | undefined {
		const index = this.faults.findIndex((f) => f.path === undefined || target.includes(f.path));
		if (index < 0) return undefined;
		const fault = this.faults[index];
		fault.remaining -= 1;
		if (fault.remaining <= 0) this.faults.splice(index, 1);
		return fault;
	}

	// --- HTTP --------------------------------------------------------------------------------

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
		const entry: RequestLogEntry = {
			method: req.method ?? 'GET',
			path: url.pathname,
			query: Object.fromEntries(url.searchParams),
			status: 0,
			bytes: 0,
			at: wallNow(),
			authorization: req.headers.authorization,
		};
		this.requestLog.push(entry);
		this.stats.requests += 1;
		this.stats.byPath[url.pathname] = (this.stats.byPath[url.pathname] ?? 0) + 1;

		const fault = this.takeFault(url.pathname + url.search);
		if (fault) entry.fault = fault.kind;
		if (fault?.kind === 'slow') {
			await this.delay(fault.delayMs ?? 30_000);
			if (res.destroyed) return;
		}
		if (fault?.kind === 'drop') {
			req.socket.destroy();
			return;
		}
		if (fault && STATUS_FAULTS.has(fault.kind)) {
			this.write(res, entry, faultReply(fault), {});
			return;
		}

		// The limiter keeps the time of the clients it counts: the host's clock, when it follows this sandbox
		// (a client's pacing and X-RateLimit-Reset agree with it), else the wall clock.
		const limiterNow = this.options.hostClock ? this.clock.hostNowMs() : wallNow();
		const decision = this.limiter.hit(limiterNow, this.options.rateLimit);
		const limitHeaders: Record<string, string> = {
			'X-RateLimit-Limit': String(decision.limit),
			'X-RateLimit-Remaining': String(decision.remaining),
			'X-RateLimit-Reset': String(decision.resetSec),
		};
		if (!decision.allowed) {
			const body = {
				error: 'Rate limit exceeded',
				message: 'Too many requests. Please retry later.',
				retry_after: decision.retryAfterSec,
			};
			this.write(
				res,
				entry,
				{ status: 429, body, headers: { 'Retry-After': String(decision.retryAfterSec) } },
				limitHeaders,
			);
			return;
		}

		const origin = `http://${req.headers.host ?? '127.0.0.1'}`;
		this.faultCap = fault?.cap;
		const reply = this.route(req.method ?? 'GET', url, origin, req.headers.authorization, fault?.kind);
		if (fault?.kind === 'future-date') {
			const ahead = new Date(this.clock.nowMs() + (fault.aheadMs ?? 86_400_000));
			reply.headers = { ...reply.headers, Date: ahead.toUTCString() };
		}
		if (fault && BODY_FAULTS.has(fault.kind)) {
			this.writeBroken(res, entry, reply, fault.kind, limitHeaders);
			return;
		}
		if (fault?.kind === 'trickle') {
			this.writeTrickle(res, entry, reply, fault.delayMs ?? 300, limitHeaders);
			return;
		}
		this.write(res, entry, reply, limitHeaders);
	}

	private delay(ms: number): Promise<void> {
		return new Promise((resolve) => {
			const timer = setTimeout(() => {
				this.timers.delete(timer);
				resolve();
			}, ms);
			this.timers.add(timer);
		});
	}

	private write(
		res: ServerResponse,
		entry: RequestLogEntry | undefined,
		reply: Reply,
		limitHeaders: Record<string, string>,
	): void {
		const text = reply.raw ?? JSON.stringify(reply.body);
		const bytes = Buffer.byteLength(text);
		res.writeHead(reply.status, {
			'Content-Type': reply.contentType ?? 'application/json',
			'Content-Length': String(bytes),
			'Cache-Control': 'no-cache, private',
			// The virtual clock, like a real server's Date header: clients may take "now" from it.
			Date: this.clock.now().toUTCString(),
			...limitHeaders,
			...reply.headers,
		});
		res.end(text);
		this.recordResponse(entry, reply.status, bytes);
	}

	/** `truncated`: half the body, then the connection closes; `malformed`: a broken JSON body. */
	private writeBroken(
		res: ServerResponse,
		entry: RequestLogEntry,
		reply: Reply,
		kind: FaultKind,
		limitHeaders: Record<string, string>,
	): void {
		if (kind === 'malformed') {
			this.write(
				res,
				entry,
				{ status: 200, raw: '{"data": [{"id": 1, "total_cost": "0.1<!-- upstream garbage --> \u0000' },
				limitHeaders,
			);
			return;
		}
		const full = Buffer.from(reply.raw ?? JSON.stringify(reply.body));
		const half = full.subarray(0, Math.floor(full.length / 2));
		res.writeHead(reply.status, {
			'Content-Type': 'application/json',
			'Content-Length': String(full.length),
			...limitHeaders,
		});
		res.write(half, () => res.destroy());
		this.recordResponse(entry, reply.status, half.length);
	}

	/** The whole body, one byte at a time, `everyMs` apart (stops when the client goes away). */
	private writeTrickle(
		res: ServerResponse,
		entry: RequestLogEntry,
		reply: Reply,
		everyMs: number,
		limitHeaders: Record<string, string>,
	): void {
		const body = Buffer.from(reply.raw ?? JSON.stringify(reply.body));
		res.writeHead(reply.status, {
			'Content-Type': 'application/json',
			'Content-Length': String(body.length),
			...limitHeaders,
		});
		let sent = 0;
		const next = () => {
			if (res.destroyed || sent >= body.length) {
				if (!res.destroyed) res.end();
				this.recordResponse(entry, reply.status, sent);
				return;
			}
			res.write(body.subarray(sent, sent + 1));
			sent += 1;
			const timer = setTimeout(() => {
				this.timers.delete(timer);
				next();
			}, everyMs);
			this.timers.add(timer);
		};
		next();
	}

	private recordResponse(entry: RequestLogEntry | undefined, status: number, bytes: number): void {
		this.stats.bytes += bytes;
		if (status === 429) this.stats.status429 += 1;
		if (entry) {
			entry.status = status;
			entry.bytes = bytes;
		}
	}

	private route(method: string, url: URL, origin: string, authorization: string | undefined, fault?: FaultKind): Reply {
		const path = url.pathname.replace(/\/+$/, '');
		const routes: Array<[RegExp, (match: RegExpExecArray) => Reply]> = [
			[/^\/api\/user\/me$/, () => json(200, this.me())],
			[/^\/api\/user\/calls$/, () => this.listCalls(url, origin, fault)],
			[/^\/api\/user\/calls\/([^/]+)$/, (match) => this.getCall(match[1], fault)],
			[
				/^\/api\/user\/phone-numbers\/all$/,
				() => json(200, { data: this.renderModels(this.account.phoneNumbers, fault) }),
			],
			[/^\/api\/user\/assistants\/get$/, () => this.listAssistants(url, origin, fault)],
			[/^\/api\/user\/campaigns$/, () => json(200, this.renderModels(this.account.campaigns, fault))],
		];
		let handler: (() => Reply) | undefined;
		for (const [pattern, run] of routes) {
			const match = pattern.exec(path);
			if (match) {
				handler = () => run(match);
				break;
			}
		}
		if (!handler) return json(404, { message: 'Not Found' });
		if (method !== 'GET' && method !== 'HEAD') {
			const route = path.slice(1);
			return json(405, {
				message: `The ${method} method is not supported for route ${route}. Supported methods: GET, HEAD.`,
			});
		}
		if (authorization !== `Bearer ${this.apiKey}`) {
			return json(401, { error: 'Unauthenticated', message: 'Invalid API key' });
		}
		return handler();
	}

	// --- endpoints ---------------------------------------------------------------------------

	private listCalls(url: URL, origin: string, fault?: FaultKind): Reply {
		const query = url.searchParams;
		const errors: Record<string, string[]> = {};
		const perPage = perPageParam(query, 15, errors);
		const page = pageParam(query);
		const filter: CallFilter = {};
		const text = (name: string) => {
			const value = (query.get(name) ?? '').trim(); // Laravel's TrimStrings / empty → null
			return value === '' ? undefined : value;
		};
		const status = text('status');
		if (status !== undefined && !ALL_STATUSES.includes(status)) errors.status = ['The selected status is invalid.'];
		else filter.status = status;
		const type = text('type');
		if (type !== undefined && !(CALL_TYPES as readonly string[]).includes(type))
			errors.type = ['The selected type is invalid.'];
		else filter.type = type;
		filter.phone = text('phone_number');
		const byId = (name: 'assistant_id' | 'campaign_id', names: Map<number, string>): string | undefined => {
			const value = text(name);
			if (value === undefined) return undefined;
			if (!/^-?\d+$/.test(value)) {
				errors[name] = [`The ${name.replace('_', ' ')} field must be an integer.`];
				return undefined;
			}
			return names.get(Number(value)) ?? NO_MATCH;
		};
		filter.assistantName = byId('assistant_id', new Map(ASSISTANTS.map((a) => [a.id, a.name])));
		filter.campaignName = byId('campaign_id', new Map(CAMPAIGNS.map((c) => [c.id, c.name])));
		const day = (name: 'date_from' | 'date_to'): DateTime | undefined => {
			const value = text(name);
			if (value === undefined) return undefined;
			const date = /^\d{4}-\d{2}-\d{2}/.test(value)
				? DateTime.fromISO(value.slice(0, 10), { zone: this.options.serverTimezone })
				: undefined;
			if (!date?.isValid) {
				errors[name] = [`The ${name.replace('_', ' ')} field must be a valid date.`];
				return undefined;
			}
			return date.startOf('day');
		};
		const from = day('date_from');
		const to = day('date_to');
		if (from && to && to < from) errors.date_to = ['The date to field must be a date after or equal to date from.'];
		if (Object.keys(errors).length > 0) return validationError(errors);
		if (from) filter.fromSec = from.toSeconds();
		if (to) filter.toSec = to.plus({ days: 1 }).toSeconds();

		const nowSec = this.nowSec();
		const selection = this.selectCalls(filter, nowSec);
		const drifted = driftedPage(fault, perPage, page, selection.length, this.faultCap);
		const dataPage = fault === 'duplicate-page' ? Math.max(1, page - 1) : drifted.rowsPage;
		const start = (dataPage - 1) * drifted.perPage;
		const view = { nowSec, style: fault === 'drift-naive-time' ? ('naive' as const) : this.options.timestampStyle };
		const ascending = (this.options.sort === 'asc') !== (fault === 'flip-order');
		const rows = this.rowsAt(selection, start, Math.min(selection.length, start + drifted.perPage), ascending);
		// One row listed twice, in place of the one after it.
		if (fault === 'duplicate-row' && rows.length > 1) rows[1] = rows[0] as number;
		const data = rows.map((i) => this.driftCosts(this.store.render(i, view), fault));
		const path = `${origin}/api/user/calls`;
		return json(200, paginator(data, drifted.total, page, drifted.reportedPerPage, path, query, drifted.lastPage));
	}

	private getCall(rawId: string, fault?: FaultKind): Reply {
		const i = /^\d+$/.test(rawId) ? this.store.indexOf(Number(rawId)) : -1;
		const nowSec = this.nowSec();
		if (i < 0 || this.store.isDeleted(i) || this.store.created[i] > nowSec)
			return json(404, { message: 'Call not found' });
		const style = fault === 'drift-naive-time' ? 'naive' : this.options.timestampStyle;
		return json(200, this.driftCosts(this.store.render(i, { nowSec, style }), fault));
	}

	private listAssistants(url: URL, origin: string, fault?: FaultKind): Reply {
		const errors: Record<string, string[]> = {};
		const perPage = perPageParam(url.searchParams, 10, errors);
		if (Object.keys(errors).length > 0) return validationError(errors);
		const page = pageParam(url.searchParams);
		const all = this.renderModels(this.account.assistants, fault);
		const drifted = driftedPage(fault, perPage, page, all.length);
		const dataPage = fault === 'duplicate-page' ? Math.max(1, page - 1) : drifted.rowsPage;
		const data = all.slice((dataPage - 1) * drifted.perPage, dataPage * drifted.perPage);
		const path = `${origin}/api/user/assistants/get`;
		return json(
			200,
			paginator(data, drifted.total, page, drifted.reportedPerPage, path, url.searchParams, drifted.lastPage),
		);
	}

	/** Account models as served (model timestamps go naive under the `drift-naive-time` fault). */
	private renderModels<T extends { created_at: string; updated_at?: string }>(models: T[], fault?: FaultKind): T[] {
		if (fault !== 'drift-naive-time') return models;
		const naive = (value: string) => formatModelTime(parseTime(value), 'naive');
		return models.map((m) => ({
			...m,
			created_at: naive(m.created_at),
			...(m.updated_at === undefined ? {} : { updated_at: naive(m.updated_at) }),
		}));
	}

	private driftCosts(call: RawCall, fault?: FaultKind): unknown {
		if (fault !== 'drift-number-cost') return call;
		return { ...call, carrier_cost: Number(call.carrier_cost), total_cost: Number(call.total_cost) };
	}

	// --- query engine ------------------------------------------------------------------------

	/** Storage indices of the visible calls matching `filter`, ascending by (created_at, id). Cached. */
	private selectCalls(filter: CallFilter, nowSec: number): Int32Array {
		const store = this.store;
		let lo = 0;
		let hi = store.upperBound(nowSec);
		if (filter.fromSec !== undefined) lo = Math.max(lo, store.lowerBound(filter.fromSec));
		if (filter.toSec !== undefined) hi = Math.min(hi, store.lowerBound(filter.toSec));
		if (hi <= lo) return new Int32Array(0);
		const order = store.sorted();
		const { status, type, phone, assistantName, campaignName } = filter;
		const filtered = status ?? type ?? phone ?? assistantName ?? campaignName;
		// Calls listed late are left out until their time (the fast path holds when none is pending).
		const late = store.listedLater(nowSec);
		if (filtered === undefined && store.deletedCount === 0 && !late) return order.subarray(lo, hi);

		const key = [
			store.version,
			lo,
			hi,
			status || late ? Math.floor(nowSec) : '',
			type,
			phone,
			assistantName,
			campaignName,
		].join('|');
		const cached = this.selections.get(key);
		if (cached) return cached;
		const phoneDigits = phone !== undefined && /^\+\d+$/.test(phone) ? Number(phone.slice(1)) : NaN;
		const out = new Int32Array(hi - lo);
		let n = 0;
		for (let k = lo; k < hi; k++) {
			const i = order[k];
			if (store.isDeleted(i)) continue;
			if (late && store.listedAt(i) > nowSec) continue;
			if (type !== undefined && store.typeOf(i) !== type) continue;
			if (assistantName !== undefined && store.assistantName(i) !== assistantName) continue;
			if (campaignName !== undefined && store.campaignName(i) !== campaignName) continue;
			if (phone !== undefined && !store.clientIs(i, phone, phoneDigits)) continue;
			if (status !== undefined && store.statusAt(i, nowSec) !== status) continue;
			out[n++] = i;
		}
		if (this.selections.size >= 32) this.selections.clear();
		const result = out.slice(0, n);
		this.selections.set(key, result);
		return result;
	}

	/**
	 * Storage indices of list positions [from, to) in the given order. Calls sharing a created_at are in a
	 * new random order for every answer with shuffleTies (the whole group, also where the page cuts it).
	 */
	private rowsAt(selection: Int32Array, from: number, to: number, ascending: boolean): number[] {
		const at = (k: number) => (ascending ? selection[k] : selection[selection.length - 1 - k]) as number;
		if (!this.options.shuffleTies) return Array.from({ length: Math.max(0, to - from) }, (_, n) => at(from + n));
		const created = this.store.created;
		let first = from;
		while (first > 0 && created[at(first - 1)] === created[at(from)]) first--;
		let last = to;
		while (last < selection.length && last > 0 && created[at(last)] === created[at(last - 1)]) last++;
		const positions: number[] = [];
		for (let k = first; k < last; ) {
			let end = k + 1;
			while (end < last && created[at(end)] === created[at(k)]) end++;
			const group = Array.from({ length: end - k }, (_, n) => at(k + n));
			for (let n = group.length - 1; n > 0; n--) {
				const m = Math.floor(this.tieRandom() * (n + 1));
				[group[n], group[m]] = [group[m] as number, group[n] as number];
			}
			positions.push(...group);
			k = end;
		}
		return positions.slice(from - first, to - first);
	}

	/** Makes a share of the calls from storage index `from` on (chosen by id) appear only some time after their created_at. */
	private listLate(from: number, late: { share: number; minSeconds: number; maxSeconds: number }): void {
		for (let i = from; i < this.store.count; i++) {
			const id = this.store.id[i] as number;
			const draw = ((Math.imul(id, 2654435761) >>> 0) % 10_000) / 10_000;
			if (draw >= late.share) continue;
			const spread = ((Math.imul(id, 40503) >>> 0) % 1000) / 1000;
			this.store.listAt(i, this.store.created[i] + late.minSeconds + spread * (late.maxSeconds - late.minSeconds));
		}
	}

	private inSortOrder(selection: Int32Array): number[] {
		const list = Array.from(selection);
		return this.options.sort === 'asc' ? list : list.reverse();
	}

	/** Balance in units at `nowSec`: the set balance minus costs of calls settled since it was set. */
	private balanceAt(nowSec: number): number {
		if (!this.options.drainBalance || nowSec <= this.balanceAtSec) return this.balanceUnits;
		const store = this.store;
		const order = store.sorted();
		let units = this.balanceUnits;
		const from = store.lowerBound(this.balanceAtSec - store.maxDuration - store.settleLagSeconds);
		const to = store.upperBound(nowSec);
		for (let k = from; k < to; k++) {
			const i = order[k];
			const settled = store.settleTime(i);
			if (!store.isDeleted(i) && settled > this.balanceAtSec && settled <= nowSec) units -= store.totalUnits(i);
		}
		return units;
	}
}

function faultReply(fault: Fault): Reply {
	const retryAfter = Math.ceil((fault.delayMs ?? 1000) / 1000);
	const body = { error: 'Rate limit exceeded', message: 'Too many requests. Please retry later.' };
	switch (fault.kind) {
		case '429':
			return json(429, { ...body, retry_after: retryAfter });
		case '429-header':
			return { status: 429, body, headers: { 'Retry-After': String(retryAfter) } };
		case '429-bare':
			return json(429, body);
		case '500':
			return json(500, { message: 'Server Error' });
		case '502':
			return { status: 502, raw: HTML_502, contentType: 'text/html' };
		default:
			return json(503, { message: 'Service Unavailable' });
	}
}

function resolveOptions(opts: SandboxOptions): ResolvedSandboxOptions {
	const clock = opts.clock ?? 'manual';
	const nowSec =
		opts.now !== undefined
			? parseTime(opts.now)
			: clock === 'realtime'
				? Math.floor(wallNow() / 1000)
				: parseTime('2026-11-26T12:00:00Z');
	const serverTimezone = opts.serverTimezone ?? 'Europe/Berlin';
	if (!DateTime.now().setZone(serverTimezone).isValid) throw new Error(`Unknown timezone ${serverTimezone}`);
	const iso = (sec: number) => new Date(sec * 1000).toISOString().replace('.000Z', 'Z');
	return {
		port: opts.port ?? 0,
		host: opts.host ?? '127.0.0.1',
		apiKey: opts.apiKey ?? 'sandbox-key-0123456789',
		seed: opts.seed ?? 1,
		calls: opts.calls ?? 3000,
		days: opts.days ?? 45,
		futureDays: opts.futureDays ?? 3,
		now: iso(nowSec),
		clock,
		hostClock: opts.hostClock ?? true,
		sort: opts.sort ?? 'desc',
		serverTimezone,
		timestampStyle: opts.timestampStyle ?? 'iso',
		rateLimit: opts.rateLimit ?? false,
		settleLagSeconds: opts.settleLagSeconds ?? 60,
		spikeAt: iso(opts.spikeAt !== undefined ? parseTime(opts.spikeAt) : nowSec - 30 * 3600),
		balance: opts.balance ?? 487.31204718,
		drainBalance: opts.drainBalance ?? false,
		shuffleTies: opts.shuffleTies ?? false,
		lateListing: opts.lateListing ?? null,
	};
}

export { formatUnits, parseUnits };
