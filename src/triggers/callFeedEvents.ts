/**
 * What the Call Trigger is configured with and what it emits: the configuration and its validation,
 * which calls pass (filters, Min Cost, Min Duration), when a call is due (settled, and ended at least
 * Settle Minutes ago), and the item — the simplified call of Get Calls (src/callItem.ts) with its
 * eventId and the `day` / `month` columns a spreadsheet groups by. The engine that decides when to
 * emit is callFeed.ts.
 */
import { DateTime } from 'luxon';
import { matchesFilters, type Call, type CallFilters } from '../calls';
import { callItem, type CallItem } from '../callItem';
import type { CallQuery } from '../api/port';
import { assertOneOf, assertSettleMinutes, requireValid } from '../errors';
import { amountToUnits, MAX_AMOUNT, toAmount, type Units } from '../money';
import { MINUTE_MS } from '../clock';
import { fingerprint } from './state';

export const START_FROM = ['now', 'startOfToday', 'startOfMonth'] as const;
export type StartFrom = (typeof START_FROM)[number];

export interface CallFeedConfig {
	/** Filters the API applies (assistant, campaign, direction). */
	query: CallQuery;
	/** Filters checked on every call. */
	filters: CallFilters;
	/** Emit calls costing at least this much (0 = every call). */
	minCost: number;
	minDurationMinutes: number;
	settleMinutes: number;
	timezone: string;
	startFrom: StartFrom;
	emitCorrections: boolean;
	maxItemsPerPoll: number;
	simplify: boolean;
	currency: string;
}

/** The most calls one poll may emit (an n8n execution with more items than this is hard to work with). */
export const MAX_ITEMS_PER_POLL = 10_000;

export function validateCallFeedConfig(config: CallFeedConfig): void {
	assertOneOf(config.startFrom, START_FROM, 'options.startFrom', 'Start From');
	requireValid(
		Number.isFinite(config.minCost) && config.minCost >= 0 && config.minCost <= MAX_AMOUNT,
		'minCost',
		`Min Cost ${config.minCost} is not an amount of 0 or more`,
		'Enter 0 for every call, or an amount in the account currency (e.g. 5 for calls costing 5.00 or more), ' +
			`up to ${MAX_AMOUNT.toLocaleString('en-US')}.`,
	);
	requireValid(
		Number.isFinite(config.minDurationMinutes) && config.minDurationMinutes >= 0 && config.minDurationMinutes <= 1440,
		'minDurationMinutes',
		`Min Duration ${config.minDurationMinutes} is not a number of minutes from 0 to 1440`,
		'Enter 0 for every call, or the shortest call to emit in minutes (e.g. 10).',
	);
	assertSettleMinutes(config.settleMinutes, 'how long after a call ended its cost is taken as final');
	requireValid(
		Number.isInteger(config.maxItemsPerPoll) &&
			config.maxItemsPerPoll >= 1 &&
			config.maxItemsPerPoll <= MAX_ITEMS_PER_POLL,
		'options.maxItemsPerPoll',
		`Max Items per Poll ${config.maxItemsPerPoll} is not a whole number ` +
			`from 1 to ${MAX_ITEMS_PER_POLL.toLocaleString('en-US')}`,
		'Enter how many calls one poll may emit at most (1000 by default); a larger backlog continues on the next polls.',
	);
}

/**
 * The fingerprint of what selects the calls: a change means a new baseline. How items look (Simplify),
 * how many a poll emits and whether corrections are emitted do not restart the feed.
 */
export function callFeedFingerprint(config: CallFeedConfig, account: string): string {
	return fingerprint({
		...config,
		simplify: undefined,
		maxItemsPerPoll: undefined,
		emitCorrections: undefined,
		account,
	});
}

/** When a settled call is due: Settle Minutes after it ended (created_at + duration). */
export function dueAt(call: Call, settleMinutes: number): number {
	return call.createdAt + call.durationSeconds * 1000 + settleMinutes * MINUTE_MS;
}

/** Whether a call can be emitted now: settled, and ended at least Settle Minutes ago. */
export function isDue(call: Call, settleMinutes: number, now: number): boolean {
	return call.settled && dueAt(call, settleMinutes) <= now;
}

/** Whether a call is one the user asked for: filters, Min Cost, Min Duration. */
export function passes(config: CallFeedConfig, call: Call): boolean {
	return (
		matchesFilters(call, config.filters) &&
		call.totalCost >= minCostUnits(config) &&
		call.durationSeconds >= config.minDurationMinutes * 60
	);
}

function minCostUnits(config: CallFeedConfig): Units {
	return amountToUnits(config.minCost);
}

/** The first moment whose calls are emitted (Start From), in the timezone. */
export function startOf(startFrom: StartFrom, now: number, timezone: string): number {
	// The API stamps calls to the second: a call of the activation's second counts as made at it.
	if (startFrom === 'now') return Math.floor(now / 1000) * 1000;
	const at = DateTime.fromMillis(now, { zone: timezone });
	return (startFrom === 'startOfToday' ? at.startOf('day') : at.startOf('month')).toMillis();
}

export type CallEvent = CallItem & {
	eventId: string;
	day: string;
	month: string;
	correction: boolean;
	previousTotalCost?: number;
};

export interface Revision {
	/** 1 for the first correction. */
	rev: number;
	previousTotalCost: Units;
}

/**
 * The item of a call: `call:<id>` (a correction: `call:<id>:rev<n>` with the cost emitted before).
 * With Simplify off, the raw Famulor call without its transcript comes first, the billing fields over it.
 */
export function callEvent(
	config: CallFeedConfig,
	call: Call,
	raw: Record<string, unknown> | undefined,
	revision?: Revision,
): CallEvent {
	const local = DateTime.fromMillis(call.createdAt, { zone: config.timezone });
	const event: CallEvent = {
		eventId: revision ? `call:${call.id}:rev${revision.rev}` : `call:${call.id}`,
		...callItem(call, config.currency, config.timezone),
		day: local.toFormat('yyyy-MM-dd'),
		month: local.toFormat('yyyy-MM'),
		correction: revision !== undefined,
	};
	if (revision) event.previousTotalCost = toAmount(revision.previousTotalCost);
	if (config.simplify || !raw) return event;
	const rest: Record<string, unknown> = { ...raw };
	delete rest.transcript;
	// eventId stays the first column; the billing fields are written over the raw ones.
	const { eventId, ...fields } = event;
	return { eventId, ...rest, ...fields } as CallEvent;
}
