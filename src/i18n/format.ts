/**
 * Numbers, money and dates as a person reads them, in English or German. Formatted by hand, not with
 * `Intl`: a Node built with small ICU (English only) formats `de-DE` as English, and luxon's month names
 * follow the server's locale. Hand-made, the output is the same on every n8n install.
 *
 *   English (as before): 1234.56 EUR · 12.5 · 6 Dec 2026 · 6 Dec · November 2026 · Mon 2 Nov · 6 Dec 2026 14:05
 *   German:              1.234,56 €  · 12,5 · 06.12.2026  · 06.12. · November 2026 · Mo 02.11.  · 06.12.2026 14:05
 *
 * Only what a person reads changes with the language; machine fields (JSON numbers, ISO dates, ids)
 * never pass through here.
 */
import { DateTime } from 'luxon';
import { toCents, type Units } from '../money';
import { de } from './de';
import { en } from './en';

export type Language = 'en' | 'de';
export const LANGUAGES: readonly Language[] = ['en', 'de'];

const calendar = (language: Language) => (language === 'de' ? de : en).calendar;

const two = (value: number) => String(value).padStart(2, '0');
const at = (ms: number, zone: string) => DateTime.fromMillis(ms, { zone });

/** The calendar fields of an instant in a timezone (year, month, day, ISO week, …). */
export function dateParts(ms: number, zone: string): DateTime {
	return at(ms, zone);
}

/** Groups the digits of a whole number in threes: "1234567" → "1.234.567" with ".". */
function groupDigits(digits: string, separator: string): string {
	let out = '';
	for (let index = 0; index < digits.length; index++) {
		if (index > 0 && (digits.length - index) % 3 === 0) out += separator;
		out += digits.charAt(index);
	}
	return out;
}

/**
 * A decimal written the English way without grouping ("-1234.5", "12", "0.0141") in the language:
 * English unchanged, German with a decimal comma and dots between thousands ("-1.234,5").
 */
export function localizeDecimal(text: string, language: Language): string {
	if (language === 'en') return text;
	const match = /^([+-]?)(\d+)(?:\.(\d+))?$/.exec(text);
	if (!match) return text;
	const [, sign = '', whole = '', fraction] = match;
	return `${sign}${groupDigits(whole, '.')}${fraction === undefined ? '' : `,${fraction}`}`;
}

/** Whole cents as "1234.56" (English, no grouping), exactly. */
function centsText(cents: number): string {
	const sign = cents < 0 ? '-' : '';
	const abs = Math.abs(cents);
	return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Whole cents with the currency: "1234.56 EUR" (English, as before) or "1.234,56 €" (German). */
export function formatCentsIn(cents: number, currency: string, language: Language): string {
	const number = localizeDecimal(centsText(cents), language);
	if (language === 'en') return `${number} ${currency}`;
	return `${number} ${currency.toUpperCase() === 'EUR' ? '€' : currency}`;
}

/** Money units rounded to the cent (half away from zero) with the currency. */
export function formatMoneyIn(units: Units, currency: string, language: Language): string {
	return formatCentsIn(toCents(units), currency, language);
}

/** A JSON amount (already rounded to the cent) with the currency. */
export function formatAmountIn(amount: number, currency: string, language: Language): string {
	return formatCentsIn(Math.round(amount * 100), currency, language);
}

/** "6 Dec 2026" / "06.12.2026". */
export function formatDate(ms: number, zone: string, language: Language): string {
	const day = at(ms, zone);
	return language === 'de'
		? `${two(day.day)}.${two(day.month)}.${day.year}`
		: `${day.day} ${calendar('en').shortMonths[day.month - 1]} ${day.year}`;
}

/** "6 Dec" / "06.12." — a day of the month, without the year. */
export function formatDayMonth(ms: number, zone: string, language: Language): string {
	const day = at(ms, zone);
	return language === 'de'
		? `${two(day.day)}.${two(day.month)}.`
		: `${day.day} ${calendar('en').shortMonths[day.month - 1]}`;
}

/** "November 2026" in both languages, with the language's month name ("März 2026"). */
export function formatMonthYear(ms: number, zone: string, language: Language): string {
	const day = at(ms, zone);
	return `${calendar(language).months[day.month - 1]} ${day.year}`;
}

/** "Nov 2026" / "Nov. 2026". */
export function formatShortMonthYear(ms: number, zone: string, language: Language): string {
	const day = at(ms, zone);
	return `${calendar(language).shortMonths[day.month - 1]} ${day.year}`;
}

/** "Mon 2 Nov" / "Mo 02.11." — a bar of a daily chart. */
export function formatWeekdayDay(ms: number, zone: string, language: Language): string {
	const day = at(ms, zone);
	const weekday = calendar(language).weekdays[day.weekday - 1];
	return `${weekday} ${formatDayMonth(ms, zone, language)}`;
}

/** "14:05", 24-hour clock in both languages. */
export function formatTime(ms: number, zone: string): string {
	const time = at(ms, zone);
	return `${two(time.hour)}:${two(time.minute)}`;
}

/** "6 Dec 2026 14:05" / "06.12.2026 14:05". */
export function formatDateTime(ms: number, zone: string, language: Language): string {
	return `${formatDate(ms, zone, language)} ${formatTime(ms, zone)}`;
}

/** "6 Dec 14:05" / "06.12. 14:05". */
export function formatDayMonthTime(ms: number, zone: string, language: Language): string {
	return `${formatDayMonth(ms, zone, language)} ${formatTime(ms, zone)}`;
}

/**
 * An instant as ISO 8601 with the offset of the timezone, to the second: "2026-12-06T14:05:00+01:00"
 * ("Z" in UTC). The one form of every timestamp the nodes output.
 */
export function isoInZone(ms: number, zone: string): string {
	return at(ms - (((ms % 1000) + 1000) % 1000), zone).toISO({ suppressMilliseconds: true }) as string;
}
