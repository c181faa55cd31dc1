/**
 * Views of the engines' stored states for the checks: the totals a period holds per group, the spike
 * buckets per group and window, what decides the next alert. (The stored form keeps names in lists;
 * these tests compare them as records against the truth.)
 */
import type { SpikeState } from '../../src/triggers/spike';
import type { StoredPeriod, ThresholdState } from '../../src/triggers/threshold';

/** Group → value of a period (groups whose calls were all taken back have none). */
export function periodValues(period: StoredPeriod | undefined): Record<string, number> {
	return Object.fromEntries(
		(period?.groups ?? []).filter((g) => g.value !== undefined).map((g) => [g.name, g.value as number]),
	);
}

/** Group → window start → value. */
export function spikeBuckets(state: SpikeState | undefined): Record<string, Record<string, number>> {
	return Object.fromEntries(
		(state?.groups ?? []).map((group) => {
			let start = 0;
			const windows = group.starts.map((delta, index) => {
				start += delta;
				return [String(start * 60_000), group.values[index] as number] as const;
			});
			return [group.name, Object.fromEntries(windows)];
		}),
	);
}

/** The thresholds fired per period and group ('damaged' for a state that is not a valid one). */
export function thresholdEpisode(state: ThresholdState | undefined): unknown {
	try {
		return state?.periods.map((p) => [p.id, p.groups.map((g) => [g.name, g.fired])]) ?? null;
	} catch {
		return 'damaged';
	}
}

/** The last evaluated window and the groups in a spike episode ('damaged' for a state that is not a valid one). */
export function spikeEpisode(state: SpikeState | undefined): unknown {
	try {
		return state ? [state.evaluatedUntil, [...state.disarmed].sort()] : null;
	} catch {
		return 'damaged';
	}
}
