/**
 * Spike windows in a timezone (15 minutes, an hour, six hours, a day) and the windows a window's
 * baseline is taken from.
 *
 * A window is a run of instants whose wall-clock time in the timezone falls in the same 15 minutes,
 * hour, six hours or calendar day. Hour and 15-minute windows also end where the UTC offset changes,
 * so each one lasts at most its nominal length: on the night the clocks go back, Berlin has two
 * windows for 02:00–03:00 (+02:00, then +01:00), and Lord Howe, whose clocks go back half an hour
 * at 02:00, has 01:00–02:00 (+11:00) and then 01:30–02:00 (+10:30). Six-hour and day windows follow
 * the calendar and stretch or shrink with the change (a 25-hour day). So every window [start, end)
 * holds the instant it was computed for, windows tile time with no gap and no overlap, and every
 * start and end is a whole minute, in any zone, whatever its offsets (half-hour shifts, 45-minute
 * offsets, changes at midnight).
 *
 * The arithmetic is done here on epoch milliseconds, from the zone's UTC offsets (found once per
 * instance, see ZoneOffsets), not with date-library durations: those read their fields through plain
 * objects, which anything that adds a key to Object.prototype changes.
 */
import { DateTime, type Zone } from 'luxon';
import { FamulorApiError } from '../errors';
import { advance, noProgress, stepBound } from '../guard';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../clock';

export type SpikeWindow = 'fifteenMinutes' | 'hour' | 'sixHours' | 'day';
export type Seasonality = 'sameTimeOfDay' | 'sameWeekday' | 'none';

const UNIT_MS: ReadonlyMap<SpikeWindow, number> = new Map<SpikeWindow, number>([
	['fifteenMinutes', 15 * MINUTE_MS],
	['hour', HOUR_MS],
	['sixHours', 6 * HOUR_MS],
	['day', DAY_MS],
]);

/** Offsets are probed once a day (UTC midnights); a change between two probes is found by bisection. */
const PROBE_MS = DAY_MS;
/** Around an instant, the offsets of this many days on each side are known before a window is computed. */
const MARGIN_MS = 3 * DAY_MS;
/** Offsets far from what is known start a new scan instead of filling the gap day by day. */
const FAR_MS = 400 * DAY_MS;
/** More changes than this between two probes a day apart is not a timezone rule: stop. */
const MAX_CHANGES_PER_PROBE = 8;

// Module-level copies: hot paths read them without a global lookup.
const { floor, round } = Math;
const NONE_BEFORE = -Infinity;
const NONE_AFTER = Infinity;
const floorTo = (value: number, unit: number) => floor(value / unit) * unit;
/** Finite (not NaN, not ±Infinity). */
const finiteNumber = (value: number) => value - value === 0;

const LONG_OFFSET = /GMT(?:([+-])(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?)?$/;

/**
 * How to read a zone's UTC offset (minutes) at an instant: Intl's "GMT+10:30" for IANA zones (several
 * times faster than a date library's offset), the date library's own for anything else (fixed offsets
 * such as UTC+3) or when Intl's answer cannot be read.
 */
function offsetReader(zone: Zone): (ms: number) => number {
	let format: Intl.DateTimeFormat | undefined;
	if (zone.type === 'iana') {
		try {
			format = new Intl.DateTimeFormat('en-US', { timeZone: zone.name, timeZoneName: 'longOffset' });
		} catch {
			format = undefined;
		}
	}
	if (!format) return (ms) => zone.offset(ms);
	const intl = format;
	return (ms) => {
		const match = LONG_OFFSET.exec(intl.format(ms));
		if (!match) return zone.offset(ms);
		const [, sign, hours, minutes, seconds] = match;
		const total = Number(hours ?? 0) * 60 + Number(minutes ?? 0) + Number(seconds ?? 0) / 60;
		return sign === '-' ? -total : total;
	};
}

/**
 * The UTC offsets of one timezone, as constant-offset segments between the changes found. Offsets
 * are read from the zone at whole minutes and rounded to whole minutes; a change is placed at the
 * first whole minute that has the new offset. Deterministic: what is found between two probes depends
 * only on the zone, never on which instants were asked for first, so windows computed in any order
 * agree. One instance per poll (no cache outlives it).
 */
export class ZoneOffsets {
	/** The zone's offset at an instant, in minutes (NaN if it cannot be read). */
	private readonly read: (ms: number) => number;
	/** Segment starts (ascending; the first is where the scan begins, not a change) and their offsets (ms). */
	private starts: number[] = [];
	private offsets: number[] = [];
	/** The scanned span [from, to], on probe instants. */
	private from = NaN;
	private to = NaN;
	/** The segment found last (windows are mostly asked for in order). */
	private last = 0;

	constructor(readonly timezone: string) {
		const zone = DateTime.fromMillis(0, { zone: timezone }).zone;
		if (!zone.isValid) {
			throw new FamulorApiError(
				'badRequest',
				`Unknown timezone "${timezone}"`,
				'Use an IANA timezone name such as Europe/Berlin or America/New_York.',
			);
		}
		this.read = offsetReader(zone);
	}

	/** The zone's offset at `ms`, in ms (whole minutes). */
	private probe(ms: number): number {
		const minutes = this.read(floorTo(ms, MINUTE_MS));
		if (!finiteNumber(minutes)) throw noProgress('Reading the UTC offset', `${this.timezone} at ${ms}`);
		return round(minutes) * MINUTE_MS;
	}

	/** Offsets and changes from the probe instant `at` (offset `before`) to the next one (offset `after`). */
	private changesWithin(at: number, before: number, after: number): Array<[number, number]> {
		const changes: Array<[number, number]> = [];
		let from = at;
		let offset = before;
		const next = at + PROBE_MS;
		while (offset !== after) {
			if (changes.length >= MAX_CHANGES_PER_PROBE) throw noProgress('Finding UTC offset changes', this.timezone);
			// The first whole minute in (from, next] whose offset is not `offset`.
			let low = from / MINUTE_MS;
			let high = next / MINUTE_MS;
			while (high - low > 1) {
				const mid = floor((low + high) / 2);
				if (this.probe(mid * MINUTE_MS) === offset) low = mid;
				else high = mid;
			}
			from = high * MINUTE_MS;
			offset = this.probe(from);
			changes.push([from, offset]);
		}
		return changes;
	}

	/** Makes sure the offsets of [fromMs, toMs] are known. */
	private cover(fromMs: number, toMs: number): void {
		const from = floorTo(fromMs, PROBE_MS);
		const to = floorTo(toMs, PROBE_MS) + PROBE_MS;
		if (!(this.from <= from && to <= this.to)) {
			if (Number.isNaN(this.from) || from > this.to + FAR_MS || to < this.from - FAR_MS) {
				this.from = from;
				this.to = from;
				this.starts = [from];
				this.offsets = [this.probe(from)];
				this.last = 0;
			}
			while (this.to < to) this.extendForward();
			while (this.from > from) this.extendBackward();
		}
	}

	private extendForward(): void {
		const at = this.to;
		const before = this.offsets[this.offsets.length - 1] as number;
		const after = this.probe(at + PROBE_MS);
		for (const [start, offset] of this.changesWithin(at, before, after)) {
			this.starts.push(start);
			this.offsets.push(offset);
		}
		this.to = at + PROBE_MS;
	}

	private extendBackward(): void {
		const at = this.from - PROBE_MS;
		const before = this.probe(at);
		const changes = this.changesWithin(at, before, this.offsets[0] as number);
		// The old first segment began at the scan's edge, not at a change: it now begins at the last change found.
		const starts = [at, ...changes.map(([start]) => start)];
		const offsets = [before, ...changes.map(([, offset]) => offset)];
		this.starts = [...starts, ...this.starts.slice(1)];
		this.offsets = [...offsets, ...this.offsets.slice(1)];
		this.from = at;
		this.last = 0;
	}

	/** The index of the constant-offset segment holding `ms` (the offsets of a margin around it are known). */
	locate(ms: number): number {
		const last = this.last;
		if (
			ms >= this.from + MARGIN_MS &&
			ms < this.to - MARGIN_MS &&
			ms >= (this.starts[last] as number) &&
			(last + 1 >= this.starts.length || ms < (this.starts[last + 1] as number))
		) {
			return last;
		}
		this.cover(ms - MARGIN_MS, ms + MARGIN_MS);
		let low = 0;
		let high = this.starts.length - 1;
		while (low < high) {
			const mid = (low + high + 1) >> 1;
			if ((this.starts[mid] as number) <= ms) low = mid;
			else high = mid - 1;
		}
		this.last = low;
		return low;
	}

	/** Where segment `index` begins: -Infinity for the first one scanned (its start is not known). */
	startOf(index: number): number {
		return index <= 0 ? NONE_BEFORE : (this.starts[index] as number);
	}

	/** Where segment `index` ends: Infinity for the last one scanned. */
	endOf(index: number): number {
		return index + 1 < this.starts.length ? (this.starts[index + 1] as number) : NONE_AFTER;
	}

	/** The offset (ms) of segment `index`. */
	offsetOf(index: number): number {
		return this.offsets[index] as number;
	}

	/** Whether a segment `index` was scanned. */
	has(index: number): boolean {
		return index >= 0 && index < this.starts.length;
	}

	/** The offset (ms) at `ms`. */
	offsetAt(ms: number): number {
		return this.offsetOf(this.locate(ms));
	}

	/**
	 * The instant whose wall-clock time is `wall` (epoch ms read as local time): the first one when the
	 * time happens twice, and the instant the clocks jump past it when it does not happen at all.
	 */
	instantOf(wall: number): number {
		this.cover(wall - 2 * DAY_MS, wall + 2 * DAY_MS);
		let skippedTo = Infinity;
		for (let index = 0; index < this.starts.length; index++) {
			const start = this.startOf(index);
			const end = this.endOf(index);
			const offset = this.offsetOf(index);
			const candidate = wall - offset;
			if (candidate >= start && candidate < end) return candidate;
			if (start !== -Infinity && start + offset > wall && start < skippedTo) skippedTo = start;
		}
		if (skippedTo === Infinity) throw noProgress('Placing a wall-clock time', `${this.timezone} at ${wall}`);
		return skippedTo;
	}
}

export class Windows {
	private readonly unit: number;
	/** Whether a window also ends where the UTC offset changes (15 minutes and hours). */
	private readonly splitAtChanges: boolean;
	readonly offsets: ZoneOffsets;

	/** `offsets`: the zone's offsets already found (e.g. for several kinds of window in one zone). */
	constructor(
		readonly kind: SpikeWindow,
		readonly timezone: string,
		offsets?: ZoneOffsets,
	) {
		this.unit = UNIT_MS.get(kind) ?? DAY_MS;
		this.splitAtChanges = kind === 'fifteenMinutes' || kind === 'hour';
		this.offsets = offsets && offsets.timezone === timezone ? offsets : new ZoneOffsets(timezone);
	}

	/** The window holding `ms`: [start, end), start ≤ ms < end. */
	of(ms: number): { start: number; end: number } {
		if (!finiteNumber(ms)) throw noProgress('Finding a spike window', `instant ${ms}`);
		const offsets = this.offsets;
		const index = offsets.locate(ms);
		const offset = offsets.offsetOf(index);
		const label = floorTo(ms + offset, this.unit);
		let start = label - offset;
		let end = start + this.unit;
		// Across a change of offset, follow the label into the neighbouring segments.
		if (start <= offsets.startOf(index)) start = this.edge(index, label, -1);
		if (end >= offsets.endOf(index)) end = this.edge(index, label, 1);
		if (!(start <= ms && ms < end)) throw noProgress('Finding a spike window', `${this.timezone} at ${ms}`);
		return { start, end };
	}

	/** Where the run of instants with `label` around segment `from` begins (side -1) or ends (side 1). */
	private edge(from: number, label: number, side: 1 | -1): number {
		const offsets = this.offsets;
		const step = stepBound(`Finding the ${side < 0 ? 'start' : 'end'} of a spike window`, 16);
		let index = from;
		for (;;) {
			step();
			// The instant where the wall clock reaches the label's start (or the next label's) in this segment.
			const candidate = (side < 0 ? label : label + this.unit) - offsets.offsetOf(index);
			if (side < 0 ? candidate > offsets.startOf(index) : candidate < offsets.endOf(index)) return candidate;
			const boundary = side < 0 ? offsets.startOf(index) : offsets.endOf(index);
			const beyond = index + side;
			if (this.splitAtChanges || !offsets.has(beyond)) return boundary;
			// Does the label go on across the change (a day or six hours spanning a DST change)?
			if (floorTo((side < 0 ? boundary - 1 : boundary) + offsets.offsetOf(beyond), this.unit) !== label) {
				return boundary;
			}
			index = beyond;
		}
	}

	/** The windows the baseline of the window starting at `start` is taken from (matching, within baselineDays). */
	matching(start: number, seasonality: Seasonality, baselineDays: number): number[] {
		const result: number[] = [];
		const days = Math.max(0, Math.min(Math.floor(baselineDays), 366));
		if (seasonality === 'none') {
			const earliest = start - days * DAY_MS;
			const step = stepBound('Listing baseline windows', (days * DAY_MS) / MINUTE_MS + 1);
			let cursor = start;
			for (;;) {
				step();
				const previous = this.of(cursor - 1).start;
				if (previous < earliest) break;
				cursor = advance('Listing baseline windows', cursor, previous, -1);
				result.push(previous);
			}
			return result;
		}
		// The same wall-clock time on earlier days (or the instant the clocks jump past it, if it does not exist).
		const every = seasonality === 'sameWeekday' ? 7 : 1;
		const wall = start + this.offsets.offsetAt(start);
		let last = start;
		for (let back = every; back <= days; back += every) {
			const window = this.of(this.offsets.instantOf(wall - back * DAY_MS)).start;
			// Each matching window once, each before the last: a window that cannot be told apart is skipped.
			if (window < last) {
				result.push(window);
				last = window;
			}
		}
		return result;
	}
}
