/**
 * The triggers' subtitles on the canvas, with their units: "spend ≥ 50, 80, 100 % of 500 / month",
 * "billable minutes ≥ 600 min / month", "balance ≤ 50 (currency)", "calls +100 % over usual / hour",
 * "calls costing ≥ 5 (currency)". n8n evaluates them in the editor with `$parameter` only (the
 * credential's currency is not known there, hence "(currency)"). The Famulor Billing Trigger shows
 * the subtitle of the event it is set to.
 */

const p = (name: string) => `$parameter["${name}"]`;
const lookup = (table: Record<string, string>, key: string) => `(${JSON.stringify(table)})[${key}]`;

const METRICS = {
	spend: 'spend',
	forecastSpend: 'forecast spend',
	minutes: 'billable minutes',
	calls: 'calls',
	failedCalls: 'failed calls',
	balance: 'balance',
};
const PERIODS = { day: 'day', week: 'week', month: 'month', billingCycle: 'billing cycle' };
const UNITS = { minutes: ' min', calls: ' calls', failedCalls: ' calls' };
const GROUPS = { assistant: 'assistant', campaign: 'campaign', phoneNumber: 'number', client: 'client' };
const WINDOWS = { fifteenMinutes: '15 min', hour: 'hour', sixHours: '6 hours', day: 'day' };

/** ", per client" when grouped. */
const perGroup = `(${p('groupBy')} && ${p('groupBy')} !== "none" ? ", per " + ${lookup(GROUPS, p('groupBy'))} : "")`;

/** The unit of an amount: " min", " calls", or " (currency)" for money. */
const unit = `(${lookup(UNITS, p('metric'))} || " (currency)")`;

export const THRESHOLD_SUBTITLE =
	`${lookup(METRICS, p('metric'))} + (${p('metric')} === "balance" ? " ≤ " : " ≥ ") + ${p('thresholds')} + ` +
	`(${p('thresholdType')} === "percentOfBudget" ? " % of " + ` +
	`(${p('groupBy')} === "client" ? "budget" : ${p('budget')}) : ${unit}) + ` +
	`(${p('metric')} === "balance" ? "" : " / " + ${lookup(PERIODS, p('period'))} + ${perGroup})`;

export const SPIKE_SUBTITLE =
	`${lookup(METRICS, p('metric'))} + " +" + ${p('minIncreasePercent')} + " % over usual / " + ` +
	`${lookup(WINDOWS, p('window'))} + ${perGroup}`;

export const CALL_SUBTITLE =
	`(${p('minCost')} > 0 ? "calls costing ≥ " + ${p('minCost')} + " (currency)" : "every call") + ` +
	`(${p('minDurationMinutes')} > 0 ? ", ≥ " + ${p('minDurationMinutes')} + " min" : "")`;

/** A subtitle expression for n8n. */
export const subtitle = (expression: string) => `={{ ${expression} }}`;

/** The Famulor Billing Trigger: the subtitle of the event it is set to. */
export const BILLING_TRIGGER_SUBTITLE =
	`${p('event')} === "spike" ? ${SPIKE_SUBTITLE} : ${p('event')} === "call" ? ${CALL_SUBTITLE} : ` +
	`${THRESHOLD_SUBTITLE}`;
