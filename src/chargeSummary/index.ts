/**
 * Charge summaries (SPEC §6), the public entry: the streaming builder (builder.ts, which takes its
 * lines from lines.ts, its rounding from cents.ts and its bars from chart.ts), the client rules, the
 * plans and proration, the renderers (text, html, csv), and the node's item shape. As the node uses it:
 *
 *   const builder = new ChargeSummaryBuilder({ period, currency, pricingMode, plan, clients, billingCycleDay });
 *   await forEachCall(client, { period, query: {}, filters: {} }, (call) => builder.add(call));
 *   const result = builder.finish(describePhoneNumbers(numbers, assistants, fees));
 *   const items = summariesToOutput(result, onePerClient).map(summaryItem);
 */
import type { ChargeSummary, ChargeSummaryResult } from './types';
import { renderHtml } from './html';
import { renderText } from './text';

export * from './types';
export { ChargeSummaryBuilder } from './builder';
export { allocateCents, ROUNDING_RULE } from './cents';
export { formatMinutes } from './format';
export * from '../clients';
export * from './plans';
export * from './proration';
export { escapeHtml, renderHtml, barHtml } from './html';
export { escapeSlack, renderText } from './text';
export { CSV_MIME_TYPE, csvFileName, neutralizeCell, renderCsv } from './csv';

export type ChargeSummaryItem = Omit<ChargeSummary, 'chart'> & { text: string; html: string };

/** The node's JSON for a summary: everything but the chart data, plus `text` and `html`. */
export function summaryItem(summary: ChargeSummary): ChargeSummaryItem {
	const { chart, ...rest } = summary;
	void chart;
	return { ...rest, text: renderText(summary), html: renderHtml(summary) };
}

/** The summaries to output: one per client with `onePerClient` (if there are client rules), else the account's. */
export function summariesToOutput(result: ChargeSummaryResult, onePerClient: boolean): ChargeSummary[] {
	return onePerClient && result.clients.length > 0 ? result.clients : [result.overall];
}
