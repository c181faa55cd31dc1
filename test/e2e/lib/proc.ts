/**
 * Child processes of the e2e runner and the demo. Every process is spawned in its own process
 * group (detached) and tracked, so a timeout, a failure or Ctrl-C can end exactly what this program
 * started (the group also holds the children n8n spawns itself, e.g. its task runner) and nothing else.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createServer } from 'node:net';

export interface RunResult {
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
	timedOut: boolean;
	ms: number;
}

export interface Tracked {
	child: ChildProcess;
	name: string;
	/** Resolves when the process has exited. */
	exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const MAX_CAPTURE = 20 * 1024 * 1024;

export class ProcessTracker {
	private readonly live = new Map<number, Tracked>();

	/** Starts a process in a new process group and tracks it until it exits. */
	spawn(name: string, command: string, args: string[], options: SpawnOptions = {}): Tracked {
		const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options, detached: true });
		const pid = child.pid;
		const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
			child.once('error', () => resolve({ code: null, signal: null }));
			child.once('exit', (code, signal) => resolve({ code, signal }));
		});
		const tracked: Tracked = { child, name, exited };
		if (pid !== undefined) {
			this.live.set(pid, tracked);
			void exited.then(() => this.live.delete(pid));
		}
		return tracked;
	}

	/** Runs a command to completion (or until `timeoutMs`, then kills its group) and captures its output. */
	async run(
		name: string,
		command: string,
		args: string[],
		options: SpawnOptions & { timeoutMs: number },
	): Promise<RunResult> {
		const started = Date.now();
		const { timeoutMs, ...spawnOptions } = options;
		const tracked = this.spawn(name, command, args, spawnOptions);
		let stdout = '';
		let stderr = '';
		tracked.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
			if (stdout.length < MAX_CAPTURE) stdout += chunk;
		});
		tracked.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
			if (stderr.length < MAX_CAPTURE) stderr += chunk;
		});
		let timedOut = false;
		const timer = setTimeout(() => {
			timedOut = true;
			void this.stop(tracked, 2_000);
		}, timeoutMs);
		const spawnError = new Promise<Error | undefined>((resolve) => {
			tracked.child.once('error', resolve);
			tracked.child.once('exit', () => resolve(undefined));
		});
		const { code, signal } = await tracked.exited;
		clearTimeout(timer);
		const error = await spawnError;
		if (error) stderr += `\n${error.message}`;
		return { code, signal, stdout, stderr, timedOut, ms: Date.now() - started };
	}

	/** SIGTERM to the process group, SIGKILL after `graceMs` if it is still there. */
	async stop(tracked: Tracked, graceMs = 10_000): Promise<void> {
		const pid = tracked.child.pid;
		if (pid === undefined || tracked.child.exitCode !== null || tracked.child.signalCode !== null) {
			killGroup(pid, 'SIGKILL'); // leftovers of the group (children of an exited leader)
			return;
		}
		killGroup(pid, 'SIGTERM');
		const done = await Promise.race([tracked.exited.then(() => true), delay(graceMs).then(() => false)]);
		if (!done) killGroup(pid, 'SIGKILL');
		await Promise.race([tracked.exited, delay(2_000)]);
		killGroup(pid, 'SIGKILL');
	}

	async stopAll(graceMs = 10_000): Promise<void> {
		await Promise.all([...this.live.values()].map((tracked) => this.stop(tracked, graceMs)));
	}

	/** Synchronous last resort (process exit handlers): SIGKILL every tracked group. */
	killAllNow(): void {
		for (const pid of this.live.keys()) killGroup(pid, 'SIGKILL');
		this.live.clear();
	}
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
	if (pid === undefined) return;
	try {
		process.kill(-pid, signal);
	} catch {
		// already gone
	}
}

export function delay(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A free TCP port on 127.0.0.1 (asks the OS for one, then releases it). */
export async function freePort(): Promise<number> {
	return await new Promise((resolve, reject) => {
		const server = createServer();
		server.unref();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => resolve(port));
		});
	});
}

/** Distinct free ports (ports handed out by this process are never repeated). */
const handedOut = new Set<number>();
export async function freePorts(n: number): Promise<number[]> {
	const ports: number[] = [];
	while (ports.length < n) {
		const port = await freePort();
		if (port > 0 && !handedOut.has(port)) {
			handedOut.add(port);
			ports.push(port);
		}
	}
	return ports;
}
