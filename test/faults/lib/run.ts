/**
 * One run of a poll sequence against a fresh sandbox, with or without the sequence's faults.
 */
import { FamulorClient } from '../../../src/api/classic/client';
import { Sandbox, type Fault } from '../../sandbox/server';
import { modelPoll, type EngineEvent, type EngineSpec, type PollOutcome, type Stored } from './poller';
import { applyArrivals, damageStored, MINUTE, type Sequence, type StateDamage } from './scenario';
import { httpTransport, seededRandom, VirtualClock, VirtualRateLimiter } from './virtual';

export const SANDBOX_DAYS = 9;
export const DRAIN_POLLS = 2;
export const MAX_ACTIVATION_ATTEMPTS = 10;

export interface PollRecord {
	index: number;
	serverNow: number;
	ok: boolean;
	error?: unknown;
	eventIds: string[];
	events: EngineEvent[];
	building: boolean;
	phase: string | undefined;
	/** spec.episode of the stored state after the poll. */
	episode: string;
	virtualMs: number;
	requests: number;
	inputUntouched: boolean;
	unchangedOnFailure: boolean;
	faultsHit: number;
	/** The stored state was damaged before this poll (faulty run only). */
	damaged: StateDamage | null;
}

export interface RunResult<State> {
	polls: PollRecord[];
	/** eventId → index of the poll that emitted it (first time). */
	emittedAt: Map<string, number>;
	duplicates: string[];
	stored: Stored<State>;
	sentAt: number[];
	violations: number;
	faultsHit: number;
	/** Faults hit, by kind (sandbox faults and state damage). */
	kinds: Map<string, number>;
	finalNow: number;
	sandbox: Sandbox;
	/** A client on this run's transport and clock, without deadline (for reads after the sequence). */
	client: () => { client: FamulorClient; injectFaults: (faults: Fault[]) => void; close: () => void };
}

export interface RunOptions {
	withFaults: boolean;
	/** Calls in the sandbox's seeded past (9 days). */
	calls?: number;
	keepPacingOnFailure?: boolean;
	/** Runs before poll `index` at server time `at`, after its arrivals (e.g. to change a call's cost). */
	beforePoll?: (sandbox: Sandbox, index: number, at: number) => void;
}

/**
 * Runs `sequence` at the server instants `times` (plus DRAIN_POLLS clean polls a minute apart). The caller stops
 * `result.sandbox`.
 */
export async function runSequence<Config, State extends { v: number; config: string; phase: string }>(
	spec: EngineSpec<Config, State>,
	config: Config,
	sequence: Sequence,
	times: number[],
	options: RunOptions,
): Promise<RunResult<State>> {
	const sandbox = await Sandbox.start({
		now: sequence.start,
		seed: sequence.seed,
		calls: options.calls ?? sequence.calls ?? 360,
		days: SANDBOX_DAYS,
		futureDays: 4,
		sort: sequence.sort,
		shuffleTies: sequence.ties ?? false,
		...(sequence.late ? { lateListing: sequence.late } : {}),
	});
	const clock = new VirtualClock(Date.parse(sequence.start));
	const limiter = new VirtualRateLimiter();
	let pollRequests = 0;
	let midPoll: { afterRequest: number; apply: () => void } | null = null;
	const http = httpTransport({
		baseUrl: sandbox.url,
		apiKey: sandbox.apiKey,
		clock,
		limiter,
		beforeSend: () => {
			pollRequests++;
			if (midPoll && pollRequests > midPoll.afterRequest) {
				const pending = midPoll;
				midPoll = null;
				pending.apply();
			}
		},
	});
	const random = seededRandom(sequence.seed ^ (options.withFaults ? 0x5eed : 0));
	const stored: Stored<State> = {};
	const polls: PollRecord[] = [];
	const emittedAt = new Map<string, number>();
	const duplicates: string[] = [];
	let faultsHit = 0;
	const kinds = new Map<string, number>();
	const count = (kind: string, n = 1) => kinds.set(kind, (kinds.get(kind) ?? 0) + n);
	// What the list does in both runs (tie shuffles, late listing, dialer bursts), counted once.
	if (options.withFaults) {
		if (sequence.ties) count('ties shuffled in every answer (sequence)');
		if (sequence.late) count('calls listed late (sequence)');
		const dialers = sequence.polls.flatMap((poll) => [...poll.arrivals, ...(poll.midPoll?.arrivals ?? [])]);
		const n = dialers.filter((arrival) => arrival.kind === 'dialer').length;
		if (n) count('dialer bursts of 10 calls a second', n);
	}

	const plans = [
		...sequence.polls.map((plan, index) => ({ plan, at: times[index] })),
		...Array.from({ length: DRAIN_POLLS }, (_, k) => ({
			plan: { step: { kind: 'ms' as const, ms: MINUTE }, arrivals: [], midPoll: null, faults: [], damage: null },
			at: times[times.length - 1] + (k + 1) * MINUTE,
		})),
	];
	try {
		for (const [index, { plan, at }] of plans.entries()) {
			sandbox.clock.set(new Date(at));
			clock.advanceTo(at);
			applyArrivals(sandbox, plan.arrivals, at);
			options.beforePoll?.(sandbox, index, at);
			sandbox.resetStats();
			if (options.withFaults && plan.faults.length) sandbox.injectFaults(plan.faults);
			const damaged = options.withFaults && index > 0 ? (plan.damage ?? null) : null;
			if (damaged) {
				damageStored(stored, damaged, at);
				count(`state damage: ${damaged}`);
			}
			pollRequests = 0;
			// Calls arriving during the activation poll would be part of one run's baseline and not the
			// other's: they arrive after it instead.
			midPoll =
				plan.midPoll && index > 0
					? { afterRequest: plan.midPoll.afterRequest, apply: () => applyArrivals(sandbox, plan.midPoll!.arrivals, at) }
					: null;
			// n8n refuses to activate a trigger whose first poll fails; the user activates it again. Both
			// runs are compared from the same activation instant: the activation poll is repeated (same
			// server time, the clock moving on) until it succeeds.
			for (let attempt = 1; ; attempt++) {
				const logged = sandbox.requestLog.length;
				const outcome: PollOutcome<State> = await modelPoll(spec, stored, config, {
					clock,
					transport: http.transport,
					serverNow: at,
					random,
					keepPacingOnFailure: options.keepPacingOnFailure,
				});
				const faulted = sandbox.requestLog.slice(logged).filter((entry) => entry.fault !== undefined);
				for (const entry of faulted) count(entry.fault as string);
				const hit = faulted.length;
				faultsHit += hit;
				const eventIds = outcome.events.map((event) => event.eventId);
				for (const id of eventIds) {
					if (emittedAt.has(id)) duplicates.push(id);
					else emittedAt.set(id, index);
				}
				polls.push({
					index,
					serverNow: at,
					ok: outcome.ok,
					error: outcome.error,
					eventIds,
					events: outcome.events,
					building: outcome.building,
					phase: stored.state?.phase,
					episode: spec.episode(stored.state),
					virtualMs: outcome.virtualMs,
					requests: outcome.requests,
					inputUntouched: outcome.inputUntouched,
					unchangedOnFailure: outcome.unchangedOnFailure,
					faultsHit: hit,
					damaged: attempt === 1 ? damaged : null,
				});
				if (index > 0 || outcome.ok || attempt >= MAX_ACTIVATION_ATTEMPTS) break;
			}
			if (midPoll) (midPoll as { apply: () => void }).apply();
			else if (index === 0 && plan.midPoll) applyArrivals(sandbox, plan.midPoll.arrivals, at);
			midPoll = null;
			sandbox.clearFaults();
		}
	} catch (error) {
		http.close();
		await sandbox.stop();
		throw error;
	}
	const finalNow = plans[plans.length - 1].at;
	return {
		polls,
		emittedAt,
		duplicates,
		stored,
		sentAt: http.sentAt,
		violations: limiter.violations,
		faultsHit,
		kinds,
		finalNow,
		sandbox,
		client: () => {
			const client = new FamulorClient({ transport: http.transport, now: () => clock.now, sleep: clock.sleep, random });
			return {
				client,
				injectFaults: (faults: Fault[]) => {
					sandbox.resetStats();
					sandbox.injectFaults(faults);
				},
				close: () => http.close(),
			};
		},
	};
}
