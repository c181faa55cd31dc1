/**
 * `npm run demo` — see the package work in a real n8n without a Famulor account.
 *
 * Builds and packs the package, installs it into a fresh n8n user folder the way n8n installs a
 * community package, starts the Famulor sandbox (a realistic account whose calls keep arriving in
 * real time, with a spike yesterday) and n8n on Node 24 (the newest version this package is tested on,
 * or --n8n <version>; fetched from the npm registry on the first run with its progress shown, cached
 * in ~/.cache/n8n-nodes-famulor-billing), imports a credential for the
 * sandbox, a demo workflow and the example workflows, runs the demo workflow once, publishes the
 * example MCP server (with a bearer token), creates the owner login, and prints the editor URL, the MCP
 * URL and what to click. Runs until Ctrl-C, then stops everything it started.
 *
 *   npm run demo                      # editor on http://127.0.0.1:5678 (next free port if taken)
 *   npm run demo -- --port 5700 --sandbox-port 5781 --no-build --keep
 *   npm run demo -- --check           # start, verify (login, workflows, a run), stop; exit code says
 *   npm run demo -- --n8n 2.40.7      # another n8n version (also N8N_E2E_VERSION)
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DateTime } from 'luxon';
import { Sandbox } from '../test/sandbox/server';
import { ProcessTracker, freePorts } from '../test/e2e/lib/proc';
import { DEFAULT_N8N_VERSION, ensureToolchain, n8nVersion } from '../test/e2e/lib/toolchain';
import { duration } from '../test/e2e/lib/progress';
import {
	exampleFiles,
	importSandboxCredentials,
	installPackage,
	newInstance,
	readExample,
	writeWorkflows,
} from '../test/e2e/lib/instance';
import { connectMcp, toolAnswer } from '../test/e2e/lib/mcp';
import { nodeItems } from '../test/e2e/lib/n8n';
import {
	chain,
	famulor,
	manualTrigger,
	noOp,
	TYPES,
	withFamulorCredential,
	type CredentialRef,
	type WorkflowJson,
} from '../test/e2e/lib/workflows';

const REPO = resolve(__dirname, '..');
const OWNER = { email: 'demo@famulor-billing.dev', firstName: 'Demo', lastName: 'User', password: 'Famulor-demo-1' };
const DEMO_WORKFLOW_ID = 'famulorDemo00001';
const LIVE_WORKFLOW_ID = 'famulorDemoLive1';
const MCP_EXAMPLE = 'famulor-billing-mcp-server.json';
const MCP_TOKEN_CREDENTIAL: CredentialRef = { id: 'famulorDemoMcpTk', name: 'MCP bearer token (demo)' };

const HELP = `npm run demo -- [options]

  --port <n>           n8n editor port (default 5678, or a free one if taken)
  --sandbox-port <n>   Famulor sandbox port (default 5680, or a free one if taken)
  --calls <n>          calls in the sandbox account's past 45 days (default 6000)
  --n8n <version>      n8n version (default ${DEFAULT_N8N_VERSION}, the newest tested; or N8N_E2E_VERSION)
  --no-build           pack the existing dist/ instead of running npm run build
  --no-live            do not publish the live threshold-alert workflow
  --keep               keep the n8n user folder on exit (printed at the end)
  --check              start everything, verify it, stop again (exit code 0 when it works)
  --help               this text
`;

function parseArgs(argv: string[]): Record<string, string | true> {
	const flags: Record<string, string | true> = {};
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (!arg.startsWith('--')) throw new Error(`Unexpected argument ${arg}`);
		const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
		if (inline !== undefined) flags[name] = inline;
		else if (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) flags[name] = argv[++i];
		else flags[name] = true;
	}
	const known = ['port', 'sandbox-port', 'calls', 'n8n', 'no-build', 'no-live', 'keep', 'check', 'help'];
	const unknown = Object.keys(flags).filter((f) => !known.includes(f));
	if (unknown.length) throw new Error(`Unknown option --${unknown[0]}`);
	return flags;
}

const say = (line = '') => process.stdout.write(`${line}\n`);

/** The wanted port when it is free, else any free port. */
async function portOr(wanted: number): Promise<number> {
	const free = await new Promise<boolean>((done) => {
		const server = createServer();
		server.once('error', () => done(false));
		server.listen(wanted, '127.0.0.1', () => server.close(() => done(true)));
	});
	return free ? wanted : (await freePorts(1))[0];
}

interface HttpAnswer {
	status: number;
	body: string;
	cookies: string[];
}

function http(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> {
	return new Promise((resolvePromise, reject) => {
		const data = body === undefined ? undefined : JSON.stringify(body);
		const req = request(
			url,
			{
				method,
				headers: {
					...(data ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(data)) } : {}),
					...headers,
				},
				timeout: 30_000,
			},
			(res) => {
				let text = '';
				res.setEncoding('utf8');
				res.on('data', (chunk: string) => (text += chunk));
				res.on('end', () =>
					resolvePromise({
						status: res.statusCode ?? 0,
						body: text,
						cookies: ([] as string[]).concat(res.headers['set-cookie'] ?? []),
					}),
				);
			},
		);
		req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out`)));
		req.on('error', reject);
		if (data) req.write(data);
		req.end();
	});
}

function demoWorkflow(cred: CredentialRef): WorkflowJson {
	const wf = chain(DEMO_WORKFLOW_ID, 'Famulor demo: balance, usage and charges', [
		manualTrigger("When clicking 'Execute workflow'"),
		famulor('Balance', cred, { resource: 'account', operation: 'getBalance', options: { includeRunway: true } }),
		famulor(
			'Spend this month by campaign',
			cred,
			{
				resource: 'usage',
				operation: 'getSummary',
				period: 'thisMonth',
				groupBy: 'campaign',
				filters: {},
				options: {},
			},
			{ executeOnce: true },
		),
		famulor(
			'Calls today',
			cred,
			{
				resource: 'usage',
				operation: 'getCalls',
				period: 'today',
				returnAll: false,
				limit: 20,
				simplify: true,
				filters: {},
				options: {},
			},
			{ executeOnce: true },
		),
		famulor(
			'Rented numbers',
			cred,
			{ resource: 'phoneNumber', operation: 'getAll', defaultMonthlyFee: 3.99, options: {} },
			{ executeOnce: true },
		),
		famulor(
			'Charge summary last month',
			cred,
			{
				resource: 'chargeSummary',
				operation: 'generate',
				period: 'lastMonth',
				pricingMode: 'reported',
				defaultMonthlyFee: 3.99,
				clients: {
					client: [
						{
							name: 'Acme GmbH',
							matchBy: 'campaign',
							values: 'Black Friday Blitz, Q4 Lead Follow-up',
							markupPercent: 15,
						},
					],
				},
				outputs: { csv: true },
				options: {},
			},
			{ executeOnce: true },
		),
	]);
	return wf;
}

function liveWorkflow(cred: CredentialRef, budget: number): WorkflowJson {
	const trigger = {
		...famulor('Spend today reaches 50/80/100 % of budget', cred, {
			pollTimes: { item: [{ mode: 'everyMinute' }] },
			metric: 'spend',
			period: 'day',
			thresholdType: 'percentOfBudget',
			budget,
			thresholds: '50, 80, 100',
			groupBy: 'none',
			filters: {},
			options: {},
		}),
		type: TYPES.threshold,
	};
	return chain(LIVE_WORKFLOW_ID, 'Famulor demo: live spend alerts (published)', [
		trigger,
		noOp('Alert (swap for Slack or email)'),
	]);
}

async function main(): Promise<void> {
	const flags = parseArgs(process.argv.slice(2));
	if (flags.help) {
		process.stdout.write(HELP);
		return;
	}
	const check = flags.check === true;
	const procs = new ProcessTracker();
	let sandbox: Sandbox | undefined;
	let userRoot: string | undefined;
	let stopping = false;
	const stop = async (code: number) => {
		if (stopping) return;
		stopping = true;
		say('\nStopping n8n and the sandbox…');
		await procs.stopAll(15_000);
		await sandbox?.stop().catch(() => undefined);
		if (userRoot && !flags.keep) rmSync(userRoot, { recursive: true, force: true });
		else if (userRoot) say(`Kept the n8n user folder: ${userRoot}`);
		process.exit(code);
	};
	process.on('exit', () => procs.killAllNow());
	process.once('SIGINT', () => void stop(0));
	process.once('SIGTERM', () => void stop(0));

	try {
		const started = Date.now();
		say('Famulor Billing for n8n — demo');
		const version = n8nVersion(typeof flags.n8n === 'string' ? flags.n8n : undefined);
		const toolchain = await ensureToolchain(procs, (line) => say(`  ${line}`), 45 * 60_000, version);
		const toolchainMs = Date.now() - started;
		say(`  n8n ${toolchain.n8nVersion} on ${toolchain.node}`);

		userRoot = mkdtempSync(join(tmpdir(), 'famulor-demo-'));
		const port = await portOr(Number(flags.port ?? 5678));
		const sandboxPort = await portOr(Number(flags['sandbox-port'] ?? 5680));
		const [brokerPort, serverBroker] = await freePorts(2);
		const n8n = newInstance(procs, toolchain, userRoot, { port, brokerPort });
		say(flags['no-build'] ? '  packing dist/' : '  building and packing the package');
		const { pkg } = await installPackage(procs, n8n, REPO, userRoot, !flags['no-build']);
		say(`  installed ${pkg.name}@${pkg.version} into ${join(n8n.options.userFolder, '.n8n', 'nodes')}`);

		sandbox = await Sandbox.start({
			port: sandboxPort,
			clock: 'realtime',
			hostClock: false, // n8n runs in its own process
			now: new Date(Math.floor(Date.now() / 1000) * 1000).toISOString(),
			calls: Number(flags.calls ?? 6000),
			drainBalance: true,
		});
		say(
			`  Famulor sandbox on ${sandbox.url} (${sandbox.visibleCalls().length} calls; spike of "Black Friday Blitz" at ` +
				`${sandbox.options.spikeAt})`,
		);

		const cred: CredentialRef = { id: 'famulorDemoCred1', name: 'Famulor sandbox (demo)' };
		const mcpToken = randomBytes(16).toString('hex');
		say('  importing the credentials and workflows (n8n CLI)');
		await importSandboxCredentials(
			n8n,
			userRoot,
			[{ ref: cred, sandbox }],
			[{ ...MCP_TOKEN_CREDENTIAL, type: 'httpBearerAuth', data: { token: mcpToken } }],
		);

		const workflowDir = join(userRoot, 'workflows');
		const write = (wf: WorkflowJson) => writeWorkflows(workflowDir, [wf]);
		write(demoWorkflow(cred));
		const dayStart = DateTime.fromJSDate(sandbox.clock.now()).setZone('Europe/Berlin').startOf('day').toMillis();
		const todayCalls = sandbox.visibleCalls().filter((c) => Date.parse(c.created_at) >= dayStart);
		const todaySpend = todayCalls.reduce((sum, c) => sum + Number(c.total_cost), 0);
		const budget = Math.max(5, Math.ceil(todaySpend * 1.15));
		if (!flags['no-live']) write(liveWorkflow(cred, budget));
		const exampleNames: string[] = [];
		let mcp: { id: string; name: string; path: string } | undefined;
		exampleFiles(REPO).forEach((file, index) => {
			const example = readExample(REPO, file);
			const copy = withFamulorCredential(example, cred);
			copy.id = example.id ?? `famulorExample${String(index + 1).padStart(2, '0')}`;
			copy.active = false;
			exampleNames.push(copy.name);
			const trigger = copy.nodes.find((node) => node.type === '@n8n/n8n-nodes-langchain.mcpTrigger');
			if (file === MCP_EXAMPLE && trigger) {
				// Served right away: the MCP Server Trigger with the demo's bearer token.
				trigger.credentials = { httpBearerAuth: MCP_TOKEN_CREDENTIAL };
				mcp = { id: copy.id, name: copy.name, path: String(trigger.parameters.path) };
			}
			write(copy);
		});
		await n8n.importWorkflow(workflowDir, true);
		if (!flags['no-live']) await n8n.publish(LIVE_WORKFLOW_ID);
		if (mcp) await n8n.publish(mcp.id);

		say('  running the demo workflow once (n8n execute)');
		const run = await n8n.execute(DEMO_WORKFLOW_ID);
		if (!run.ok) throw new Error(`the demo workflow failed: ${run.error}`);
		const [balance] = nodeItems(run.run, 'Balance');
		const campaigns = nodeItems(run.run, 'Spend this month by campaign');
		const [charges] = nodeItems(run.run, 'Charge summary last month');

		say('  starting n8n');
		const server = n8n.startProcess('start', { N8N_RUNNERS_BROKER_PORT: String(serverBroker) });
		await n8n.waitReady(server.tracked, 180_000);
		const browserId = randomBytes(8).toString('hex');
		const setup = await http('POST', `${n8n.url}/rest/owner/setup`, OWNER, { 'browser-id': browserId });
		if (setup.status !== 200) throw new Error(`owner setup answered ${setup.status}: ${setup.body.slice(0, 300)}`);
		void server.tracked.exited.then(() => {
			if (!stopping) {
				say(`n8n exited unexpectedly; its log: ${server.logFile}`);
				void stop(1);
			}
		});

		const spendThisMonth = campaigns.reduce((sum, item) => sum + Number(item.totalCost ?? 0), 0);
		say('');
		say('──────────────────────────────────────────────────────────────────────────');
		say(` n8n with Famulor Billing is running:  ${n8n.url}`);
		say(`   log in as  ${OWNER.email}  /  ${OWNER.password}`);
		say('');
		say(' What to click:');
		say('   1. Overview → "Famulor demo: balance, usage and charges" → "Execute workflow".');
		say('      Click each node to see its output (balance and runway, spend per campaign,');
		say("      today's calls, rented numbers, last month's charge summary with a CSV).");
		say('   2. "Famulor demo: live spend alerts (published)" polls every minute; calls keep');
		say(`      arriving in the sandbox, so today's spend crosses 100 % of ${budget} EUR soon → Executions.`);
		say('   3. The example workflows are imported too (Slack/email/Sheets need your credentials):');
		for (const name of exampleNames) say(`        - ${name}`);
		say('   4. Credentials → "Famulor sandbox (demo)" is pre-filled (key and sandbox URL).');
		const mcpUrl = mcp ? `${n8n.url}/mcp/${mcp.path}` : undefined;
		if (mcp && mcpUrl) {
			say(`   5. "${mcp.name}" is published. Connect an MCP client (Streamable HTTP):`);
			say(`        URL     ${mcpUrl}`);
			say(`        header  Authorization: Bearer ${mcpToken}`);
			say('      and ask it about the sandbox account (balance, usage, expensive calls, charges, rentals).');
		}
		say('');
		say(
			` First run, done from the CLI: balance ${Number(balance?.balance ?? 0).toFixed(2)} EUR, this month ` +
				`${spendThisMonth.toFixed(2)} EUR`,
		);
		say(`   over ${campaigns.length} campaign groups, last month charged ${charges?.charges?.total} EUR.`);
		say(` Sandbox ${sandbox.url}  key ${sandbox.apiKey}   n8n log ${server.logFile}`);
		say(
			` Ready in ${duration(Date.now() - started)} (Node 24 and n8n ${toolchain.n8nVersion}: ${duration(toolchainMs)}).`,
		);
		say(' Press Ctrl-C to stop.');
		say('──────────────────────────────────────────────────────────────────────────');

		if (check) {
			const login = await http(
				'POST',
				`${n8n.url}/rest/login`,
				{ emailOrLdapLoginId: OWNER.email, password: OWNER.password },
				{ 'browser-id': browserId },
			);
			if (login.status !== 200) throw new Error(`login answered ${login.status}: ${login.body.slice(0, 200)}`);
			const cookie = login.cookies.map((c) => c.split(';')[0]).join('; ');
			const list = await http('GET', `${n8n.url}/rest/workflows`, undefined, { cookie, 'browser-id': browserId });
			if (list.status !== 200 || !list.body.includes(DEMO_WORKFLOW_ID))
				throw new Error(`GET /rest/workflows answered ${list.status} without the demo workflow`);
			const editor = await http('GET', `${n8n.url}/`);
			if (editor.status !== 200 || !/<html/i.test(editor.body))
				throw new Error(`the editor page answered ${editor.status}`);
			const types = await http('GET', `${n8n.url}/types/nodes.json`, undefined, { cookie, 'browser-id': browserId });
			if (!types.body.includes('n8n-nodes-famulor-billing.famulorBilling'))
				throw new Error('the editor does not list the Famulor Billing node type');
			if (!mcpUrl) throw new Error(`examples/${MCP_EXAMPLE} was not imported`);
			const client = await connectMcp(mcpUrl, mcpToken, 'famulor-billing-demo-check');
			try {
				const { tools } = await client.listTools();
				if (tools.length !== 5) throw new Error(`the MCP server lists ${tools.map((t) => t.name).join(', ')}`);
				const [account] = toolAnswer(await client.callTool({ name: 'Balance_and_runway', arguments: {} })) as Array<{
					balance?: number;
				}>;
				if (typeof account?.balance !== 'number') throw new Error('Balance_and_runway answered no balance');
			} finally {
				await client.close();
			}
			say(
				'CHECK OK: editor up, owner login works, demo workflow listed, node types served, demo run succeeded, ' +
					'MCP server lists its 5 tools and answers the balance',
			);
			await stop(0);
		}
	} catch (error) {
		process.stderr.write(`\ndemo failed: ${(error as Error).message}\n`);
		await stop(1);
	}
}

void main();
