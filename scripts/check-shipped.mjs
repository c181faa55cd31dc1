#!/usr/bin/env node
/**
 * `npm run check:shipped` — n8n's verification guideline "no environment variables or file-system
 * access" (and "no runtime dependencies"), checked on what actually ships: every .js file in dist/
 * (run `npm run build` first) may require only n8n-workflow, luxon, zod (provided by n8n at run
 * time), node:crypto and its own files, and may not touch `process` (environment, arguments, exit),
 * `globalThis`, `__dirname`/`__filename`, `eval` or `new Function`. package.json must have no
 * `dependencies` and ship only dist/. The n8n linter enforces the same on the TypeScript sources
 * (no-restricted-imports, no-restricted-globals); this is the check on the build output.
 *
 * Also checked on dist/, for the other verification points a linter does not see: every node that
 * package.json registers has its codex file (node name, codexVersion, categories, documentation
 * link) and its light and dark icon (two different SVG files), and the shipped text is English —
 * at least in the sense a machine can check: no letters outside ASCII (no umlauts or accents). The one
 * exception is the German message catalogue (src/i18n/de.ts): reports and messages a user asks for in
 * German (Options → Language, SPEC §17); the editor (parameters, descriptions, errors) stays English.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const dist = join(root, 'dist');
const ALLOWED = new Set(['n8n-workflow', 'luxon', 'zod', 'crypto', 'node:crypto']);
const FORBIDDEN = [
	[/\bprocess\s*[.[]/, 'process (environment variables, arguments, exit)'],
	[/\bglobalThis\b/, 'globalThis'],
	[/\b__dirname\b|\b__filename\b/, '__dirname / __filename (file-system paths)'],
	[/\beval\s*\(/, 'eval'],
	[/\bnew\s+Function\s*\(/, 'new Function'],
	[/\bimport\s*\(/, 'dynamic import()'],
];

const problems = [];
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
if (Object.keys(pkg.dependencies ?? {}).length) {
	problems.push(`package.json: runtime dependencies ${Object.keys(pkg.dependencies).join(', ')}`);
}
if (JSON.stringify(pkg.files) !== JSON.stringify(['dist'])) problems.push('package.json: "files" must be ["dist"]');
if (!existsSync(dist)) {
	console.error('check:shipped: dist/ is missing; run `npm run build` first');
	process.exit(1);
}

function jsFiles(dir) {
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const path = join(dir, entry.name);
		if (entry.isDirectory()) return jsFiles(path);
		return entry.name.endsWith('.js') ? [path] : [];
	});
}

/** The code without string literals, template literals and comments (so messages may say "process"). */
function codeOnly(text) {
	return text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`/g, '""');
}

const files = jsFiles(dist);
const required = new Set();
for (const file of files) {
	const text = readFileSync(file, 'utf8');
	const where = relative(root, file);
	for (const match of text.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)) {
		const target = match[1];
		if (target.startsWith('.')) continue;
		required.add(target);
		if (!ALLOWED.has(target)) problems.push(`${where}: requires "${target}" (only ${[...ALLOWED].join(', ')})`);
	}
	const code = codeOnly(text);
	for (const [pattern, what] of FORBIDDEN) {
		if (pattern.test(code)) problems.push(`${where}: uses ${what}`);
	}
}

// Codex files and icons of every registered node.
for (const nodePath of pkg.n8n?.nodes ?? []) {
	const base = join(root, nodePath.replace(/\.node\.js$/, ''));
	const name = nodePath
		.split('/')
		.pop()
		.replace(/\.node\.js$/, '');
	const codexPath = `${base}.node.json`;
	if (!existsSync(codexPath)) {
		problems.push(`${relative(root, codexPath)}: codex file missing`);
		continue;
	}
	const codex = JSON.parse(readFileSync(codexPath, 'utf8'));
	const expected = `${pkg.name}.${name.charAt(0).toLowerCase()}${name.slice(1)}`;
	const where = relative(root, codexPath);
	if (codex.node !== expected) problems.push(`${where}: "node" is ${codex.node}, expected ${expected}`);
	if (codex.codexVersion !== '1.0') problems.push(`${where}: codexVersion must be "1.0"`);
	if (!codex.categories?.length) problems.push(`${where}: no categories`);
	if (!codex.resources?.primaryDocumentation?.[0]?.url) problems.push(`${where}: no documentation link`);
	const dir = join(base, '..');
	const light = join(dir, 'famulor.svg');
	const dark = join(dir, 'famulor.dark.svg');
	if (!existsSync(light) || !existsSync(dark)) {
		problems.push(`${relative(root, dir)}: light and dark icons missing`);
	} else if (readFileSync(light, 'utf8') === readFileSync(dark, 'utf8')) {
		problems.push(`${relative(root, dir)}: the dark icon is the light one`);
	}
}

// English only (what a machine can check): no letters outside ASCII in the shipped code, except in the
// German catalogue of the Language option.
const GERMAN_CATALOGUE = join(dist, 'src', 'i18n', 'de.js');
for (const file of files) {
	if (file === GERMAN_CATALOGUE) continue;
	const text = readFileSync(file, 'utf8');
	const foreign = [...new Set(text.match(/[^\x00-\x7F]/gu) ?? [])].filter((ch) => /\p{L}/u.test(ch));
	if (foreign.length) problems.push(`${relative(root, file)}: letters outside English ${foreign.join(' ')}`);
}

if (problems.length) {
	console.error(`check:shipped: FAILED\n  ${problems.join('\n  ')}`);
	process.exit(1);
}
console.log(
	`check:shipped: ${files.length} files in dist/ require only ${[...required].sort().join(', ')} and their own ` +
		'files; no process, globalThis, __dirname, eval or new Function; no runtime dependencies; ships only dist/; ' +
		`${(pkg.n8n?.nodes ?? []).length} nodes with codex and light/dark icons; no letters outside ASCII`,
);
