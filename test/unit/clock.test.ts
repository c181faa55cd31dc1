/**
 * Famulor's clock, bounded (src/clock.ts, SPEC §15 Time): a `Date` header is read only in the form
 * servers send (IMF-fixdate) and only for a real calendar date, and it is believed only within
 * MAX_CLOCK_SKEW_MS (5 minutes) of the local clock; further off, the local clock stands.
 */
import { believableSkew, MAX_CLOCK_SKEW_MS, parseHttpDate, ServerClock } from '../../src/clock';

const LOCAL = Date.parse('2026-11-26T12:00:00Z');
const header = (ms: number) => new Date(ms).toUTCString();

describe('parseHttpDate', () => {
	it.each([
		['Thu, 26 Nov 2026 12:00:00 GMT', Date.parse('2026-11-26T12:00:00Z')],
		['Sun, 06 Nov 1994 08:49:37 GMT', Date.parse('1994-11-06T08:49:37Z')],
		['  Sat, 28 Feb 2026 23:59:59 GMT ', Date.parse('2026-02-28T23:59:59Z')],
	])('%p → %p', (text, expected) => {
		expect(parseHttpDate(text)).toBe(expected);
	});

	it.each([
		'Mon, 30 Feb 2026 12:00:00 GMT', // no such day (Date.parse would give 2 March)
		'Thu, 26 Nov 2026 24:00:00 GMT',
		'Thu, 26 Nov 2026 12:60:00 GMT',
		'Thu, 26 Nop 2026 12:00:00 GMT',
		'2026-11-26T12:00:00Z', // not the form of an HTTP date
		'Thursday, 26-Nov-26 12:00:00 GMT',
		'Thu Nov 26 12:00:00 2026',
		'26 Nov 2026',
		'1',
		'',
		undefined,
		1_795_000_000_000,
	])('%p → undefined', (text) => {
		expect(parseHttpDate(text)).toBeUndefined();
	});
});

describe('believableSkew', () => {
	it.each([
		[0, 0],
		[-MAX_CLOCK_SKEW_MS, -MAX_CLOCK_SKEW_MS],
		[MAX_CLOCK_SKEW_MS, MAX_CLOCK_SKEW_MS],
		[MAX_CLOCK_SKEW_MS + 1, undefined],
		[-86_400_000, undefined],
		[1e15, undefined],
		[NaN, undefined],
		[Infinity, undefined],
		['60000', undefined],
		[null, undefined],
	])('%p → %p', (value, expected) => {
		expect(believableSkew(value)).toBe(expected);
	});

	it('the bound is 5 minutes', () => {
		expect(MAX_CLOCK_SKEW_MS).toBe(300_000);
	});
});

describe('ServerClock', () => {
	it('uses the server clock within the bound, and goes on with the local clock', () => {
		let local = LOCAL;
		const clock = new ServerClock(() => local);
		expect(clock.now()).toBeUndefined();
		clock.observe(header(LOCAL + 2 * 60_000));
		expect(clock.now()).toBe(LOCAL + 2 * 60_000);
		local += 10_000;
		expect(clock.now()).toBe(LOCAL + 2 * 60_000 + 10_000);
	});

	it('ignores a Date header a day (or six minutes) ahead or behind, and keeps the last believable one', () => {
		let local = LOCAL;
		const clock = new ServerClock(() => local);
		clock.observe(header(LOCAL + 86_400_000));
		expect(clock.now()).toBeUndefined();
		expect(clock.rejectedSkew).toBe(86_400_000);
		clock.observe(header(LOCAL - 30_000));
		clock.observe(header(LOCAL - 6 * 60_000));
		expect(clock.rejectedSkew).toBe(-6 * 60_000);
		local += 1_000;
		expect(clock.now()).toBe(LOCAL - 30_000 + 1_000);
	});

	it('ignores headers it cannot read', () => {
		const clock = new ServerClock(() => LOCAL);
		for (const value of ['Mon, 30 Feb 2026 12:00:00 GMT', '2026-11-26T12:01:00Z', 42, undefined]) clock.observe(value);
		expect(clock.now()).toBeUndefined();
	});
});
