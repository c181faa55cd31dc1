/** Node types, the test credential, and small helpers shared by the harness's parts. */
import type {
	ICredentialType,
	IDataObject,
	INode,
	INodeCredentialsDetails,
	INodeParameters,
	INodeType,
	INodeTypeDescription,
	INodeTypes,
	IVersionedNodeType,
} from 'n8n-workflow';
import { FamulorBillingApi } from '../../../credentials/FamulorBillingApi.credentials';

export interface CredentialData {
	apiKey: string;
	baseUrl: string;
	currency?: string;
	billingCycleDay?: number;
}

export type EngineError = Error & Record<string, any>;

export type AnyNodeType = INodeType | IVersionedNodeType;

export const PACKAGE_PREFIX = 'n8n-nodes-famulor-billing';
export const CREDENTIAL_TYPE = 'famulorBillingApi';
export const CREDENTIAL_REF: INodeCredentialsDetails = { id: '1', name: 'Famulor Billing (test)' };
export const START_NODE_NAME = 'Manual Start';

export const credentialTypes: Record<string, ICredentialType> = {
	[CREDENTIAL_TYPE]: new FamulorBillingApi(),
};

export function isVersioned(nodeType: AnyNodeType): nodeType is IVersionedNodeType {
	return 'nodeVersions' in nodeType;
}

function baseDescription(nodeType: AnyNodeType) {
	return nodeType.description;
}

/** The full description (for a versioned node type: of its default/latest version). */
export function fullDescription(nodeType: AnyNodeType): INodeTypeDescription {
	return isVersioned(nodeType) ? nodeType.getNodeType().description : nodeType.description;
}

export function latestVersion(nodeType: AnyNodeType): number {
	if (isVersioned(nodeType)) return nodeType.currentVersion;
	const v = nodeType.description.version;
	return Array.isArray(v) ? Math.max(...v) : v;
}

/** The node type string n8n would use for a node of this package. */
export function nodeTypeName(nodeType: AnyNodeType): string {
	return `${PACKAGE_PREFIX}.${baseDescription(nodeType).name}`;
}

export function makeNodeTypes(list: AnyNodeType[]): INodeTypes {
	const byName = new Map<string, AnyNodeType>();
	for (const t of list) byName.set(nodeTypeName(t), t);
	const lookup = (name: string) => {
		const t = byName.get(name);
		if (!t) throw new Error(`engine harness: unknown node type "${name}"`);
		return t;
	};
	return {
		getByName: (name) => lookup(name),
		getByNameAndVersion: (name, version) => {
			const t = lookup(name);
			return isVersioned(t) ? t.getNodeType(version) : t;
		},
		getKnownTypes: () => {
			const known: IDataObject = {};
			for (const [name, t] of byName) {
				known[name] = { className: t.constructor.name, sourcePath: '' };
			}
			return known;
		},
	};
}

export function credentialMap(credentials?: CredentialData): Record<string, IDataObject> {
	return credentials ? { [CREDENTIAL_TYPE]: { ...credentials } as IDataObject } : {};
}

export function nodeCredentials(nodeType: AnyNodeType, credentials?: CredentialData): INode['credentials'] {
	const wants = fullDescription(nodeType).credentials?.some((c) => c.name === CREDENTIAL_TYPE) ?? false;
	return credentials && wants ? { [CREDENTIAL_TYPE]: { ...CREDENTIAL_REF } } : undefined;
}

/** The Workflow constructor rewrites node parameters; never touch the caller's object. */
export function cloneParameters(p: INodeParameters): INodeParameters {
	return JSON.parse(JSON.stringify(p ?? {})) as INodeParameters;
}

export function toError(e: unknown): EngineError {
	return (e instanceof Error ? e : new Error(String(e))) as EngineError;
}
