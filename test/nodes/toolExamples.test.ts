/**
 * The AI examples (examples/famulor-billing-mcp-server.json, examples/billing-assistant-agent.json):
 * each Famulor tool as shipped, run as a tool by n8n-core's real engine — the name, description and
 * arguments a model sees, and answers to a model's arguments that equal the sandbox's figures. The
 * real n8n with a real MCP client and AI Agent is the e2e suite's part (test/e2e/ai.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import { FamulorBilling } from '../../nodes/FamulorBilling/FamulorBilling.node';
import { Sandbox } from '../sandbox/server';
import { executeAsTool, type CredentialData } from '../helpers/engine';
import { createdMs, lastMonthBounds, totalsBy } from '../helpers/truth';

type Json = Record<string, any>;
interface ExampleNode {
	name: string;
	type: string;
	typeVersion: number;
	parameters: Json;
}
interface Example {
	name: string;
	nodes: ExampleNode[];
	connections: Record<string, Record<string, Array<Array<{ node: string; type: string }>>>>;
	settings: { timezone: string };
}

const read = (file: string) =>
	JSON.parse(fs.readFileSync(path.join(__dirname, '../../examples', file), 'utf8')) as Example;
const mcp = read('famulor-billing-mcp-server.json');
const agent = read('billing-assistant-agent.json');
const TOOL_TYPE = 'n8n-nodes-famulor-billing.famulorBillingTool';
const toolsOf = (example: Example) => example.nodes.filter((n) => n.type === TOOL_TYPE);

const PERIOD_ARGS = ['period', 'startDate', 'endDate'];
const EXPECTED: Record<string, { operation: string; args: string[] }> = {
	'Balance and runway': { operation: 'account/getBalance', args: [] },
	'Usage summary': { operation: 'usage/getSummary', args: [...PERIOD_ARGS, 'groupBy', 'direction'] },
	'Expensive calls': { operation: 'usage/getCalls', args: [...PERIOD_ARGS, 'limit', 'minCost'] },
	'Charge summary per client': { operation: 'chargeSummary/generate', args: [...PERIOD_ARGS, 'includeHtml'] },
	'Rentals audit': { operation: 'phoneNumber/audit', args: ['idleDays', 'renewingWithinDays'] },
};

let sandbox: Sandbox;
let credentials: CredentialData;
const node = new FamulorBilling();

beforeAll(async () => {
	sandbox = await Sandbox.start({ now: new Date().toISOString(), calls: 3000, days: 45 });
	credentials = { apiKey: sandbox.apiKey, baseUrl: sandbox.url, currency: 'EUR', billingCycleDay: 1 };
});

afterAll(async () => {
	await sandbox.stop();
});

const callTool = (tool: ExampleNode, args: Json) =>
	executeAsTool({
		node,
		parameters: tool.parameters,
		credentials,
		args,
		via: 'supplyData',
		nodeName: tool.name,
		timezone: mcp.settings.timezone,
	});

describe('examples/famulor-billing-mcp-server.json', () => {
	it('serves the five Famulor tools through an MCP Server Trigger with bearer auth', () => {
		const trigger = mcp.nodes.find((n) => n.type === '@n8n/n8n-nodes-langchain.mcpTrigger');
		expect(trigger?.parameters).toMatchObject({ authentication: 'bearerAuth', path: 'famulor-billing' });
		expect(toolsOf(mcp).map((n) => n.name)).toEqual(Object.keys(EXPECTED));
		for (const tool of toolsOf(mcp)) {
			expect(mcp.connections[tool.name]).toEqual({
				ai_tool: [[{ node: trigger!.name, type: 'ai_tool', index: 0 }]],
			});
			const { resource, operation } = tool.parameters;
			expect(`${resource}/${operation}`).toBe(EXPECTED[tool.name].operation);
		}
	});

	it.each(Object.keys(EXPECTED))('%s: its name, description and arguments as a model sees them', async (name) => {
		const tool = toolsOf(mcp).find((n) => n.name === name)!;
		const result = await callTool(tool, {});
		expect(result.error).toBeNull();
		expect(result.toolNames).toEqual([name.replace(/ /g, '_')]);
		expect(result.description).toBe(tool.parameters.toolDescription);
		expect(Object.keys(result.schema!)).toEqual(EXPECTED[name].args);
		// Every argument has a default, so a model may leave any of them out, and each says what it is.
		for (const [key, field] of Object.entries(result.schema!)) {
			expect({ key, optional: field.optional }).toEqual({ key, optional: true });
			expect(field.description.length).toBeGreaterThan(20);
		}
		if (EXPECTED[name].args.includes('period')) {
			expect(result.schema!.period.description).toContain(
				'today, yesterday, thisWeek, lastWeek, thisMonth, lastMonth, thisBillingCycle, lastBillingCycle, ' +
					'last7Days, last30Days, or custom',
			);
		}
	});

	it("Usage summary answers a model's arguments with the sandbox's figures", async () => {
		const tool = toolsOf(mcp).find((n) => n.name === 'Usage summary')!;
		const { answer, error } = await callTool(tool, { period: 'lastMonth', groupBy: 'campaign' });
		expect(error).toBeNull();
		const { start, end } = lastMonthBounds(mcp.settings.timezone);
		const truth = totalsBy(
			sandbox.visibleCalls(),
			(call) => call.campaign_name ?? '(no campaign)',
			(call) => createdMs(call) >= start && createdMs(call) < end,
		);
		expect(answer!.map((row) => row.group).sort()).toEqual([...truth.keys()].sort());
		for (const row of answer!) {
			expect(row.calls).toBe(truth.get(row.group)!.calls);
			expect(Math.round(row.totalCost * 1e8)).toBe(Number(truth.get(row.group)!.totalCost));
		}
	});

	it('Expensive calls answers the most expensive calls of a custom period', async () => {
		const tool = toolsOf(mcp).find((n) => n.name === 'Expensive calls')!;
		const day = DateTime.now().setZone(mcp.settings.timezone).startOf('day').minus({ days: 10 });
		const args = { period: 'custom', startDate: day.toISODate(), endDate: day.plus({ days: 3 }).toISODate(), limit: 3 };
		const { answer, error } = await callTool(tool, args);
		expect(error).toBeNull();
		const expected = sandbox
			.visibleCalls()
			.filter((call) => createdMs(call) >= day.toMillis() && createdMs(call) < day.plus({ days: 3 }).toMillis())
			.sort((a, b) => Number(b.total_cost) - Number(a.total_cost) || createdMs(b) - createdMs(a) || b.id - a.id);
		expect(answer!.slice(0, 3).map((call) => call.id)).toEqual(expected.slice(0, 3).map((call) => call.id));
		expect(answer![3]).toMatchObject({ capped: true, returned: 3, matched: expected.length });
	});

	it('Charge summary per client splits by the example rules and leaves out the HTML unless asked', async () => {
		const tool = toolsOf(mcp).find((n) => n.name === 'Charge summary per client')!;
		const plain = await callTool(tool, { period: 'lastMonth' });
		expect(plain.error).toBeNull();
		expect(plain.answer![0]).not.toHaveProperty('html');
		expect(plain.answer![0].byClient.map((row: Json) => row.client)).toEqual(
			expect.arrayContaining(['Acme GmbH', 'Northwind Care']),
		);
		const withHtml = await callTool(tool, { period: 'lastMonth', includeHtml: true });
		expect(String(withHtml.answer![0].html)).toContain('Acme GmbH');
	});

	it('Rentals audit and Balance and runway answer without arguments', async () => {
		const audit = await callTool(toolsOf(mcp).find((n) => n.name === 'Rentals audit')!, {});
		expect(audit.answer![0].rentedNumbers).toBe(
			sandbox.phoneNumbers().filter((n) => n.type === 'normal' && n.has_active_subscription).length,
		);
		const balance = await callTool(toolsOf(mcp).find((n) => n.name === 'Balance and runway')!, {});
		expect(balance.answer![0].balance).toBe(sandbox.me().total_balance);
		expect(balance.answer![0].runway.basedOnDays).toBe(7);
	});
});

describe('examples/billing-assistant-agent.json', () => {
	it('gives an AI Agent the same tools, a chat trigger and an OpenAI-compatible chat model', () => {
		const byName = (name: string) => agent.nodes.find((n) => n.name === name)!;
		expect(toolsOf(agent).map((n) => [n.name, n.parameters])).toEqual(toolsOf(mcp).map((n) => [n.name, n.parameters]));
		const agentNode = agent.nodes.find((n) => n.type === '@n8n/n8n-nodes-langchain.agent')!;
		for (const tool of toolsOf(agent)) {
			expect(agent.connections[tool.name]).toEqual({
				ai_tool: [[{ node: agentNode.name, type: 'ai_tool', index: 0 }]],
			});
		}
		const model = agent.nodes.find((n) => n.type === '@n8n/n8n-nodes-langchain.lmChatOpenAi')!;
		// Chat Completions, which every OpenAI-compatible server speaks (not OpenAI's Responses API).
		expect(model.parameters.responsesApiEnabled).toBe(false);
		expect(agent.connections[model.name]).toEqual({
			ai_languageModel: [[{ node: agentNode.name, type: 'ai_languageModel', index: 0 }]],
		});
		const chat = agent.nodes.find((n) => n.type === '@n8n/n8n-nodes-langchain.chatTrigger')!;
		expect(agent.connections[chat.name]).toEqual({ main: [[{ node: agentNode.name, type: 'main', index: 0 }]] });
		expect(byName('Billing assistant').parameters.options.systemMessage).toMatch(/Never guess a figure/);
	});
});
