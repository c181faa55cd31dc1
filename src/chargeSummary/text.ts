/**
 * Slack-ready Markdown (Slack "mrkdwn": *bold*, _italic_, • bullets). Amounts with 2 decimals and the
 * currency. `&`, `<` and `>` in user-controlled text are escaped as Slack requires, so a client or
 * assistant name can never become a link or an @channel mention.
 */
import { countText, minutesText, money } from './format';
import type { ChargeLine, ChargeSummary, Charges, ClientRow } from './types';

export function escapeSlack(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function pricingText(summary: ChargeSummary): string {
	const plan = summary.plan;
	if (!plan) return 'reported call costs';
	const fee = money(plan.planFee, summary.currency);
	const included = minutesText(plan.includedMinutes);
	return `${plan.label} plan: ${included} min included, ${fee}/month, ${plan.overageRate} ${summary.currency}/min over`;
}

export function usageText(summary: ChargeSummary): string {
	const usage = summary.usage;
	const base =
		`${countText(usage.calls, 'call')}, ${minutesText(usage.talkMinutes)} talk min, ` +
		`${minutesText(usage.billableMinutes)} billable min`;
	if (usage.includedMinutes === null) return base;
	const included = minutesText(usage.includedMinutes);
	const over = minutesText(usage.overageMinutes ?? 0);
	return `${base} (${included} included, ${over} over${summary.client ? ', share of the account' : ''})`;
}

/** Components of the charges, for the account summary of several clients. */
export function componentRows(charges: Charges, plan: boolean): Array<{ label: string; amount: number }> {
	const rows = plan
		? [
				{ label: 'Plan fee', amount: charges.planFee },
				{ label: 'Overage', amount: charges.overage },
			]
		: [{ label: 'Platform (calls)', amount: charges.platform }];
	rows.push({ label: 'Carrier (telephony)', amount: charges.carrier });
	rows.push({ label: 'Number rentals', amount: charges.numberRentals });
	if (charges.markup) rows.push({ label: 'Markup', amount: charges.markup });
	return rows;
}

function lineText(line: ChargeLine, currency: string): string {
	return `• ${escapeSlack(line.description)}: ${money(line.amount, currency)}`;
}

function clientRowText(row: ClientRow, currency: string): string {
	const markup = row.markupPercent ? `, incl. ${row.markupPercent}% markup` : '';
	return (
		`• ${escapeSlack(row.client)}: ${money(row.total, currency)} ` +
		`(${countText(row.calls, 'call')}, ${minutesText(row.billableMinutes)} billable min${markup})`
	);
}

export function renderText(summary: ChargeSummary): string {
	const { currency } = summary;
	const title = summary.client ? `Famulor charge summary: ${escapeSlack(summary.client)}` : 'Famulor charge summary';
	const out: string[] = [
		`*${title}*`,
		`*Period:* ${escapeSlack(summary.period.label)} (${escapeSlack(summary.period.timezone)})`,
		`*Pricing:* ${escapeSlack(pricingText(summary))}`,
		`*Usage:* ${usageText(summary)}`,
		'',
		'*Charges*',
	];
	const severalClients = summary.client === null && summary.byClient.length > 0;
	if (severalClients) {
		for (const row of componentRows(summary.charges, summary.plan !== null)) {
			out.push(`• ${row.label}: ${money(row.amount, currency)}`);
		}
	} else {
		for (const line of summary.lines) out.push(lineText(line, currency));
	}
	out.push(`*Total: ${money(summary.charges.total, currency)}*`);
	if (severalClients) {
		out.push('', '*By client*');
		for (const row of summary.byClient) out.push(clientRowText(row, currency));
	}
	out.push(
		'',
		`_Monthly fees: ${escapeSlack(summary.proration.applied)}. ` +
			'Each line is rounded to the cent; the total is the sum of the lines._',
	);
	return out.join('\n');
}
