/**
 * Group By Client in the triggers (SPEC §11): "tell me when Acme reaches 80 % of its 300 EUR budget".
 *
 * Calls go to clients by the charge summary's client rules, through the one matcher in src/clients.ts
 * (first matching rule, else `Unassigned`), so an alert and a report never disagree about whose call
 * it was. Each client is a group of its own; `Unassigned` is evaluated only with Include Unassigned.
 * In the Threshold Trigger each client has its own budget (empty: the node's Budget), and with Include
 * Markup a client's spend counts as spend × (1 + markupPercent / 100): what the client is billed.
 *
 * Client names are data: they are group names, kept as Map keys and list values like every other
 * group name (a client may be called `__proto__`).
 */
import type { Call, TriggerGroupBy } from '../calls';
import {
	clientNameOfCall,
	parseClientRules,
	UNASSIGNED,
	withMarkup,
	type ClientInfo,
	type ClientRuleInput,
	type ClientRules,
} from '../clients';
import { InvalidParameterError } from '../errors';
import { localeOf, type Locale } from '../i18n';

export interface ClientGrouping {
	rules: ClientRules;
	/** Also evaluate `Unassigned` (the calls no rule matches), with the node's Budget. */
	includeUnassigned: boolean;
	/** Threshold Trigger, spend and forecast spend: compare spend × (1 + markupPercent / 100). */
	includeMarkup: boolean;
}

/** What the client grouping needs to know of a trigger's configuration. */
interface GroupedConfig {
	metric: string;
	groupBy: TriggerGroupBy;
	clients?: ClientGrouping;
	/** Threshold Trigger only. */
	thresholdType?: 'absolute' | 'percentOfBudget';
	budget?: number;
}

const MONEY_METRICS: readonly string[] = ['spend', 'forecastSpend'];

function balanceByClient(): InvalidParameterError {
	return new InvalidParameterError(
		'groupBy',
		'Balance cannot be grouped by client: it is one figure for the whole account',
		"Set Group By to None for the balance, or watch each client's budget with Metric Spend (or Forecast " +
			'Spend) and Group By Client.',
	);
}

function noRules(): InvalidParameterError {
	return new InvalidParameterError(
		'clients',
		'Group By is Client, but there are no client rules',
		'Add one rule per client under Clients (Name, Match By, Values), the same rules as in Charge Summary → ' +
			'Generate, or choose another Group By.',
	);
}

/**
 * The client grouping of a trigger from its parameters, validated before any request: undefined
 * unless Group By is Client.
 */
export function readClientGrouping(input: {
	metric: string;
	groupBy: string;
	rows: ClientRuleInput[];
	includeUnassigned?: unknown;
	includeMarkup?: unknown;
}): ClientGrouping | undefined {
	if (input.groupBy !== 'client') return undefined;
	if (input.metric === 'balance') throw balanceByClient();
	const rules = parseClientRules(input.rows);
	if (rules.clients.length === 0) throw noRules();
	return { rules, includeUnassigned: input.includeUnassigned === true, includeMarkup: input.includeMarkup === true };
}

/** The checks of a configuration grouped by client (also for configurations built without the node). */
export function validateClientGrouping(config: GroupedConfig): void {
	if (config.groupBy !== 'client') return;
	if (config.metric === 'balance') throw balanceByClient();
	if (!config.clients || config.clients.rules.clients.length === 0) throw noRules();
	if (config.thresholdType !== 'percentOfBudget' || (config.budget ?? 0) > 0) return;
	const budget = config.budget ?? 0;
	const without = config.clients.rules.clients.find((client) => client.budget === null);
	if (without) {
		throw new InvalidParameterError(
			'budget',
			`Budget is ${budget}, and client "${without.name}" has no budget of its own`,
			'Set Budget to a positive amount (it applies to every client without one), or give each client rule its own Budget.',
		);
	}
	if (config.clients.includeUnassigned) {
		throw new InvalidParameterError(
			'budget',
			`Budget is ${budget}, and Unassigned (Include Unassigned) is measured against it`,
			'Set Budget to a positive amount, or turn off Include Unassigned.',
		);
	}
}

/** The group of a call grouped by client: its client's name, `Unassigned`, or undefined when that is not evaluated. */
export function clientGroupOf(grouping: ClientGrouping | undefined, call: Call): string | undefined {
	if (!grouping) return undefined;
	const name = clientNameOfCall(grouping.rules, call);
	return name === UNASSIGNED && !grouping.includeUnassigned ? undefined : name;
}

function clientNamed(config: GroupedConfig, group: string | null): ClientInfo | undefined {
	if (config.groupBy !== 'client' || group === null) return undefined;
	return config.clients?.rules.clients.find((client) => client.name === group);
}

/** The budget a group is measured against: its client's own, else the node's Budget. */
export function budgetOfGroup(config: GroupedConfig & { budget: number }, group: string | null): number {
	return clientNamed(config, group)?.budget ?? config.budget;
}

/** All budgets in use (for the exact-range check of thresholds). */
export function budgetsInUse(config: GroupedConfig & { budget: number }): number[] {
	const own = config.groupBy === 'client' ? (config.clients?.rules.clients ?? []).map((client) => client.budget) : [];
	return [config.budget, ...own.filter((budget): budget is number => budget !== null)];
}

/** The markup a group's money values carry (Include Markup), or undefined. */
export function markupOfGroup(config: GroupedConfig, group: string | null): ClientInfo | undefined {
	if (!config.clients?.includeMarkup || !MONEY_METRICS.includes(config.metric)) return undefined;
	const client = clientNamed(config, group);
	return client && client.markupUnits !== 0 ? client : undefined;
}

/** A group's value as it is compared and shown: with Include Markup, a client's spend with its markup. */
export function billedValue(config: GroupedConfig, group: string | null, units: number): number {
	const client = markupOfGroup(config, group);
	return client ? withMarkup(units, client) : units;
}

/** How a message names a client group. */
export function clientSubject(group: string, locale: Locale = localeOf('en')): string {
	return group === UNASSIGNED ? locale.m.threshold.unassigned : group;
}
