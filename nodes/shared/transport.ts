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
import { FamulorClient } from '../../src/api/classic/client';
import { checkBaseUrl } from '../../src/api/classic/baseUrl';
import { type Transport } from '../../src/api/classic/transport';
import { ServerClock } from '../../src/clock';
import { decimalParameter } from '../../src/decimal';
import { InvalidParameterError } from '../../src/errors';
import { headerNumber } from '../../src/api/classic/pacing';
import { MAX_RESPONSE_BYTES, OversizedBody } from '../../src/api/classic/responseSize';
import { assertClassicCredential } from '../../src/api/classic/platform';
import type { RateLimits } from '../../src/api/classic/pacing';

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

/** A body n8n hands over as a stream (`encoding: 'stream'`): read with a size cap below. */
interface BodyStream extends AsyncIterable<Uint8Array | string> {
	destroy?: () => void;
}

const isStream = (body: unknown): body is BodyStream =>
	!!body && typeof (body as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function';

/** The reason a read was aborted, as the core classifies it (a timeout). */
class ReadAborted extends Error {
	constructor() {
		super('The answer did not arrive in time');
		this.name = 'TimeoutError';
	}
}

/**
 * The body as JSON (or its text when it is not JSON, '' when empty), read to at most `limit` bytes:
 * a longer body (by Content-Length, or by what arrives) stops being read and is an OversizedBody,
 * before anything is parsed (src/api/classic/responseSize.ts).
 */
export async function readBody(
	body: unknown,
	headers: Record<string, unknown>,
	signal?: AbortSignal,
	limit = MAX_RESPONSE_BYTES,
): Promise<unknown> {
	if (!isStream(body)) return body; // an n8n that parsed it already
	const announced = headerNumber(headers, 'content-length');
	if (announced !== undefined && announced > limit) {
		body.destroy?.();
		return new OversizedBody(announced, limit);
	}
	const chunks: Uint8Array[] = [];
	let size = 0;
	let failure: unknown;
	try {
		for await (const chunk of body) {
			const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
			size += bytes.length;
			if (size > limit) {
				body.destroy?.();
				return new OversizedBody(size, limit);
			}
			chunks.push(bytes);
		}
	} catch (error) {
		failure = error;
	}
	// The client classifies what a failed exchange throws (src/api/classic/errors.ts): past the deadline, a timeout.
	if (failure !== undefined) throw signal?.aborted ? new ReadAborted() : failure;
	const all = new Uint8Array(size);
	let offset = 0;
	for (const chunk of chunks) {
		all.set(chunk, offset);
		offset += chunk.length;
	}
	const text = new TextDecoder('utf-8').decode(all);
	if (text === '') return '';
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return text;
	}
}

/**
 * The core's Transport over n8n. Every HTTP status comes back as a response for the client to classify
 * (src/api/classic/errors.ts); redirects are not followed, since the credential's key would go along. The
 * body is streamed and read to at most MAX_RESPONSE_BYTES (10 MB) before it is parsed.
 */
export function n8nTransport(
	context: FamulorContext,
	baseUrl: string,
	onResponse?: (headers: Record<string, unknown>) => void,
): Transport {
	return async (request) => {
		const signal = AbortSignal.timeout(request.timeoutMs);
		const options: IHttpRequestOptions = {
			method: request.method,
			url: `${baseUrl}${request.path}`,
			qs: request.query,
			json: true,
			// The raw body, read here with a size cap before it is parsed (readBody).
			encoding: 'stream',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			disableFollowRedirect: true,
			// `timeout` only limits silence on the socket: a body trickling in byte by byte never trips
			// it. The abort signal is the hard deadline for the whole exchange.
			timeout: request.timeoutMs,
			abortSignal: signal,
		};
		const response = (await context.helpers.httpRequestWithAuthentication.call(
			context,
			CREDENTIAL_TYPE,
			options,
		)) as FullResponse;
		const headers = response.headers ?? {};
		onResponse?.(headers);
		return { status: response.statusCode, headers, body: await readBody(response.body, headers, signal) };
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
