/**
 * The language layer (src/i18n): the two catalogues are complete against each other, and numbers,
 * money and dates read as written out here by hand for each language — never as the code or the
 * machine's ICU data would print them.
 */
import { DateTime } from 'luxon';
import { InvalidParameterError } from '../../src/errors';
import { assertLanguage, CATALOGUES, isoInZone, localeOf, periodLabelIn } from '../../src/i18n';
import { resolvePeriod } from '../../src/periods';

const TZ = 'Europe/Berlin';
const ms = (iso: string) => DateTime.fromISO(iso, { setZone: true }).toMillis();

/** Every path of an object, with `()/n` for a function of n parameters. */
function shape(value: unknown, path = ''): string[] {
	if (typeof value === 'function') return [`${path}()/${value.length}`];
	if (value && typeof value === 'object') {
		return Object.keys(value)
			.sort()
			.flatMap((key) => shape((value as Record<string, unknown>)[key], path ? `${path}.${key}` : key));
	}
	return [`${path}:${typeof value}`];
}

describe('catalogues', () => {
	test('German has every entry English has, with the same parameters, and nothing else', () => {
		const english = shape(CATALOGUES.en);
		const german = shape(CATALOGUES.de);
		expect(german.filter((entry) => !english.includes(entry))).toEqual([]);
		expect(english.filter((entry) => !german.includes(entry))).toEqual([]);
		expect(english.length).toBeGreaterThan(150);
	});

	test('a catalogue missing an entry, or taking other parameters, is told apart (the check is not vacuous)', () => {
		const missing = { ...CATALOGUES.de, chargeSummary: { ...CATALOGUES.de.chargeSummary } } as Record<string, unknown>;
		delete (missing.chargeSummary as Record<string, unknown>).total;
		expect(shape(missing)).not.toEqual(shape(CATALOGUES.en));
		const arity = { ...CATALOGUES.de, percent: () => '%' };
		expect(shape(arity)).not.toEqual(shape(CATALOGUES.en));
	});

	test('no German entry is left in English', () => {
		const strings = (value: unknown): string[] =>
			typeof value === 'string'
				? [value]
				: value && typeof value === 'object'
					? Object.values(value).flatMap(strings)
					: [];
		const english = new Set(strings(CATALOGUES.en));
		// Words that are the same in both languages.
		const same = new Set(['Status', 'Reverse Charge', 'April', 'August', 'September', 'November']);
		expect(strings(CATALOGUES.de).filter((text) => english.has(text) && !same.has(text))).toEqual([]);
	});
});

describe('numbers and money', () => {
	const en = localeOf('en');
	const de = localeOf('de');

	test('English money stays as before: two decimals, no grouping, the code after the amount', () => {
		expect(en.money(123_456_000_000, 'EUR')).toBe('1234.56 EUR');
		expect(en.amount(0.5, 'USD')).toBe('0.50 USD');
		expect(en.amount(-12, 'EUR')).toBe('-12.00 EUR');
	});

	test('German money: decimal comma, dots between thousands, € for euros, the code otherwise', () => {
		expect(de.money(123_456_000_000, 'EUR')).toBe('1.234,56 €');
		expect(de.amount(1234567.8, 'EUR')).toBe('1.234.567,80 €');
		expect(de.amount(999.99, 'EUR')).toBe('999,99 €');
		expect(de.amount(0.05, 'CHF')).toBe('0,05 CHF');
		expect(de.amount(-3.99, 'EUR')).toBe('-3,99 €');
		// Half a cent rounds away from zero (1e-8 units).
		expect(de.money(500_000, 'EUR')).toBe('0,01 €');
		expect(de.money(-500_000, 'EUR')).toBe('-0,01 €');
	});

	test('decimals, counts and percentages', () => {
		expect(de.num('1234.5')).toBe('1.234,5');
		expect(de.num('0.0141')).toBe('0,0141');
		expect(de.int(1428)).toBe('1.428');
		expect(en.int(1428)).toBe('1428');
		expect(de.percent(19)).toBe('19 %');
		expect(de.percent('7.5')).toBe('7,5 %');
		expect(en.percent(19)).toBe('19%');
		expect(de.calls(1)).toBe('1 Anruf');
		expect(de.calls(2000)).toBe('2.000 Anrufe');
		expect(en.calls(1)).toBe('1 call');
	});
});

describe('dates', () => {
	const en = localeOf('en');
	const de = localeOf('de');
	const sixth = ms('2026-12-06T14:05:00+01:00');

	test('English dates as before, German dates with dots and German month names', () => {
		expect(en.date(sixth, TZ)).toBe('6 Dec 2026');
		expect(de.date(sixth, TZ)).toBe('06.12.2026');
		expect(en.dayMonth(sixth, TZ)).toBe('6 Dec');
		expect(de.dayMonth(sixth, TZ)).toBe('06.12.');
		expect(de.dateTime(sixth, TZ)).toBe('06.12.2026 14:05');
		expect(en.dateTime(sixth, TZ)).toBe('6 Dec 2026 14:05');
		expect(en.weekdayDay(sixth, TZ)).toBe('Sun 6 Dec');
		expect(de.weekdayDay(sixth, TZ)).toBe('So 06.12.');
		expect(de.shortMonthYear(ms('2026-03-10T12:00:00+01:00'), TZ)).toBe('März 2026');
		expect(de.shortMonthYear(sixth, TZ)).toBe('Dez. 2026');
		expect(en.shortMonthYear(sixth, TZ)).toBe('Dec 2026');
	});

	test('the timezone decides the day', () => {
		const lateUtc = ms('2026-12-31T23:30:00Z');
		expect(de.date(lateUtc, TZ)).toBe('01.01.2027');
		expect(de.date(lateUtc, 'America/New_York')).toBe('31.12.2026');
	});

	test('timestamps: ISO 8601 with the offset of the timezone, to the second', () => {
		expect(isoInZone(ms('2026-12-06T13:05:00.123Z'), TZ)).toBe('2026-12-06T14:05:00+01:00');
		expect(isoInZone(ms('2026-07-06T13:05:00Z'), TZ)).toBe('2026-07-06T15:05:00+02:00');
		expect(isoInZone(ms('2026-07-06T13:05:00Z'), 'UTC')).toBe('2026-07-06T13:05:00Z');
	});

	test('periods are named in each language; the English label is the period label of before', () => {
		const now = ms('2026-12-10T12:00:00+01:00');
		const de = localeOf('de');
		const named = (name: Parameters<typeof resolvePeriod>[0], extra = {}) =>
			resolvePeriod(name, { now, timezone: TZ, billingCycleDay: 15, ...extra });
		expect(named('lastMonth').label).toBe('November 2026');
		expect(de.periodLabel(named('lastMonth'))).toBe('November 2026');
		expect(named('lastBillingCycle').label).toBe('billing cycle 15 Oct 2026 – 14 Nov 2026');
		expect(de.periodLabel(named('lastBillingCycle'))).toBe('Abrechnungszeitraum 15.10.2026 – 14.11.2026');
		expect(named('lastWeek').label).toBe('week 49 of 2026 (30 Nov – 6 Dec 2026)');
		expect(de.periodLabel(named('lastWeek'))).toBe('KW 49/2026 (30.11. – 06.12.2026)');
		expect(de.periodLabel(named('yesterday'))).toBe('09.12.2026');
		expect(de.periodLabel(named('last7Days'))).toBe('letzte 7 Tage');
		const custom = named('custom', { startDate: '2026-11-01', endDate: '2026-11-11' });
		expect(custom.label).toBe('1 Nov 2026 – 10 Nov 2026');
		expect(de.periodLabel(custom)).toBe('01.11.2026 – 10.11.2026');
		const hours = named('custom', { startDate: '2026-11-01T08:00', endDate: '2026-11-10T18:30' });
		expect(de.periodLabel(hours)).toBe('01.11.2026 08:00 – 10.11.2026 18:30');
		expect(periodLabelIn({ kind: 'window', days: 30 }, now, now, TZ, 'de')).toBe('die letzten 30 × 24 Stunden');
	});
});

describe('the Language option', () => {
	test('en by default, de, anything else refused with the fix', () => {
		expect(assertLanguage(undefined)).toBe('en');
		expect(assertLanguage('')).toBe('en');
		expect(assertLanguage('de')).toBe('de');
		expect(assertLanguage(' DE ')).toBe('de');
		expect(() => assertLanguage('fr')).toThrow(InvalidParameterError);
		expect(() => assertLanguage('fr')).toThrow('Language "fr" is not supported');
	});
});
