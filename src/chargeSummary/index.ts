/**
 * Charge summaries (SPEC §6): the streaming builder, the renderers, and the public item shape.
 *
 *   const builder = new ChargeSummaryBuilder({ period, currency, pricingMode, plan, clients, billingCycleDay });
 *   for (const call of calls) builder.add(call);
 *   const result = builder.finish(numbers);
 *   const items = summaryItems(result, onePerClient);
 */
import type { ChargeSummary, ChargeSummaryResult } from './compute';
import { renderHtml } from './html';
import { renderText } from './text';

export * from './compute';
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

/** The summaries to output: one per client with `onePerClient` (when there are client rules), else the account summary. */
export function summariesToOutput(result: ChargeSummaryResult, onePerClient: boolean): ChargeSummary[] {
	return onePerClient && result.clients.length > 0 ? result.clients : [result.overall];
}
