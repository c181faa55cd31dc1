/**
 * Spike windows in every IANA zone (SPEC §15, Time): every window of every kind (15 minutes, hour,
 * six hours, day) of every zone Node knows, over 2026 and 2027, is walked end to end. Windows are
 * contiguous and non-empty, each holds the instant it was computed for and its own last instant,
 * starts and ends are whole minutes; 15-minute and hour windows last at most their nominal length.
 * Around every UTC offset change (found here from Intl's wall clock at each UTC noon, independently of
 * the code under test) and at every window of an unusual length, each window is checked against that
 * wall clock: all its instants share one wall-clock hour (or 15 minutes, six hours, day), and the
 * instants just outside it do not. matching() returns distinct windows, each starting before the one
 * asked about, newest first.
 *
 * Then the cases that took n8n down (issue 23): hour windows at Lord Howe's half-hour DST end and
 * Chatham's 45-minute offsets, and loops that must end even when something has added keys to
 * Object.prototype.
 */
import { DateTime } from 'luxon';
import { FamulorApiError } from '../../src/errors';
import { dueWindows, Windows, ZoneOffsets, type SpikeWindow } from '../../src/triggers/spike';

const FROM = Date.UTC(2026, 0, 1);
const TO = Date.UTC(2028, 0, 1);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const KINDS: SpikeWindow[] = ['fifteenMinutes', 'hour', 'sixHours', 'day'];
const NOMINAL = new Map<SpikeWindow, number>([
	['fifteenMinutes', 15 * MINUTE],
	['hour', HOUR],
	['sixHours', 6 * HOUR],
	['day', DAY],
]);
/** Six-hour and day windows follow the calendar across a DST change: at most this much longer or shorter. */
const LONGEST_SHIFT = 2 * HOUR;
// Module-level: jest runs tests in a VM context where every global lookup in a hot loop is slow.
const { abs } = Math;

/** A zone's wall clock by Intl (its own formatter, independent of the code under test). */
function wallClock(zone: string): (ms: number) => { day: string; hour: number; minute: number; offset: number } {
	const format = new Intl.DateTimeFormat('en-US', {
		timeZone: zone,
		hourCycle: 'h23',
		year: 'numeric',
		month: 'numeric',
		day: 'numeric',
		hour: 'numeric',
		minute: 'numeric',
		second: 'numeric',
	});
	return (ms) => {
		const [month, day, year, hour, minute, second] = (format.format(ms).match(/\d+/g) ?? []).map(Number);
		const seconds = Date.UTC(year, month - 1, day, hour, minute, second) / 1000 - Math.floor(ms / 1000);
		return { day: `${year}-${month}-${day}`, hour, minute, offset: seconds / 60 };
	};
}

/** The wall-clock label of an instant: the same for every instant of a window, and only for them. */
function label(kind: SpikeWindow, ms: number, clock: ReturnType<typeof wallClock>): string {
	const at = clock(ms);
	switch (kind) {
		case 'fifteenMinutes':
			return `${at.day} ${at.hour}:${Math.floor(at.minute / 15)} ${at.offset}`;
		case 'hour':
			return `${at.day} ${at.hour} ${at.offset}`;
		case 'sixHours':
			return `${at.day} ${Math.floor(at.hour / 6)}`;
		case 'day':
			return at.day;
	}
}

/**
 * What is wrong with `window` by luxon's wall clock ('' if nothing): every 15 minutes of an hour or
 * 15-minute window, every hour of a longer one and the minutes around each offset change in it, share
 * its label; the instants just outside it do not.
 */
function wallClockProblem(
	kind: SpikeWindow,
	clock: ReturnType<typeof wallClock>,
	window: { start: number; end: number },
	changeAt: number[],
): string {
	const inside = label(kind, window.start, clock);
	const step = kind === 'fifteenMinutes' || kind === 'hour' ? 15 * MINUTE : HOUR;
	const probes = [window.end - 1];
	for (let at = window.start; at < window.end; at += step) probes.push(at);
	for (const change of changeAt) {
		if (change > window.start && change < window.end) probes.push(change - MINUTE, change);
	}
	const outlier = probes.find((at) => label(kind, at, clock) !== inside);
	if (outlier !== undefined) return `instant ${new Date(outlier).toISOString()} has another label`;
	if (label(kind, window.start - 1, clock) === inside) return 'the instant before it has the same label';
	if (label(kind, window.end, clock) === inside) return 'the instant after it has the same label';
	return '';
}

/** The instants a zone's offset changes (probed at each UTC noon, then bisected to the minute). */
function changes(clock: ReturnType<typeof wallClock>): number[] {
	const offset = (ms: number) => clock(ms).offset;
	const found: number[] = [];
	for (let noon = FROM - DAY / 2; noon <= TO; noon += DAY) {
		const before = offset(noon);
		if (offset(noon + DAY) === before) continue;
		let low = noon / MINUTE;
		let high = (noon + DAY) / MINUTE;
		while (high - low > 1) {
			const mid = Math.floor((low + high) / 2);
			if (offset(mid * MINUTE) === before) low = mid;
			else high = mid;
		}
		found.push(high * MINUTE);
	}
	return found;
}

interface Tally {
	windows: number;
	wallChecked: number;
	matchingChecked: number;
	irregular: number;
}

const where = (zone: string, kind: string, window: { start: number }) =>
	`${zone} ${kind} ${new Date(window.start).toISOString()}`;

/** matching() of `window`: distinct windows, each before the last, as many as there are days to look back. */
function matchingProblems(windows: Windows, window: { start: number }, nominal: number, problems: string[]): void {
	for (const [seasonality, days] of [
		['sameTimeOfDay', 7],
		['sameWeekday', 21],
		['none', 1],
	] as const) {
		const matching = windows.matching(window.start, seasonality, days);
		const expected = seasonality === 'none' ? DAY / nominal : seasonality === 'sameWeekday' ? 3 : 7;
		const slack = seasonality === 'none' ? LONGEST_SHIFT / nominal + 1 : 0;
		if (abs(matching.length - expected) > slack) {
			problems.push(`${where(windows.timezone, windows.kind, window)}: ${matching.length} ${seasonality} windows`);
		}
		let newest = window.start;
		for (const start of matching) {
			if (!(start < newest) || windows.of(start).start !== start) {
				problems.push(`${where(windows.timezone, windows.kind, window)}: ${seasonality} ${start} is not earlier`);
			}
			newest = start;
		}
	}
}

/** Walks every window of one kind in one zone over 2026–2027 (see the header for what is checked). */
function walkZone(
	windows: Windows,
	clock: ReturnType<typeof wallClock>,
	changeAt: number[],
	problems: string[],
	tally: Tally,
): void {
	const { kind, timezone: zone } = windows;
	const nominal = NOMINAL.get(kind) as number;
	const split = kind === 'fifteenMinutes' || kind === 'hour';
	// Windows this close to an offset change are checked against the wall clock.
	const reach = Math.max(nominal, 2 * HOUR);
	let change = 0;
	let previousEnd = NaN;
	let afterIrregular = false;
	let index = 0;
	for (let at = FROM; at < TO; ) {
		const window = windows.of(at);
		index++;
		const { start, end } = window;
		const length = end - start;
		if (!(start <= at && at < end)) problems.push(`${where(zone, kind, window)}: does not hold ${at}`);
		if (index > 1 && start !== previousEnd) problems.push(`${where(zone, kind, window)}: gap or overlap`);
		if (start % MINUTE !== 0 || end % MINUTE !== 0) problems.push(`${where(zone, kind, window)}: not on a minute`);
		if (split ? length > nominal : abs(length - nominal) > LONGEST_SHIFT) {
			problems.push(`${where(zone, kind, window)}: lasts ${length / MINUTE} min`);
		}
		const last = windows.of(end - 1);
		if (last.start !== start || last.end !== end) problems.push(`${where(zone, kind, window)}: not its last instant's`);
		const irregular = length !== nominal;
		if (irregular) tally.irregular++;
		while (change < changeAt.length && (changeAt[change] as number) + reach < start) change++;
		if (irregular || index === 1 || (change < changeAt.length && (changeAt[change] as number) - reach < end)) {
			tally.wallChecked++;
			const problem = wallClockProblem(kind, clock, window, changeAt);
			if (problem) problems.push(`${where(zone, kind, window)}: ${problem}`);
		}
		if (irregular || afterIrregular || index % 1009 === 0) {
			tally.matchingChecked++;
			matchingProblems(windows, window, nominal, problems);
		}
		afterIrregular = irregular;
		previousEnd = end;
		at = end;
	}
	tally.windows += index;
}

describe('every window of every IANA zone, 2026–2027', () => {
	// Every zone Node knows (Intl.supportedValuesOf, ES2022; the test tsconfig's lib predates it).
	const zones = (Intl as unknown as { supportedValuesOf(key: 'timeZone'): string[] }).supportedValuesOf('timeZone');

	it('Node knows the IANA zones, among them the half-hour and 45-minute ones', () => {
		expect(zones.length).toBeGreaterThan(300);
		expect(zones).toEqual(expect.arrayContaining(['Australia/Lord_Howe', 'Pacific/Chatham', 'Asia/Calcutta']));
	});

	it('windows tile time, hold their instants and follow the wall clock; matching() lists earlier windows', () => {
		const problems: string[] = [];
		const tally: Tally = { windows: 0, wallChecked: 0, matchingChecked: 0, irregular: 0 };
		const offsetsSeen = new Set<number>();
		for (const zone of zones) {
			const clock = wallClock(zone);
			const changeAt = changes(clock);
			for (const at of [FROM, ...changeAt]) offsetsSeen.add(clock(at).offset);
			// One set of offsets for the four kinds of window (each kind alone would find the same).
			const offsets = new ZoneOffsets(zone);
			for (const kind of KINDS) walkZone(new Windows(kind, zone, offsets), clock, changeAt, problems, tally);
		}
		expect(problems.slice(0, 20)).toEqual([]);
		// Each zone and kind walked two years: at least 2 × 365 days of 96 + 24 + 4 + 1 windows.
		expect(tally.windows).toBeGreaterThan(zones.length * 730 * 125);
		expect(tally.wallChecked).toBeGreaterThan(10_000);
		expect(tally.matchingChecked).toBeGreaterThan(30_000);
		// Hour windows at Lord Howe's and Chatham's changes, and the days and nights of every DST change.
		expect(tally.irregular).toBeGreaterThan(1_000);
		// The fact a 15-minute cache once rested on (every offset a multiple of 15 minutes) holds today,
		// though nothing relies on it any more.
		expect([...offsetsSeen].filter((offset) => offset % 15 !== 0)).toEqual([]);
	});
});

const iso = (ms: number) => new Date(ms).toISOString();
const walk = (kind: SpikeWindow, zone: string, from: string, count: number) => {
	const windows = new Windows(kind, zone);
	const out: string[] = [];
	for (let at = Date.parse(from), i = 0; i < count; i++) {
		const window = windows.of(at);
		out.push(`${iso(window.start)} ${DateTime.fromMillis(window.start, { zone }).toFormat('HH:mmZZ')}`);
		at = window.end;
	}
	return out;
};

describe('half-hour and 45-minute DST changes', () => {
	it("Lord Howe's clocks go back half an hour at 02:00: 01:00–02:00 (+11), then 01:30–02:00 (+10:30)", () => {
		expect(walk('hour', 'Australia/Lord_Howe', '2026-04-04T13:00:00Z', 4)).toEqual([
			'2026-04-04T13:00:00.000Z 00:00+11:00',
			'2026-04-04T14:00:00.000Z 01:00+11:00',
			'2026-04-04T15:00:00.000Z 01:30+10:30',
			'2026-04-04T15:30:00.000Z 02:00+10:30',
		]);
		// The instant that the old windows left out of its own window (01:45 +10:30) is in one.
		const windows = new Windows('hour', 'Australia/Lord_Howe');
		const at = Date.parse('2026-04-04T15:15:00Z');
		expect(windows.of(at)).toEqual({
			start: Date.parse('2026-04-04T15:00:00Z'),
			end: Date.parse('2026-04-04T15:30:00Z'),
		});
	});

	it("Lord Howe's clocks go forward half an hour at 02:00: 01:00–02:00 (+10:30), then 02:30–03:00 (+11)", () => {
		expect(walk('hour', 'Australia/Lord_Howe', '2026-10-03T14:30:00Z', 3)).toEqual([
			'2026-10-03T14:30:00.000Z 01:00+10:30',
			'2026-10-03T15:30:00.000Z 02:30+11:00',
			'2026-10-03T16:00:00.000Z 03:00+11:00',
		]);
	});

	it('Chatham (+13:45 → +12:45 at 03:45): 03:00–03:45, 02:45–03:00, 03:00–04:00', () => {
		expect(walk('hour', 'Pacific/Chatham', '2026-04-04T13:15:00Z', 3)).toEqual([
			'2026-04-04T13:15:00.000Z 03:00+13:45',
			'2026-04-04T14:00:00.000Z 02:45+12:45',
			'2026-04-04T14:15:00.000Z 03:00+12:45',
		]);
	});

	it('six-hour and day windows follow the calendar there (a 24½-hour day, a 7-hour night)', () => {
		const day = new Windows('day', 'Australia/Lord_Howe').of(Date.parse('2026-04-04T15:15:00Z'));
		expect((day.end - day.start) / HOUR).toBe(24.5);
		const night = new Windows('sixHours', 'Pacific/Chatham').of(Date.parse('2026-04-04T14:10:00Z'));
		expect([iso(night.start), (night.end - night.start) / HOUR]).toEqual(['2026-04-04T10:15:00.000Z', 7]);
	});

	it('Berlin keeps two hour windows for 02:00–03:00 the night the clocks go back', () => {
		expect(walk('hour', 'Europe/Berlin', '2026-10-24T23:00:00Z', 4)).toEqual([
			'2026-10-24T23:00:00.000Z 01:00+02:00',
			'2026-10-25T00:00:00.000Z 02:00+02:00',
			'2026-10-25T01:00:00.000Z 02:00+01:00',
			'2026-10-25T02:00:00.000Z 03:00+01:00',
		]);
	});

	it('due windows across Lord Howe’s DST end: each once, in order, the list ends', () => {
		const windows = new Windows('hour', 'Australia/Lord_Howe');
		const due = dueWindows(windows, Date.parse('2026-04-04T12:00:00Z'), Date.parse('2026-04-04T18:30:00Z'));
		expect(due.map((window) => iso(window.start))).toEqual([
			'2026-04-04T12:00:00.000Z',
			'2026-04-04T13:00:00.000Z',
			'2026-04-04T14:00:00.000Z',
			'2026-04-04T15:00:00.000Z',
			'2026-04-04T15:30:00.000Z',
			'2026-04-04T16:30:00.000Z',
			'2026-04-04T17:30:00.000Z',
		]);
	});
});

describe('loops end: a guard, not a hope', () => {
	const POLLUTING = ['years', 'quarters', 'months', 'weeks', 'days', 'hours', 'minutes', 'seconds', 'milliseconds'];

	it('windows are the same after something added date-unit keys to Object.prototype', () => {
		const compute = () =>
			KINDS.flatMap((kind) => {
				const windows = new Windows(kind, 'Australia/Lord_Howe');
				const at = Date.parse('2026-04-04T15:15:00Z');
				return [windows.of(at), windows.matching(windows.of(at).start, 'sameTimeOfDay', 3)];
			});
		const clean = compute();
		const prototype = Object.prototype as Record<string, unknown>;
		try {
			for (const key of POLLUTING) prototype[key] = -1;
			expect(compute()).toEqual(clean);
		} finally {
			for (const key of POLLUTING) delete prototype[key];
		}
	});

	it('dueWindows stops with a typed error when a window does not advance', () => {
		const stuck = { of: (ms: number) => ({ start: ms - HOUR, end: ms - HOUR }) } as unknown as Windows;
		const error = (() => {
			try {
				dueWindows(stuck, Date.parse('2026-04-04T12:00:00Z'), Date.parse('2026-04-04T18:30:00Z'));
			} catch (thrown) {
				return thrown;
			}
			return undefined;
		})();
		expect(error).toBeInstanceOf(FamulorApiError);
		expect((error as FamulorApiError).kind).toBe('noProgress');
		expect((error as FamulorApiError).message).toMatch(/^Listing the spike windows due did not advance/);
	});

	it('matching() with the preceding windows ends even over windows that do not move', () => {
		const windows = new Windows('hour', 'Europe/Berlin');
		const original = windows.of.bind(windows);
		let calls = 0;
		windows.of = (ms: number) => {
			calls++;
			return calls > 3 ? { start: ms + 1, end: ms + 2 } : original(ms);
		};
		expect(() => windows.matching(Date.parse('2026-06-01T12:00:00Z'), 'none', 2)).toThrow(
			expect.objectContaining({ kind: 'noProgress' }),
		);
	});

	it('an unknown timezone is a typed error, not a loop', () => {
		expect(() => new Windows('hour', 'Mars/Olympus_Mons')).toThrow(FamulorApiError);
	});
});
