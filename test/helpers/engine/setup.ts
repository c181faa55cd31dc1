/**
 * Process setup of the engine harness (runs once per jest worker, before anything asks n8n-core's DI
 * container for a service): a temporary n8n user folder, n8n-core's own DI container, and a logger
 * that captures every line n8n logs (tests search it for secrets).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import util from 'node:util';
import { LoggerProxy } from 'n8n-workflow';

// n8n-core's InstanceSettings (constructed lazily by every node execution context) creates
// <N8N_USER_FOLDER>/.n8n/config with a generated encryption key. Keep that out of $HOME.
const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'famulor-n8n-engine-'));
process.env.N8N_USER_FOLDER = userFolder;
const removeUserFolder = () => fs.rmSync(userFolder, { recursive: true, force: true });
// Jest: each test file gets its own module registry (and so its own folder); clean up after it.
if (typeof afterAll === 'function') afterAll(removeUserFolder);
else process.on('exit', removeUserFolder);

// n8n-core ships its own nested copies of @n8n/di, @n8n/backend-common, ... (versions differ from
// the hoisted ones). Services must be registered in *its* container, so resolve from n8n-core.
const coreDir = path.dirname(require.resolve('n8n-core/package.json'));
function fromCore<T>(id: string): T {
	return require(require.resolve(id, { paths: [coreDir] })) as T;
}
interface DiContainer {
	set(token: unknown, value: unknown): void;
	get<T>(token: abstract new (...args: any[]) => T): T;
}
export const { Container } = fromCore<{ Container: DiContainer }>('@n8n/di');
const { Logger: CoreLogger } = fromCore<{ Logger: abstract new (...args: any[]) => unknown }>('@n8n/backend-common');

export interface CapturedLog {
	level: 'error' | 'warn' | 'info' | 'debug';
	message: string;
	meta?: unknown;
	scopes?: string[];
}

/** Every log line n8n emitted (LoggerProxy and the DI Logger used as `this.logger` by contexts). */
export const capturedLogs: CapturedLog[] = [];

/** All captured log lines rendered as one string (messages and metadata, errors included). */
export function capturedLogText(): string {
	return capturedLogs
		.map((l) => `${l.level} ${l.message} ${l.meta === undefined ? '' : util.inspect(l.meta, { depth: 8 })}`)
		.join('\n');
}

export function clearCapturedLogs(): void {
	capturedLogs.length = 0;
}

class CapturingLogger {
	constructor(private readonly scopes: string[] = []) {}

	private record(level: CapturedLog['level'], message: string, meta?: unknown) {
		capturedLogs.push({ level, message: String(message), meta, scopes: this.scopes });
		if (process.env.ENGINE_LOG === '1') {
			process.stderr.write(`[n8n ${level}] ${String(message)}\n`);
		}
	}

	error(message: string, meta?: unknown) {
		this.record('error', message, meta);
	}

	warn(message: string, meta?: unknown) {
		this.record('warn', message, meta);
	}

	info(message: string, meta?: unknown) {
		this.record('info', message, meta);
	}

	debug(message: string, meta?: unknown) {
		this.record('debug', message, meta);
	}

	verbose(message: string, meta?: unknown) {
		this.record('debug', message, meta);
	}

	scoped(scopes: string | string[]) {
		return new CapturingLogger([...this.scopes, ...(Array.isArray(scopes) ? scopes : [scopes])]);
	}
}

const capturingLogger = new CapturingLogger();
// Must be registered before anything resolves Logger: the real Logger's constructor calls
// LoggerProxy.init(itself) and prints to the console.
Container.set(CoreLogger, capturingLogger);
LoggerProxy.init(capturingLogger as never);
