/**
 * The renewal estimate of rented numbers. Every expected date below was worked out by hand from the
 * calendar:
 * - Europe/Berlin switches to summer time on Sun 28 Mar 2027 (02:00 +01:00 → 03:00 +02:00) and back
 *   on Sun 31 Oct 2027; in 2026 on Sun 29 Mar and Sun 25 Oct (03:00 +02:00 → 02:00 +01:00).
 * - 2027 is not a leap year (February has 28 days); 2024 and 2028 are (29 days).
 * The last test checks many more dates against a day-by-day walk through the calendar.
 */
import { DateTime } from 'luxon';
import { estimateRenewal, renewalOf } from '../../src/renewals';

const BERLIN = 'Europe/Berlin';
const at = (iso: string) => Date.parse(iso);

function renewal(createdAt: string, now: string, timezone = BERLIN) {
	return estimateRenewal(createdAt, at(now), timezone);
}

describe('estimateRenewal: the next monthly anniversary of the purchase, today or later', () => {
	it('a number bought on the 31st renews on the last day of shorter months', () => {
		const bought = '2027-01-31T10:00:00Z';
		expect(renewal(bought, '2027-02-10T12:00:00Z')).toEqual({
			nextRenewalAt: '2027-02-28T00:00:00+01:00',
			daysToRenewal: 18,
		});
		expect(renewal(bought, '2027-03-01T12:00:00Z')).toEqual({
			nextRenewalAt: '2027-03-31T00:00:00+02:00',
			daysToRenewal: 30,
		});
		expect(renewal(bought, '2027-04-05T12:00:00Z')).toEqual({
			nextRenewalAt: '2027-04-30T00:00:00+02:00',
			daysToRenewal: 25,
		});
		// The day after a clamped renewal, the next one is back on the 31st.
		expect(renewal(bought, '2027-05-01T12:00:00Z')).toEqual({
			nextRenewalAt: '2027-05-31T00:00:00+02:00',
			daysToRenewal: 30,
		});
		// February of a leap year has a 29th.
		expect(renewal(bought, '2028-02-10T12:00:00Z')).toEqual({
			nextRenewalAt: '2028-02-29T00:00:00+01:00',
			daysToRenewal: 19,
		});
	});

	it('a number bought on 29 February renews on the 29th, and on 28 February in a year without one', () => {
		const bought = '2024-02-29T09:00:00Z';
		expect(renewal(bought, '2027-02-20T12:00:00Z')).toEqual({
			nextRenewalAt: '2027-02-28T00:00:00+01:00',
			daysToRenewal: 8,
		});
		expect(renewal(bought, '2027-03-01T12:00:00Z')).toEqual({
			nextRenewalAt: '2027-03-29T00:00:00+02:00',
			daysToRenewal: 28,
		});
		expect(renewal(bought, '2028-02-20T12:00:00Z')).toEqual({
			nextRenewalAt: '2028-02-29T00:00:00+01:00',
			daysToRenewal: 9,
		});
		// The first renewal after the purchase: 29 March 2024.
		expect(renewal(bought, '2024-03-01T12:00:00Z')).toEqual({
			nextRenewalAt: '2024-03-29T00:00:00+01:00',
			daysToRenewal: 28,
		});
	});

	it('counts calendar days across a daylight-saving change (a 23-hour day is one day)', () => {
		// Renews on Sun 28 Mar 2027, the day clocks go forward: midnight is still +01:00.
		const bought28 = '2027-01-28T09:00:00Z';
		expect(renewal(bought28, '2027-03-27T12:00:00Z')).toEqual({
			nextRenewalAt: '2027-03-28T00:00:00+01:00',
			daysToRenewal: 1,
		});
		expect(renewal(bought28, '2027-03-26T12:00:00Z')).toEqual({
			nextRenewalAt: '2027-03-28T00:00:00+01:00',
			daysToRenewal: 2,
		});
		// Sat 27 Mar 23:30 +01:00 → Mon 29 Mar 00:00 +02:00 is 23.5 hours later, but two calendar days.
		expect(renewal('2026-12-29T09:00:00Z', '2027-03-27T22:30:00Z')).toEqual({
			nextRenewalAt: '2027-03-29T00:00:00+02:00',
			daysToRenewal: 2,
		});
		// Bought in the repeated hour of Sun 25 Oct 2026 (00:30Z is 02:30 +02:00): renews on the 25th.
		expect(renewal('2026-10-25T00:30:00Z', '2027-03-20T12:00:00Z')).toEqual({
			nextRenewalAt: '2027-03-25T00:00:00+01:00',
			daysToRenewal: 5,
		});
		expect(renewal('2026-10-25T00:30:00Z', '2027-10-30T12:00:00Z')).toEqual({
			nextRenewalAt: '2027-11-25T00:00:00+01:00',
			daysToRenewal: 26,
		});
	});

	it('a renewal today counts as 0 days, from the first to the last minute of the day', () => {
		const bought = '2026-11-15T08:00:00Z';
		const today = { nextRenewalAt: '2027-03-15T00:00:00+01:00', daysToRenewal: 0 };
		expect(renewal(bought, '2027-03-14T23:00:00Z')).toEqual(today); // 00:00 in Berlin
		expect(renewal(bought, '2027-03-15T22:59:59Z')).toEqual(today); // 23:59:59 in Berlin
		expect(renewal(bought, '2027-03-15T23:00:00Z')).toEqual({
			nextRenewalAt: '2027-04-15T00:00:00+02:00',
			daysToRenewal: 30,
		});
	});

	it('a number bought today (or dated in the future) renews a month after its purchase, not today', () => {
		expect(renewal('2027-03-15T07:00:00Z', '2027-03-15T12:00:00Z')).toEqual({
			nextRenewalAt: '2027-04-15T00:00:00+02:00',
			daysToRenewal: 31,
		});
		expect(renewal('2027-03-20T07:00:00Z', '2027-03-15T12:00:00Z')).toEqual({
			nextRenewalAt: '2027-04-20T00:00:00+02:00',
			daysToRenewal: 36,
		});
	});

	it('takes the purchase day and today in the timezone (the date can differ from UTC)', () => {
		// 30 Nov 23:30 UTC is 1 Dec 00:30 in Berlin.
		const bought = '2026-11-30T23:30:00Z';
		expect(renewal(bought, '2027-02-15T12:00:00Z', BERLIN)).toEqual({
			nextRenewalAt: '2027-03-01T00:00:00+01:00',
			daysToRenewal: 14,
		});
		expect(renewal(bought, '2027-02-15T12:00:00Z', 'UTC')).toEqual({
			nextRenewalAt: '2027-02-28T00:00:00Z',
			daysToRenewal: 13,
		});
		// 1 Mar 2027 02:00 UTC is still 28 Feb 21:00 in New York (-05:00), where the number was bought on 30 Nov.
		expect(renewal(bought, '2027-03-01T02:00:00Z', 'America/New_York')).toEqual({
			nextRenewalAt: '2027-02-28T00:00:00-05:00',
			daysToRenewal: 0,
		});
		expect(renewal(bought, '2027-03-01T02:00:00Z', BERLIN)).toEqual({
			nextRenewalAt: '2027-03-01T00:00:00+01:00',
			daysToRenewal: 0,
		});
		expect(renewal(bought, '2027-03-01T02:00:00Z', 'UTC')).toEqual({
			nextRenewalAt: '2027-03-30T00:00:00Z',
			daysToRenewal: 29,
		});
	});

	it("reads Famulor's timestamp forms: microseconds, and naive times as UTC", () => {
		for (const createdAt of ['2026-11-30T23:30:00.000000Z', '2026-11-30 23:30:00', '2026-11-30T23:30:00+00:00']) {
			expect(renewal(createdAt, '2027-02-15T12:00:00Z')?.nextRenewalAt).toBe('2027-03-01T00:00:00+01:00');
		}
	});

	it('has no estimate without a readable purchase time, and none for numbers that are not rented', () => {
		expect(estimateRenewal(null, at('2027-02-15T12:00:00Z'), BERLIN)).toBeNull();
		expect(estimateRenewal('', at('2027-02-15T12:00:00Z'), BERLIN)).toBeNull();
		expect(estimateRenewal('last tuesday', at('2027-02-15T12:00:00Z'), BERLIN)).toBeNull();
		const now = at('2027-02-15T12:00:00Z');
		expect(renewalOf({ rented: false, createdAt: '2026-11-30T10:00:00Z' }, now, BERLIN)).toBeNull();
		expect(renewalOf({ rented: true, createdAt: '2026-11-30T10:00:00Z' }, now, BERLIN)).toEqual({
			nextRenewalAt: '2027-02-28T00:00:00+01:00',
			daysToRenewal: 13,
		});
	});

	it('agrees with a day-by-day walk through the calendar (month ends, DST days; every 9th day of two years)', () => {
		// The oracle: starting today, the first day that is after the purchase day and is its monthly
		// anniversary (the purchase day of the month, or the month's last day when it is shorter).
		function walk(bought: DateTime, today: DateTime): DateTime {
			for (let day = today; ; day = day.plus({ days: 1 })) {
				const anniversary = day.day === Math.min(bought.day, day.daysInMonth as number);
				if (anniversary && day.startOf('day') > bought.startOf('day')) return day;
			}
		}
		let checked = 0;
		const boughtDays = ['2026-01-28', '2026-01-29', '2026-01-30', '2026-01-31'];
		boughtDays.push('2026-03-29', '2026-10-25', '2026-12-01');
		for (const timezone of [BERLIN, 'America/New_York', 'Australia/Sydney']) {
			for (const boughtDay of boughtDays) {
				const bought = DateTime.fromISO(`${boughtDay}T10:00:00`, { zone: timezone });
				const first = DateTime.fromISO('2026-12-20T12:00:00', { zone: timezone });
				for (let noon = first; noon.year < 2029; noon = noon.plus({ days: 9 })) {
					const today = noon.startOf('day');
					const expected = walk(bought, today).startOf('day');
					const got = estimateRenewal(bought.toUTC().toISO(), noon.toMillis(), timezone);
					expect(got?.nextRenewalAt).toBe(expected.toISO({ suppressMilliseconds: true }));
					expect(got?.daysToRenewal).toBe(Math.round(expected.diff(today, 'days').days));
					checked++;
				}
			}
		}
		expect(checked).toBeGreaterThan(1500);
	});
});
