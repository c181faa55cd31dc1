import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';
import { createClient } from '../../shared/transport';
import { toNodeError } from '../../shared/errors';

export async function searchAssistants(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	try {
		const { client } = await createClient(this, { maxRetryMs: 15_000 });
		const needle = (filter ?? '').toLowerCase();
		const results = (await client.getAssistants())
			.filter((assistant) => !needle || assistant.name.toLowerCase().includes(needle))
			.sort((a, b) => a.name.localeCompare(b.name))
			.map((assistant) => ({ name: assistant.name, value: String(assistant.id) }));
		return { results };
	} catch (error) {
		throw toNodeError(this.getNode(), error);
	}
}
