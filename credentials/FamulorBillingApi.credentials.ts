import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class FamulorBillingApi implements ICredentialType {
	name = 'famulorBillingApi';

	displayName = 'Famulor Billing API';

	icon: Icon = { light: 'file:famulor.svg', dark: 'file:famulor.dark.svg' };

	documentationUrl = 'https://github.com/famulor-billing/n8n-nodes-famulor-billing/blob/main/docs/nodes/credential.md';

	properties: INodeProperties[] = [
		{
			displayName:
				'This credential is for Famulor Classic (app.famulor.de). Famulor Platform 2.0 accounts ' +
				'(app.famulor.io, keys that start with fam_) are not supported.',
			name: 'generationNotice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description:
				'Create a key in the Famulor Classic dashboard under API Keys (https://app.famulor.de/api-keys). A ' +
				'Famulor Platform 2.0 key (starts with fam_) does not work here.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://app.famulor.de/api',
			description:
				'The Famulor Classic API address. Change it only for a white-label Classic host or the local sandbox. ' +
				'Must start with https:// unless the host is this machine (localhost). Famulor Platform 2.0 addresses ' +
				'(app.famulor.io) are not supported.',
		},
		{
			displayName: 'Currency',
			name: 'currency',
			type: 'string',
			default: 'EUR',
			placeholder: 'EUR',
			description:
				'ISO 4217 code of the currency your Famulor account is billed in. The API never states it, so every ' +
				'money value of the Famulor nodes carries this code.',
		},
		{
			displayName: 'Billing Cycle Day',
			name: 'billingCycleDay',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 31, numberPrecision: 0 },
			default: 1,
			description:
				'Day of the month your plan renews. In months shorter than this day the cycle renews on the last day of the month.',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiKey}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			// Like the nodes: https, or plain http only to this machine, and no user:password@, ?query or
			// #fragment. Any other address becomes one that cannot resolve (its name says why), so the key
			// never crosses a network unencrypted; and a redirect is not followed, so the key is never sent
			// to another host.
			baseURL:
				'={{ /^(?!.*[@?#])(https:\\/\\/|http:\\/\\/(localhost|127(\\.\\d{1,3}){3}|\\[::1\\])(:\\d+)?(\\/|$))/i' +
				'.test($credentials.baseUrl.trim()) ' +
				'? $credentials.baseUrl.trim().replace(/(?<!\\/)\\/+$/, "") : ' +
				'"https://refused-base-url-use-https-and-no-user-query-or-fragment.invalid" }}',
			url: '/user/me',
			method: 'GET',
			disableFollowRedirect: true,
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					// n8n's Test button maps a status to one fixed message, whatever the key: the likely cause
					// first; the rarer Platform 2.0 key (which the nodes name exactly) last.
					message:
						'Famulor rejected the API key (401): it is wrong or was revoked. Create a new key at ' +
						'https://app.famulor.de/api-keys and paste it here. (A key that starts with fam_ is for Famulor ' +
						'Platform 2.0, which these nodes cannot read.)',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message:
						'Famulor refused access (403): your plan or key does not include API access. Check the API ' +
						'settings of your Famulor account.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message:
						'Nothing answers at this Base URL (404). Use https://app.famulor.de/api (no trailing path) or ' +
						'your white-label Famulor Classic API address; Famulor Platform 2.0 addresses (app.famulor.io, ' +
						'…/api/v1) are not supported: these nodes read Famulor Classic.',
				},
			},
		],
	};
}
