/**
 * The one home of human-readable wording: the Language option, the catalogues (en.ts, de.ts) and the
 * formatting of numbers, money and dates (format.ts). Renderers take a `Locale` and never write a word,
 * a decimal separator or a month name themselves:
 *
 *   const l = localeOf('de');
 *   l.money(units, 'EUR');            // "1.234,56 €"
 *   l.m.chargeSummary.total;          // "Summe"
 *   l.periodLabel(period);            // "Abrechnungszeitraum 15.10.2026 – 14.11.2026"
 *
 * Node parameters and errors stay English (n8n's rule); only outputs a person reads change.
 */
import { InvalidParameterError } from '../errors';
import type { Units } from '../money';
import type { Catalogue, PeriodKind } from './catalogue';
import { de } from './de';
import { en } from './en';
import * as format from './format';
import { LANGUAGES, type Language } from './format';

export * from './catalogue';
export { isoInZone, LANGUAGES, localizeDecimal, type Language } from './format';

export const CATALOGUES: Readonly<Record<Language, Catalogue>> = { en, de };

/** How a period is named, kept next to its bounds so it can be named in any language. */
export interface PeriodNaming {
	kind: PeriodKind;
	/** lastDays and window: the number of days. */
	days?: number;
	/** custom: the period starts and ends at midnight (dates only), else it is named with times. */
	wholeDays?: boolean;
}

export interface NamedPeriod {
	label: string;
	startMs: number;
	endMs: number;
	timezone: string;
	naming?: PeriodNaming;
}

/** The Language option: `en` (also when empty) or `de`; anything else is refused with the fix. */
export function assertLanguage(value: unknown, parameter = 'options.language'): Language {
	if (value === undefined || value === null || value === '') return 'en';
	if (typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value.trim().toLowerCase())) {
		return value.trim().toLowerCase() as Language;
	}
	throw new InvalidParameterError(
		parameter,
		`Language "${String(value)}" is not supported`,
		'Choose English (en) or German (de); an expression must return "en" or "de".',
	);
}

/** A period's label in the language: English from the catalogue, German from the bounds. */
export function periodLabelIn(naming: PeriodNaming, startMs: number, endMs: number, zone: string, language: Language) {
	const m = CATALOGUES[language].period;
	const date = (ms: number) => format.formatDate(ms, zone, language);
	// The last day of a period that ends at midnight: the day of the millisecond before its end.
	const lastDay = endMs - 1;
	switch (naming.kind) {
		case 'day':
			return date(startMs);
		case 'week': {
			const { week, year } = isoWeek(startMs, zone);
			return m.week(week, year, format.formatDayMonth(startMs, zone, language), date(lastDay));
		}
		case 'month':
			return format.formatMonthYear(startMs, zone, language);
		case 'cycle':
			return m.cycle(date(startMs), date(lastDay));
		case 'lastDays':
			return m.lastDays(naming.days ?? 0);
		case 'window':
			return m.window(naming.days ?? 0);
		case 'custom':
			return naming.wholeDays
				? m.range(date(startMs), date(lastDay))
				: m.range(format.formatDateTime(startMs, zone, language), format.formatDateTime(endMs, zone, language));
	}
}

function isoWeek(ms: number, zone: string): { week: number; year: number } {
	const day = format.dateParts(ms, zone);
	return { week: day.weekNumber, year: day.weekYear };
}

export interface Locale {
	language: Language;
	m: Catalogue;
	/** An English-written decimal ("1234.5") in the language ("1.234,5"). */
	num(text: string): string;
	/** A whole count ("1428" / "1.428"). */
	int(count: number): string;
	/** A percentage from an English-written number: "10%" / "10 %". */
	percent(text: string | number): string;
	money(units: Units, currency: string): string;
	/** A JSON amount, rounded to the cent. */
	amount(amount: number, currency: string): string;
	date(ms: number, zone: string): string;
	dayMonth(ms: number, zone: string): string;
	shortMonthYear(ms: number, zone: string): string;
	weekdayDay(ms: number, zone: string): string;
	time(ms: number, zone: string): string;
	dateTime(ms: number, zone: string): string;
	dayMonthTime(ms: number, zone: string): string;
	/** The label of a period in this language (English: the period's own label). */
	periodLabel(period: NamedPeriod): string;
	calls(count: number): string;
	numbers(count: number): string;
}

export function localeOf(language: Language = 'en'): Locale {
	const num = (text: string) => format.localizeDecimal(text, language);
	const m = CATALOGUES[language];
	const locale: Locale = {
		language,
		m,
		num,
		int: (count) => num(String(count)),
		percent: (text) => m.percent(num(String(text))),
		money: (units, currency) => format.formatMoneyIn(units, currency, language),
		amount: (amount, currency) => format.formatAmountIn(amount, currency, language),
		date: (ms, zone) => format.formatDate(ms, zone, language),
		dayMonth: (ms, zone) => format.formatDayMonth(ms, zone, language),
		shortMonthYear: (ms, zone) => format.formatShortMonthYear(ms, zone, language),
		weekdayDay: (ms, zone) => format.formatWeekdayDay(ms, zone, language),
		time: (ms, zone) => format.formatTime(ms, zone),
		dateTime: (ms, zone) => format.formatDateTime(ms, zone, language),
		dayMonthTime: (ms, zone) => format.formatDayMonthTime(ms, zone, language),
		periodLabel: (period) =>
			language === 'en' || !period.naming
				? period.label
				: periodLabelIn(period.naming, period.startMs, period.endMs, period.timezone, language),
		calls: (count) => m.count.calls(count, num(String(count))),
		numbers: (count) => m.count.numbers(count, num(String(count))),
	};
	return locale;
}
