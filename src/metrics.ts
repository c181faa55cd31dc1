/**
 * The metrics the triggers watch, in one place: what a call adds to each, the integer unit it is
 * counted in (exact), and how it is shown to a person.
 *
 *   spend, forecastSpend, balance — money, counted in 1e-8 units of the currency (src/money.ts)
 *   minutes                      — billable minutes, counted in billable seconds
 *   calls, failedCalls           — counted as calls
 */
import { FAILED_STATUSES, type Call } from './calls';
import { localeOf, type Locale } from './i18n';
import { amountToUnits, toAmount } from './money';

export type Metric = 'spend' | 'forecastSpend' | 'balance' | 'minutes' | 'calls' | 'failedCalls';

type Kind = 'money' | 'minutes' | 'count';

const KIND: Record<Metric, Kind> = {
	spend: 'money',
	forecastSpend: 'money',
	balance: 'money',
	minutes: 'minutes',
	calls: 'count',
	failedCalls: 'count',
};

/** How a message names the metric ("Spend", "Ausgaben"). */
export function metricName(metric: Metric, locale: Locale = localeOf('en')): string {
	return locale.m.metrics.name[metric];
}

/** What one call adds to the metric, in its counting unit. */
export function valueOfCall(metric: Metric, call: Call): number {
	switch (KIND[metric]) {
		case 'money':
			return call.totalCost;
		case 'minutes':
			return call.billableSeconds;
		default:
			return metric === 'failedCalls' ? (FAILED_STATUSES.has(call.status) ? 1 : 0) : 1;
	}
}

/** A number a person entered in the metric's unit (an amount, minutes, calls) in its counting unit. */
export function toCountingUnits(metric: Metric, value: number): number {
	switch (KIND[metric]) {
		case 'money':
			return amountToUnits(Number(value.toFixed(8)));
		case 'minutes':
			return Math.round(value * 60);
		default:
			return value;
	}
}

/** The metric as a JSON number: an amount (8 decimals), minutes (2 decimals) or calls. */
export function displayValue(metric: Metric, units: number): number {
	switch (KIND[metric]) {
		case 'money':
			return toAmount(units);
		case 'minutes':
			return Number((units / 60).toFixed(2));
		default:
			return units;
	}
}

/**
 * The metric in words: "401.20 EUR", "12.50 minutes", "7 calls", "1 failed call" — or in the locale's
 * language ("401,20 €", "12,50 Minuten", "7 Anrufe").
 */
export function displayText(metric: Metric, units: number, currency: string, locale: Locale = localeOf('en')): string {
	const words = locale.m.metrics;
	switch (KIND[metric]) {
		case 'money':
			return locale.money(units, currency);
		case 'minutes':
			return words.minutes(locale.num((units / 60).toFixed(2)));
		default:
			return metric === 'failedCalls'
				? words.failedCalls(units, locale.int(units))
				: words.calls(units, locale.int(units));
	}
}

/** The `unit` field of an event: the currency, `minutes` or `calls`. */
export function unitOf(metric: Metric, currency: string): string {
	const kind = KIND[metric];
	return kind === 'money' ? currency : kind === 'minutes' ? 'minutes' : 'calls';
}
