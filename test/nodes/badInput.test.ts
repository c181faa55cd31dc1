/**
 * Bad input (issue 7): every parameter's invalid values, run through n8n's real engine (the action
 * node with executeNode, the triggers with createPollingWorkflow) against the sandbox. Each must fail
 * with a NodeOperationError (or, for the credential's Base URL, a NodeApiError) whose message names
 * the parameter and whose description says how to fix it — before any request is sent.
 *
 * docs/bad-input.md is the README's table of these cases; it is rendered from CASES below, and the
 * last test checks it matches them one to one. After changing a case, regenerate it with
 * `UPDATE_BAD_INPUT_DOC=1 npx jest test/nodes/badInput`.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { INodeParameters } from 'n8n-workflow';
import { FamulorBilling } from '../../nodes/FamulorBilling/FamulorBilling.node';
import { FamulorCallTrigger } from '../../nodes/FamulorCallTrigger/FamulorCallTrigger.node';
import { FamulorSpikeTrigger } from '../../nodes/FamulorSpikeTrigger/FamulorSpikeTrigger.node';
import { FamulorThresholdTrigger } from '../../nodes/FamulorThresholdTrigger/FamulorThresholdTrigger.node';
import { createPollingWorkflow, executeNode, type CredentialData, type EngineError } from '../helpers/engine';
import { Sandbox } from '../sandbox/server';

type NodeName = 'Famulor Billing' | 'Famulor Threshold Trigger' | 'Famulor Spike Trigger' | 'Famulor Call Trigger';

interface BadInputCase {
	node: NodeName;
	/** Resource / operation of the action node, the trigger's metric, or `every call` (Call Trigger). */
	where: string;
	/** The parameter as the message names it. */
	parameter: string;
	/** The invalid value, as a person would type or pick it. */
	value: string;
	/** Parameters that differ from the node's valid base set. */
	parameters?: Record<string, unknown>;
	credentials?: Partial<CredentialData>;
	message: string;
	fix: string;
}

/** How a number must be written (src/decimal.ts), as the fixes say it. */
const DECIMAL = 'digits with an optional decimal point (no 0x…, 1e3, Infinity or thousands separators)';

const THRESHOLD_BASE = {
	metric: 'spend',
	period: 'month',
	thresholdType: 'absolute',
	thresholds: '50, 80',
	groupBy: 'none',
	options: {},
};
const SPIKE_BASE = {
	metric: 'spend',
	window: 'hour',
	baselineDays: 7,
	seasonality: 'sameTimeOfDay',
	minIncreasePercent: 100,
	minAbsoluteIncrease: 0,
	groupBy: 'none',
	options: {},
};
const CALL_TRIGGER_BASE = { minCost: 0, minDurationMinutes: 0, options: {} };
const SUMMARY = { resource: 'usage', operation: 'getSummary', period: 'thisMonth', groupBy: 'none', options: {} };
const CALLS = {
	resource: 'usage',
	operation: 'getCalls',
	period: 'today',
	returnAll: false,
	limit: 10,
	simplify: true,
	options: {},
};
const NUMBERS = { resource: 'phoneNumber', operation: 'getAll', defaultMonthlyFee: 3.99, options: {} };
const AUDIT = {
	resource: 'phoneNumber',
	operation: 'audit',
	defaultMonthlyFee: 3.99,
	idleDays: 30,
	renewingWithinDays: 7,
	options: {},
};
const CHARGES = {
	resource: 'chargeSummary',
	operation: 'generate',
	period: 'lastMonth',
	pricingMode: 'reported',
	options: {},
};
const RULE = { name: 'Acme GmbH', matchBy: 'assistant', values: 'Sales Assistant', markupPercent: 0 };
/** Group By Client with percentages of budgets (so the rules' Budget is shown). */
const BY_CLIENT = { groupBy: 'client', thresholdType: 'percentOfBudget', budget: 500 };
const rulesOf = (...rules: Array<Record<string, unknown>>) => ({ clients: { client: rules } });

function base(node: NodeName, where: string): Record<string, unknown> {
	if (node === 'Famulor Threshold Trigger') return THRESHOLD_BASE;
	if (node === 'Famulor Spike Trigger') return SPIKE_BASE;
	if (node === 'Famulor Call Trigger') return CALL_TRIGGER_BASE;
	return (
		{
			'usage/getSummary': SUMMARY,
			'usage/getCalls': CALLS,
			'phoneNumber/getAll': NUMBERS,
			'phoneNumber/audit': AUDIT,
			'chargeSummary/generate': CHARGES,
		}[where] ?? SUMMARY
	);
}

export const CASES: BadInputCase[] = [
	// --- Threshold trigger -----------------------------------------------------------------------
	{
		node: 'Famulor Threshold Trigger',
		where: 'spend',
		parameter: 'thresholds',
		value: '(empty)',
		parameters: { thresholds: '' },
		message: 'Parameter "thresholds": No thresholds are set',
		fix: 'Enter one or more numbers separated by commas, e.g. 50, 80, 100.',
	},
	{
		node: 'Famulor Threshold Trigger',
		where: 'spend',
		parameter: 'thresholds',
		value: '`, ;`',
		parameters: { thresholds: ' , ; ' },
		message: 'Parameter "thresholds": No thresholds are set',
		fix: 'Enter numbers separated by commas, e.g. 50, 80, 100.',
	},
	{
		node: 'Famulor Threshold Trigger',
		where: 'spend',
		parameter: 'thresholds',
		value: '`50, abc`',
		parameters: { thresholds: '50, abc' },
		message: 'Parameter "thresholds": Threshold "abc" is not a number',
		fix: 'Enter numbers separated by commas, e.g. 50, 80, 100 (a dot for decimals).',
	},
	{
		node: 'Famulor Threshold Trigger',
		where: 'spend',
		parameter: 'thresholds',
		value: '`1e3`',
		parameters: { thresholds: '1e3' },
		message: 'Parameter "thresholds": Threshold "1e3" is not a number',
		fix: 'Enter numbers separated by commas, e.g. 50, 80, 100 (a dot for decimals).',
	},
	{
		node: 'Famulor Threshold Trigger',
		where: 'spend',
		parameter: 'thresholds',
		value: '`-5`',
		parameters: { thresholds: '-5' },
		message: 'Parameter "thresholds": Threshold -5 is negative',
		fix: 'Thresholds are zero or positive amounts, minutes, calls or percentages.',
	},
	{
		node: 'Famulor Threshold Trigger',
		where: 'spend',
		parameter: 'thresholds',
		value: '`100000000` (absolute)',
		parameters: { thresholds: '100000000' },
		message: 'Parameter "thresholds": A threshold of 100000000 is beyond what the package can count exactly',
		fix: 'Use thresholds up to 90,000,000.',
	},
	{
		node: 'Famulor Threshold Trigger',
		where: 'spend',
		parameter: 'budget',
		value: '`0` with Percent of Budget',
		parameters: { thresholdType: 'percentOfBudget', budget: 0 },
		message: 'Parameter "budget": Budget is 0, so percentages of it mean nothing',
		fix: 'Set Budget to a positive amount (e.g. 500 for a 500 EUR monthly budget), or use absolute thresholds.',
	},
	{
		node: 'Famulor Threshold Trigger',
		where: 'balance',
		parameter: 'budget',
		value: '`-100` with Percent of Budget',
		parameters: { metric: 'balance', thresholdType: 'percentOfBudget', budget: -100 },
		message: 'Parameter "budget": Budget is -100, so percentages of it mean nothing',
		fix: 'Set Budget to a positive amount (e.g. 500 for a 500 EUR monthly budget), or use absolute thresholds.',
	},
	{
		node: 'Famulor Threshold Trigger',
		where: 'balance',
		parameter: 'options.rearmMargin',
		value: '`-5`',
		parameters: { metric: 'balance', options: { rearmMargin: -5 } },
		message: 'Parameter "options.rearmMargin": Re-arm margin -5 is not a percentage',
		fix: 'Enter a percentage of the threshold from 0 to 1000 (default 10).',
	},
	{
		node: 'Famulor Threshold Trigger',
		where: 'spend',
		parameter: 'options.timezone',
		value: '`Nowhere/City`',
		parameters: { options: { timezone: 'Nowhere/City' } },
		message: 'Parameter "options.timezone": Unknown timezone "Nowhere/City"',
		fix: 'Use an IANA timezone name such as Europe/Berlin or America/New_York.',
	},
	{
		node: 'Famulor Threshold Trigger',
		where: 'spend',
		parameter: 'billingCycleDay',
		value: '`0` (credential)',
		parameters: { period: 'billingCycle' },
		credentials: { billingCycleDay: 0 },
		message: 'Parameter "billingCycleDay": Billing cycle day 0 is not a day of the month',
		fix: 'Set Billing Cycle Day in the Famulor Billing API credential to a whole number from 1 to 31.',
	},
	{
		node: 'Famulor Threshold Trigger',
		where: 'spend',
		parameter: 'billingCycleDay',
		value: '`32` (credential)',
		parameters: { period: 'billingCycle' },
		credentials: { billingCycleDay: 32 },
		message: 'Parameter "billingCycleDay": Billing cycle day 32 is not a day of the month',
		fix: 'Set Billing Cycle Day in the Famulor Billing API credential to a whole number from 1 to 31.',
	},
	{
		node: 'Famulor Threshold Trigger',
		where: 'spend',
		parameter: 'billingCycleDay',
		value: '`" 0x1F "` (credential)',
		parameters: { period: 'billingCycle' },
		credentials: { billingCycleDay: ' 0x1F ' as unknown as number },
		message: 'Parameter "billingCycleDay": Billing Cycle Day " 0x1F " is not a decimal number',
		fix: `Enter Billing Cycle Day as ${DECIMAL}, e.g. 1.`,
	},
	{
		node: 'Famulor Threshold Trigger',
		where: 'spend',
		parameter: 'budget',
		value: '`1e3` (from an expression)',
		parameters: { thresholdType: 'percentOfBudget', budget: '={{ "1e3" }}' },
		message: 'Parameter "budget": Budget "1e3" is not a decimal number',
		fix: `Enter Budget as ${DECIMAL}, e.g. 500.`,
	},
	{
		node: 'Famulor Threshold Trigger',
		where: 'spend',
		parameter: 'filters.assistantId',
		value: '`abc` (by ID)',
		parameters: { filters: { assistantId: { __rl: true, mode: 'id', value: 'abc' } } },
		message: 'Parameter "filters.assistantId": Assistant ID "abc" is not a number',
		fix: 'Pick the assistant from the list, or enter its numeric ID.',
	},
	{
		node: 'Famulor Threshold Trigger',
		where: 'spend',
		parameter: 'filters.phoneNumber',
		value: '`hello`',
		parameters: { filters: { phoneNumber: 'hello' } },
		message: 'Parameter "filters.phoneNumber": Phone number "hello" is not in E.164 format',
		fix: 'Enter the Famulor number with country code, e.g. +4930123456.',
	},
	{
		node: 'Famulor Threshold Trigger',
		where: 'spend',
		parameter: 'metric',
		value: '`cost` (from an expression)',
		parameters: { metric: '={{ "cost" }}' },
		message: 'Parameter "metric": Metric "cost" is not one of its options',
		fix: 'Pick one from the list; an expression must return one of: spend, minutes, calls, balance, forecastSpend.',
	},
	{
		node: 'Famulor Threshold Trigger',
		where: 'spend',
		parameter: 'period',
		value: '`year` (from an expression)',
		parameters: { period: '={{ "year" }}' },
		message: 'Parameter "period": Period "year" is not one of its options',
		fix: 'Pick one from the list; an expression must return one of: day, week, month, billingCycle.',
	},
	{
		node: 'Famulor Threshold Trigger',
		where: 'spend',
		parameter: 'thresholdType',
		value: '`ratio` (from an expression)',
		parameters: { thresholdType: '={{ "ratio" }}' },
		message: 'Parameter "thresholdType": Threshold Type "ratio" is not one of its options',
		fix: 'Pick one from the list; an expression must return one of: absolute, percentOfBudget.',
	},
	{
		node: 'Famulor Threshold Trigger',
		where: 'spend',
		parameter: 'groupBy',
		value: '`country` (from an expression)',
		parameters: { groupBy: '={{ "country" }}' },
		message: 'Parameter "groupBy": Group By "country" is not one of its options',
		fix: 'Pick one from the list; an expression must return one of: none, assistant, campaign, phoneNumber, client.',
	},
	// --- Threshold trigger: Group By Client -------------------------------------------------------
	{
		node: 'Famulor Threshold Trigger',
		where: 'spend',
		parameter: 'clients',
		value: 'Group By Client without rules',
		parameters: { ...BY_CLIENT },
		message: 'Parameter "clients": Group By is Client, but there are no client rules',
		fix:
			'Add one rule per client under Clients (Name, Match By, Values), the same rules as in Charge Summary → ' +
			'Generate, or choose another Group By.',
	},
	{
		node: 'Famulor Threshold Trigger',
		where: 'spend',
		parameter: 'clients',
		value: 'a rule without a name',
		parameters: { ...BY_CLIENT, ...rulesOf({ ...RULE, name: '' }) },
		message: 'Parameter "clients": Client rule 1 has no name',
		fix: 'Give every client rule the client name that should appear in the report, e.g. "Acme GmbH".',
	},
	{
		node: 'Famulor Threshold Trigger',
		where: 'spend',
		parameter: 'clients',
		value: 'a campaign rule without values',
		parameters: { ...BY_CLIENT, ...rulesOf({ ...RULE, matchBy: 'campaign', values: ' , ' }) },
		message: 'Parameter "clients": Client rule 1 (Acme GmbH) has no values to match',
		fix:
			'Enter the campaign names of this client, comma-separated, e.g. "Acme Sales, Acme*" (a trailing * matches ' +
			'a prefix).',
	},
	{
		node: 'Famulor Threshold Trigger',
		where: 'spend',
		parameter: 'clients',
		value: 'a client named `Unassigned`',
		parameters: { ...BY_CLIENT, ...rulesOf({ ...RULE, name: 'Unassigned' }) },
		message: 'Parameter "clients": Client rule 1 (Unassigned) uses the reserved name "Unassigned"',
		fix: 'Choose another client name: "Unassigned" collects the calls and numbers no rule matches.',
	},
	{
		node: 'Famulor Threshold Trigger',
		where: 'spend',
		parameter: 'clients',
		value: 'budget `-300`',
		parameters: { ...BY_CLIENT, ...rulesOf({ ...RULE, budget: -300 }) },
		message: 'Parameter "clients": Client rule 1 (Acme GmbH) has budget "-300", which is not an amount of zero or more',
		fix: "Enter the client's budget for the period, e.g. 300, or 0 to use the node's Budget.",
	},
	{
		node: 'Famulor Threshold Trigger',
		where: 'spend',
		parameter: 'clients',
		value: 'budget `" 0x2 "` (spaces around it)',
		parameters: { ...BY_CLIENT, ...rulesOf({ ...RULE, budget: ' 0x2 ' }) },
		message: 'Parameter "clients": Client rule 1 (Acme GmbH) has budget " 0x2 ", which is not a decimal number',
		fix: `Enter the client's budget as ${DECIMAL}, e.g. 300, or 0 to use the node's Budget.`,
	},
	{
		node: 'Famulor Threshold Trigger',
		where: 'spend',
		parameter: 'clients',
		value: 'markup `1e3`',
		parameters: { ...BY_CLIENT, ...rulesOf({ ...RULE, markupPercent: '1e3' }) },
		message: 'Parameter "clients": Client rule 1 (Acme GmbH) has markup "1e3", which is not a decimal number',
		fix: `Enter the markup as a percentage in ${DECIMAL}, e.g. 15 for 15 %, or 0 for none.`,
	},
	{
		node: 'Famulor Threshold Trigger',
		where: 'spend',
		parameter: 'clients',
		value: 'markup `-10`',
		parameters: { ...BY_CLIENT, ...rulesOf({ ...RULE, markupPercent: -10 }) },
		message:
			'Parameter "clients": Client rule 1 (Acme GmbH) has markup "-10", which is not a percentage of zero or more',
		fix: 'Enter the markup as a percentage, e.g. 15 for 15 %, or 0 for none.',
	},
	{
		node: 'Famulor Threshold Trigger',
		where: 'spend',
		parameter: 'clients',
		value: 'a phone rule with `Acme Berlin`',
		parameters: { ...BY_CLIENT, ...rulesOf({ ...RULE, matchBy: 'phoneNumber', values: '+4930*, Acme Berlin' }) },
		message: 'Parameter "clients": Client rule 1 (Acme GmbH) has "Acme Berlin", which is not a phone number',
		fix: 'Enter numbers in E.164 form such as +4930123456, or a prefix such as +4930*.',
	},
	{
		node: 'Famulor Threshold Trigger',
		where: 'spend',
		parameter: 'clients',
		value: 'budgets 300 and 400 for one client',
		parameters: {
			...BY_CLIENT,
			...rulesOf({ ...RULE, budget: 300 }, { ...RULE, matchBy: 'campaign', values: 'Acme*', budget: 400 }),
		},
		message:
			'Parameter "clients": Client rule 2 (Acme GmbH) sets budget 400, but an earlier rule for the same client sets 300',
		fix: 'Set the budget on one rule of the client (or the same budget on each).',
	},
	{
		node: 'Famulor Threshold Trigger',
		where: 'spend',
		parameter: 'clients',
		value: 'budget `200000000`',
		parameters: { ...BY_CLIENT, ...rulesOf({ ...RULE, budget: 200_000_000 }) },
		message: 'Parameter "clients": A threshold of 160000000 is beyond what the package can count exactly',
		fix: 'Use thresholds up to 90,000,000.',
	},
	{
		node: 'Famulor Threshold Trigger',
		where: 'spend',
		parameter: 'budget',
		value: '`0` with a client rule without a budget',
		parameters: {
			...BY_CLIENT,
			budget: 0,
			...rulesOf({ ...RULE, budget: 300 }, { ...RULE, name: 'Northwind', values: 'Support Bot' }),
		},
		message: 'Parameter "budget": Budget is 0, and client "Northwind" has no budget of its own',
		fix:
			'Set Budget to a positive amount (it applies to every client without one), or give each client rule its ' +
			'own Budget.',
	},
	{
		node: 'Famulor Threshold Trigger',
		where: 'balance',
		parameter: 'groupBy',
		value: '`client` with Metric Balance (from an expression)',
		parameters: { ...BY_CLIENT, metric: '={{ "balance" }}', ...rulesOf(RULE) },
		message: 'Parameter "groupBy": Balance cannot be grouped by client: it is one figure for the whole account',
		fix:
			"Set Group By to None for the balance, or watch each client's budget with Metric Spend (or Forecast " +
			'Spend) and Group By Client.',
	},
	// --- Spike trigger ---------------------------------------------------------------------------
	{
		node: 'Famulor Spike Trigger',
		where: 'spend',
		parameter: 'baselineDays',
		value: '`0`',
		parameters: { baselineDays: 0 },
		message: 'Parameter "baselineDays": Baseline Days 0 is out of range',
		fix: 'Use a whole number of days from 1 to 60 (7 by default; 21 or more for Same Weekday).',
	},
	{
		node: 'Famulor Spike Trigger',
		where: 'spend',
		parameter: 'baselineDays',
		value: '`61`',
		parameters: { baselineDays: 61 },
		message: 'Parameter "baselineDays": Baseline Days 61 is out of range',
		fix: 'Use a whole number of days from 1 to 60 (7 by default; 21 or more for Same Weekday).',
	},
	{
		node: 'Famulor Spike Trigger',
		where: 'spend',
		parameter: 'baselineDays',
		value: '`2.5`',
		parameters: { baselineDays: 2.5 },
		message: 'Parameter "baselineDays": Baseline Days 2.5 is out of range',
		fix: 'Use a whole number of days from 1 to 60 (7 by default; 21 or more for Same Weekday).',
	},
	{
		node: 'Famulor Spike Trigger',
		where: 'spend',
		parameter: 'minIncreasePercent',
		value: '`-10`',
		parameters: { minIncreasePercent: -10 },
		message: 'Parameter "minIncreasePercent": Min Increase Percent -10 is not a positive percentage',
		fix: 'Enter 0 or more, e.g. 100 for "at least double the usual".',
	},
	{
		node: 'Famulor Spike Trigger',
		where: 'spend',
		parameter: 'minIncreasePercent',
		value: '`lots` (from an expression)',
		parameters: { minIncreasePercent: '={{ "lots" }}' },
		message: 'Parameter "minIncreasePercent": Min Increase (%) "lots" is not a decimal number',
		fix: `Enter Min Increase (%) as ${DECIMAL}, e.g. 100.`,
	},
	{
		node: 'Famulor Spike Trigger',
		where: 'spend',
		parameter: 'baselineDays',
		value: '`Infinity` (from an expression)',
		parameters: { baselineDays: '={{ "Infinity" }}' },
		message: 'Parameter "baselineDays": Baseline Days "Infinity" is not a decimal number',
		fix: `Enter Baseline Days as ${DECIMAL}, e.g. 7.`,
	},
	{
		node: 'Famulor Spike Trigger',
		where: 'spend',
		parameter: 'minAbsoluteIncrease',
		value: '`-1`',
		parameters: { minAbsoluteIncrease: -1 },
		message: 'Parameter "minAbsoluteIncrease": Min Absolute Increase -1 is negative',
		fix: 'Enter 0 or more, in the metric unit (currency, minutes or calls).',
	},
	{
		node: 'Famulor Spike Trigger',
		where: 'spend',
		parameter: 'options.minBaselineSamples',
		value: '`0`',
		parameters: { options: { minBaselineSamples: 0 } },
		message: 'Parameter "options.minBaselineSamples": Min Baseline Samples 0 must be at least 1',
		fix: 'Enter a whole number of 1 or more (3 by default).',
	},
	{
		node: 'Famulor Spike Trigger',
		where: 'spend',
		parameter: 'options.settleMinutes',
		value: '`-5`',
		parameters: { options: { settleMinutes: -5 } },
		message: 'Parameter "options.settleMinutes": Settle Minutes -5 is out of range',
		fix: 'Enter 0 to 1440 minutes (5 by default).',
	},
	{
		node: 'Famulor Spike Trigger',
		where: 'spend',
		parameter: 'options.settleMinutes',
		value: '`2000`',
		parameters: { options: { settleMinutes: 2000 } },
		message: 'Parameter "options.settleMinutes": Settle Minutes 2000 is out of range',
		fix: 'Enter 0 to 1440 minutes (5 by default).',
	},
	{
		node: 'Famulor Spike Trigger',
		where: 'spend',
		parameter: 'options.timezone',
		value: '`CET+1`',
		parameters: { options: { timezone: 'CET+1' } },
		message: 'Parameter "options.timezone": Unknown timezone "CET+1"',
		fix: 'Use an IANA timezone name such as Europe/Berlin or America/New_York.',
	},
	{
		node: 'Famulor Spike Trigger',
		where: 'spend',
		parameter: 'metric',
		value: '`cost` (from an expression)',
		parameters: { metric: '={{ "cost" }}' },
		message: 'Parameter "metric": Metric "cost" is not one of its options',
		fix: 'Pick one from the list; an expression must return one of: spend, minutes, calls, failedCalls.',
	},
	{
		node: 'Famulor Spike Trigger',
		where: 'spend',
		parameter: 'window',
		value: '`week` (from an expression)',
		parameters: { window: '={{ "week" }}' },
		message: 'Parameter "window": Window "week" is not one of its options',
		fix: 'Pick one from the list; an expression must return one of: fifteenMinutes, hour, sixHours, day.',
	},
	{
		node: 'Famulor Spike Trigger',
		where: 'spend',
		parameter: 'seasonality',
		value: '`monthly` (from an expression)',
		parameters: { seasonality: '={{ "monthly" }}' },
		message: 'Parameter "seasonality": Seasonality "monthly" is not one of its options',
		fix: 'Pick one from the list; an expression must return one of: sameTimeOfDay, sameWeekday, none.',
	},
	{
		node: 'Famulor Spike Trigger',
		where: 'spend',
		parameter: 'filters.direction',
		value: '`sideways` (from an expression)',
		parameters: { filters: { direction: '={{ "sideways" }}' } },
		message: 'Parameter "filters.direction": Direction "sideways" is unknown',
		fix: 'Choose inbound, outbound or web.',
	},
	{
		node: 'Famulor Spike Trigger',
		where: 'spend',
		parameter: 'clients',
		value: 'Group By Client without rules',
		parameters: { groupBy: 'client' },
		message: 'Parameter "clients": Group By is Client, but there are no client rules',
		fix:
			'Add one rule per client under Clients (Name, Match By, Values), the same rules as in Charge Summary → ' +
			'Generate, or choose another Group By.',
	},
	{
		node: 'Famulor Spike Trigger',
		where: 'spend',
		parameter: 'clients',
		value: 'a client named `unassigned`',
		parameters: { groupBy: 'client', ...rulesOf({ ...RULE, name: 'unassigned' }) },
		message: 'Parameter "clients": Client rule 1 (unassigned) uses the reserved name "Unassigned"',
		fix: 'Choose another client name: "Unassigned" collects the calls and numbers no rule matches.',
	},
	{
		node: 'Famulor Spike Trigger',
		where: 'spend',
		parameter: 'clients',
		value: 'a phone rule without values',
		parameters: { groupBy: 'client', ...rulesOf({ ...RULE, matchBy: 'phoneNumber', values: '' }) },
		message: 'Parameter "clients": Client rule 1 (Acme GmbH) has no values to match',
		fix:
			'Enter the client\'s Famulor numbers, comma-separated, e.g. "+4930123456, +4940*" (a trailing * matches a ' +
			'prefix).',
	},
	// --- Call trigger ----------------------------------------------------------------------------
	{
		node: 'Famulor Call Trigger',
		where: 'every call',
		parameter: 'minCost',
		value: '`-1`',
		parameters: { minCost: -1 },
		message: 'Parameter "minCost": Min Cost -1 is not an amount of 0 or more',
		fix:
			'Enter 0 for every call, or an amount in the account currency (e.g. 5 for calls costing 5.00 or more), up ' +
			'to 90,000,000.',
	},
	{
		node: 'Famulor Call Trigger',
		where: 'every call',
		parameter: 'minCost',
		value: '`five` (from an expression)',
		parameters: { minCost: '={{ "five" }}' },
		message: 'Parameter "minCost": Min Cost "five" is not a decimal number',
		fix: `Enter Min Cost as ${DECIMAL}, e.g. 5.`,
	},
	{
		node: 'Famulor Call Trigger',
		where: 'every call',
		parameter: 'minDurationMinutes',
		value: '`-2`',
		parameters: { minDurationMinutes: -2 },
		message: 'Parameter "minDurationMinutes": Min Duration -2 is not a number of minutes from 0 to 1440',
		fix: 'Enter 0 for every call, or the shortest call to emit in minutes (e.g. 10).',
	},
	{
		node: 'Famulor Call Trigger',
		where: 'every call',
		parameter: 'options.settleMinutes',
		value: '`2000`',
		parameters: { options: { settleMinutes: 2000 } },
		message: 'Parameter "options.settleMinutes": Settle Minutes 2000 is out of range',
		fix: 'Enter 0 to 1440 minutes (5 by default): how long after a call ended its cost is taken as final.',
	},
	{
		node: 'Famulor Call Trigger',
		where: 'every call',
		parameter: 'options.maxItemsPerPoll',
		value: '`0`',
		parameters: { options: { maxItemsPerPoll: 0 } },
		message: 'Parameter "options.maxItemsPerPoll": Max Items per Poll 0 is not a whole number from 1 to 10,000',
		fix:
			'Enter how many calls one poll may emit at most (1000 by default); a larger backlog continues on the next ' +
			'polls.',
	},
	{
		node: 'Famulor Call Trigger',
		where: 'every call',
		parameter: 'options.maxItemsPerPoll',
		value: '`2.5`',
		parameters: { options: { maxItemsPerPoll: 2.5 } },
		message: 'Parameter "options.maxItemsPerPoll": Max Items per Poll 2.5 is not a whole number from 1 to 10,000',
		fix:
			'Enter how many calls one poll may emit at most (1000 by default); a larger backlog continues on the next ' +
			'polls.',
	},
	{
		node: 'Famulor Call Trigger',
		where: 'every call',
		parameter: 'options.startFrom',
		value: '`yesterday` (from an expression)',
		parameters: { options: { startFrom: '={{ "yesterday" }}' } },
		message: 'Parameter "options.startFrom": Start From "yesterday" is not one of its options',
		fix: 'Pick one from the list; an expression must return one of: now, startOfToday, startOfMonth.',
	},
	{
		node: 'Famulor Call Trigger',
		where: 'every call',
		parameter: 'options.timezone',
		value: '`Europe/Nowhere`',
		parameters: { options: { timezone: 'Europe/Nowhere' } },
		message: 'Parameter "options.timezone": Unknown timezone "Europe/Nowhere"',
		fix: 'Use an IANA timezone name such as Europe/Berlin or America/New_York.',
	},
	{
		node: 'Famulor Call Trigger',
		where: 'every call',
		parameter: 'filters.campaignId',
		value: '`x1` (by ID)',
		parameters: { filters: { campaignId: { __rl: true, mode: 'id', value: 'x1' } } },
		message: 'Parameter "filters.campaignId": Campaign ID "x1" is not a number',
		fix: 'Pick the campaign from the list, or enter its numeric ID.',
	},
	// --- Action node: periods, filters, limits ---------------------------------------------------
	{
		node: 'Famulor Billing',
		where: 'usage/getSummary',
		parameter: 'endDate',
		value: 'custom period ending before it starts',
		parameters: { period: 'custom', startDate: '2026-11-10', endDate: '2026-11-01' },
		message: 'Parameter "endDate": The custom period ends before it starts',
		fix: 'Set End Date after Start Date (the end is exclusive: 2026-11-01 to 2026-12-01 is November).',
	},
	{
		node: 'Famulor Billing',
		where: 'usage/getSummary',
		parameter: 'endDate',
		value: 'custom period of 424 days',
		parameters: { period: 'custom', startDate: '2025-01-01', endDate: '2026-03-01' },
		message: 'Parameter "endDate": The custom period is longer than 400 days',
		fix: 'Choose a period of at most 400 days, or split it into several runs.',
	},
	{
		node: 'Famulor Billing',
		where: 'usage/getSummary',
		parameter: 'startDate',
		value: '`next tuesday`',
		parameters: { period: 'custom', startDate: 'next tuesday', endDate: '2026-11-01' },
		message: 'Parameter "startDate": "next tuesday" is not a date',
		fix: 'Pick a date, or enter it as YYYY-MM-DD (optionally with a time, e.g. 2026-11-01T00:00).',
	},
	{
		node: 'Famulor Billing',
		where: 'usage/getSummary',
		parameter: 'endDate',
		value: '(empty) with a custom period',
		parameters: { period: 'custom', startDate: '2026-11-01', endDate: '' },
		message: 'Parameter "endDate": "" is not a date',
		fix: 'Pick a date, or enter it as YYYY-MM-DD (optionally with a time, e.g. 2026-11-01T00:00).',
	},
	{
		node: 'Famulor Billing',
		where: 'usage/getSummary',
		parameter: 'options.timezone',
		value: '`Mars/Olympus`',
		parameters: { options: { timezone: 'Mars/Olympus' } },
		message: 'Parameter "options.timezone": Unknown timezone "Mars/Olympus"',
		fix: 'Use an IANA timezone name such as Europe/Berlin or America/New_York.',
	},
	{
		node: 'Famulor Billing',
		where: 'usage/getSummary',
		parameter: 'billingCycleDay',
		value: '`0` (credential)',
		parameters: { period: 'thisBillingCycle' },
		credentials: { billingCycleDay: 0 },
		message: 'Parameter "billingCycleDay": Billing cycle day 0 is not a day of the month',
		fix: 'Set Billing Cycle Day in the Famulor Billing API credential to a whole number from 1 to 31.',
	},
	{
		node: 'Famulor Billing',
		where: 'usage/getSummary',
		parameter: 'billingCycleDay',
		value: '`32` (credential)',
		parameters: { period: 'thisBillingCycle' },
		credentials: { billingCycleDay: 32 },
		message: 'Parameter "billingCycleDay": Billing cycle day 32 is not a day of the month',
		fix: 'Set Billing Cycle Day in the Famulor Billing API credential to a whole number from 1 to 31.',
	},
	{
		node: 'Famulor Billing',
		where: 'usage/getSummary',
		parameter: 'period',
		value: '`fortnight` (from an expression)',
		parameters: { period: '={{ "fortnight" }}' },
		message: 'Parameter "period": Unknown period "fortnight"',
		fix: 'Choose one of the listed periods.',
	},
	{
		node: 'Famulor Billing',
		where: 'usage/getSummary',
		parameter: 'groupBy',
		value: '`country` (from an expression)',
		parameters: { groupBy: '={{ "country" }}' },
		message: 'Parameter "groupBy": Group By "country" is not one of its options',
		fix:
			'Pick one from the list; an expression must return one of: none, day, hour, assistant, campaign, ' +
			'phoneNumber, direction, status.',
	},
	{
		node: 'Famulor Billing',
		where: 'usage/getSummary',
		parameter: 'filters.campaignId',
		value: '`7a` (by ID)',
		parameters: { filters: { campaignId: { __rl: true, mode: 'id', value: '7a' } } },
		message: 'Parameter "filters.campaignId": Campaign ID "7a" is not a number',
		fix: 'Pick the campaign from the list, or enter its numeric ID.',
	},
	{
		node: 'Famulor Billing',
		where: 'usage/getCalls',
		parameter: 'limit',
		value: '`0`',
		parameters: { limit: 0 },
		message: 'Parameter "limit": Limit 0 is not a whole number of 1 or more',
		fix: 'Enter how many calls to return, e.g. 50, or turn on Return All.',
	},
	{
		node: 'Famulor Billing',
		where: 'usage/getCalls',
		parameter: 'limit',
		value: '`2.5`',
		parameters: { limit: 2.5 },
		message: 'Parameter "limit": Limit 2.5 is not a whole number of 1 or more',
		fix: 'Enter how many calls to return, e.g. 50, or turn on Return All.',
	},
	// --- Action node: fee table, plan, client rules ----------------------------------------------
	{
		node: 'Famulor Billing',
		where: 'phoneNumber/getAll',
		parameter: 'monthlyFees',
		value: 'country `Germany`',
		parameters: { monthlyFees: { fee: [{ country: 'Germany', fee: 4 }] } },
		message:
			'Parameter "monthlyFees": Monthly Fees row 1 has country "Germany", which is not a two-letter country code',
		fix: 'Use ISO 3166 codes such as DE, US or GB.',
	},
	{
		node: 'Famulor Billing',
		where: 'phoneNumber/getAll',
		parameter: 'monthlyFees',
		value: 'fee `-1`',
		parameters: { monthlyFees: { fee: [{ country: 'DE', fee: -1 }] } },
		message: 'Parameter "monthlyFees": Monthly Fees row 1 (DE) has fee "-1", which is not an amount',
		fix: 'Enter the monthly rental as a non-negative amount, e.g. 4.50.',
	},
	{
		node: 'Famulor Billing',
		where: 'phoneNumber/getAll',
		parameter: 'monthlyFees',
		value: 'the same country twice',
		parameters: {
			monthlyFees: {
				fee: [
					{ country: 'DE', fee: 4 },
					{ country: 'de', fee: 5 },
				],
			},
		},
		message: 'Parameter "monthlyFees": Monthly Fees lists DE twice',
		fix: 'Keep one row per country.',
	},
	{
		node: 'Famulor Billing',
		where: 'phoneNumber/getAll',
		parameter: 'defaultMonthlyFee',
		value: '`-3.99`',
		parameters: { defaultMonthlyFee: -3.99 },
		message: 'Parameter "defaultMonthlyFee": Default Monthly Fee "-3.99" is not an amount',
		fix: 'Enter the monthly rental of a number as a non-negative amount, e.g. 3.99.',
	},
	// --- Action node: rented numbers audit --------------------------------------------------------
	{
		node: 'Famulor Billing',
		where: 'phoneNumber/audit',
		parameter: 'idleDays',
		value: '`0`',
		parameters: { idleDays: 0 },
		message: 'Parameter "idleDays": Idle Days 0 is not a whole number of days from 1 to 365',
		fix: 'Enter after how many days without a call a rented number counts as idle, e.g. 30.',
	},
	{
		node: 'Famulor Billing',
		where: 'phoneNumber/audit',
		parameter: 'idleDays',
		value: '`366`',
		parameters: { idleDays: 366 },
		message: 'Parameter "idleDays": Idle Days 366 is not a whole number of days from 1 to 365',
		fix: 'Enter after how many days without a call a rented number counts as idle, e.g. 30.',
	},
	{
		node: 'Famulor Billing',
		where: 'phoneNumber/audit',
		parameter: 'idleDays',
		value: '`2.5`',
		parameters: { idleDays: 2.5 },
		message: 'Parameter "idleDays": Idle Days 2.5 is not a whole number of days from 1 to 365',
		fix: 'Enter after how many days without a call a rented number counts as idle, e.g. 30.',
	},
	{
		node: 'Famulor Billing',
		where: 'phoneNumber/audit',
		parameter: 'idleDays',
		value: '`a month` (from an expression)',
		parameters: { idleDays: '={{ "a month" }}' },
		message: 'Parameter "idleDays": Idle Days "a month" is not a whole number of days from 1 to 365',
		fix: 'Enter after how many days without a call a rented number counts as idle, e.g. 30.',
	},
	{
		node: 'Famulor Billing',
		where: 'phoneNumber/audit',
		parameter: 'renewingWithinDays',
		value: '`-1`',
		parameters: { renewingWithinDays: -1 },
		message: 'Parameter "renewingWithinDays": Renewing Within Days -1 is not a whole number of days from 0 to 31',
		fix:
			'Enter how many days ahead a renewal counts as soon, e.g. 7 (0 = today only; 31 covers every number, ' +
			'since each renews monthly).',
	},
	{
		node: 'Famulor Billing',
		where: 'phoneNumber/audit',
		parameter: 'renewingWithinDays',
		value: '`45`',
		parameters: { renewingWithinDays: 45 },
		message: 'Parameter "renewingWithinDays": Renewing Within Days 45 is not a whole number of days from 0 to 31',
		fix:
			'Enter how many days ahead a renewal counts as soon, e.g. 7 (0 = today only; 31 covers every number, ' +
			'since each renews monthly).',
	},
	{
		node: 'Famulor Billing',
		where: 'phoneNumber/audit',
		parameter: 'options.timezone',
		value: '`Moon/Base`',
		parameters: { options: { timezone: 'Moon/Base' } },
		message: 'Parameter "options.timezone": Unknown timezone "Moon/Base"',
		fix: 'Use an IANA timezone name such as Europe/Berlin or America/New_York.',
	},
	{
		node: 'Famulor Billing',
		where: 'phoneNumber/audit',
		parameter: 'monthlyFees',
		value: 'country `Deutschland`',
		parameters: { monthlyFees: { fee: [{ country: 'Deutschland', fee: 4.5 }] } },
		message:
			'Parameter "monthlyFees": Monthly Fees row 1 has country "Deutschland", which is not a two-letter country code',
		fix: 'Use ISO 3166 codes such as DE, US or GB.',
	},
	{
		node: 'Famulor Billing',
		where: 'phoneNumber/audit',
		parameter: 'monthlyFees',
		value: 'fee `four` (from an expression)',
		parameters: { monthlyFees: { fee: [{ country: 'DE', fee: '={{ "four" }}' }] } },
		message: 'Parameter "monthlyFees": Monthly Fees row 1 (DE) has fee "four", which is not an amount',
		fix: `Enter the monthly rental as a non-negative amount, e.g. 4.50: ${DECIMAL}.`,
	},
	{
		node: 'Famulor Billing',
		where: 'phoneNumber/audit',
		parameter: 'defaultMonthlyFee',
		value: '`-1`',
		parameters: { defaultMonthlyFee: -1 },
		message: 'Parameter "defaultMonthlyFee": Default Monthly Fee "-1" is not an amount',
		fix: 'Enter the monthly rental of a number as a non-negative amount, e.g. 3.99.',
	},
	{
		node: 'Famulor Billing',
		where: 'phoneNumber/getAll',
		parameter: 'options.timezone',
		value: '`Berlin`',
		parameters: { options: { timezone: 'Berlin' } },
		message: 'Parameter "options.timezone": Unknown timezone "Berlin"',
		fix: 'Use an IANA timezone name such as Europe/Berlin or America/New_York.',
	},
	{
		node: 'Famulor Billing',
		where: 'chargeSummary/generate',
		parameter: 'monthlyFees',
		value: 'country `XYZ`',
		parameters: { monthlyFees: { fee: [{ country: 'XYZ', fee: 4 }] } },
		message: 'Parameter "monthlyFees": Monthly Fees row 1 has country "XYZ", which is not a two-letter country code',
		fix: 'Use ISO 3166 codes such as DE, US or GB.',
	},
	{
		node: 'Famulor Billing',
		where: 'chargeSummary/generate',
		parameter: 'clients',
		value: 'a rule without values',
		parameters: { clients: { client: [{ ...RULE, values: '' }] } },
		message: 'Parameter "clients": Client rule 1 (Acme GmbH) has no values to match',
		fix:
			'Enter the assistant names of this client, comma-separated, e.g. "Acme Sales, Acme*" (a trailing * ' +
			'matches a prefix).',
	},
	{
		node: 'Famulor Billing',
		where: 'chargeSummary/generate',
		parameter: 'clients',
		value: 'a rule without a name',
		parameters: { clients: { client: [{ ...RULE, name: '  ' }] } },
		message: 'Parameter "clients": Client rule 1 has no name',
		fix: 'Give every client rule the client name that should appear in the report, e.g. "Acme GmbH".',
	},
	{
		node: 'Famulor Billing',
		where: 'chargeSummary/generate',
		parameter: 'clients',
		value: 'a client named `Unassigned`',
		parameters: { clients: { client: [{ ...RULE, name: 'unassigned' }] } },
		message: 'Parameter "clients": Client rule 1 (unassigned) uses the reserved name "Unassigned"',
		fix: 'Choose another client name: "Unassigned" collects the calls and numbers no rule matches.',
	},
	{
		node: 'Famulor Billing',
		where: 'chargeSummary/generate',
		parameter: 'clients',
		value: 'markup `-5`',
		parameters: { clients: { client: [{ ...RULE, markupPercent: -5 }] } },
		message:
			'Parameter "clients": Client rule 1 (Acme GmbH) has markup "-5", which is not a percentage of zero or more',
		fix: 'Enter the markup as a percentage, e.g. 15 for 15 %, or 0 for none.',
	},
	{
		node: 'Famulor Billing',
		where: 'chargeSummary/generate',
		parameter: 'clients',
		value: 'a phone rule with `Berlin office`',
		parameters: { clients: { client: [{ ...RULE, matchBy: 'phoneNumber', values: 'Berlin office' }] } },
		message: 'Parameter "clients": Client rule 1 (Acme GmbH) has "Berlin office", which is not a phone number',
		fix: 'Enter numbers in E.164 form such as +4930123456, or a prefix such as +4930*.',
	},
	{
		node: 'Famulor Billing',
		where: 'chargeSummary/generate',
		parameter: 'includedMinutes',
		value: '`-1` (custom plan)',
		parameters: { pricingMode: 'plan', plan: 'custom', includedMinutes: -1, planFee: 199, overageRate: 0.15 },
		message: 'Parameter "includedMinutes": Included Minutes "-1" is not a non-negative number',
		fix: 'Enter Included Minutes as a number of zero or more, e.g. 600.',
	},
	{
		node: 'Famulor Billing',
		where: 'chargeSummary/generate',
		parameter: 'overageRate',
		value: '`-0.1` (custom plan)',
		parameters: { pricingMode: 'plan', plan: 'custom', includedMinutes: 600, planFee: 199, overageRate: -0.1 },
		message: 'Parameter "overageRate": Overage Rate "-0.1" is not a non-negative number',
		fix: 'Enter Overage Rate as a number of zero or more, e.g. 0.15.',
	},
	{
		node: 'Famulor Billing',
		where: 'chargeSummary/generate',
		parameter: 'plan',
		value: '`gold` (from an expression)',
		parameters: { pricingMode: 'plan', plan: '={{ "gold" }}' },
		message: 'Parameter "plan": Unknown plan "gold"',
		fix: 'Choose Flex, Starter, Business, Scale, or Custom and enter its terms.',
	},
	{
		node: 'Famulor Billing',
		where: 'chargeSummary/generate',
		parameter: 'pricingMode',
		value: '`free` (in an imported workflow)',
		parameters: { pricingMode: 'free' },
		message: 'Parameter "pricingMode": Unknown pricing mode "free"',
		fix:
			'Choose "Reported Costs" (sum of the call costs Famulor reports) or "Plan" (plan fee, included minutes ' +
			'and overage).',
	},
	// --- Credential ------------------------------------------------------------------------------
	{
		node: 'Famulor Billing',
		where: 'usage/getSummary',
		parameter: 'Base URL',
		value: '`app.famulor.de/api` (no scheme)',
		credentials: { baseUrl: 'app.famulor.de/api' },
		message: 'Base URL is not a URL (it is not repeated here, in case a key was pasted into it)',
		fix: 'Set Base URL in the credential to https://app.famulor.de/api (with the https:// scheme).',
	},
	{
		node: 'Famulor Billing',
		where: 'usage/getSummary',
		parameter: 'Base URL',
		value: '`https://user:pass@app.famulor.de/api`',
		credentials: { baseUrl: 'https://user:pass@app.famulor.de/api' },
		message: 'Base URL contains a user name or password (user:password@host)',
		fix: 'Remove everything up to the @: the API key belongs in API Key, never in the address.',
	},
	{
		node: 'Famulor Billing',
		where: 'usage/getSummary',
		parameter: 'Base URL',
		value: '`https://app.famulor.de/api?key=…`',
		credentials: { baseUrl: 'https://app.famulor.de/api?key=abc' },
		message: 'Base URL has a query (?…) or fragment (#…)',
		fix: 'Use the API root alone, e.g. https://app.famulor.de/api: the package adds paths and parameters itself.',
	},
	{
		node: 'Famulor Threshold Trigger',
		where: 'spend',
		parameter: 'Base URL',
		value: '`https://app.famulor.de/api#x`',
		credentials: { baseUrl: 'https://app.famulor.de/api#x' },
		message: 'Base URL has a query (?…) or fragment (#…)',
		fix: 'Use the API root alone, e.g. https://app.famulor.de/api: the package adds paths and parameters itself.',
	},
	{
		node: 'Famulor Billing',
		where: 'usage/getSummary',
		parameter: 'Base URL',
		value: '`http://famulor.example.com/api`',
		credentials: { baseUrl: 'http://famulor.example.com/api' },
		message: 'Base URL "http://famulor.example.com" is not https',
		fix:
			'Use an https:// address; plain http:// is only accepted for localhost, so the API key never crosses a ' +
			'network unencrypted.',
	},
	{
		node: 'Famulor Billing',
		where: 'usage/getSummary',
		parameter: 'Base URL',
		value: '`ftp://app.famulor.de/api`',
		credentials: { baseUrl: 'ftp://app.famulor.de/api' },
		message: 'Base URL "ftp://app.famulor.de" is not https',
		fix:
			'Use an https:// address; plain http:// is only accepted for localhost, so the API key never crosses a ' +
			'network unencrypted.',
	},
	{
		node: 'Famulor Threshold Trigger',
		where: 'spend',
		parameter: 'Base URL',
		value: '`http://10.0.0.5/api` (plain http to another machine)',
		credentials: { baseUrl: 'http://10.0.0.5/api' },
		message: 'Base URL "http://10.0.0.5" is not https',
		fix:
			'Use an https:// address; plain http:// is only accepted for localhost, so the API key never crosses a ' +
			'network unencrypted.',
	},
	{
		node: 'Famulor Billing',
		where: 'usage/getSummary',
		parameter: 'currency',
		value: '`euros` (credential)',
		credentials: { currency: 'euros' },
		message: 'Parameter "currency": Currency "euros" is not a three-letter ISO 4217 code',
		fix: 'Set Currency in the Famulor Billing API credential to the code your account is billed in, e.g. EUR or USD.',
	},
	// --- Credential of Famulor Platform 2.0 (this package reads Famulor Classic) -------------------
	{
		node: 'Famulor Billing',
		where: 'usage/getSummary',
		parameter: 'API Key',
		value: '`fam_…` (a Famulor Platform 2.0 key)',
		credentials: { apiKey: 'fam_live_0a1b2c3d4e5f6a7b8c9d' },
		message:
			'API Key is a Famulor Platform 2.0 key (it starts with fam_), ' +
			'but this package reads Famulor Classic (app.famulor.de); nothing was sent',
		fix:
			'This package reads Famulor Classic. If your account is on Famulor Classic, create a key at ' +
			'https://app.famulor.de/api-keys and set Base URL to https://app.famulor.de/api. Accounts on Famulor ' +
			"Platform 2.0 (app.famulor.io, keys starting with fam_) cannot use this package yet; Famulor's own " +
			'n8n node (n8n-nodes-famulor) reads Platform 2.0.',
	},
	{
		node: 'Famulor Spike Trigger',
		where: 'spend',
		parameter: 'API Key',
		value: '`fam_…` (a Famulor Platform 2.0 key)',
		credentials: { apiKey: 'fam_sa_9f8e7d6c5b4a39281706' },
		message:
			'API Key is a Famulor Platform 2.0 key (it starts with fam_), ' +
			'but this package reads Famulor Classic (app.famulor.de); nothing was sent',
		fix:
			'This package reads Famulor Classic. If your account is on Famulor Classic, create a key at ' +
			'https://app.famulor.de/api-keys and set Base URL to https://app.famulor.de/api. Accounts on Famulor ' +
			"Platform 2.0 (app.famulor.io, keys starting with fam_) cannot use this package yet; Famulor's own " +
			'n8n node (n8n-nodes-famulor) reads Platform 2.0.',
	},
	{
		node: 'Famulor Threshold Trigger',
		where: 'spend',
		parameter: 'Base URL',
		value: '`https://app.famulor.io/api/v1` (Famulor Platform 2.0)',
		credentials: { baseUrl: 'https://app.famulor.io/api/v1' },
		message:
			'Base URL points at app.famulor.io, which is Famulor Platform 2.0, ' +
			'but this package reads Famulor Classic (app.famulor.de); nothing was sent',
		fix:
			'This package reads Famulor Classic. If your account is on Famulor Classic, create a key at ' +
			'https://app.famulor.de/api-keys and set Base URL to https://app.famulor.de/api. Accounts on Famulor ' +
			"Platform 2.0 (app.famulor.io, keys starting with fam_) cannot use this package yet; Famulor's own " +
			'n8n node (n8n-nodes-famulor) reads Platform 2.0.',
	},
];

let sandbox: Sandbox;
const DISCOVER = process.env.BAD_INPUT_DISCOVER === '1';

beforeAll(async () => {
	sandbox = await Sandbox.start({ now: '2026-11-26T12:00:00Z', calls: 200, days: 40, futureDays: 0 });
});

afterAll(async () => {
	await sandbox.stop();
});

const nodes = {
	'Famulor Billing': new FamulorBilling(),
	'Famulor Threshold Trigger': new FamulorThresholdTrigger(),
	'Famulor Spike Trigger': new FamulorSpikeTrigger(),
	'Famulor Call Trigger': new FamulorCallTrigger(),
};

async function run(c: BadInputCase): Promise<EngineError | undefined> {
	const credentials: CredentialData = {
		apiKey: sandbox.apiKey,
		baseUrl: sandbox.url,
		currency: 'EUR',
		billingCycleDay: 1,
		...c.credentials,
	};
	const parameters = { ...base(c.node, c.where), ...c.parameters } as INodeParameters;
	if (c.node === 'Famulor Billing') {
		const { error } = await executeNode({ node: nodes[c.node], parameters, credentials, timezone: 'Europe/Berlin' });
		return error;
	}
	const workflow = createPollingWorkflow({ node: nodes[c.node], parameters, credentials, timezone: 'Europe/Berlin' });
	return (await workflow.poll()).error;
}

describe('bad input fails with the parameter and the fix, before any request', () => {
	it.each(CASES.map((c) => [`${c.node} ${c.where}: ${c.parameter} = ${c.value}`, c] as const))(
		'%s',
		async (_title, c) => {
			sandbox.resetStats();
			const error = await run(c);
			if (DISCOVER) {
				console.log(
					JSON.stringify({
						title: _title,
						name: error?.name,
						message: error?.message,
						description: error?.description,
						requests: sandbox.stats.requests,
					}),
				);
				return;
			}
			expect(error).toBeDefined();
			expect(['NodeOperationError', 'NodeApiError']).toContain(error?.name);
			expect(error?.message).toBe(c.message);
			expect(error?.message).toContain(c.parameter);
			expect(error?.description).toBe(c.fix);
			expect(sandbox.stats.requests).toBe(0);
		},
	);
});

// ---------------------------------------------------------------------------------------------
// docs/bad-input.md: the README's table, one row per case above
// ---------------------------------------------------------------------------------------------

const DOC = path.join(__dirname, '..', '..', 'docs', 'bad-input.md');

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderBadInputDoc(cases: BadInputCase[]): string {
	const rows = cases.map((c) => {
		const where = c.node === 'Famulor Billing' || c.node === 'Famulor Call Trigger' ? c.where : `metric ${c.where}`;
		return (
			`| ${cell(c.node)} (${cell(where)}) | \`${cell(c.parameter)}\` | ${cell(c.value)} | ${cell(c.message)} | ` +
			`${cell(c.fix)} |`
		);
	});
	return [
		'# Bad input',
		'',
		'Every value below is refused before any request is sent to Famulor: the node fails with an n8n',
		"`NodeOperationError` (for the credential's Base URL a `NodeApiError`) whose message names the",
		'parameter and whose description says how to fix it. Options picked from a list cannot be wrong, but',
		'an expression or an imported workflow can put any text there, so those are checked too.',
		'',
		"This table is generated from `test/nodes/badInput.test.ts`, which runs every row through n8n's",
		'engine and checks the message and the fix word for word (regenerate it with',
		'`UPDATE_BAD_INPUT_DOC=1 npx jest test/nodes/badInput`).',
		'',
		'| Node | Parameter | Invalid value | Error message | Fix |',
		'| --- | --- | --- | --- | --- |',
		...rows,
		'',
	].join('\n');
}

describe('docs/bad-input.md', () => {
	it('lists exactly the cases tested above, one row each, with their message and fix', () => {
		const expected = renderBadInputDoc(CASES);
		if (process.env.UPDATE_BAD_INPUT_DOC === '1') fs.writeFileSync(DOC, expected);
		const actual = fs.readFileSync(DOC, 'utf8');
		const rows = (text: string) =>
			text
				.split('\n')
				.filter((line) => line.startsWith('| ') && !line.startsWith('| Node') && !line.startsWith('| ---'));
		expect(rows(actual)).toEqual(rows(expected));
		expect(rows(actual)).toHaveLength(CASES.length);
		expect(actual).toBe(expected);
	});

	it("the README's bad-input table is the same, row for row", () => {
		const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
		const section = readme.slice(readme.indexOf('# Bad input'));
		const table = section.slice(section.indexOf('| Node |')).split('\n');
		const rows = table.slice(
			2,
			table.findIndex((line, index) => index > 1 && !line.startsWith('| ')),
		);
		const expected = renderBadInputDoc(CASES)
			.split('\n')
			.filter((line) => line.startsWith('| ') && !line.startsWith('| Node') && !line.startsWith('| ---'));
		expect(rows).toEqual(expected);
	});
});
