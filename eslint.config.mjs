// Shipped code (nodes/, credentials/, src/ and package.json) gets n8n's full community-node rule
// set, exactly as `n8n-node lint` applies it. Tests, the sandbox, benchmarks and scripts are plain
// Node programs (they may use http, process and timers): they get a Node config and never ship.
import { config as n8nConfig } from '@n8n/node-cli/eslint';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodePrograms = ['test/**', 'scripts/**', 'bench/**', 'gulpfile.js', 'jest.config.js', 'eslint.config.mjs'];

export default [
	{ ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.tmp/**'] },
	// Entries without `files` are global ignores; only entries that select files get the exclusion.
	...n8nConfig.map((entry) =>
		entry.files ? { ...entry, ignores: [...(entry.ignores ?? []), ...nodePrograms] } : entry,
	),
	...tseslint.configs.recommended.map((entry) => ({
		...entry,
		files: ['test/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts'],
	})),
	{
		files: nodePrograms,
		languageOptions: { globals: { ...globals.node, ...globals.jest } },
		rules: {
			'@typescript-eslint/no-explicit-any': 'off',
			'@typescript-eslint/no-require-imports': 'off',
		},
	},
];
