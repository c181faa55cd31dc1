/**
 * Famulor Classic API client over an injected transport. The nodes inject n8n's
 * `httpRequestWithAuthentication`; tests and benchmarks inject a plain HTTP transport. The client
 * owns everything between "I want page 3 of the calls" and typed data: pacing, retries with
 * backoff and jitter, deadlines and schema validation. What each answer means (the body, or which
 * typed error) is decided in errors.ts; the wire's types are in transport.ts.
 */
import { classifyResponse, classifyTransportError } from './errors';
import { FamulorApiError, settled } from '../../errors';
import { scrubSecret } from '../../secrets';
import { Pacer, type RateLimits } from './pacing';
import {
	assistantSchema,
	callSchema,
	campaignSchema,
	describeIssue,
	listSchema,
	meSchema,
	paginatorSchema,
	phoneNumberSchema,
	type RawAssistant,
	type RawCall,
	type RawCampaign,
	type RawMe,
	type RawPhoneNumber,
} from './schemas';
import type { Call } from '../../calls';
import { CallFieldError, normalizeCallSafely } from './calls';
import { checkPage } from './pages';
import { incomplete } from '../../list/errors';
import type { CallQuery as PortQuery, CallRow, CallSlice, CallSource, SliceRequest } from '../port';
import { MAX_SLICE } from '../port';
import {
	PAGE_SIZE,
	type CallQuery,
	type CallsPage,
	type Transport,
	type TransportRequest,
	type TransportResponse,
} from './transport';
import type { z } from 'zod';

export interface ClientOptions {
	transport: Transport;
	now?: () => number;
	sleep: (ms: number) => Promise<void>;
	random?: () => number;
	limits?: RateLimits;
	/** Send times of the previous requests with this key (see Pacer). */
	pacingHistory?: number[];
	/** Per-request timeout. */
	timeoutMs?: number;
	/** Give up retrying one request after this long. */
	maxRetryMs?: number;
	/**
	 * The longest single wait the client accepts (a rate-limit reset, a Retry-After, pacing). A longer
	 * one fails at once with a `rateLimited` error that says when to try again.
	 */
	maxWaitMs?: number;
	maxAttempts?: number;
	/** Absolute time (epoch ms) after which no new wait or retry starts (a trigger's poll budget). */
	deadline?: number;
	/** The API key, only to cut it out of any text taken from a response (a server may echo it). */
	secret?: string;
}

/**
 * Famulor counts requests per minute: no wait it asks for should be longer. One that is (a reset days
 * ahead, a huge Retry-After) is not slept through; the caller gets a typed error with the time.
 */
export const MAX_WAIT_MS = 65_000;

/** The Classic query keys of a list query. */
export function classicQuery(query: PortQuery): CallQuery {
	const classic: CallQuery = {};
	if (query.from !== undefined) classic.date_from = query.from;
	if (query.to !== undefined) classic.date_to = query.to;
	if (query.assistantId !== undefined) classic.assistant_id = query.assistantId;
	if (query.campaignId !== undefined) classic.campaign_id = query.campaignId;
	if (query.direction !== undefined) classic.type = query.direction;
	if (query.status !== undefined) classic.status = query.status;
	return classic;
}

/**
 * The Laravel page (`page`, `per_page` up to `maxSize`) whose rows hold index `at` and reach furthest
 * toward `request.toward`, up to `request.rows` rows beyond it; the smallest such page (fewest bytes).
 * A page of size s holds the indices (page − 1)·s … page·s − 1: which sizes reach far depends on `at`.
 */
export function planPage(request: SliceRequest, maxSize: number): { page: number; perPage: number } {
	const at = Math.max(0, Math.floor(request.at));
	const rows = Math.max(0, Math.min(maxSize - 1, Math.floor(request.rows)));
	let best = { page: at + 1, perPage: 1, reach: 0 };
	for (let size = 2; size <= maxSize; size++) {
		const page = Math.floor(at / size) + 1;
		const first = (page - 1) * size;
		const reach = request.toward === 1 ? Math.min(first + size - 1, at + rows) - at : at - Math.max(first, at - rows);
		if (reach > best.reach) best = { page, perPage: size, reach };
	}
	return { page: best.page, perPage: best.perPage };
}

export class FamulorClient implements CallSource {
	readonly pacer: Pacer;
	private readonly transport: Transport;
	private readonly now: () => number;
	private readonly sleep: (ms: number) => Promise<void>;
	private readonly random: () => number;
	private readonly timeoutMs: number;
	private readonly maxRetryMs: number;
	private readonly maxWaitMs: number;
	private readonly maxAttempts: number;
	deadline: number | undefined;
	private readonly scrub: (text: string) => string;
	/** Requests sent (including retries), for accounting. */
	requestCount = 0;
	/**
	 * The largest page this server served so far: 100, or a smaller `per_page` cap it reported (this
	 * client's life only).
	 */
	private sliceCap = MAX_SLICE;

	constructor(options: ClientOptions) {
		this.transport = options.transport;
		this.now = options.now ?? Date.now;
		this.sleep = options.sleep;
		this.random = options.random ?? Math.random;
		this.pacer = new Pacer(options.limits, options.pacingHistory, this.now());
		this.timeoutMs = options.timeoutMs ?? 30_000;
		this.maxRetryMs = options.maxRetryMs ?? 120_000;
		this.maxWaitMs = options.maxWaitMs ?? MAX_WAIT_MS;
		this.maxAttempts = options.maxAttempts ?? 6;
		this.deadline = options.deadline;
		const secret = options.secret;
		this.scrub = (text) => scrubSecret(text, secret);
	}

	/** Milliseconds left before the deadline (Infinity without one). */
	timeLeft(): number {
		return this.deadline === undefined ? Infinity : this.deadline - this.now();
	}

	/** Whether one more request can start (after pacing) and still leave `reserveMs` before the deadline. */
	hasTimeForRequest(reserveMs: number): boolean {
		return this.timeLeft() - this.pacer.delayBefore(this.now()) > reserveMs;
	}

	async getMe(): Promise<RawMe> {
		return this.parse(meSchema, await this.get('/user/me'), 'GET /user/me');
	}

	async getCallsPage(query: CallQuery, page: number, perPage = PAGE_SIZE): Promise<CallsPage> {
		const body = await this.get('/user/calls', { ...query, per_page: perPage, page });
		const parsed = this.parse(paginatorSchema, body, 'GET /user/calls');
		const raw = parsed.data.map((item, index) => this.parse(callSchema, item, `GET /user/calls data[${index}]`));
		const calls = raw.map((item) => this.normalize(item));
		const total = parsed.total ?? (parsed.next_page_url ? Infinity : (page - 1) * perPage + raw.length);
		const lastPage = parsed.last_page ?? (Number.isFinite(total) ? Math.max(1, Math.ceil(total / perPage)) : page + 1);
		return { calls, raw, page: parsed.current_page ?? page, perPage: parsed.per_page ?? perPage, total, lastPage };
	}

	get requests(): number {
		return this.requestCount;
	}

	/** One slice of the call list (src/api/port.ts): the Laravel page planned for it, checked against itself. */
	async slice(query: PortQuery, request: SliceRequest): Promise<CallSlice> {
		const { page, perPage } = planPage(request, this.sliceCap);
		const result = await this.getCallsPage(classicQuery(query), page, perPage);
		checkPage(result, { page, perPage });
		if (result.perPage < perPage) this.sliceCap = result.perPage;
		return {
			rows: result.calls.map((call, index) => ({ call, raw: result.raw[index] as RawCall })),
			start: (page - 1) * result.perPage,
			total: result.total,
			capacity: result.perPage,
		};
	}

	/** One call by id; undefined when Famulor says it does not exist (HTTP 404). */
	async call(id: number): Promise<CallRow | undefined> {
		const answer = await settled(this.getCall(id));
		if (!('error' in answer)) return answer.value;
		if (answer.error instanceof FamulorApiError && answer.error.kind === 'notFound') return undefined;
		throw answer.error;
	}

	async getCall(id: number): Promise<{ call: Call; raw: RawCall }> {
		const raw = this.parse(callSchema, await this.get(`/user/calls/${id}`), `GET /user/calls/${id}`);
		return { call: this.normalize(raw), raw };
	}

	async getPhoneNumbers(): Promise<RawPhoneNumber[]> {
		return this.parseList(phoneNumberSchema, await this.get('/user/phone-numbers/all'), 'GET /user/phone-numbers/all');
	}

	/**
	 * Every assistant, page by page. A page must be the one asked for and bring assistants not seen
	 * before, and the pages together must hold `total` of them: a server that ignores `page` or
	 * stops early fails typed instead of listing some assistants (or asking 1,000 times).
	 */
	async getAssistants(): Promise<RawAssistant[]> {
		const where = 'GET /user/assistants/get';
		const all: RawAssistant[] = [];
		const seen = new Set<number>();
		for (let page = 1; ; page++) {
			const body = await this.get('/user/assistants/get', { per_page: PAGE_SIZE, page });
			if (Array.isArray(body)) return this.parseList(assistantSchema, body, where);
			const parsed = this.parse(paginatorSchema, body, where);
			const items = parsed.data.map((item, index) => this.parse(assistantSchema, item, `${where} data[${index}]`));
			if (parsed.current_page !== undefined && parsed.current_page !== page) {
				throw incomplete(`asked for page ${page}, Famulor answered with page ${parsed.current_page}`, 'assistant list');
			}
			const fresh = items.filter((assistant) => !seen.has(assistant.id));
			if (page > 1 && items.length > 0 && fresh.length === 0) {
				throw incomplete(`page ${page} repeats assistants of an earlier page`, 'assistant list');
			}
			for (const assistant of fresh) {
				seen.add(assistant.id);
				all.push(assistant);
			}
			const lastPage = parsed.last_page ?? (parsed.next_page_url ? page + 1 : page);
			if (items.length === 0 || page >= lastPage) {
				if (parsed.total !== undefined && all.length < parsed.total) {
					throw incomplete(`${all.length} of ${parsed.total} assistants were listed`, 'assistant list');
				}
				return all;
			}
		}
	}

	async getCampaigns(): Promise<RawCampaign[]> {
		return this.parseList(campaignSchema, await this.get('/user/campaigns'), 'GET /user/campaigns');
	}

	private normalize(raw: RawCall): Call {
		const result = normalizeCallSafely(raw);
		if (result instanceof CallFieldError) {
			throw new FamulorApiError(
				'malformed',
				`Famulor returned a call the package cannot read: ${this.scrub(result.message)}`,
				'This looks like a change in the Famulor API. Please report it to the package maintainers with the field name.',
			);
		}
		return result;
	}

	private parse<T extends z.ZodTypeAny>(schema: T, body: unknown, where: string): z.infer<T> {
		const result = schema.safeParse(body);
		if (!result.success) {
			throw new FamulorApiError(
				'malformed',
				`Famulor's response to ${where} has an unexpected shape (${describeIssue(result.error)})`,
				'Check that Base URL points at the Famulor Classic API (https://app.famulor.de/api). If it does, ' +
					'the API changed: please report it to the package maintainers.',
			);
		}
		return result.data;
	}

	private parseList<T extends z.ZodTypeAny>(schema: T, body: unknown, where: string): Array<z.infer<T>> {
		const list = this.parse(listSchema, body, where);
		const items = Array.isArray(list) ? list : list.data;
		return items.map((item, index) => this.parse(schema, item, `${where} [${index}]`));
	}

	/** One GET with pacing and retries; returns the parsed JSON body of a 2xx response. */
	async get(path: string, query?: Record<string, string | number | undefined>): Promise<unknown> {
		const cleanQuery: Record<string, string | number> = {};
		for (const [key, value] of Object.entries(query ?? {})) {
			if (value !== undefined && value !== '') cleanQuery[key] = value;
		}
		const started = this.now();
		let lastError: FamulorApiError | undefined;
		for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
			await this.waitFor(this.pacer.delayBefore(this.now()), lastError);
			this.pacer.recordSent(this.now());
			this.requestCount++;
			// Never wait for an answer past the deadline (at least a second, so a request can still succeed).
			const timeoutMs = Math.max(1_000, Math.min(this.timeoutMs, Math.floor(this.timeLeft())));
			const response = await this.send({ method: 'GET', path, query: cleanQuery, timeoutMs });
			let error: FamulorApiError;
			if (response instanceof FamulorApiError) {
				error = response;
			} else {
				this.pacer.observe(response.headers ?? {}, this.now());
				const outcome = classifyResponse(response, path, this.scrub);
				if (!(outcome instanceof FamulorApiError)) return outcome.body;
				error = outcome;
			}
			if (!error.retryable || attempt === this.maxAttempts) throw error;
			const wait = error.retryAfterMs ?? this.backoff(attempt);
			if (wait > this.maxWaitMs) throw this.waitTooLong(wait, error);
			if (this.now() + wait - started > this.maxRetryMs) throw error;
			lastError = error;
			await this.waitFor(wait, error);
		}
		throw lastError ?? new FamulorApiError('network', 'The request failed', 'Try again later.');
	}

	/** The transport's answer, or the classified reason none arrived. */
	private async send(request: TransportRequest): Promise<TransportResponse | FamulorApiError> {
		try {
			return await this.transport(request);
		} catch (thrown) {
			return classifyTransportError(thrown);
		}
	}

	private async waitFor(ms: number, pending: FamulorApiError | undefined): Promise<void> {
		if (ms <= 0) return;
		if (ms > this.maxWaitMs) throw this.waitTooLong(ms, pending);
		if (this.deadline !== undefined && this.now() + ms > this.deadline) {
			throw (
				pending ??
				new FamulorApiError(
					'outOfTime',
					'The poll ran out of time while waiting for the Famulor rate limit',
					'Nothing is lost: the next poll continues where this one stopped. If this repeats, poll less often ' +
						'or let fewer workflows share the API key.',
					{ retryAfterMs: ms, retryable: false },
				)
			);
		}
		await this.sleep(ms);
	}

	/** The error for a wait longer than maxWaitMs: rate limited, with the time to try again. */
	private waitTooLong(ms: number, pending: FamulorApiError | undefined): FamulorApiError {
		const retryAt = new Date(this.now() + ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
		return new FamulorApiError(
			'rateLimited',
			`Famulor's rate limit asks to wait ${describeWait(ms)} before the next request (until ${retryAt})${
				pending?.status ? ` (HTTP ${pending.status})` : ''
			}`,
			`Try again after ${retryAt}. The package waits at most ${Math.round(this.maxWaitMs / 1000)} s for the rate limit; ` +
				"a longer wait usually means other workflows or apps use up this API key's requests.",
			{ status: pending?.status, retryAfterMs: ms, retryable: false },
		);
	}

	private backoff(attempt: number): number {
		const base = Math.min(15_000, 500 * 2 ** (attempt - 1));
		return Math.round(base * (0.7 + 0.6 * this.random()));
	}
}

function describeWait(ms: number): string {
	const seconds = Math.ceil(ms / 1000);
	if (seconds < 120) return `${seconds} s`;
	if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
	return `${Math.round(seconds / 3600)} h`;
}
