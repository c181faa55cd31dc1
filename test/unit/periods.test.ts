/**
 * Periods in a timezone. Every expected bound below was worked out by hand from the calendar:
 * - Europe/Berlin switches to summer time on Sun 29 Mar 2026 (02:00 +01:00 → 03:00 +02:00) and back
 *   on Sun 25 Oct 2026 (03:00 +02:00 → 02:00 +01:00).
 * - America/New_York switches on Sun 8 Mar 2026 (-05:00 → -04:00) and back on Sun 1 Nov 2026 at 02:00.
 * - 2026 is not a leap year (February has 28 days); 2028 is (29 days).
 */
import { InvalidParameterError } from '../../src/errors';
import {
	apiDays,
	assertBillingCycleDay,
	assertTimezone,
	MAX_CUSTOM_DAYS,
	periodContaining,
	publicPeriod,
	resolvePeriod,
	type ActionPeriod,
	type ResolvedPeriod,
} from '../../src/periods';

const BERLIN = 'Europe/Berlin';
const NEW_YORK = 'America/New_York';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const at = (iso: string) => Date.parse(iso);

function period(
	name: ActionPeriod,
	now: string,
	timezone: string,
	extra: Record<string, unknown> = {},
): ResolvedPeriod {
	return resolvePeriod(name, { now: at(now), timezone, ...extra });
}

/** Start/end strings, and the numbers agree with the strings. */
function expectBounds(p: ResolvedPeriod, start: string, end: string): void {
	expect({ start: p.start, end: p.end }).toEqual({ start, end });
	expect(p.startMs).toBe(Date.parse(start));
	expect(p.endMs).toBe(Date.parse(end));
}

function expectParameterError(fn: () => unknown, parameter: string): InvalidParameterError {
	let caught: unknown;
	try {
		fn();
	} catch (error) {
		caught = error;
	}
	expect(caught).toBeInstanceOf(InvalidParameterError);
	expect((caught as InvalidParameterError).parameter).toBe(parameter);
	expect((caught as InvalidParameterError).fix.length).toBeGreaterThan(0);
	return caught as InvalidParameterError;
}

describe('periods in Europe/Berlin around the spring DST change', () => {
	// Monday 30 Mar 2026, 10:00 summer time.
	const now = '2026-03-30T10:00:00+02:00';

	it('today and yesterday (a 23-hour day)', () => {
		const today = period('today', now, BERLIN);
		expectBounds(today, '2026-03-30T00:00:00+02:00', '2026-03-31T00:00:00+02:00');
		expect(today.id).toBe('2026-03-30');
		expect(today.timezone).toBe(BERLIN);

		const yesterday = period('yesterday', now, BERLIN);
		expectBounds(yesterday, '2026-03-29T00:00:00+01:00', '2026-03-30T00:00:00+02:00');
		expect(yesterday.endMs - yesterday.startMs).toBe(23 * HOUR);
		expect(yesterday.id).toBe('2026-03-29');
	});

	it('thisWeek and lastWeek start on Monday', () => {
		const thisWeek = period('thisWeek', now, BERLIN);
		expectBounds(thisWeek, '2026-03-30T00:00:00+02:00', '2026-04-06T00:00:00+02:00');
		const lastWeek = period('lastWeek', now, BERLIN);
		expectBounds(lastWeek, '2026-03-23T00:00:00+01:00', '2026-03-30T00:00:00+02:00');
		expect(lastWeek.endMs - lastWeek.startMs).toBe(7 * DAY - HOUR);
		// ISO week: week 1 of 2026 starts Mon 29 Dec 2025; 23 Mar is 84 days = 12 weeks later.
		expect(lastWeek.id).toBe('2026-W13');
	});

	it('a Sunday belongs to the week that started the Monday before', () => {
		const lastDayOfWeek = period('thisWeek', '2026-03-29T23:30:00+02:00', BERLIN);
		expectBounds(lastDayOfWeek, '2026-03-23T00:00:00+01:00', '2026-03-30T00:00:00+02:00');
	});

	it('thisMonth (743 hours) and lastMonth (February, 28 days)', () => {
		const thisMonth = period('thisMonth', now, BERLIN);
		expectBounds(thisMonth, '2026-03-01T00:00:00+01:00', '2026-04-01T00:00:00+02:00');
		expect(thisMonth.endMs - thisMonth.startMs).toBe(31 * DAY - HOUR);
		expect(thisMonth.id).toBe('2026-03');

		const lastMonth = period('lastMonth', now, BERLIN);
		expectBounds(lastMonth, '2026-02-01T00:00:00+01:00', '2026-03-01T00:00:00+01:00');
		expect(lastMonth.endMs - lastMonth.startMs).toBe(28 * DAY);
		expect(lastMonth.id).toBe('2026-02');
	});

	it('last7Days and last30Days include today', () => {
		const last7 = period('last7Days', now, BERLIN);
		// 6 days before 30 Mar is 24 Mar (still winter time).
		expectBounds(last7, '2026-03-24T00:00:00+01:00', '2026-03-31T00:00:00+02:00');
		expect(last7.endMs - last7.startMs).toBe(7 * DAY - HOUR);

		const last30 = period('last30Days', now, BERLIN);
		// 29 days before 30 Mar is 1 Mar.
		expectBounds(last30, '2026-03-01T00:00:00+01:00', '2026-03-31T00:00:00+02:00');
		expect(last30.endMs - last30.startMs).toBe(30 * DAY - HOUR);
	});

	it('"today" depends on the timezone, not on UTC', () => {
		// 23:30 UTC on 30 Mar is 01:30 on 31 Mar in Berlin, 19:30 on 30 Mar in New York.
		const instant = '2026-03-30T23:30:00Z';
		expectBounds(period('today', instant, BERLIN), '2026-03-31T00:00:00+02:00', '2026-04-01T00:00:00+02:00');
		expectBounds(period('today', instant, NEW_YORK), '2026-03-30T00:00:00-04:00', '2026-03-31T00:00:00-04:00');
		expectBounds(period('today', instant, 'UTC'), '2026-03-30T00:00:00Z', '2026-03-31T00:00:00Z');
	});
});

describe('periods in Europe/Berlin around the autumn DST change', () => {
	// Monday 26 Oct 2026, 09:00 winter time.
	const now = '2026-10-26T09:00:00+01:00';

	it('yesterday is 25 hours long', () => {
		const yesterday = period('yesterday', now, BERLIN);
		expectBounds(yesterday, '2026-10-25T00:00:00+02:00', '2026-10-26T00:00:00+01:00');
		expect(yesterday.endMs - yesterday.startMs).toBe(25 * HOUR);
	});

	it('lastWeek is 169 hours long and thisMonth 745', () => {
		const lastWeek = period('lastWeek', now, BERLIN);
		expectBounds(lastWeek, '2026-10-19T00:00:00+02:00', '2026-10-26T00:00:00+01:00');
		expect(lastWeek.endMs - lastWeek.startMs).toBe(7 * DAY + HOUR);
		const thisMonth = period('thisMonth', now, BERLIN);
		expectBounds(thisMonth, '2026-10-01T00:00:00+02:00', '2026-11-01T00:00:00+01:00');
		expect(thisMonth.endMs - thisMonth.startMs).toBe(31 * DAY + HOUR);
	});

	it('today on the long day itself', () => {
		// 02:30 occurs twice on 25 Oct; 01:30 UTC is the second one (+01:00).
		const today = period('today', '2026-10-25T01:30:00Z', BERLIN);
		expectBounds(today, '2026-10-25T00:00:00+02:00', '2026-10-26T00:00:00+01:00');
	});
});

describe('periods in America/New_York across DST', () => {
	it('spring: yesterday (Sun 8 Mar) is 23 hours, lastWeek starts Mon 2 Mar', () => {
		const now = '2026-03-09T12:00:00-04:00';
		const yesterday = period('yesterday', now, NEW_YORK);
		expectBounds(yesterday, '2026-03-08T00:00:00-05:00', '2026-03-09T00:00:00-04:00');
		expect(yesterday.endMs - yesterday.startMs).toBe(23 * HOUR);
		expectBounds(period('lastWeek', now, NEW_YORK), '2026-03-02T00:00:00-05:00', '2026-03-09T00:00:00-04:00');
		expectBounds(period('thisWeek', now, NEW_YORK), '2026-03-09T00:00:00-04:00', '2026-03-16T00:00:00-04:00');
		expectBounds(period('lastMonth', now, NEW_YORK), '2026-02-01T00:00:00-05:00', '2026-03-01T00:00:00-05:00');
		expectBounds(period('last7Days', now, NEW_YORK), '2026-03-03T00:00:00-05:00', '2026-03-10T00:00:00-04:00');
	});

	it('autumn: yesterday (Sun 1 Nov) is 25 hours; October ends at midnight before the change', () => {
		const now = '2026-11-02T08:00:00-05:00';
		const yesterday = period('yesterday', now, NEW_YORK);
		expectBounds(yesterday, '2026-11-01T00:00:00-04:00', '2026-11-02T00:00:00-05:00');
		expect(yesterday.endMs - yesterday.startMs).toBe(25 * HOUR);
		// Midnight of 1 Nov is still summer time (the change is at 02:00).
		expectBounds(period('lastMonth', now, NEW_YORK), '2026-10-01T00:00:00-04:00', '2026-11-01T00:00:00-04:00');
		expectBounds(period('thisMonth', now, NEW_YORK), '2026-11-01T00:00:00-04:00', '2026-12-01T00:00:00-05:00');
		// 29 days before 2 Nov is 4 Oct.
		expectBounds(period('last30Days', now, NEW_YORK), '2026-10-04T00:00:00-04:00', '2026-11-03T00:00:00-05:00');
	});
});

describe('month ends', () => {
	it('on 31 Mar, lastMonth is February with 28 days', () => {
		const lastMonth = period('lastMonth', '2026-03-31T12:00:00+02:00', BERLIN);
		expectBounds(lastMonth, '2026-02-01T00:00:00+01:00', '2026-03-01T00:00:00+01:00');
		expect(Math.round((lastMonth.endMs - lastMonth.startMs) / DAY)).toBe(28);
	});

	it('in 2028, February has 29 days', () => {
		const lastMonth = period('lastMonth', '2028-03-31T12:00:00+02:00', BERLIN);
		expectBounds(lastMonth, '2028-02-01T00:00:00+01:00', '2028-03-01T00:00:00+01:00');
		expect(lastMonth.endMs - lastMonth.startMs).toBe(29 * DAY);
	});

	it('on 31 May, lastMonth is April (30 days); on 1 Jan, lastMonth is last December', () => {
		expectBounds(
			period('lastMonth', '2026-05-31T23:59:59+02:00', BERLIN),
			'2026-04-01T00:00:00+02:00',
			'2026-05-01T00:00:00+02:00',
		);
		expectBounds(
			period('lastMonth', '2026-01-01T00:00:00+01:00', BERLIN),
			'2025-12-01T00:00:00+01:00',
			'2026-01-01T00:00:00+01:00',
		);
	});

	it('last30Days reaches back into the previous month', () => {
		// 29 days before 10 Mar 2026 is 9 Feb.
		expectBounds(
			period('last30Days', '2026-03-10T12:00:00+01:00', BERLIN),
			'2026-02-09T00:00:00+01:00',
			'2026-03-11T00:00:00+01:00',
		);
	});
});

describe('billing cycles', () => {
	const cycle = (name: 'thisBillingCycle' | 'lastBillingCycle', now: string, day: number, timezone = BERLIN) =>
		period(name, now, timezone, { billingCycleDay: day });

	it('day 31 renews on the 28th in February, on the 31st in March', () => {
		const now = '2026-03-10T12:00:00+01:00';
		const current = cycle('thisBillingCycle', now, 31);
		// The cycle ends at midnight of 31 Mar, after the spring change.
		expectBounds(current, '2026-02-28T00:00:00+01:00', '2026-03-31T00:00:00+02:00');
		expect(current.id).toBe('cycle-2026-02-28');
		expectBounds(cycle('lastBillingCycle', now, 31), '2026-01-31T00:00:00+01:00', '2026-02-28T00:00:00+01:00');
	});

	it('day 31 on 31 Mar starts a new cycle ending on 30 Apr', () => {
		const now = '2026-03-31T08:00:00+02:00';
		expectBounds(cycle('thisBillingCycle', now, 31), '2026-03-31T00:00:00+02:00', '2026-04-30T00:00:00+02:00');
		expectBounds(cycle('lastBillingCycle', now, 31), '2026-02-28T00:00:00+01:00', '2026-03-31T00:00:00+02:00');
	});

	it('day 31 across the year end', () => {
		const now = '2026-01-05T12:00:00+01:00';
		expectBounds(cycle('thisBillingCycle', now, 31), '2025-12-31T00:00:00+01:00', '2026-01-31T00:00:00+01:00');
		expectBounds(cycle('lastBillingCycle', now, 31), '2025-11-30T00:00:00+01:00', '2025-12-31T00:00:00+01:00');
	});

	it('day 15: the cycle turns at midnight of the 15th', () => {
		expectBounds(
			cycle('thisBillingCycle', '2026-03-10T12:00:00+01:00', 15),
			'2026-02-15T00:00:00+01:00',
			'2026-03-15T00:00:00+01:00',
		);
		expectBounds(
			cycle('lastBillingCycle', '2026-03-10T12:00:00+01:00', 15),
			'2026-01-15T00:00:00+01:00',
			'2026-02-15T00:00:00+01:00',
		);
		expectBounds(
			cycle('thisBillingCycle', '2026-03-14T23:59:59+01:00', 15),
			'2026-02-15T00:00:00+01:00',
			'2026-03-15T00:00:00+01:00',
		);
		expectBounds(
			cycle('thisBillingCycle', '2026-03-15T00:00:00+01:00', 15),
			'2026-03-15T00:00:00+01:00',
			'2026-04-15T00:00:00+02:00',
		);
	});

	it('day 1 equals the calendar month', () => {
		const now = '2026-10-26T09:00:00+01:00';
		const current = cycle('thisBillingCycle', now, 1);
		const month = period('thisMonth', now, BERLIN);
		expect([current.start, current.end]).toEqual([month.start, month.end]);
	});

	it('leap year 2028: day 31 and day 30 renew on 29 Feb', () => {
		expectBounds(
			cycle('thisBillingCycle', '2028-03-10T12:00:00+01:00', 31),
			'2028-02-29T00:00:00+01:00',
			'2028-03-31T00:00:00+02:00',
		);
		expectBounds(
			cycle('thisBillingCycle', '2028-02-29T12:00:00+01:00', 30),
			'2028-02-29T00:00:00+01:00',
			'2028-03-30T00:00:00+02:00',
		);
		expectBounds(
			cycle('lastBillingCycle', '2028-03-10T12:00:00+01:00', 31),
			'2028-01-31T00:00:00+01:00',
			'2028-02-29T00:00:00+01:00',
		);
	});

	it('day 29 in a non-leap year renews on 28 Feb and ends on the short DST day', () => {
		expectBounds(
			cycle('thisBillingCycle', '2026-03-05T12:00:00+01:00', 29),
			'2026-02-28T00:00:00+01:00',
			'2026-03-29T00:00:00+01:00',
		);
	});

	it('in New York', () => {
		expectBounds(
			cycle('thisBillingCycle', '2026-11-20T12:00:00-05:00', 31, NEW_YORK),
			'2026-10-31T00:00:00-04:00',
			'2026-11-30T00:00:00-05:00',
		);
	});
});

describe('custom periods', () => {
	const custom = (startDate: string, endDate: string, timezone = BERLIN) =>
		resolvePeriod('custom', { now: at('2026-12-10T12:00:00Z'), timezone, startDate, endDate });

	it('is [start, end) in the timezone', () => {
		const november = custom('2026-11-01', '2026-12-01');
		expectBounds(november, '2026-11-01T00:00:00+01:00', '2026-12-01T00:00:00+01:00');
		expect(november.timezone).toBe(BERLIN);
		// End exclusive: 30 Nov 23:59:59 is inside, 1 Dec 00:00 is not.
		const lastSecond = at('2026-11-30T23:59:59+01:00');
		expect(lastSecond >= november.startMs && lastSecond < november.endMs).toBe(true);
		expect(at('2026-12-01T00:00:00+01:00') < november.endMs).toBe(false);
	});

	it('accepts times and other timezones', () => {
		expectBounds(
			custom('2026-11-01T08:30', '2026-11-01T17:00', NEW_YORK),
			'2026-11-01T08:30:00-05:00',
			'2026-11-01T17:00:00-05:00',
		);
	});

	it('rejects a reversed or empty period on endDate', () => {
		expectParameterError(() => custom('2026-12-01', '2026-11-01'), 'endDate');
		expectParameterError(() => custom('2026-11-01', '2026-11-01'), 'endDate');
	});

	it('accepts 400 days and rejects 401', () => {
		expect(MAX_CUSTOM_DAYS).toBe(400);
		// 1 Jan 2026 + 365 days = 1 Jan 2027, + 31 = 1 Feb 2027, + 4 = 5 Feb 2027.
		const longest = custom('2026-01-01', '2027-02-05');
		expectBounds(longest, '2026-01-01T00:00:00+01:00', '2027-02-05T00:00:00+01:00');
		expectParameterError(() => custom('2026-01-01', '2027-02-06'), 'endDate');
		expectParameterError(() => custom('2024-01-01', '2026-01-01'), 'endDate');
	});

	it('rejects dates that are not dates, naming the parameter', () => {
		expectParameterError(() => custom('first of November', '2026-12-01'), 'startDate');
		expectParameterError(() => custom('2026-11-01', '2026-13-01'), 'endDate');
		expectParameterError(
			() => resolvePeriod('custom', { now: 0, timezone: BERLIN, endDate: '2026-12-01' }),
			'startDate',
		);
	});
});

describe('parameter validation', () => {
	it('rejects unknown timezones', () => {
		for (const timezone of ['Mars/Olympus_Mons', 'Europe/Berlinn', '']) {
			expectParameterError(() => period('today', '2026-03-30T10:00:00Z', timezone), 'timezone');
		}
		expect(assertTimezone(NEW_YORK)).toBe(NEW_YORK);
	});

	it('rejects billing cycle days outside 1..31', () => {
		for (const day of [0, 32, -1, 1.5, Number.NaN]) {
			expectParameterError(
				() => period('thisBillingCycle', '2026-03-30T10:00:00Z', BERLIN, { billingCycleDay: day }),
				'billingCycleDay',
			);
		}
		expect(assertBillingCycleDay(1)).toBe(1);
		expect(assertBillingCycleDay(31)).toBe(31);
	});

	it('rejects unknown period names', () => {
		expectParameterError(() => period('fortnight' as ActionPeriod, '2026-03-30T10:00:00Z', BERLIN), 'period');
	});

	it('the public shape has exactly id, label, start, end, timezone', () => {
		const p = publicPeriod(period('today', '2026-03-30T10:00:00Z', BERLIN));
		expect(Object.keys(p).sort()).toEqual(['end', 'id', 'label', 'start', 'timezone']);
	});
});

describe('apiDays', () => {
	it('widens the UTC days of the period by one on each side', () => {
		// Berlin March 2026 is 28 Feb 23:00 UTC .. 31 Mar 22:00 UTC.
		expect(apiDays(at('2026-03-01T00:00:00+01:00'), at('2026-04-01T00:00:00+02:00'))).toEqual({
			from: '2026-02-27',
			to: '2026-04-01',
		});
		// A UTC month: the end is exclusive, so the last day is 31 Mar.
		expect(apiDays(at('2026-03-01T00:00:00Z'), at('2026-04-01T00:00:00Z'))).toEqual({
			from: '2026-02-28',
			to: '2026-04-01',
		});
		// New York day 1 Nov 2026 is 04:00 UTC .. 05:00 UTC next day.
		expect(apiDays(at('2026-11-01T00:00:00-04:00'), at('2026-11-02T00:00:00-05:00'))).toEqual({
			from: '2026-10-31',
			to: '2026-11-03',
		});
	});

	it('covers every instant of the period whatever timezone the API filters in (UTC-12 .. UTC+14)', () => {
		const periods = [
			period('today', '2026-03-30T10:00:00Z', BERLIN),
			period('yesterday', '2026-11-02T08:00:00-05:00', NEW_YORK),
			period('lastMonth', '2026-03-31T12:00:00+02:00', 'Pacific/Kiritimati'),
			period('thisWeek', '2026-06-15T12:00:00Z', 'Pacific/Pago_Pago'),
		];
		const dayIn = (ms: number, offsetHours: number) => new Date(ms + offsetHours * HOUR).toISOString().slice(0, 10);
		for (const p of periods) {
			const range = apiDays(p.startMs, p.endMs);
			for (let offset = -12; offset <= 14; offset++) {
				for (const instant of [p.startMs, p.endMs - 1]) {
					const day = dayIn(instant, offset);
					expect(day >= range.from && day <= range.to).toBe(true);
				}
			}
		}
	});
});

describe('periodContaining (triggers)', () => {
	const instant = at('2026-03-29T12:00:00Z'); // 14:00 +02:00 on the short day

	it('day, week, month and billing cycle in Berlin', () => {
		expectBounds(periodContaining('day', instant, BERLIN), '2026-03-29T00:00:00+01:00', '2026-03-30T00:00:00+02:00');
		expectBounds(periodContaining('week', instant, BERLIN), '2026-03-23T00:00:00+01:00', '2026-03-30T00:00:00+02:00');
		expectBounds(periodContaining('month', instant, BERLIN), '2026-03-01T00:00:00+01:00', '2026-04-01T00:00:00+02:00');
		expectBounds(
			periodContaining('billingCycle', instant, BERLIN, 31),
			'2026-02-28T00:00:00+01:00',
			'2026-03-31T00:00:00+02:00',
		);
		expectBounds(
			periodContaining('billingCycle', instant, BERLIN, 15),
			'2026-03-15T00:00:00+01:00',
			'2026-04-15T00:00:00+02:00',
		);
	});

	it('the last millisecond belongs to the period, the end to the next one', () => {
		for (const kind of ['day', 'week', 'month', 'billingCycle'] as const) {
			for (const timezone of [BERLIN, NEW_YORK]) {
				const p = periodContaining(kind, instant, timezone, 31);
				expect(periodContaining(kind, p.endMs - 1, timezone, 31).startMs).toBe(p.startMs);
				expect(periodContaining(kind, p.startMs, timezone, 31).endMs).toBe(p.endMs);
				const next = periodContaining(kind, p.endMs, timezone, 31);
				expect(next.startMs).toBe(p.endMs);
				expect(next.id).not.toBe(p.id);
			}
		}
	});

	it('matches the action periods', () => {
		const now = at('2026-10-25T01:30:00Z');
		const today = period('today', '2026-10-25T01:30:00Z', BERLIN);
		const day = periodContaining('day', now, BERLIN);
		expect([day.id, day.start, day.end]).toEqual([today.id, today.start, today.end]);
		expect(day.endMs - day.startMs).toBe(25 * HOUR);
	});
});
