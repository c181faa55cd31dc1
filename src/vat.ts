/**
 * VAT of charge summaries (SPEC §17). A rate is a percentage from 0 to 100 (19, 7, 7.7, 0), written
 * with a decimal point; empty means none. The VAT of a client is its rate applied to its net total —
 * the sum of its lines, each already rounded to the cent — computed exactly in integers and rounded
 * once to the cent, half away from zero. The account's VAT is the sum of its clients' VAT (so a client
 * statement and the account report never differ by a cent), and gross = net + VAT everywhere.
 */
import { InvalidParameterError } from './errors';
import { amountToUnits, UNITS_PER_CURRENCY, type Units } from './money';

export const MAX_VAT_PERCENT = 100;

const DECIMAL = /^\d+(\.\d+)?$/;
const FIX =
	'Enter the VAT rate as a percentage from 0 to 100 with a dot for decimals, e.g. 19 for Germany, 7.7 or 0 — ' +
	'or leave it empty for no VAT.';

/**
 * A VAT rate parameter: empty (undefined, null, '') is null — no VAT; a number or a decimal text from
 * 0 to 100 is the rate; anything else (negative, above 100, "19%", "19,5", "1e1") is refused with the fix.
 * `subject` starts the message, e.g. "VAT Percent" or "Client rule 2 (Acme) has VAT Percent".
 */
export function parseVatPercent(value: unknown, parameter: string, subject = 'VAT Percent'): number | null {
	if (value === undefined || value === null) return null;
	const text = typeof value === 'string' ? value.trim() : undefined;
	if (text === '') return null;
	const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
	let rate: number;
	if (typeof value === 'number') {
		rate = value;
		if (!Number.isFinite(rate)) throw new InvalidParameterError(parameter, `${subject} ${shown} is not a number`, FIX);
	} else if (text !== undefined && DECIMAL.test(text)) {
		rate = Number(text);
	} else if (text !== undefined && /^-\d+(\.\d+)?$/.test(text)) {
		rate = Number(text);
	} else {
		throw new InvalidParameterError(parameter, `${subject} ${shown} is not a decimal number`, FIX);
	}
	if (rate < 0) throw new InvalidParameterError(parameter, `${subject} ${shown} is negative`, FIX);
	if (rate > MAX_VAT_PERCENT) {
		throw new InvalidParameterError(parameter, `${subject} ${shown} is more than ${MAX_VAT_PERCENT} %`, FIX);
	}
	return rate;
}

/** The rate in exact 1e-8 units of a percent (19 → 1,900,000,000). */
export function vatUnits(percent: number): Units {
	return amountToUnits(percent);
}

/**
 * VAT in whole cents on a net amount in whole cents: net × rate / 100, exactly, rounded half away from
 * zero. 12345 cents at 19 % = 2345.55 → 2346 cents.
 */
export function vatCents(netCents: number, percent: number): number {
	const numerator = BigInt(netCents) * BigInt(vatUnits(percent));
	const denominator = 100n * BigInt(UNITS_PER_CURRENCY);
	const negative = numerator < 0n;
	const abs = negative ? -numerator : numerator;
	const rounded = (2n * abs + denominator) / (2n * denominator);
	return Number(negative ? -rounded : rounded);
}
