import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';
import { createClient } from '../../shared/transport';
import { toNodeError } from '../../shared/errors';

export async function searchCampaigns(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	try {
		const { client } = await createClient(this, { maxRetryMs: 15_000 });
		const needle = (filter ?? '').toLowerCase();
		const results = (await client.getCampaigns())
			.filter((campaign) => !needle || campaign.name.toLowerCase().includes(needle))
			.sort((a, b) => a.name.localeCompare(b.name))
			.map((campaign) => ({ name: campaign.name, value: String(campaign.id) }));
		return { results };
	} catch (error) {
		throw toNodeError(this.getNode(), error);
	}
}
