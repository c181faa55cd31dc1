/**
 * The AI examples in a real n8n (SPEC §16), run by test/e2e/run.ts while `n8n start` serves them:
 *
 * - examples/famulor-billing-mcp-server.json: an MCP client (the official MCP TypeScript SDK, Streamable
 *   HTTP) connects to the MCP Server Trigger with the bearer token, lists the tools (names, descriptions
 *   and input schemas asserted), calls Usage summary, Balance and runway and Charge summary per client,
 *   and gets the sandbox's figures — the same as the action node's for the same input (a reference
 *   workflow run with `n8n execute` before the server starts). A bad argument answers the error text;
 *   the next call is served.
 * - examples/billing-assistant-agent.json: the AI Agent with its chat model pointed at a scripted
 *   OpenAI-compatible server on 127.0.0.1 (lib/scriptedModel.ts): the first model answer calls Usage
 *   summary and Expensive calls with the model's arguments, the second builds a sentence from Usage
 *   summary's result; the chat answer carries the sandbox's figure, and Expensive calls, run by the
 *   agent as a node of the workflow (AI Agent 3.x), answered a list cut to 50 calls with its note.
 *
 * Both workflows are copies of the examples as shipped, bound to sandbox B's Famulor credential, a
 * Bearer Auth credential and an OpenAI credential whose Base URL is the scripted server; the chat trigger
 * of the copy is public (a production chat URL is public or not there). Expected figures come from the
 * sandbox's raw calls (test/helpers/truth.ts), never from src/.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { DateTime } from 'luxon';
import type { Sandbox } from '../sandbox/server';
import { costUnits, createdMs, lastMonthBounds, toNumber, totalsBy } from '../helpers/truth';
import { nodeItems, type N8n, type RawExecution } from './lib/n8n';
import { connectMcp, toolAnswer, type Client } from './lib/mcp';
import { findWithKey, ScriptedModel } from './lib/scriptedModel';
import { delay } from './lib/proc';
import { chain, famulor, manualTrigger, withFamulorCredential } from './lib/workflows';
import type { CredentialRef, WorkflowJson, WorkflowNode } from './lib/workflows';

export const MCP_EXAMPLE = 'famulor-billing-mcp-server.json';
export const AGENT_EXAMPLE = 'billing-assistant-agent.json';

const MCP_ID = 'e2eAiMcpServer01';
const AGENT_ID = 'e2eAiAgent000001';
const REFERENCE_ID = 'e2eAiReference01';
const BEARER: CredentialRef = { id: 'e2eMcpBearer0001', name: 'MCP bearer token (e2e)' };
const OPENAI: CredentialRef = { id: 'e2eScriptedModel', name: 'Scripted OpenAI-compatible model (e2e)' };
const TOOL_NAMES = [
	'Balance_and_runway',
	'Charge_summary_per_client',
	'Expensive_calls',
	'Rentals_audit',
	'Usage_summary',
];
/** The arguments of each tool and their JSON types, as the examples' `$fromAI()` calls declare them. */
const TOOL_ARGS: Record<string, Record<string, string>> = {
	Balance_and_runway: {},
	Usage_summary: { period: 'string', startDate: 'string', endDate: 'string', groupBy: 'string', direction: 'string' },
	Expensive_calls: { period: 'string', startDate: 'string', endDate: 'string', limit: 'number', minCost: 'number' },
	Charge_summary_per_client: { period: 'string', startDate: 'string', endDate: 'string', includeHtml: 'boolean' },
	Rentals_audit: { idleDays: 'number', renewingWithinDays: 'number' },
};
/** What the scripted model asks for, and so what the agent's answer must report. */
const MODEL_ARGS = { period: 'lastMonth', groupBy: 'none' };
/** More calls than a tool answer holds (50). */
const EXPENSIVE_ARGS = { period: 'last30Days', limit: 60 };
const QUESTION = 'What did we spend on Famulor calls last month?';

type Scenario = (name: string, body: () => Promise<void>) => Promise<boolean>;
type Json = Record<string, any>;

function check(condition: unknown, message: string): asserts condition {
	if (!condition) throw new Error(message);
}

function near(actual: unknown, expected: number, tolerance: number, what: string): void {
	check(
		typeof actual === 'number' && Math.abs(actual - expected) <= tolerance,
		`${what} is ${JSON.stringify(actual)}, expected ${expected} (±${tolerance})`,
	);
}

/** 1e-8 units rounded to cents (half away from zero), in currency units. */
function cents(units: bigint): number {
	const sign = units < 0n ? -1n : 1n;
	const abs = units < 0n ? -units : units;
	return Number(sign * ((abs + 500_000n) / 1_000_000n)) / 100;
}

export interface AiSetup {
	/** Credentials to import with the Famulor ones. */
	credentials: Array<{ id: string; name: string; type: string; data: Record<string, unknown> }>;
	/** Workflows to import: the two example copies and the action-node reference. */
	workflows: WorkflowJson[];
	/** Workflows to publish before `n8n start`. */
	publish: string[];
	model: ScriptedModel;
	token: string;
	mcpPath: string;
	chatWebhookId: string;
	timezone: string;
}

/** Starts the scripted model and builds the copies, credentials and reference workflow. */
export async function prepareAi(
	readExample: (file: string) => WorkflowJson,
	famulorCredential: CredentialRef,
): Promise<AiSetup> {
	const model = new ScriptedModel({
		calls: [
			{ tool: 'Usage_summary', args: MODEL_ARGS },
			{ tool: 'Expensive_calls', args: EXPENSIVE_ARGS },
		],
		answer: ([result]) => {
			const row = findWithKey(result, 'totalCost');
			if (!row) return `I could not read the tool's answer: ${result.slice(0, 200)}`;
			return (
				`In ${row.period?.label ?? 'that period'} you spent ${Number(row.totalCost).toFixed(2)} ${row.currency} ` +
				`on ${row.calls} calls.`
			);
		},
	});
	await model.start();
	const token = randomBytes(24).toString('hex');

	const mcp = withFamulorCredential(readExample(MCP_EXAMPLE), famulorCredential);
	mcp.id = MCP_ID;
	mcp.name = `${mcp.name} (e2e)`;
	mcp.active = false;
	const trigger = mcp.nodes.find((node) => node.type === '@n8n/n8n-nodes-langchain.mcpTrigger') as WorkflowNode;
	trigger.credentials = { httpBearerAuth: BEARER };

	const agent = withFamulorCredential(readExample(AGENT_EXAMPLE), famulorCredential);
	agent.id = AGENT_ID;
	agent.name = `${agent.name} (e2e)`;
	agent.active = false;
	const chat = agent.nodes.find((node) => node.type === '@n8n/n8n-nodes-langchain.chatTrigger') as WorkflowNode;
	chat.parameters = { ...chat.parameters, public: true };
	const chatModel = agent.nodes.find((node) => node.type === '@n8n/n8n-nodes-langchain.lmChatOpenAi') as WorkflowNode;
	chatModel.parameters = { ...chatModel.parameters, model: { __rl: true, mode: 'id', value: 'scripted-e2e' } };
	chatModel.credentials = { openAiApi: OPENAI };

	// The action node with the tools' parameters and the model's arguments in place of `$fromAI()`.
	const tools = new Map(mcp.nodes.map((node) => [node.name, node.parameters]));
	const charge = tools.get('Charge summary per client') as Json;
	const reference = chain(REFERENCE_ID, 'e2e AI reference (the action node for the tools inputs)', [
		manualTrigger(),
		famulor('Balance', famulorCredential, {
			resource: 'account',
			operation: 'getBalance',
			options: { includeRunway: true },
		}),
		famulor(
			'Summary',
			famulorCredential,
			{ resource: 'usage', operation: 'getSummary', ...MODEL_ARGS, filters: {}, options: {} },
			{ executeOnce: true },
		),
		famulor(
			'Charges',
			famulorCredential,
			{
				resource: 'chargeSummary',
				operation: 'generate',
				period: 'lastMonth',
				pricingMode: charge.pricingMode,
				defaultMonthlyFee: charge.defaultMonthlyFee,
				clients: charge.clients,
				options: {},
			},
			{ executeOnce: true },
		),
	]);
	reference.settings = { ...reference.settings, timezone: (mcp.settings as { timezone: string }).timezone };

	return {
		credentials: [
			{ ...BEARER, type: 'httpBearerAuth', data: { token } },
			{ ...OPENAI, type: 'openAiApi', data: { apiKey: 'not-a-key-scripted-model', url: model.url } },
		],
		workflows: [mcp, agent, reference],
		publish: [MCP_ID, AGENT_ID],
		model,
		token,
		mcpPath: String(trigger.parameters.path),
		chatWebhookId: String(chat.webhookId),
		timezone: (mcp.settings as { timezone: string }).timezone,
	};
}

export interface Reference {
	balance: Json;
	summary: Json;
	charges: Json;
	/** Wall-clock times (ms) just before and after the reference ran. */
	clock: number[];
}

/** Runs the reference workflow (the action node) with `n8n execute`, before `n8n start`. */
export async function runReference(n8n: N8n, scenario: Scenario): Promise<Reference | undefined> {
	let reference: Reference | undefined;
	await scenario('AI examples: the action node answers the tools inputs (reference run, n8n execute)', async () => {
		const before = Date.now();
		const result = await n8n.execute(REFERENCE_ID);
		check(result.ok, result.error ?? 'execution failed');
		const run = result.run as RawExecution;
		const [balance] = nodeItems(run, 'Balance');
		const [summary] = nodeItems(run, 'Summary');
		const [charges] = nodeItems(run, 'Charges');
		check(balance && summary && charges, 'the reference workflow returned no items');
		reference = { balance, summary, charges, clock: [before, Date.now()] };
	});
	return reference;
}

/** The figures of a usage summary row (groupBy none) of last month, from the sandbox's raw calls. */
function lastMonthTruth(sandbox: Sandbox, timezone: string, now: DateTime) {
	const { start, end } = lastMonthBounds(timezone, now);
	const all = totalsBy(
		sandbox.visibleCalls(),
		() => 'all',
		(call) => createdMs(call) >= start && createdMs(call) < end,
	).get('all');
	check(all && all.calls > 0, 'sandbox B has no calls last month');
	return { ...all, start, end };
}

/** One of the clock readings around a run, for which `checks` passes (a run may straddle a month end). */
function atEither(clock: number[], checks: (now: DateTime) => void): void {
	let first: unknown;
	for (const at of [...new Set(clock)]) {
		try {
			checks(DateTime.fromMillis(at));
			return;
		} catch (error) {
			first ??= error;
		}
	}
	throw first;
}

function checkSummary(row: Json, sandbox: Sandbox, timezone: string, now: DateTime, what: string): void {
	const truth = lastMonthTruth(sandbox, timezone, now);
	check(row.groupBy === 'none' && row.group === null, `${what}: ${JSON.stringify(row).slice(0, 200)}`);
	check(row.calls === truth.calls, `${what}: calls ${row.calls}, expected ${truth.calls}`);
	near(row.totalCost, toNumber(truth.totalCost), 1e-9, `${what}: totalCost`);
	near(row.carrierCost, toNumber(truth.carrierCost), 1e-9, `${what}: carrierCost`);
	near(row.billableMinutes, truth.billableSeconds / 60, 1e-4, `${what}: billableMinutes`);
	check(row.currency === 'EUR' && row.period?.timezone === timezone, `${what}: currency/period ${row.currency}`);
	check(
		row.period.start === DateTime.fromMillis(truth.start, { zone: timezone }).toISO({ suppressMilliseconds: true }),
		`${what}: period.start ${row.period.start}`,
	);
}

/** A tool's answer: the items (JSON) its text content holds. */
function answerOf(result: Json): Json[] {
	const value = toolAnswer(result);
	return Array.isArray(value) ? (value as Json[]) : [value as Json];
}

/** Without the fields that change between two runs a moment apart. */
function stable(item: Json): Json {
	const copy = { ...item };
	delete copy.checkedAt;
	delete copy.html;
	return copy;
}

/** The MCP and AI Agent scenarios, while `n8n start` runs (the two example copies are published). */
export async function runAiScenarios(
	n8n: N8n,
	sandbox: Sandbox,
	setup: AiSetup,
	reference: Reference | undefined,
	scenario: Scenario,
	info: (line: string) => void,
): Promise<void> {
	const mcpUrl = `${n8n.url}/mcp/${setup.mcpPath}`;
	let client: Client | undefined;
	const connected = await scenario(
		'MCP: the example MCP server refuses a client without the bearer token',
		async () => {
			// The workflow is activated while n8n starts; wait for its endpoint (bounded).
			const deadline = Date.now() + 60_000;
			let status = 0;
			while (Date.now() < deadline) {
				status = await post(mcpUrl, initializeBody(), {});
				if (status !== 404) break;
				await delay(1_000);
			}
			check(status === 401 || status === 403, `without a token the endpoint answered ${status}`);
			client = await connectMcp(mcpUrl, setup.token);
		},
	);
	if (!connected || !client) return;
	const mcp = client;
	info(`MCP client connected to ${mcpUrl}`);
	try {
		await scenario('MCP: lists the five Famulor tools with their descriptions and input schemas', async () => {
			const { tools } = await mcp.listTools();
			check(
				JSON.stringify(tools.map((t) => t.name).sort()) === JSON.stringify(TOOL_NAMES),
				`tools ${tools.map((t) => t.name).join(', ')}`,
			);
			for (const tool of tools) {
				check((tool.description ?? '').length > 150, `${tool.name}: description "${tool.description}"`);
				const schema = tool.inputSchema as { type: string; properties?: Json; required?: string[] };
				const properties = schema.properties ?? {};
				const expected = TOOL_ARGS[tool.name];
				check(
					schema.type === 'object' &&
						JSON.stringify(Object.keys(properties).sort()) === JSON.stringify(Object.keys(expected).sort()),
					`${tool.name}: arguments ${JSON.stringify(Object.keys(properties))}, expected ${Object.keys(expected)}`,
				);
				for (const [name, type] of Object.entries(expected)) {
					check(properties[name].type === type, `${tool.name}.${name}: type ${JSON.stringify(properties[name])}`);
					check(String(properties[name].description ?? '').length > 20, `${tool.name}.${name}: no description`);
				}
				// Each argument has a default, so a client may leave it out.
				check((schema.required ?? []).length === 0, `${tool.name}: required ${JSON.stringify(schema.required)}`);
			}
			const usage = tools.find((t) => t.name === 'Usage_summary');
			check(
				String((usage?.inputSchema.properties as Json).period.description).includes('lastMonth'),
				'Usage_summary.period does not name its values',
			);
		});

		await scenario('MCP: Usage_summary answers the sandbox figures, as the action node does', async () => {
			const before = Date.now();
			const result = await mcp.callTool({ name: 'Usage_summary', arguments: MODEL_ARGS });
			check(!result.isError, `isError: ${JSON.stringify(result).slice(0, 300)}`);
			const [row, ...rest] = answerOf(result);
			check(rest.length === 0, `${rest.length + 1} rows for groupBy none`);
			atEither([before, Date.now()], (now) => checkSummary(row, sandbox, setup.timezone, now, 'MCP'));
			check(reference, 'no reference run');
			check(
				JSON.stringify(row) === JSON.stringify(reference.summary),
				`MCP ${JSON.stringify(row)} differs from the action node ${JSON.stringify(reference.summary)}`,
			);
		});

		await scenario('MCP: Balance_and_runway answers the sandbox balance and runway', async () => {
			const result = await mcp.callTool({ name: 'Balance_and_runway', arguments: {} });
			check(!result.isError, `isError: ${JSON.stringify(result).slice(0, 300)}`);
			const [item] = answerOf(result);
			const me = sandbox.me();
			check(item.balance === me.total_balance && item.currency === 'EUR', `balance ${item.balance} ${item.currency}`);
			// The 7 full days (workflow timezone) before the day of the API clock.
			const day = DateTime.fromJSDate(sandbox.clock.now()).setZone(setup.timezone).startOf('day');
			const spent = totalsBy(
				sandbox.visibleCalls(),
				() => 'all',
				(call) => createdMs(call) >= day.minus({ days: 7 }).toMillis() && createdMs(call) < day.toMillis(),
			).get('all');
			const average = Number(spent?.totalCost ?? 0n) / 7 / 1e8;
			near(item.runway?.averageDailySpend, average, 1e-7, 'runway.averageDailySpend');
			check(reference, 'no reference run');
			check(
				JSON.stringify(stable(item)) === JSON.stringify(stable(reference.balance)),
				`MCP ${JSON.stringify(item)} differs from the action node ${JSON.stringify(reference.balance)}`,
			);
		});

		await scenario(
			'MCP: Charge_summary_per_client answers the charges per client to the cent, without HTML',
			async () => {
				const before = Date.now();
				const result = await mcp.callTool({ name: 'Charge_summary_per_client', arguments: { period: 'lastMonth' } });
				check(!result.isError, `isError: ${JSON.stringify(result).slice(0, 300)}`);
				const [summary] = answerOf(result);
				check(!('html' in summary), 'the answer holds the HTML report');
				atEither([before, Date.now()], (now) => {
					const truth = lastMonthTruth(sandbox, setup.timezone, now);
					check(summary.usage.calls === truth.calls, `usage.calls ${summary.usage.calls}, expected ${truth.calls}`);
					// The example's client rules, first match wins: Acme GmbH by campaign, Northwind Care by
					// assistant, the rest Unassigned. Each client's charges are rounded to the cent on their own.
					const acmeCampaigns = new Set(['Black Friday Blitz', 'Q4 Lead Follow-up']);
					const clients = totalsBy(
						sandbox.visibleCalls(),
						(call) =>
							acmeCampaigns.has(String(call.campaign_name))
								? 'Acme GmbH'
								: call.assistant_name === 'Support Bot'
									? 'Northwind Care'
									: 'Unassigned',
						(call) => createdMs(call) >= truth.start && createdMs(call) < truth.end,
					);
					const sum = (f: (t: { totalCost: bigint; carrierCost: bigint }) => number) =>
						Math.round([...clients.values()].reduce((a, t) => a + f(t), 0) * 100) / 100;
					near(
						summary.charges.carrier,
						sum((t) => cents(t.carrierCost)),
						1e-9,
						'charges.carrier',
					);
					near(
						summary.charges.platform,
						sum((t) => cents(t.totalCost - t.carrierCost)),
						1e-9,
						'charges.platform',
					);
					for (const name of ['Acme GmbH', 'Northwind Care']) {
						const row = (summary.byClient as Json[]).find((r) => r.client === name);
						check(row, `no ${name} in byClient ${JSON.stringify(summary.byClient).slice(0, 300)}`);
						const expected = clients.get(name)?.calls ?? 0;
						check(row.calls === expected, `${name}: calls ${row.calls}, expected ${expected}`);
					}
				});
				const lineCents = (summary.lines as Array<{ amount: number }>).reduce(
					(a, l) => a + Math.round(l.amount * 100),
					0,
				);
				near(summary.charges.total, lineCents / 100, 1e-9, 'charges.total vs the sum of lines');
				check(reference, 'no reference run');
				check(
					JSON.stringify(stable(summary)) === JSON.stringify(stable(reference.charges)),
					'the MCP answer differs from the action node (HTML aside)',
				);
			},
		);

		await scenario(
			'MCP: a bad argument answers the error text with the fix, and the server keeps serving',
			async () => {
				const result = await mcp.callTool({ name: 'Usage_summary', arguments: { period: 'fortnight' } });
				const text = JSON.stringify(result.content);
				check(result.isError === true, `isError is ${result.isError}: ${text.slice(0, 300)}`);
				check(text.includes('Unknown period \\"fortnight\\"'), `error text ${text.slice(0, 400)}`);
				check(
					text.includes('Valid values: ') && text.includes('lastMonth'),
					`no valid values in ${text.slice(0, 400)}`,
				);
				const again = await mcp.callTool({ name: 'Usage_summary', arguments: MODEL_ARGS });
				check(!again.isError && answerOf(again)[0].calls > 0, `the next call: ${JSON.stringify(again).slice(0, 300)}`);
			},
		);
	} finally {
		await mcp.close().catch(() => undefined);
	}

	await scenario(
		'AI Agent: the billing assistant calls the tools with the model arguments and answers the sandbox figure',
		async () => {
			const before = Date.now();
			const url = `${n8n.url}/webhook/${setup.chatWebhookId}/chat`;
			const answer = await postJson(url, { action: 'sendMessage', sessionId: 'e2e-session', chatInput: QUESTION });
			check(answer.status === 200, `chat answered ${answer.status}: ${answer.body.slice(0, 300)}`);
			const output = String((JSON.parse(answer.body) as Json).output ?? '');
			const requests = setup.model.requests;
			check(requests.length === 2, `the model got ${requests.length} requests`);
			const offered = (requests[0].tools ?? []).map((t) => t.function.name).sort();
			check(JSON.stringify(offered) === JSON.stringify(TOOL_NAMES), `tools offered to the model: ${offered}`);
			const usage = requests[0].tools?.find((t) => t.function.name === 'Usage_summary');
			check(
				Object.keys(usage?.function.parameters?.properties ?? {}).includes('groupBy'),
				`Usage_summary parameters ${JSON.stringify(usage?.function.parameters)}`,
			);
			check(
				requests[0].messages.some((m) => JSON.stringify(m.content ?? '').includes(QUESTION)),
				'the question did not reach the model',
			);
			atEither([before, Date.now()], (now) => {
				const truth = lastMonthTruth(sandbox, setup.timezone, now);
				const spent = (Math.round(toNumber(truth.totalCost) * 100) / 100).toFixed(2);
				check(
					output.includes(`you spent ${spent} EUR on ${truth.calls} calls`),
					`answer "${output}", expected ${spent} EUR on ${truth.calls} calls`,
				);
			});
			// The tool ran in n8n with the model's arguments.
			const [execution] = await n8n.query<{ id: number; status: string }>(
				'select id, status from execution_entity where workflowId = ? order by id desc limit 1',
				[AGENT_ID],
			);
			check(execution?.status === 'success', `agent execution ${JSON.stringify(execution)}`);
			const [row] = await n8n.query<{ data: any }>(
				'select data from execution_data where executionId = ?',
				[execution.id],
				['data'],
			);
			const runData = (row?.data?.resultData ?? row?.data?.data?.resultData)?.runData ?? {};
			const toolRun = runData['Usage summary']?.[0];
			const input = JSON.stringify(toolRun?.inputOverride ?? {});
			check(
				input.includes('"period":"lastMonth"') && input.includes('"groupBy":"none"'),
				`Usage summary ran with ${input.slice(0, 300)}`,
			);
			const costUnitsOut = findWithKey(JSON.stringify(toolRun?.data ?? {}), 'totalCost');
			check(costUnitsOut, `Usage summary output ${JSON.stringify(toolRun?.data).slice(0, 300)}`);
			check(costUnits(costUnitsOut.totalCost) > 0n, 'Usage summary answered no spend');
			// Run as a node of the workflow for the agent, Expensive calls still answered as a tool.
			const expensive = runData['Expensive calls']?.[0];
			const items = (expensive?.data?.ai_tool?.[0] ?? []) as Array<{ json: Json }>;
			check(
				JSON.stringify(expensive?.inputOverride ?? {}).includes('"limit":60'),
				`Expensive calls ran with ${JSON.stringify(expensive?.inputOverride).slice(0, 300)}`,
			);
			check(
				items.length === 51 && items[50].json.capped === true && items[50].json.returned === 50,
				`Expensive calls answered ${items.length} items, the last ${JSON.stringify(items.at(-1)?.json)}`,
			);
		},
	);
}

function initializeBody(): Json {
	return {
		jsonrpc: '2.0',
		id: 1,
		method: 'initialize',
		params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'no-token', version: '1' } },
	};
}

async function post(url: string, body: Json, headers: Record<string, string>): Promise<number> {
	return (await postJson(url, body, headers)).status;
}

function postJson(
	url: string,
	body: Json,
	headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
	return new Promise((resolve, reject) => {
		const data = JSON.stringify(body);
		const req = request(
			url,
			{
				method: 'POST',
				headers: {
					'content-type': 'application/json',
					accept: 'application/json, text/event-stream',
					'content-length': String(Buffer.byteLength(data)),
					...headers,
				},
				timeout: 120_000,
			},
			(res) => {
				let text = '';
				res.setEncoding('utf8');
				res.on('data', (chunk: string) => (text += chunk));
				res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
			},
		);
		req.on('timeout', () => req.destroy(new Error(`POST ${url} timed out`)));
		req.on('error', reject);
		req.end(data);
	});
}
