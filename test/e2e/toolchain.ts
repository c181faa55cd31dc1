/**
 * `npm run e2e:toolchain` — installs Node 24 and n8n into the e2e cache ahead of a run (CI does this
 * while the unit tests run), with the same progress lines as the first `npm run test:e2e`.
 *
 *   npm run e2e:toolchain                      # the default (newest tested) n8n
 *   npm run e2e:toolchain -- --all             # every version in test/e2e/runtimes/versions.json, in parallel
 *   npm run e2e:toolchain -- --n8n 2.40.7      # one version (repeat --n8n for more)
 *   npm run e2e:toolchain -- --list            # the tested versions, one a line
 *   npm run e2e:toolchain -- --lock 2.42.0     # write test/e2e/runtimes/n8n-2.42.0/package-lock.json
 *
 * A new n8n version is added by `--lock <version>`, then listing it in versions.json.
 */
import { mkdirSync, writeFileSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessTracker } from './lib/proc';
import { duration } from './lib/progress';
import { ensureToolchains, expectedPackages, n8nVersion, RUNTIMES, RUNTIMES_DIR, tail } from './lib/toolchain';

const args = process.argv.slice(2);
const procs = new ProcessTracker();
const say = (line: string) => process.stdout.write(`# ${line}\n`);

function values(name: string): string[] {
	const found: string[] = [];
	args.forEach((arg, index) => {
		if (arg === `--${name}` && args[index + 1]) found.push(args[index + 1] as string);
		else if (arg.startsWith(`--${name}=`)) found.push(arg.slice(name.length + 3));
	});
	return found;
}

/** Resolves n8n@<version> into a lockfile (no install) and stores it under test/e2e/runtimes. */
async function lock(version: string): Promise<void> {
	const stage = mkdtempSync(join(tmpdir(), 'n8n-lock-'));
	const manifest = { name: `n8n-runtime-${version}`, private: true, dependencies: { n8n: version } };
	writeFileSync(join(stage, 'package.json'), `${JSON.stringify(manifest, null, '\t')}\n`);
	say(`resolving n8n@${version} (npm install --package-lock-only; a few minutes)`);
	const started = Date.now();
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) if (!/^npm_/i.test(key)) env[key] = value;
	const result = await procs.run(
		'npm install --package-lock-only',
		'npm',
		['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'],
		{ cwd: stage, env, timeoutMs: 30 * 60_000 },
	);
	if (result.code !== 0) throw new Error(`resolving n8n@${version} failed: ${tail(result.stderr)}`);
	const target = join(RUNTIMES_DIR, `n8n-${version}`);
	mkdirSync(target, { recursive: true });
	copyFileSync(join(stage, 'package.json'), join(target, 'package.json'));
	copyFileSync(join(stage, 'package-lock.json'), join(target, 'package-lock.json'));
	rmSync(stage, { recursive: true, force: true });
	const count = expectedPackages(join(target, 'package-lock.json'));
	say(`wrote ${target}/package-lock.json in ${duration(Date.now() - started)} (${count} packages to install)`);
}

async function main(): Promise<void> {
	if (args.includes('--list')) {
		for (const version of RUNTIMES.n8n) process.stdout.write(`${version}\n`);
		return;
	}
	const locks = values('lock');
	if (locks.length) {
		for (const version of locks) await lock(n8nVersion(version));
		return;
	}
	const versions = args.includes('--all') ? RUNTIMES.n8n : values('n8n').map((v) => n8nVersion(v));
	if (versions.length === 0) versions.push(n8nVersion());
	const timeoutMs = Number(process.env.E2E_INSTALL_TIMEOUT_MS ?? 30 * 60_000);
	const toolchains = await ensureToolchains(procs, { versions, log: say, timeoutMs });
	for (const toolchain of toolchains) say(`n8n ${toolchain.n8nVersion}: ${toolchain.n8nDir} (Node: ${toolchain.node})`);
}

process.on('exit', () => procs.killAllNow());
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.once(signal, () => {
		procs.killAllNow();
		process.exit(130);
	});
}

main().catch((error: unknown) => {
	process.stderr.write(`e2e toolchain: ${error instanceof Error ? error.message : String(error)}\n`);
	// One failed step fails the whole: the installs still running (e.g. n8n's download) stop now.
	procs.killAllNow();
	process.exitCode = 1;
});
