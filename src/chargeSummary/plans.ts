/**
 * Famulor plan terms for `pricingMode: plan` (SPEC §6): the published presets and `custom`.
 * Money is kept in exact units (1e-8), minutes as whole seconds.
 */
import { DECIMAL_FORM, parseDecimal } from '../decimal';
import { InvalidParameterError } from '../errors';
import { amountToUnits, type Units } from '../money';

export type PricingMode = 'reported' | 'plan';
export type PlanName = 'flex' | 'starter' | 'business' | 'scale' | 'custom';

export interface PlanTerms {
	name: PlanName;
	label: string;
	/** Minutes included per month. */
	includedMinutes: number;
	/** Included seconds per month (includedMinutes × 60, rounded to the second). */
	includedSeconds: number;
	/** Monthly plan fee. */
	planFee: Units;
	/** Price of one minute beyond the included minutes. */
	overageRate: Units;
}

interface PresetNumbers {
	label: string;
	includedMinutes: number;
	planFee: number;
	overageRate: number;
}

/** Famulor's published plans: minutes included per month, monthly fee, price per extra minute. */
export const PLAN_PRESETS: Readonly<Record<Exclude<PlanName, 'custom'>, PresetNumbers>> = {
	flex: { label: 'Flex', includedMinutes: 30, planFee: 19, overageRate: 0.5 },
	starter: { label: 'Starter', includedMinutes: 100, planFee: 49, overageRate: 0.4 },
	business: { label: 'Business', includedMinutes: 600, planFee: 199, overageRate: 0.15 },
	scale: { label: 'Scale', includedMinutes: 4000, planFee: 999, overageRate: 0.11 },
};

export const PRICING_MODES: readonly PricingMode[] = ['reported', 'plan'];
export const PLAN_NAMES: readonly PlanName[] = ['flex', 'starter', 'business', 'scale', 'custom'];

export interface CustomPlanInput {
	includedMinutes?: unknown;
	planFee?: unknown;
	overageRate?: unknown;
}

function nonNegative(value: unknown, parameter: string, label: string, example: string): number {
	const number = parseDecimal(value);
	if (number === undefined || number < 0) {
		throw new InvalidParameterError(
			parameter,
			`${label} "${String(value ?? '')}" is not a non-negative number`,
			`Enter ${label} as a number of zero or more, e.g. ${example}${number === undefined ? `: ${DECIMAL_FORM}` : ''}.`,
		);
	}
	return number;
}

export function assertPricingMode(value: unknown): PricingMode {
	if (!PRICING_MODES.includes(value as PricingMode)) {
		throw new InvalidParameterError(
			'pricingMode',
			`Unknown pricing mode "${String(value)}"`,
			'Choose "Reported Costs" (sum of the call costs Famulor reports) or "Plan" (plan fee, included minutes ' +
				'and overage).',
		);
	}
	return value as PricingMode;
}

/** The plan terms of a preset, or validated custom terms. */
export function resolvePlan(name: unknown, custom: CustomPlanInput = {}): PlanTerms {
	if (!PLAN_NAMES.includes(name as PlanName)) {
		throw new InvalidParameterError(
			'plan',
			`Unknown plan "${String(name)}"`,
			'Choose Flex, Starter, Business, Scale, or Custom and enter its terms.',
		);
	}
	const plan = name as PlanName;
	const numbers: PresetNumbers =
		plan === 'custom'
			? {
					label: 'Custom',
					includedMinutes: nonNegative(custom.includedMinutes, 'includedMinutes', 'Included Minutes', '600'),
					planFee: nonNegative(custom.planFee, 'planFee', 'Plan Fee', '199'),
					overageRate: nonNegative(custom.overageRate, 'overageRate', 'Overage Rate', '0.15'),
				}
			: PLAN_PRESETS[plan];
	const includedSeconds = Math.round(numbers.includedMinutes * 60);
	if (!Number.isSafeInteger(includedSeconds)) {
		throw new InvalidParameterError(
			'includedMinutes',
			`Included Minutes ${numbers.includedMinutes} is too large`,
			'Enter the minutes included per month, e.g. 600.',
		);
	}
	return {
		name: plan,
		label: numbers.label,
		includedMinutes: numbers.includedMinutes,
		includedSeconds,
		planFee: toUnitsChecked(numbers.planFee, 'planFee', 'Plan Fee'),
		overageRate: toUnitsChecked(numbers.overageRate, 'overageRate', 'Overage Rate'),
	};
}

function toUnitsChecked(amount: number, parameter: string, label: string): Units {
	const units = amountToUnitsOrUndefined(amount);
	if (units === undefined) {
		throw new InvalidParameterError(
			parameter,
			`${label} ${amount} is too large`,
			`Enter ${label} as an everyday amount, e.g. 199.`,
		);
	}
	return units;
}

function amountToUnitsOrUndefined(amount: number): Units | undefined {
	if (Math.abs(amount) >= 1e7) return undefined;
	return amountToUnits(amount);
}
