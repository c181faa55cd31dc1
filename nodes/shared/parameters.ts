/** Reading shared parameters from n8n into the core's plain inputs. */
import type { IDataObject, IExecuteFunctions, INodeParameterResourceLocator, IPollFunctions } from 'n8n-workflow';
import type { ClientRuleInput } from '../../src/clients';
import { decimalParameter } from '../../src/decimal';
import type { FilterInput } from '../../src/filters';
import { assertTimezone, resolvePeriod, type ActionPeriod, type ResolvedPeriod } from '../../src/periods';

function locatorValue(value: unknown): string | undefined {
	if (value === undefined || value === null) return undefined;
	if (typeof value === 'object') {
		const locator = value as INodeParameterResourceLocator;
		return locator.value === undefined || locator.value === null ? undefined : String(locator.value);
	}
	return String(value);
}

export function filterInput(raw: IDataObject | undefined): FilterInput {
	const filters = raw ?? {};
	return {
		assistantId: locatorValue(filters.assistantId),
		campaignId: locatorValue(filters.campaignId),
		phoneNumber: typeof filters.phoneNumber === 'string' ? filters.phoneNumber : undefined,
		direction: typeof filters.direction === 'string' ? filters.direction : undefined,
		status: typeof filters.status === 'string' ? filters.status : undefined,
	};
}

/** The rows of a `clients` rule list parameter (Charge Summary, and the triggers' Group By Client). */
export function clientRows(parameter: unknown): ClientRuleInput[] {
	const rows = (parameter as IDataObject | undefined)?.client;
	return Array.isArray(rows) ? (rows as ClientRuleInput[]) : [];
}

/**
 * A number parameter or option (an expression can put any text there): decimal only, else a parameter
 * error that names it and the fix (src/decimal.ts). `fallback` stands in for an option left out.
 */
export function numberParameter(
	value: unknown,
	parameter: string,
	label: string,
	example: string,
	fallback?: number,
): number {
	if (value === undefined && fallback !== undefined) return fallback;
	return decimalParameter(value, parameter, label, example);
}

/** The `timezone` option, else the workflow's timezone; validated. */
export function timezoneOf(context: IExecuteFunctions | IPollFunctions, configured: unknown): string {
	const timezone = typeof configured === 'string' && configured.trim() ? configured.trim() : context.getTimezone();
	return assertTimezone(timezone, 'options.timezone');
}

export function dateInput(value: unknown): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (value instanceof Date) return value.toISOString();
	if (typeof value === 'object' && 'toISO' in (value as object)) {
		return (value as { toISO: () => string }).toISO();
	}
	return String(value);
}

/** The period parameters of an item (period, and for Custom its dates), resolved in `timezone`. */
export function periodOf(
	context: IExecuteFunctions,
	itemIndex: number,
	timezone: string,
	billingCycleDay: number,
	defaultPeriod?: ActionPeriod,
): ResolvedPeriod {
	const name = (
		defaultPeriod === undefined
			? context.getNodeParameter('period', itemIndex)
			: context.getNodeParameter('period', itemIndex, defaultPeriod)
	) as ActionPeriod;
	return resolvePeriod(name, {
		now: Date.now(),
		timezone,
		billingCycleDay,
		startDate: name === 'custom' ? dateInput(context.getNodeParameter('startDate', itemIndex, '')) : undefined,
		endDate: name === 'custom' ? dateInput(context.getNodeParameter('endDate', itemIndex, '')) : undefined,
	});
}
