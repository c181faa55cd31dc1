/**
 * The lines as CSV (RFC 4180: CRLF line ends, quotes doubled), in one of two dialects:
 * - `comma` (default): comma-separated, decimal point — what most tools read;
 * - `semicolon`: semicolon-separated, decimal comma, UTF-8 with a byte-order mark — what a German Excel
 *   opens by double-click with columns, numbers and umlauts intact.
 * The header row is in the summary's language; the cells are data (codes such as `planFee`, exact
 * numbers without thousands separators). A field is quoted when it holds `,` `;` `"` CR or LF, in both
 * dialects. Text cells that a spreadsheet would run as a formula get a leading single quote: a formula
 * character (`=`, `+`, `-`, `@`, or their full-width forms) first, also after leading spaces or control
 * characters, and cells that start with a tab, CR or LF. Numeric cells are our own numbers.
 */
import { CATALOGUES } from '../i18n';
import type { ChargeSummary } from './types';

export type CsvDialect = 'comma' | 'semicolon';
export const CSV_DIALECTS: readonly CsvDialect[] = ['comma', 'semicolon'];
/** The UTF-8 byte-order mark: Excel reads a CSV as UTF-8 only when it starts with it. */
export const BYTE_ORDER_MARK = '\ufeff';

export const CSV_MIME_TYPE = 'text/csv';

/** Characters that start a formula in Excel, LibreOffice or Google Sheets (full-width forms too). */
const FORMULA_CHARACTERS = new Set(['=', '+', '-', '@', '\uff1d', '\uff0b', '\uff0d', '\uff20']);

/** White space or a control character: spreadsheets skip them before looking for a formula. */
function isSkipped(character: string): boolean {
	const code = character.charCodeAt(0);
	return code <= 0x20 || code === 0x7f || /\s/.test(character);
}

/** Neutralises spreadsheet formula injection in a text cell. */
export function neutralizeCell(text: string): string {
	let start = 0;
	while (start < text.length && isSkipped(text.charAt(start))) start++;
	const leadingBreak = /^[\t\r\n]/.test(text);
	return leadingBreak || FORMULA_CHARACTERS.has(text.charAt(start)) ? `'${text}` : text;
}

function quote(cell: string): string {
	return /[",;\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

const textCell = (value: string) => quote(neutralizeCell(value));
/** Plain decimal notation (never 1e-8), at most 8 decimals; a decimal comma in the semicolon dialect. */
function numberCell(value: number, dialect: CsvDialect): string {
	const text = Number.isInteger(value) ? String(value) : value.toFixed(8).replace(/0+$/, '').replace(/\.$/, '');
	return dialect === 'semicolon' ? text.replace('.', ',') : text;
}

/** An amount (rounded to the cent) with two decimals: "12.50" / "12,50". */
function amountCell(value: number, dialect: CsvDialect): string {
	const text = value.toFixed(2);
	return dialect === 'semicolon' ? text.replace('.', ',') : text;
}

export function csvFileName(summary: ChargeSummary): string {
	return `charge-summary-${summary.period.id}.csv`;
}

export function renderCsv(summary: ChargeSummary, dialect: CsvDialect = 'comma'): string {
	const separator = dialect === 'semicolon' ? ';' : ',';
	const words = CATALOGUES[summary.language ?? 'en'].chargeSummary.csvHeader;
	const withClient = summary.lines.some((line) => line.client !== undefined);
	const header = [words.kind, words.description, words.quantity, words.unit, words.unitPrice, words.amount];
	header.push(words.currency);
	if (withClient) header.push(words.client);
	const rows = [header.map(textCell).join(separator)];
	for (const line of summary.lines) {
		const cells = [
			textCell(line.kind),
			textCell(line.description),
			numberCell(line.quantity, dialect),
			textCell(line.unit),
			numberCell(line.unitPrice, dialect),
			amountCell(line.amount, dialect),
			textCell(summary.currency),
		];
		if (withClient) cells.push(textCell(line.client ?? ''));
		rows.push(cells.join(separator));
	}
	const text = `${rows.join('\r\n')}\r\n`;
	return dialect === 'semicolon' ? BYTE_ORDER_MARK + text : text;
}
