/**
 * Audit of rented numbers (SPEC §13): which ones cost a monthly fee and carry no calls, and which
 * renew soon — the question to answer before the renewal, since a started month is not refunded.
 *
 * The calls of the window (the last `idleDays` × 24 h up to now) are read once with the usage
 * summary's reader and counted per number as they stream by: one row per rented number is kept (and
 * the reader's set of call ids).
 * A call belongs to the number it was made or taken through (`assistant_phone_number`), compared by
 * digits, whatever its status. Numbers are keys of a Map, never of a plain object.
 */
import { DateTime } from 'luxon';
import type { Call } from './calls';
import type { CallSource } from './api/port';
import { parseDecimal } from './decimal';
import {
	CELL,
	emailDocument,
	escapeHtml,
	FONT,
	HEAD,
	heading,
	NUM,
	smallPrintRow,
	table,
	titleRows,
} from './chargeSummary/html';
import { escapeSlack, type TextFormat } from './chargeSummary/text';
import { InvalidParameterError } from './errors';
import { forEachCall } from './list/period';
import { isoInZone, localeOf, type Language, type Locale } from './i18n';
import { addUnits, toAmount, type Units } from './money';
import { phoneNumberItem, type PhoneNumberInfo } from './numbers';
import type { ResolvedPeriod } from './periods';
import { renewalOf, type RenewalEstimate } from './renewals';
import { HOUR_MS } from './clock';

export const DEFAULT_IDLE_DAYS = 30;
export const MAX_IDLE_DAYS = 365;
export const DEFAULT_RENEWING_WITHIN_DAYS = 7;
/** Every number renews within a month, so a longer look-ahead would count nothing more. */
export const MAX_RENEWING_WITHIN_DAYS = 31;

function wholeNumberIn(value: unknown, min: number, max: number): number | undefined {
	const number = parseDecimal(value);
	return number !== undefined && Number.isInteger(number) && number >= min && number <= max ? number : undefined;
}

const shown = (value: unknown) => (typeof value === 'number' ? String(value) : JSON.stringify(String(value ?? '')));

export function assertIdleDays(value: unknown): number {
	const days = wholeNumberIn(value, 1, MAX_IDLE_DAYS);
	if (days === undefined) {
		throw new InvalidParameterError(
			'idleDays',
			`Idle Days ${shown(value)} is not a whole number of days from 1 to ${MAX_IDLE_DAYS}`,
			`Enter after how many days without a call a rented number counts as idle, e.g. ${DEFAULT_IDLE_DAYS}.`,
		);
	}
	return days;
}

export function assertRenewingWithinDays(value: unknown): number {
	const days = wholeNumberIn(value, 0, MAX_RENEWING_WITHIN_DAYS);
	if (days === undefined) {
		throw new InvalidParameterError(
			'renewingWithinDays',
			`Renewing Within Days ${shown(value)} is not a whole number of days from 0 to ${MAX_RENEWING_WITHIN_DAYS}`,
			`Enter how many days ahead a renewal counts as soon, e.g. ${DEFAULT_RENEWING_WITHIN_DAYS} ` +
				`(0 = today only; ${MAX_RENEWING_WITHIN_DAYS} covers every number, since each renews monthly).`,
		);
	}
	return days;
}

/** The window of the audit: the last `idleDays` × 24 h up to `nowMs` (not calendar days), [start, end). */
export function auditWindow(nowMs: number, idleDays: number, timezone: string): ResolvedPeriod {
	const end = DateTime.fromMillis(nowMs, { zone: timezone });
	const start = DateTime.fromMillis(nowMs - idleDays * 24 * HOUR_MS, { zone: timezone });
	return {
		id: `last${idleDays}x24h`,
		label: `the last ${idleDays} × 24 hours`,
		start: start.toISO({ suppressMilliseconds: true }) as string,
		end: end.toISO({ suppressMilliseconds: true }) as string,
		timezone,
		startMs: start.toMillis(),
		endMs: end.toMillis(),
	};
}

/** The digits of a phone number ("+49 (30) 555-01" → "493055501"); empty for none. */
export function phoneDigits(phone: string | null | undefined): string {
	return (phone ?? '').replace(/\D/g, '');
}

export interface RentalAuditInput {
	/** The account's numbers, described with their fees; only rented ones are audited. */
	numbers: PhoneNumberInfo[];
	nowMs: number;
	timezone: string;
	idleDays: number;
	renewingWithinDays: number;
	currency: string;
	/** The language of `text` and `html` (default English). */
	language?: Language;
	/** `text` as Slack Markdown (default) or plain text. */
	textFormat?: TextFormat;
}

interface Row {
	info: PhoneNumberInfo;
	renewal: RenewalEstimate | null;
	calls: number;
	billableSeconds: number;
	cost: Units;
	lastCallMs: number | null;
}

export type RentalRow = ReturnType<typeof phoneNumberItem> & {
	callsInWindow: number;
	minutesInWindow: number;
	costInWindow: number;
	lastCallAt: string | null;
	idle: boolean;
};

export interface RentalAuditItem {
	checkedAt: string;
	currency: string;
	idleDays: number;
	rentedNumbers: number;
	monthlyFees: number;
	idleNumbers: number;
	idleMonthlyFees: number;
	renewingSoon: number;
	renewingSoonFees: number;
	numbers: RentalRow[];
	text: string;
	html: string;
}

/** Counts the calls of the window per rented number: `add` each call once, then `finish`. */
export class RentalAudit {
	readonly window: ResolvedPeriod;
	private readonly rows: Row[];
	private readonly byDigits = new Map<string, Row>();

	constructor(private readonly input: RentalAuditInput) {
		this.window = auditWindow(input.nowMs, input.idleDays, input.timezone);
		this.rows = input.numbers
			.filter((info) => info.rented)
			.map((info) => ({
				info,
				renewal: renewalOf(info, input.nowMs, input.timezone),
				calls: 0,
				billableSeconds: 0,
				cost: 0,
				lastCallMs: null,
			}));
		for (const row of this.rows) {
			const digits = phoneDigits(row.info.phoneNumber);
			// The API lists a number once; should it list the same digits twice, the first one counts the calls.
			if (digits && !this.byDigits.has(digits)) this.byDigits.set(digits, row);
		}
	}

	get rentedCount(): number {
		return this.rows.length;
	}

	/** A call of the window (the reader passes each call once, inside the window). */
	add(call: Call): void {
		const row = this.byDigits.get(phoneDigits(call.assistantPhoneNumber));
		if (!row) return;
		row.calls += 1;
		row.billableSeconds += call.billableSeconds;
		row.cost = addUnits(row.cost, call.totalCost);
		if (row.lastCallMs === null || call.createdAt > row.lastCallMs) row.lastCallMs = call.createdAt;
	}

	finish(): RentalAuditItem {
		const { currency, idleDays, renewingWithinDays, nowMs, timezone } = this.input;
		// Soonest renewal first; numbers without an estimate last.
		const rows = [...this.rows].sort(
			(a, b) =>
				(a.renewal?.daysToRenewal ?? Infinity) - (b.renewal?.daysToRenewal ?? Infinity) || a.info.id - b.info.id,
		);
		const soon = (row: Row) => row.renewal !== null && row.renewal.daysToRenewal <= renewingWithinDays;
		const feesOf = (list: Row[]) => list.reduce((sum, row) => addUnits(sum, row.info.monthlyFee), 0);
		const idle = rows.filter((row) => row.calls === 0);
		const renewing = rows.filter(soon);
		const totals: Totals = {
			rented: rows.length,
			fees: feesOf(rows),
			idle: idle.length,
			idleFees: feesOf(idle),
			renewing: renewing.length,
			renewingFees: feesOf(renewing),
		};
		const report: Report = { rows, idleSoon: idle.filter(soon), totals, ...this.input, window: this.window };
		const locale = localeOf(this.input.language ?? 'en');
		return {
			checkedAt: isoInZone(nowMs, timezone),
			currency,
			idleDays,
			rentedNumbers: totals.rented,
			monthlyFees: toAmount(totals.fees),
			idleNumbers: totals.idle,
			idleMonthlyFees: toAmount(totals.idleFees),
			renewingSoon: totals.renewing,
			renewingSoonFees: toAmount(totals.renewingFees),
			numbers: rows.map((row) => ({
				...phoneNumberItem(row.info, currency, row.renewal, timezone),
				callsInWindow: row.calls,
				minutesInWindow: Number((row.billableSeconds / 60).toFixed(4)),
				costInWindow: toAmount(row.cost),
				lastCallAt: row.lastCallMs === null ? null : isoInZone(row.lastCallMs, timezone),
				idle: row.calls === 0,
			})),
			text: renderRentalText(report, locale),
			html: renderRentalHtml(report, locale),
		};
	}
}

/**
 * The audit of SPEC §13: reads the account's calls of the window once (none when no number is
 * rented) and returns the one item.
 */
export async function auditRentals(source: CallSource, input: RentalAuditInput): Promise<RentalAuditItem> {
	const audit = new RentalAudit(input);
	if (audit.rentedCount > 0) {
		await forEachCall(source, { period: audit.window, query: {}, filters: {} }, ({ call }) => audit.add(call));
	}
	return audit.finish();
}

// ---------------------------------------------------------------------------------------------
// Slack text and email HTML
// ---------------------------------------------------------------------------------------------

interface Totals {
	rented: number;
	fees: Units;
	idle: number;
	idleFees: Units;
	renewing: number;
	renewingFees: Units;
}

interface Report extends RentalAuditInput {
	rows: Row[];
	/** Idle numbers renewing within `renewingWithinDays`, soonest first. */
	idleSoon: Row[];
	totals: Totals;
	window: ResolvedPeriod;
}

/** The escaping of `text`: Slack's for Slack, none for plain text. */
const textEscape = (report: Report) => ((report.textFormat ?? 'slack') === 'slack' ? escapeSlack : (t: string) => t);

function numberName(info: PhoneNumberInfo): string {
	return info.nickname ? `${info.phoneNumber} (${info.nickname})` : info.phoneNumber;
}

/** "on 8 Dec", or "today (8 Dec)" unless the sentence already says today. */
function renewalText(l: Locale, renewal: RenewalEstimate, timezone: string, sentenceSaysToday: boolean): string {
	const day = l.dayMonth(DateTime.fromISO(renewal.nextRenewalAt, { zone: timezone }).toMillis(), timezone);
	return renewal.daysToRenewal === 0 && !sentenceSaysToday ? l.m.rentals.todayOn(day) : l.m.rentals.onDay(day);
}

/** One paragraph (Slack or plain text): idle numbers and their fees, then those of them that renew soon. */
function renderRentalText(report: Report, l: Locale): string {
	const { totals, idleDays, renewingWithinDays, currency, timezone } = report;
	const words = l.m.rentals;
	const escape = textEscape(report);
	const inDays = words.inLastDays(idleDays, l.int(idleDays));
	const within = words.within(renewingWithinDays, l.int(renewingWithinDays));
	if (totals.rented === 0) return words.noneRented;
	if (totals.idle === 0) {
		const all = words.allInUse(totals.rented, l.int(totals.rented), inDays, l.money(totals.fees, currency));
		if (!totals.renewing) return all;
		return `${all} ${words.allInUseRenewing(totals.rented, totals.renewing, l.int(totals.renewing), within)}`;
	}
	const idleFees = l.money(totals.idleFees, currency);
	const head = words.idleHead(totals.idle, l.int(totals.idle), totals.rented, l.int(totals.rented), inDays, idleFees);
	const list = report.idleSoon
		.map((row) => {
			const when = renewalText(l, row.renewal as RenewalEstimate, timezone, renewingWithinDays === 0);
			return `${escape(numberName(row.info))} ${when}`;
		})
		.join(', ');
	const count = report.idleSoon.length;
	if (totals.idle === 1) {
		return `${head} ${count ? words.oneIdleRenews(within, list) : words.oneIdleNotRenewing(within)}`;
	}
	if (count === 0) return `${head} ${words.noneRenewing(within)}`;
	return `${head} ${words.someRenewing(count, l.int(count), within, list)}`;
}

const IDLE_ROW = 'background-color:#fef2f2;';
const BADGE = `${FONT}font-size:12px;font-weight:bold;padding:2px 6px;white-space:nowrap;`;

function renewalCell(l: Locale, renewal: RenewalEstimate | null, timezone: string): string {
	if (!renewal) return '–';
	const day = l.date(DateTime.fromISO(renewal.nextRenewalAt, { zone: timezone }).toMillis(), timezone);
	const when = l.m.rentals.inDaysFromNow(renewal.daysToRenewal, l.int(renewal.daysToRenewal));
	return `${escapeHtml(day)}<br><span style="color:#6b7280;">${escapeHtml(when)}</span>`;
}

function lastCallCell(l: Locale, ms: number | null, timezone: string): string {
	if (ms === null) return escapeHtml(l.m.rentals.noCall);
	return escapeHtml(l.dateTime(ms, timezone));
}

/** The counts and fees at the top: rented, idle, and renewing within `renewingWithinDays`. */
function rentalFactsHtml(report: Report, l: Locale): string {
	const { totals, currency, idleDays, renewingWithinDays } = report;
	const words = l.m.rentals;
	const inDays = words.inLastDays(idleDays, l.int(idleDays));
	const within = words.within(renewingWithinDays, l.int(renewingWithinDays));
	return [
		[words.rentedNumbers, totals.rented, words.perMonth(l.money(totals.fees, currency))],
		[words.idleFor(inDays), totals.idle, words.perMonth(l.money(totals.idleFees, currency))],
		[words.renewing(within), totals.renewing, l.money(totals.renewingFees, currency)],
	]
		.map(
			([label, count, amount]) =>
				`<tr><td style="${CELL}color:#6b7280;">${escapeHtml(String(label))}</td>` +
				`<td style="${CELL}${NUM}">${escapeHtml(l.int(Number(count)))}</td>` +
				`<td style="${CELL}${NUM}">${escapeHtml(String(amount))}</td></tr>`,
		)
		.join('');
}

function rentalHeadHtml(l: Locale): string {
	const h = l.m.rentals.headers;
	const th = (label: string, numeric = false) => `<th style="${HEAD}${numeric ? NUM : ''}">${escapeHtml(label)}</th>`;
	return (
		`<tr>${th(h.number)}${th(h.renews)}${th(h.monthlyFee, true)}${th(h.calls, true)}` +
		`${th(h.billableMinutes, true)}${th(h.cost, true)}${th(h.lastCall)}${th(h.status)}</tr>`
	);
}

/** One rented number's row; an idle number's row is tinted, and its badge says whether it renews soon. */
function rentalRowHtml(row: Row, report: Report, l: Locale): string {
	const { currency, renewingWithinDays, timezone } = report;
	const words = l.m.rentals;
	const money = (units: Units) => escapeHtml(l.money(units, currency));
	const idle = row.calls === 0;
	const soon = row.renewal !== null && row.renewal.daysToRenewal <= renewingWithinDays;
	const status = idle
		? `<span style="${BADGE}color:#b91c1c;">${escapeHtml(soon ? words.idleSoon : words.idle)}</span>`
		: `<span style="${BADGE}color:#047857;">${escapeHtml(words.inUse)}</span>`;
	const nickname = row.info.nickname ? `<br><span style="color:#6b7280;">${escapeHtml(row.info.nickname)}</span>` : '';
	const cell = `${CELL}${idle ? IDLE_ROW : ''}`;
	return (
		`<tr><td style="${cell}white-space:nowrap;">${escapeHtml(row.info.phoneNumber)}${nickname}</td>` +
		`<td style="${cell}white-space:nowrap;">${renewalCell(l, row.renewal, timezone)}</td>` +
		`<td style="${cell}${NUM}">${money(row.info.monthlyFee)}</td>` +
		`<td style="${cell}${NUM}">${escapeHtml(l.int(row.calls))}</td>` +
		`<td style="${cell}${NUM}">${escapeHtml(l.num((row.billableSeconds / 60).toFixed(2)))}</td>` +
		`<td style="${cell}${NUM}">${money(row.cost)}</td>` +
		`<td style="${cell}white-space:nowrap;">${lastCallCell(l, row.lastCallMs, timezone)}</td>` +
		`<td style="${cell}">${status}</td></tr>`
	);
}

/** An email-safe report (inline CSS, nested tables, no external assets); API text is escaped. */
function renderRentalHtml(report: Report, l: Locale): string {
	const { idleDays, timezone } = report;
	const words = l.m.rentals;
	const rows = report.rows.map((row) => rentalRowHtml(row, report, l)).join('');
	const empty = `<tr><td colspan="8" style="${CELL}">${escapeHtml(words.empty)}</td></tr>`;
	const subtitle = words.subtitle(l.dateTime(report.nowMs, timezone), timezone, idleDays, l.int(idleDays));
	const body =
		titleRows(words.title, subtitle) +
		`<tr><td>${table(rentalFactsHtml(report, l))}</td></tr>` +
		heading(words.numbersHeading) +
		`<tr><td>${table(rentalHeadHtml(l) + (rows || empty))}</td></tr>` +
		smallPrintRow(escapeHtml(words.note(timezone, l.int(idleDays))));
	return emailDocument(l.language, words.title, 720, body);
}
