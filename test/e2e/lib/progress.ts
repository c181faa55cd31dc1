/**
 * Progress of long first-run steps (downloads, installs, builds): a line when a step starts and
 * ends, and while anything runs one combined status line at a fixed interval (every 10 s on a
 * terminal, every 30 s in a log; E2E_PROGRESS_SECONDS overrides) with the elapsed time, and for
 * steps that can count their work, how far they are (e.g. packages unpacked out of the expected
 * total). Enough to tell a slow download from a hang, few enough lines not to flood a CI log.
 */

export interface Count {
	done: number;
	total?: number;
	unit: string;
	/** Bytes fetched so far, shown while nothing is counted yet (e.g. downloads before unpacking). */
	bytes?: number;
	/** Whether `bytes` covers every download running (one shared npm cache), not only this one. */
	bytesOfAll?: boolean;
}

export interface ProgressTask {
	done(detail?: string): void;
	fail(): void;
}

interface Running {
	label: string;
	phase: string;
	started: number;
	probe?: () => Count;
}

/** 75 s → "1m15s"; 9 s → "9 s". */
export function duration(ms: number): string {
	const seconds = Math.max(0, Math.round(ms / 1000));
	if (seconds < 60) return `${seconds} s`;
	const minutes = Math.floor(seconds / 60);
	return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
}

/** "[m:ss]" since `started`. */
export function clock(ms: number): string {
	const seconds = Math.max(0, Math.floor(ms / 1000));
	return `[${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}]`;
}

/**
 * "903/2251 packages (40 %)". No time estimate: the count moves fast through small packages and
 * slowly through the few big ones at the end, so any estimate from it would be wrong.
 */
export function describeCount(count: Count): string {
	const fetched =
		count.bytes !== undefined && count.bytes > 0
			? `, ${megabytes(count.bytes)} downloaded${count.bytesOfAll ? ' (all versions)' : ''}`
			: '';
	if (count.total === undefined || count.total <= 0) return `${count.done} ${count.unit}${fetched}`;
	const shown = Math.min(count.done, count.total);
	return `${shown}/${count.total} ${count.unit} (${Math.floor((shown / count.total) * 100)} %)${fetched}`;
}

export function megabytes(bytes: number): string {
	return `${Math.round(bytes / 1_048_576)} MB`;
}

export class Progress {
	private readonly running = new Set<Running>();
	private timer: NodeJS.Timeout | undefined;

	constructor(
		private readonly log: (line: string) => void,
		private readonly started = Date.now(),
		everySeconds?: number,
		private readonly now: () => number = Date.now,
	) {
		const configured = Number(process.env.E2E_PROGRESS_SECONDS);
		const seconds =
			everySeconds ?? (Number.isFinite(configured) && configured > 0 ? configured : process.stdout.isTTY ? 10 : 30);
		this.timer = setInterval(() => this.tick(), seconds * 1000);
		this.timer.unref();
	}

	/** Starts a step: prints "<label>: <phase>", then reports it in every status line until done. */
	task(label: string, phase: string, probe?: () => Count): ProgressTask {
		const entry: Running = { label, phase, started: this.now(), probe };
		this.running.add(entry);
		this.say(`${label}: ${phase}`);
		let finished = false;
		const finish = (outcome: string) => {
			if (finished) return;
			finished = true;
			this.running.delete(entry);
			this.say(`${label}: ${outcome} in ${duration(this.now() - entry.started)}`);
		};
		return {
			done: (detail) => finish(detail ? `done (${detail})` : 'done'),
			fail: () => finish('failed'),
		};
	}

	/** The status line of everything still running, e.g. "[2:10] n8n 2.41.1: 903/2251 packages (40 %)". */
	status(): string | undefined {
		if (this.running.size === 0) return undefined;
		const parts = [...this.running].map((entry) => {
			const elapsed = this.now() - entry.started;
			let count: Count | undefined;
			try {
				count = entry.probe?.();
			} catch {
				count = undefined;
			}
			const how = count ? describeCount(count) : `${entry.phase}, ${duration(elapsed)}`;
			return `${entry.label}: ${how}`;
		});
		return `${clock(this.now() - this.started)} ${parts.join(' · ')}`;
	}

	tick(): void {
		const line = this.status();
		if (line) this.log(line);
	}

	stop(): void {
		if (this.timer) clearInterval(this.timer);
		this.timer = undefined;
	}

	private say(text: string): void {
		this.log(`${clock(this.now() - this.started)} ${text}`);
	}
}
