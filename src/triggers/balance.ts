/**
 * The balance engine: "tell me when the balance drops under 50". One request a poll (the account).
 *
 * Each threshold fires when the balance falls to or below it, and re-arms once the balance rises to
 * threshold + rearmMargin % (after a top-up). A threshold that fires again the same day gets the day
 * with a counter in its eventId (`…:2026-11-26#2:50`), so every alert has its own id. The first poll
 * is the baseline: it records what is already under a threshold without alerting, unless
 * fireOnActivation asks for it.
 */
import type { AccountSource } from '../api/account';
import { periodContaining } from '../periods';
import type { PollEnvironment } from './state';
import { thresholdEvent, thresholdInUnits, type ThresholdConfig, type ThresholdEvent } from './thresholdEvents';
import type { ThresholdState } from './thresholdState';

export async function pollBalance(
	client: AccountSource,
	previous: ThresholdState,
	config: ThresholdConfig,
	env: PollEnvironment,
): Promise<{
	state: ThresholdState;
	events: ThresholdEvent[];
	building: false;
	current: Array<{ group: null; value: number; period: null }>;
}> {
	const { balance } = await client.account();
	const now = env.now();
	const day = periodContaining('day', now, config.timezone);
	const baseline = previous.phase === 'building';
	const fired = new Map(previous.balance.fired);
	const counts = new Map(previous.balance.day === day.id ? previous.balance.counts : []);
	const events: ThresholdEvent[] = [];
	for (const threshold of config.thresholds) {
		const limit = thresholdInUnits(config, threshold);
		const margin = Math.round((limit * config.rearmMarginPercent) / 100);
		if (fired.has(threshold) && balance >= limit + margin) {
			fired.delete(threshold);
			continue;
		}
		if (fired.has(threshold) || balance > limit) continue;
		const count = (counts.get(threshold) ?? 0) + 1;
		counts.set(threshold, count);
		const eventId = `threshold:balance:all:${day.id}${count > 1 ? `#${count}` : ''}:${threshold}`;
		fired.set(threshold, eventId);
		if (!baseline || previous.announce) {
			events.push(thresholdEvent(config, { group: null, value: balance, threshold, limit, period: day, now, eventId }));
		}
	}
	const state: ThresholdState = {
		...previous,
		phase: 'ready',
		announce: false,
		balance: { fired: [...fired], day: day.id, counts: [...counts] },
		updatedAt: now,
	};
	return { state, events, building: false, current: [{ group: null, value: balance, period: null }] };
}
