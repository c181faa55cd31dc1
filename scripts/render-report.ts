/**
 * Renders a sample charge summary for the docs:
 *
 *   npx ts-node --transpile-only scripts/render-report.ts [--out docs] [--no-screenshot]
 *
 * Starts the sandbox (a fixed clock, so the output is reproducible), reads it over real HTTP with the
 * package's own Famulor client, builds an agency summary for the last billing cycle (cycle day 15,
 * Business plan, three clients, one with a markup and one whose name needs escaping), and writes
 * `<out>/charge-summary.html` (the account report) and `<out>/charge-summary-client.html` (the report
 * of one client, as a Send Email node would send it). When /usr/bin/chromium exists (Debian's
 * `chromium` package), it screenshots the account report, 900 px wide and as tall as the report, to
 * `<out>/charge-summary.png`.
 *
 * The same account once more in German with 19 % VAT and Northwind BV under reverse charge (SPEC §17):
 * `<out>/charge-summary-de.html`, the statement of Acme GmbH as the German example workflow emails it,
 * screenshot to `<out>/charge-summary-de.png`.
 * Prints the summary item (without `html`) as JSON for the README's worked example, and the German
 * account's net, VAT and gross per client.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import zlib from 'node:zlib';
import { FamulorClient } from '../src/api/classic/client';
import { type Transport } from '../src/api/classic/transport';
import { ChargeSummaryBuilder, parseClientRules, resolvePlan, summaryItem } from '../src/chargeSummary';
import { forEachCall } from '../src/list/period';
import { buildFeeTable, describePhoneNumbers } from '../src/numbers';
import { resolvePeriod } from '../src/periods';
import { Sandbox } from '../test/sandbox/server';

const CHROMIUM = '/usr/bin/chromium';
const NOW = '2026-11-26T12:00:00Z';
const TIMEZONE = 'Europe/Berlin';
const BILLING_CYCLE_DAY = 15;

/** The sample's node parameters, as they would be set on the Famulor Billing node. */
export const SAMPLE_PARAMETERS = {
	resource: 'chargeSummary',
	operation: 'generate',
	period: 'lastBillingCycle',
	pricingMode: 'plan',
	plan: 'business',
	defaultMonthlyFee: 3.99,
	monthlyFees: {
		fee: [
			{ country: 'DE', fee: 4.5 },
			{ country: 'GB', fee: 2.75 },
		],
	},
	clients: {
		client: [
			{ name: 'Acme GmbH', matchBy: 'assistant', values: 'Sales*', markupPercent: 10 },
			{ name: 'Müller & Söhne <Berlin>', matchBy: 'phoneNumber', values: '+4989555020202', markupPercent: 0 },
			{ name: 'Northwind BV', matchBy: 'assistant', values: 'Booking Agent', markupPercent: 15 },
		],
	},
	outputs: { onePerClient: false, csv: true },
	options: { timezone: TIMEZONE },
};

function fetchTransport(baseUrl: string, apiKey: string): Transport {
	return async (request) => {
		const url = new URL(baseUrl.replace(/\/+$/, '') + request.path);
		for (const [key, value] of Object.entries(request.query ?? {})) url.searchParams.set(key, String(value));
		const response = await fetch(url, {
			headers: { Authorization: `Bearer ${apiKey}`, Accept: 'application/json' },
			signal: AbortSignal.timeout(request.timeoutMs),
		});
		const text = await response.text();
		let body: unknown = text;
		try {
			body = JSON.parse(text);
		} catch {
			// Not JSON: the client classifies the raw text.
		}
		return { status: response.status, headers: Object.fromEntries(response.headers.entries()), body };
	};
}

/** Decodes an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium writes) into rows of pixels. */
function decodePng(file: string): { width: number; height: number; channels: number; pixels: Buffer } {
	const data = fs.readFileSync(file);
	let offset = 8;
	let width = 0;
	let height = 0;
	let channels = 0;
	const idat: Buffer[] = [];
	while (offset < data.length) {
		const length = data.readUInt32BE(offset);
		const type = data.toString('latin1', offset + 4, offset + 8);
		const body = data.subarray(offset + 8, offset + 8 + length);
		if (type === 'IHDR') {
			width = body.readUInt32BE(0);
			height = body.readUInt32BE(4);
			const [bitDepth, colorType, , , interlace] = body.subarray(8, 13);
			if (bitDepth !== 8 || (colorType !== 2 && colorType !== 6) || interlace !== 0)
				throw new Error(`unsupported PNG ${file}`);
			channels = colorType === 6 ? 4 : 3;
		} else if (type === 'IDAT') idat.push(body);
		offset += 12 + length;
	}
	const raw = zlib.inflateSync(Buffer.concat(idat));
	const stride = width * channels;
	const pixels = Buffer.alloc(stride * height);
	for (let y = 0; y < height; y++) {
		const filter = raw[y * (stride + 1)];
		const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
		for (let x = 0; x < stride; x++) {
			const a = x >= channels ? pixels[y * stride + x - channels] : 0;
			const b = y > 0 ? pixels[(y - 1) * stride + x] : 0;
			const c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0;
			let predictor = 0;
			if (filter === 1) predictor = a;
			else if (filter === 2) predictor = b;
			else if (filter === 3) predictor = (a + b) >> 1;
			else if (filter === 4) {
				const p = a + b - c;
				const pa = Math.abs(p - a);
				const pb = Math.abs(p - b);
				const pc = Math.abs(p - c);
				predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
			}
			pixels[y * stride + x] = (line[x] + predictor) & 0xff;
		}
	}
	return { width, height, channels, pixels };
}

/** Height of the content: the last row with a pixel that differs from the page background, plus a margin. */
function contentHeight(pngFile: string, margin = 24): number {
	const { width, height, channels, pixels } = decodePng(pngFile);
	const stride = width * channels;
	const background = pixels.subarray((height - 1) * stride, (height - 1) * stride + channels);
	for (let y = height - 1; y >= 0; y--) {
		for (let x = 0; x < width; x++) {
			const at = y * stride + x * channels;
			if (!pixels.subarray(at, at + channels).equals(background)) return Math.min(height, y + 1 + margin);
		}
	}
	return height;
}

/**
 * Screenshots the page at 900 px wide. Chromium's --screenshot captures the window only, so it first
 * renders into a tall window, measures where the report ends, and renders again at that height.
 */
function screenshotFullPage(htmlFile: string, pngFile: string, width = 900): boolean {
	if (!screenshot(htmlFile, pngFile, `${width},6000`)) return false;
	const height = Math.max(400, contentHeight(pngFile));
	return screenshot(htmlFile, pngFile, `${width},${height}`);
}

function screenshot(htmlFile: string, pngFile: string, size = '900,1400'): boolean {
	if (!fs.existsSync(CHROMIUM)) {
		process.stderr.write(`${CHROMIUM} not found (apt-get install -y chromium): skipping the screenshot\n`);
		return false;
	}
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'render-report-chromium-'));
	try {
		const result = spawnSync(
			CHROMIUM,
			[
				'--headless',
				'--no-sandbox',
				'--disable-gpu',
				'--disable-quic',
				'--no-first-run',
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync',
				'--hide-scrollbars',
				`--user-data-dir=${profile}`,
				`--screenshot=${pngFile}`,
				`--window-size=${size}`,
				pathToFileURL(htmlFile).href,
			],
			{ encoding: 'utf8', timeout: 120_000 },
		);
		if (result.status !== 0 || !fs.existsSync(pngFile)) {
			process.stderr.write(
				`chromium failed (status ${String(result.status)}): ${result.stderr || String(result.error ?? '')}\n`,
			);
			return false;
		}
		return true;
	} finally {
		fs.rmSync(profile, { recursive: true, force: true });
	}
}

async function main(): Promise<void> {
	const args = process.argv.slice(2);
	const outIndex = args.indexOf('--out');
	const outDir = path.resolve(outIndex >= 0 ? args[outIndex + 1] : path.join(__dirname, '..', 'docs'));
	fs.mkdirSync(outDir, { recursive: true });

	const sandbox = await Sandbox.start({ now: NOW, calls: 3000, days: 64, seed: 1 });
	try {
		const client = new FamulorClient({
			transport: fetchTransport(sandbox.url, sandbox.apiKey),
			sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
		});
		const period = resolvePeriod('lastBillingCycle', {
			now: Date.parse(NOW),
			timezone: TIMEZONE,
			billingCycleDay: BILLING_CYCLE_DAY,
		});
		const config = {
			period,
			currency: 'EUR',
			pricingMode: 'plan' as const,
			plan: resolvePlan(SAMPLE_PARAMETERS.plan),
			clients: parseClientRules(SAMPLE_PARAMETERS.clients.client),
			billingCycleDay: BILLING_CYCLE_DAY,
		};
		const builder = new ChargeSummaryBuilder(config);
		// German, 19 % VAT, Northwind BV (a Dutch business) under reverse charge.
		const germanRules = SAMPLE_PARAMETERS.clients.client.map((rule) =>
			rule.name === 'Northwind BV' ? { ...rule, reverseCharge: true } : rule,
		);
		const german = new ChargeSummaryBuilder({
			...config,
			clients: parseClientRules(germanRules),
			language: 'de',
			vatPercent: 19,
		});
		await forEachCall(client, { period, query: {}, filters: {} }, ({ call }) => {
			builder.add(call);
			german.add(call);
		});
		const fees = buildFeeTable(SAMPLE_PARAMETERS.defaultMonthlyFee, SAMPLE_PARAMETERS.monthlyFees.fee);
		const numbers = describePhoneNumbers(await client.phoneNumbers(), await client.assistants(), fees);
		const result = builder.finish(numbers);
		const germanResult = german.finish(numbers);

		const overall = summaryItem(result.overall);
		const htmlFile = path.join(outDir, 'charge-summary.html');
		fs.writeFileSync(htmlFile, overall.html);
		const acme = result.clients.find((summary) => summary.client === 'Acme GmbH');
		if (acme) fs.writeFileSync(path.join(outDir, 'charge-summary-client.html'), summaryItem(acme).html);
		process.stderr.write(`wrote ${htmlFile}\n`);

		const germanAcme = germanResult.clients.find((summary) => summary.client === 'Acme GmbH');
		const germanFile = path.join(outDir, 'charge-summary-de.html');
		if (germanAcme) fs.writeFileSync(germanFile, summaryItem(germanAcme).html);

		if (!args.includes('--no-screenshot')) {
			const pngFile = path.join(outDir, 'charge-summary.png');
			if (screenshotFullPage(htmlFile, pngFile)) process.stderr.write(`wrote ${pngFile}\n`);
			const germanPng = path.join(outDir, 'charge-summary-de.png');
			if (germanAcme && screenshotFullPage(germanFile, germanPng)) process.stderr.write(`wrote ${germanPng}\n`);
		}
		const rows = germanResult.overall.byClient.map(({ client: name, net, vat, gross, vatPercent }) => ({
			client: name,
			net,
			vatPercent,
			vat,
			gross,
		}));
		process.stderr.write(`German account: ${JSON.stringify({ charges: germanResult.overall.charges, rows })}\n`);
		const { html, ...rest } = overall;
		void html;
		process.stdout.write(`${JSON.stringify(rest, null, 2)}\n`);
	} finally {
		await sandbox.stop();
	}
}

main().catch((error: unknown) => {
	process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
	process.exitCode = 1;
});
