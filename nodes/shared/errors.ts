/**
 * Translation of the core's errors into n8n's typed errors, with the fix in the description and,
 * where the running n8n understands it, a `failure` hint (rate-limited, credential-invalid, …) that
 * its scheduler uses to back off. Raw transport errors are never passed on: they can carry the
 * request headers, and so the API key.
 */
import { NodeApiError, NodeOperationError, type INode, type JsonObject } from 'n8n-workflow';
import { FamulorApiError, InvalidParameterError, type FamulorErrorKind } from '../../src/errors';

type FailureHint =
	| { cause: 'rate-limited' | 'temporarily-unavailable'; retryAfterMs?: number }
	| { cause: 'credential-invalid' | 'configuration-invalid' };

function failureOf(kind: FamulorErrorKind, retryAfterMs?: number): FailureHint | undefined {
	switch (kind) {
		case 'rateLimited':
			return { cause: 'rate-limited', ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
		case 'server':
		case 'network':
		case 'timeout':
		case 'incomplete':
			return { cause: 'temporarily-unavailable' };
		case 'auth':
		case 'forbidden':
		case 'unsupportedPlatform':
			return { cause: 'credential-invalid' };
		case 'notFound':
		case 'insecureUrl':
			return { cause: 'configuration-invalid' };
		default:
			return undefined;
	}
}

export function toNodeError(node: INode, error: unknown, itemIndex?: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	if (error instanceof FamulorApiError) {
		const failure = failureOf(error.kind, error.retryAfterMs);
		const response: JsonObject = { message: error.message };
		if (error.status !== undefined) response.httpCode = String(error.status);
		const nodeError = new NodeApiError(node, response, {
			message: error.message,
			description: error.fix,
			httpCode: error.status !== undefined ? String(error.status) : undefined,
			itemIndex,
			...(failure ? { failure } : {}),
		});
		// Older n8n ignores the option; the plain data property is harmless there.
		if (failure && !(nodeError as { failure?: unknown }).failure) {
			(nodeError as { failure?: unknown }).failure = failure;
		}
		return nodeError;
	}
	if (error instanceof InvalidParameterError) {
		return new NodeOperationError(node, `Parameter "${error.parameter}": ${error.message}`, {
			description: error.fix,
			itemIndex,
		});
	}
	const message = error instanceof Error ? error.message : String(error);
	return new NodeOperationError(node, message, { itemIndex });
}
