/**
 * Spike windows in a timezone (15 minutes, an hour, six hours, a day) and the windows a window's
 * baseline is taken from. Cached per 15-minute slot: every UTC offset is a multiple of 15 minutes.
 */
import { DateTime } from 'luxon';

export type SpikeWindow = 'fifteenMinutes' | 'hour' | 'sixHours' | 'day';
export type Seasonality = 'sameTimeOfDay' | 'sameWeekday' | 'none';

export const DAY_MS = 86_400_000;
const SLOT_MS = 900_000;

export class Windows {
	private readonly cache = new Map<number, { start: number; end: number }>();

	constructor(
		readonly kind: SpikeWindow,
		readonly timezone: string,
	) {}

	/** The window holding `ms`. */
	of(ms: number): { start: number; end: number } {
		const slot = Math.floor(ms / SLOT_MS);
		let window = this.cache.get(slot);
		if (!window) {
			window = this.compute(slot * SLOT_MS);
			this.cache.set(slot, window);
		}
		return window;
	}

	private compute(ms: number): { start: number; end: number } {
		if (this.kind === 'fifteenMinutes') return { start: ms, end: ms + SLOT_MS };
		const at = DateTime.fromMillis(ms, { zone: this.timezone });
		let start: DateTime;
		let end: DateTime;
		if (this.kind === 'hour') {
			start = at.startOf('hour');
			end = start.plus({ hours: 1 });
		} else if (this.kind === 'sixHours') {
			const day = at.startOf('day');
			start = day.set({ hour: Math.floor(at.hour / 6) * 6 });
			end = at.hour >= 18 ? day.plus({ days: 1 }) : day.set({ hour: Math.floor(at.hour / 6) * 6 + 6 });
		} else {
			start = at.startOf('day');
			end = start.plus({ days: 1 });
		}
		return { start: start.toMillis(), end: end.toMillis() };
	}

	/** The windows the baseline of the window starting at `start` is taken from (matching, within baselineDays). */
	matching(start: number, seasonality: Seasonality, baselineDays: number): number[] {
		const result: number[] = [];
		if (seasonality === 'none') {
			let cursor = start;
			const earliest = start - baselineDays * DAY_MS;
			for (;;) {
				const previous = this.of(cursor - 1).start;
				if (previous < earliest) break;
				result.push(previous);
				cursor = previous;
			}
			return result;
		}
		const step = seasonality === 'sameWeekday' ? 7 : 1;
		const at = DateTime.fromMillis(start, { zone: this.timezone });
		for (let days = step; days <= baselineDays; days += step) {
			result.push(this.of(at.minus({ days }).toMillis()).start);
		}
		return result;
	}
}
