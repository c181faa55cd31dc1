/**
 * The lines as CSV (RFC 4180: comma-separated, CRLF line ends, fields with `,` `"` CR or LF quoted,
 * quotes doubled). Text cells that a spreadsheet would run as a formula — starting with `=`, `+`, `-`,
 * `@`, a tab or a carriage return — get a leading single quote. Numeric cells are our own numbers.
 */
import type { ChargeSummary } from './compute';

export const CSV_MIME_TYPE = 'text/csv';

/** Neutralises spreadsheet formula injection in a text cell. */
export function neutralizeCell(text: string): string {
	return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function quote(cell: string): string {
	return /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
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
