/**
 * An MCP client (the official MCP TypeScript SDK, Streamable HTTP) for n8n's MCP Server Trigger: the
 * e2e AI scenarios (test/e2e/ai.ts) and `npm run demo -- --check` use it.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

export type { Client };

/** Connects to `url` with the bearer `token`; the caller closes the client. */
export async function connectMcp(url: string, token: string, name = 'famulor-billing-e2e'): Promise<Client> {
	const client = new Client({ name, version: '1.0.0' });
	const transport = new StreamableHTTPClientTransport(new URL(url), {
		requestInit: { headers: { Authorization: `Bearer ${token}` } },
	});
	await client.connect(transport);
	return client;
}

/** The JSON a tool answered (the text content of its result). */
export function toolAnswer(result: Record<string, unknown>): unknown {
	const text = (result.content as Array<{ type: string; text?: string }> | undefined)?.find(
		(part) => part.type === 'text',
	)?.text;
	if (typeof text !== 'string') throw new Error(`no text content in ${JSON.stringify(result).slice(0, 300)}`);
	return JSON.parse(text) as unknown;
}
