/**
 * Famulor Classic API client over an injected transport. The nodes inject n8n's
 * `httpRequestWithAuthentication`; tests and benchmarks inject a plain HTTP transport. The client
 * owns everything between "I want page 3 of the calls" and typed data: pacing, retries with
 * backoff and jitter, error classification and schema validation.
 */
import { FamulorApiError, scrubSecret } from './errors';
import { Pacer, headerNumber, headerValue, type RateLimits } from './pacing';
import { platform2ResponseError } from './platform';
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
import { CallFieldError, normalizeCallSafely, type Call } from './calls';
import type { z } from 'zod';

export interface TransportRequest {
	method: 'GET';
	/** Path relative to the base URL, starting with `/`. */
	path: string;
	query?: Record<string, string | number>;
	timeoutMs: number;
}

export interface TransportResponse {
	status: number;
	headers: Record<string, unknown>;
	/** Parsed JSON, or the raw text when the body was not JSON. */
	body: unknown;
}

/** Sends one request. Resolves with any HTTP status; rejects only when no response arrived. */
export type Transport = (request: TransportRequest) => Promise<TransportResponse>;

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
	maxAttempts?: number;
	/** Absolute time (epoch ms) after which no new wait or retry starts (a trigger's poll budget). */
	deadline?: number;
	/** The API key, only to cut it out of any text taken from a response (a server may echo it). */
	secret?: string;
}

export interface CallQuery {
	date_from?: string;
	date_to?: string;
	assistant_id?: string | number;
	campaign_id?: string | number;
	type?: string;
	status?: string;
}

export interface CallsPage {
	calls: Call[];
	raw: RawCall[];
	page: number;
	perPage: number;
	total: number;
	lastPage: number;
}

export const PAGE_SIZE = 100;

export class FamulorClient {
	readonly pacer: Pacer;
	private readonly transport: Transport;
	private readonly now: () => number;
	private readonly sleep: (ms: number) => Promise<void>;
	private readonly random: () => number;
	private readonly timeoutMs: number;
	private readonly maxRetryMs: number;
	private readonly maxAttempts: number;
	deadline: number | undefined;
	private readonly scrub: (text: string) => string;
	/** Requests sent (including retries), for accounting. */
	requestCount = 0;

	constructor(options: ClientOptions) {
		this.transport = options.transport;
		this.now = options.now ?? Date.now;
		this.sleep = options.sleep;
		this.random = options.random ?? Math.random;
		this.pacer = new Pacer(options.limits, options.pacingHistory);
		this.timeoutMs = options.timeoutMs ?? 30_000;
		this.maxRetryMs = options.maxRetryMs ?? 120_000;
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

	async getCall(id: number): Promise<{ call: Call; raw: RawCall }> {
		const raw = this.parse(callSchema, await this.get(`/user/calls/${id}`), `GET /user/calls/${id}`);
		return { call: this.normalize(raw), raw };
	}

	async getPhoneNumbers(): Promise<RawPhoneNumber[]> {
		return this.parseList(phoneNumberSchema, await this.get('/user/phone-numbers/all'), 'GET /user/phone-numbers/all');
	}

	async getAssistants(): Promise<RawAssistant[]> {
		const all: RawAssistant[] = [];
		for (let page = 1; page <= 1000; page++) {
			const body = await this.get('/user/assistants/get', { per_page: PAGE_SIZE, page });
			if (Array.isArray(body)) return this.parseList(assistantSchema, body, 'GET /user/assistants/get');
			const parsed = this.parse(paginatorSchema, body, 'GET /user/assistants/get');
			parsed.data.forEach((item, index) =>
				all.push(this.parse(assistantSchema, item, `GET /user/assistants/get data[${index}]`)),
			);
			const lastPage = parsed.last_page ?? (parsed.next_page_url ? page + 1 : page);
			if (page >= lastPage || parsed.data.length === 0) break;
		}
		return all;
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
				'Check that Base URL points at the Famulor Classic API (https://app.famulor.de/api). If it does, the API changed: please report it to the package maintainers.',
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
				const outcome = this.classify(response, path);
				if (!(outcome instanceof FamulorApiError)) return outcome.body;
				error = outcome;
			}
			if (!error.retryable || attempt === this.maxAttempts) throw error;
			const wait = error.retryAfterMs ?? this.backoff(attempt);
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
		if (this.deadline !== undefined && this.now() + ms > this.deadline) {
			throw (
				pending ??
				new FamulorApiError(
					'outOfTime',
					'The poll ran out of time while waiting for the Famulor rate limit',
					'Nothing is lost: the next poll continues where this one stopped. If this repeats, poll less often or let fewer workflows share the API key.',
					{ retryAfterMs: ms, retryable: false },
				)
			);
		}
		await this.sleep(ms);
	}

	private backoff(attempt: number): number {
		const base = Math.min(15_000, 500 * 2 ** (attempt - 1));
		return Math.round(base * (0.7 + 0.6 * this.random()));
	}

	private classify(response: TransportResponse, path: string): { body: unknown } | FamulorApiError {
		const { status } = response;
		let body = response.body;
		if (status >= 200 && status < 300) {
			if (typeof body === 'string') {
				try {
					body = JSON.parse(body);
				} catch {
					return new FamulorApiError(
						'malformed',
						`Famulor's response to GET ${path} is not valid JSON`,
						'This is usually a transient fault; the request was retried. If it persists, check that Base URL points at the Famulor API and not at a web page or proxy.',
						{ status, retryable: true },
					);
				}
			}
			if (body === undefined || body === null || body === '') {
				return new FamulorApiError('malformed', `Famulor's response to GET ${path} is empty`, 'Try again later.', {
					status,
					retryable: true,
				});
			}
			return { body };
		}
		if (status >= 300 && status < 400) {
			const location = headerValue(response.headers, 'location') ?? 'another address';
			return new FamulorApiError(
				'badRequest',
				`The Base URL redirects (HTTP ${status}) to ${this.scrub(stripQuery(location))}; the request was not followed, so the API key was not sent there`,
				'Set Base URL in the credential to the final API address (https://app.famulor.de/api).',
				{ status },
			);
		}
		const platform2 = platform2ResponseError(status, body);
		if (platform2) return platform2;
		if (status === 401) {
			return new FamulorApiError(
				'auth',
				'Famulor rejected the API key (HTTP 401): it is wrong or was revoked',
				'Create a new key in the Famulor dashboard under API Keys (https://app.famulor.de/api-keys) and update the Famulor Billing API credential.',
				{ status },
			);
		}
		if (status === 403) {
			return new FamulorApiError(
				'forbidden',
				'Famulor refused access (HTTP 403): the plan or the key does not allow API access',
				'Check that API access is enabled for your Famulor plan and that the key belongs to the right account.',
				{ status },
			);
		}
		if (status === 404) {
			return new FamulorApiError(
				'notFound',
				`Nothing answers at GET ${path} (HTTP 404)`,
				'Check Base URL in the credential: it must be the API root, e.g. https://app.famulor.de/api (no trailing path).',
				{ status },
			);
		}
		if (status === 429) {
			const retryAfterMs = retryAfterOf(response);
			return new FamulorApiError(
				'rateLimited',
				'Famulor rate limit reached (HTTP 429) and retries did not get through',
				'Poll less often, or make fewer workflows share this API key (Famulor allows 100 requests a minute).',
				{ status, retryAfterMs },
			);
		}
		if (status >= 500) {
			return new FamulorApiError(
				'server',
				`Famulor answered GET ${path} with HTTP ${status}`,
				'Famulor had a temporary problem; the request was retried. Try again in a few minutes.',
				{ status },
			);
		}
		const detail = messageOf(body, this.scrub);
		return new FamulorApiError(
			'badRequest',
			`Famulor rejected GET ${path} (HTTP ${status})${detail ? `: ${detail}` : ''}`,
			'Check the node parameters (IDs, dates and filters).',
			{ status },
		);
	}
}

function stripQuery(url: string): string {
	return url.split('?')[0].slice(0, 200);
}

function messageOf(body: unknown, scrub: (text: string) => string): string | undefined {
	if (body && typeof body === 'object') {
		const record = body as Record<string, unknown>;
		const text = record.message ?? record.error;
		if (typeof text === 'string') return scrub(text).slice(0, 200);
	}
	return undefined;
}

function retryAfterOf(response: TransportResponse): number | undefined {
	const body = response.body;
	if (body && typeof body === 'object') {
		const value = (body as Record<string, unknown>).retry_after;
		const seconds = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
		if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
	}
	const header = headerNumber(response.headers, 'retry-after');
	if (header !== undefined && header >= 0) return Math.ceil(header * 1000);
	const dateHeader = headerValue(response.headers, 'retry-after');
	if (dateHeader) {
		const at = Date.parse(dateHeader);
		if (Number.isFinite(at)) return Math.max(0, at - Date.now());
	}
	return undefined;
}

/** The system error code of a failed request, looked up through wrappers (n8n wraps axios errors). */
function errorCode(error: unknown): string {
	let current = error as Record<string, unknown> | undefined;
	for (let depth = 0; current && depth < 5; depth++) {
		if (typeof current.code === 'string' && /^E[A-Z_]+$/.test(current.code)) return current.code;
		current = (current.cause ?? current.error) as Record<string, unknown> | undefined;
	}
	return '';
}

function classifyTransportError(error: unknown): FamulorApiError {
	const record = (error ?? {}) as Record<string, unknown>;
	const code = errorCode(error);
	if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout|timed out/i.test(String(record.message ?? ''))) {
		return new FamulorApiError(
			'timeout',
			'Famulor did not answer in time',
			'Famulor may be slow right now; the request was retried. Try again in a few minutes.',
		);
	}
	if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
		return new FamulorApiError(
			'network',
			'The Base URL host could not be found',
			'Check Base URL in the credential (https://app.famulor.de/api).',
		);
	}
	if (code === 'ECONNREFUSED') {
		return new FamulorApiError(
			'network',
			'Nothing accepts connections at the Base URL',
			'Check Base URL in the credential (https://app.famulor.de/api) and that the host is reachable from n8n.',
		);
	}
	return new FamulorApiError(
		'network',
		`The connection to Famulor failed${code ? ` (${code})` : ''}`,
		'Check the network between n8n and Famulor; the request was retried. Try again in a few minutes.',
	);
}

function parseUrl(text: string): URL | undefined {
	try {
		return new URL(text);
	} catch {
		return undefined;
	}
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\]|::1)$/i;

/** Validates the credential's base URL: https, or http to this machine only. Returns it without a trailing slash. */
export function checkBaseUrl(baseUrl: string): string {
	const trimmed = (baseUrl ?? '').trim().replace(/\/+$/, '');
	const url = parseUrl(trimmed);
	if (!url) {
		throw new FamulorApiError(
			'insecureUrl',
			`Base URL "${trimmed}" is not a URL`,
			'Set Base URL in the credential to https://app.famulor.de/api (with the https:// scheme).',
		);
	}
	if (url.protocol === 'https:') return trimmed;
	if (url.protocol === 'http:' && LOOPBACK.test(url.hostname)) return trimmed;
	throw new FamulorApiError(
		'insecureUrl',
		`Base URL "${url.protocol}//${url.host}" is not https`,
		'Use an https:// address; plain http:// is only accepted for localhost, so the API key never crosses a network unencrypted.',
	);
}
