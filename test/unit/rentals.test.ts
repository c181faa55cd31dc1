/**
 * The rental audit, core only, over the in-memory API (test/unit/fakeApi.ts). Now is Thu 26 Nov 2026
 * 12:00 UTC (13:00 in Berlin, +01:00); the 30-day window starts 27 Oct 2026 12:00 UTC. Expected totals,
 * renewal days and texts are worked out by hand in the comments.
 */
import { InvalidParameterError } from '../../src/errors';
import { parseMoney } from '../../src/money';
import type { PhoneNumberInfo } from '../../src/numbers';
import {
	assertIdleDays,
	assertRenewingWithinDays,
	auditRentals,
	auditWindow,
	phoneDigits,
	RentalAudit,
	type RentalAuditInput,
} from '../../src/rentals';
import { FakeApi } from './fakeApi';

const TZ = 'Europe/Berlin';
const NOW = Date.parse('2026-11-26T12:00:00Z');
const XSS = '<@channel> & <img src=x onerror=alert(1)>';

function number(fields: Partial<PhoneNumberInfo> & { id: number; phoneNumber: string }): PhoneNumberInfo {
	return {
		nickname: null,
		countryCode: 'DE',
		type: 'normal',
		rented: true,
		monthlyFee: parseMoney('3.99'),
		assistants: [],
		createdAt: '2026-01-15T10:00:00.000000Z',
		...fields,
	};
}

// Renewal days from Thu 26 Nov 2026 in Berlin: A on the 28th (2 days), B on the 30th (4), C on
// 10 Dec (14), F on the 27th (1). D is a SIP trunk and E a released number: neither is rented.
const A = number({
	id: 1,
	phoneNumber: '+4930111111',
	nickname: 'Sales line',
	monthlyFee: parseMoney('4.50'),
	createdAt: '2026-10-28T10:00:00.000000Z',
});
const B = number({ id: 2, phoneNumber: '+4930222222', nickname: XSS, createdAt: '2026-08-30T09:00:00.000000Z' });
const C = number({
	id: 3,
	phoneNumber: '+442033333333',
	countryCode: 'GB',
	monthlyFee: parseMoney('2.75'),
	createdAt: '2026-07-10T09:00:00Z',
});
const F = number({
	id: 4,
	phoneNumber: '+12125550404',
	nickname: '__proto__',
	countryCode: 'US',
	createdAt: '2026-01-27 09:00:00',
});
const D = number({ id: 5, phoneNumber: '+4940555555', type: 'sip', rented: false, monthlyFee: 0 });
const E = number({ id: 6, phoneNumber: '+31105550606', countryCode: 'NL', rented: false });

function input(numbers: PhoneNumberInfo[], extra: Partial<RentalAuditInput> = {}): RentalAuditInput {
	return { numbers, nowMs: NOW, timezone: TZ, idleDays: 30, renewingWithinDays: 7, currency: 'EUR', ...extra };
}

function seeded(): FakeApi {
	const api = new FakeApi();
	const call = (created_at: string, phone: string | null, fields: Record<string, unknown> = {}) =>
		api.add({ created_at, assistant_phone_number: phone as string, ...fields });
	// A: three calls in the window, one of them written with spaces and a dash, one at its first instant.
	call('2026-11-20T08:00:00Z', '+4930111111', { total_cost: '0.12345678', duration: 10 }); // bills 30 s
	call('2026-11-25T09:30:00Z', '+49 30 111-111', {
		total_cost: '1.10000000',
		duration: 95,
		status: 'ended_by_customer',
		type: 'inbound',
	});
	call('2026-10-27T12:00:00Z', '+4930111111', { total_cost: '0.00000001', duration: 0, status: 'failed' });
	// A: just before the window, and after now: not counted.
	call('2026-10-27T11:59:59Z', '+4930111111', { total_cost: '5.00000000', duration: 300 });
	call('2026-11-26T12:00:01Z', '+4930111111', { total_cost: '7.00000000', duration: 300 });
	// B: its only call is older than the window, so B is idle.
	call('2026-10-20T10:00:00Z', '+4930222222', { total_cost: '0.40000000' });
	// F: unanswered and still ringing calls count as calls (no minutes).
	call('2026-11-26T11:00:00Z', '+12125550404', { total_cost: '0.01000000', duration: 0, status: 'no-answer' });
	call('2026-11-26T11:58:00Z', '+12125550404', { total_cost: '0.00000000', duration: 0, status: 'ringing' });
	// The SIP trunk, the released number, a web call without a number, a number named like a prototype key.
	call('2026-11-20T10:00:00Z', '+4940555555', { total_cost: '0.50000000' });
	call('2026-11-21T10:00:00Z', '+31105550606', { total_cost: '0.60000000' });
	call('2026-11-22T10:00:00Z', null, { total_cost: '0.70000000', type: 'web' });
	call('2026-11-23T10:00:00Z', '__proto__', { total_cost: '0.80000000' });
	return api;
}

describe('auditRentals', () => {
	it("totals rented, idle and soon-renewing numbers, with each number's calls of the window", async () => {
		const api = seeded();
		const item = await auditRentals(api.client(), input([A, B, C, D, E, F]));
		// Dates are ISO 8601 with the offset of the timezone (Berlin, +01:00 in November).
		expect(item.checkedAt).toBe('2026-11-26T13:00:00+01:00');
		expect(item.currency).toBe('EUR');
		expect(item.idleDays).toBe(30);
		// Rented: A, B, C, F = 4.50 + 3.99 + 2.75 + 3.99 = 15.23. Idle: B, C = 6.74. Soon: F, A, B = 12.48.
		expect(item.rentedNumbers).toBe(4);
		expect(item.monthlyFees).toBe(15.23);
		expect(item.idleNumbers).toBe(2);
		expect(item.idleMonthlyFees).toBe(6.74);
		expect(item.renewingSoon).toBe(3);
		expect(item.renewingSoonFees).toBe(12.48);
		// Soonest renewal first.
		expect(item.numbers.map((row) => row.id)).toEqual([4, 1, 2, 3]);
		const [f, a, b, c] = item.numbers;
		// A: 0.12345678 + 1.10000000 + 0.00000001; billable 30 s + 95 s + 0 s = 125 s = 2.0833 min.
		expect(a).toMatchObject({
			phoneNumber: '+4930111111',
			nickname: 'Sales line',
			rented: true,
			monthlyFee: 4.5,
			currency: 'EUR',
			nextRenewalAt: '2026-11-28T00:00:00+01:00',
			daysToRenewal: 2,
			callsInWindow: 3,
			minutesInWindow: 2.0833,
			costInWindow: 1.22345679,
			lastCallAt: '2026-11-25T10:30:00+01:00',
			idle: false,
		});
		expect(b).toMatchObject({
			nextRenewalAt: '2026-11-30T00:00:00+01:00',
			daysToRenewal: 4,
			callsInWindow: 0,
			idle: true,
		});
		expect(b).toMatchObject({ minutesInWindow: 0, costInWindow: 0, lastCallAt: null });
		expect(c).toMatchObject({
			nextRenewalAt: '2026-12-10T00:00:00+01:00',
			daysToRenewal: 14,
			callsInWindow: 0,
			idle: true,
		});
		expect(f).toMatchObject({
			nickname: '__proto__',
			daysToRenewal: 1,
			callsInWindow: 2,
			minutesInWindow: 0,
			costInWindow: 0.01,
		});
		expect(f?.lastCallAt).toBe('2026-11-26T12:58:00+01:00');
		// Every row carries the fields of Get Many.
		for (const row of item.numbers) {
			for (const key of ['id', 'phoneNumber', 'countryCode', 'type', 'assistants', 'createdAt', 'monthlyFee']) {
				expect(row).toHaveProperty(key);
			}
		}
	});

	it('reads the calls of the window once, a day wider on each side like every period', async () => {
		const api = seeded();
		await auditRentals(api.client(), input([A, B]));
		const requests = api.requests.filter((request) => request.path === '/user/calls');
		expect(requests).toHaveLength(1);
		expect(requests[0]?.query).toMatchObject({
			date_from: '2026-10-26',
			date_to: '2026-11-27',
			per_page: 100,
			page: 1,
		});
		expect(api.requests.map((request) => request.path)).toEqual(['/user/calls']);
	});

	it('sends no request for calls when no number is rented', async () => {
		const api = seeded();
		const item = await auditRentals(api.client(), input([D, E]));
		expect(api.requests).toHaveLength(0);
		expect(item).toMatchObject({ rentedNumbers: 0, monthlyFees: 0, idleNumbers: 0, renewingSoon: 0, numbers: [] });
		expect(item.text).toBe('No rented numbers, so no monthly number fees.');
	});
});

describe('text and html', () => {
	it('one Slack paragraph: the idle numbers, their fees, and which of them renew soon; names escaped', async () => {
		const item = await auditRentals(seeded().client(), input([A, B, C, D, E, F]));
		expect(item.text).toBe(
			'2 of 4 rented numbers had no calls in 30 days: 6.74 EUR a month. 1 of them renews within 7 days: ' +
				'+4930222222 (&lt;@channel&gt; &amp; &lt;img src=x onerror=alert(1)&gt;) on 30 Nov.',
		);
		expect(item.text).not.toContain('\n');
	});

	it('says so when every number is in use, or when no idle number renews soon', () => {
		const all = new RentalAudit(input([A, F]));
		all.add({ assistantPhoneNumber: '+4930111111', billableSeconds: 60, totalCost: 1, createdAt: NOW - 1000 } as never);
		all.add({ assistantPhoneNumber: '+12125550404', billableSeconds: 0, totalCost: 0, createdAt: NOW - 1000 } as never);
		// A renews in 2 days, F in 1: both within 7.
		expect(all.finish().text).toBe(
			'All 2 rented numbers had calls in 30 days (8.49 EUR a month). 2 of them renew within 7 days.',
		);

		const single = new RentalAudit(input([A]));
		single.add({
			assistantPhoneNumber: '+4930111111',
			billableSeconds: 60,
			totalCost: 1,
			createdAt: NOW - 1000,
		} as never);
		expect(single.finish().text).toBe(
			'The one rented number had calls in 30 days (4.50 EUR a month). It renews within 7 days.',
		);

		const one = new RentalAudit(input([C, A], { idleDays: 1, renewingWithinDays: 3 }));
		one.add({ assistantPhoneNumber: '+4930111111', billableSeconds: 60, totalCost: 1, createdAt: NOW - 1000 } as never);
		expect(one.finish().text).toBe(
			'1 of 2 rented numbers had no calls in 1 day: 2.75 EUR a month. It does not renew within 3 days.',
		);

		const two = new RentalAudit(input([C, B], { renewingWithinDays: 2 }));
		expect(two.finish().text).toBe(
			'2 of 2 rented numbers had no calls in 30 days: 6.74 EUR a month. None of them renews within 2 days.',
		);
	});

	it('names a renewal today', () => {
		// F renews on 27 Nov: seen on 27 Nov at 10:00 in Berlin, that is today.
		const nowMs = Date.parse('2026-11-27T09:00:00Z');
		const soon = new RentalAudit(input([F], { nowMs }));
		expect(soon.finish().text).toBe(
			'1 of 1 rented number had no calls in 30 days: 3.99 EUR a month. ' +
				'It renews within 7 days: +12125550404 (__proto__) today (27 Nov).',
		);
		const today = new RentalAudit(input([F], { nowMs, renewingWithinDays: 0 }));
		expect(today.finish().text).toBe(
			'1 of 1 rented number had no calls in 30 days: 3.99 EUR a month. ' +
				'It renews today: +12125550404 (__proto__) on 27 Nov.',
		);
	});

	it('an email-safe table: inline styles only, no scripts or external assets, API text escaped', async () => {
		const { html } = await auditRentals(seeded().client(), input([A, B, C, D, E, F]));
		expect(html).toMatch(/^<!DOCTYPE html><html lang="en">/);
		expect(html).not.toMatch(/<style|<script|<link|<img|<[^>]*\s(src|href)=|url\(/i);
		expect(html).not.toContain(XSS);
		expect(html).toContain('&lt;@channel&gt; &amp; &lt;img src=x onerror=alert(1)&gt;');
		// One table row per rented number, idle ones marked.
		expect(html.match(/Idle, renews soon/g)).toHaveLength(1);
		expect(html.match(/>Idle</g)).toHaveLength(1);
		expect(html.match(/>In use</g)).toHaveLength(2);
		expect(html).toContain('15.23 EUR a month');
		expect(html).toContain('6.74 EUR a month');
		expect(html).toContain('12.48 EUR');
		expect(html).toContain('28 Nov 2026');
		expect(html).toContain('Renewal dates are estimates');
		expect(html).not.toContain('+4940555555');
		expect(html).not.toContain('+31105550606');
	});
});

describe('window and parameters', () => {
	it('the window is idleDays × 24 hours up to now, not calendar days (here across a DST change)', () => {
		const window = auditWindow(Date.parse('2027-03-30T12:00:00Z'), 30, TZ);
		expect(window.start).toBe('2027-02-28T13:00:00+01:00');
		expect(window.end).toBe('2027-03-30T14:00:00+02:00');
		expect(window.endMs - window.startMs).toBe(30 * 24 * 3_600_000);
		expect(window.timezone).toBe(TZ);
	});

	it('compares numbers by digits', () => {
		expect(phoneDigits('+49 (30) 111-111')).toBe('4930111111');
		expect(phoneDigits(null)).toBe('');
		expect(phoneDigits('__proto__')).toBe('');
	});

	it.each([0, 366, 2.5, -3, 'abc', '', null, Number.NaN])('refuses Idle Days %p', (value) => {
		expect(() => assertIdleDays(value)).toThrow(InvalidParameterError);
	});

	it.each([-1, 32, 1.5, 'soon', undefined])('refuses Renewing Within Days %p', (value) => {
		expect(() => assertRenewingWithinDays(value)).toThrow(InvalidParameterError);
	});

	it('accepts whole numbers in range, also as text from an expression', () => {
		expect(assertIdleDays(1)).toBe(1);
		expect(assertIdleDays('365')).toBe(365);
		expect(assertRenewingWithinDays(0)).toBe(0);
		expect(assertRenewingWithinDays(' 31 ')).toBe(31);
	});
});

describe("the README's worked example", () => {
	it('five numbers on 26 Nov 2026: totals 19.73, idle 11.24, renewing soon 12.99, and its text', () => {
		const readme = (id: number, phoneNumber: string, nickname: string | null, fee: string, createdAt: string) =>
			number({ id, phoneNumber, nickname, monthlyFee: parseMoney(fee), createdAt });
		const audit = new RentalAudit(
			input([
				readme(101, '+4930555010101', 'Sales line', '4.50', '2025-10-02T10:00:00.000000Z'),
				readme(102, '+4989555020202', 'Old promo line', '4.50', '2026-03-28T09:12:00.000000Z'),
				readme(103, '+31205550303', 'Benelux bookings', '3.99', '2026-10-22T10:00:00.000000Z'),
				readme(104, '+12125550404', null, '3.99', '2026-01-30T15:40:00.000000Z'),
				readme(105, '+442055500505', 'UK outreach', '2.75', '2026-05-10T10:00:00.000000Z'),
			]),
		);
		const call = (phone: string) =>
			audit.add({ assistantPhoneNumber: phone, billableSeconds: 60, totalCost: 1, createdAt: NOW - 1000 } as never);
		call('+4930555010101');
		call('+31205550303');
		const item = audit.finish();
		expect(item).toMatchObject({
			rentedNumbers: 5,
			monthlyFees: 19.73,
			idleNumbers: 3,
			idleMonthlyFees: 11.24,
			renewingSoon: 3,
			renewingSoonFees: 12.99,
		});
		expect(item.numbers.map((row) => [row.id, row.nextRenewalAt, row.daysToRenewal])).toEqual([
			[102, '2026-11-28T00:00:00+01:00', 2],
			[104, '2026-11-30T00:00:00+01:00', 4],
			[101, '2026-12-02T00:00:00+01:00', 6],
			[105, '2026-12-10T00:00:00+01:00', 14],
			[103, '2026-12-22T00:00:00+01:00', 26],
		]);
		expect(item.text).toBe(
			'3 of 5 rented numbers had no calls in 30 days: 11.24 EUR a month. 2 of them renew within 7 days: ' +
				'+4989555020202 (Old promo line) on 28 Nov, +12125550404 on 30 Nov.',
		);
	});
});

describe('German, and plain text', () => {
	it('the paragraph in German: counts, money and days as a German reader writes them', async () => {
		const item = await auditRentals(seeded().client(), input([A, B, C, D, E, F], { language: 'de' }));
		expect(item.text).toBe(
			'2 von 4 gemieteten Rufnummern hatten in den letzten 30 Tagen keine Anrufe: 6,74 € im Monat. 1 davon ' +
				'verlängert sich innerhalb von 7 Tagen: +4930222222 (&lt;@channel&gt; &amp; &lt;img src=x ' +
				'onerror=alert(1)&gt;) am 30.11.',
		);
		// Machine fields do not change with the language.
		const english = await auditRentals(seeded().client(), input([A, B, C, D, E, F]));
		const machine = (audit: typeof item) => ({ ...audit, text: undefined, html: undefined });
		expect(machine(item)).toEqual(machine(english));
		expect(item.html).not.toBe(english.html);
	});

	it('every sentence of the paragraph in German', () => {
		const de = (numbers: PhoneNumberInfo[], extra: Partial<RentalAuditInput> = {}) =>
			new RentalAudit(input(numbers, { language: 'de', ...extra }));
		const used = (audit: RentalAudit, phone: string) =>
			audit.add({ assistantPhoneNumber: phone, billableSeconds: 60, totalCost: 1, createdAt: NOW - 1000 } as never);
		const all = de([A, F]);
		used(all, '+4930111111');
		used(all, '+12125550404');
		expect(all.finish().text).toBe(
			'Alle 2 gemieteten Rufnummern hatten in den letzten 30 Tagen Anrufe (8,49 € im Monat). 2 davon ' +
				'verlängern sich innerhalb von 7 Tagen.',
		);
		const single = de([A]);
		used(single, '+4930111111');
		expect(single.finish().text).toBe(
			'Die eine gemietete Rufnummer hatte in den letzten 30 Tagen Anrufe (4,50 € im Monat). Sie verlängert sich ' +
				'innerhalb von 7 Tagen.',
		);
		const one = de([C, A], { idleDays: 1, renewingWithinDays: 3 });
		used(one, '+4930111111');
		expect(one.finish().text).toBe(
			'1 von 2 gemieteten Rufnummern hatte am letzten Tag keine Anrufe: 2,75 € im Monat. Sie verlängert sich ' +
				'nicht innerhalb von 3 Tagen.',
		);
		expect(de([C, B], { renewingWithinDays: 2 }).finish().text).toBe(
			'2 von 2 gemieteten Rufnummern hatten in den letzten 30 Tagen keine Anrufe: 6,74 € im Monat. Keine davon ' +
				'verlängert sich innerhalb von 2 Tagen.',
		);
		const nowMs = Date.parse('2026-11-27T09:00:00Z');
		expect(de([F], { nowMs }).finish().text).toBe(
			'1 von 1 gemieteten Rufnummer hatte in den letzten 30 Tagen keine Anrufe: 3,99 € im Monat. Sie verlängert ' +
				'sich innerhalb von 7 Tagen: +12125550404 (__proto__) heute (27.11.).',
		);
		expect(de([]).finish().text).toBe('Keine gemieteten Rufnummern, also keine monatlichen Rufnummerngebühren.');
	});

	it('the table in German', async () => {
		const { html } = await auditRentals(seeded().client(), input([A, B, C, D, E, F], { language: 'de' }));
		expect(html).toMatch(/^<!DOCTYPE html><html lang="de">/);
		expect(html).toContain('<title>Gemietete Rufnummern: ungenutzte Leitungen und Verlängerungen</title>');
		expect(html).toContain('>Geprüft am 26.11.2026 13:00 (Europe/Berlin); Anrufe der letzten 30 Tage.</td>');
		expect(html).toContain('>Ungenutzt (keine Anrufe in den letzten 30 Tagen)</td>');
		expect(html).toContain('>15,23 € im Monat</td>');
		expect(html).toContain('>Verlängerung innerhalb von 7 Tagen</td>');
		for (const header of ['Rufnummer', 'Verlängerung (geschätzt)', 'Monatsgebühr', 'Letzter Anruf']) {
			expect(html).toContain(`>${header}</th>`);
		}
		expect(html).toContain('>27.11.2026<br><span style="color:#6b7280;">in 1 Tag</span>');
		expect(html).toContain('>28.11.2026<br><span style="color:#6b7280;">in 2 Tagen</span>');
		expect(html).toContain('>25.11.2026 10:30</td>');
		expect(html).toContain('>2,08</td>');
		expect(html).toContain('>keiner</td>');
		expect(html).toContain('>Ungenutzt, verlängert sich bald</span>');
		expect(html).toContain('>In Nutzung</span>');
		expect(html).not.toMatch(/ EUR|Renews|Idle|none</);
	});

	it('plain text leaves names as they are; Slack text escapes them', async () => {
		const plain = await auditRentals(seeded().client(), input([A, B, C, D, E, F], { textFormat: 'plain' }));
		expect(plain.text).toBe(
			'2 of 4 rented numbers had no calls in 30 days: 6.74 EUR a month. 1 of them renews within 7 days: ' +
				`+4930222222 (${XSS}) on 30 Nov.`,
		);
	});
});
