/**
 * The one place where the nodes talk HTTP: a core `Transport` over n8n's
 * `httpRequestWithAuthentication` (the credential adds the Bearer header), and a client factory
 * that wires in n8n's `sleep`, the credential's settings and the poll budget.
 */
import {
	sleep,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type ILoadOptionsFunctions,
	type IPollFunctions,
} from 'n8n-workflow';
import { FamulorClient, checkBaseUrl, type Transport } from '../../src/client';
import { ServerClock } from '../../src/clock';
import { decimalParameter } from '../../src/decimal';
import { InvalidParameterError } from '../../src/errors';
import { assertClassicCredential } from '../../src/platform';
import type { RateLimits } from '../../src/pacing';

export type FamulorContext = IExecuteFunctions | IPollFunctions | ILoadOptionsFunctions;

export const CREDENTIAL_TYPE = 'famulorBillingApi';

export interface AccountSettings {
	baseUrl: string;
	currency: string;
	billingCycleDay: number;
}

/** Reads the non-secret settings of the credential (the key itself is applied by n8n). */
export async function accountSettings(context: FamulorContext): Promise<AccountSettings> {
	return (await readCredential(context)).settings;
}

/** The settings, and the key only to cut it out of response text (see ClientOptions.secret). */
async function readCredential(context: FamulorContext): Promise<{ settings: AccountSettings; secret: string }> {
	const credentials = await context.getCredentials(CREDENTIAL_TYPE);
	assertClassicCredential(credentials); // a Famulor Platform 2.0 key or address: say so, send nothing
	const currency =
		String(credentials.currency ?? 'EUR')
			.trim()
			.toUpperCase() || 'EUR';
	if (!/^[A-Z]{3}$/.test(currency)) {
		throw new InvalidParameterError(
			'currency',
			`Currency "${String(credentials.currency)}" is not a three-letter ISO 4217 code`,
			'Set Currency in the Famulor Billing API credential to the code your account is billed in, e.g. EUR or USD.',
		);
	}
	const secret = typeof credentials.apiKey === 'string' ? credentials.apiKey : '';
	return {
		settings: {
			baseUrl: checkBaseUrl(String(credentials.baseUrl ?? 'https://app.famulor.de/api'), secret),
			currency,
			billingCycleDay: decimalParameter(credentials.billingCycleDay ?? 1, 'billingCycleDay', 'Billing Cycle Day', '1'),
		},
		secret,
	};
}

/**
 * What httpRequestWithAuthentication resolves to with `returnFullResponse: true`. Header names are
 * lower-cased, as Node's http module delivers them: createClient reads the server's clock from `date`.
 */
interface FullResponse {
	statusCode: number;
	headers: Record<string, unknown>;
	body: unknown;
}

/**
 * The core's Transport over n8n. Every HTTP status comes back as a response for the client to classify
 * (src/clientErrors.ts); redirects are not followed, since the credential's key would go along.
 */
export function n8nTransport(
	context: FamulorContext,
	baseUrl: string,
	onResponse?: (headers: Record<string, unknown>) => void,
): Transport {
	return async (request) => {
		const options: IHttpRequestOptions = {
			method: request.method,
			url: `${baseUrl}${request.path}`,
			qs: request.query,
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			disableFollowRedirect: true,
			// `timeout` only limits silence on the socket: a body trickling in byte by byte never trips
			// it. The abort signal is the hard deadline for the whole exchange.
			timeout: request.timeoutMs,
			abortSignal: AbortSignal.timeout(request.timeoutMs),
		};
		const response = (await context.helpers.httpRequestWithAuthentication.call(
			context,
			CREDENTIAL_TYPE,
			options,
		)) as FullResponse;
		const headers = response.headers ?? {};
		onResponse?.(headers);
		return { status: response.statusCode, headers, body: response.body };
	};
}

export interface ClientSetup {
	client: FamulorClient;
	settings: AccountSettings;
	/**
	 * Server time from the latest believable Date header (epoch ms): undefined before the first response,
	 * and while every Date header seen lies more than MAX_CLOCK_SKEW_MS from the local clock.
	 */
	serverNow: () => number | undefined;
}

export async function createClient(
	context: FamulorContext,
	options: { deadline?: number; maxRetryMs?: number; pacingHistory?: number[]; limits?: RateLimits } = {},
): Promise<ClientSetup> {
	const { settings, secret } = await readCredential(context);
	// Famulor's clock, from the Date header of each answer, only while within 5 minutes of n8n's (src/clock.ts).
	const serverClock = new ServerClock(() => Date.now());
	const transport = n8nTransport(context, settings.baseUrl, (headers) => serverClock.observe(headers.date));
	const client = new FamulorClient({
		transport,
		sleep,
		deadline: options.deadline,
		maxRetryMs: options.maxRetryMs,
		pacingHistory: options.pacingHistory,
		limits: options.limits,
		secret,
	});
	return {
		client,
		settings,
		serverNow: () => serverClock.now(),
	};
}
