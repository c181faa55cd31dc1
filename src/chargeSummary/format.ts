/**
 * How numbers read in a charge summary: the same minutes, amounts and counts in the JSON, the line
 * descriptions, the Slack text and the HTML report.
 */

/** Quantities and shares in the JSON: at most 4 decimals. */
export const round4 = (value: number): number => Number(value.toFixed(4));

/** Seconds as minutes in the JSON: at most 4 decimals. */
export const minutesOf = (seconds: number): number => round4(seconds / 60);

/** A number in text: at most 4 decimals, no trailing zeros ("12.5", "0.3333"). */
export const plainNumber = (value: number): string => String(round4(value));

/** Minutes in text: at most 2 decimals, no trailing zeros ("12.5"). */
export const minutesText = (minutes: number): string => String(Number(minutes.toFixed(2)));

/** Seconds as minutes with at most 2 decimals, e.g. "12.5". */
export function formatMinutes(seconds: number): string {
	return minutesText(seconds / 60);
}

/** An amount with two decimals and the currency: "12.50 EUR". */
export function money(amount: number, currency: string): string {
	return `${amount.toFixed(2)} ${currency}`;
}

/** "1 call", "2 calls". */
export function countText(count: number, noun: string): string {
	return `${count} ${count === 1 ? noun : `${noun}s`}`;
}
