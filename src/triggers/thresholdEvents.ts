/**
 * What the Threshold Trigger is configured with and what it emits: the configuration and its
 * validation, thresholds in the metric's counting unit, and the event with its one-sentence message
 * ("Spend this month reached 80% of the 500.00 EUR budget: 401.20 EUR."). The engines that decide
 * when to emit are threshold.ts (spend, minutes, calls, forecast) and balance.ts.
 */
import { groupLabel, TRIGGER_GROUP_BY, type CallFilters, type TriggerGroupBy } from '../calls';
import type { CallQuery } from '../api/port';
import { assertOneOf, InvalidParameterError } from '../errors';
import { isoInZone, localeOf, type Language, type Locale } from '../i18n';
import { displayText, displayValue, metricName, toCountingUnits, unitOf } from '../metrics';
import { MAX_AMOUNT } from '../money';
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
	/** The language of `message` (absent: English). Not part of the fingerprint: words never reset a baseline. */
	language?: Language;
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
	return fingerprint({ ...config, fireOnActivation: undefined, language: undefined, account });
}

/** The words and formats of a trigger's messages. */
export const localeOfConfig = (config: { language?: Language }): Locale => localeOf(config.language ?? 'en');

/** A threshold in the metric's counting unit (money units, seconds, calls); of a group's own budget when it has one. */
export function thresholdInUnits(config: ThresholdConfig, threshold: number, group: string | null = null): number {
	const percent = config.thresholdType === 'percentOfBudget';
	const amount = percent ? (budgetOfGroup(config, group) * threshold) / 100 : threshold;
	return toCountingUnits(config.metric, amount);
}

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

/** " this month", or " in November 2026" for a period that has ended (with the leading space). */
function whenOf(config: ThresholdConfig, crossing: Crossing, l: Locale): string {
	const { period } = crossing;
	if (config.metric === 'balance') return '';
	if (crossing.closed && period) return ` ${l.m.period.inPeriod(period.naming?.kind, l.periodLabel(period))}`;
	return ` ${l.m.threshold.periodWord[config.period as TriggerPeriod]}`;
}

/** How a message names what is measured: "Spend of campaign "Spring" this month". */
export function thresholdSubject(config: ThresholdConfig, group: string | null, when: string, l: Locale): string {
	return `${metricName(config.metric, l)}${groupLabel(config.groupBy, group, l)}${when}`;
}

/** The sentence of an event. */
function messageOf(config: ThresholdConfig, crossing: Crossing, budgetUnits: number | null): string {
	const l = localeOfConfig(config);
	const words = l.m.threshold;
	const { group, value, threshold, limit } = crossing;
	const text = (units: number) => displayText(config.metric, units, config.currency, l);
	const when = whenOf(config, crossing, l);
	const subject = thresholdSubject(config, group, when, l);
	const percent = l.percent(threshold);
	if (config.metric === 'balance') {
		return budgetUnits !== null
			? words.balanceOfBudget(subject, percent, text(budgetUnits), text(value))
			: words.balanceAbsolute(subject, text(limit), text(value));
	}
	const forecast = config.metric === 'forecastSpend';
	if (config.groupBy === 'client' && group !== null) return clientMessage(config, crossing, budgetUnits, when, l);
	return budgetUnits !== null
		? words.ofBudget(subject, forecast, percent, text(budgetUnits), text(value))
		: words.absolute(subject, forecast, text(limit), text(value));
}

/**
 * The sentence of a client's event: "Acme GmbH reached 80% of its 300.00 EUR budget this month:
 * 241.10 EUR." (the unit names the metric: "… of its 500.00 minutes budget …").
 */
function clientMessage(
	config: ThresholdConfig,
	crossing: Crossing,
	budgetUnits: number | null,
	when: string,
	l: Locale,
): string {
	const words = l.m.threshold;
	const { group, value, threshold, limit } = crossing;
	const text = (units: number) => displayText(config.metric, units, config.currency, l);
	const client = clientSubject(group ?? '', l);
	const markup = markupOfGroup(config, group);
	const forecast = config.metric === 'forecastSpend';
	const figure = words.clientFigure(text(value), forecast, markup ? l.percent(markup.markupPercent) : null);
	if (budgetUnits !== null) {
		return words.clientOfBudget(client, forecast, l.percent(threshold), text(budgetUnits), when, figure);
	}
	return words.clientAbsolute(client, forecast, text(limit), when, figure);
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
		period: period ? { ...publicPeriod(period), label: localeOfConfig(config).periodLabel(period) } : null,
		group,
		...client,
		crossedAt: isoInZone(crossing.now, config.timezone),
		topContributors: crossing.contributions?.top(contributorValue) ?? [],
		message: messageOf(config, crossing, budgetUnits),
	};
}
