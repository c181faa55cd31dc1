/**
 * The clock of the machine n8n runs on, in tests and benchmarks. A real n8n host's clock agrees with
 * Famulor's to within a second (NTP), and the triggers use Famulor's `Date` header only within 5 minutes
 * of the local clock (src/clock.ts). A sandbox whose clock lives in another month (most tests: a fixed
 * date, moved by hours or days between polls) therefore moves the local clock with it: while it runs,
 * `Date.now()` reads the sandbox's time plus the wall time since its clock was last set or moved (a
 * manual sandbox clock stands still; a host's clock does not). With several sandboxes running, the one
 * whose clock was started, set or moved last is followed; when none runs, the real clock is back.
 *
 * The sandbox itself keeps time with `wallNow` (rate limits, request log), never with `Date.now`.
 */
const realNow = Date.now;

/** The machine's real clock, whatever Date.now() has been made to read. */
export function wallNow(): number {
	return realNow.call(Date);
}

interface Followed {
	read: () => number;
	touched: number;
}

const followed: Followed[] = [];
let sequence = 0;

function current(): number {
	let latest: Followed | undefined;
	for (const entry of followed) if (!latest || entry.touched > latest.touched) latest = entry;
	return latest ? latest.read() : wallNow();
}

/**
 * Makes Date.now() read `read` (while it is the clock touched last). Returns `touch`, to call when that
 * clock is set or moved, and `release`, to stop following it.
 */
export function followHostClock(read: () => number): { touch: () => void; release: () => void } {
	const entry: Followed = { read, touched: ++sequence };
	followed.push(entry);
	Date.now = current;
	return {
		touch: () => {
			entry.touched = ++sequence;
		},
		release: () => {
			const index = followed.indexOf(entry);
			if (index >= 0) followed.splice(index, 1);
			if (followed.length === 0) Date.now = realNow;
		},
	};
}
