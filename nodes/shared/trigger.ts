/**
 * The poll loop every trigger node shares (the Threshold, Spike and Call Triggers, and the Famulor
 * Billing Trigger that offers the three as events). It keeps n8n's rules in one place:
 * - state lives in getWorkflowStaticData('node') under top-level keys that are reassigned, never
 *   mutated in place (n8n only notices reassigned keys), versioned and tied to a config fingerprint;
 * - a poll computes its new state on a copy and stores it only when it succeeds, so a failed poll
 *   leaves the state exactly as it was and throws a typed error (never swallowed);
 * - manual mode ("Fetch Test Event") works on a copy and returns a live sample with `sample: true`,
 *   never touching the stored state;
 * - each poll is bounded in time (≤ 45 s, or less when n8n's poll budget says so); a baseline that
 *   needs longer continues on the next poll. Progress kept in memory between polls is safe to lose:
 *   the state n8n last saved is always consistent, and the next poll continues from it.
 */
import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import type { FamulorClient } from '../../src/api/classic/client';
import { believableSkew } from '../../src/clock';
import type { RateLimits } from '../../src/api/classic/pacing';
import type { PollEnvironment } from '../../src/triggers/state';
import { toNodeError } from './errors';
import { createClient, type AccountSettings } from './transport';

export const MAX_POLL_MS = 45_000;
/** Time kept in reserve for the last request and for storing the result. */
const REQUEST_RESERVE_MS = 5_000;

/**
 * How a new state begins. `announce`: an activation with Fire on Activation on. `replacesLost`: a state
 * was stored for this configuration but is damaged or of an older version — the trigger ran before, so
 * what it emitted then must not be emitted again (the Call Trigger starts at this poll, not at Start From).
 */
export interface NewStateStart {
	announce: boolean;
	replacesLost: boolean;
}

export interface TriggerSpec<Config, State, Result extends { state: State; events: object[] }> {
	readConfig(context: IPollFunctions, settings: AccountSettings): Config;
	fingerprint(config: Config, account: string): string;
	newState(fingerprint: string, start: NewStateStart): State;
	/** The stored state if it is valid, of this version and for this fingerprint; else undefined. */
	readState(stored: unknown, fingerprint: string): State | undefined;
	poll(client: FamulorClient, state: State, config: Config, env: PollEnvironment): Promise<Result>;
	sample(config: Config, result: Result, now: number): object[];
	fireOnActivation(config: Config): boolean;
}

function pollBudget(context: IPollFunctions): number {
	const offered = (context as { getPollBudgetMs?: () => number }).getPollBudgetMs?.();
	return typeof offered === 'number' && offered > 0 ? Math.min(MAX_POLL_MS, offered * 0.8) : MAX_POLL_MS;
}

/** The stored pacing history, if it has the expected shape (the Pacer also drops times from the future). */
function storedPacing(value: unknown): { sent: number[]; limits?: RateLimits } {
	const pacing = (value ?? {}) as { sent?: unknown; limits?: unknown };
	const sent = Array.isArray(pacing.sent)
		? pacing.sent.filter((t): t is number => typeof t === 'number' && Number.isFinite(t))
		: [];
	const limits = pacing.limits as RateLimits | undefined;
	return { sent, limits: limits && typeof limits === 'object' ? limits : undefined };
}

export async function runTriggerPoll<Config, State, Result extends { state: State; events: object[] }>(
	context: IPollFunctions,
	spec: TriggerSpec<Config, State, Result>,
): Promise<INodeExecutionData[][] | null> {
	const started = Date.now();
	const manual = context.getMode() === 'manual';
	let pacer: FamulorClient['pacer'] | undefined;
	try {
		const staticData = context.getWorkflowStaticData('node');
		// The requests of the previous polls still count in Famulor's rate window.
		const pacing = storedPacing(staticData.pacing);
		const { client, settings, serverNow } = await createClient(context, {
			deadline: started + pollBudget(context),
			pacingHistory: pacing.sent,
			limits: pacing.limits,
		});
		pacer = client.pacer;
		const config = spec.readConfig(context, settings);
		const credentialId = context.getNode().credentials?.famulorBillingApi?.id ?? '';
		const fingerprint = spec.fingerprint(config, `${settings.baseUrl}#${credentialId}`);
		// Read back through the state's schema (a copy, never n8n's observed object): anything damaged,
		// older or another configuration's is a new baseline.
		const stored = spec.readState(JSON.parse(JSON.stringify(staticData.state ?? null)) as unknown, fingerprint);
		// Fire on Activation applies to an activation (no state yet, or a state of another configuration),
		// not to a damaged or older state: that one is rebuilt silently, or every threshold reported
		// before would be reported again.
		const previousConfig = (staticData.state as { config?: unknown } | undefined)?.config;
		const activation =
			staticData.state === undefined || (typeof previousConfig === 'string' && previousConfig !== fingerprint);
		const state =
			stored ??
			spec.newState(fingerprint, {
				announce: spec.fireOnActivation(config) && activation && !manual,
				replacesLost: !activation,
			});
		// Time comes from Famulor's clock (its Date header), which also stamps the calls, while it is within
		// MAX_CLOCK_SKEW_MS (5 minutes) of the local clock; else the local clock. Before the first response
		// of a poll, the last known offset stands in (a stored offset beyond the bound is not believed).
		let skew = believableSkew(staticData.skew);
		if (skew === undefined) {
			await client.getMe();
			skew = (serverNow() ?? Date.now()) - Date.now();
		}
		const knownSkew = skew;
		const env: PollEnvironment = {
			now: () => serverNow() ?? Date.now() + knownSkew,
			hasTime: (requests = 1) => client.hasTimeForRequest(REQUEST_RESERVE_MS * requests),
		};
		const result = await spec.poll(client, state, config, env);
		const now = env.now();
		if (manual) {
			const items = result.events.length ? result.events : spec.sample(config, result, now);
			return [items.map((json) => ({ json: { ...(json as IDataObject), sample: true } }))];
		}
		staticData.state = result.state as unknown as IDataObject;
		staticData.skew = believableSkew(now - Date.now()) ?? 0;
		staticData.pacing = { sent: client.pacer.history(Date.now()), limits: client.pacer.currentLimits };
		if (!result.events.length) return null;
		return [result.events.map((json) => ({ json: json as IDataObject }))];
	} catch (error) {
		// The requests of a failed poll count in Famulor's rate window too: the next poll paces after
		// them. (Only the pacing is kept; the state stays as it was.)
		if (pacer && !manual) {
			context.getWorkflowStaticData('node').pacing = { sent: pacer.history(Date.now()), limits: pacer.currentLimits };
		}
		throw toNodeError(context.getNode(), error);
	}
}
