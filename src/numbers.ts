/**
 * Phone numbers with their monthly rental fees. The API returns no price, so fees come from the
 * user's country table, else a default (Famulor's published 3.99 for a standard number). SIP trunks
 * and caller IDs have no monthly fee.
 */
import { DECIMAL_FORM, parseDecimal } from './decimal';
import { parseTimestamp } from './calls';
import { InvalidParameterError } from './errors';
import { isoInZone } from './i18n';
import { amountToUnits, toAmount, type Units } from './money';
import type { RenewalEstimate } from './renewals';
import type { Assistant, PhoneNumber } from './api/account';

export const DEFAULT_MONTHLY_FEE = 3.99;

export interface FeeTable {
	defaultFee: Units;
	byCountry: Map<string, Units>;
}

export interface PhoneNumberInfo {
	id: number;
	phoneNumber: string;
	nickname: string | null;
	countryCode: string | null;
	type: string;
	rented: boolean;
	monthlyFee: Units;
	assistants: string[];
	createdAt: string | null;
}

/** For the fix of a value that is not a decimal number at all: what one looks like. */
const decimalHint = (parsed: number | undefined) => (parsed === undefined ? `: ${DECIMAL_FORM}` : '');

/** Validates the fee parameters: a non-negative default and `{ country, fee }` rows with ISO country codes. */
export function buildFeeTable(defaultFee: unknown, rows: Array<{ country?: unknown; fee?: unknown }>): FeeTable {
	const defaultNumber = parseDecimal(defaultFee);
	if (defaultNumber === undefined || defaultNumber < 0) {
		throw new InvalidParameterError(
			'defaultMonthlyFee',
			`Default Monthly Fee "${String(defaultFee)}" is not an amount`,
			`Enter the monthly rental of a number as a non-negative amount, e.g. 3.99${decimalHint(defaultNumber)}.`,
		);
	}
	const byCountry = new Map<string, Units>();
	rows.forEach((row, index) => {
		const country = String(row.country ?? '')
			.trim()
			.toUpperCase();
		const fee = parseDecimal(row.fee);
		if (!/^[A-Z]{2}$/.test(country)) {
			throw new InvalidParameterError(
				'monthlyFees',
				`Monthly Fees row ${index + 1} has country "${String(row.country ?? '')}", which is not a two-letter country code`,
				'Use ISO 3166 codes such as DE, US or GB.',
			);
		}
		if (fee === undefined || fee < 0) {
			throw new InvalidParameterError(
				'monthlyFees',
				`Monthly Fees row ${index + 1} (${country}) has fee "${String(row.fee)}", which is not an amount`,
				`Enter the monthly rental as a non-negative amount, e.g. 4.50${decimalHint(fee)}.`,
			);
		}
		if (byCountry.has(country)) {
			throw new InvalidParameterError(
				'monthlyFees',
				`Monthly Fees lists ${country} twice`,
				'Keep one row per country.',
			);
		}
		byCountry.set(country, amountToUnits(fee));
	});
	return { defaultFee: amountToUnits(defaultNumber), byCountry };
}

export function describePhoneNumbers(
	numbers: PhoneNumber[],
	assistants: Assistant[],
	fees: FeeTable,
): PhoneNumberInfo[] {
	return numbers.map((number) => {
		const rented = number.type === 'normal' && number.subscribed;
		const country = (number.countryCode ?? '').toUpperCase();
		const monthlyFee = number.type === 'normal' ? (fees.byCountry.get(country) ?? fees.defaultFee) : 0;
		return {
			id: number.id,
			phoneNumber: number.phoneNumber,
			nickname: number.nickname,
			countryCode: number.countryCode,
			type: number.type,
			rented,
			monthlyFee,
			assistants: assistants.filter((a) => a.phoneNumberId === number.id).map((a) => a.name),
			createdAt: number.createdAt,
		};
	});
}

/** An API timestamp ("…T10:00:00.000000Z", naive UTC) as ISO 8601 with the timezone's offset; as is if unreadable. */
function isoOrRaw(value: string | null, timezone: string): string | null {
	if (value === null) return null;
	const ms = parseTimestamp(value);
	return Number.isFinite(ms) ? isoInZone(ms, timezone) : value;
}

/**
 * The item of `phoneNumber/getAll`; `renewal` is the estimate for a rented number, else null. `createdAt`
 * is ISO 8601 with the offset of `timezone`, like `nextRenewalAt`.
 */
export function phoneNumberItem(
	info: PhoneNumberInfo,
	currency: string,
	renewal: RenewalEstimate | null = null,
	timezone = 'UTC',
) {
	return {
		id: info.id,
		phoneNumber: info.phoneNumber,
		nickname: info.nickname,
		countryCode: info.countryCode,
		type: info.type,
		rented: info.rented,
		monthlyFee: toAmount(info.monthlyFee),
		currency,
		assistants: info.assistants,
		createdAt: isoOrRaw(info.createdAt, timezone),
		nextRenewalAt: renewal?.nextRenewalAt ?? null,
		daysToRenewal: renewal?.daysToRenewal ?? null,
	};
}
