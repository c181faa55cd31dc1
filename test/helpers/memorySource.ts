/**
 * An in-memory call list behind the core's CallSource port (src/api/port.ts): a second adapter beside
 * Famulor Classic, with offset/limit windows instead of Laravel pages — it proves that the readers
 * and triggers depend on the port only — and a server as hostile as a real database can be:
 *  - calls sharing a second come in a new random order on every answer (`shuffleTies`);
 *  - either sort order, and an order that flips between answers (`flipOrder`);
 *  - answers capped at a few rows (`cap`), a row listed twice in one answer (`duplicateRow`);
 *  - calls listed late: visible only from `listedAt` on, at their `created_at` place in the list;
 *  - calls arriving or deleted between two answers (`beforeAnswer`).
 */
import type { CallQuery, CallRow, CallSlice, CallSource, SliceRequest } from '../../src/api/port';
import { MAX_SLICE } from '../../src/api/port';
import { billableSecondsOf, SETTLED_STATUSES, type Call } from '../../src/calls';
import { seededRandom } from './random';

export interface MemoryCall extends Call {
	/** When the call appears in the list (default: its created_at). */
	listedAt?: number;
	deleted?: boolean;
}

export function makeCall(partial: Partial<MemoryCall> & { id: number; createdAt: number }): MemoryCall {
	const status = partial.status ?? 'completed';
	const durationSeconds = partial.durationSeconds ?? 60;
	return {
		updatedAt: null,
		status,
		settled: SETTLED_STATUSES.has(status),
		direction: 'outbound',
		durationSeconds,
		billableSeconds: billableSecondsOf(durationSeconds),
		totalCost: 12_000_000,
		carrierCost: 2_000_000,
		assistantName: 'Sales Assistant',
		campaignName: null,
		assistantPhoneNumber: '+4930111111',
		clientPhoneNumber: '+4915111111',
		answeredBy: 'human',
		...partial,
	};
}

export class MemorySource implements CallSource {
	calls: MemoryCall[] = [];
	order: 'asc' | 'desc' = 'desc';
	now = Date.parse('2026-11-26T12:00:00Z');
	shuffleTies = true;
	/** Answers that come in the other order (by answer number, 1-based). */
	flipOrder?: (answer: number) => boolean;
	cap = MAX_SLICE;
	/** Answers that list one of their rows twice (the last row repeated in place of another). */
	duplicateRow?: (answer: number) => boolean;
	beforeAnswer?: (answer: number, request: SliceRequest) => void;
	requests = 0;
	readonly asked: SliceRequest[] = [];
	private readonly random: () => number;

	constructor(seed = 1) {
		this.random = seededRandom(seed);
	}

	add(...calls: MemoryCall[]): this {
		this.calls.push(...calls);
		return this;
	}

	/** The list as it is now (visible, not deleted, matching the query's days), ties shuffled. */
	list(query: CallQuery = {}, order = this.order): MemoryCall[] {
		const from = query.from ? Date.parse(`${query.from}T00:00:00Z`) : -Infinity;
		const to = query.to ? Date.parse(`${query.to}T00:00:00Z`) + 86_400_000 : Infinity;
		const tie = new Map<number, number>();
		const visible = this.calls.filter(
			(c) => !c.deleted && (c.listedAt ?? c.createdAt) <= this.now && c.createdAt >= from && c.createdAt < to,
		);
		for (const call of visible) tie.set(call.id, this.shuffleTies ? this.random() : call.id);
		const sign = order === 'asc' ? 1 : -1;
		return visible.sort(
			(a, b) => sign * (a.createdAt - b.createdAt) || (tie.get(a.id) as number) - (tie.get(b.id) as number),
		);
	}

	async slice(query: CallQuery, request: SliceRequest): Promise<CallSlice> {
		this.requests++;
		this.asked.push(request);
		this.beforeAnswer?.(this.requests, request);
		const flipped = this.flipOrder?.(this.requests) ?? false;
		const order = flipped ? (this.order === 'asc' ? 'desc' : 'asc') : this.order;
		const list = this.list(query, order);
		const size = Math.min(this.cap, request.rows + 1);
		const start = Math.max(0, request.toward === 1 ? request.at : request.at - size + 1);
		const calls = list.slice(start, start + size);
		if (this.duplicateRow?.(this.requests) && calls.length > 1) calls[1] = calls[0] as MemoryCall;
		return { rows: calls.map(rowOf), start, total: list.length, capacity: this.cap };
	}

	async call(id: number): Promise<CallRow | undefined> {
		this.requests++;
		const call = this.calls.find((c) => c.id === id && !c.deleted && (c.listedAt ?? c.createdAt) <= this.now);
		return call ? rowOf(call) : undefined;
	}
}

function rowOf(call: MemoryCall): CallRow {
	const plain: MemoryCall = { ...call };
	delete plain.listedAt;
	delete plain.deleted;
	return { call: plain, raw: { id: call.id, created_at: new Date(call.createdAt).toISOString() } };
}
