/**
 * `npm run sandbox` — runs the Famulor Classic look-alike for a live n8n (or curl) until Ctrl-C.
 *
 *   npm run sandbox -- --calls 20000 --rate-limit --clock realtime
 */
import { Sandbox, type SandboxOptions } from '../test/sandbox/server';

const HELP = `Famulor Classic API sandbox

Usage: npm run sandbox -- [options]

  --port <n>            port to listen on (default 5680)
  --host <addr>         interface to listen on (default 127.0.0.1)
  --calls <n>           calls over the seeded past (default 3000; up to 1000000)
  --days <n>            days of seeded past (default 45)
  --seed <n>            seed of the deterministic account (default 1)
  --future-days <n>     days of calls after the start, revealed as the clock moves (default 3)
  --now <iso>           the clock's start (default: the current time)
  --clock <mode>        manual (clock stays at --now) or realtime (follows wall time, so new
                        calls keep arriving and settling; default manual)
  --sort <desc|asc>     order of GET /user/calls (default desc)
  --timestamps <style>  iso, naive or mixed (default iso)
  --tz <zone>           server timezone for date_from/date_to (default Europe/Berlin)
  --rate-limit          enforce Famulor's limits: 100 requests/min, 20 per 10 s
  --shuffle-ties        calls of one second come in a new order in every answer (as a database
                        serves ties under LIMIT/OFFSET; default: by id)
  --late-listing <s,m,M>  a share s (0–1) of the calls is listed m…M seconds after it started
                        (e.g. 0.1,60,10800: a tenth of the calls, a minute to three hours late)
  --drain-balance       total_balance drops as calls settle (default on with --clock realtime)
  --verbose             print one line per request
  --help                this text
`;

type Flags = Record<string, string | true>;

function parseFlags(argv: string[]): Flags {
	const flags: Flags = {};
	for (let k = 0; k < argv.length; k++) {
		const arg = argv[k];
		if (!arg.startsWith('--')) throw new Error(`Unexpected argument ${arg}`);
		const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
		if (inline !== undefined) flags[name] = inline;
		else if (argv[k + 1] !== undefined && !argv[k + 1].startsWith('--')) flags[name] = argv[++k];
		else flags[name] = true;
	}
	return flags;
}

function numberFlag(flags: Flags, name: string): number | undefined {
	const value = flags[name];
	if (value === undefined) return undefined;
	const n = Number(value);
	if (value === true || !Number.isFinite(n)) throw new Error(`--${name} needs a number`);
	return n;
}

function stringFlag(flags: Flags, name: string): string | undefined {
	const value = flags[name];
	if (value === true) throw new Error(`--${name} needs a value`);
	return value;
}

function lateListingFlag(flags: Flags): SandboxOptions['lateListing'] {
	const value = stringFlag(flags, 'late-listing');
	if (value === undefined) return undefined;
	const [share, minSeconds, maxSeconds] = value.split(',').map(Number);
	const valid = [share, minSeconds, maxSeconds].every((n) => n !== undefined && Number.isFinite(n));
	if (!valid || share! < 0 || share! > 1 || minSeconds! < 0 || maxSeconds! < minSeconds!) {
		throw new Error('--late-listing is share,minSeconds,maxSeconds (e.g. 0.1,60,10800)');
	}
	return { share: share!, minSeconds: minSeconds!, maxSeconds: maxSeconds! };
}

function optionsFrom(flags: Flags): SandboxOptions {
	const known = [
		'port',
		'host',
		'calls',
		'days',
		'future-days',
		'seed',
		'now',
		'clock',
		'sort',
		'timestamps',
		'tz',
		'rate-limit',
		'shuffle-ties',
		'late-listing',
		'drain-balance',
		'verbose',
		'help',
	];
	const unknown = Object.keys(flags).filter((f) => !known.includes(f));
	if (unknown.length > 0) throw new Error(`Unknown option --${unknown[0]}`);
	const clock = stringFlag(flags, 'clock') ?? 'manual';
	if (clock !== 'manual' && clock !== 'realtime') throw new Error('--clock is manual or realtime');
	const sort = stringFlag(flags, 'sort') ?? 'desc';
	if (sort !== 'desc' && sort !== 'asc') throw new Error('--sort is desc or asc');
	const timestamps = stringFlag(flags, 'timestamps') ?? 'iso';
	if (timestamps !== 'iso' && timestamps !== 'naive' && timestamps !== 'mixed')
		throw new Error('--timestamps is iso, naive or mixed');
	const now = stringFlag(flags, 'now') ?? new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
	return {
		port: numberFlag(flags, 'port') ?? 5680,
		host: stringFlag(flags, 'host'),
		calls: numberFlag(flags, 'calls'),
		days: numberFlag(flags, 'days'),
		futureDays: numberFlag(flags, 'future-days'),
		seed: numberFlag(flags, 'seed'),
		now,
		clock,
		sort,
		timestampStyle: timestamps,
		serverTimezone: stringFlag(flags, 'tz'),
		rateLimit: flags['rate-limit'] ? { perMinute: 100, perTenSeconds: 20 } : false,
		drainBalance: Boolean(flags['drain-balance']) || clock === 'realtime',
		shuffleTies: Boolean(flags['shuffle-ties']),
		lateListing: lateListingFlag(flags),
		hostClock: false, // n8n runs in its own process, on its own clock
	};
}

function listing(late: Sandbox['options']['lateListing']): string {
	if (!late) return 'at once';
	return `${late.share * 100} % of the calls ${late.minSeconds}–${late.maxSeconds} s late`;
}

function describe(sandbox: Sandbox): string {
	const o = sandbox.options;
	const visible = sandbox.visibleCalls().length;
	const total = sandbox.allCalls().length;
	const spikeEnd = new Date(Date.parse(o.spikeAt) + 3_600_000).toISOString().replace('.000Z', 'Z');
	return [
		'Famulor sandbox (Classic 1.0 look-alike) is running.',
		'',
		`  Base URL    ${sandbox.url}`,
		`  API key     ${sandbox.apiKey}`,
		`  Calls       ${visible.toLocaleString('en')} visible now, ${(total - visible).toLocaleString('en')} still to ` +
			`come (seed ${o.seed})`,
		`  Account     ${sandbox.assistants().length} assistants, ${sandbox.campaigns().length} campaigns, ` +
			`${sandbox.phoneNumbers().length} numbers (DE, NL, US, GB)`,
		`  Clock       ${sandbox.clock.now().toISOString()} (${o.clock})`,
		`  Spike       "Black Friday Blitz", ${o.spikeAt} – ${spikeEnd}`,
		`  Rate limit  ${o.rateLimit ? `${o.rateLimit.perMinute}/min, ${o.rateLimit.perTenSeconds} per 10 s` : 'off'}`,
		`  Ties        ${o.shuffleTies ? 'a new order in every answer' : 'by id'}`,
		`  Listing     ${listing(o.lateListing)}`,
		'',
		'In n8n: Credentials → Add credential → "Famulor Billing API", then enter',
		`  API Key     ${sandbox.apiKey}`,
		`  Base URL    ${sandbox.url}`,
		'  (plain http is accepted for loopback hosts only, so run n8n on this machine)',
		'',
		'Try: curl -H "Authorization: Bearer ' + sandbox.apiKey + '" ' + sandbox.url + '/user/me',
		'Press Ctrl-C to stop.',
	].join('\n');
}

async function main(): Promise<void> {
	const flags = parseFlags(process.argv.slice(2));
	if (flags.help) {
		process.stdout.write(HELP);
		return;
	}
	const sandbox = await Sandbox.start(optionsFrom(flags));
	process.stdout.write(`${describe(sandbox)}\n`);

	// The request log would grow without bound in a long run: print it (--verbose) and drop it.
	const drain = setInterval(() => {
		const entries = sandbox.requestLog.splice(0);
		if (!flags.verbose) return;
		for (const e of entries) {
			const query = new URLSearchParams(e.query).toString();
			const fault = e.fault ? ` [${e.fault}]` : '';
			process.stdout.write(
				`${new Date(e.at).toISOString()} ${e.method} ${e.path}${query ? `?${query}` : ''} → ${e.status} (${e.bytes} ` +
					`B)${fault}\n`,
			);
		}
	}, 500);

	const shutdown = () => {
		clearInterval(drain);
		process.stdout.write('\nStopping the sandbox.\n');
		sandbox.stop().then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.once('SIGINT', shutdown);
	process.once('SIGTERM', shutdown);
}

main().catch((error: Error) => {
	process.stderr.write(`${error.message}\n\n${HELP}`);
	process.exit(1);
});
