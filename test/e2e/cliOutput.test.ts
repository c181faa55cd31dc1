/**
 * The e2e runner and the demo read n8n's `execute --rawOutput` and npm's `pack --json` from stdout,
 * where log lines land around (and, from another writer, between the lines of) the JSON. These are
 * the interleavings seen in CI and the ones that can follow from the same race.
 */
import { findJson } from './lib/cliOutput';
import { parseRawOutput } from './lib/n8n';

const RUNNER = 'Registered runner "JS Task Runner" (Ab3dE9fGh1JkLm2NoPqR)';
const BEFORE = ['Starting execution of workflow e2eCharges000001', 'Browser setup: not configured'];

/**
 * An execution as n8n saves it, with the awkward parts of real ones (HTML, CSV, braces in strings, empty
 * containers).
 */
function execution(): Record<string, unknown> {
	return {
		data: {
			startData: {},
			resultData: {
				runData: {
					Charges: [
						{
							startTime: 1764856800000,
							executionTime: 412,
							executionStatus: 'success',
							data: {
								main: [
									[
										{
											json: {
												charges: { total: 25.02, markup: 0, lines: [] },
												text: '*Charges* {lastMonth}\nline two: "quoted" [x]',
												html: '<table style="width:100%"><tr><td>{}</td></tr></table>',
												ratio: -1.5e-7,
												empty: {},
												unicode: 'Müller – 10 €',
												nothing: null,
												ok: true,
											},
											binary: { data: { mimeType: 'text/csv', data: 'a2luZCxhbW91bnQKY2FsbHMsMTIuMDA=' } },
										},
									],
								],
							},
						},
					],
				},
				lastNodeExecuted: 'Charges',
			},
		},
		status: 'success',
	};
}

const pretty = () => JSON.stringify(execution(), null, 2);

describe('parseRawOutput (n8n execute --rawOutput)', () => {
	it('reads the execution when the runner registers after it (the CI failure)', () => {
		expect(parseRawOutput(`${BEFORE.join('\n')}\n${pretty()}\n${RUNNER}\n`)).toEqual(execution());
	});

	it('reads the execution when the runner registers before it (an idle machine)', () => {
		expect(parseRawOutput(`${RUNNER}\n${pretty()}\n`)).toEqual(execution());
	});

	it('reads the execution with log lines between its lines', () => {
		const lines = pretty().split('\n');
		const mixed = [
			...lines.slice(0, 7),
			RUNNER,
			...lines.slice(7, 20),
			'Pruning old insights data',
			...lines.slice(20),
		];
		expect(parseRawOutput(`${BEFORE[0]}\n${mixed.join('\n')}\n${RUNNER}\n`)).toEqual(execution());
	});

	it('passes over an indented stack trace between the lines', () => {
		const lines = pretty().split('\n');
		const trace = [
			'Error: connect ECONNREFUSED 127.0.0.1:5679',
			'    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1611:16)',
		];
		const mixed = [...lines.slice(0, 12), ...trace, ...lines.slice(12)];
		expect(parseRawOutput(mixed.join('\n'))).toEqual(execution());
	});

	it('skips a log line that starts with "{" and reads the execution after it', () => {
		const log = '{"level":"info","message":"Task broker ready"}';
		expect(parseRawOutput(`${log}\n${pretty()}\n${RUNNER}`)).toEqual(execution());
	});

	it('reads compact JSON on one line and CRLF line ends', () => {
		expect(parseRawOutput(`${RUNNER}\r\n${JSON.stringify(execution())}\r\n`)).toEqual(execution());
		expect(parseRawOutput(`${RUNNER}\r\n${pretty().replace(/\n/g, '\r\n')}\r\n${RUNNER}\r\n`)).toEqual(execution());
	});

	it('finds nothing in output without an execution, or with one cut short', () => {
		expect(parseRawOutput(`${BEFORE.join('\n')}\n${RUNNER}\n`)).toBeUndefined();
		const cut = pretty().split('\n');
		expect(parseRawOutput(cut.slice(0, cut.length - 5).join('\n'))).toBeUndefined();
		expect(parseRawOutput('{"data": {"resultData": 1}}')).toBeUndefined();
	});
});

describe('findJson (npm pack --json)', () => {
	const isList = (value: unknown): value is Array<{ filename: string }> =>
		Array.isArray(value) && typeof value[0]?.filename === 'string';
	const list = [
		{ name: 'n8n-nodes-famulor-billing', version: '0.1.0', filename: 'n8n-nodes-famulor-billing-0.1.0.tgz', files: [] },
	];

	it('reads the file list after lifecycle output and before a notice', () => {
		const stdout =
			`\n> n8n-nodes-famulor-billing@0.1.0 prepack\n> echo ` +
			`[ok]\n[ok]\n${JSON.stringify(list, null, 2)}\nnpm notice done\n`;
		expect(findJson(stdout, '[', isList)).toEqual(list);
	});
});
