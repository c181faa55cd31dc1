/**
 * Email-safe HTML report: one self-contained document of nested tables with inline CSS only — no
 * <style> blocks, stylesheets, images, fonts, scripts or other external assets. The bars (per day or
 * month, or per client) are table cells whose width is a percentage of the largest bar. Every string
 * that is not ours (client, assistant and campaign names inside descriptions, labels, currency) goes
 * through escapeHtml.
 */
import type { Locale } from '../i18n';
import type { ChargeSummary, Chart, ClientRow } from './types';
import { plainNumber } from './format';
import { componentRows, hasVat, localeOfSummary, pricingText, usageText, vatLabel } from './text';

export function escapeHtml(text: string): string {
	return text
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;')
		.replace(/'/g, '&#39;');
}

export const FONT = 'font-family:Arial,Helvetica,sans-serif;';
const BAR_COLOR = '#4f46e5';
export const CELL = `${FONT}font-size:14px;color:#1f2937;padding:6px 8px;border-bottom:1px solid #e5e7eb;`;
export const HEAD =
	`${FONT}font-size:12px;color:#6b7280;text-transform:uppercase;letter-spacing:0.04em;padding:6px 8px;` +
	'border-bottom:2px solid #d1d5db;text-align:left;';
export const NUM = 'text-align:right;white-space:nowrap;';

/** Minutes in a table column: always two decimals ("12.50"), unlike the descriptions' "12.5". */
const minutesNumber = (value: number) => value.toFixed(2);

/**
 * A unit price at the precision an invoice shows: a price per minute with 2 to 4 decimals (0.15,
 * 0.0141), any other unit price (a number's fee, a plan fee, a markup's base) with 2. The JSON and the
 * CSV keep the exact price (8 decimals).
 */
export function unitPriceText(value: number, unit: string): string {
	if (unit !== 'min') return value.toFixed(2);
	const four = value.toFixed(4).replace(/0{1,2}$/, '');
	return four;
}

/** "12.50 min", "1 number", "0.3141 share", "10 %" — in the locale's words. */
function quantityText(quantity: number, unit: string, l: Locale): string {
	const words = l.m.chargeSummary.quantity;
	if (unit === 'min') return words.minutes(l.num(minutesNumber(quantity)));
	if (unit === 'number') return words.numbers(quantity, l.num(plainNumber(quantity)));
	if (unit === 'share') return words.share(l.num(plainNumber(quantity)));
	if (unit === 'month') return words.months(quantity, l.num(plainNumber(quantity)));
	return `${l.num(plainNumber(quantity))} ${unit}`;
}

export function table(inner: string, extra = ''): string {
	return (
		'<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" ' +
		`style="border-collapse:collapse;width:100%;${extra}">${inner}</table>`
	);
}

export function heading(text: string): string {
	const style = `${FONT}font-size:16px;font-weight:bold;color:#111827;padding:20px 0 8px 0;`;
	return `<tr><td style="${style}">${escapeHtml(text)}</td></tr>`;
}

/** The report's title and, in grey under it, its subtitle (both escaped here). */
export function titleRows(title: string, subtitle: string): string {
	return (
		`<tr><td style="${FONT}font-size:22px;font-weight:bold;color:#111827;padding:0 0 4px 0;">` +
		`${escapeHtml(title)}</td></tr>` +
		`<tr><td style="${FONT}font-size:14px;color:#6b7280;padding:0 0 12px 0;">${escapeHtml(subtitle)}</td></tr>`
	);
}

/** The small print under a report; `html` is escaped already. */
export function smallPrintRow(html: string): string {
	return `<tr><td style="${FONT}font-size:12px;color:#6b7280;padding:20px 0 0 0;line-height:1.5;">${html}</td></tr>`;
}

/**
 * The email document around a report's rows (`body`): a grey page holding a white card at most `width`
 * pixels wide. `title` (escaped here) is the document's title.
 */
export function emailDocument(language: string, title: string, width: number, body: string): string {
	return (
		`<!DOCTYPE html><html lang="${language}"><head><meta charset="utf-8">` +
		'<meta name="viewport" content="width=device-width, initial-scale=1">' +
		`<title>${escapeHtml(title)}</title></head>` +
		'<body style="margin:0;padding:0;background-color:#f3f4f6;">' +
		table(
			`<tr><td align="center" style="padding:24px 12px;">` +
				`<table role="presentation" width="${width}" cellpadding="0" cellspacing="0" border="0" ` +
				`style="border-collapse:collapse;width:100%;max-width:${width}px;background-color:#ffffff;">` +
				`<tr><td style="padding:24px;">${table(body)}</td></tr></table></td></tr>`,
			'background-color:#f3f4f6;',
		) +
		'</body></html>'
	);
}

/** A horizontal bar as two table cells: coloured share and empty rest. */
export function barHtml(value: number, max: number): string {
	const percent = max > 0 && value > 0 ? Math.max(1, Math.min(100, Math.round((value / max) * 100))) : 0;
	const filled =
		`<td width="${percent}%" style="width:${percent}%;background-color:${BAR_COLOR};` +
		'height:12px;line-height:12px;font-size:0;">&nbsp;</td>';
	const rest = `<td style="height:12px;line-height:12px;font-size:0;">&nbsp;</td>`;
	const cells = percent === 0 ? rest : percent === 100 ? filled : filled + rest;
	return table(`<tr>${cells}</tr>`, 'background-color:#eef2ff;');
}

function chartHtml(chart: Chart, l: Locale): string {
	const max = chart.bars.reduce((acc, bar) => Math.max(acc, bar.value), 0);
	const rows = chart.bars
		.map(
			(bar) =>
				`<tr><td style="${CELL}white-space:nowrap;width:25%;">${escapeHtml(bar.label)}</td>` +
				`<td style="${CELL}width:50%;">${barHtml(bar.value, max)}</td>` +
				`<td style="${CELL}${NUM}width:25%;">${escapeHtml(bar.display)}</td></tr>`,
		)
		.join('');
	return table(rows || `<tr><td style="${CELL}">${escapeHtml(l.m.chargeSummary.chart.noData)}</td></tr>`);
}

/** A two-column row: label and value (both escaped here), as in the facts at the top. */
function factRow(label: string, value: string): string {
	return (
		`<tr><td style="${CELL}color:#6b7280;width:25%;white-space:nowrap;">${escapeHtml(label)}</td>` +
		`<td style="${CELL}">${escapeHtml(value)}</td></tr>`
	);
}

function headRow(labels: string[]): string {
	const cells = labels.map((label, index) => `<th style="${HEAD}${index ? NUM : ''}">${escapeHtml(label)}</th>`);
	return `<tr>${cells.join('')}</tr>`;
}

const BOLD = 'font-weight:bold;';

/**
 * The totals under the lines: the total; with VAT the net total, the VAT (its rate, or reverse charge)
 * and the gross total. `span` is the number of columns the label spans.
 */
function totalRows(summary: ChargeSummary, l: Locale, span: number): string {
	const { charges, currency } = summary;
	const words = l.m.chargeSummary;
	const row = (label: string, amount: number, style = '') =>
		`<tr><td colspan="${span}" style="${CELL}${style}">${escapeHtml(label)}</td>` +
		`<td style="${CELL}${NUM}${style}">${escapeHtml(l.amount(amount, currency))}</td></tr>`;
	const last = `${BOLD}border-bottom:none;`;
	if (!hasVat(summary)) return row(words.total, charges.total, last);
	return (
		row(words.net, charges.net) +
		row(vatLabel(l, summary.vatPercent, summary.reverseCharge), charges.vat) +
		row(words.gross, charges.gross, last)
	);
}

/** The lines with their total; each line names its client in the account summary of several clients. */
function linesHtml(summary: ChargeSummary, severalClients: boolean, l: Locale): string {
	const { currency } = summary;
	const headers = l.m.chargeSummary.headers;
	const rows = summary.lines
		.map((line) => {
			const client =
				line.client !== undefined && severalClients
					? `<span style="color:#6b7280;">${escapeHtml(line.client)}:</span> `
					: '';
			return (
				`<tr><td style="${CELL}">${client}${escapeHtml(line.description)}</td>` +
				`<td style="${CELL}${NUM}">${escapeHtml(quantityText(line.quantity, line.unit, l))}</td>` +
				`<td style="${CELL}${NUM}">${escapeHtml(l.num(unitPriceText(line.unitPrice, line.unit)))}</td>` +
				`<td style="${CELL}${NUM}">${escapeHtml(l.amount(line.amount, currency))}</td></tr>`
			);
		})
		.join('');
	const head = headRow([headers.description, headers.quantity, headers.unitPrice, headers.amount]);
	// Several clients: the lines add up to the net total; VAT and gross are in the table above.
	const words = l.m.chargeSummary;
	const total = severalClients
		? `<tr><td colspan="3" style="${CELL}${BOLD}border-bottom:none;">` +
			`${escapeHtml(hasVat(summary) ? words.net : words.total)}</td>` +
			`<td style="${CELL}${NUM}${BOLD}border-bottom:none;">` +
			`${escapeHtml(l.amount(summary.charges.total, currency))}</td></tr>`
		: totalRows(summary, l, 3);
	return table(head + rows + total);
}

/** A client's VAT in the table of clients: the amount and its rate (or reverse charge). */
function clientVatCell(row: ClientRow, currency: string, l: Locale): string {
	const rate = row.reverseCharge
		? l.m.chargeSummary.reverseChargeShort
		: row.vatPercent === null
			? '–'
			: l.percent(row.vatPercent);
	const amount = escapeHtml(l.amount(row.vat, currency));
	return `${amount}<br><span style="color:#6b7280;font-size:12px;">${escapeHtml(rate)}</span>`;
}

const markupCell = (row: ClientRow, l: Locale) =>
	row.markupPercent ? escapeHtml(l.percent(plainNumber(row.markupPercent))) : '–';

/** The account summary of several clients: the charges by component, then one row per client. */
function clientsHtml(summary: ChargeSummary, l: Locale): string {
	const { currency } = summary;
	const words = l.m.chargeSummary;
	const vat = hasVat(summary);
	const components = componentRows(summary.charges, summary.plan !== null, l)
		.map(
			(row) =>
				`<tr><td style="${CELL}">${escapeHtml(row.label)}</td>` +
				`<td style="${CELL}${NUM}">${escapeHtml(l.amount(row.amount, currency))}</td></tr>`,
		)
		.join('');
	const clientRows = summary.byClient
		.map(
			(row) =>
				`<tr><td style="${CELL}">${escapeHtml(row.client)}</td>` +
				`<td style="${CELL}${NUM}">${escapeHtml(l.int(row.calls))}</td>` +
				`<td style="${CELL}${NUM}">${escapeHtml(l.num(minutesNumber(row.billableMinutes)))}</td>` +
				`<td style="${CELL}${NUM}">${markupCell(row, l)}</td>` +
				(vat
					? `<td style="${CELL}${NUM}">${escapeHtml(l.amount(row.net, currency))}</td>` +
						`<td style="${CELL}${NUM}">${clientVatCell(row, currency, l)}</td>` +
						`<td style="${CELL}${NUM}${BOLD}">${escapeHtml(l.amount(row.gross, currency))}</td></tr>`
					: `<td style="${CELL}${NUM}${BOLD}">${escapeHtml(l.amount(row.total, currency))}</td></tr>`),
		)
		.join('');
	const h = words.headers;
	const head = vat
		? [h.client, h.calls, h.billableMinutes, h.markup, h.net, h.vat, h.gross]
		: [h.client, h.calls, h.billableMinutes, h.markup, h.total];
	return (
		`<tr><td>${table(components + totalRows(summary, l, 1))}</td></tr>` +
		heading(words.byClient) +
		`<tr><td>${table(headRow(head) + clientRows)}</td></tr>`
	);
}

/** The small print: the notes of the summary, one per line. */
function notesHtml(summary: ChargeSummary): string {
	return smallPrintRow(summary.notes.map(escapeHtml).join('<br>'));
}

export function renderHtml(summary: ChargeSummary): string {
	const l = localeOfSummary(summary);
	const words = l.m.chargeSummary;
	const { currency } = summary;
	const title = words.htmlTitle(summary.client);
	const severalClients = summary.client === null && summary.byClient.length > 0;
	const facts =
		factRow(words.period, `${summary.period.label} (${summary.period.timezone})`) +
		factRow(words.pricing, pricingText(summary)) +
		factRow(words.usage, usageText(summary));
	const body =
		titleRows(title, words.htmlSubtitle(currency)) +
		`<tr><td>${table(facts)}</td></tr>` +
		heading(words.charges) +
		(severalClients ? clientsHtml(summary, l) + heading(words.lines) : '') +
		`<tr><td>${linesHtml(summary, severalClients, l)}</td></tr>` +
		heading(summary.chart.title) +
		`<tr><td>${chartHtml(summary.chart, l)}</td></tr>` +
		notesHtml(summary);
	return emailDocument(l.language, `${title} – ${summary.period.label}`, 640, body);
}
