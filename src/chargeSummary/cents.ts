/**
 * Whole cents: the rounding rule of every charge summary. Each line is computed exactly in 1e-8 units
 * and rounded once to the cent (half away from zero, `toCents`); every total is the sum of the rounded
 * lines. So `charges.total` equals the sum of `lines[].amount` to the cent, and the clients of
 * `byClient` add up to the account total. Account-level amounts that clients share are split in whole
 * cents by `allocateCents`, so the shares add up exactly too.
 */
import type { ChargeLine, Charges, LineKind } from './types';

/** The rounding rule for developers (README); reports state it in their own words (`notes`). */
export const ROUNDING_RULE =
	'Each line is computed exactly and rounded once to the cent (half away from zero); totals are sums of the ' +
	'rounded lines, so charges.total equals the sum of lines[].amount.';

/** A charge line while it is built: its amount in whole cents, so that totals are exact integer sums. */
export interface CentLine {
	kind: LineKind;
	description: string;
	quantity: number;
	unit: string;
	unitPrice: number;
	cents: number;
	client?: string;
}

/** Whole cents → currency number (the division of an integer by 100 prints with at most 2 decimals). */
export const centsToAmount = (cents: number): number => cents / 100;

/**
 * Splits `total` cents in proportion to `weights` (non-negative integers) by the largest-remainder
 * method: floors first, then the remaining cents one each to the largest remainders (ties: larger
 * weight, then lower index). The parts always add up to `total`. Weights that sum to 0 give no
 * proportion to split by: the result is null, and the caller chooses other weights.
 */
export function allocateCents(total: number, weights: number[]): number[] | null {
	const sum = weights.reduce((a, b) => a + b, 0);
	if (sum <= 0) return null;
	const bigTotal = BigInt(total);
	const bigSum = BigInt(sum);
	const parts = weights.map((weight) => {
		const product = bigTotal * BigInt(weight);
		return { floor: product / bigSum, remainder: product % bigSum, weight };
	});
	let left = total - parts.reduce((acc, part) => acc + Number(part.floor), 0);
	const order = parts
		.map((part, index) => ({ ...part, index }))
		.sort((a, b) =>
			a.remainder !== b.remainder ? (b.remainder > a.remainder ? 1 : -1) : b.weight - a.weight || a.index - b.index,
		);
	const result = parts.map((part) => Number(part.floor));
	for (const entry of order) {
		if (left <= 0) break;
		result[entry.index] = (result[entry.index] ?? 0) + 1;
		left -= 1;
	}
	return result;
}

export function emptyCharges(): Charges {
	return {
		calls: 0,
		carrier: 0,
		platform: 0,
		planFee: 0,
		overage: 0,
		numberRentals: 0,
		markup: 0,
		total: 0,
		net: 0,
		vat: 0,
		gross: 0,
	};
}

/**
 * The charges of some lines: each component and the total are sums of the lines' whole cents; `vatCents`
 * is the VAT on them (0 without VAT), so net = total and gross = net + VAT, in whole cents.
 */
export function chargesOf(lines: Array<{ kind: LineKind; cents: number }>, vatCents = 0): Charges {
	const cents = { calls: 0, carrier: 0, platform: 0, planFee: 0, overage: 0, numberRentals: 0, markup: 0 };
	for (const line of lines) {
		if (line.kind === 'numberRental') cents.numberRentals += line.cents;
		else if (line.kind === 'calls') cents.calls += line.cents;
		else cents[line.kind] += line.cents;
	}
	const platform = cents.platform + cents.planFee + cents.overage;
	const calls = cents.calls + platform + cents.carrier;
	const total = calls + cents.numberRentals + cents.markup;
	return {
		calls: centsToAmount(calls),
		carrier: centsToAmount(cents.carrier),
		platform: centsToAmount(platform),
		planFee: centsToAmount(cents.planFee),
		overage: centsToAmount(cents.overage),
		numberRentals: centsToAmount(cents.numberRentals),
		markup: centsToAmount(cents.markup),
		total: centsToAmount(total),
		net: centsToAmount(total),
		vat: centsToAmount(vatCents),
		gross: centsToAmount(total + vatCents),
	};
}

/** The net total of some lines in whole cents. */
export function netCentsOf(lines: Array<{ cents: number }>): number {
	return lines.reduce((sum, line) => sum + line.cents, 0);
}

/** The line as the summary shows it: the amount in currency, `client` only when there are client rules. */
export function toPublicLine(line: CentLine): ChargeLine {
	const result: ChargeLine = {
		kind: line.kind,
		description: line.description,
		quantity: line.quantity,
		unit: line.unit,
		unitPrice: line.unitPrice,
		amount: centsToAmount(line.cents),
	};
	if (line.client !== undefined) result.client = line.client;
	return result;
}
