/**
 * A scripted OpenAI-compatible chat model on 127.0.0.1 for the AI Agent scenario: no network, no real
 * model. `POST /v1/chat/completions` answers a conversation without a tool result with the tool calls
 * of the script (tool names and arguments from the script), and a conversation with tool results with
 * the sentence the script builds from those results. Streaming requests (`stream: true`) get the
 * same answers as server-sent chunks. Every request is kept for assertions.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatRequest {
	model?: string;
	stream?: boolean;
	messages: Array<{ role: string; content?: unknown; tool_calls?: unknown; tool_call_id?: string }>;
	tools?: Array<{ type: string; function: { name: string; description?: string; parameters?: any } }>;
}

export interface Script {
	/** The tools the first answer calls, with their arguments (the first is the one the answer is about). */
	calls: Array<{ tool: string; args: Record<string, unknown> }>;
	/** The final answer, from the tools' results (the texts of the tool messages, in the order of `calls`). */
	answer: (toolResults: string[]) => string;
}

export class ScriptedModel {
	readonly requests: ChatRequest[] = [];
	private server?: Server;

	constructor(private readonly script: Script) {}

	get url(): string {
		const port = (this.server?.address() as AddressInfo | null)?.port;
		return `http://127.0.0.1:${port}/v1`;
	}

	async start(port = 0): Promise<void> {
		this.server = createServer((req, res) => void this.handle(req, res));
		await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
	}

	async stop(): Promise<void> {
		await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		let body = '';
		for await (const chunk of req) body += String(chunk);
		if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
			res.writeHead(404, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ error: { message: `scripted model: no ${req.method} ${req.url}` } }));
			return;
		}
		let request: ChatRequest;
		try {
			request = JSON.parse(body) as ChatRequest;
		} catch {
			res.writeHead(400, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ error: { message: 'scripted model: the body is not JSON' } }));
			return;
		}
		this.requests.push(request);
		const results = request.messages.filter((message) => message.role === 'tool');
		const toolResult = results.length > 0;
		const byId = new Map(results.map((message) => [message.tool_call_id, textOf(message.content)]));
		const message = toolResult
			? {
					role: 'assistant',
					content: this.script.answer(this.script.calls.map((_, index) => byId.get(`call_${index + 1}`) ?? '')),
				}
			: {
					role: 'assistant',
					content: null,
					tool_calls: this.script.calls.map((call, index) => ({
						id: `call_${index + 1}`,
						type: 'function',
						function: { name: call.tool, arguments: JSON.stringify(call.args) },
					})),
				};
		const finish = toolResult ? 'stop' : 'tool_calls';
		const base = {
			id: `chatcmpl-${this.requests.length}`,
			created: Math.floor(Date.now() / 1000),
			model: request.model,
		};
		if (request.stream) {
			res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
			const delta = toolResult
				? { role: 'assistant', content: message.content }
				: {
						role: 'assistant',
						content: null,
						tool_calls: (message.tool_calls ?? []).map((call, index) => ({ index, ...call })),
					};
			const chunks = [
				{ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: null }] },
				{ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: finish }] },
			];
			for (const chunk of chunks) res.write(`data: ${JSON.stringify(chunk)}\n\n`);
			res.end('data: [DONE]\n\n');
			return;
		}
		res.writeHead(200, { 'content-type': 'application/json' });
		res.end(
			JSON.stringify({
				...base,
				object: 'chat.completion',
				choices: [{ index: 0, message, finish_reason: finish }],
				usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
			}),
		);
	}
}

/** The text of a message's content: a string, or the text parts of a content array. */
function textOf(content: unknown): string {
	if (typeof content === 'string') return content;
	if (Array.isArray(content))
		return content.map((part) => (typeof part === 'string' ? part : String(part?.text ?? ''))).join('');
	return JSON.stringify(content ?? '');
}

/** The first object (depth first) in a JSON text that has `key`, e.g. the summary row in a tool result. */
export function findWithKey(text: string, key: string): Record<string, any> | undefined {
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		return undefined;
	}
	const stack = [value];
	while (stack.length) {
		const next = stack.shift();
		if (typeof next === 'string') {
			const inner = findWithKey(next, key);
			if (inner) return inner;
		} else if (Array.isArray(next)) stack.push(...next);
		else if (next && typeof next === 'object') {
			if (key in next) return next as Record<string, any>;
			stack.push(...Object.values(next));
		}
	}
	return undefined;
}
