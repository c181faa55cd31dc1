/**
 * Takes docs/editor/*.png: what a user sees of the Famulor nodes in the n8n editor — the nodes panel
 * (search "Famulor", then Famulor Billing with its triggers and actions), the panel of each node, and a
 * canvas with the triggers' subtitles. Headless Chromium, driven like a user with the mouse and
 * keyboard. Not part of the package, the tests or any npm script; nothing imports it.
 *
 * Needs a running `npm run demo` (it imports the example workflows this script opens) and
 * `playwright-core` installed OUTSIDE the repo (the repo does not depend on it), plus a Chromium binary:
 *
 *   mkdir -p "$PLAYWRIGHT_CORE_DIR" && cd "$PLAYWRIGHT_CORE_DIR"
 *   npm init -y && npm i playwright-core --ignore-scripts
 *   npm run demo -- --no-live             # in another terminal, wait for the URL
 *   PLAYWRIGHT_CORE_DIR=<that folder> node scripts/editor-screenshots.mjs \
 *     [--url http://127.0.0.1:5678] [--out docs/editor] [--chromium /usr/bin/chromium]
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
	const i = args.indexOf(`--${name}`);
	return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const url = arg('url', 'http://127.0.0.1:5678').replace(/\/$/, '');
const out = resolve(arg('out', fileURLToPath(new URL('../docs/editor', import.meta.url))));
const executablePath = arg('chromium', '/usr/bin/chromium');
const playwrightDir = resolve(process.env.PLAYWRIGHT_CORE_DIR ?? join(tmpdir(), 'famulor-demo-shot'));
mkdirSync(out, { recursive: true });

const requireFrom = createRequire(join(playwrightDir, 'package.json'));
const { chromium } = requireFrom('playwright-core');

/** The example workflows the demo imports, and the Famulor node to open in each. */
const PANELS = [
	{
		file: 'famulor-billing.png',
		workflow: 'famulorClientStmtDe',
		node: 'Kostenübersicht pro Kunde',
		scrolled: 'famulor-billing-clients-vat.png',
	},
	{
		file: 'famulor-threshold-trigger.png',
		workflow: 'famulorClientBdg',
		node: 'Client spend reaches 60/80/100 % of budget',
		canvas: 'canvas-subtitles.png',
		scrolled: 'famulor-threshold-trigger-clients.png',
		sample: 'famulor-threshold-trigger-sample.png',
	},
	{ file: 'famulor-spike-trigger.png', workflow: 'famulorSpikeSlck', node: 'Spend spike' },
	{ file: 'famulor-call-trigger.png', workflow: 'famulorCallAlert', node: 'Call costing 5 or more' },
];

const testId = (id) => `[data-test-id="${id}"]`;
const saved = [];

async function shoot(page, file) {
	// Let transitions and fonts settle before the picture.
	await page.waitForTimeout(1200);
	await page.screenshot({ path: join(out, file) });
	saved.push(file);
}

const browser = await chromium.launch({
	executablePath,
	args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'],
});
try {
	const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
	await page.goto(`${url}/signin`);
	await page.fill('#emailOrLdapLoginId', 'demo@famulor-billing.dev');
	await page.fill('#password', 'Famulor-demo-1');
	await page.getByRole('button', { name: 'Sign in' }).click();
	await page.waitForURL((u) => !u.pathname.startsWith('/signin'), { timeout: 30_000 });

	// The nodes panel: search "Famulor", then open Famulor Billing — its triggers and actions together.
	await page.goto(`${url}/workflow/new`);
	await page.locator(testId('canvas-add-button')).click();
	await page.locator(testId('node-creator-search-bar')).waitFor();
	await page.keyboard.type('Famulor');
	await page
		.locator(testId('node-creator-item-name'), { hasText: /^Famulor Billing$/ })
		.first()
		.waitFor();
	await shoot(page, 'nodes-panel-search.png');
	await page
		.locator(testId('node-creator-item-name'), { hasText: /^Famulor Billing$/ })
		.first()
		.click();
	await page.getByText('On usage far above normal').waitFor();
	await shoot(page, 'nodes-panel-famulor-billing.png');

	// Picking a trigger there adds the Famulor Billing Trigger and opens its panel.
	await page.getByText('On spend, minutes, calls or balance crossing a threshold').click();
	await page.locator(testId('ndv')).waitFor({ timeout: 30_000 });
	await shoot(page, 'famulor-billing-trigger.png');

	// The panel of each node, in the example workflows the demo imported.
	for (const panel of PANELS) {
		await page.goto(`${url}/workflow/${panel.workflow}`);
		const node = page.locator(testId('canvas-node'), { hasText: panel.node }).first();
		await node.waitFor({ timeout: 60_000 });
		if (panel.canvas) await shoot(page, panel.canvas);
		await node.dblclick();
		await page.locator(testId('ndv')).waitFor({ timeout: 30_000 });
		await shoot(page, panel.file);
		if (panel.scrolled) {
			// Further down the parameters: the client rules.
			await page.mouse.move(720, 600);
			await page.mouse.wheel(0, 1400);
			await shoot(page, panel.scrolled);
		}
		if (panel.sample) {
			// "Fetch Test Event": the sample of what the trigger would emit now.
			await page.getByRole('button', { name: 'Fetch Test Event' }).first().click();
			await page.locator(testId('ndv')).getByText('1 item').first().waitFor({ timeout: 60_000 });
			await page.locator(testId('ndv')).getByText('JSON', { exact: true }).first().click();
			await page.mouse.move(300, 300);
			await shoot(page, panel.sample);
		}
	}
	console.log(`saved ${saved.map((file) => join(out, file)).join(', ')}`);
} finally {
	await browser.close();
}
