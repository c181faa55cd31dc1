/**
 * The trigger poll loop of nodes/shared/trigger.ts, re-enacted around the pure engines so that it can
 * run on virtual time: a new FamulorClient per poll with the stored pacing history and a 45 s
 * deadline, `getMe` while the clock skew is unknown, time from the server's Date header only within
 * MAX_CLOCK_SKEW_MS of the local clock (src/clock.ts: the poll's scheduled instant stands for n8n's
 * clock, which agrees with the sandbox's), the engine on the stored state, and the result
 * stored only when the poll succeeds (a failed poll keeps only its requests' send times, for pacing,
 * like the trigger's catch block). The engine is handed the stored state object itself, so the
 * checks below also prove that an engine never writes into its input.
 */
import { FamulorClient } from '../../../src/api/classic/client';
import { type Transport } from '../../../src/api/classic/transport';
import { believableSkew, ServerClock } from '../../../src/clock';
import { FamulorApiError } from '../../../src/errors';
import type { RateLimits } from '../../../src/api/classic/pacing';
import type { PollEnvironment } from '../../../src/triggers/state';
import { spikeEpisode, thresholdEpisode } from '../../helpers/stateViews';
import {
	newThresholdState,
	pollThreshold,
	readThresholdState,
	thresholdFingerprint,
	type ThresholdConfig,
	type ThresholdState,
} from '../../../src/triggers/threshold';
import {
	newSpikeState,
	pollSpike,
	readSpikeState,
	spikeFingerprint,
	type SpikeConfig,
	type SpikeState,
} from '../../../src/triggers/spike';
import {
	callFeedFingerprint,
	newCallFeedState,
	pollCallFeed,
	readCallFeedState,
	type CallFeedConfig,
	type CallFeedState,
} from '../../../src/triggers/callFeed';
import type { VirtualClock } from './virtual';

/** Same numbers as nodes/shared/trigger.ts. */
export const MAX_POLL_MS = 45_000;
export const REQUEST_RESERVE_MS = 5_000;
export const REQUEST_TIMEOUT_MS = 30_000;

export interface EngineEvent {
	eventId: string;
	[key: string]: unknown;
}

export interface EngineSpec<Config, State extends { v: number; config: string; phase: string }> {
	name: string;
	fingerprint(config: Config): string;
	newState(fingerprint: string, config: Config, firstActivation: boolean): State;
	/** The stored state through its schema, like nodes/shared/trigger.ts reads it. */
	readState(stored: unknown, fingerprint: string): State | undefined;
	poll(
		client: FamulorClient,
		state: State,
		config: Config,
		env: PollEnvironment,
	): Promise<{ state: State; events: EngineEvent[]; building: boolean }>;
	/** What decides whether the next crossing alerts (fired thresholds, armed spike groups). */
	episode(state: State | undefined): string;
}

export const thresholdSpec: EngineSpec<ThresholdConfig, ThresholdState> = {
	name: 'threshold',
	fingerprint: (config) => thresholdFingerprint(config, 'sandbox#1'),
	newState: (fingerprint, config, first) => newThresholdState(fingerprint, config.fireOnActivation && first),
	readState: readThresholdState,
	poll: (client, state, config, env) => pollThreshold(client, state, config, env),
	episode: (state) => JSON.stringify(thresholdEpisode(state)),
};

export const spikeSpec: EngineSpec<SpikeConfig, SpikeState> = {
	name: 'spike',
	fingerprint: (config) => spikeFingerprint(config, 'sandbox#1'),
	newState: (fingerprint) => newSpikeState(fingerprint),
	readState: readSpikeState,
	poll: (client, state, config, env) => pollSpike(client, state, config, env),
	episode: (state) => JSON.stringify(spikeEpisode(state)),
};

export const callSpec: EngineSpec<CallFeedConfig, CallFeedState> = {
	name: 'calls',
	fingerprint: (config) => callFeedFingerprint(config, 'sandbox#1'),
	newState: (fingerprint, _config, first) => newCallFeedState(fingerprint, !first),
	readState: readCallFeedState,
	poll: (client, state, config, env) => pollCallFeed(client, state, config, env),
	// What decides the next emission: the calls waiting to be due.
	episode: (state) => JSON.stringify(state?.held.map((held) => held.id) ?? null),
};

/** What n8n keeps in the node's static data between polls. */
export interface Stored<State> {
	state?: State;
	skew?: number;
	pacing?: { sent: number[]; limits: RateLimits };
}

export interface PollOutcome<State> {
	ok: boolean;
	error?: unknown;
	events: EngineEvent[];
	building: boolean;
	/** Virtual milliseconds the poll took. */
	virtualMs: number;
	requests: number;
	/**
	 * Whether the stored data was byte-identical before and after the engine ran on it (always, on success and
	 * failure).
	 */
	inputUntouched: boolean;
	/** On failure: whether the stored data is byte-identical to what it was before the poll. */
	unchangedOnFailure: boolean;
	state?: State;
}

export interface PollSetup {
	clock: VirtualClock;
	transport: Transport;
	/** The server's time during this poll (the engines' `now`). */
	serverNow: number;
	random: () => number;
	/** Replaces the clock's sleep (e.g. to kill the poll at a wait). */
	sleep?: (ms: number) => Promise<void>;
	/**
	 * Keep the pacing history of a failed poll (nodes/shared/trigger.ts does; `false` shows what happened before
	 * it did).
	 */
	keepPacingOnFailure?: boolean;
}

export async function modelPoll<Config, State extends { v: number; config: string; phase: string }>(
	spec: EngineSpec<Config, State>,
	stored: Stored<State>,
	config: Config,
	setup: PollSetup,
): Promise<PollOutcome<State>> {
	const started = setup.clock.now;
	// n8n's clock during the poll is the scheduled instant; Famulor's comes from each answer's Date header.
	const local = () => setup.serverNow;
	const serverClock = new ServerClock(local);
	const transport: Transport = async (request) => {
		const response = await setup.transport(request);
		serverClock.observe(response.headers?.date);
		return response;
	};
	const client = new FamulorClient({
		transport,
		now: () => setup.clock.now,
		sleep: setup.sleep ?? setup.clock.sleep,
		random: setup.random,
		deadline: started + MAX_POLL_MS,
		timeoutMs: REQUEST_TIMEOUT_MS,
		pacingHistory: stored.pacing?.sent ?? [],
		limits: stored.pacing?.limits,
	});
	const snapshot = JSON.stringify(stored);
	const fingerprint = spec.fingerprint(config);
	// Like nodes/shared/trigger.ts: a state that is there but does not pass its schema is a silent new
	// baseline; fireOnActivation only applies when there is no state at all (a first activation).
	const usable =
		stored.state !== undefined ? spec.readState(JSON.parse(JSON.stringify(stored.state)), fingerprint) : undefined;
	const firstActivation = stored.state === undefined;
	const base = { requests: 0, building: true, events: [] as EngineEvent[] };
	try {
		const state = usable ?? spec.newState(fingerprint, config, firstActivation);
		let skew = believableSkew(stored.skew);
		if (skew === undefined) {
			await client.getMe();
			skew = (serverClock.now() ?? local()) - local();
		}
		const knownSkew = skew;
		const env: PollEnvironment = {
			now: () => serverClock.now() ?? local() + knownSkew,
			hasTime: (requests = 1) => client.hasTimeForRequest(REQUEST_RESERVE_MS * requests),
		};
		const result = await spec.poll(client, state, config, env);
		const inputUntouched = JSON.stringify(stored) === snapshot;
		stored.state = result.state;
		stored.skew = believableSkew(env.now() - local()) ?? 0;
		stored.pacing = { sent: client.pacer.history(setup.clock.now), limits: client.pacer.currentLimits };
		return {
			...base,
			ok: true,
			events: result.events,
			building: result.building,
			virtualMs: setup.clock.now - started,
			requests: client.requestCount,
			inputUntouched,
			unchangedOnFailure: true,
			state: result.state,
		};
	} catch (error) {
		const unchanged = JSON.stringify(stored) === snapshot;
		if (setup.keepPacingOnFailure !== false) {
			stored.pacing = { sent: client.pacer.history(setup.clock.now), limits: client.pacer.currentLimits };
		}
		return {
			...base,
			ok: false,
			error,
			virtualMs: setup.clock.now - started,
			requests: client.requestCount,
			inputUntouched: unchanged,
			unchangedOnFailure: unchanged,
			building: stored.state?.phase !== 'ready',
		};
	}
}

export function isTypedError(error: unknown): error is FamulorApiError {
	return error instanceof FamulorApiError;
}
