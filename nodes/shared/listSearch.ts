/** "From list" search for the assistant and campaign resource locators (every node of the package uses them). */
import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';
import type { FamulorClient } from '../../src/api/classic/client';
import { toNodeError } from './errors';
import { createClient } from './transport';

async function searchNamed(
	context: ILoadOptionsFunctions,
	filter: string | undefined,
	list: (client: FamulorClient) => Promise<Array<{ id: number; name: string }>>,
): Promise<INodeListSearchResult> {
	try {
		const { client } = await createClient(context, { maxRetryMs: 15_000 });
		const needle = (filter ?? '').toLowerCase();
		const results = (await list(client))
			.filter((entry) => !needle || entry.name.toLowerCase().includes(needle))
			.sort((a, b) => a.name.localeCompare(b.name))
			.map((entry) => ({ name: entry.name, value: String(entry.id) }));
		return { results };
	} catch (error) {
		throw toNodeError(context.getNode(), error);
	}
}

export async function searchAssistants(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	return await searchNamed(this, filter, async (client) => await client.assistants());
}

export async function searchCampaigns(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	return await searchNamed(this, filter, async (client) => await client.campaigns());
}
