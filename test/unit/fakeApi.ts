/**
 * A minimal in-memory Famulor call list behind the core's Transport interface, for unit tests that
 * need precise control: calls added between two page requests, either sort order, request counting.
 */
import type { Transport, TransportRequest } from '../../src/api/classic/transport';
import { FamulorClient } from '../../src/api/classic/client';

export interface FakeCall {
	id: number;
	created_at: string;
	total_cost: string | number;
	carrier_cost: string | number;
	duration: number;
	status: string;
	assistant_name: string;
	campaign_name: string | null;
	assistant_phone_number: string;
	type: string;
}

/**
 * How a paginator can drift from Laravel's: a per_page cap it reports (`cap-per-page`, 50) or hides
 * (`short-page`, 15 rows while per_page echoes the request), `last_page` always 1, a `total` 150
 * above the rows, or the rows of page 1 whatever page is asked (`ignore-page`).
 */
export type Drift = 'cap-per-page' | 'short-page' | 'lying-last-page' | 'lying-total' | 'ignore-page';

export class FakeApi {
	calls: FakeCall[] = [];
	order: 'desc' | 'asc' = 'desc';
	requests: TransportRequest[] = [];
	/** Runs before each request is answered (e.g. to add calls while pages are read). */
	beforeAnswer?: (requestNumber: number, request: TransportRequest) => void;
	/** Which page's rows answer a request for `page` (a repeated page when it returns another number). */
	rowsOfPage: (page: number, requestNumber: number) => number = (page) => page;
	serverNow = Date.parse('2026-11-26T12:00:00Z');
	/** A paginator that drifts from Laravel's (see Drift). */
	drift: Drift | undefined;
	private nextId = 1;

	add(partial: Partial<FakeCall> & { created_at: string }): FakeCall {
		const call: FakeCall = {
			id: this.nextId++,
			total_cost: '0.10000000',
			carrier_cost: '0.02000000',
			duration: 60,
			status: 'completed',
			assistant_name: 'Sales Assistant',
			campaign_name: null,
			assistant_phone_number: '+4930111111',
			type: 'outbound',
			...partial,
		};
		this.calls.push(call);
		return call;
	}

	transport: Transport = async (request) => {
		this.requests.push(request);
		this.beforeAnswer?.(this.requests.length, request);
		const headers = { date: new Date(this.serverNow).toUTCString() };
		if (request.path === '/user/me')
			return { status: 200, headers, body: { name: 'T', email: 't@x', total_balance: 10 } };
		const one = /^\/user\/calls\/(\d+)$/.exec(request.path);
		if (one) {
			const call = this.calls.find((c) => c.id === Number(one[1]));
			return call ? { status: 200, headers, body: call } : { status: 404, headers, body: { message: 'Not Found' } };
		}
		if (request.path !== '/user/calls') return { status: 404, headers, body: { message: 'Not Found' } };
		const query = request.query ?? {};
		const from = query.date_from ? Date.parse(`${query.date_from}T00:00:00Z`) : -Infinity;
		const to = query.date_to ? Date.parse(`${query.date_to}T00:00:00Z`) + 86_400_000 : Infinity;
		const visible = this.calls
			.filter((c) => Date.parse(c.created_at) >= from && Date.parse(c.created_at) < to)
			.sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at) || a.id - b.id);
		if (this.order === 'desc') visible.reverse();
		const asked = Number(query.per_page ?? 15);
		// A server cap: `cap-per-page` reports it, `short-page` echoes what was asked.
		const perPage =
			this.drift === 'cap-per-page' ? Math.min(asked, 50) : this.drift === 'short-page' ? Math.min(asked, 15) : asked;
		const page = Number(query.page ?? 1);
		const rows = this.drift === 'ignore-page' ? 1 : this.rowsOfPage(page, this.requests.length);
		const data = visible.slice((rows - 1) * perPage, rows * perPage);
		const total = this.drift === 'lying-total' ? visible.length + 150 : visible.length;
		const reportedPerPage = this.drift === 'short-page' ? asked : perPage;
		const lastPage = this.drift === 'lying-last-page' ? 1 : Math.max(1, Math.ceil(total / reportedPerPage));
		return {
			status: 200,
			headers,
			body: {
				current_page: page,
				data,
				per_page: reportedPerPage,
				total,
				last_page: lastPage,
				next_page_url: page < lastPage ? `x?page=${page + 1}` : null,
			},
		};
	};

	client(): FamulorClient {
		return new FamulorClient({
			transport: this.transport,
			sleep: async () => undefined,
			limits: { perMinute: 1e9, perTenSeconds: 1e9 },
		});
	}

	callRequests(): number {
		return this.requests.filter((r) => r.path === '/user/calls').length;
	}
}

/** n calls spread evenly from `start`, `stepMs` apart, with costs that exercise all 8 decimals. */
export function seedCalls(
	api: FakeApi,
	n: number,
	start: number,
	stepMs: number,
	extra: Partial<FakeCall> = {},
): FakeCall[] {
	const added: FakeCall[] = [];
	for (let i = 0; i < n; i++) {
		added.push(
			api.add({
				created_at: new Date(start + i * stepMs).toISOString().replace('.000Z', 'Z'),
				total_cost: `0.${String(10_000_000 + ((i * 7_919) % 89_999_999)).padStart(8, '0')}`,
				carrier_cost: `0.0${String((i * 31) % 9_999_999).padStart(7, '0')}`,
				duration: (i * 37) % 400,
				...extra,
			}),
		);
	}
	return added;
}
