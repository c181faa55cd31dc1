/**
 * The spike trigger driven through n8n-core's real PollContext against the sandbox while its clock
 * moves in 15-minute steps: a day of polls per scenario.
 */
import { FamulorSpikeTrigger } from '../../nodes/FamulorSpikeTrigger/FamulorSpikeTrigger.node';
import { Sandbox, type SandboxOptions } from '../sandbox/server';
import { createPollingWorkflow } from '../helpers/engine';
import { createdMs } from '../helpers/truth';

const TZ = 'Europe/Berlin';
const node = new FamulorSpikeTrigger();
const QUARTER = 15 * 60_000;

const spikeParameters = {
	metric: 'calls',
	window: 'hour',
	baselineDays: 7,
	seasonality: 'sameTimeOfDay',
	minIncreasePercent: 100,
	minAbsoluteIncrease: 25,
	groupBy: 'none',
	options: { timezone: TZ, settleMinutes: 5 },
};

type Json = Record<string, any>;

async function simulate(
	options: SandboxOptions,
	until: string,
	parameters: Json = spikeParameters,
	during?: (sandbox: Sandbox) => void,
) {
	const sandbox = await Sandbox.start(options);
	try {
		const workflow = createPollingWorkflow({
			node,
			parameters: parameters as never,
			credentials: { apiKey: sandbox.apiKey, baseUrl: sandbox.url },
			timezone: TZ,
		});
		const events: Json[] = [];
		let polls = 0;
		const end = Date.parse(until);
		while (sandbox.clock.nowMs() <= end) {
			during?.(sandbox);
			const outcome = await workflow.poll();
			expect(outcome.error).toBeUndefined();
			events.push(...((outcome.result?.[0] ?? []).map((item) => item.json) as Json[]));
			sandbox.clock.advance(QUARTER);
			polls++;
		}
		return { sandbox, workflow, events, polls };
	} catch (error) {
		await sandbox.stop();
		throw error;
	}
}

describe('spike trigger', () => {
	it('a campaign burst yields exactly one alert, naming that campaign first', async () => {
		const { sandbox, events, workflow } = await simulate(
			{ now: '2026-11-25T06:00:00Z', spikeAt: '2026-11-25T13:00:00Z', calls: 6000, days: 21, futureDays: 2 },
			'2026-11-26T06:00:00Z',
		);
		try {
			expect(events).toHaveLength(1);
			const [alert] = events;
			expect(alert.window).toEqual({ start: '2026-11-25T14:00:00+01:00', end: '2026-11-25T15:00:00+01:00' });
			expect(alert.eventId).toBe('spike:calls:all:2026-11-25T14:00:00+01:00');
			expect(alert.topContributors[0]).toMatchObject({ by: 'campaign', key: 'Black Friday Blitz' });
			expect(alert.topCalls.length).toBeGreaterThan(0);
			// The value is the number of calls the sandbox has in that hour.
			const start = Date.parse('2026-11-25T13:00:00Z');
			const inWindow = sandbox
				.visibleCalls()
				.filter((call) => createdMs(call) >= start && createdMs(call) < start + 3_600_000);
			expect(alert.value).toBe(inWindow.length);
			expect(alert.value).toBeGreaterThan(alert.baseline * 2);
			expect(alert.message).toMatch(
				/^Calls in the hour 25 Nov 14:00–15:00 was \d+ calls, .* top campaign: Black Friday Blitz/,
			);
			// Polling again at the same time: the window is never alerted twice.
			for (let i = 0; i < 3; i++) expect((await workflow.poll()).result).toBeNull();
		} finally {
			await sandbox.stop();
		}
	}, 120_000);

	it('Options → Language German: the alert in German, its machine fields as in English', async () => {
		const { sandbox, events } = await simulate(
			{ now: '2026-11-25T06:00:00Z', spikeAt: '2026-11-25T13:00:00Z', calls: 6000, days: 21, futureDays: 2 },
			'2026-11-25T15:00:00Z',
			{ ...spikeParameters, options: { ...spikeParameters.options, language: 'de' } },
		);
		await sandbox.stop();
		expect(events).toHaveLength(1);
		const [alert] = events;
		expect(alert.eventId).toBe('spike:calls:all:2026-11-25T14:00:00+01:00');
		expect(alert.window).toEqual({ start: '2026-11-25T14:00:00+01:00', end: '2026-11-25T15:00:00+01:00' });
		const calls = (count: number) => `${count} ${count === 1 ? 'Anruf' : 'Anrufe'}`;
		const ratio = (alert.value / alert.baseline).toFixed(1).replace('.', ',');
		expect(alert.message).toMatch(
			new RegExp(
				`^Anrufe im Zeitfenster 25\\.11\\. 14:00–15:00 \\(1 Stunde\\): ${calls(alert.value)}, ${ratio}× so viel ` +
					`wie üblich \\(${calls(alert.baseline)}\\) \\(Median von ${alert.baselineSamples} Zeitfenstern\\); ` +
					'größte Kampagne: Black Friday Blitz \\(\\d+ Anrufe\\)\\.$',
			),
		);
	}, 120_000);

	it('a quiet day yields no alert', async () => {
		const { sandbox, events, polls } = await simulate(
			{ now: '2026-11-20T06:00:00Z', spikeAt: '2026-11-12T13:00:00Z', calls: 6000, days: 21, futureDays: 2 },
			'2026-11-21T06:00:00Z',
		);
		await sandbox.stop();
		expect(polls).toBeGreaterThan(90);
		expect(events).toEqual([]);
	}, 120_000);

	it('warm-up: with less history than Min Baseline Samples, even the burst yields nothing', async () => {
		const { sandbox, events } = await simulate(
			{ now: '2026-11-25T06:00:00Z', spikeAt: '2026-11-25T13:00:00Z', calls: 600, days: 1, futureDays: 2 },
			'2026-11-25T20:00:00Z',
		);
		await sandbox.stop();
		expect(events).toEqual([]);
	}, 120_000);

	it('one alert per episode and group: a two-hour burst alerts once, a later burst again', async () => {
		const bursts = new Set<string>();
		const { sandbox, events } = await simulate(
			{ now: '2026-11-20T03:00:00Z', spikeAt: '2026-11-01T13:00:00Z', calls: 6000, days: 21, futureDays: 2 },
			'2026-11-20T16:00:00Z',
			{ ...spikeParameters, groupBy: 'assistant', minAbsoluteIncrease: 20 },
			(s) => {
				// Bursts of the Survey Caller: 09:00–11:00 UTC (two hours), then 13:00–14:00 UTC.
				for (const [from, to] of [
					['2026-11-20T09:00:00Z', '2026-11-20T11:00:00Z'],
					['2026-11-20T13:00:00Z', '2026-11-20T14:00:00Z'],
				]) {
					if (!bursts.has(from) && s.clock.nowMs() >= Date.parse(from)) {
						bursts.add(from);
						s.addCalls(from === '2026-11-20T09:00:00Z' ? 120 : 60, { from, to, assistant: 'Survey Caller' });
					}
				}
			},
		);
		await sandbox.stop();
		const survey = events.filter((e) => e.group === 'Survey Caller');
		expect(survey.map((e) => e.window.start)).toEqual(['2026-11-20T10:00:00+01:00', '2026-11-20T14:00:00+01:00']);
		expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
	}, 120_000);

	it('manual mode returns a sample of the latest window and leaves static data untouched', async () => {
		const { sandbox, workflow } = await simulate(
			{ now: '2026-11-25T06:00:00Z', spikeAt: '2026-11-12T13:00:00Z', calls: 3000, days: 10, futureDays: 1 },
			'2026-11-25T07:00:00Z',
		);
		try {
			const before = JSON.stringify(workflow.staticData());
			const outcome = await workflow.poll({ mode: 'manual' });
			expect(outcome.error).toBeUndefined();
			const sample = outcome.result![0][0].json as Json;
			expect(sample.sample).toBe(true);
			expect(sample.message).toMatch(/^Sample/);
			expect(JSON.stringify(workflow.staticData())).toBe(before);
		} finally {
			await sandbox.stop();
		}
	}, 120_000);
});
