import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import type { ClientSetup } from '../../shared/transport';

/**
 * What an operation returns for one input item: plain JSON objects (and optional binary) — pairing is added by
 * the router.
 */
export interface OperationResult {
	json: IDataObject;
	binary?: Record<string, { data: string; mimeType: string; fileName: string; fileExtension?: string }>;
}

export type OperationExecute = (
	this: IExecuteFunctions,
	itemIndex: number,
	setup: ClientSetup,
) => Promise<OperationResult[]>;
