/**
 * Numbers from parameters (budgets, markups, fees, thresholds, day counts) are decimal only: a finite
 * number, or text of an optional minus sign, digits and an optional decimal point with digits
 * ("12", "12.50", "-3", ".5"). Spaces around the text are ignored. JavaScript's `Number()` also
 * reads " 0x2 " as 2, "1e3" as 1000, "Infinity", "0b11" and "" (as 0): none of those is an amount
 * anyone means, so they are refused with an error that names the parameter and the fix.
 */
import { InvalidParameterError } from './errors';

const DECIMAL = /^-?(?:\d+(?:\.\d+)?|\.\d+)$/;

/** What a parameter must look like, for the fix of an error. */
export const DECIMAL_FORM = 'digits with an optional decimal point (no 0x…, 1e3, Infinity or thousands separators)';

/** The number of a finite number or a decimal text (spaces around it ignored); undefined for anything else. */
export function parseDecimal(value: unknown): number | undefined {
	if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
	if (typeof value !== 'string') return undefined;
	const text = value.trim();
	return DECIMAL.test(text) ? Number(text) : undefined;
}

/**
 * The number of a parameter's value, or an InvalidParameterError naming it (`label` as the UI shows
 * it, `example` a value to enter).
 */
export function decimalParameter(value: unknown, parameter: string, label: string, example: string): number {
	const number = parseDecimal(value);
	if (number === undefined) {
		throw new InvalidParameterError(
			parameter,
			`${label} ${typeof value === 'string' ? JSON.stringify(value) : String(value)} is not a decimal number`,
			`Enter ${label} as ${DECIMAL_FORM}, e.g. ${example}.`,
		);
	}
	return number;
}
