/**
 * Famulor Classic API client over an injected transport. The nodes inject n8n's
 * `httpRequestWithAuthentication`; tests and benchmarks inject a plain HTTP transport. The client
 * owns everything between "I want page 3 of the calls" and typed data: pacing, retries with
 * backoff and jitter and deadlines (requests.ts), schema validation, and the core's ports
 * (src/api/port.ts, src/api/account.ts) over the Classic endpoints. What each answer means (the body,
 * or which typed error) is decided in errors.ts; the wire's types are in transport.ts.
 */
import { FamulorApiError, incomplete, settled } from '../../errors';
import { ClassicRequests } from './requests';
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
import type { CallQuery as PortQuery, CallRow, CallSlice, CallSource, SliceRequest } from '../port';
import { MAX_SLICE } from '../port';
import type {
	Account,
	AccountSource,
	Assistant,
	AssistantSource,
	Campaign,
	CampaignSource,
	NumberSource,
	PhoneNumber,
} from '../account';
import { toAccount, toAssistant, toCampaign, toPhoneNumber } from './account';
import { PAGE_SIZE, type CallQuery, type CallsPage } from './transport';
import type { z } from 'zod';

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

export class FamulorClient
	extends ClassicRequests
	implements CallSource, NumberSource, AssistantSource, CampaignSource, AccountSource
{
	/**
	 * The largest page this server served so far: 100, or a smaller `per_page` cap it reported (this
	 * client's life only).
	 */
	private sliceCap = MAX_SLICE;

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

	/** The ports of src/api/account.ts: the same endpoints, as the core's shapes. */
	async phoneNumbers(): Promise<PhoneNumber[]> {
		return (await this.getPhoneNumbers()).map(toPhoneNumber);
	}

	async assistants(): Promise<Assistant[]> {
		return (await this.getAssistants()).map(toAssistant);
	}

	async campaigns(): Promise<Campaign[]> {
		return (await this.getCampaigns()).map(toCampaign);
	}

	async account(): Promise<Account> {
		return toAccount(await this.getMe());
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
}
