/**
 * Email-safe HTML report: one self-contained document of nested tables with inline CSS only — no
 * <style> blocks, stylesheets, images, fonts, scripts or other external assets. The bars (per day or
 * month, or per client) are table cells whose width is a percentage of the largest bar. Every string
 * that is not ours (client, assistant and campaign names inside descriptions, labels, currency) goes
 * through escapeHtml.
 */
import type { ChargeSummary, Chart } from './types';
import { money, plainNumber } from './format';
import { componentRows, pricingText, usageText } from './text';

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

const moneyHtml = (amount: number, currency: string) => escapeHtml(money(amount, currency));
/** Minutes in a table column: always two decimals ("12.50"), unlike the descriptions' "12.5". */
const minutesNumber = (value: number) => value.toFixed(2);
/** A unit price: at least two decimals (4.50), more only when it has them (0.01412258). */
const unitPrice = (value: number) => {
	const full = value.toFixed(8).replace(/0+$/, '');
	return full.length - full.indexOf('.') - 1 < 2 ? value.toFixed(2) : full;
};
/** "1 number", "2 numbers", "12.50 min", "0.3141 share", "10 %". */
function quantityText(quantity: number, unit: string): string {
	if (unit === 'min') return `${minutesNumber(quantity)} min`;
	if (unit === 'number') return `${plainNumber(quantity)} ${quantity === 1 ? 'number' : 'numbers'}`;
	return `${plainNumber(quantity)} ${unit}`;
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

function chartHtml(chart: Chart): string {
	const max = chart.bars.reduce((acc, bar) => Math.max(acc, bar.value), 0);
	const rows = chart.bars
		.map(
			(bar) =>
				`<tr><td style="${CELL}white-space:nowrap;width:25%;">${escapeHtml(bar.label)}</td>` +
				`<td style="${CELL}width:50%;">${barHtml(bar.value, max)}</td>` +
				`<td style="${CELL}${NUM}width:25%;">${escapeHtml(bar.display)}</td></tr>`,
		)
		.join('');
	return table(rows || `<tr><td style="${CELL}">No data in this period.</td></tr>`);
}

/** A two-column row: label and value (both escaped here), as in the facts at the top. */
function factRow(label: string, value: string): string {
	return (
		`<tr><td style="${CELL}color:#6b7280;width:25%;white-space:nowrap;">${escapeHtml(label)}</td>` +
		`<td style="${CELL}">${escapeHtml(value)}</td></tr>`
	);
}

function headRow(labels: string[]): string {
	return `<tr>${labels.map((label, index) => `<th style="${HEAD}${index ? NUM : ''}">${label}</th>`).join('')}</tr>`;
}

/** The lines with their total; each line names its client in the account summary of several clients. */
function linesHtml(summary: ChargeSummary, severalClients: boolean): string {
	const { currency } = summary;
	const rows = summary.lines
		.map((line) => {
			const client =
				line.client !== undefined && severalClients
					? `<span style="color:#6b7280;">${escapeHtml(line.client)}:</span> `
					: '';
			return (
				`<tr><td style="${CELL}">${client}${escapeHtml(line.description)}</td>` +
				`<td style="${CELL}${NUM}">${escapeHtml(quantityText(line.quantity, line.unit))}</td>` +
				`<td style="${CELL}${NUM}">${escapeHtml(unitPrice(line.unitPrice))}</td>` +
				`<td style="${CELL}${NUM}">${moneyHtml(line.amount, currency)}</td></tr>`
			);
		})
		.join('');
	const bold = 'font-weight:bold;border-bottom:none;';
	const total =
		`<tr><td colspan="3" style="${CELL}${bold}">Total</td>` +
		`<td style="${CELL}${NUM}${bold}">${moneyHtml(summary.charges.total, currency)}</td></tr>`;
	return table(headRow(['Description', 'Quantity', 'Unit price', 'Amount']) + rows + total);
}

/** The account summary of several clients: the charges by component, then one row per client. */
function clientsHtml(summary: ChargeSummary): string {
	const { currency } = summary;
	const components = componentRows(summary.charges, summary.plan !== null)
		.map(
			(row) =>
				`<tr><td style="${CELL}">${escapeHtml(row.label)}</td>` +
				`<td style="${CELL}${NUM}">${moneyHtml(row.amount, currency)}</td></tr>`,
		)
		.join('');
	const total =
		`<tr><td style="${CELL}font-weight:bold;">Total</td>` +
		`<td style="${CELL}${NUM}font-weight:bold;">${moneyHtml(summary.charges.total, currency)}</td></tr>`;
	const clientRows = summary.byClient
		.map(
			(row) =>
				`<tr><td style="${CELL}">${escapeHtml(row.client)}</td><td style="${CELL}${NUM}">${row.calls}</td>` +
				`<td style="${CELL}${NUM}">${escapeHtml(minutesNumber(row.billableMinutes))}</td>` +
				`<td style="${CELL}${NUM}">${row.markupPercent ? `${escapeHtml(plainNumber(row.markupPercent))}%` : '–'}</td>` +
				`<td style="${CELL}${NUM}font-weight:bold;">${moneyHtml(row.total, currency)}</td></tr>`,
		)
		.join('');
	return (
		`<tr><td>${table(components + total)}</td></tr>` +
		heading('By client') +
		`<tr><td>${table(headRow(['Client', 'Calls', 'Billable min', 'Markup', 'Total']) + clientRows)}</td></tr>`
	);
}

/** The small print: how monthly fees were prorated, the rounding rule and (with clients) the attribution. */
function notesHtml(summary: ChargeSummary): string {
	return (
		`<tr><td style="${FONT}font-size:12px;color:#6b7280;padding:20px 0 0 0;line-height:1.5;">` +
		`Monthly fees: ${escapeHtml(summary.proration.applied)}. ${escapeHtml(summary.proration.rule)}<br>` +
		`${escapeHtml(summary.roundingRule)}` +
		(summary.attribution ? `<br>${escapeHtml(summary.attribution)}` : '') +
		`</td></tr>`
	);
}

export function renderHtml(summary: ChargeSummary): string {
	const { currency } = summary;
	const title = summary.client ? `Charge summary: ${summary.client}` : 'Charge summary';
	const severalClients = summary.client === null && summary.byClient.length > 0;
	const facts =
		factRow('Period', `${summary.period.label} (${summary.period.timezone})`) +
		factRow('Pricing', pricingText(summary)) +
		factRow('Usage', usageText(summary));
	const body =
		`<tr><td style="${FONT}font-size:22px;font-weight:bold;color:#111827;padding:0 0 4px 0;">` +
		`${escapeHtml(title)}</td></tr>` +
		`<tr><td style="${FONT}font-size:14px;color:#6b7280;padding:0 0 12px 0;">` +
		`Famulor usage and charges, ${escapeHtml(currency)}</td></tr>` +
		`<tr><td>${table(facts)}</td></tr>` +
		heading('Charges') +
		(severalClients ? clientsHtml(summary) + heading('Lines') : '') +
		`<tr><td>${linesHtml(summary, severalClients)}</td></tr>` +
		heading(summary.chart.title) +
		`<tr><td>${chartHtml(summary.chart)}</td></tr>` +
		notesHtml(summary);
	return (
		'<!DOCTYPE html><html><head><meta charset="utf-8">' +
		'<meta name="viewport" content="width=device-width, initial-scale=1">' +
		`<title>${escapeHtml(`${title} – ${summary.period.label}`)}</title></head>` +
		'<body style="margin:0;padding:0;background-color:#f3f4f6;">' +
		table(
			`<tr><td align="center" style="padding:24px 12px;">` +
				'<table role="presentation" width="640" cellpadding="0" cellspacing="0" border="0" ' +
				'style="border-collapse:collapse;width:100%;max-width:640px;background-color:#ffffff;">' +
				`<tr><td style="padding:24px;">${table(body)}</td></tr></table></td></tr>`,
			'background-color:#f3f4f6;',
		) +
		'</body></html>'
	);
}
