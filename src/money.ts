/**
 * Exact money. Amounts are integers of 1e-8 currency units ("units"), the precision Famulor reports
 * call costs in ("0.12000000"). Sums of integers are exact; floats appear only at the output edge.
 * Safe up to Number.MAX_SAFE_INTEGER units (about 90 million in the currency), far above any account.
 */
export type Units = number;

export const UNITS_PER_CURRENCY = 100_000_000;
export const UNITS_PER_CENT = UNITS_PER_CURRENCY / 100;
/** The largest amount kept exact in 1e-8 units within JavaScript's safe integers. */
export const MAX_AMOUNT = 90_000_000;
const DECIMALS = 8;
const DECIMAL_PATTERN = /^([+-])?(\d*)(?:\.(\d*))?$/;

export class MoneyFormatError extends Error {
	constructor(readonly value: unknown) {
		super(`not a decimal amount: ${JSON.stringify(value)}`);
		this.name = 'MoneyFormatError';
	}
}

/** Parses "0.12000000", "12", "-0.5", 0.12 or 1e-7 into exact units; undefined if it is not an amount. */
export function tryParseMoney(value: string | number): Units | undefined {
	let text: string;
	if (typeof value === 'number') {
		if (!Number.isFinite(value) || Math.abs(value) >= 1e21) return undefined;
		// toFixed gives the decimal expansion without exponent notation.
		text = value.toFixed(10);
	} else if (typeof value === 'string') {
		text = value.trim();
	} else {
		return undefined;
	}
	const match = DECIMAL_PATTERN.exec(text);
	if (!match || (match[2] === '' && (match[3] === undefined || match[3] === ''))) return undefined;
	const whole = match[2] === '' ? '0' : match[2];
	const fraction = (match[3] ?? '').padEnd(DECIMALS + 1, '0');
	// More than 8 decimals round half away from zero.
	let units = Number(whole) * UNITS_PER_CURRENCY + Number(fraction.slice(0, DECIMALS));
	if (Number(fraction[DECIMALS]) >= 5) units += 1;
	if (!Number.isSafeInteger(units)) return undefined;
	return match[1] === '-' ? -units : units;
}

/** tryParseMoney that throws MoneyFormatError. */
export function parseMoney(value: string | number): Units {
	const units = tryParseMoney(value);
	if (units === undefined) throw new MoneyFormatError(value);
	return units;
}

export function addUnits(a: Units, b: Units): Units {
	const sum = a + b;
	if (!Number.isSafeInteger(sum)) throw new RangeError('money total exceeds the exact range');
	return sum;
}

/** Units → JSON number with at most 8 decimals (the division yields the closest double, which prints exactly). */
export function toAmount(units: Units): number {
	return units / UNITS_PER_CURRENCY;
}

/** Units → cents, rounded half away from zero. */
export function toCents(units: Units): number {
	const cents = Math.round(Math.abs(units) / UNITS_PER_CENT);
	return units < 0 ? -cents : cents;
}

/** Rounds units to whole cents (still in units). */
export function roundToCent(units: Units): Units {
	return toCents(units) * UNITS_PER_CENT;
}

/** Amount (number of currency) → units, for user parameters such as budgets and fees. */
export function amountToUnits(amount: number): Units {
	return parseMoney(amount);
}

/** Multiplies units by a decimal factor given as a number (e.g. minutes × rate), rounding to the nearest unit. */
export function multiplyUnits(units: Units, factor: number): Units {
	// Work in scaled integers where possible: factor with up to 8 decimals.
	const scaled = parseMoney(factor);
	const product = (BigInt(units) * BigInt(scaled)) / BigInt(UNITS_PER_CURRENCY / 2);
	// product is 2× the result; round half away from zero
	const doubled = Number(product);
	const result = doubled >= 0 ? Math.floor((doubled + 1) / 2) : -Math.floor((-doubled + 1) / 2);
	if (!Number.isSafeInteger(result)) throw new RangeError('money product exceeds the exact range');
	return result;
}

/** Splits by a ratio numerator/denominator exactly (integer arithmetic), rounding half away from zero. */
export function prorateUnits(units: Units, numerator: number, denominator: number): Units {
	if (denominator <= 0) throw new RangeError('denominator must be positive');
	const n = BigInt(units) * BigInt(Math.round(numerator)) * 2n;
	const d = BigInt(Math.round(denominator));
	const doubled = n / d;
	const sign = doubled < 0n ? -1n : 1n;
	const abs = doubled < 0n ? -doubled : doubled;
	return Number(sign * ((abs + 1n) / 2n));
}

/** "12.34" with two decimals, for human-readable text. */
export function formatCents(units: Units): string {
	const cents = toCents(units);
	const sign = cents < 0 ? '-' : '';
	const abs = Math.abs(cents);
	return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

export function formatMoney(units: Units, currency: string): string {
	return `${formatCents(units)} ${currency}`;
}
