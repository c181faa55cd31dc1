/**
 * The sandbox itself: it must behave like the Famulor Classic API it stands in for, or every
 * test built on it proves nothing. Talks to it over real HTTP with Node's fetch.
 */
import { DateTime } from 'luxon';
import { Sandbox, type RawCall } from './server';

const NOW = '2026-11-26T12:00:00Z';

interface Answer {
	status: number;
	headers: Headers;
	body: any;
}

async function get(sandbox: Sandbox, path: string, key: string | null = sandbox.apiKey): Promise<Answer> {
	const res = await fetch(`${sandbox.url}${path}`, { headers: key === null ? {} : { Authorization: `Bearer ${key}` } });
	const text = await res.text();
	let body: unknown = text;
	try {
		body = JSON.parse(text);
	} catch {
		// non-JSON bodies (502 from the proxy) stay text
	}
	return { status: res.status, headers: res.headers, body };
}

/** Every call of a list query, following pages until last_page. */
async function allPages(sandbox: Sandbox, query: string): Promise<{ calls: RawCall[]; pages: any[] }> {
	const calls: RawCall[] = [];
	const pages: any[] = [];
	for (let page = 1; ; page++) {
		const { status, body } = await get(sandbox, `/user/calls?${query}&page=${page}`);
		expect(status).toBe(200);
		pages.push(body);
		calls.push(...body.data);
		if (page >= body.last_page) return { calls, pages };
	}
}

const ids = (calls: RawCall[]) => calls.map((c) => c.id);
const epoch = (t: string) => Date.parse(t.includes('T') ? t : `${t.replace(' ', 'T')}Z`);

describe('sandbox: Famulor Classic look-alike', () => {
	let sandbox: Sandbox;

	beforeAll(async () => {
		sandbox = await Sandbox.start({ calls: 600, days: 14, futureDays: 2, now: NOW });
	});
	afterAll(async () => {
		await sandbox.stop();
	});
	afterEach(() => {
		sandbox.clock.set(NOW);
		sandbox.setSort('desc');
		sandbox.setRateLimit(false);
		sandbox.clearFaults();
	});

	describe('pagination', () => {
		it('returns a top-level Laravel paginator with the documented keys', async () => {
			const { status, body } = await get(sandbox, '/user/calls');
			expect(status).toBe(200);
			expect(Object.keys(body).sort()).toEqual(
				[
					'current_page',
					'data',
					'first_page_url',
					'from',
					'last_page',
					'last_page_url',
					'links',
					'next_page_url',
					'path',
					'per_page',
					'prev_page_url',
					'to',
					'total',
				].sort(),
			);
			const total = sandbox.visibleCalls().length;
			expect(body).toMatchObject({
				current_page: 1,
				per_page: 15,
				from: 1,
				to: 15,
				total,
				last_page: Math.ceil(total / 15),
				prev_page_url: null,
			});
			expect(body.path).toBe(`${sandbox.url}/user/calls`);
			expect(body.next_page_url).toBe(`${sandbox.url}/user/calls?page=2`);
			expect(body.data).toHaveLength(15);
		});

		it('pages through every visible call once, newest first by default', async () => {
			const { calls, pages } = await allPages(sandbox, 'per_page=100');
			const truth = sandbox.visibleCalls();
			expect(pages[0].total).toBe(truth.length);
			expect(pages[0].last_page).toBe(Math.ceil(truth.length / 100));
			expect(ids(calls)).toEqual(ids(truth));
			expect(new Set(ids(calls)).size).toBe(calls.length);
			for (let k = 1; k < calls.length; k++) {
				const [a, b] = [calls[k - 1], calls[k]];
				expect(epoch(a.created_at) > epoch(b.created_at) || (a.created_at === b.created_at && a.id > b.id)).toBe(true);
			}
			const last = pages[pages.length - 1];
			expect(last.next_page_url).toBeNull();
			expect(last.to).toBe(truth.length);
		});

		it('serves oldest first when the sort is asc', async () => {
			const desc = await allPages(sandbox, 'per_page=100');
			sandbox.setSort('asc');
			const asc = await allPages(sandbox, 'per_page=100');
			expect(ids(asc.calls)).toEqual(ids(desc.calls).reverse());
		});

		it('returns an empty page past the last one, and honours small per_page', async () => {
			const { body } = await get(sandbox, '/user/calls?per_page=7&page=9999');
			expect(body.data).toEqual([]);
			expect(body.from).toBeNull();
			expect(body.to).toBeNull();
			expect(body.current_page).toBe(9999);
			const second = await get(sandbox, '/user/calls?per_page=7&page=2');
			expect(second.body.from).toBe(8);
			expect(ids(second.body.data)).toEqual(ids(sandbox.visibleCalls().slice(7, 14)));
		});

		it('rejects per_page above 100 (or below 1) with a Laravel 422', async () => {
			const tooBig = await get(sandbox, '/user/calls?per_page=101');
			expect(tooBig.status).toBe(422);
			expect(tooBig.body).toEqual({
				message: 'The per page field must not be greater than 100.',
				errors: { per_page: ['The per page field must not be greater than 100.'] },
			});
			expect((await get(sandbox, '/user/calls?per_page=0')).status).toBe(422);
			expect((await get(sandbox, '/user/calls?per_page=abc&type=phone')).body.message).toMatch(/\(and 1 more error\)$/);
		});
	});

	describe('filters', () => {
		it('selects date_from/date_to as whole days in the server timezone (Europe/Berlin)', async () => {
			// 23:30 UTC on the 19th is already the 20th in Berlin; 23:30 UTC on the 20th is the 21st.
			const inside = sandbox.addCall({ created_at: '2026-11-19T23:30:00Z', status: 'completed' });
			const outside = sandbox.addCall({ created_at: '2026-11-20T23:30:00Z', status: 'completed' });
			const { calls } = await allPages(sandbox, 'per_page=100&date_from=2026-11-20&date_to=2026-11-20');
			const berlinDay = (c: RawCall) => DateTime.fromMillis(epoch(c.created_at), { zone: 'Europe/Berlin' }).toISODate();
			const expected = sandbox.visibleCalls().filter((c) => berlinDay(c) === '2026-11-20');
			expect(ids(calls)).toEqual(ids(expected));
			expect(ids(calls)).toContain(inside.id);
			expect(ids(calls)).not.toContain(outside.id);

			const range = await allPages(sandbox, 'per_page=100&date_from=2026-11-18&date_to=2026-11-20');
			const inRange = sandbox
				.visibleCalls()
				.filter((c) => ['2026-11-18', '2026-11-19', '2026-11-20'].includes(berlinDay(c) ?? ''));
			expect(range.pages[0].total).toBe(inRange.length);
			sandbox.deleteCall(inside.id);
			sandbox.deleteCall(outside.id);
		});

		it('uses the configured serverTimezone', async () => {
			const utc = await Sandbox.start({ calls: 200, days: 5, now: NOW, serverTimezone: 'UTC' });
			try {
				const { calls } = await allPages(utc, 'per_page=100&date_from=2026-11-25&date_to=2026-11-25');
				const expected = utc.visibleCalls().filter((c) => c.created_at.startsWith('2026-11-25'));
				expect(ids(calls)).toEqual(ids(expected));
			} finally {
				await utc.stop();
			}
		});

		it('rejects invalid dates and ranges', async () => {
			expect((await get(sandbox, '/user/calls?date_from=yesterday')).status).toBe(422);
			const backwards = await get(sandbox, '/user/calls?date_from=2026-11-20&date_to=2026-11-19');
			expect(backwards.status).toBe(422);
			expect(backwards.body.errors.date_to).toBeDefined();
		});

		it('filters by status, type, assistant_id, campaign_id and client phone_number', async () => {
			const truth = sandbox.visibleCalls();
			const check = async (query: string, keep: (c: RawCall) => boolean) => {
				const { calls } = await allPages(sandbox, `per_page=100&${query}`);
				expect(ids(calls)).toEqual(ids(truth.filter(keep)));
				expect(calls.length).toBeGreaterThan(0);
			};
			await check('status=busy', (c) => c.status === 'busy');
			await check('type=web', (c) => c.type === 'web');
			const support = sandbox.assistants().find((a) => a.name === 'Support Bot')!;
			await check(`assistant_id=${support.id}`, (c) => c.assistant_name === 'Support Bot');
			const q4 = sandbox.campaigns().find((c) => c.name === 'Q4 Lead Follow-up')!;
			await check(`campaign_id=${q4.id}&type=outbound`, (c) => c.campaign_name === q4.name && c.type === 'outbound');
			const phone = truth[3].client_phone_number;
			await check(`phone_number=${encodeURIComponent(phone)}`, (c) => c.client_phone_number === phone);
			// An unencoded "+" arrives as a space, as in PHP: nothing matches.
			expect((await get(sandbox, `/user/calls?phone_number=${phone}`)).body.total).toBe(0);
			expect((await get(sandbox, '/user/calls?assistant_id=999999')).body.total).toBe(0);
		});
	});

	describe('auth and routing', () => {
		it('answers 401 without a key or with a wrong one', async () => {
			for (const key of [null, 'wrong-key']) {
				const { status, body } = await get(sandbox, '/user/me', key);
				expect(status).toBe(401);
				expect(body).toEqual({ error: 'Unauthenticated', message: 'Invalid API key' });
			}
		});

		it('answers 404 for unknown paths and a wrong base URL', async () => {
			expect(await get(sandbox, '/user/nothing-here')).toMatchObject({ status: 404, body: { message: 'Not Found' } });
			const wrongBase = await fetch(sandbox.url.replace(/\/api$/, '/wrong/user/me'), {
				headers: { Authorization: `Bearer ${sandbox.apiKey}` },
			});
			expect(wrongBase.status).toBe(404);
			expect(await wrongBase.json()).toEqual({ message: 'Not Found' });
		});

		it('rejects other methods with 405', async () => {
			const res = await fetch(`${sandbox.url}/user/calls`, {
				method: 'POST',
				headers: { Authorization: `Bearer ${sandbox.apiKey}` },
			});
			expect(res.status).toBe(405);
		});
	});

	describe('account endpoints', () => {
		it('GET /user/me returns name, email and a numeric balance', async () => {
			const { body } = await get(sandbox, '/user/me');
			expect(body).toEqual(sandbox.me());
			expect(typeof body.total_balance).toBe('number');
			sandbox.setBalance(12.5);
			expect((await get(sandbox, '/user/me')).body.total_balance).toBe(12.5);
		});

		it('GET /user/phone-numbers/all lists normal, SIP and caller-ID numbers in several countries', async () => {
			const { body } = await get(sandbox, '/user/phone-numbers/all');
			expect(body.data).toEqual(sandbox.phoneNumbers());
			const types = new Set(body.data.map((n: any) => n.type));
			expect(types).toEqual(new Set(['normal', 'sip', 'caller_id']));
			expect(new Set(body.data.map((n: any) => n.country_code))).toEqual(new Set(['DE', 'NL', 'US', 'GB']));
			expect(body.data.some((n: any) => n.type === 'normal' && !n.has_active_subscription)).toBe(true);
		});

		it('GET /user/assistants/get pages assistants that reference numbers', async () => {
			const { body } = await get(sandbox, '/user/assistants/get?per_page=3');
			expect(body).toMatchObject({ current_page: 1, per_page: 3, total: 4, last_page: 2 });
			const second = await get(sandbox, '/user/assistants/get?per_page=3&page=2');
			const all = [...body.data, ...second.body.data];
			expect(all).toEqual(sandbox.assistants());
			const numberIds = new Set(sandbox.phoneNumbers().map((n) => n.id));
			for (const a of all) expect(numberIds.has(a.phone_number_id)).toBe(true);
		});

		it('GET /user/campaigns returns a bare array', async () => {
			const { body } = await get(sandbox, '/user/campaigns');
			expect(Array.isArray(body)).toBe(true);
			expect(body.map((c: any) => c.name)).toContain('Black Friday Blitz');
		});

		it('GET /user/calls/{id} returns the call unwrapped, 404 when unknown', async () => {
			const call = sandbox.visibleCalls()[10];
			expect((await get(sandbox, `/user/calls/${call.id}`)).body).toEqual(call);
			expect(await get(sandbox, '/user/calls/1')).toMatchObject({ status: 404, body: { message: 'Call not found' } });
		});
	});

	describe('call data', () => {
		it('renders costs as 8-decimal strings with total = platform + carrier', () => {
			const calls = sandbox.allCalls();
			for (const c of calls) {
				expect(c.total_cost).toMatch(/^\d+\.\d{8}$/);
				expect(c.carrier_cost).toMatch(/^\d+\.\d{8}$/);
				expect(Number(c.total_cost)).toBeGreaterThanOrEqual(Number(c.carrier_cost));
				if (c.type === 'web') expect(c.carrier_cost).toBe('0.00000000');
			}
			expect(calls.some((c) => /[1-9]$/.test(c.total_cost))).toBe(true); // 8 significant decimals occur
			expect(calls.some((c) => Array.isArray(c.variables))).toBe(true); // PHP's [] for empty variables
			expect(calls.some((c) => !Array.isArray(c.variables))).toBe(true);
			const statuses = new Set(calls.map((c) => c.status));
			for (const s of ['completed', 'ended_by_customer', 'ended_by_assistant', 'busy', 'no-answer', 'failed'])
				expect(statuses.has(s)).toBe(true);
			for (const c of calls.filter((x) => x.status === 'busy' || x.status === 'no-answer')) expect(c.duration).toBe(0);
		});

		it('has a campaign-driven spike: ~8× a normal busy hour in one hour, 30 h before now', () => {
			const spikeStart = Date.parse(NOW) - 30 * 3_600_000;
			const calls = sandbox.visibleCalls();
			const inHour = (start: number) =>
				calls.filter((c) => epoch(c.created_at) >= start && epoch(c.created_at) < start + 3_600_000);
			const spike = inHour(spikeStart);
			const sameHourBefore = [1, 2, 7].map((d) => inHour(spikeStart - d * 86_400_000).length);
			const baseline = Math.max(1, ...sameHourBefore);
			expect(spike.length).toBeGreaterThan(4 * baseline);
			expect(spike.filter((c) => c.campaign_name === 'Black Friday Blitz').length).toBeGreaterThan(spike.length / 2);
		});

		it('is deterministic per seed', async () => {
			const again = await Sandbox.start({ calls: 600, days: 14, futureDays: 2, now: NOW });
			const other = await Sandbox.start({ calls: 600, days: 14, futureDays: 2, now: NOW, seed: 2 });
			try {
				// (this sandbox's earlier tests added and deleted calls; compare the seeded ones only)
				const fresh = again.allCalls();
				const seeded = sandbox.allCalls().filter((c) => c.id <= fresh[0].id);
				expect(fresh).toEqual(seeded);
				expect(ids(other.allCalls())).not.toEqual(ids(seeded));
			} finally {
				await again.stop();
				await other.stop();
			}
		});

		it('supports naive and mixed timestamp styles', async () => {
			const naive = await Sandbox.start({ calls: 100, days: 3, now: NOW, timestampStyle: 'naive' });
			const mixed = await Sandbox.start({ calls: 100, days: 3, now: NOW, timestampStyle: 'mixed' });
			try {
				const naiveCall = (await get(naive, '/user/calls')).body.data[0];
				expect(naiveCall.created_at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
				const styles = new Set(mixed.visibleCalls().map((c) => (c.created_at.endsWith('Z') ? 'iso' : 'naive')));
				expect(styles).toEqual(new Set(['iso', 'naive']));
			} finally {
				await naive.stop();
				await mixed.stop();
			}
		});
	});

	describe('clock and lifecycle', () => {
		it('shows only calls created up to the clock, revealing future ones as it advances', async () => {
			const before = (await get(sandbox, '/user/calls?per_page=1')).body.total;
			const future = sandbox.allCalls().filter((c) => epoch(c.created_at) > Date.parse(NOW));
			expect(future.length).toBeGreaterThan(0);
			const next = future[future.length - 1]; // desc order: the last is the earliest
			expect((await get(sandbox, `/user/calls/${next.id}`)).status).toBe(404);
			sandbox.clock.set(new Date(epoch(next.created_at)));
			expect((await get(sandbox, `/user/calls/${next.id}`)).status).toBe(200);
			sandbox.clock.advance(2 * 86_400_000);
			const after = (await get(sandbox, '/user/calls?per_page=1')).body.total;
			expect(after).toBe(before + future.length);
		});

		it('starts with unsettled calls', () => {
			expect(sandbox.visibleCalls().some((c) => c.status === 'in-progress')).toBe(true);
		});

		it('keeps a call in progress (zero cost) until created_at + duration + settle lag', async () => {
			const created = Date.parse(NOW) + 1000;
			const added = sandbox.addCall({ created_at: new Date(created).toISOString(), duration: 120 });
			expect(added.status).toBe('completed');
			expect(Number(added.total_cost)).toBeGreaterThan(0);

			sandbox.clock.set(new Date(created + 179_000));
			const running = (await get(sandbox, `/user/calls/${added.id}`)).body;
			expect(running).toMatchObject({
				status: 'in-progress',
				duration: 0,
				total_cost: '0.00000000',
				carrier_cost: '0.00000000',
			});
			expect(
				(await get(sandbox, '/user/calls?status=in-progress&per_page=100')).body.data.map((c: RawCall) => c.id),
			).toContain(added.id);

			sandbox.clock.set(new Date(created + 180_000));
			const settled = (await get(sandbox, `/user/calls/${added.id}`)).body;
			expect(settled).toEqual(added);
			expect(settled.updated_at).toBe(new Date(created + 180_000).toISOString().replace('.000Z', 'Z'));
			sandbox.deleteCall(added.id);
		});

		it('lets tests add, pin, update and delete calls', async () => {
			const pinned = sandbox.addCall({
				created_at: '2026-11-26T11:59:00Z',
				status: 'in-progress',
				total_cost: '0.00000000',
				duration: 0,
			});
			expect((await get(sandbox, `/user/calls/${pinned.id}`)).body.status).toBe('in-progress');
			sandbox.updateCall(pinned.id, {
				status: 'completed',
				duration: 95,
				total_cost: '0.23456789',
				carrier_cost: '0.03000000',
			});
			const updated = (await get(sandbox, `/user/calls/${pinned.id}`)).body;
			expect(updated).toMatchObject({
				status: 'completed',
				duration: 95,
				total_cost: '0.23456789',
				updated_at: '2026-11-26T12:00:00Z',
			});
			sandbox.deleteCall(pinned.id);
			expect((await get(sandbox, `/user/calls/${pinned.id}`)).status).toBe(404);

			const batch = sandbox.addCalls(20, {
				from: '2026-11-26T09:00:00Z',
				to: '2026-11-26T10:00:00Z',
				campaign: 'Black Friday Blitz',
			});
			expect(batch).toHaveLength(20);
			expect(new Set(batch.map((c) => c.campaign_name))).toEqual(new Set(['Black Friday Blitz']));
			expect(Math.min(...ids(batch))).toBeGreaterThan(pinned.id);
			const visible = new Set(ids(sandbox.visibleCalls()));
			for (const c of batch) expect(visible.has(c.id)).toBe(true);
			for (const c of batch) sandbox.deleteCall(c.id);
		});

		it('drains the balance as calls settle when drainBalance is on', async () => {
			const live = await Sandbox.start({ calls: 300, days: 3, now: NOW, balance: 100, drainBalance: true });
			try {
				expect(live.me().total_balance).toBe(100);
				live.clock.advance(6 * 3_600_000);
				const settledSince = live
					.allCalls()
					.filter(
						(c) => epoch(c.updated_at) > Date.parse(NOW) && epoch(c.updated_at) <= Date.parse(NOW) + 6 * 3_600_000,
					);
				const spent = settledSince.reduce((sum, c) => sum + Math.round(Number(c.total_cost) * 1e8), 0);
				expect((await get(live, '/user/me')).body.total_balance).toBe((100e8 - spent) / 1e8);
			} finally {
				await live.stop();
			}
		});
	});

	describe('rate limiting', () => {
		it('sends rate-limit headers even when limiting is off', async () => {
			const { headers } = await get(sandbox, '/user/me');
			expect(headers.get('x-ratelimit-limit')).toBe('1000000');
			expect(Number(headers.get('x-ratelimit-remaining'))).toBeGreaterThan(0);
			expect(Number(headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000 - 1);
		});

		it('answers 429 with retry_after and Retry-After after a burst of 20 in 10 s', async () => {
			sandbox.setRateLimit({ perMinute: 100, perTenSeconds: 20 });
			sandbox.resetStats();
			const answers: Answer[] = [];
			for (let k = 0; k < 24; k++) answers.push(await get(sandbox, '/user/me'));
			expect(answers.slice(0, 20).every((a) => a.status === 200)).toBe(true);
			expect(answers.map((a) => Number(a.headers.get('x-ratelimit-remaining'))).slice(0, 3)).toEqual([19, 18, 17]);
			const limited = answers[20];
			expect(limited.status).toBe(429);
			expect(limited.body).toMatchObject({
				error: 'Rate limit exceeded',
				message: 'Too many requests. Please retry later.',
			});
			expect(limited.body.retry_after).toBeGreaterThanOrEqual(1);
			expect(limited.body.retry_after).toBeLessThanOrEqual(10);
			expect(limited.headers.get('retry-after')).toBe(String(limited.body.retry_after));
			expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
			expect(sandbox.stats.status429).toBe(4);
		});

		it('limits per minute too', async () => {
			sandbox.setRateLimit({ perMinute: 5, perTenSeconds: 20 });
			const statuses: number[] = [];
			for (let k = 0; k < 6; k++) statuses.push((await get(sandbox, '/user/me')).status);
			expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
		});
	});

	describe('fault injection', () => {
		it('429 variants carry retry_after in the body, the header, or neither', async () => {
			sandbox.injectFaults([{ kind: '429', delayMs: 3000 }, { kind: '429-header' }, { kind: '429-bare' }]);
			const body = await get(sandbox, '/user/me');
			expect(body.status).toBe(429);
			expect(body.body.retry_after).toBe(3);
			expect(body.headers.get('retry-after')).toBeNull();
			const header = await get(sandbox, '/user/me');
			expect(header.body.retry_after).toBeUndefined();
			expect(header.headers.get('retry-after')).toBe('1');
			const bare = await get(sandbox, '/user/me');
			expect(bare.status).toBe(429);
			expect(bare.body.retry_after).toBeUndefined();
			expect(bare.headers.get('retry-after')).toBeNull();
			expect((await get(sandbox, '/user/me')).status).toBe(200);
		});

		it('5xx faults answer 500, 502 (an HTML proxy page) and 503', async () => {
			sandbox.injectFaults([{ kind: '500' }, { kind: '502' }, { kind: '503' }]);
			expect((await get(sandbox, '/user/me')).status).toBe(500);
			const proxy = await get(sandbox, '/user/me');
			expect(proxy.status).toBe(502);
			expect(proxy.headers.get('content-type')).toBe('text/html');
			expect((await get(sandbox, '/user/me')).status).toBe(503);
		});

		it('drop closes the connection without an answer', async () => {
			sandbox.injectFaults([{ kind: 'drop' }]);
			await expect(get(sandbox, '/user/me')).rejects.toThrow();
			expect((await get(sandbox, '/user/me')).status).toBe(200);
		});

		it('slow delays the answer', async () => {
			sandbox.injectFaults([{ kind: 'slow', delayMs: 300 }]);
			const started = Date.now();
			expect((await get(sandbox, '/user/me')).status).toBe(200);
			expect(Date.now() - started).toBeGreaterThanOrEqual(290);
		});

		it('truncated sends half the body, then closes', async () => {
			sandbox.injectFaults([{ kind: 'truncated', path: '/user/calls' }]);
			const res = await fetch(`${sandbox.url}/user/calls?per_page=50`, {
				headers: { Authorization: `Bearer ${sandbox.apiKey}` },
			});
			expect(res.status).toBe(200);
			await expect(res.text()).rejects.toThrow();
		});

		it('malformed sends broken JSON with status 200', async () => {
			sandbox.injectFaults([{ kind: 'malformed' }]);
			const res = await fetch(`${sandbox.url}/user/calls`, { headers: { Authorization: `Bearer ${sandbox.apiKey}` } });
			expect(res.status).toBe(200);
			await expect(res.json()).rejects.toThrow();
		});

		it('drift-number-cost and drift-naive-time change the types of one answer', async () => {
			sandbox.injectFaults([{ kind: 'drift-number-cost' }, { kind: 'drift-naive-time' }]);
			const numbers = (await get(sandbox, '/user/calls?per_page=100')).body.data;
			expect(numbers.every((c: any) => typeof c.total_cost === 'number' && typeof c.carrier_cost === 'number')).toBe(
				true,
			);
			const naive = (await get(sandbox, '/user/calls')).body.data;
			expect(naive.every((c: any) => /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(c.created_at))).toBe(true);
			const normal = (await get(sandbox, '/user/calls')).body.data[0];
			expect(typeof normal.total_cost).toBe('string');
			expect(normal.created_at).toMatch(/Z$/);
		});

		it('duplicate-page repeats the previous page', async () => {
			sandbox.injectFaults([{ kind: 'duplicate-page', path: 'page=2' }]);
			const first = (await get(sandbox, '/user/calls?per_page=10&page=1')).body;
			const second = (await get(sandbox, '/user/calls?per_page=10&page=2')).body;
			expect(second.current_page).toBe(2);
			expect(ids(second.data)).toEqual(ids(first.data));
		});

		it('matches faults by path and counts them down', async () => {
			sandbox.injectFaults([{ kind: '503', path: '/user/campaigns', count: 2 }]);
			expect((await get(sandbox, '/user/me')).status).toBe(200);
			expect((await get(sandbox, '/user/campaigns')).status).toBe(503);
			expect((await get(sandbox, '/user/campaigns')).status).toBe(503);
			expect((await get(sandbox, '/user/campaigns')).status).toBe(200);
		});
	});

	describe('request accounting', () => {
		it('counts requests, bytes and paths, and logs the Authorization header', async () => {
			sandbox.resetStats();
			await get(sandbox, '/user/me');
			await get(sandbox, '/user/calls?per_page=5');
			await get(sandbox, '/user/calls?per_page=5&page=2');
			expect(sandbox.stats.requests).toBe(3);
			expect(sandbox.stats.byPath).toEqual({ '/api/user/me': 1, '/api/user/calls': 2 });
			expect(sandbox.stats.bytes).toBe(sandbox.requestLog.reduce((sum, e) => sum + e.bytes, 0));
			expect(sandbox.requestLog[2]).toMatchObject({
				method: 'GET',
				path: '/api/user/calls',
				query: { per_page: '5', page: '2' },
				status: 200,
				authorization: `Bearer ${sandbox.apiKey}`,
			});
		});
	});
});

describe('sandbox at scale', () => {
	it('generates 1,000,000 calls and serves pages from them', async () => {
		const started = performance.now();
		const big = await Sandbox.start({ calls: 1_000_000 });
		const generatedMs = Math.round(performance.now() - started);
		try {
			const first = await get(big, '/user/calls?per_page=100');
			const deep = await get(big, `/user/calls?per_page=100&page=${first.body.last_page}`);
			const filteredStarted = performance.now();
			const filtered = await get(
				big,
				'/user/calls?per_page=100&status=completed&type=outbound&date_from=2026-11-01&date_to=2026-11-07',
			);
			const filteredMs = Math.round(performance.now() - filteredStarted);
			console.log(
				`sandbox: 1,000,000 calls generated in ${generatedMs} ms (${first.body.total} visible, heap ` +
					`${Math.round(process.memoryUsage().heapUsed / 1e6)} MB); ` +
					`filtered query ${filteredMs} ms`,
			);
			expect(first.body.total).toBeGreaterThan(990_000);
			expect(first.body.total).toBeLessThan(1_010_000);
			expect(deep.body.data.length).toBeGreaterThan(0);
			expect(filtered.body.total).toBeGreaterThan(0);
		} finally {
			await big.stop();
		}
	});
});

describe('sandbox: numbers added by a test', () => {
	let sandbox: Sandbox;
	let seeded: ReturnType<Sandbox['phoneNumbers']>;

	beforeAll(async () => {
		sandbox = await Sandbox.start({ calls: 50, days: 5, futureDays: 0, now: NOW });
		seeded = sandbox.phoneNumbers();
	});
	afterAll(async () => {
		await sandbox.stop();
	});

	it('serves the number after the seeded ones, with defaults for the fields not given', async () => {
		const added = sandbox.addPhoneNumber({ phone_number: '+4930555099001', created_at: '2026-01-31T10:00:00.000000Z' });
		expect(added).toEqual({
			id: Math.max(...seeded.map((n) => n.id)) + 1,
			phone_number: '+4930555099001',
			nickname: null,
			country_code: 'DE',
			type: 'normal',
			type_label: 'Dedicated Number',
			sms_capable: true,
			region: 'eu1',
			has_active_subscription: true,
			created_at: '2026-01-31T10:00:00.000000Z',
		});
		const { body } = await get(sandbox, '/user/phone-numbers/all');
		expect(body.data).toEqual([...seeded, added]);
		expect(() => sandbox.addPhoneNumber({ phone_number: '+4930555099001', created_at: NOW })).toThrow(/already/);
		const french = { phone_number: '+33155509900', country_code: 'FR', created_at: NOW };
		expect(() => sandbox.addPhoneNumber(french)).toThrow(/carrier rate/);
	});

	it('puts calls through an added number: carrier cost at its country rate, none for a SIP trunk', async () => {
		sandbox.addPhoneNumber({ phone_number: '+442055099002', country_code: 'GB', created_at: NOW });
		sandbox.addPhoneNumber({ phone_number: '+4940555099003', type: 'sip', created_at: NOW });
		const call = (created_at: string, assistant_phone_number: string) =>
			sandbox.addCall({ created_at, assistant_phone_number, type: 'inbound', duration: 61, status: 'completed' });
		const uk = call('2026-11-26T10:00:00Z', '+442055099002');
		const sip = call('2026-11-26T10:05:00Z', '+4940555099003');
		// Two started minutes at GB's 0.0119.
		expect(uk).toMatchObject({ assistant_phone_number: '+442055099002', type: 'inbound', carrier_cost: '0.02380000' });
		expect(sip).toMatchObject({ assistant_phone_number: '+4940555099003', carrier_cost: '0.00000000' });
		const { body } = await get(sandbox, `/user/calls/${uk.id}`);
		expect(body).toEqual(uk);
	});
});

describe('sandbox: what a real call list can do (SPEC §15, off by default)', () => {
	const burst = (sandbox: Sandbox, n: number, at: string) => {
		for (let k = 0; k < n; k++) sandbox.addCall({ created_at: at, status: 'completed', duration: 30 });
	};

	it('shuffleTies: calls of one second in a new order on every answer, the same calls in it', async () => {
		const sandbox = await Sandbox.start({ now: NOW, calls: 200, days: 2, futureDays: 0, shuffleTies: true });
		try {
			burst(sandbox, 12, NOW);
			const orders = new Set<string>();
			for (let k = 0; k < 8; k++) {
				const { body } = await get(sandbox, '/user/calls?per_page=12&page=1');
				const ids = (body.data as RawCall[]).map((call) => call.id);
				expect([...ids].sort((a, b) => a - b)).toEqual(
					(await allPages(sandbox, 'per_page=100')).calls
						.filter((call) => call.created_at === NOW)
						.map((call) => call.id)
						.sort((a, b) => a - b),
				);
				orders.add(ids.join(','));
			}
			expect(orders.size).toBeGreaterThan(1);
			// A page boundary through the second shows some of its calls on each page, a new choice every time.
			const splits = new Set<string>();
			for (let k = 0; k < 8; k++) {
				const { body } = await get(sandbox, '/user/calls?per_page=6&page=1');
				splits.add(
					(body.data as RawCall[])
						.map((call) => call.id)
						.sort((a, b) => a - b)
						.join(','),
				);
			}
			expect(splits.size).toBeGreaterThan(1);
		} finally {
			await sandbox.stop();
		}
	});

	it('calls listed late: absent from the list until their listing time, then at their created_at place', async () => {
		const sandbox = await Sandbox.start({ now: NOW, calls: 200, days: 2, futureDays: 0 });
		try {
			const late = sandbox.addCall(
				{ created_at: '2026-11-26T11:00:00Z', status: 'completed', duration: 30 },
				{ listedAfterSeconds: 3600 + 300 },
			);
			const ids = async () => (await allPages(sandbox, 'per_page=100')).calls.map((call) => call.id);
			expect(await ids()).not.toContain(late.id);
			sandbox.clock.advance(10 * 60_000);
			const listed = (await allPages(sandbox, 'per_page=100')).calls;
			const at = listed.findIndex((call) => call.id === late.id);
			expect(at).toBeGreaterThan(0);
			// Newest first: every call before it is newer, every call after it older.
			expect(listed.slice(0, at).every((call) => call.created_at >= late.created_at)).toBe(true);
			expect(listed.slice(at + 1).every((call) => call.created_at <= late.created_at)).toBe(true);
		} finally {
			await sandbox.stop();
		}
	});

	it('lateListing: a share of the calls appears minutes to hours late', async () => {
		const share = 0.2;
		const sandbox = await Sandbox.start({
			now: NOW,
			calls: 600,
			days: 2,
			futureDays: 0,
			lateListing: { share, minSeconds: 120, maxSeconds: 3 * 3600 },
		});
		try {
			const count = async () => (await allPages(sandbox, 'per_page=100')).calls.length;
			const before = await count();
			sandbox.clock.advance(4 * 3600_000);
			const after = await count();
			expect(after).toBeGreaterThan(before);
		} finally {
			await sandbox.stop();
		}
	});

	it('duplicate-row, flip-order, tiny-cap and ignore-per-page faults', async () => {
		const sandbox = await Sandbox.start({ now: NOW, calls: 300, days: 2, futureDays: 0 });
		try {
			const page = async () => (await get(sandbox, '/user/calls?per_page=20&page=2')).body;
			const honest = await page();
			sandbox.injectFaults([{ kind: 'duplicate-row', path: '/user/calls' }]);
			const duplicated = await page();
			expect(duplicated.data[1].id).toBe(duplicated.data[0].id);
			expect(duplicated.data[0].id).toBe(honest.data[0].id);
			sandbox.injectFaults([{ kind: 'flip-order', path: '/user/calls' }]);
			const flipped = await page();
			expect(flipped.data[0].created_at <= flipped.data[19].created_at).toBe(true);
			expect(honest.data[0].created_at >= honest.data[19].created_at).toBe(true);
			sandbox.injectFaults([{ kind: 'tiny-cap', path: '/user/calls', cap: 3 }]);
			const capped = await page();
			expect([capped.per_page, capped.data.length, capped.current_page]).toEqual([3, 3, 2]);
			const threeAPage = (await get(sandbox, '/user/calls?per_page=3&page=2')).body;
			expect(capped.data.map((call: RawCall) => call.id)).toEqual(threeAPage.data.map((call: RawCall) => call.id));
			sandbox.injectFaults([{ kind: 'ignore-per-page', path: '/user/calls' }]);
			const ignored = await page();
			expect([ignored.per_page, ignored.data.length]).toEqual([15, 15]);
		} finally {
			await sandbox.stop();
		}
	});
});
