/**
 * Takes docs/demo.png: the demo workflow after a successful run in the n8n editor, with headless
 * Chromium. Not part of the package, the tests or any npm script; nothing imports it.
 *
 * Needs a running `npm run demo` and `playwright-core` installed OUTSIDE the repo (the repo does not
 * depend on it), plus a Chromium binary:
 *
 *   mkdir -p "$PLAYWRIGHT_CORE_DIR" && cd "$PLAYWRIGHT_CORE_DIR"
 *   npm init -y && npm i playwright-core --ignore-scripts
 *   npm run demo -- --no-build            # in another terminal, wait for the URL
 *   PLAYWRIGHT_CORE_DIR=<that folder> node scripts/demo-screenshot.mjs \
 *     [--url http://127.0.0.1:5678] [--out docs/demo.png] [--chromium /usr/bin/chromium]
 *
 * It logs in as the demo owner, opens the demo workflow, clicks "Execute workflow", waits until every
 * node shows its success mark and saves a 1440x900 screenshot.
 */
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
const out = resolve(arg('out', fileURLToPath(new URL('../docs/demo.png', import.meta.url))));
const executablePath = arg('chromium', '/usr/bin/chromium');
const playwrightDir = resolve(process.env.PLAYWRIGHT_CORE_DIR ?? join(tmpdir(), 'famulor-demo-shot'));

const requireFrom = createRequire(join(playwrightDir, 'package.json'));
const { chromium } = requireFrom('playwright-core');

const browser = await chromium.launch({
	executablePath,
	args: [
		'--no-sandbox',
		'--disable-gpu',
		'--disable-quic',
		'--no-first-run',
		'--disable-background-networking',
		'--disable-component-update',
		'--disable-sync',
	],
});
try {
	const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
	await page.goto(`${url}/signin`);
	await page.fill('#emailOrLdapLoginId', 'demo@famulor-billing.dev');
	await page.fill('#password', 'Famulor-demo-1');
	await page.getByRole('button', { name: 'Sign in' }).click();
	await page.waitForURL((u) => !u.pathname.startsWith('/signin'), { timeout: 30_000 });

	await page.goto(`${url}/workflow/famulorDemo00001`);
	await page.waitForSelector('.vue-flow__node', { timeout: 60_000 });
	const nodes = await page.locator('.vue-flow__node').count();
	await page.locator('[data-test-id="execute-workflow-button"]').click();
	// Every node (trigger included) gets a green check when the run succeeds.
	await page.waitForFunction(
		(n) => document.querySelectorAll('[data-test-id="canvas-node-status-success"]').length >= n,
		nodes,
		{ timeout: 120_000 },
	);
	await page.waitForTimeout(1500);
	await page.screenshot({ path: out });
	console.log(`saved ${out} (${nodes} nodes succeeded)`);
} finally {
	await browser.close();
}
