/** The CredentialsHelper n8n-core expects (mirrors packages/cli/src/credentials-helper.ts for what we use). */
import type {
	ICredentialDataDecryptedObject,
	ICredentials,
	IDataObject,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeProperties,
	INodeTypes,
	IRequestOptionsSimplified,
	IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { ICredentialsHelper, Workflow } from 'n8n-workflow';
import {
	credentialMap,
	credentialTypes,
	CREDENTIAL_REF,
	makeNodeTypes,
	type AnyNodeType,
	type CredentialData,
} from './nodeTypes';

export function withDefaults(type: string, data: IDataObject): ICredentialDataDecryptedObject {
	const credentialType = credentialTypes[type];
	const out: ICredentialDataDecryptedObject = {};
	for (const prop of credentialType?.properties ?? []) {
		if (prop.default !== undefined) out[prop.name] = prop.default as never;
	}
	for (const [k, v] of Object.entries(data)) {
		if (v !== undefined) out[k] = v as never;
	}
	return out;
}

export class TestCredentialsHelper extends ICredentialsHelper {
	/** Every request options object after `authenticate` ran (what went out). */
	readonly authenticatedRequests: IHttpRequestOptions[] = [];

	constructor(
		private readonly data: Record<string, IDataObject>,
		private readonly nodeTypesForResolution: INodeTypes,
	) {
		super();
	}

	getParentTypes(name: string): string[] {
		const parents: string[] = [];
		let current = credentialTypes[name];
		while (current?.extends?.length) {
			parents.push(...current.extends);
			current = credentialTypes[current.extends[0]];
		}
		return parents;
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		incomingRequestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const requestOptions = incomingRequestOptions as IHttpRequestOptions;
		const credentialType = credentialTypes[typeName];
		if (!credentialType) throw new Error(`engine harness: unknown credential type "${typeName}"`);
		const { authenticate } = credentialType;
		if (typeof authenticate === 'function') {
			const result = await authenticate(credentials, requestOptions);
			this.authenticatedRequests.push(result);
			return result;
		}
		if (typeof authenticate === 'object' && authenticate.type === 'generic') {
			requestOptions.headers ??= {};
			const target = requestOptions as unknown as Record<string, Record<string, unknown>>;
			for (const [outerKey, outerValue] of Object.entries(authenticate.properties)) {
				for (const [key, value] of Object.entries(outerValue as Record<string, string>)) {
					const keyResolved = this.resolveValue(key, credentials, workflow, node);
					const valueResolved = this.resolveValue(value, credentials, workflow, node);
					target[outerKey] ??= {};
					target[outerKey][keyResolved] = valueResolved;
				}
			}
		}
		this.authenticatedRequests.push(requestOptions);
		return requestOptions;
	}

	/** Same as cli's CredentialsHelper.resolveValue: `={{...}}` against { $credentials }. */
	private resolveValue(
		value: string,
		credentials: ICredentialDataDecryptedObject,
		workflow?: Workflow,
		node?: INode,
	): string {
		if (typeof value !== 'string' || value.charAt(0) !== '=') return value;
		const wf =
			workflow ?? new Workflow({ nodes: [], connections: {}, active: false, nodeTypes: this.nodeTypesForResolution });
		const n = node ?? ({ name: 'credential', type: 'credential', typeVersion: 1, parameters: {} } as unknown as INode);
		const resolved = wf.expression.getSimpleParameterValue(
			n,
			value,
			'internal',
			{ $credentials: credentials },
			undefined,
			'',
		);
		if (!resolved) return '';
		return resolved.toString();
	}

	async preAuthentication(): Promise<ICredentialDataDecryptedObject | undefined> {
		// Our credential type has no expirable property, so cli's helper returns undefined as well.
		return undefined;
	}

	async runPreAuthentication(): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	async getCredentials(): Promise<ICredentials> {
		throw new Error('engine harness: getCredentials (encrypted) is not supported');
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		const data = this.data[type];
		if (data === undefined || (nodeCredentials?.id ?? null) !== CREDENTIAL_REF.id) {
			throw new Error(`engine harness: no credentials of type "${type}" with id "${String(nodeCredentials?.id)}"`);
		}
		// A fresh object per call: httpRequestWithAuthentication Object.assign()s into it.
		return withDefaults(type, JSON.parse(JSON.stringify(data)) as IDataObject);
	}

	async updateCredentials(): Promise<void> {}

	async updateCredentialsOauthTokenData(): Promise<void> {}

	getCredentialsProperties(type: string): INodeProperties[] {
		return credentialTypes[type]?.properties ?? [];
	}
}

/** For tests that need to call the helper directly (e.g. credential resolution). */
export function createCredentialsHelper(credentials?: CredentialData, nodeTypes: AnyNodeType[] = []) {
	return new TestCredentialsHelper(credentialMap(credentials), makeNodeTypes(nodeTypes));
}
