/**
 * The shape of the shipped core (issue 24): in `src/`, no function longer than 60 lines, no class longer
 * than 250, and no import cycle between files — read from the TypeScript syntax tree, so the rule holds
 * for every file added later.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.join(__dirname, '..', '..');
const SRC = path.join(ROOT, 'src');
const MAX_FUNCTION_LINES = 60;
const MAX_CLASS_LINES = 250;

function sourceFiles(dir: string): string[] {
	return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) return sourceFiles(full);
		return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
	});
}

const files = sourceFiles(SRC);
const parsed = files.map((file) =>
	ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true),
);

function linesOf(node: ts.Node, source: ts.SourceFile): number {
	const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
	const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
	return end - start + 1;
}

function nameOf(node: ts.Node, source: ts.SourceFile): string {
	const named = node as { name?: ts.Node };
	const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
	const where = `${path.relative(ROOT, source.fileName)}:${line}`;
	return named.name ? `${named.name.getText(source)} (${where})` : where;
}

function measure(kind: 'function' | 'class'): Array<{ name: string; lines: number }> {
	const found: Array<{ name: string; lines: number }> = [];
	for (const source of parsed) {
		const visit = (node: ts.Node) => {
			const isClass = ts.isClassDeclaration(node) || ts.isClassExpression(node);
			const isFunction = ts.isFunctionLike(node) && (node as ts.FunctionLikeDeclaration).body !== undefined;
			if ((kind === 'class' && isClass) || (kind === 'function' && isFunction)) {
				found.push({ name: nameOf(node, source), lines: linesOf(node, source) });
			}
			ts.forEachChild(node, visit);
		};
		visit(source);
	}
	return found;
}

function importsOf(source: ts.SourceFile): string[] {
	const targets: string[] = [];
	for (const statement of source.statements) {
		if (!ts.isImportDeclaration(statement) && !ts.isExportDeclaration(statement)) continue;
		const specifier = statement.moduleSpecifier;
		if (!specifier || !ts.isStringLiteral(specifier) || !specifier.text.startsWith('.')) continue;
		const base = path.resolve(path.dirname(source.fileName), specifier.text);
		const target = [`${base}.ts`, path.join(base, 'index.ts')].find((file) => fs.existsSync(file));
		if (target) targets.push(target);
	}
	return targets;
}

describe('the shape of src/', () => {
	it(`has no function over ${MAX_FUNCTION_LINES} lines`, () => {
		const functions = measure('function');
		expect(functions.length).toBeGreaterThan(100);
		expect(functions.filter((f) => f.lines > MAX_FUNCTION_LINES)).toEqual([]);
	});

	it(`has no class over ${MAX_CLASS_LINES} lines`, () => {
		const classes = measure('class');
		expect(classes.length).toBeGreaterThan(5);
		expect(classes.filter((c) => c.lines > MAX_CLASS_LINES)).toEqual([]);
	});

	it('has no import cycle', () => {
		const graph = new Map(parsed.map((source) => [source.fileName, importsOf(source)]));
		const cycles: string[] = [];
		const state = new Map<string, 'open' | 'done'>();
		const walk = (file: string, trail: string[]) => {
			if (state.get(file) === 'done') return;
			if (state.get(file) === 'open') {
				cycles.push([...trail.slice(trail.indexOf(file)), file].map((f) => path.relative(SRC, f)).join(' → '));
				return;
			}
			state.set(file, 'open');
			for (const next of graph.get(file) ?? []) walk(next, [...trail, file]);
			state.set(file, 'done');
		};
		for (const file of graph.keys()) walk(file, []);
		expect(cycles).toEqual([]);
	});
});
