/**
 * Reads n8n's sqlite database for the e2e runner. Runs under the Node 24 that runs n8n, with the
 * sqlite3 build and the flatted module of the cached n8n install (the runner itself may be Node 20,
 * whose ABI cannot load that sqlite3 build).
 *
 *   node db-query.cjs '{"n8nDir": "...", "db": ".../database.sqlite", "sql": "select ...",
 *     "params": [], "flatted": ["data"]}'
 *
 * Prints the rows as JSON; columns named in `flatted` are decoded from n8n's flatted format.
 */
'use strict';
const { createRequire } = require('node:module');
const path = require('node:path');

const request = JSON.parse(process.argv[2]);
const requireFromN8n = createRequire(path.join(request.n8nDir, 'node_modules', 'n8n', 'package.json'));
const sqlite3 = requireFromN8n('sqlite3');
const flatted = requireFromN8n('flatted');

const db = new sqlite3.Database(request.db, sqlite3.OPEN_READONLY, (openError) => {
	if (openError) {
		process.stderr.write(`${openError.message}\n`);
		process.exit(2);
	}
	db.configure('busyTimeout', 10000);
	db.all(request.sql, request.params || [], (error, rows) => {
		if (error) {
			process.stderr.write(`${error.message}\n`);
			process.exit(3);
		}
		for (const row of rows) {
			for (const column of request.flatted || []) {
				if (typeof row[column] === 'string') row[column] = flatted.parse(row[column]);
			}
		}
		process.stdout.write(JSON.stringify(rows));
		db.close();
	});
});
