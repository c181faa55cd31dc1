/**
 * One n8n instance for the e2e runner and the demo: a user folder, its environment, n8n's CLI
 * (import, execute, publish) and a long-running `n8n start` (or `n8n worker`), all on 127.0.0.1 with
 * ports picked by the caller, each process tracked by the ProcessTracker.
 */
import { createWriteStream, mkdirSync, writeFileSync, type WriteStream } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { findJson } from './cliOutput';
import { delay, type ProcessTracker, type RunResult, type Tracked } from './proc';
import { pathWith, tail, type Toolchain } from './toolchain';

export interface N8nOptions {
	userFolder: string;
	port: number;
	brokerPort: number;
	encryptionKey: string;
	timezone?: string;
	/** Extra environment (queue mode, log level, …). */
	env?: Record<string, string>;
}

export interface ExecutionResult {
	ok: boolean;
	/** The parsed `--rawOutput` execution, when there was one. */
	run?: RawExecution;
	result: RunResult;
	error?: string;
}

export interface RawExecution {
	status?: string;
	data: {
		resultData: {
			runData: Record<
				string,
				Array<{
					executionStatus?: string;
					error?: { message?: string };
					data?: { main?: Array<Array<{ json: Record<string, any>; binary?: Record<string, any> }> | null> };
				}>
			>;
			error?: { message?: string; description?: string };
			lastNodeExecuted?: string;
		};
	};
}

/** Environment variables of the host that must not leak into the n8n under test. */
const HOST_PREFIXES = [
	'N8N_',
	'DB_',
	'EXECUTIONS_',
	'QUEUE_',
	'npm_',
	'TS_NODE_',
	'GENERIC_TIMEZONE',
	'WEBHOOK_URL',
	'NODE_OPTIONS',
	'NODE_PATH',
];

export class N8n {
	readonly logDir: string;
	private commandCount = 0;

	constructor(
		private readonly procs: ProcessTracker,
		readonly toolchain: Toolchain,
		readonly options: N8nOptions,
	) {
		this.logDir = join(options.userFolder, 'logs');
		mkdirSync(this.logDir, { recursive: true });
	}

	get url(): string {
		return `http://127.0.0.1:${this.options.port}`;
	}

	get dbPath(): string {
		return join(this.options.userFolder, '.n8n', 'database.sqlite');
	}

	env(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
		const env: NodeJS.ProcessEnv = {};
		for (const [key, value] of Object.entries(process.env)) {
			if (!HOST_PREFIXES.some((prefix) => key.startsWith(prefix))) env[key] = value;
		}
		return {
			...env,
			PATH: pathWith(this.toolchain.nodeBinDir),
			N8N_USER_FOLDER: this.options.userFolder,
			N8N_ENCRYPTION_KEY: this.options.encryptionKey,
			N8N_PORT: String(this.options.port),
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_HOST: '127.0.0.1',
			N8N_PROTOCOL: 'http',
			N8N_EDITOR_BASE_URL: this.url,
			N8N_RUNNERS_BROKER_PORT: String(this.options.brokerPort),
			N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
			N8N_SECURE_COOKIE: 'false',
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_HIRING_BANNER_ENABLED: 'false',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
			N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
			N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
			// What older n8n needs to offer a community node as an AI tool; n8n 2.40 and 2.41 do without it.
			N8N_COMMUNITY_PACKAGES_ALLOW_TOOL_USAGE: 'true',
			GENERIC_TIMEZONE: this.options.timezone ?? 'Europe/Berlin',
			TZ: this.options.timezone ?? 'Europe/Berlin',
			DB_TYPE: 'sqlite',
			EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
			EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
			NO_COLOR: '1',
			...this.options.env,
			...overrides,
		};
	}

	/** Runs `n8n <args>`, keeps its output in logs/, and returns it. */
	async cli(args: string[], timeoutMs = 120_000, env: Record<string, string> = {}): Promise<RunResult> {
		const n = ++this.commandCount;
		const result = await this.procs.run(`n8n ${args[0]}`, this.toolchain.node, [this.toolchain.n8nBin, ...args], {
			cwd: this.options.userFolder,
			env: this.env(env),
			timeoutMs,
		});
		const name = `${String(n).padStart(2, '0')}-${args[0].replace(/[^a-z0-9]+/gi, '_')}.log`;
		writeFileSync(
			join(this.logDir, name),
			`$ n8n ${args.join(' ')}\n# exit ${result.code}${result.timedOut ? ' (timed out)' : ''} in ${result.ms} ` +
				`ms\n\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}\n`,
		);
		return result;
	}

	private async cliOrThrow(args: string[], timeoutMs = 120_000): Promise<RunResult> {
		const result = await this.cli(args, timeoutMs);
		if (result.code !== 0 || result.timedOut) {
			throw new Error(
				`n8n ${args.join(' ')} failed (exit ${result.code}${result.timedOut ? ', timed out' : ''}): ` +
					`${tail(result.stdout + '\n' + result.stderr, 8)}`,
			);
		}
		return result;
	}

	async importCredentials(file: string): Promise<void> {
		await this.cliOrThrow(['import:credentials', `--input=${file}`]);
	}

	/** Imports one file (or, with `separate`, every .json file of a directory). */
	async importWorkflow(input: string, separate = false): Promise<RunResult> {
		return await this.cliOrThrow(['import:workflow', `--input=${input}`, ...(separate ? ['--separate'] : [])]);
	}

	async publish(id: string): Promise<void> {
		await this.cliOrThrow(['publish:workflow', `--id=${id}`]);
	}

	/** `n8n execute --id … --rawOutput`: the execution as JSON (log lines around it are passed over). */
	async execute(id: string, timeoutMs = 180_000): Promise<ExecutionResult> {
		const result = await this.cli(['execute', `--id=${id}`, '--rawOutput'], timeoutMs);
		const run = parseRawOutput(result.stdout);
		const runError = run?.data?.resultData?.error;
		const ok = result.code === 0 && !result.timedOut && run !== undefined && !runError;
		let error: string | undefined;
		if (!ok) {
			error = runError
				? `${runError.message ?? 'execution error'}${runError.description ? ` (${runError.description})` : ''}`
				: `exit ${result.code}${result.timedOut ? ' (timed out)' : ''}: ${tail(result.stdout + '\n' + result.stderr, 6)}`;
		}
		return { ok, run, result, error };
	}

	/** Starts a long-running n8n command (`start`, `worker`) with its output in logs/<name>.log. */
	startProcess(
		command: 'start' | 'worker',
		env: Record<string, string> = {},
		logName: string = command,
	): { tracked: Tracked; log: WriteStream; logFile: string } {
		const logFile = join(this.logDir, `${logName}.log`);
		const log = createWriteStream(logFile);
		const tracked = this.procs.spawn(`n8n ${command}`, this.toolchain.node, [this.toolchain.n8nBin, command], {
			cwd: this.options.userFolder,
			env: this.env(env),
		});
		tracked.child.stdout?.pipe(log, { end: false });
		tracked.child.stderr?.pipe(log, { end: false });
		void tracked.exited.then(() => log.end());
		return { tracked, log, logFile };
	}

	/** Waits until n8n answers /healthz/readiness with 200 (or the process exits, or time runs out). */
	async waitReady(tracked: Tracked, timeoutMs: number, port = this.options.port): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		let exited = false;
		void tracked.exited.then(() => {
			exited = true;
		});
		while (Date.now() < deadline) {
			if (exited) throw new Error(`n8n exited before it was ready (exit ${tracked.child.exitCode})`);
			const status = await httpStatus(`http://127.0.0.1:${port}/healthz/readiness`);
			if (status === 200) return;
			await delay(500);
		}
		throw new Error(`n8n was not ready on port ${port} within ${Math.round(timeoutMs / 1000)} s`);
	}

	/** Rows of n8n's sqlite database (read through Node 24 and n8n's own sqlite3). */
	async query<T = Record<string, any>>(sql: string, params: unknown[] = [], flatted: string[] = []): Promise<T[]> {
		const request = { n8nDir: this.toolchain.n8nDir, db: this.dbPath, sql, params, flatted };
		const result = await this.procs.run(
			'db query',
			this.toolchain.node,
			[join(__dirname, 'db-query.cjs'), JSON.stringify(request)],
			{
				timeoutMs: 60_000,
				env: { PATH: process.env.PATH ?? '' },
			},
		);
		if (result.code !== 0) throw new Error(`database query failed: ${tail(result.stderr, 4)}`);
		return JSON.parse(result.stdout) as T[];
	}
}

/** The execution in the stdout of `n8n execute --rawOutput`, wherever n8n's log lines fall around it. */
export function parseRawOutput(stdout: string): RawExecution | undefined {
	return findJson(stdout, '{', isExecution);
}

function isExecution(value: unknown): value is RawExecution {
	const data = (value as { data?: { resultData?: unknown } } | null)?.data;
	return typeof data?.resultData === 'object' && data.resultData !== null;
}

/** Output items (json) of a node's first run, first output. */
export function nodeItems(run: RawExecution | undefined, node: string): Array<Record<string, any>> {
	const runs = run?.data?.resultData?.runData?.[node];
	const main = runs?.[0]?.data?.main?.[0];
	return (main ?? []).map((item) => item.json);
}

export function nodeError(run: RawExecution | undefined, node: string): string | undefined {
	return run?.data?.resultData?.runData?.[node]?.[0]?.error?.message;
}

function httpStatus(url: string): Promise<number> {
	return new Promise((resolve) => {
		const request = get(url, { timeout: 2_000 }, (response) => {
			response.resume();
			resolve(response.statusCode ?? 0);
		});
		request.on('timeout', () => request.destroy());
		request.on('error', () => resolve(0));
	});
}
