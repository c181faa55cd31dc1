/**
 * Charge summaries (SPEC §6), the public entry: the streaming builder (builder.ts, which takes its
 * lines from lines.ts, its rounding from cents.ts, its plan shares from accountPlan.ts, its notes from
 * notes.ts and its bars from chart.ts), the client rules, the plans and proration, the renderers
 * (text, html, csv), and the node's item shape. As the node uses it:
 *
 *   const builder = new ChargeSummaryBuilder({ period, currency, pricingMode, plan, clients, billingCycleDay });
 *   await forEachCall(client, { period, query: {}, filters: {} }, (call) => builder.add(call));
 *   const result = builder.finish(describePhoneNumbers(numbers, assistants, fees));
 *   const items = summariesToOutput(result, onePerClient).map(summaryItem);
 */
import type { ChargeSummary, ChargeSummaryResult } from './types';
import { renderHtml } from './html';
import { renderText, type TextFormat } from './text';

export * from './types';
export { ChargeSummaryBuilder } from './builder';
export { allocateCents, ROUNDING_RULE } from './cents';
export { formatMinutes } from './format';
export * from '../clients';
export * from './plans';
export * from './proration';
export { escapeHtml, renderHtml, barHtml, unitPriceText } from './html';
export { escapeSlack, renderText, TEXT_FORMATS, type TextFormat } from './text';
export {
	BYTE_ORDER_MARK,
	CSV_DIALECTS,
	CSV_MIME_TYPE,
	csvFileName,
	neutralizeCell,
	renderCsv,
	type CsvDialect,
} from './csv';
export { MAX_VAT_PERCENT, parseVatPercent, vatCents } from '../vat';

export type ChargeSummaryItem = Omit<ChargeSummary, 'chart' | 'language'> & { text: string; html: string };

/** The node's JSON for a summary: everything but the chart data and the language, plus `text` and `html`. */
export function summaryItem(summary: ChargeSummary, options: { textFormat?: TextFormat } = {}): ChargeSummaryItem {
	const { chart, language, ...rest } = summary;
	void chart;
	void language;
	return { ...rest, text: renderText(summary, options.textFormat ?? 'slack'), html: renderHtml(summary) };
}

/** The summaries to output: one per client with `onePerClient` (if there are client rules), else the account's. */
export function summariesToOutput(result: ChargeSummaryResult, onePerClient: boolean): ChargeSummary[] {
	return onePerClient && result.clients.length > 0 ? result.clients : [result.overall];
}
