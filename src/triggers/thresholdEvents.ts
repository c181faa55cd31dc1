/**
 * What the Threshold Trigger is configured with and what it emits: the configuration and its
 * validation, thresholds in the metric's counting unit, and the event with its one-sentence message
 * ("Spend this month reached 80% of the 500.00 EUR budget: 401.20 EUR."). The engines that decide
 * when to emit are threshold.ts (spend, minutes, calls, forecast) and balance.ts.
 */
import { groupLabel, TRIGGER_GROUP_BY, type CallFilters, type TriggerGroupBy } from '../calls';
import type { CallQuery } from '../api/port';
import { assertOneOf, InvalidParameterError } from '../errors';
import { displayText, displayValue, metricName, toCountingUnits, unitOf } from '../metrics';
import { publicPeriod, type Period, type ResolvedPeriod, type TriggerPeriod } from '../periods';
import {
	billedValue,
	budgetOfGroup,
	budgetsInUse,
	clientSubject,
	markupOfGroup,
	validateClientGrouping,
	type ClientGrouping,
} from './clientGroups';
import type { Contributions, Contributor } from './contributors';
import { fingerprint } from './state';

export type ThresholdMetric = 'spend' | 'minutes' | 'calls' | 'balance' | 'forecastSpend';
export const THRESHOLD_METRICS: readonly ThresholdMetric[] = ['spend', 'minutes', 'calls', 'balance', 'forecastSpend'];

export interface ThresholdConfig {
	metric: ThresholdMetric;
	period: TriggerPeriod;
	timezone: string;
	billingCycleDay: number;
	thresholdType: 'absolute' | 'percentOfBudget';
	budget: number;
	thresholds: number[];
	groupBy: TriggerGroupBy;
	/** Group By Client: the client rules and their options (absent otherwise, so older fingerprints stay). */
	clients?: ClientGrouping;
	query: CallQuery;
	filters: CallFilters;
	/** Balance re-arm margin, percent of the threshold. */
	rearmMarginPercent: number;
	fireOnActivation: boolean;
	currency: string;
	settleMinutes: number;
}

export interface ThresholdEvent {
	[key: string]: unknown;
	eventId: string;
	metric: ThresholdMetric;
	unit: string;
	value: number;
	threshold: number;
	thresholdValue: number;
	budget: number | null;
	percentOfBudget: number | null;
	currency: string;
	period: Period | null;
	group: string | null;
	/** Group By Client only: the client's name (as `group`). */
	client?: string | null;
	crossedAt: string;
	topContributors: Contributor[];
	message: string;
}

/** The largest amount kept exact in 1e-8 units within JavaScript's safe integers. */
export const MAX_AMOUNT = 90_000_000;

/** "50, 80, 100" → [50, 80, 100] (sorted, unique), or a parameter error. */
export function parseThresholds(text: unknown): number[] {
	const raw = String(text ?? '').trim();
	if (!raw) {
		throw new InvalidParameterError(
			'thresholds',
			'No thresholds are set',
			'Enter one or more numbers separated by commas, e.g. 50, 80, 100.',
		);
	}
	const values = raw
		.split(/[,;]/)
		.map((part) => part.trim())
		.filter((part) => part !== '');
	const numbers = values.map((part) => {
		const value = Number(part);
		if (!/^-?\d+(\.\d+)?$/.test(part) || !Number.isFinite(value)) {
			throw new InvalidParameterError(
				'thresholds',
				`Threshold "${part}" is not a number`,
				'Enter numbers separated by commas, e.g. 50, 80, 100 (a dot for decimals).',
			);
		}
		if (value < 0) {
			throw new InvalidParameterError(
				'thresholds',
				`Threshold ${part} is negative`,
				'Thresholds are zero or positive amounts, minutes, calls or percentages.',
			);
		}
		return value;
	});
	return [...new Set(numbers)].sort((a, b) => a - b);
}

export function validateThresholdConfig(config: ThresholdConfig): void {
	assertOneOf(config.metric, THRESHOLD_METRICS, 'metric', 'Metric');
	assertOneOf(config.period, ['day', 'week', 'month', 'billingCycle'], 'period', 'Period');
	assertOneOf(config.thresholdType, ['absolute', 'percentOfBudget'], 'thresholdType', 'Threshold Type');
	assertOneOf(config.groupBy, TRIGGER_GROUP_BY, 'groupBy', 'Group By');
	validateClientGrouping(config);
	if (config.thresholds.length === 0) {
		throw new InvalidParameterError(
			'thresholds',
			'No thresholds are set',
			'Enter numbers separated by commas, e.g. 50, 80, 100.',
		);
	}
	// Grouped by client, the node's Budget matters only where a client has none (checked above).
	if (config.thresholdType === 'percentOfBudget' && !(config.budget > 0) && config.groupBy !== 'client') {
		throw new InvalidParameterError(
			'budget',
			`Budget is ${config.budget}, so percentages of it mean nothing`,
			'Set Budget to a positive amount (e.g. 500 for a 500 EUR monthly budget), or use absolute thresholds.',
		);
	}
	const highest = Math.max(...config.thresholds);
	const budget = Math.max(...budgetsInUse(config));
	const largest = config.thresholdType === 'percentOfBudget' ? (budget * highest) / 100 : highest;
	if (largest > MAX_AMOUNT) {
		// The largest budget may be a client's own (Group By Client): name where it is set.
		const budgetParameter = budget === config.budget ? 'budget' : 'clients';
		throw new InvalidParameterError(
			config.thresholdType === 'percentOfBudget' ? budgetParameter : 'thresholds',
			`A threshold of ${largest} is beyond what the package can count exactly`,
			`Use thresholds up to ${MAX_AMOUNT.toLocaleString('en-US')}.`,
		);
	}
	if (!(config.rearmMarginPercent >= 0) || config.rearmMarginPercent > 1000) {
		throw new InvalidParameterError(
			'options.rearmMargin',
			`Re-arm margin ${config.rearmMarginPercent} is not a percentage`,
			'Enter a percentage of the threshold from 0 to 1000 (default 10).',
		);
	}
}

/** The fingerprint of everything that defines what is counted: a change means a new baseline. */
export function thresholdFingerprint(config: ThresholdConfig, account: string): string {
	return fingerprint({ ...config, fireOnActivation: undefined, account });
}

/** A threshold in the metric's counting unit (money units, seconds, calls); of a group's own budget when it has one. */
export function thresholdInUnits(config: ThresholdConfig, threshold: number, group: string | null = null): number {
	const percent = config.thresholdType === 'percentOfBudget';
	const amount = percent ? (budgetOfGroup(config, group) * threshold) / 100 : threshold;
	return toCountingUnits(config.metric, amount);
}

const PERIOD_WORDS: Record<TriggerPeriod, string> = {
	day: 'today',
	week: 'this week',
	month: 'this month',
	billingCycle: 'this billing cycle',
};

export interface Crossing {
	group: string | null;
	value: number;
	threshold: number;
	limit: number;
	period: ResolvedPeriod | null;
	now: number;
	contributions?: Contributions;
	eventId?: string;
	/** The period has ended (a late crossing): it is named instead of "this month". */
	closed?: boolean;
}

/** The sentence of an event. */
function messageOf(config: ThresholdConfig, crossing: Crossing, budgetUnits: number | null): string {
	const { group, value, threshold, limit, period } = crossing;
	const text = (units: number) => displayText(config.metric, units, config.currency);
	const when =
		config.metric === 'balance'
			? ''
			: crossing.closed && period
				? ` in ${period.label}`
				: ` ${PERIOD_WORDS[config.period]}`;
	const subject = `${metricName(config.metric)}${groupLabel(config.groupBy, group)}${when}`;
	if (config.metric === 'balance') {
		return budgetUnits !== null
			? `${subject} fell to ${threshold}% of ${text(budgetUnits)} or below: ${text(value)}.`
			: `${subject} fell to ${text(limit)} or below: ${text(value)}.`;
	}
	const verb = config.metric === 'forecastSpend' ? 'is on track to reach' : 'reached';
	if (config.groupBy === 'client' && group !== null) return clientMessage(config, crossing, budgetUnits, verb, when);
	return budgetUnits !== null
		? `${subject} ${verb} ${threshold}% of the ${text(budgetUnits)} budget: ${text(value)}.`
		: `${subject} ${verb} ${text(limit)}: ${text(value)}.`;
}

/**
 * The sentence of a client's event: "Acme GmbH reached 80% of its 300.00 EUR budget this month:
 * 241.10 EUR." (the unit names the metric: "… of its 500.00 minutes budget …").
 */
function clientMessage(
	config: ThresholdConfig,
	crossing: Crossing,
	budgetUnits: number | null,
	verb: string,
	when: string,
): string {
	const { group, value, threshold, limit } = crossing;
	const text = (units: number) => displayText(config.metric, units, config.currency);
	const client = clientSubject(group ?? '');
	const markup = markupOfGroup(config, group);
	const billed = markup ? ` (with its ${markup.markupPercent}% markup)` : '';
	const figure = config.metric === 'forecastSpend' ? `${text(value)} forecast${billed}` : `${text(value)}${billed}`;
	if (budgetUnits !== null) {
		return `${client} ${verb} ${threshold}% of its ${text(budgetUnits)} budget${when}: ${figure}.`;
	}
	return `${client} ${verb} ${text(limit)}${when}: ${figure}.`;
}

export function thresholdEvent(config: ThresholdConfig, crossing: Crossing): ThresholdEvent {
	const { group, value, threshold, limit, period } = crossing;
	const percent = config.thresholdType === 'percentOfBudget';
	const budget = percent ? budgetOfGroup(config, group) : null;
	const budgetUnits = budget !== null ? toCountingUnits(config.metric, budget) : null;
	const format = (units: number) => displayValue(config.metric, units);
	// With Include Markup, the contributors of a client's spend are shown with its markup too.
	const contributorValue = (units: number) => format(billedValue(config, group, units));
	const client = config.groupBy === 'client' ? { client: group } : {};
	return {
		eventId:
			crossing.eventId ?? `threshold:${config.metric}:${group ?? 'all'}:${period ? period.id : 'balance'}:${threshold}`,
		metric: config.metric,
		unit: unitOf(config.metric, config.currency),
		value: format(value),
		threshold,
		thresholdValue: format(limit),
		budget,
		percentOfBudget: budgetUnits ? Number(((value / budgetUnits) * 100).toFixed(2)) : null,
		currency: config.currency,
		period: period ? publicPeriod(period) : null,
		group,
		...client,
		crossedAt: new Date(crossing.now).toISOString(),
		topContributors: crossing.contributions?.top(contributorValue) ?? [],
		message: messageOf(config, crossing, budgetUnits),
	};
}
