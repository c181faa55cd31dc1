/**
 * Periods and the loops over them (SPEC §15, Time: every loop over windows, pages or periods makes
 * progress or stops with a typed error). Trigger periods hold the instant they are computed for and
 * tile time in zones with unusual DST rules; the month and day loops of charge summaries stop with
 * a typed error instead of running forever when date arithmetic goes wrong — as it does once
 * something has added date-unit keys to Object.prototype (luxon reads durations through plain
 * objects, so `plus({ days: 1 })` then moves by whatever the prototype says).
 */
import { barSlots } from '../../src/chargeSummary/chart';
import { periodShare } from '../../src/chargeSummary/proration';
import { FamulorApiError } from '../../src/errors';
import { localeOf } from '../../src/i18n';
import { periodContaining, resolvePeriod, type TriggerPeriod } from '../../src/periods';

const ZONES = [
	'Australia/Lord_Howe', // half-hour DST
	'Pacific/Chatham', // +12:45 / +13:45
	'America/Santiago', // DST changes at midnight
	'America/Havana', // DST starts at midnight
	'America/Asuncion',
	'Asia/Beirut', // DST at midnight
	'Africa/Casablanca', // DST suspended during Ramadan
	'Antarctica/Troll', // a two-hour DST shift
	'Europe/Berlin',
	'America/Nuuk',
	'Asia/Calcutta', // +05:30, no DST
];
const FROM = Date.UTC(2026, 0, 1);
const TO = Date.UTC(2028, 0, 1);

describe('trigger periods in unusual zones, 2026–2027', () => {
	it.each(ZONES)('%s: every day, week, month and billing cycle holds its instant; they tile time', (zone) => {
		const problems: string[] = [];
		const kinds: Array<[TriggerPeriod, number]> = [
			['day', 1],
			['week', 1],
			['month', 1],
			['billingCycle', 1],
			['billingCycle', 15],
			['billingCycle', 31],
		];
		let periods = 0;
		for (const [kind, cycleDay] of kinds) {
			let previousEnd: number | undefined;
			for (let at = FROM; at < TO; ) {
				const period = periodContaining(kind, at, zone, cycleDay);
				periods++;
				if (!(period.startMs <= at && at < period.endMs)) problems.push(`${kind} ${period.id} does not hold ${at}`);
				if (previousEnd !== undefined && period.startMs !== previousEnd) problems.push(`${kind} ${period.id}: gap`);
				const last = periodContaining(kind, period.endMs - 1, zone, cycleDay);
				if (last.id !== period.id) problems.push(`${kind} ${period.id}: its last instant is in ${last.id}`);
				previousEnd = period.endMs;
				at = period.endMs;
			}
		}
		expect(problems).toEqual([]);
		expect(periods).toBeGreaterThan(730 + 104 + 24 * 4);
	});
});

describe('where midnight does not exist (Santiago: 6 Sep 2026 begins at 01:00)', () => {
	const zone = 'America/Santiago';
	const now = Date.parse('2026-09-07T15:00:00Z');

	it('yesterday ends where today begins (at midnight), not an hour into today', () => {
		const yesterday = resolvePeriod('yesterday', { now, timezone: zone });
		const today = resolvePeriod('today', { now, timezone: zone });
		expect([yesterday.start, yesterday.end]).toEqual(['2026-09-06T01:00:00-03:00', '2026-09-07T00:00:00-03:00']);
		expect(yesterday.endMs).toBe(today.startMs);
	});

	it('the last 7 days and the day period of the trigger end at a midnight', () => {
		const week = resolvePeriod('last7Days', { now: Date.parse('2026-09-05T15:00:00Z'), timezone: zone });
		expect(week.end).toBe('2026-09-06T01:00:00-03:00');
		const day = periodContaining('day', Date.parse('2026-09-06T12:00:00Z'), zone);
		expect([day.start, day.end]).toEqual(['2026-09-06T01:00:00-03:00', '2026-09-07T00:00:00-03:00']);
	});
});

describe('loops over periods stop with a typed error when date arithmetic goes wrong', () => {
	const UNITS = ['years', 'quarters', 'months', 'weeks', 'days', 'hours', 'minutes', 'seconds', 'milliseconds'];
	const prototype = Object.prototype as Record<string, unknown>;
	const polluted = <T>(value: number, run: () => T): T => {
		try {
			for (const key of UNITS) prototype[key] = value;
			return run();
		} finally {
			for (const key of UNITS) delete prototype[key];
		}
	};
	const failure = (run: () => unknown): unknown => {
		try {
			run();
		} catch (error) {
			return error;
		}
		return undefined;
	};
	const november = resolvePeriod('custom', {
		now: Date.parse('2026-12-05T12:00:00Z'),
		timezone: 'Europe/Berlin',
		startDate: '2026-11-03',
		endDate: '2026-12-05',
	});

	it('the chart of a charge summary (one bar per day)', () => {
		expect(barSlots(november, localeOf('en')).slots).toHaveLength(32);
		const error = polluted(-1, () => failure(() => barSlots(november, localeOf('en'))));
		expect(error).toBeInstanceOf(FamulorApiError);
		expect((error as FamulorApiError).kind).toBe('noProgress');
		expect((error as FamulorApiError).message).toMatch(/^Listing the bars of the chart did not advance/);
		expect((error as FamulorApiError).fix).toContain('report it to the package maintainers');
	});

	it('the proration of monthly fees (one piece per month)', () => {
		expect(periodShare(november, 1).pieces).toHaveLength(2);
		const error = polluted(-1, () => failure(() => periodShare(november, 1)));
		expect(error).toBeInstanceOf(FamulorApiError);
		expect((error as FamulorApiError).message).toMatch(/^Prorating the period by month did not advance/);
	});

	it('a trigger period that would not hold its instant', () => {
		const at = Date.parse('2026-11-26T12:00:00Z');
		expect(periodContaining('day', at, 'Europe/Berlin').id).toBe('2026-11-26');
		const error = polluted(-2, () => failure(() => periodContaining('day', at, 'Europe/Berlin')));
		expect(error).toBeInstanceOf(FamulorApiError);
		expect((error as FamulorApiError).kind).toBe('noProgress');
	});
});
