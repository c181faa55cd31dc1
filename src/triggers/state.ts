/**
 * The rules every trigger state follows (SPEC §9): JSON only, versioned, tied to the configuration
 * by a fingerprint, and validated when read. A state that does not have the expected shape — a
 * damaged one, one from an older version of the package, one for another configuration — is treated
 * as lost: the trigger silently builds a new baseline, and its deterministic eventIds keep that from
 * repeating an alert. Nothing read back from n8n's static data is used before it passed its schema.
 */
import { z } from 'zod';
import { HOUR_MS } from '../clock';

/** 3: the tracker reads by time and ids (a cursor and a ledger), not by positions (older states are rebuilt). */
export const STATE_VERSION = 3;

/** FNV-1a of the JSON of the configuration: a change starts a new baseline. */
export function fingerprint(value: unknown): string {
	const text = JSON.stringify(value);
	let hash = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) {
		hash ^= text.charCodeAt(i);
		hash = Math.imul(hash, 0x01000193) >>> 0;
	}
	return hash.toString(16).padStart(8, '0');
}

export interface PollEnvironment {
	/** Server time (ms). */
	now: () => number;
	/** Whether there is time for one more request in this poll (or for `requests` more). */
	hasTime: (requests?: number) => boolean;
}

/** Building blocks of the state schemas. */
export const int = z.number().int().finite();
export const count = int.nonnegative();
export const finite = z.number().finite();
/** The first and last instants a state may hold: 2000-01-01 and 2200-01-01 (UTC), epoch milliseconds. */
export const EARLIEST_MS = 946_684_800_000;
export const LATEST_MS = 7_258_118_400_000;
/** Epoch milliseconds: a time after 2000 and before 2200 (a damaged clock value is not a time). */
export const epochMs = int.min(EARLIEST_MS).max(LATEST_MS);
export const epochMsOrZero = z.union([z.literal(0), epochMs]);

/**
 * The stored state if it passes `schema` and belongs to this version and configuration; undefined
 * when it is missing, damaged, older or another configuration's (the caller starts a new baseline).
 */
export function readState<T extends { v: number; config: string }>(
	schema: z.ZodType<T, z.ZodTypeDef, unknown>,
	stored: unknown,
	config: string,
): T | undefined {
	const parsed = schema.safeParse(stored);
	if (!parsed.success || parsed.data.v !== STATE_VERSION || parsed.data.config !== config) return undefined;
	return parsed.data;
}

/** How far ahead of the server's clock a stored time may lie before the state counts as damaged. */
const FUTURE_TOLERANCE_MS = HOUR_MS;

/**
 * Whether a state recorded times after `now` (the clock was stepped back, or the state is damaged).
 * Such a state would keep a trigger blind until those times; it is treated as lost instead.
 */
export function fromTheFuture(times: Array<number | undefined>, now: number): boolean {
	return times.some((time) => time !== undefined && time > now + FUTURE_TOLERANCE_MS);
}
