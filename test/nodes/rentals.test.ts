/**
 * Rented numbers (SPEC §13) through n8n's real engine against the sandbox: the renewal estimate of
 * Phone Number → Get Many, and Phone Number → Audit Rentals.
 *
 * The sandbox's clock stands at Sat 27 Mar 2027 10:00 UTC (11:00 in Berlin, +01:00); Berlin moves to
 * summer time the next day (Sun 28 Mar, 02:00 → 03:00). Besides the seeded account, the test adds
 * numbers bought on the 31st, on 29 February, on a DST-change day and at midnight, an idle one, one
 * used only by inbound calls, a released number and a SIP trunk. The renewal dates written out below
 * were worked out by hand from the calendar; every total is recomputed here from the sandbox's raw
 * numbers and calls (test/helpers/truth.ts), never by calling src/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import { FamulorBilling } from '../../nodes/FamulorBilling/FamulorBilling.node';
import { executeNode, type CredentialData } from '../helpers/engine';
import { costUnits, createdMs, digitsOf, renewalTruth, timestampMs } from '../helpers/truth';
import { Sandbox, type RawPhoneNumber } from '../sandbox/server';

type Json = Record<string, any>;

const NOW = '2027-03-27T10:00:00Z';
const TZ = 'Europe/Berlin';
const DAY = 86_400_000;
const FEES = {
	defaultMonthlyFee: 3.99,
	monthlyFees: {
		fee: [
			{ country: 'DE', fee: 4.5 },
			{ country: 'GB', fee: 2.75 },
		],
	},
};
const FEE_CENTS = new Map([
	['DE', 450n],
	['GB', 275n],
]);
const XSS = '<img src=x onerror=alert(1)> & __proto__';

let sandbox: Sandbox;
let credentials: CredentialData;
const node = new FamulorBilling();
const added = new Map<string, RawPhoneNumber>();

// The numbers of this test, by the name used below.
const EXTRA: Array<[string, Partial<RawPhoneNumber> & { phone_number: string; created_at: string }]> = [
	// Bought on 31 Dec: renews 31 Jan, 28 Feb, 31 Mar. Carries outbound calls.
	['on31st', { phone_number: '+4930555031031', nickname: XSS, created_at: '2026-12-31T15:00:00.000000Z' }],
	// Bought on 29 Feb 2024: renews on the 29th, on 28 Feb in 2025–2027. No calls: idle.
	['leapDay', { phone_number: '+4930555029029', nickname: 'Leap day line', created_at: '2024-02-29T09:00:00.000000Z' }],
	// Bought at 02:30 in the repeated hour of Sun 25 Oct 2026 (Berlin leaves summer time): renews on
	// the 25th. No calls: idle.
	['dstDay', { phone_number: '+442055025025', country_code: 'GB', created_at: '2026-10-25T00:30:00.000000Z' }],
	// Bought 28 Jan: renews on Sun 28 Mar 2027, the day Berlin moves to summer time.
	['renewsOnDst', { phone_number: '+4930555028028', created_at: '2027-01-28T09:00:00.000000Z' }],
	// 30 Nov 23:30 UTC is 1 Dec 00:30 in Berlin: the 1st there, the 30th in UTC.
	['midnight', { phone_number: '+31205550101', country_code: 'NL', created_at: '2026-11-30T23:30:00.000000Z' }],
	// Bought on the 27th: renews today. Naive timestamp (UTC).
	['today', { phone_number: '+12125550027', country_code: 'US', created_at: '2026-12-27 08:00:00' }],
	// Only inbound calls, of several statuses.
	['inbound', { phone_number: '+4930555077077', nickname: 'Inbound only', created_at: '2026-06-15T08:00:00.000000Z' }],
	// Released (no active subscription) and a SIP trunk: not rented, whatever their calls.
	['released', { phone_number: '+4930555066066', has_active_subscription: false, created_at: '2026-03-02T08:00:00Z' }],
	['sip', { phone_number: '+4940555088088', type: 'sip', created_at: '2026-05-05T08:00:00.000000Z' }],
];

const nowMs = Date.parse(NOW);
const iso = (ms: number) => new Date(ms).toISOString();
/** An instant as ISO 8601 with Berlin's offset, to the second. */
const berlin = (ms: number) => DateTime.fromMillis(ms, { zone: TZ }).toISO({ suppressMilliseconds: true });

beforeAll(async () => {
	sandbox = await Sandbox.start({ now: NOW, calls: 1500, days: 45, futureDays: 0 });
	credentials = { apiKey: sandbox.apiKey, baseUrl: sandbox.url, currency: 'EUR', billingCycleDay: 1 };
	for (const [name, fields] of EXTRA) added.set(name, sandbox.addPhoneNumber(fields));
	const call = (minutesAgo: number, phone: string, fields: Record<string, unknown> = {}) =>
		sandbox.addCall({ created_at: iso(nowMs - minutesAgo * 60_000), assistant_phone_number: phone, ...fields });
	// The 31st number: two outbound calls in the window.
	call(60 * 24 * 3 + 10, '+4930555031031', { type: 'outbound', duration: 125, status: 'completed' });
	call(60 * 5, '+4930555031031', { type: 'outbound', duration: 20, status: 'ended_by_customer' });
	// The inbound-only number: answered, unanswered and still running calls (one written with spaces),
	// one a minute inside the window's start, one a minute before it (not counted).
	const inbound = { type: 'inbound', assistant_name: 'Support Bot' };
	call(60 * 24 * 30 - 1, '+4930555077077', { ...inbound, duration: 200, status: 'completed' });
	call(60 * 24 * 30 + 1, '+4930555077077', { ...inbound, duration: 300, status: 'completed' });
	call(60 * 24 * 12, '+49 30 5550 77077', { ...inbound, duration: 0, status: 'no-answer' });
	call(60 * 24 * 2, '+4930555077077', { ...inbound, duration: 47, status: 'failed' });
	call(2, '+4930555077077', { ...inbound, duration: 600 }); // in progress: shown with 0 s and 0 cost
	// The idle numbers' last calls are older than the window.
	call(60 * 24 * 31, '+4930555029029', { type: 'outbound', duration: 90, status: 'completed' });
	// The released number and the SIP trunk carry calls; they are still not rented.
	call(60 * 24 * 4, '+4930555066066', { ...inbound, duration: 80, status: 'completed' });
	call(60 * 24 * 4, '+4940555088088', { ...inbound, duration: 80, status: 'completed' });
});

afterAll(async () => {
	await sandbox.stop();
});

beforeEach(() => {
	sandbox.clock.set(NOW);
	sandbox.resetStats();
});

const run = (parameters: Json, extra: Partial<Parameters<typeof executeNode>[0]> = {}) =>
	executeNode({ node, parameters: parameters as never, credentials, timezone: TZ, ...extra });

async function getAll(options: Json = {}, extra: Partial<Parameters<typeof executeNode>[0]> = {}): Promise<Json[]> {
	const { output, error } = await run({ resource: 'phoneNumber', operation: 'getAll', ...FEES, options }, extra);
	expect(error).toBeUndefined();
	return output![0]!.map((item) => item.json as Json);
}

async function audit(parameters: Json = {}): Promise<Json> {
	const { output, error } = await run({
		resource: 'phoneNumber',
		operation: 'audit',
		...FEES,
		options: {},
		...parameters,
	});
	expect(error).toBeUndefined();
	expect(output![0]!).toHaveLength(1);
	expect(output![0]![0]!.pairedItem).toEqual({ item: 0 });
	return output![0]![0]!.json as Json;
}

const byNumber = (items: Json[], name: string) =>
	items.find((item) => item.phoneNumber === added.get(name)!.phone_number)!;
const renewal = (item: Json) => ({ nextRenewalAt: item.nextRenewalAt, daysToRenewal: item.daysToRenewal });

describe('phoneNumber/getAll: the estimated next renewal of rented numbers', () => {
	it('on 27 Mar 2027 in Berlin: month ends, a leap-day purchase, DST days, midnight, today', async () => {
		const items = await getAll();
		expect(renewal(byNumber(items, 'on31st'))).toEqual({
			nextRenewalAt: '2027-03-31T00:00:00+02:00',
			daysToRenewal: 4,
		});
		// Two calendar days to 29 Mar although only 37 hours, since Sunday is 23 hours long.
		expect(renewal(byNumber(items, 'leapDay'))).toEqual({
			nextRenewalAt: '2027-03-29T00:00:00+02:00',
			daysToRenewal: 2,
		});
		expect(renewal(byNumber(items, 'dstDay'))).toEqual({
			nextRenewalAt: '2027-04-25T00:00:00+02:00',
			daysToRenewal: 29,
		});
		expect(renewal(byNumber(items, 'renewsOnDst'))).toEqual({
			nextRenewalAt: '2027-03-28T00:00:00+01:00',
			daysToRenewal: 1,
		});
		expect(renewal(byNumber(items, 'midnight'))).toEqual({
			nextRenewalAt: '2027-04-01T00:00:00+02:00',
			daysToRenewal: 5,
		});
		expect(renewal(byNumber(items, 'today'))).toEqual({ nextRenewalAt: '2027-03-27T00:00:00+01:00', daysToRenewal: 0 });
		expect(byNumber(items, 'released')).toBeUndefined();
		expect(byNumber(items, 'sip')).toBeUndefined();
		// Every rented number, seeded ones included, agrees with a walk through the calendar.
		const rented = sandbox.phoneNumbers().filter((n) => n.type === 'normal' && n.has_active_subscription);
		expect(items).toHaveLength(rented.length);
		for (const number of rented) {
			const item = items.find((i) => i.id === number.id)!;
			expect(renewal(item)).toEqual(renewalTruth(number.created_at, nowMs, TZ));
		}
	});

	it('clamps the 31st and 29 February to the end of February, in common and leap years', async () => {
		sandbox.clock.set('2027-02-20T10:00:00Z');
		let items = await getAll();
		const endOfFeb2027 = { nextRenewalAt: '2027-02-28T00:00:00+01:00', daysToRenewal: 8 };
		expect(renewal(byNumber(items, 'on31st'))).toEqual(endOfFeb2027);
		expect(renewal(byNumber(items, 'leapDay'))).toEqual(endOfFeb2027);
		sandbox.clock.set('2028-02-20T10:00:00Z');
		items = await getAll();
		const leapDay2028 = { nextRenewalAt: '2028-02-29T00:00:00+01:00', daysToRenewal: 9 };
		expect(renewal(byNumber(items, 'on31st'))).toEqual(leapDay2028);
		expect(renewal(byNumber(items, 'leapDay'))).toEqual(leapDay2028);
		// Autumn: the number bought on the DST day renews on 25 Nov, in winter time again.
		sandbox.clock.set('2027-10-30T12:00:00Z');
		items = await getAll();
		expect(renewal(byNumber(items, 'dstDay'))).toEqual({
			nextRenewalAt: '2027-11-25T00:00:00+01:00',
			daysToRenewal: 26,
		});
	});

	it('counts in the Timezone option, else in the workflow timezone', async () => {
		const utc = await getAll({ timezone: 'UTC' });
		expect(renewal(byNumber(utc, 'midnight'))).toEqual({ nextRenewalAt: '2027-03-30T00:00:00Z', daysToRenewal: 3 });
		// 27 Mar 10:00 UTC is 06:00 in New York (-04:00 since 14 Mar); bought 30 Nov 18:30 there.
		const newYork = await getAll({}, { timezone: 'America/New_York' });
		expect(renewal(byNumber(newYork, 'midnight'))).toEqual({
			nextRenewalAt: '2027-03-30T00:00:00-04:00',
			daysToRenewal: 3,
		});
		expect(renewal(byNumber(newYork, 'on31st'))).toEqual({
			nextRenewalAt: '2027-03-31T00:00:00-04:00',
			daysToRenewal: 4,
		});
	});

	it('is null for numbers that are not rented (released, SIP trunk, caller ID)', async () => {
		const items = await getAll({ rentedOnly: false });
		expect(items).toHaveLength(sandbox.phoneNumbers().length);
		const notRented = items.filter((item) => !item.rented);
		expect(notRented.map((item) => item.type).sort()).toEqual(['caller_id', 'normal', 'normal', 'sip', 'sip']);
		for (const item of notRented) expect(renewal(item)).toEqual({ nextRenewalAt: null, daysToRenewal: null });
	});
});

describe('phoneNumber/audit', () => {
	/** The expected audit, from the sandbox's raw numbers and calls: the window ends at the node's own now. */
	function truth(checkedAt: string, idleDays: number, renewingWithinDays: number) {
		const end = Date.parse(checkedAt);
		const start = end - idleDays * DAY;
		const rented = sandbox.phoneNumbers().filter((n) => n.type === 'normal' && n.has_active_subscription);
		const rows = new Map(
			rented.map((n) => [
				digitsOf(n.phone_number),
				{
					number: n,
					fee: FEE_CENTS.get(n.country_code) ?? 399n,
					renewal: renewalTruth(n.created_at, end, TZ),
					calls: 0,
					billableSeconds: 0,
					cost: 0n,
					last: null as number | null,
				},
			]),
		);
		for (const call of sandbox.visibleCalls()) {
			const at = createdMs(call);
			const row = rows.get(digitsOf(call.assistant_phone_number));
			if (!row || at < start || at >= end) continue;
			const duration = Number(call.duration ?? 0);
			row.calls += 1;
			row.billableSeconds += duration > 0 ? Math.max(30, duration) : 0;
			row.cost += costUnits(call.total_cost);
			row.last = Math.max(row.last ?? at, at);
		}
		const all = [...rows.values()];
		const sum = (list: typeof all) => list.reduce((total, row) => total + row.fee, 0n);
		const idle = all.filter((row) => row.calls === 0);
		const soon = all.filter((row) => row.renewal.daysToRenewal <= renewingWithinDays);
		return { all, idle, soon, sum };
	}

	it('totals and rows equal an independent count of the raw calls in the last 30 × 24 hours', async () => {
		const item = await audit();
		const { all, idle, soon, sum } = truth(item.checkedAt, 30, 7);
		expect(Math.abs(Date.parse(item.checkedAt) - nowMs)).toBeLessThan(60_000);
		expect(item.currency).toBe('EUR');
		expect(item.idleDays).toBe(30);
		expect(item.rentedNumbers).toBe(all.length);
		expect(item.monthlyFees).toBe(Number(sum(all)) / 100);
		expect(item.idleNumbers).toBe(idle.length);
		expect(item.idleMonthlyFees).toBe(Number(sum(idle)) / 100);
		expect(item.renewingSoon).toBe(soon.length);
		expect(item.renewingSoonFees).toBe(Number(sum(soon)) / 100);
		expect(item.numbers).toHaveLength(all.length);
		for (const expected of all) {
			const row = (item.numbers as Json[]).find((r) => r.id === expected.number.id)!;
			expect(row).toMatchObject({
				phoneNumber: expected.number.phone_number,
				rented: true,
				monthlyFee: Number(expected.fee) / 100,
				// The API's timestamp, as every date the node outputs: ISO 8601 with the timezone's offset.
				createdAt: berlin(timestampMs(expected.number.created_at)),
				...expected.renewal,
				callsInWindow: expected.calls,
				costInWindow: Number(expected.cost) / 1e8,
				lastCallAt: expected.last === null ? null : berlin(expected.last),
				idle: expected.calls === 0,
			});
			expect(row.minutesInWindow).toBeCloseTo(expected.billableSeconds / 60, 4);
			expect(Math.round(row.costInWindow * 1e8)).toBe(Number(expected.cost));
		}
		// Soonest renewal first.
		const days = (item.numbers as Json[]).map((row) => row.daysToRenewal);
		expect(days).toEqual([...days].sort((a, b) => a - b));
	});

	it('finds idle numbers, counts inbound calls of any status, leaves out released numbers and SIP trunks', async () => {
		const item = await audit();
		const row = (name: string) => byNumber(item.numbers, name);
		expect(row('leapDay')).toMatchObject({ idle: true, callsInWindow: 0, lastCallAt: null, daysToRenewal: 2 });
		expect(row('dstDay')).toMatchObject({ idle: true, callsInWindow: 0, daysToRenewal: 29 });
		expect(row('renewsOnDst')).toMatchObject({ idle: true, daysToRenewal: 1 });
		expect(row('on31st')).toMatchObject({ idle: false, callsInWindow: 2, minutesInWindow: 2.5833 }); // (125 + 30) s
		// Inbound only: the call a minute inside the window, the unanswered one (by digits), the failed and
		// the running one: 4 calls; billable 200 + 47 s (the running call shows 0 s until it ends).
		expect(row('inbound')).toMatchObject({ idle: false, callsInWindow: 4, minutesInWindow: 4.1167 });
		expect(row('inbound').lastCallAt).toBe(berlin(nowMs - 2 * 60_000));
		expect(row('released')).toBeUndefined();
		expect(row('sip')).toBeUndefined();
		expect(item.numbers.every((r: Json) => r.rented === true && r.type === 'normal')).toBe(true);
	});

	it('one Slack paragraph names the idle numbers renewing soon; the email HTML escapes API names', async () => {
		const item = await audit();
		const { idle, sum } = truth(item.checkedAt, 30, 7);
		const fees = (Number(sum(idle)) / 100).toFixed(2);
		expect(item.text).toMatch(
			new RegExp(
				`^${idle.length} of ${item.rentedNumbers} rented numbers had no calls in 30 days: ${fees} EUR a month\\. `,
			),
		);
		// Idle and renewing within 7 days, soonest first: today's, renewsOnDst, leapDay, midnight (1 Apr).
		expect(item.text).toContain(
			'4 of them renew within 7 days: +12125550027 today (27 Mar), +4930555028028 on 28 Mar, ' +
				'+4930555029029 (Leap day line) on 29 Mar, +31205550101 on 1 Apr.',
		);
		expect(item.text).not.toContain('\n');
		expect(item.html).toMatch(/^<!DOCTYPE html>/);
		expect(item.html).not.toContain(XSS);
		expect(item.html).not.toMatch(/<img/i);
		expect(item.html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; __proto__');
		expect(item.html).toContain('+4930555029029');
		expect(item.html).not.toContain('+4930555066066');
		expect(item.html).not.toContain('+4940555088088');
	});

	it('Options → Language German and Text Format plain: the paragraph and the table in German', async () => {
		const item = await audit({ options: { language: 'de', textFormat: 'plain' } });
		const { idle, sum } = truth(item.checkedAt, 30, 7);
		const fees = (Number(sum(idle)) / 100).toFixed(2).replace('.', ',');
		expect(item.text).toMatch(
			new RegExp(
				`^${idle.length} von ${item.rentedNumbers} gemieteten Rufnummern hatten in den letzten 30 Tagen keine ` +
					`Anrufe: ${fees} € im Monat\\. `,
			),
		);
		expect(item.text).toContain(
			'4 davon verlängern sich innerhalb von 7 Tagen: +12125550027 heute (27.03.), +4930555028028 am 28.03., ' +
				'+4930555029029 (Leap day line) am 29.03., +31205550101 am 01.04.',
		);
		expect(item.html).toMatch(/^<!DOCTYPE html><html lang="de">/);
		expect(item.html).toContain('Gemietete Rufnummern: ungenutzte Leitungen und Verlängerungen');
		const { output, error } = await run({
			resource: 'phoneNumber',
			operation: 'audit',
			...FEES,
			options: { language: 'Deutsch' },
		});
		expect(output).toBeUndefined();
		expect(error?.message).toMatch(/Language "Deutsch" is not supported/);
	});

	it('Idle Days and Renewing Within Days change the window and the look-ahead', async () => {
		const item = await audit({ idleDays: 3, renewingWithinDays: 1 });
		const { idle, soon, sum } = truth(item.checkedAt, 3, 1);
		expect(item.idleDays).toBe(3);
		expect(item.idleNumbers).toBe(idle.length);
		expect(item.idleMonthlyFees).toBe(Number(sum(idle)) / 100);
		expect(item.renewingSoon).toBe(soon.length);
		// Of the 31st number's calls, the one of 3 days and 10 minutes ago is out: still in use.
		expect(byNumber(item.numbers, 'on31st')).toMatchObject({ idle: false, callsInWindow: 1 });
		// The inbound number's calls of the last 3 days: the failed one (2 days ago) and the running one.
		expect(byNumber(item.numbers, 'inbound')).toMatchObject({ callsInWindow: 2 });
		// Renewing within 1 day: today's and tomorrow's (no seeded number renews on these days).
		const soonNumbers = soon.map((row) => row.number.phone_number).sort();
		expect(soonNumbers).toEqual(['+12125550027', '+4930555028028']);
		expect(item.renewingSoonFees).toBe(Number(sum(soon)) / 100);
	});

	it('reads the calls of the window once: as many requests as a usage summary of the same period', async () => {
		const item = await audit();
		const auditRequests = sandbox.stats.byPath['/api/user/calls'];
		const window = {
			start: DateTime.fromMillis(Date.parse(item.checkedAt) - 30 * DAY, { zone: TZ }),
			end: DateTime.fromISO(item.checkedAt, { zone: TZ }),
		};
		sandbox.resetStats();
		const { error } = await run({
			resource: 'usage',
			operation: 'getSummary',
			period: 'custom',
			startDate: window.start.toISO(),
			endDate: window.end.toISO(),
			groupBy: 'none',
			options: {},
		});
		expect(error).toBeUndefined();
		expect(auditRequests).toBeGreaterThan(1);
		expect(auditRequests).toBe(sandbox.stats.byPath['/api/user/calls']);
	});

	it('continueOnFail turns a failure into an error item paired with its input, per item', async () => {
		// Two input items; the second asks for a timezone that does not exist.
		const { output, error } = await run(
			{ resource: 'phoneNumber', operation: 'audit', ...FEES, options: { timezone: '={{ $json.tz }}' } },
			{ continueOnFail: true, inputItems: [{ tz: 'UTC' }, { tz: 'Mars/Olympus' }] },
		);
		expect(error).toBeUndefined();
		const [first, second] = output![0]!;
		expect(first.json.rentedNumbers).toBeGreaterThan(0);
		expect(first.pairedItem).toEqual({ item: 0 });
		expect(second.json.error).toBe('Parameter "options.timezone": Unknown timezone "Mars/Olympus"');
		expect(second.pairedItem).toEqual({ item: 1 });
	});
});

describe('examples/idle-numbers-before-renewal.json', () => {
	const workflow = JSON.parse(
		fs.readFileSync(path.join(__dirname, '../../examples/idle-numbers-before-renewal.json'), 'utf8'),
	) as Json;
	const nodes = workflow.nodes as Json[];
	const byName = new Map(nodes.map((n) => [n.name as string, n]));
	const next = (name: string) => (workflow.connections[name]?.main?.[0] ?? []).map((c: Json) => c.node as string);

	it('is a weekly schedule → Audit Rentals → filter → Slack, with a disabled email alternative', () => {
		expect(typeof workflow.id).toBe('string');
		const trigger = nodes.find((n) => n.type === 'n8n-nodes-base.scheduleTrigger')!;
		expect(trigger.parameters.rule.interval[0]).toMatchObject({ field: 'weeks', triggerAtDay: [1] });
		const [auditName] = next(trigger.name);
		const auditNode = byName.get(auditName)!;
		expect(auditNode).toMatchObject({ type: 'n8n-nodes-famulor-billing.famulorBilling', typeVersion: 1 });
		expect(auditNode.parameters).toMatchObject({ resource: 'phoneNumber', operation: 'audit', renewingWithinDays: 7 });
		expect(auditNode.credentials).toBeUndefined(); // picked on import
		const [filterName] = next(auditName);
		expect(byName.get(filterName)!.type).toBe('n8n-nodes-base.filter');
		const outputs = next(filterName).map((name: string) => byName.get(name)!);
		expect(outputs.map((n: Json) => n.type).sort()).toEqual(['n8n-nodes-base.emailSend', 'n8n-nodes-base.slack']);
		expect(outputs.find((n: Json) => n.type === 'n8n-nodes-base.slack').parameters.text).toContain('{{ $json.text }}');
		const email = outputs.find((n: Json) => n.type === 'n8n-nodes-base.emailSend');
		expect(email).toMatchObject({ disabled: true, parameters: { emailFormat: 'html', html: '={{ $json.html }}' } });
		for (const n of nodes) expect(typeof n.id).toBe('string');
	});

	it('its audit runs against the sandbox; the filter passes only when an idle number renews soon', async () => {
		const auditNode = nodes.find((n) => n.type === 'n8n-nodes-famulor-billing.famulorBilling')!;
		const { output, error } = await run(auditNode.parameters);
		expect(error).toBeUndefined();
		const item = output![0]![0]!.json as Json;
		const filter = nodes.find((n) => n.type === 'n8n-nodes-base.filter')!;
		const expression = (filter.parameters.conditions.conditions[0].leftValue as string).replace(
			/^=\{\{(.*)\}\}$/s,
			'$1',
		);
		// The condition as n8n evaluates it: JavaScript over $json.
		const holds = (json: Json) => new Function('$json', `return (${expression});`)(json) as boolean;
		expect(holds(item)).toBe(true); // the leap-day number among others
		const quiet = { ...item, numbers: (item.numbers as Json[]).map((row) => ({ ...row, idle: false })) };
		expect(holds(quiet)).toBe(false);
		const later = { ...item, numbers: (item.numbers as Json[]).map((row) => ({ ...row, daysToRenewal: 8 })) };
		expect(holds(later)).toBe(false);
	});
});

// A check of the helper itself: the renewal truth walks the calendar, it is not a copy of src/.
it('truth helper: the walk finds 28 Feb for a number bought on 31 Jan', () => {
	expect(renewalTruth('2027-01-31T10:00:00Z', Date.parse('2027-02-01T10:00:00Z'), TZ)).toEqual({
		nextRenewalAt: '2027-02-28T00:00:00+01:00',
		daysToRenewal: 27,
	});
	expect(timestampMs('2026-12-27 08:00:00')).toBe(Date.parse('2026-12-27T08:00:00Z'));
});
