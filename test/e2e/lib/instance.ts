/**
 * What the e2e runner and the demo both do to get an n8n with this package and the sandbox in it:
 * a fresh user folder, the package built, packed and installed the way n8n installs a community
 * package, a credential per sandbox, and workflow files written and imported with n8n's CLI.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sandbox } from '../../sandbox/server';
import { N8n } from './n8n';
import { buildAndPack, installLikeN8n, type PackedPackage } from './pack';
import type { ProcessTracker } from './proc';
import type { Toolchain } from './toolchain';
import { CREDENTIAL_TYPE, type CredentialRef, type WorkflowJson } from './workflows';

/** An n8n with a fresh user folder at `<root>/n8n` (ports chosen by the caller). */
export function newInstance(
	procs: ProcessTracker,
	toolchain: Toolchain,
	root: string,
	options: { port: number; brokerPort: number; timezone?: string },
): N8n {
	const userFolder = join(root, 'n8n');
	mkdirSync(userFolder, { recursive: true });
	return new N8n(procs, toolchain, { ...options, userFolder, encryptionKey: randomBytes(24).toString('hex') });
}

/** Builds (unless `build` is false), packs into `<root>/pack` and installs the package into the instance. */
export async function installPackage(
	procs: ProcessTracker,
	n8n: N8n,
	repo: string,
	root: string,
	build: boolean,
): Promise<{ pkg: PackedPackage; dir: string }> {
	const pkg = await buildAndPack(procs, repo, join(root, 'pack'), { build, timeoutMs: 300_000 });
	const dir = await installLikeN8n(procs, pkg, n8n.options.userFolder, n8n.env());
	return { pkg, dir };
}

/**
 * A Famulor Billing API credential for each sandbox, and any `extra` credentials (other types), imported
 * with one `n8n import:credentials`.
 */
export async function importSandboxCredentials(
	n8n: N8n,
	root: string,
	credentials: Array<{ ref: CredentialRef; sandbox: Sandbox }>,
	extra: Array<CredentialRef & { type: string; data: Record<string, unknown> }> = [],
): Promise<void> {
	const file = join(root, 'credentials.json');
	const data = credentials.map(({ ref, sandbox }) => ({
		...ref,
		type: CREDENTIAL_TYPE,
		data: { apiKey: sandbox.apiKey, baseUrl: sandbox.url, currency: 'EUR', billingCycleDay: 1 },
	}));
	writeFileSync(file, JSON.stringify([...data, ...extra]));
	await n8n.importCredentials(file);
}

/** Writes each workflow to `<dir>/<id>.json`. */
export function writeWorkflows(dir: string, workflows: WorkflowJson[]): void {
	mkdirSync(dir, { recursive: true });
	for (const workflow of workflows) writeFileSync(join(dir, `${workflow.id}.json`), JSON.stringify(workflow, null, 2));
}

/** The example workflow files of the repository (examples/*.json), sorted. */
export function exampleFiles(repo: string): string[] {
	const dir = join(repo, 'examples');
	return existsSync(dir)
		? readdirSync(dir)
				.filter((file) => file.endsWith('.json'))
				.sort()
		: [];
}

export function readExample(repo: string, file: string): WorkflowJson {
	return JSON.parse(readFileSync(join(repo, 'examples', file), 'utf8')) as WorkflowJson;
}
