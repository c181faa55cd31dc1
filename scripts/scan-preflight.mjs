#!/usr/bin/env node
/**
 * Local pre-flight of n8n's community-package scanner (@n8n/scan-community-package), the gate a
 * verified node must pass. The published scanner also checks npm provenance, which only exists after
 * publishing; everything else runs here, on both legs it lints:
 *   1. the source: package.json and {nodes,credentials}/**;
 *   2. the packed tarball: every .js and package.json, exactly what `npm pack` ships.
 * Also checks that the tarball holds only dist/, package.json, README and LICENSE, and that the
 * package has no runtime dependencies. The scanner is installed into .tmp/ (not a devDependency:
 * a transitive preinstall of it insists on pnpm, so it is installed with scripts disabled).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const SCANNER_VERSION = '0.32.0';
const root = resolve(import.meta.dirname, '..');
const work = join(root, '.tmp', 'scan');
const scannerDir = join(root, '.tmp', `scanner-${SCANNER_VERSION}`);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function fail(message) {
	console.error(`scan pre-flight: FAILED — ${message}`);
	process.exit(1);
}

if (!existsSync(join(scannerDir, 'node_modules', '@n8n', 'scan-community-package'))) {
	mkdirSync(scannerDir, { recursive: true });
	execFileSync(npm, ['init', '-y'], { cwd: scannerDir, stdio: 'ignore' });
	execFileSync(
		npm,
		['install', `@n8n/scan-community-package@${SCANNER_VERSION}`, '--ignore-scripts', '--no-audit', '--no-fund'],
		{
			cwd: scannerDir,
			stdio: 'inherit',
		},
	);
}
const scanner = await import(
	join(scannerDir, 'node_modules', '@n8n', 'scan-community-package', 'scanner', 'scanner.mjs')
);

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
if (Object.keys(pkg.dependencies ?? {}).length)
	fail(`runtime dependencies: ${Object.keys(pkg.dependencies).join(', ')}`);

// Leg 1: the source.
const source = await scanner.analyzePackage(root, scanner.SOURCE_FILE_PATTERNS);
if (!source.passed) fail(`source: ${source.message}\n${source.details ?? ''}`);
console.log('scan pre-flight: source passed');

// Leg 2: the tarball.
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const packed = JSON.parse(
	execFileSync(npm, ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8' }),
);
const files = packed[0].files.map((file) => file.path);
const unexpected = files.filter((path) => !/^(dist\/|package\.json$|README\.md$|LICENSE$)/.test(path));
if (unexpected.length) fail(`the tarball ships files outside dist/: ${unexpected.join(', ')}`);
if (!files.some((path) => path.endsWith('.node.js')))
	fail('the tarball has no compiled nodes: run `npm run build` first');
execFileSync('tar', ['-xzf', join(work, packed[0].filename), '-C', work]);
const tarball = await scanner.analyzePackage(join(work, 'package'));
if (!tarball.passed) fail(`tarball: ${tarball.message}\n${tarball.details ?? ''}`);
console.log(
	`scan pre-flight: tarball passed (${files.length} files, ${packed[0].size} bytes packed, dependencies: none)`,
);
