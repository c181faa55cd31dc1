/**
 * Building, packing and installing the package the way n8n installs a community package.
 *
 * n8n 2.40's CommunityPackagesService.downloadPackage (dist/modules/community-packages/
 * community-packages.service.js) does, for `<nodes>` = <N8N_USER_FOLDER>/.n8n/nodes:
 *   1. `npm pack <name>@<version>` and `tar -xzf <tgz> -C <nodes>/node_modules/<name> --strip-components=1`;
 *   2. rewrites that package.json without devDependencies, peerDependencies and optionalDependencies;
 *   3. `npm install --audit=false --fund=false --bin-links=false --install-strategy=shallow
 *      --ignore-scripts=true --package-lock=false` inside the package directory (its own
 *      `dependencies` only — this package has none);
 *   4. records `<name>: <version>` in <nodes>/package.json.
 * At startup n8n loads every package found in <nodes>/node_modules. Doing exactly this (and not a
 * plain `npm install <tgz>`, which would also install the peer dependency n8n-workflow and with it
 * luxon and zod next to the package) keeps the test honest about what resolves at runtime.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findJson } from './cliOutput';
import type { ProcessTracker } from './proc';
import { tail } from './toolchain';

export interface PackedPackage {
	name: string;
	version: string;
	tarball: string;
}

export async function buildAndPack(
	procs: ProcessTracker,
	repoDir: string,
	outDir: string,
	opts: { build: boolean; timeoutMs: number },
): Promise<PackedPackage> {
	if (opts.build) {
		const build = await procs.run('npm run build', 'npm', ['run', 'build'], {
			cwd: repoDir,
			timeoutMs: opts.timeoutMs,
		});
		if (build.code !== 0)
			throw new Error(`npm run build failed (exit ${build.code}):\n${tail(build.stdout + build.stderr)}`);
	}
	mkdirSync(outDir, { recursive: true });
	const pack = await procs.run('npm pack', 'npm', ['pack', '--json', '--pack-destination', outDir], {
		cwd: repoDir,
		timeoutMs: opts.timeoutMs,
	});
	if (pack.code !== 0) throw new Error(`npm pack failed (exit ${pack.code}): ${tail(pack.stderr)}`);
	const info = findJson(pack.stdout, '[', isPackList);
	if (!info) throw new Error(`npm pack --json printed no file list: ${tail(pack.stdout)}`);
	const tarball = join(outDir, info[0].filename);
	return { name: info[0].name, version: info[0].version, tarball };
}

/** Installs the tarball into <userFolder>/.n8n/nodes exactly like n8n's community-package install. */
export async function installLikeN8n(
	procs: ProcessTracker,
	pkg: PackedPackage,
	userFolder: string,
	env: NodeJS.ProcessEnv,
): Promise<string> {
	const nodesDir = join(userFolder, '.n8n', 'nodes');
	const packageDir = join(nodesDir, 'node_modules', pkg.name);
	mkdirSync(packageDir, { recursive: true });
	const untar = await procs.run('tar', 'tar', ['-xzf', pkg.tarball, '-C', packageDir, '--strip-components=1'], {
		timeoutMs: 60_000,
	});
	if (untar.code !== 0) throw new Error(`tar -xzf failed: ${tail(untar.stderr)}`);
	const manifestPath = join(packageDir, 'package.json');
	const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
	delete manifest.devDependencies;
	delete manifest.peerDependencies;
	delete manifest.optionalDependencies;
	writeFileSync(manifestPath, JSON.stringify(manifest, null, 2), 'utf8');
	const install = await procs.run(
		'npm install (package dir)',
		'npm',
		[
			'install',
			'--audit=false',
			'--fund=false',
			'--bin-links=false',
			'--install-strategy=shallow',
			'--ignore-scripts=true',
			'--package-lock=false',
		],
		{ cwd: packageDir, env, timeoutMs: 120_000 },
	);
	if (install.code !== 0) throw new Error(`npm install in ${packageDir} failed: ${tail(install.stderr)}`);
	const nodesManifest = join(nodesDir, 'package.json');
	let current: { name?: string; private?: boolean; dependencies?: Record<string, string> } = {};
	try {
		current = JSON.parse(readFileSync(nodesManifest, 'utf8'));
	} catch {
		current = { name: 'installed-nodes', private: true };
	}
	current.dependencies = { ...(current.dependencies ?? {}), [pkg.name]: pkg.version };
	writeFileSync(nodesManifest, JSON.stringify(current, null, 2), 'utf8');
	const installed = readdirSync(join(nodesDir, 'node_modules'));
	for (const forbidden of ['zod', 'luxon', 'n8n-workflow']) {
		if (installed.includes(forbidden))
			throw new Error(`${forbidden} was installed next to the package; n8n would not do that`);
	}
	return packageDir;
}

function isPackList(value: unknown): value is Array<{ name: string; version: string; filename: string }> {
	return Array.isArray(value) && value.length > 0 && typeof (value[0] as { filename?: unknown }).filename === 'string';
}
