/**
 * `npm run test:e2e` — the package inside a real n8n (on Node 24), end to end: by default the newest
 * n8n this package is tested on (test/e2e/runtimes/versions.json), any other with --n8n <version>.
 *
 * Packs the package, installs the tarball into a fresh user folder's .n8n/nodes the way n8n's
 * community-package install does, starts two Famulor sandboxes in this process (A for the
 * scenarios, B for the example workflows), imports credentials and workflows with n8n's CLI and
 * asserts on real executions: every action operation through `n8n execute --id … --rawOutput`,
 * checked against totals computed here from the sandbox's raw data (test/helpers/truth.ts);
 * expressions in parameters; every example workflow importing (and running or activating); and a
 * published threshold-trigger workflow polling in `n8n start` that fires once when spend crosses a
 * threshold and not again on the following polls (executions read from n8n's database); and, in that
 * same `n8n start`, the AI examples: an MCP client on the MCP server example and the AI Agent example
 * with a scripted OpenAI-compatible model (test/e2e/ai.ts).
 *
 * Prints `PASS <name>` / `FAIL <name>: <reason>` per scenario and ends with `N passed, M failed`.
 * Exit code 0 only when everything passed. See docs/e2e.md.
 *
 * Options (flags or environment):
 *   --keep            (E2E_KEEP=1)        keep the temp folder (always kept on failure)
 *   --no-build        (E2E_NO_BUILD=1)    pack the existing dist/ instead of running `npm run build`
 *   --no-trigger      (E2E_NO_TRIGGER=1)  skip the n8n start part (active triggers; ~4 minutes)
 *   --queue           (E2E_QUEUE=1)       the queue-mode variant instead: Redis (Debian redis-server)
 *                                         + one main (polls) + one worker (runs the executions)
 *   --n8n <version>   (N8N_E2E_VERSION)   the n8n version to run on (default: the newest in
 *                                         test/e2e/runtimes/versions.json; others install without a lockfile)
 *   E2E_TIMEOUT_MS    hard limit for the run after the toolchain is ready (default 15 min)
 *   E2E_INSTALL_TIMEOUT_MS  hard limit for a first-time Node 24 + n8n install (default 30 min)
 *   N8N_E2E_CACHE     cache folder for Node 24 and n8n (default ~/.cache/n8n-nodes-famulor-billing)
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { DateTime } from 'luxon';
import { Sandbox, type RawCall, type RawPhoneNumber } from '../sandbox/server';
import { AGENT_EXAMPLE, MCP_EXAMPLE, prepareAi, runAiScenarios, runReference, type AiSetup } from './ai';
import { costUnits, createdMs, lastMonthBounds, renewalTruth, toNumber, totalsBy } from '../helpers/truth';
import { delay, freePorts, ProcessTracker, type Tracked } from './lib/proc';
import { ensureToolchain, flagValue, n8nVersion, type Toolchain } from './lib/toolchain';
import {
	exampleFiles,
	importSandboxCredentials,
	installPackage,
	newInstance,
	readExample,
	writeWorkflows,
} from './lib/instance';
import { N8n, nodeItems, type RawExecution } from './lib/n8n';
import {
	chain,
	CREDENTIAL_TYPE,
	dryRunCopy,
	famulor,
	isPollingExample,
	manualTrigger,
	noOp,
	setNode,
	TYPES,
	withFamulorCredential,
	type CredentialRef,
	type WorkflowJson,
	type WorkflowNode,
} from './lib/workflows';

const REPO = resolve(__dirname, '..', '..');
const args = process.argv.slice(2);
const argv = new Set(args);
const N8N_VERSION = n8nVersion(flagValue(args, 'n8n'));
const KEEP = argv.has('--keep') || process.env.E2E_KEEP === '1';
const BUILD = !(argv.has('--no-build') || process.env.E2E_NO_BUILD === '1');
const TRIGGER = !(argv.has('--no-trigger') || process.env.E2E_NO_TRIGGER === '1');
const QUEUE = argv.has('--queue') || process.env.E2E_QUEUE === '1';
const TIMEOUT_MS = Number(process.env.E2E_TIMEOUT_MS ?? 15 * 60_000);
const INSTALL_TIMEOUT_MS = Number(process.env.E2E_INSTALL_TIMEOUT_MS ?? 30 * 60_000);
const TZ = 'Europe/Berlin';

// ---------------------------------------------------------------------------------------------
// Reporting
// ---------------------------------------------------------------------------------------------

const results: Array<{ name: string; ok: boolean; reason?: string }> = [];
const runStarted = Date.now();

function info(line: string): void {
	process.stdout.write(`# ${line}\n`);
}

function record(name: string, ok: boolean, reason?: string, ms?: number): void {
	results.push({ name, ok, reason });
	const time = ms === undefined ? '' : `  # ${(ms / 1000).toFixed(1)} s`;
	process.stdout.write(ok ? `PASS ${name}${time}\n` : `FAIL ${name}: ${oneLine(reason ?? 'failed')}${time}\n`);
}

function oneLine(text: string): string {
	const flat = text.replace(/\s+/g, ' ').trim();
	return flat.length > 600 ? `${flat.slice(0, 600)}…` : flat;
}

class Check extends Error {}

function check(condition: unknown, message: string): asserts condition {
	if (!condition) throw new Check(message);
}

function near(actual: unknown, expected: number, tolerance: number, what: string): void {
	check(
		typeof actual === 'number' && Math.abs(actual - expected) <= tolerance,
		`${what} is ${JSON.stringify(actual)}, expected ${expected} (±${tolerance})`,
	);
}

/** Runs one scenario: records PASS or FAIL; returns whether it passed. */
async function scenario(name: string, body: () => Promise<void>): Promise<boolean> {
	const started = Date.now();
	try {
		await body();
		record(name, true, undefined, Date.now() - started);
		return true;
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		record(name, false, message, Date.now() - started);
		return false;
	}
}

function summaryLine(): string {
	const passed = results.filter((r) => r.ok).length;
	return `${passed} passed, ${results.length - passed} failed`;
}

// ---------------------------------------------------------------------------------------------
// Truth helpers (from the sandbox's raw data; never from src/)
// ---------------------------------------------------------------------------------------------

/** Exact 1e-8 units rounded to cents, half away from zero, as a number of currency units. */
function cents(units: bigint): number {
	const sign = units < 0n ? -1n : 1n;
	const abs = units < 0n ? -units : units;
	return Number(sign * ((abs + 500_000n) / 1_000_000n)) / 100;
}

function inRange(start: number, end: number) {
	return (call: RawCall) => createdMs(call) >= start && createdMs(call) < end;
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

const procs = new ProcessTracker();
const sandboxes: Sandbox[] = [];
let aiSetup: AiSetup | undefined;
let tempDir: string | undefined;
let finished = false;

async function cleanup(): Promise<void> {
	await procs.stopAll(10_000);
	await Promise.all(sandboxes.map((s) => s.stop().catch(() => undefined)));
	await aiSetup?.model.stop().catch(() => undefined);
	const failed = results.some((r) => !r.ok);
	if (tempDir && !KEEP && !failed) rmSync(tempDir, { recursive: true, force: true });
	else if (tempDir) info(`kept ${tempDir} (n8n logs in ${join(tempDir, 'n8n', 'logs')})`);
}

function finish(code: number): never {
	finished = true;
	info(`total ${((Date.now() - runStarted) / 1000).toFixed(1)} s (n8n ${N8N_VERSION}${QUEUE ? ', queue mode' : ''})`);
	process.stdout.write(`${summaryLine()}\n`);
	process.exit(code);
}

process.on('exit', () => procs.killAllNow());
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.once(signal, () => {
		procs.killAllNow();
		if (!finished) record('e2e run', false, `interrupted by ${signal}`);
		finish(130);
	});
}

async function main(): Promise<void> {
	info(`n8n-nodes-famulor-billing e2e on n8n ${N8N_VERSION}${QUEUE ? ' (queue mode)' : ''}: ${REPO}`);

	// 1. Node 24 + n8n, from the cache (its own, longer limit: the first install takes minutes).
	let toolchain: Toolchain;
	try {
		const installTimer = setTimeout(() => {
			record('toolchain', false, `Node 24 + n8n install exceeded ${INSTALL_TIMEOUT_MS / 60_000} min`);
			procs.killAllNow();
			finish(1);
		}, INSTALL_TIMEOUT_MS);
		const started = Date.now();
		toolchain = await ensureToolchain(procs, info, INSTALL_TIMEOUT_MS, N8N_VERSION);
		clearTimeout(installTimer);
		info(
			`toolchain ready in ${((Date.now() - started) / 1000).toFixed(1)} s: n8n ${toolchain.n8nVersion}, ${toolchain.node}`,
		);
	} catch (error) {
		record('toolchain', false, (error as Error).message);
		return;
	}

	// 2. The hard limit of the run proper.
	const hardTimer = setTimeout(() => {
		record('e2e run', false, `hard timeout after ${TIMEOUT_MS / 1000} s; killed every process it started`);
		procs.killAllNow();
		if (tempDir) info(`kept ${tempDir} (n8n logs in ${join(tempDir, 'n8n', 'logs')})`);
		finish(1);
	}, TIMEOUT_MS);

	tempDir = mkdtempSync(join(tmpdir(), 'famulor-e2e-'));
	const [port, cliBroker, serverBroker, workerBroker, workerHealth, redisPort] = await freePorts(6);
	const n8n = newInstance(procs, toolchain, tempDir, { port, brokerPort: cliBroker, timezone: TZ });
	info(`user folder ${n8n.options.userFolder}; n8n port ${port}`);

	// 3. Pack and install like n8n's community-package install.
	const installed = await scenario('package packs and installs into .n8n/nodes like a community package', async () => {
		const { pkg, dir } = await installPackage(procs, n8n, REPO, tempDir as string, BUILD);
		check(
			existsSync(join(dir, 'dist/nodes/FamulorBilling/FamulorBilling.node.js')),
			'dist/nodes/FamulorBilling/FamulorBilling.node.js missing from the tarball',
		);
		info(
			`installed ${basename(pkg.tarball)} into ${dir} (no node_modules next to it: zod and luxon must come from n8n)`,
		);
	});
	if (!installed) return;

	// 4. Sandboxes: A for the scenarios, B for the examples. Manual clocks at the current time, so
	// relative periods in n8n (Date.now()) and the API's clock (Date header) agree.
	const now = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
	// n8n runs in its own process with its own clock: this one stays the real clock (hostClock: false).
	// Calls of one second come in a new order in every answer, as a database serves ties (SPEC §15):
	// every figure the scenarios check must hold whatever order that is.
	const sandbox = await Sandbox.start({ now, calls: 4000, days: 70, seed: 7, hostClock: false, shuffleTies: true });
	const examplesSandbox = await Sandbox.start({ now, calls: 3000, days: 45, seed: 11, hostClock: false });
	sandboxes.push(sandbox, examplesSandbox);
	// B also rents an idle number that renews within 3 days, so idle-numbers-before-renewal.json reaches Slack.
	const renewsOn = DateTime.fromISO(now).setZone(TZ).startOf('day').plus({ days: 3 });
	const idleNumber = examplesSandbox.addPhoneNumber({
		phone_number: '+4930555099099',
		nickname: 'e2e idle line',
		created_at: renewsOn.minus({ months: 2 }).set({ hour: 10 }).toUTC().toISO() as string,
	});
	info(
		`sandbox A ${sandbox.url} (${sandbox.visibleCalls().length} calls), sandbox B ${examplesSandbox.url}; clock ${now}`,
	);

	const credA: CredentialRef = { id: 'famulorSandboxA01', name: 'Famulor sandbox A' };
	const credB: CredentialRef = { id: 'famulorSandboxB01', name: 'Famulor sandbox B (examples)' };
	// The AI examples (not in queue mode): copies bound to sandbox B, a bearer token, a scripted model.
	const ai = QUEUE ? undefined : (aiSetup = await prepareAi((file) => readExample(REPO, file), credB));
	const credsOk = await scenario('credentials import (n8n import:credentials)', async () => {
		await importSandboxCredentials(
			n8n,
			tempDir as string,
			[
				{ ref: credA, sandbox },
				{ ref: credB, sandbox: examplesSandbox },
			],
			ai?.credentials ?? [],
		);
		const rows = await n8n.query<{ id: string; type: string }>('select id, type from credentials_entity order by id');
		const famulorRows = rows.filter((r) => r.type === CREDENTIAL_TYPE);
		check(
			famulorRows.length === 2 && rows.length === 2 + (ai?.credentials.length ?? 0),
			`credentials_entity holds ${JSON.stringify(rows)}`,
		);
	});
	if (!credsOk) return;

	// 5. Workflows of the scenarios.
	const workflows = buildScenarioWorkflows(credA, sandbox);
	const workflowDir = join(tempDir, 'workflows');
	if (QUEUE) {
		// Queue mode: the active threshold workflow on a main + worker pair, nothing else.
		writeWorkflows(workflowDir, [workflows.threshold]);
		const ok = await scenario('threshold workflow imports (n8n import:workflow)', async () => {
			await n8n.importWorkflow(join(workflowDir, `${workflows.threshold.id}.json`));
		});
		if (ok)
			await runTriggerScenarios(n8n, sandbox, examplesSandbox, workflows, [], serverBroker, {
				redisPort,
				workerBroker,
				workerHealth,
			});
		clearTimeout(hardTimer);
		return;
	}
	const { balance, summary, calls, numbers, charges, expressions, threshold } = workflows;
	writeWorkflows(workflowDir, [balance, summary, calls, numbers, charges, expressions, threshold]);
	if (ai) writeWorkflows(workflowDir, ai.workflows);

	// Examples: each file as shipped must import on its own; copies bound to sandbox B are imported
	// for the dry runs (schedule examples) and activations (trigger examples).
	const exampleDir = join(REPO, 'examples');
	const examples = exampleFiles(REPO);
	const dryRuns: Array<{ file: string; id: string; replaced: string[]; workflow: WorkflowJson }> = [];
	const activations: Array<{ file: string; id: string; workflow: WorkflowJson }> = [];
	examples.forEach((file, index) => {
		let example: WorkflowJson;
		try {
			example = readExample(REPO, file);
		} catch {
			return; // reported by the import scenario
		}
		if (file === MCP_EXAMPLE || file === AGENT_EXAMPLE) return; // served in n8n start (test/e2e/ai.ts)
		const id = `e2eExample${String(index + 1).padStart(6, '0')}`;
		if (isPollingExample(example)) {
			const copy = withFamulorCredential(example, credB);
			copy.id = id;
			copy.name = `${example.name} (e2e)`;
			copy.active = false;
			activations.push({ file, id, workflow: copy });
			writeWorkflows(workflowDir, [copy]);
		} else {
			const dry = dryRunCopy(example, id, credB);
			if (dry) {
				dryRuns.push({ file, id, replaced: dry.replaced, workflow: dry.workflow });
				writeWorkflows(workflowDir, [dry.workflow]);
			}
		}
	});

	const imported = await scenario('scenario workflows import (n8n import:workflow --separate)', async () => {
		await n8n.importWorkflow(workflowDir, true);
		const rows = await n8n.query<{ id: string }>('select id from workflow_entity');
		const ids = new Set(rows.map((r) => r.id));
		const missing = readdirSync(workflowDir)
			.map((f) => f.replace(/\.json$/, ''))
			.filter((id) => !ids.has(id));
		check(missing.length === 0, `not in the database after import: ${missing.join(', ')}`);
	});

	for (const file of examples) {
		await scenario(`example ${file} imports (n8n import:workflow)`, async () => {
			const text = readFileSync(join(exampleDir, file), 'utf8');
			let example: WorkflowJson;
			try {
				example = JSON.parse(text) as WorkflowJson;
			} catch (error) {
				throw new Check(`not valid JSON: ${(error as Error).message}`);
			}
			check(
				typeof example.id === 'string' && example.id.length > 0,
				'the file has no top-level "id"; `n8n import:workflow` needs one (without it n8n 2.40 fails with "NOT ' +
					'NULL constraint failed: workflow_entity.id")',
			);
			const packageNodes = example.nodes.filter((node) => node.type.startsWith('n8n-nodes-famulor-billing.'));
			check(packageNodes.length > 0, 'uses no node of this package');
			const unknown = packageNodes.filter((node) => !Object.values(TYPES).includes(node.type));
			check(unknown.length === 0, `unknown node types ${unknown.map((n) => n.type).join(', ')}`);
			const before = await n8n.query<{ id: string }>('select id from workflow_entity where name = ?', [example.name]);
			await n8n.importWorkflow(join(exampleDir, file));
			const rows = await n8n.query<{ id: string; nodes: string }>(
				'select id, nodes from workflow_entity where name = ?',
				[example.name],
			);
			check(rows.length === before.length + 1, `no new workflow named ${JSON.stringify(example.name)} after import`);
			const stored = JSON.parse(rows[rows.length - 1].nodes) as WorkflowNode[];
			check(
				stored.length === example.nodes.length,
				`stored ${stored.length} nodes, the file has ${example.nodes.length}`,
			);
		});
	}
	if (!imported) return;

	// 6. Every action operation, through `n8n execute`.
	await runActionScenarios(n8n, sandbox, workflows);
	const reference = ai ? await runReference(n8n, scenario) : undefined;

	// 7. Examples without an external trigger run for real (external services swapped for No-Op).
	for (const dry of dryRuns) {
		await scenario(
			`example ${dry.file} runs in n8n (${dry.replaced.join(', ')} → Manual Trigger / No-Op)`,
			async () => {
				const before = Date.now();
				const result = await n8n.execute(dry.id);
				check(result.ok, result.error ?? 'execution failed');
				const clock = [before, Date.now()];
				const famulorNodes = dry.workflow.nodes.filter((node) => node.type === TYPES.action);
				for (const node of famulorNodes) {
					check(nodeItems(result.run, node.name).length > 0, `${node.name} returned no items`);
				}
				if (dry.file === 'daily-usage-sheets.json')
					atEither(clock, (now) => checkDailyUsage(result.run, examplesSandbox, now));
				if (dry.file === 'idle-numbers-before-renewal.json') checkIdleNumbers(result.run, examplesSandbox, idleNumber);
				if (dry.file === 'monthly-client-statements-de.json') checkGermanStatements(result.run);
			},
		);
	}

	// 8. Active triggers in `n8n start`.
	if (TRIGGER) {
		const served = ai && {
			publish: ai.publish,
			run: async () => await runAiScenarios(n8n, examplesSandbox, ai, reference, scenario, info),
		};
		await runTriggerScenarios(n8n, sandbox, examplesSandbox, workflows, activations, serverBroker, undefined, served);
	} else {
		info('skipped the active-trigger and AI example scenarios (--no-trigger)');
	}
	clearTimeout(hardTimer);
}

// ---------------------------------------------------------------------------------------------
// Scenario workflows
// ---------------------------------------------------------------------------------------------

interface ScenarioWorkflows {
	balance: WorkflowJson;
	summary: WorkflowJson;
	calls: WorkflowJson;
	numbers: WorkflowJson;
	charges: WorkflowJson;
	expressions: WorkflowJson;
	threshold: WorkflowJson;
	expressionInputs: { from: string; to: string; tz: string; fee: number };
}

function buildScenarioWorkflows(
	cred: CredentialRef,
	sandbox: Sandbox,
): Omit<ScenarioWorkflows, 'threshold'> & { threshold: WorkflowJson } {
	const berlinToday = DateTime.now().setZone(TZ).startOf('day');
	const expressionInputs = {
		from: berlinToday.minus({ days: 12 }).toFormat('yyyy-MM-dd'),
		to: berlinToday.minus({ days: 2 }).toFormat('yyyy-MM-dd'),
		tz: 'America/New_York',
		fee: 7.25,
	};
	const today = todaySpendUnits(sandbox);
	const t1 = Number(((Number(today) + 100_000_000) / 1e8).toFixed(2)); // today's spend + 1.00
	// + 10 000: crossed later by one expensive call
	const t2 = Number(((Number(today) + 1_000_000_000_000) / 1e8).toFixed(2));
	return {
		balance: chain('e2eBalance000001', 'e2e account/getBalance', [
			manualTrigger(),
			famulor('Balance', cred, {
				resource: 'account',
				operation: 'getBalance',
				options: { includeRunway: true, timezone: 'UTC' },
			}),
		]),
		summary: chain('e2eSummary000001', 'e2e usage/getSummary', [
			manualTrigger(),
			famulor('Summary', cred, {
				resource: 'usage',
				operation: 'getSummary',
				period: 'lastMonth',
				groupBy: 'assistant',
				filters: {},
				options: { timezone: TZ },
			}),
		]),
		calls: chain('e2eCalls00000001', 'e2e usage/getCalls', [
			manualTrigger(),
			famulor('Calls', cred, {
				resource: 'usage',
				operation: 'getCalls',
				period: 'last7Days',
				returnAll: true,
				simplify: true,
				filters: {},
				options: { timezone: 'UTC' },
			}),
		]),
		numbers: chain('e2eNumbers000001', 'e2e phoneNumber/getAll', [
			manualTrigger(),
			famulor('Numbers', cred, {
				resource: 'phoneNumber',
				operation: 'getAll',
				defaultMonthlyFee: 3.99,
				monthlyFees: {
					fee: [
						{ country: 'DE', fee: 4.5 },
						{ country: 'GB', fee: 2.75 },
					],
				},
				options: {},
			}),
		]),
		charges: chain('e2eCharges000001', 'e2e chargeSummary/generate', [
			manualTrigger(),
			famulor('Charges', cred, {
				resource: 'chargeSummary',
				operation: 'generate',
				period: 'lastMonth',
				pricingMode: 'reported',
				defaultMonthlyFee: 3.99,
				outputs: { csv: true },
				options: { timezone: TZ },
			}),
			famulor(
				'Charges per client',
				cred,
				{
					resource: 'chargeSummary',
					operation: 'generate',
					period: 'lastMonth',
					pricingMode: 'reported',
					defaultMonthlyFee: 3.99,
					clients: {
						client: [{ name: 'Acme GmbH', matchBy: 'assistant', values: 'Sales Assistant', markupPercent: 10 }],
					},
					outputs: { onePerClient: true },
					options: { timezone: TZ },
				},
				{ executeOnce: true },
			),
		]),
		expressions: chain('e2eExpress000001', 'e2e expressions', [
			manualTrigger(),
			setNode('Inputs', {
				period: 'custom',
				from: expressionInputs.from,
				to: expressionInputs.to,
				tz: expressionInputs.tz,
				fee: expressionInputs.fee,
			}),
			famulor('Summary from expressions', cred, {
				resource: 'usage',
				operation: 'getSummary',
				period: '={{ $json.period }}',
				startDate: '={{ $json.from }}',
				endDate: '={{ $json.to }}',
				groupBy: 'none',
				filters: {},
				options: { timezone: '={{ $json.tz }}' },
			}),
			famulor('Numbers with fee from expression', cred, {
				resource: 'phoneNumber',
				operation: 'getAll',
				defaultMonthlyFee: "={{ $('Inputs').item.json.fee }}",
				options: {},
			}),
		]),
		threshold: chain('e2eThreshold0001', 'e2e threshold trigger (active)', [
			{
				...famulor('Spend today', cred, {
					pollTimes: { item: [{ mode: 'everyMinute' }] },
					metric: 'spend',
					period: 'day',
					thresholdType: 'absolute',
					thresholds: `${t1}, ${t2}`,
					groupBy: 'none',
					filters: {},
					options: { timezone: "={{ 'Europe/' + 'Berlin' }}" },
				}),
				type: TYPES.threshold,
			},
			noOp('Alert'),
		]),
		expressionInputs,
	};
}

/** Today's spend (Europe/Berlin day of the sandbox clock) in 1e-8 units. */
function todaySpendUnits(sandbox: Sandbox): bigint {
	const day = DateTime.fromJSDate(sandbox.clock.now()).setZone(TZ).startOf('day');
	const truth = totalsBy(
		sandbox.visibleCalls(),
		() => 'all',
		inRange(day.toMillis(), day.plus({ days: 1 }).toMillis()),
	);
	return truth.get('all')?.totalCost ?? 0n;
}

// ---------------------------------------------------------------------------------------------
// Action operations
// ---------------------------------------------------------------------------------------------

/** A successful execution, and the wall-clock times (ms) just before and just after it ran. */
async function executeOk(n8n: N8n, id: string): Promise<{ run: RawExecution; clock: number[] }> {
	const before = Date.now();
	const result = await n8n.execute(id);
	check(result.ok && result.run, result.error ?? 'execution failed');
	return { run: result.run as RawExecution, clock: [before, Date.now()] };
}

/**
 * Runs `checks` for the clock before and after an execution and passes when one of them passes. n8n
 * resolved "last month" or "yesterday" at one moment in between: a run that straddles midnight (or
 * a month end) matches one of the two, and needs no luck with the time of day.
 */
function atEither(clock: number[], checks: (now: DateTime) => void): void {
	let first: unknown;
	for (const at of [...new Set(clock)]) {
		try {
			checks(DateTime.fromMillis(at));
			return;
		} catch (error) {
			if (!(error instanceof Check)) throw error;
			first ??= error;
		}
	}
	throw first;
}

async function runActionScenarios(n8n: N8n, sandbox: Sandbox, workflows: ScenarioWorkflows): Promise<void> {
	const visible = () => sandbox.visibleCalls();

	await scenario('account/getBalance returns the sandbox balance and runway', async () => {
		const { run } = await executeOk(n8n, workflows.balance.id as string);
		const [item] = nodeItems(run, 'Balance');
		check(item, 'no output item');
		const me = sandbox.me();
		check(item.balance === me.total_balance, `balance ${item.balance}, sandbox ${me.total_balance}`);
		check(item.currency === 'EUR' && item.name === me.name, `currency/name ${item.currency}/${item.name}`);
		// Runway: the 7 full UTC days before the API clock's day.
		const day = DateTime.fromJSDate(sandbox.clock.now()).toUTC().startOf('day');
		const spent = totalsBy(visible(), () => 'all', inRange(day.minus({ days: 7 }).toMillis(), day.toMillis())).get(
			'all',
		);
		const average = Number(spent?.totalCost ?? 0n) / 7 / 1e8;
		check(item.runway && item.runway.basedOnDays === 7, `runway ${JSON.stringify(item.runway)}`);
		near(item.runway.averageDailySpend, average, 1e-7, 'runway.averageDailySpend');
		near(item.runway.days, Math.floor((me.total_balance / average) * 10) / 10, 0.1 + 1e-9, 'runway.days');
	});

	await scenario(
		'usage/getSummary grouped by assistant (lastMonth, Europe/Berlin) equals the sandbox totals',
		async () => {
			const { run, clock } = await executeOk(n8n, workflows.summary.id as string);
			atEither(clock, (now) => {
				const items = nodeItems(run, 'Summary');
				const { start, end } = lastMonthBounds(TZ, now);
				const truth = totalsBy(visible(), (call) => String(call.assistant_name), inRange(start, end));
				check(truth.size > 1, `the sandbox has ${truth.size} assistants with calls last month; the check needs more`);
				check(items.length === truth.size, `${items.length} groups, expected ${truth.size}`);
				let sum = 0n;
				for (const item of items) {
					const expected = truth.get(String(item.group));
					check(expected, `unexpected group ${item.group}`);
					check(item.calls === expected.calls, `${item.group}: calls ${item.calls}, expected ${expected.calls}`);
					near(item.totalCost, toNumber(expected.totalCost), 1e-9, `${item.group} totalCost`);
					near(item.carrierCost, toNumber(expected.carrierCost), 1e-9, `${item.group} carrierCost`);
					near(
						item.platformCost,
						toNumber(expected.totalCost - expected.carrierCost),
						1e-9,
						`${item.group} platformCost`,
					);
					check(
						item.talkSeconds === expected.talkSeconds,
						`${item.group}: talkSeconds ${item.talkSeconds}, expected ${expected.talkSeconds}`,
					);
					near(item.billableMinutes, expected.billableSeconds / 60, 1e-4, `${item.group} billableMinutes`);
					check(item.period?.timezone === TZ, `period ${JSON.stringify(item.period)}`);
					check(
						item.period.start === DateTime.fromMillis(start, { zone: TZ }).toISO({ suppressMilliseconds: true }),
						`period.start ${item.period.start}`,
					);
					sum += BigInt(Math.round(item.totalCost * 1e8));
				}
				const total = [...truth.values()].reduce((a, t) => a + t.totalCost, 0n);
				check(sum === total, `sum of groups ${sum}, expected ${total} (1e-8 units)`);
			});
		},
	);

	await scenario(
		'usage/getCalls (last7Days, Return All, UTC) returns every call newest first with its cost',
		async () => {
			const { run, clock } = await executeOk(n8n, workflows.calls.id as string);
			atEither(clock, (now) => {
				const items = nodeItems(run, 'Calls');
				const start = now.toUTC().startOf('day').minus({ days: 6 });
				const expected = visible()
					.filter(inRange(start.toMillis(), start.plus({ days: 7 }).toMillis()))
					.sort((a, b) => createdMs(b) - createdMs(a) || b.id - a.id);
				check(expected.length > 50, `only ${expected.length} calls in the sandbox's last 7 days`);
				check(items.length === expected.length, `${items.length} calls, expected ${expected.length}`);
				const wrongOrder = items.findIndex((item, i) => item.id !== expected[i].id);
				check(wrongOrder < 0, `call #${wrongOrder} is ${items[wrongOrder]?.id}, expected ${expected[wrongOrder]?.id}`);
				const sum = items.reduce((a, item) => a + BigInt(Math.round(item.totalCost * 1e8)), 0n);
				const truth = expected.reduce((a, call) => a + costUnits(call.total_cost), 0n);
				check(sum === truth, `sum of totalCost ${sum}, expected ${truth} (1e-8 units)`);
				check(
					items.every((item) => item.currency === 'EUR'),
					'an item without currency EUR',
				);
			});
		},
	);

	await scenario('phoneNumber/getAll lists the rented numbers with their country fees', async () => {
		const { run } = await executeOk(n8n, workflows.numbers.id as string);
		const items = nodeItems(run, 'Numbers');
		const rented = sandbox.phoneNumbers().filter((n) => n.type === 'normal' && n.has_active_subscription);
		const ids = items.map((i) => i.id).sort();
		check(
			JSON.stringify(ids) === JSON.stringify(rented.map((n) => n.id).sort()),
			`ids ${ids}, expected ${rented.map((n) => n.id).sort()}`,
		);
		for (const item of items) {
			const raw = rented.find((n) => n.id === item.id);
			const fee = raw?.country_code === 'DE' ? 4.5 : raw?.country_code === 'GB' ? 2.75 : 3.99;
			check(
				item.monthlyFee === fee && item.rented === true,
				`${item.phoneNumber}: fee ${item.monthlyFee}, expected ${fee}`,
			);
			const assistants = sandbox
				.assistants()
				.filter((a) => a.phone_number_id === item.id)
				.map((a) => a.name);
			check(
				JSON.stringify(item.assistants) === JSON.stringify(assistants),
				`${item.phoneNumber}: assistants ${JSON.stringify(item.assistants)}`,
			);
		}
	});

	await scenario(
		'chargeSummary/generate (lastMonth, reported costs) matches the sandbox to the cent, per client too',
		async () => {
			const { run, clock } = await executeOk(n8n, workflows.charges.id as string);
			atEither(clock, (now) => {
				const [summary] = nodeItems(run, 'Charges');
				check(summary, 'no output item');
				const { start, end } = lastMonthBounds(TZ, now);
				const all = totalsBy(visible(), () => 'all', inRange(start, end)).get('all');
				check(all, 'no calls last month');
				const rented = sandbox.phoneNumbers().filter((n) => n.type === 'normal' && n.has_active_subscription).length;
				check(summary.usage.calls === all.calls, `usage.calls ${summary.usage.calls}, expected ${all.calls}`);
				near(summary.charges.carrier, cents(all.carrierCost), 1e-9, 'charges.carrier');
				near(summary.charges.platform, cents(all.totalCost - all.carrierCost), 1e-9, 'charges.platform');
				near(summary.charges.numberRentals, Math.round(rented * 399) / 100, 1e-9, 'charges.numberRentals');
				const lineSum =
					(summary.lines as Array<{ amount: number }>).reduce((a, l) => a + Math.round(l.amount * 100), 0) / 100;
				near(summary.charges.total, lineSum, 1e-9, 'charges.total vs the sum of lines');
				near(
					summary.charges.total,
					cents(all.carrierCost) + cents(all.totalCost - all.carrierCost) + rented * 3.99,
					1e-6,
					'charges.total',
				);
				const binary = run.data.resultData.runData.Charges[0].data?.main?.[0]?.[0]?.binary?.data;
				check(
					binary && String(binary.mimeType).startsWith('text/csv'),
					`CSV attachment ${JSON.stringify(binary)?.slice(0, 200)}`,
				);

				const perClient = nodeItems(run, 'Charges per client');
				const acme = perClient.find((item) => item.client === 'Acme GmbH');
				const unassigned = perClient.find((item) => item.client !== 'Acme GmbH');
				check(acme && unassigned, `clients ${JSON.stringify(perClient.map((i) => i.client))}`);
				const sales = totalsBy(
					visible(),
					() => 'all',
					(call) => call.assistant_name === 'Sales Assistant' && inRange(start, end)(call),
				).get('all');
				check(acme.usage.calls === (sales?.calls ?? 0), `Acme calls ${acme.usage.calls}, expected ${sales?.calls}`);
				check(acme.usage.calls + unassigned.usage.calls === all.calls, 'client calls do not add up to all calls');
				near(acme.charges.markup, (acme.charges.calls + acme.charges.numberRentals) * 0.1, 0.011, 'Acme markup (10 %)');
			});
		},
	);

	await scenario('expressions in parameters resolve ($json from a Set node, $("Inputs").item)', async () => {
		const { run } = await executeOk(n8n, workflows.expressions.id as string);
		const { from, to, tz, fee } = workflows.expressionInputs;
		const [summary] = nodeItems(run, 'Summary from expressions');
		check(summary, 'no summary item');
		const start = DateTime.fromISO(from, { zone: tz });
		const end = DateTime.fromISO(to, { zone: tz });
		check(
			summary.period?.timezone === tz,
			`period.timezone ${summary.period?.timezone}, expected ${tz} (from {{ $json.tz }})`,
		);
		check(
			summary.period.start === start.toISO({ suppressMilliseconds: true }),
			`period.start ${summary.period.start}, expected ${start.toISO()} (from {{ $json.from }})`,
		);
		check(
			summary.period.end === end.toISO({ suppressMilliseconds: true }),
			`period.end ${summary.period.end}, expected ${end.toISO()} (from {{ $json.to }})`,
		);
		const truth = totalsBy(visible(), () => 'all', inRange(start.toMillis(), end.toMillis())).get('all');
		check(summary.calls === (truth?.calls ?? 0), `calls ${summary.calls}, expected ${truth?.calls}`);
		near(summary.totalCost, toNumber(truth?.totalCost ?? 0n), 1e-9, 'totalCost');
		const numbers = nodeItems(run, 'Numbers with fee from expression');
		check(
			numbers.length > 0 && numbers.every((n) => n.monthlyFee === fee),
			`monthlyFee ${numbers.map((n) => n.monthlyFee)}, expected ${fee}`,
		);
	});
}

function checkDailyUsage(run: RawExecution | undefined, sandbox: Sandbox, now: DateTime): void {
	const [item] = nodeItems(run, "Yesterday's usage");
	const day = now.setZone(TZ).startOf('day').minus({ days: 1 });
	const truth = totalsBy(
		sandbox.visibleCalls(),
		() => 'all',
		inRange(day.toMillis(), day.plus({ days: 1 }).toMillis()),
	).get('all');
	check(item.calls === (truth?.calls ?? 0), `yesterday: calls ${item.calls}, expected ${truth?.calls ?? 0}`);
	near(item.totalCost, toNumber(truth?.totalCost ?? 0n), 1e-9, 'yesterday totalCost');
	const [row] = nodeItems(run, 'Row');
	check(
		row && row.Date === day.toFormat('yyyy-MM-dd') && row.Spend === item.totalCost,
		`sheet row ${JSON.stringify(row)}`,
	);
	const sheet = nodeItems(run, 'Append to Google Sheet');
	check(sheet.length === 1, 'the row did not reach the (No-Op) Google Sheets node');
}

/** The audit counts sandbox B's rented numbers; its idle number renews soon, so the item reaches Slack (No-Op). */
function checkIdleNumbers(run: RawExecution | undefined, sandbox: Sandbox, idle: RawPhoneNumber): void {
	const [audit] = nodeItems(run, 'Audit rented numbers');
	const rented = sandbox.phoneNumbers().filter((n) => n.type === 'normal' && n.has_active_subscription);
	check(audit?.rentedNumbers === rented.length, `rentedNumbers ${audit?.rentedNumbers}, expected ${rented.length}`);
	const row = (audit.numbers as Array<Record<string, any>>).find((r) => r.phoneNumber === idle.phone_number);
	const renewal = renewalTruth(idle.created_at, Date.parse(audit.checkedAt), TZ);
	check(
		row?.idle === true && row.nextRenewalAt === renewal.nextRenewalAt && row.daysToRenewal === renewal.daysToRenewal,
		`the idle number: ${JSON.stringify(row)}, expected idle and renewing ${JSON.stringify(renewal)}`,
	);
	const slack = nodeItems(run, 'Post to Slack');
	check(
		slack.length === 1 && String(slack[0]?.text).includes(idle.phone_number),
		`Post to Slack (No-Op) got ${JSON.stringify(slack).slice(0, 300)}`,
	);
}

/**
 * examples/monthly-client-statements-de.json: a German statement per client, each with 19 % VAT on
 * its net total (reverse charge: 0 % and the legal note), the semicolon CSV attached, and every
 * client but Unassigned handed to the email node.
 */
function checkGermanStatements(run: RawExecution | undefined): void {
	const node = 'Kostenübersicht pro Kunde';
	const items = nodeItems(run, node);
	const clients = items.map((item) => item.client);
	check(
		JSON.stringify(clients.filter((c) => c !== 'Unassigned')) ===
			JSON.stringify(['Autohaus Becker GmbH', 'Praxis Dr. Wagner', 'Northwind BV']),
		`clients ${JSON.stringify(clients)}`,
	);
	for (const item of items) {
		const net = (item.lines as Array<{ amount: number }>).reduce((a, l) => a + Math.round(l.amount * 100), 0);
		const reverse = item.client === 'Northwind BV';
		// 19 % of whole cents, half away from zero (net is never negative here).
		const vat = reverse ? 0 : Math.floor((net * 19 * 2 + 100) / 200);
		check(Math.round(item.charges.net * 100) === net, `${item.client}: net ${item.charges.net}, lines ${net / 100}`);
		check(Math.round(item.charges.vat * 100) === vat, `${item.client}: VAT ${item.charges.vat}, expected ${vat / 100}`);
		check(Math.round(item.charges.gross * 100) === net + vat, `${item.client}: gross ${item.charges.gross}`);
		check(String(item.html).includes('<html lang="de">'), `${item.client}: html not in German`);
		const note = reverse ? 'Steuerschuldnerschaft des Leistungsempfängers' : 'Gesamtbetrag inkl. USt.';
		check(String(item.html).includes(note), `${item.client}: html without "${note}"`);
	}
	const outputs = run?.data?.resultData?.runData?.[node]?.[0]?.data?.main?.[0] ?? [];
	const csv = outputs.map((output) => output.binary?.data);
	check(
		csv.length === items.length && csv.every((b) => b && String(b.fileName).endsWith('.csv')),
		`CSV attachments ${JSON.stringify(csv).slice(0, 200)}`,
	);
	const emails = nodeItems(run, 'Email each client');
	check(emails.length === clients.filter((c) => c !== 'Unassigned').length, `${emails.length} emails`);
}

// ---------------------------------------------------------------------------------------------
// Active triggers
// ---------------------------------------------------------------------------------------------

interface ExecutionRow {
	id: number;
	status: string;
	mode: string;
	finished: number;
	startedAt: string;
}

/** Groups of requests to a sandbox separated by quiet gaps of more than 20 s: one per poll. */
function pollRounds(sandbox: Sandbox, since: number): number {
	const times = sandbox.requestLog
		.filter((entry) => entry.at > since)
		.map((entry) => entry.at)
		.sort((a, b) => a - b);
	let rounds = 0;
	let last = -Infinity;
	for (const at of times) {
		if (at - last > 20_000) rounds += 1;
		last = at;
	}
	return rounds;
}

async function staticState(n8n: N8n, id: string): Promise<Record<string, any> | undefined> {
	const [row] = await n8n.query<{ staticData: string | null }>('select staticData from workflow_entity where id = ?', [
		id,
	]);
	if (!row?.staticData) return undefined;
	const data = JSON.parse(row.staticData) as Record<string, { state?: Record<string, any> }>;
	const node = Object.values(data).find((value) => value && typeof value === 'object' && 'state' in value);
	return node?.state;
}

async function executionsOf(n8n: N8n, id: string): Promise<ExecutionRow[]> {
	return await n8n.query<ExecutionRow>(
		'select id, status, mode, finished, startedAt from execution_entity where workflowId = ? order by id',
		[id],
	);
}

async function runDataOf(n8n: N8n, executionId: number): Promise<Record<string, any> | undefined> {
	const [row] = await n8n.query<{ data: any }>(
		'select data from execution_data where executionId = ?',
		[executionId],
		['data'],
	);
	return (row?.data?.resultData ?? row?.data?.data?.resultData)?.runData;
}

/** The threshold trigger's first item in an execution of the scenario workflow. */
async function triggerEvent(n8n: N8n, executionId: number): Promise<Record<string, any> | undefined> {
	return (await runDataOf(n8n, executionId))?.['Spend today']?.[0]?.data?.main?.[0]?.[0]?.json;
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		const value = await probe();
		if (value !== undefined) return value;
		await delay(2_000);
	}
	throw new Check(`${what}: not within ${Math.round(timeoutMs / 1000)} s`);
}

async function runTriggerScenarios(
	n8n: N8n,
	sandbox: Sandbox,
	examplesSandbox: Sandbox,
	workflows: ScenarioWorkflows,
	activations: Array<{ file: string; id: string; workflow: WorkflowJson }>,
	serverBroker: number,
	queue?: { redisPort: number; workerBroker: number; workerHealth: number },
	/** More workflows to publish, and scenarios to run in the same `n8n start` before it stops. */
	served?: { publish: string[]; run: () => Promise<void> },
): Promise<void> {
	const thresholdId = workflows.threshold.id as string;
	const label = (name: string) => (queue ? `queue mode: ${name}` : name);
	const published = await scenario(
		label(
			activations.length
				? `threshold-trigger workflow and trigger ${served ? 'and AI ' : ''}examples publish (n8n publish:workflow)`
				: 'threshold-trigger workflow publishes (n8n publish:workflow)',
		),
		async () => {
			const ids = [thresholdId, ...activations.map((a) => a.id), ...(served?.publish ?? [])];
			for (const id of ids) await n8n.publish(id);
			const rows = await n8n.query<{ id: string; activeVersionId: string | null }>(
				'select id, activeVersionId from workflow_entity where activeVersionId is not null',
			);
			check(rows.length === ids.length, `${rows.length} published workflows, expected ${ids.length}`);
		},
	);
	if (!published) return;

	let queueEnv: Record<string, string> = {};
	if (queue) {
		const redisOk = await scenario(label('redis-server starts (Debian package)'), async () => {
			await startRedis(queue.redisPort);
		});
		if (!redisOk) return;
		queueEnv = {
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(queue.redisPort),
			QUEUE_BULL_PREFIX: 'famulor-e2e',
		};
	}

	sandbox.resetStats();
	const server = n8n.startProcess(
		'start',
		{ ...queueEnv, N8N_RUNNERS_BROKER_PORT: String(serverBroker) },
		queue ? 'main' : 'start',
	);
	info(`n8n start (log ${server.logFile})`);
	const ready = await scenario(label('n8n start comes up with the package loaded'), async () => {
		await n8n.waitReady(server.tracked, 120_000);
	});
	if (!ready) return;
	let worker: ReturnType<N8n['startProcess']> | undefined;
	if (queue) {
		worker = n8n.startProcess('worker', {
			...queueEnv,
			N8N_RUNNERS_BROKER_PORT: String(queue.workerBroker),
			QUEUE_HEALTH_CHECK_ACTIVE: 'true',
			QUEUE_HEALTH_CHECK_PORT: String(queue.workerHealth),
			N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
		});
		info(`n8n worker (log ${worker.logFile})`);
		const workerReady = await scenario(label('n8n worker comes up with the package loaded'), async () => {
			await n8n.waitReady((worker as { tracked: Tracked }).tracked, 120_000, queue.workerHealth);
		});
		if (!workerReady) return;
	}
	// The AI examples first: they need only the server, and the threshold scenarios only the polls.
	if (served) await served.run();

	const baseline = await scenario(
		label('threshold trigger: the activation poll builds the baseline without firing'),
		async () => {
			const state = await waitFor('baseline state in the workflow static data', 90_000, async () => {
				const s = await staticState(n8n, thresholdId);
				return s?.phase === 'ready' ? s : undefined;
			});
			check(state.v !== undefined && state.config, 'state without version or config fingerprint');
			const executions = await executionsOf(n8n, thresholdId);
			check(executions.length === 0, `${executions.length} executions right after activation`);
		},
	);

	for (const activation of activations) {
		await scenario(`example ${activation.file} activates in n8n start (first poll against sandbox B)`, async () => {
			const state = await waitFor(
				'trigger state in the static data',
				90_000,
				async () => await staticState(n8n, activation.id),
			);
			check(state.config, `state ${JSON.stringify(state).slice(0, 200)}`);
		});
	}
	if (!baseline) return;

	// Cross the first threshold: one long call "now", so it is the newest call of the day.
	const before = todaySpendUnits(sandbox);
	const createdAt = sandbox.clock.now().toISOString();
	const big = sandbox.addCall({
		created_at: createdAt,
		assistant_name: 'Sales Assistant',
		duration: 3600,
		status: 'completed',
	});
	const bigUnits = costUnits(big.total_cost);
	const expectedValue = toNumber(before + bigUnits);
	const thresholds = String((workflows.threshold.nodes[0].parameters as { thresholds: string }).thresholds)
		.split(',')
		.map(Number);
	info(
		`today's spend ${toNumber(before)} EUR; added call ${big.id} costing ${big.total_cost}; thresholds ` +
			`${thresholds.join(', ')}`,
	);

	let firedAt = 0;
	const fired = await scenario(
		label(
			`threshold trigger fires once when calls cross the threshold (active workflow, ` +
				`${queue ? 'polled on the main, run on the worker' : 'n8n start'})`,
		),
		async () => {
			check(
				toNumber(before) < thresholds[0] && expectedValue >= thresholds[0],
				`setup: ${toNumber(before)} → ${expectedValue} does not cross ${thresholds[0]}`,
			);
			const executions = await waitFor('an execution of the threshold workflow', 100_000, async () => {
				const rows = await executionsOf(n8n, thresholdId);
				return rows.length > 0 && rows.every((r) => r.status !== 'running' && r.status !== 'new') ? rows : undefined;
			});
			firedAt = Date.now();
			check(executions.length === 1, `${executions.length} executions`);
			const [execution] = executions;
			check(execution.status === 'success' && execution.mode === 'trigger', `execution ${JSON.stringify(execution)}`);
			const runData = await runDataOf(n8n, execution.id);
			const event = runData?.['Spend today']?.[0]?.data?.main?.[0]?.[0]?.json;
			check(event, 'the execution holds no trigger item');
			check(
				event.metric === 'spend' && event.threshold === thresholds[0],
				`event ${JSON.stringify(event).slice(0, 300)}`,
			);
			check(typeof event.eventId === 'string' && event.eventId.includes(':spend:all:'), `eventId ${event.eventId}`);
			near(event.value, expectedValue, 0.01, 'event value');
			check(
				event.period?.timezone === 'Europe/Berlin',
				`period ${JSON.stringify(event.period)} (timezone from {{ 'Europe/' + 'Berlin' }})`,
			);
			check(Array.isArray(event.topContributors) && event.topContributors.length > 0, 'no topContributors');
			const alert = runData?.Alert?.[0]?.data?.main?.[0];
			check(alert?.length === 1, 'the Alert node did not receive the event');
			if (queue && worker) {
				// The worker logs "finished" after it saved the execution: wait for the line, do not race it.
				const logs = await waitFor(`the queue-mode log lines of execution ${execution.id}`, 30_000, async () => {
					const mainLog = readFileSync(server.logFile, 'utf8');
					const workerLog = readFileSync((worker as { logFile: string }).logFile, 'utf8');
					return mainLog.includes(`Enqueued execution ${execution.id} `) &&
						workerLog.includes(`Worker finished execution ${execution.id} `)
						? { mainLog, workerLog }
						: undefined;
				}).catch(() => ({
					mainLog: readFileSync(server.logFile, 'utf8'),
					workerLog: readFileSync(worker.logFile, 'utf8'),
				}));
				check(
					logs.mainLog.includes(`Enqueued execution ${execution.id} `),
					`the main did not enqueue execution ${execution.id} (see ${server.logFile})`,
				);
				check(
					logs.workerLog.includes(`Worker started execution ${execution.id} `),
					`the worker did not start execution ${execution.id} (see ${worker.logFile})`,
				);
				check(
					logs.workerLog.includes(`Worker finished execution ${execution.id} `),
					`the worker did not finish execution ${execution.id}`,
				);
				check(!logs.mainLog.includes('Worker started execution'), 'the main ran an execution itself');
			}
		},
	);

	if (fired) {
		// More spend below the next threshold, two more polls, then a call that crosses the second
		// threshold. Polls run one after another and every emitting poll creates its execution before
		// the next poll starts, so once the second threshold's execution is there, any repeat of the
		// first from the polls in between would be too: exactly two executions prove none happened,
		// without waiting a fixed time for one that might still come.
		const small = sandbox.addCall({
			created_at: createdAt,
			assistant_name: 'Support Bot',
			duration: 90,
			status: 'completed',
		});
		info(`added call ${small.id} costing ${small.total_cost}; waiting for two more polls`);
		await scenario(
			label('threshold trigger does not fire again on the following polls, and fires the next threshold once'),
			async () => {
				await waitFor('two more polls of the sandbox', 150_000, async () =>
					pollRounds(sandbox, firedAt) >= 2 ? true : undefined,
				);
				const spentBefore = todaySpendUnits(sandbox);
				const needed = BigInt(Math.round(thresholds[1] * 1e8)) - spentBefore;
				const crossing = sandbox.addCall({
					created_at: createdAt,
					assistant_name: 'Support Bot',
					duration: 120,
					status: 'completed',
					total_cost: toNumber(needed + 100_000_000n).toFixed(8),
				});
				info(`added call ${crossing.id} costing ${crossing.total_cost} to cross ${thresholds[1]}`);
				const executions = await waitFor('the execution of the second threshold', 150_000, async () => {
					const rows = await executionsOf(n8n, thresholdId);
					return rows.length >= 2 && rows.every((r) => r.status !== 'running' && r.status !== 'new') ? rows : undefined;
				});
				check(executions.length === 2, `${executions.length} executions: ${JSON.stringify(executions)}`);
				const second = await triggerEvent(n8n, executions[1].id);
				check(
					second?.threshold === thresholds[1],
					`the second execution is ${JSON.stringify(second).slice(0, 300)}, expected threshold ${thresholds[1]}`,
				);
				const state = await staticState(n8n, thresholdId);
				check(state?.phase === 'ready', `state phase ${state?.phase}`);
				if (worker) {
					const logged = await waitFor('the worker log of both executions', 30_000, async () => {
						const started = readFileSync(worker.logFile, 'utf8')
							.split('\n')
							.filter((line) => line.includes('Worker started execution'));
						return started.length >= 2 ? started : undefined;
					});
					check(logged.length === 2, `the worker started ${logged.length} executions: ${logged.join(' | ')}`);
				}
			},
		);
	}

	if (activations.length)
		await scenario('trigger examples did not fire or fail while active', async () => {
			const problems: string[] = [];
			for (const activation of activations) {
				const executions = await executionsOf(n8n, activation.id);
				if (executions.length) problems.push(`${activation.file}: ${executions.map((e) => e.status).join(', ')}`);
			}
			check(problems.length === 0, problems.join('; '));
			check(examplesSandbox.stats.requests > 0, 'sandbox B saw no requests');
		});
	if (worker) await procs.stop(worker.tracked, 15_000);
	await procs.stop(server.tracked, 15_000);
}

/** redis-server on 127.0.0.1:<port>, no persistence, tracked like every other process. */
async function startRedis(port: number): Promise<void> {
	const binary =
		['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((path) => existsSync(path)) ?? 'redis-server';
	const dir = join(tempDir as string, 'redis');
	mkdirSync(dir, { recursive: true });
	const redis = procs.spawn(
		'redis-server',
		binary,
		[
			'--port',
			String(port),
			'--bind',
			'127.0.0.1',
			'--save',
			'',
			'--appendonly',
			'no',
			'--dir',
			dir,
			'--daemonize',
			'no',
		],
		{
			stdio: ['ignore', 'ignore', 'pipe'],
		},
	);
	let spawnError = '';
	redis.child.once('error', (error) => (spawnError = error.message));
	const deadline = Date.now() + 20_000;
	while (Date.now() < deadline) {
		if (spawnError)
			throw new Check(`redis-server did not start (${spawnError}); install it with: apt-get install redis-server`);
		if (redis.child.exitCode !== null) throw new Check(`redis-server exited with ${redis.child.exitCode}`);
		if (await redisPing(port)) return;
		await delay(250);
	}
	throw new Check(`redis-server did not answer PING on port ${port}`);
}

function redisPing(port: number): Promise<boolean> {
	return new Promise((resolvePing) => {
		const socket = connect(port, '127.0.0.1');
		let answer = '';
		socket.setTimeout(1_000, () => socket.destroy());
		socket.on('connect', () => socket.write('PING\r\n'));
		socket.on('data', (chunk) => {
			answer += chunk.toString();
			if (answer.includes('\r\n')) {
				socket.end();
				resolvePing(answer.startsWith('+PONG'));
			}
		});
		socket.on('error', () => resolvePing(false));
		socket.on('close', () => resolvePing(answer.startsWith('+PONG')));
	});
}

main()
	.catch((error) => {
		record('e2e run', false, (error as Error).stack ?? String(error));
	})
	.then(async () => {
		await cleanup();
		finish(results.length > 0 && results.every((r) => r.ok) ? 0 : 1);
	});
