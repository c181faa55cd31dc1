/**
 * The lines as CSV (RFC 4180: comma-separated, CRLF line ends, quotes doubled). A field is quoted when
 * it holds `,` `;` `"` CR or LF: semicolon-locale spreadsheets split unquoted fields at `;`. Text cells
 * that a spreadsheet would run as a formula get a leading single quote: a formula character (`=`, `+`,
 * `-`, `@`, or their full-width forms) first, also after leading spaces or control characters, and
 * cells that start with a tab, CR or LF. Numeric cells are our own numbers.
 */
import type { ChargeSummary } from './types';

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
/** Plain decimal notation (never 1e-8), at most 8 decimals. */
function numberCell(value: number): string {
	if (Number.isInteger(value)) return String(value);
	return value.toFixed(8).replace(/0+$/, '').replace(/\.$/, '');
}

export function csvFileName(summary: ChargeSummary): string {
	return `charge-summary-${summary.period.id}.csv`;
}

export function renderCsv(summary: ChargeSummary): string {
	const withClient = summary.lines.some((line) => line.client !== undefined);
	const header = ['kind', 'description', 'quantity', 'unit', 'unitPrice', 'amount', 'currency'];
	if (withClient) header.push('client');
	const rows = [header.join(',')];
	for (const line of summary.lines) {
		const cells = [
			textCell(line.kind),
			textCell(line.description),
			numberCell(line.quantity),
			textCell(line.unit),
			numberCell(line.unitPrice),
			line.amount.toFixed(2),
			textCell(summary.currency),
		];
		if (withClient) cells.push(textCell(line.client ?? ''));
		rows.push(cells.join(','));
	}
	return `${rows.join('\r\n')}\r\n`;
}
