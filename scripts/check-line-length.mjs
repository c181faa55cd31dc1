// Lines of code are at most 120 characters. Prettier keeps code within that width but cannot break
// long strings, comments or regular expressions; this check catches those. Run by `npm run format:check`.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const MAX = 120;
const files = execFileSync('git', ['ls-files', '*.ts', '*.js', '*.mjs', '*.cjs'], { encoding: 'utf8' })
	.split('\n')
	.filter(Boolean);
const long = [];
for (const file of files) {
	readFileSync(file, 'utf8')
		.split('\n')
		.forEach((line, index) => {
			const length = [...line].length;
			if (length > MAX) long.push(`${file}:${index + 1}: ${length} characters`);
		});
}
if (long.length > 0) {
	process.stderr.write(`Lines longer than ${MAX} characters (split the string or comment):\n${long.join('\n')}\n`);
	process.exit(1);
}
process.stdout.write(`${files.length} files, every line within ${MAX} characters\n`);
