/**
 * Client budgets for agencies (SPEC §11, issue 14): the Threshold and Spike Triggers grouped by client,
 * driven through n8n-core's real PollContext against the sandbox while its clock moves. Whose call it
 * was is decided here independently of src/ (clientOfRaw restates the rules below), and every value
 * and budget is computed from the sandbox's raw calls with BigInt (test/helpers/truth.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import type { INodeParameters } from 'n8n-workflow';
import { FamulorBilling } from '../../nodes/FamulorBilling/FamulorBilling.node';
import { FamulorSpikeTrigger } from '../../nodes/FamulorSpikeTrigger/FamulorSpikeTrigger.node';
import { FamulorThresholdTrigger } from '../../nodes/FamulorThresholdTrigger/FamulorThresholdTrigger.node';
import type { ThresholdState } from '../../src/triggers/threshold';
import {
	createPollingWorkflow,
	executeNode,
	type CredentialData,
	type PollOutcome,
	type PollingWorkflow,
} from '../helpers/engine';
import { periodValues } from '../helpers/stateViews';
import { costUnits, createdMs } from '../helpers/truth';
import { Sandbox, type RawCall } from '../sandbox/server';

const TZ = 'Europe/Berlin';
const threshold = new FamulorThresholdTrigger();
type Json = Record<string, any>;

let sandbox: Sandbox;
let credentials: CredentialData;

// ---------------------------------------------------------------------------------------------
// The clients, and the same rules evaluated independently
// ---------------------------------------------------------------------------------------------

/** How the test adds a call of each client (and of no client). */
const CALLS_OF: Record<string, Partial<RawCall>> = {
	'Acme GmbH': { assistant_name: 'Sales Assistant', type: 'outbound' },
	Northwind: { assistant_name: 'Support Bot', type: 'inbound' },
	Globex: { assistant_name: 'Booking Agent', type: 'inbound' },
	Unassigned: { assistant_name: 'Survey Caller', type: 'outbound' },
};

const digits = (phone: string) => (phone.trim().startsWith('+') ? '+' : '') + phone.replace(/\D/g, '');

/**
 * The rules of `rules()` restated: Sales* assistants are Acme, the Support Bot is Northwind, calls
 * through +31 20 555 0303 are Globex, campaigns starting with "Initech" are Initech (there are none).
 * The first that matches wins; web calls of the Booking Agent have no number, so they are Unassigned.
 */
function clientOfRaw(call: RawCall): string {
	const assistant = String(call.assistant_name ?? '')
		.trim()
		.toLowerCase();
	if (assistant.startsWith('sales')) return 'Acme GmbH';
	if (assistant === 'support bot') return 'Northwind';
	if (call.assistant_phone_number && digits(call.assistant_phone_number) === '+31205550303') return 'Globex';
	if (
		String(call.campaign_name ?? '')
			.trim()
			.toLowerCase()
			.startsWith('initech')
	)
		return 'Initech';
	return 'Unassigned';
}

function rules(budgets: Record<string, number>, markup: Record<string, number> = {}) {
	const rule = (name: string, matchBy: string, values: string) => ({
		name,
		matchBy,
		values,
		markupPercent: markup[name] ?? 0,
		...(budgets[name] !== undefined ? { budget: budgets[name] } : {}),
	});
	return {
		client: [
			rule('Acme GmbH', 'assistant', 'sales*'),
			rule('Northwind', 'assistant', 'Support Bot'),
			rule('Globex', 'phoneNumber', '+31 20 555 0303'),
			rule('Initech', 'campaign', 'Initech*'),
		],
	};
}

/** Spend (1e-8 units) per client in the calendar month (in TZ) of `at`. */
function monthSpend(at: number): Map<string, bigint> {
	const start = DateTime.fromMillis(at, { zone: TZ }).startOf('month');
	const [from, to] = [start.toMillis(), start.plus({ months: 1 }).toMillis()];
	const sums = new Map<string, bigint>();
	for (const call of sandbox.visibleCalls()) {
		const created = createdMs(call);
		if (created < from || created >= to) continue;
		const client = clientOfRaw(call);
		sums.set(client, (sums.get(client) ?? 0n) + costUnits(call.total_cost as string));
	}
	return sums;
}

const spendOf = (client: string) => monthSpend(sandbox.clock.nowMs()).get(client) ?? 0n;

/** A budget (whole cents) at which `units` is `share` of it. */
const budgetAt = (units: bigint, share: number) => Math.ceil(Number(units) / share / 1e6) / 100;

/** Adds settled calls of `client` worth `units` in total just before the clock's now, then moves the clock a minute. */
function addSpend(client: string, units: bigint, pieces = 4): void {
	const each = units / BigInt(pieces);
	for (let i = 0; i < pieces; i++) {
		const cost = i === pieces - 1 ? units - each * BigInt(pieces - 1) : each;
		sandbox.addCall({
			...CALLS_OF[client],
			created_at: new Date(sandbox.clock.nowMs() - (pieces - i) * 1000).toISOString().replace(/\.\d+Z$/, 'Z'),
			status: 'completed',
			duration: 90,
			total_cost: (Number(cost) / 1e8).toFixed(8),
			carrier_cost: '0.01000000',
		});
	}
	sandbox.clock.advance(60_000);
}

/** Raises the client's month spend to just past `share` of `budget` (by a cent). */
function raiseTo(client: string, budget: number, share: number): void {
	const target = BigInt(Math.round(budget * share * 100)) * 1_000_000n + 1_000_000n;
	const now = spendOf(client);
	if (target <= now) throw new Error(`${client} is already at ${now}, past ${target}`);
	addSpend(client, target - now);
}

/** "12.34 EUR" from exact units, rounded half away from zero (independent of src/money.ts). */
function eur(units: bigint): string {
	const cents = (units * 2n + 1_000_000n) / 2_000_000n;
	return `${cents / 100n}.${String(cents % 100n).padStart(2, '0')} EUR`;
}

const events = (outcome: PollOutcome) => (outcome.result?.[0] ?? []).map((item) => item.json) as Json[];

async function poll(workflow: PollingWorkflow): Promise<Json[]> {
	const outcome = await workflow.poll();
	expect(outcome.error).toBeUndefined();
	return events(outcome);
}

const ids = (list: Json[]) => list.map((event) => event.eventId as string);

beforeEach(async () => {
	sandbox = await Sandbox.start({ now: '2026-11-12T10:00:00Z', calls: 1500, days: 25, futureDays: 0 });
	credentials = { apiKey: sandbox.apiKey, baseUrl: sandbox.url, currency: 'EUR', billingCycleDay: 1 };
});

afterEach(async () => {
	await sandbox.stop();
});

// ---------------------------------------------------------------------------------------------
// Threshold Trigger
// ---------------------------------------------------------------------------------------------

describe('Threshold Trigger grouped by client', () => {
	it(
		'three clients with their own budgets fire each threshold once per month, at their own times; a client ' +
			'without calls stays quiet; Unassigned only with the option',
		async () => {
			const start = monthSpend(sandbox.clock.nowMs());
			for (const client of ['Acme GmbH', 'Northwind', 'Globex', 'Unassigned'])
				expect(start.get(client) ?? 0n).toBeGreaterThan(0n);
			expect(start.get('Initech')).toBeUndefined();
			// Month to date: Acme at 50 % of its budget, Northwind at 40 %, Globex at 30 %, Unassigned at 50 % of the node's.
			const acme = budgetAt(start.get('Acme GmbH')!, 0.5);
			const northwind = budgetAt(start.get('Northwind')!, 0.4);
			const globex = budgetAt(start.get('Globex')!, 0.3);
			const budgets: Record<string, number> = { 'Acme GmbH': acme, Northwind: northwind, Globex: globex, Initech: 100 };
			const nodeBudget = budgetAt(start.get('Unassigned')!, 0.5);
			expect(new Set(Object.values(budgets)).size).toBe(4);
			const parameters = {
				metric: 'spend',
				period: 'month',
				thresholdType: 'percentOfBudget',
				budget: nodeBudget,
				thresholds: '60, 80, 100',
				groupBy: 'client',
				clients: rules(budgets),
				options: { timezone: TZ },
			};
			const plain = createPollingWorkflow({
				node: threshold,
				parameters: parameters as INodeParameters,
				credentials,
				timezone: TZ,
			});
			const withUnassigned = createPollingWorkflow({
				node: threshold,
				parameters: { ...parameters, options: { timezone: TZ, includeUnassigned: true } } as INodeParameters,
				credentials,
				timezone: TZ,
				nodeName: 'With Unassigned',
			});
			const all: Json[] = [];
			const allWithUnassigned: Json[] = [];
			/** Polls both; checks every event against the truth of that moment. */
			const step = async () => {
				const a = await poll(plain);
				const b = await poll(withUnassigned);
				const spend = monthSpend(sandbox.clock.nowMs());
				for (const event of [...a, ...b]) {
					const client = event.group as string;
					const budget = client === 'Unassigned' ? nodeBudget : (budgets[client] ?? NaN);
					const units = spend.get(client) ?? 0n;
					expect(event).toMatchObject({ metric: 'spend', group: client, client, budget, currency: 'EUR', unit: 'EUR' });
					expect(event.eventId).toBe(`threshold:spend:${client}:${event.period.id}:${event.threshold}`);
					expect(event.value).toBe(Number(units) / 1e8);
					expect(event.percentOfBudget).toBeCloseTo((Number(units) / 1e8 / budget) * 100, 2);
					expect(event.value).toBeGreaterThanOrEqual((budget * event.threshold) / 100);
					const who = client === 'Unassigned' ? 'Unassigned (calls no client rule matches)' : client;
					const budgetText = eur(BigInt(Math.round(budget * 100)) * 1_000_000n);
					expect(event.message).toBe(
						`${who} reached ${event.threshold}% of its ${budgetText} budget this month: ${eur(units)}.`,
					);
				}
				all.push(...a);
				allWithUnassigned.push(...b);
				return [ids(a), ids(b)];
			};

			expect(await step()).toEqual([[], []]); // activation: baseline, silent
			expect(await step()).toEqual([[], []]);
			raiseTo('Acme GmbH', acme, 0.65);
			expect(await step()).toEqual([
				['threshold:spend:Acme GmbH:2026-11:60'],
				['threshold:spend:Acme GmbH:2026-11:60'],
			]);
			raiseTo('Northwind', northwind, 0.85); // 60 and 80 in one poll, lowest first
			expect((await step())[0]).toEqual([
				'threshold:spend:Northwind:2026-11:60',
				'threshold:spend:Northwind:2026-11:80',
			]);
			raiseTo('Acme GmbH', acme, 0.82);
			expect((await step())[0]).toEqual(['threshold:spend:Acme GmbH:2026-11:80']);
			// Unassigned's spend crosses 60 % of the node's budget: only the workflow with the option reports it.
			raiseTo('Unassigned', nodeBudget, 0.7);
			expect(await step()).toEqual([[], ['threshold:spend:Unassigned:2026-11:60']]);
			for (let i = 0; i < 4; i++) {
				sandbox.clock.advance(3_600_000);
				expect(await step()).toEqual([[], []]);
			}
			raiseTo('Globex', globex, 1.01);
			expect((await step())[0]).toEqual([
				'threshold:spend:Globex:2026-11:60',
				'threshold:spend:Globex:2026-11:80',
				'threshold:spend:Globex:2026-11:100',
			]);
			expect(await step()).toEqual([[], []]);

			// December: the month rolls over, every client's thresholds re-arm.
			sandbox.clock.set('2026-12-01T08:00:00Z');
			expect(await step()).toEqual([[], []]);
			raiseTo('Acme GmbH', acme, 0.61);
			expect((await step())[0]).toEqual(['threshold:spend:Acme GmbH:2026-12:60']);

			// Each client fired each threshold at most once per month; Initech (no calls) never did.
			for (const list of [all, allWithUnassigned]) expect(new Set(ids(list)).size).toBe(list.length);
			expect(all.map((e) => e.group)).not.toContain('Initech');
			expect(all.map((e) => e.group)).not.toContain('Unassigned');
			expect(ids(allWithUnassigned)).toEqual([
				...ids(all).slice(0, 4),
				'threshold:spend:Unassigned:2026-11:60',
				...ids(all).slice(4),
			]);
			expect(ids(all)).toHaveLength(8);
		},
		120_000,
	);

	it(
		'Include Markup compares the budget with spend × (1 + markup/100): a 25 % markup reaches 80 % at 64 % of ' +
			'the budget in spend',
		async () => {
			const start = monthSpend(sandbox.clock.nowMs());
			const budget = budgetAt(start.get('Acme GmbH')!, 0.5);
			const parameters = {
				metric: 'spend',
				period: 'month',
				thresholdType: 'percentOfBudget',
				budget: 1000,
				thresholds: '80',
				groupBy: 'client',
				clients: rules({ 'Acme GmbH': budget }, { 'Acme GmbH': 25 }),
				options: { timezone: TZ },
			};
			const plain = createPollingWorkflow({
				node: threshold,
				parameters: parameters as INodeParameters,
				credentials,
				timezone: TZ,
			});
			const billed = createPollingWorkflow({
				node: threshold,
				parameters: { ...parameters, options: { timezone: TZ, includeMarkup: true } } as INodeParameters,
				credentials,
				timezone: TZ,
				nodeName: 'Billed',
			});
			const both = async (): Promise<[Json[], Json[]]> => [await poll(plain), await poll(billed)];
			expect(await both()).toEqual([[], []]);
			raiseTo('Acme GmbH', budget, 0.63); // billed: 78.75 %
			expect(await both()).toEqual([[], []]);
			raiseTo('Acme GmbH', budget, 0.64); // billed: just past 80 %
			const [none, [event = {}]] = await both();
			expect(none).toEqual([]);
			const raw = spendOf('Acme GmbH');
			// Exact: raw × 125 / 100, half away from zero (raw is positive).
			const withMarkup = (raw * 125n * 2n + 100n) / 200n;
			expect(event).toMatchObject({
				eventId: 'threshold:spend:Acme GmbH:2026-11:80',
				client: 'Acme GmbH',
				budget,
				value: Number(withMarkup) / 1e8,
			});
			const budgetText = eur(BigInt(Math.round(budget * 100)) * 1_000_000n);
			expect(event.message).toBe(
				`Acme GmbH reached 80% of its ${budgetText} budget this month: ${eur(withMarkup)} (with its 25% markup).`,
			);
			// The contributors are shown as billed too: the Sales Assistant made all of Acme's spend.
			expect(event.topContributors.find((c: Json) => c.by === 'assistant')).toEqual({
				by: 'assistant',
				key: 'Sales Assistant',
				value: Number(withMarkup) / 1e8,
			});
			raiseTo('Acme GmbH', budget, 0.8);
			const [late, again] = await both();
			expect(ids(late)).toEqual(['threshold:spend:Acme GmbH:2026-11:80']);
			expect(late[0]?.value).toBe(Number(spendOf('Acme GmbH')) / 1e8);
			expect(late[0]?.message).not.toContain('markup');
			expect(again).toEqual([]);
		},
		60_000,
	);

	describe('Fetch Test Event shows the case that matters, and leaves the state as it was', () => {
		/** 1e-8 units as "12.34 EUR" (cents half away from zero; spends are positive). */
		const eur = (units: bigint) => `${(Number((units + 500_000n) / 1_000_000n) / 100).toFixed(2)} EUR`;
		const fetchSample = async (budgets: Record<string, number>, thresholds: string, extra: Json = {}) => {
			const parameters = {
				metric: 'spend',
				period: 'month',
				thresholdType: 'percentOfBudget',
				budget: 100_000,
				thresholds,
				groupBy: 'client',
				clients: rules(budgets),
				options: { timezone: TZ, ...extra },
			};
			const workflow = createPollingWorkflow({
				node: threshold,
				parameters: parameters as INodeParameters,
				credentials,
				timezone: TZ,
			});
			// The activation poll: a baseline (with Fire on Activation, the thresholds reached are reported).
			const activation = await poll(workflow);
			if (!extra.fireOnActivation) expect(activation).toEqual([]);
			const before = JSON.stringify(workflow.persisted());
			const outcome = await workflow.poll({ mode: 'manual' });
			expect(outcome.error).toBeUndefined();
			expect(JSON.stringify(workflow.persisted())).toBe(before);
			return events(outcome);
		};

		it.each([[{}], [{ fireOnActivation: true }]])(
			'the client over 80 % of its small budget, not the one with more spend (%j)',
			async (extra) => {
				const spend = monthSpend(sandbox.clock.nowMs());
				// The client that spends more is at 53 % of its budget; the one that spends less at 90 % of its own.
				const [more, less] = (['Acme GmbH', 'Northwind'] as const)
					.map((client) => [client, spend.get(client)!] as const)
					.sort(([, a], [, b]) => (b > a ? 1 : -1));
				expect(more[1]).toBeGreaterThan(less[1]);
				const budgets = { [more[0]]: budgetAt(more[1], 0.53), [less[0]]: budgetAt(less[1], 0.9) };
				const samples = await fetchSample(budgets, '80', extra);
				expect(samples).toHaveLength(1);
				const budget = budgets[less[0]]!;
				const month = DateTime.fromMillis(sandbox.clock.nowMs(), { zone: TZ }).toFormat('yyyy-MM');
				expect(samples[0]).toMatchObject({
					sample: true,
					client: less[0],
					group: less[0],
					threshold: 80,
					budget,
					value: Number(less[1]) / 1e8,
					eventId: `threshold:spend:${less[0]}:${month}:80`,
					message:
						`Sample: ${less[0]} reached 80% of its ${budget.toFixed(2)} EUR budget this month: ` + `${eur(less[1])}.`,
				});
			},
		);

		it('every client over a threshold, each at its highest, the furthest over first', async () => {
			const spend = monthSpend(sandbox.clock.nowMs());
			const budgets = {
				'Acme GmbH': budgetAt(spend.get('Acme GmbH')!, 0.65),
				Northwind: budgetAt(spend.get('Northwind')!, 0.95),
			};
			const samples = await fetchSample(budgets, '50, 60, 80');
			expect(samples.map((sample) => [sample.client, sample.threshold])).toEqual([
				['Northwind', 80],
				['Acme GmbH', 60],
			]);
			expect(samples.every((sample) => sample.sample === true && /^Sample: /.test(sample.message))).toBe(true);
		});

		it('no client over: the one closest to its next threshold, labelled as such', async () => {
			const spend = monthSpend(sandbox.clock.nowMs());
			const northwind = spend.get('Northwind')!;
			const budgets = { 'Acme GmbH': budgetAt(spend.get('Acme GmbH')!, 0.3), Northwind: budgetAt(northwind, 0.7) };
			const samples = await fetchSample(budgets, '80, 100');
			expect(samples).toHaveLength(1);
			const budget = budgets.Northwind;
			const limit = `${(budget * 0.8).toFixed(2)} EUR`;
			expect(samples[0]).toMatchObject({ sample: true, client: 'Northwind', threshold: 80 });
			expect(samples[0]!.message).toBe(
				`Sample, no threshold reached yet: Spend of client "Northwind" this month is ${eur(northwind)}; the ` +
					`next threshold is 80% of the ${budget.toFixed(2)} EUR budget (${limit}).`,
			);
		});

		it('in German', async () => {
			const spend = monthSpend(sandbox.clock.nowMs());
			const northwind = spend.get('Northwind')!;
			const budgets = { Northwind: budgetAt(northwind, 0.9) };
			const samples = await fetchSample(budgets, '80', { language: 'de' });
			const de = (text: string) => text.replace(' EUR', ' €').replace('.', ',');
			expect(samples[0]!.message).toBe(
				`Beispiel: Northwind: 80 % des Budgets von ${de(`${budgets.Northwind.toFixed(2)} EUR`)} diesen Monat ` +
					`erreicht – ${de(eur(northwind))}.`,
			);
		});
	});

	it(
		'client names are data: clients called __proto__ and constructor are grouped, stored in lists and survive a ' +
			'restart',
		async () => {
			const parameters = {
				metric: 'spend',
				period: 'month',
				thresholdType: 'absolute',
				thresholds: '1',
				groupBy: 'client',
				clients: {
					client: [
						{ name: '__proto__', matchBy: 'assistant', values: 'Sales*', markupPercent: 0 },
						{ name: 'constructor', matchBy: 'assistant', values: 'Support Bot', markupPercent: 0 },
					],
				},
				options: { timezone: TZ, fireOnActivation: true },
			};
			const workflow = createPollingWorkflow({
				node: threshold,
				parameters: parameters as INodeParameters,
				credentials,
				timezone: TZ,
			});
			const fired = await poll(workflow);
			expect(ids(fired)).toEqual(['threshold:spend:__proto__:2026-11:1', 'threshold:spend:constructor:2026-11:1']);
			expect(fired[0]?.message).toBe(`__proto__ reached 1.00 EUR this month: ${eur(spendOf('Acme GmbH'))}.`);
			expect(Object.getPrototypeOf({})).toBe(Object.prototype);
			expect(({} as Json).polluted).toBeUndefined();
			const state = workflow.persisted().state as unknown as ThresholdState;
			const period = state.periods.find((p) => p.id === '2026-11');
			expect(period?.groups.map((g) => g.name)).toEqual(['__proto__', 'constructor']);
			const values = periodValues(period);
			expect(Object.getOwnPropertyDescriptor(values, '__proto__')?.value).toBe(Number(spendOf('Acme GmbH')));
			expect(values.constructor).toBe(Number(spendOf('Northwind')));
			workflow.restart();
			expect(await poll(workflow)).toEqual([]);
			addSpend('Northwind', 50_000_000n);
			expect(await poll(workflow)).toEqual([]);
		},
		60_000,
	);

	it('grouping by client adds no request: each poll costs what the same poll costs ungrouped', async () => {
		const base = {
			metric: 'spend',
			period: 'month',
			thresholdType: 'absolute',
			thresholds: '100000',
			options: { timezone: TZ },
		};
		const variants: Array<[string, Record<string, unknown>]> = [
			['none', { groupBy: 'none' }],
			['campaign', { groupBy: 'campaign' }],
			['client', { groupBy: 'client', clients: rules({}), options: { timezone: TZ, includeUnassigned: true } }],
		];
		const workflows = variants.map(([name, extra]) =>
			createPollingWorkflow({
				node: threshold,
				parameters: { ...base, ...extra } as INodeParameters,
				credentials,
				timezone: TZ,
				nodeName: name,
			}),
		);
		const costs: number[][] = [];
		const added = [0, 0, 3, 40, 120, 230];
		for (let round = 0; round < added.length; round++) {
			const client = ['Acme GmbH', 'Globex', 'Unassigned', 'Northwind'][round % 4] as string;
			// New calls after every call so far (calls inserted between older ones cost re-reads; not this test's subject).
			sandbox.clock.advance(10 * 60_000);
			if (added[round]) addSpend(client, 123_456_789n, added[round]);
			const row: number[] = [];
			for (const workflow of workflows) {
				const before = sandbox.stats.requests;
				expect(await poll(workflow)).toEqual([]);
				row.push(sandbox.stats.requests - before);
			}
			costs.push(row);
		}
		for (const row of costs) expect(new Set(row).size).toBe(1);
		// And the polls are incremental (SPEC §9: at most 2 + new/100 requests).
		costs.slice(1).forEach((row, index) => expect(row[0]).toBeLessThanOrEqual(2 + (added[index + 1] ?? 0) / 100));
	}, 60_000);
});

// ---------------------------------------------------------------------------------------------
// One matcher: the charge summary and the trigger agree on every client's calls
// ---------------------------------------------------------------------------------------------

describe('one set of client rules for the charge summary and the triggers', () => {
	it("a charge summary's client totals for the month equal the values the trigger reports for it", async () => {
		const clients = rules({});
		const valuesOf = async (metric: string) => {
			const workflow = createPollingWorkflow({
				node: threshold,
				parameters: {
					metric,
					period: 'month',
					thresholdType: 'absolute',
					thresholds: '0',
					groupBy: 'client',
					clients,
					options: { timezone: TZ, includeUnassigned: true, fireOnActivation: true },
				} as INodeParameters,
				credentials,
				timezone: TZ,
				nodeName: metric,
			});
			const fired = await poll(workflow);
			return {
				period: fired[0]?.period as Json,
				values: new Map(fired.map((event) => [event.group as string, event.value as number])),
			};
		};
		const spend = await valuesOf('spend');
		const calls = await valuesOf('calls');
		const minutes = await valuesOf('minutes');
		expect([...spend.values.keys()]).toEqual(['Acme GmbH', 'Globex', 'Northwind', 'Unassigned']);

		// The same period and rules in Charge Summary → Generate.
		const { output, error } = await executeNode({
			node: new FamulorBilling(),
			parameters: {
				resource: 'chargeSummary',
				operation: 'generate',
				period: 'custom',
				startDate: spend.period.start,
				endDate: spend.period.end,
				pricingMode: 'reported',
				clients: {
					client: clients.client.map(({ name, matchBy, values, markupPercent }) => ({
						name,
						matchBy,
						values,
						markupPercent,
					})),
				},
				options: { timezone: TZ },
			} as INodeParameters,
			credentials,
			timezone: TZ,
		});
		expect(error).toBeUndefined();
		const summary = output?.[0]?.[0]?.json as Json;
		expect(summary.period.id).not.toBe('');
		const rows = (summary.byClient as Json[]).filter((row) => row.calls > 0);
		expect(rows.map((row) => row.client).sort()).toEqual([...spend.values.keys()]);
		for (const row of rows) {
			expect(calls.values.get(row.client)).toBe(row.calls);
			// Billable minutes: the trigger shows 2 decimals, the summary 4.
			expect(Math.abs((minutes.values.get(row.client) as number) - row.billableMinutes)).toBeLessThanOrEqual(0.0051);
			// The summary rounds its platform and carrier lines to the cent; the trigger counts exactly.
			const callCharges = (summary.lines as Json[])
				.filter((line) => line.client === row.client && (line.kind === 'platform' || line.kind === 'carrier'))
				.reduce((sum, line) => sum + Math.round(line.amount * 100), 0);
			expect(Math.abs(callCharges - Math.round((spend.values.get(row.client) as number) * 100))).toBeLessThanOrEqual(1);
		}
		// And both agree with the rules restated here.
		const truth = monthSpend(Date.parse(spend.period.start));
		for (const [client, value] of spend.values) expect(value).toBe(Number(truth.get(client)) / 1e8);
	}, 60_000);
});

// ---------------------------------------------------------------------------------------------
// The example workflow
// ---------------------------------------------------------------------------------------------

describe('examples/client-budget-alerts-slack.json', () => {
	const read = (file: string) =>
		JSON.parse(fs.readFileSync(path.join(__dirname, '../../examples', file), 'utf8')) as {
			nodes: Json[];
			connections: Json;
		};
	const example = read('client-budget-alerts-slack.json');
	const trigger = example.nodes.find((n) => n.type === 'n8n-nodes-famulor-billing.famulorThresholdTrigger') as Json;

	it("uses the monthly client report's rules, each client with its own budget, and posts every alert to Slack", () => {
		const report = read('monthly-client-report.json');
		const summary = report.nodes.find((n) => n.type === 'n8n-nodes-famulor-billing.famulorBilling') as Json;
		const withoutBudget = (rules: Json[]) => rules.map(({ budget, ...rule }) => (void budget, rule));
		expect(withoutBudget(trigger.parameters.clients.client)).toEqual(summary.parameters.clients.client);
		expect((trigger.parameters.clients.client as Json[]).map((rule) => rule.budget)).toEqual([300, 500, 200]);
		expect(trigger.parameters).toMatchObject({
			groupBy: 'client',
			thresholdType: 'percentOfBudget',
			thresholds: '60, 80, 100',
		});
		expect(trigger.credentials).toBeUndefined(); // picked on import
		const next = example.connections[trigger.name]?.main?.[0]?.[0]?.node;
		expect(example.nodes.find((n) => n.name === next)?.type).toBe('n8n-nodes-base.slack');
	});

	it('its trigger runs against the sandbox: a baseline, then an alert per threshold a client crosses', async () => {
		const workflow = createPollingWorkflow({
			node: threshold,
			parameters: trigger.parameters,
			credentials,
			timezone: TZ,
		});
		expect(await poll(workflow)).toEqual([]);
		// Contoso Ltd: the calls through +4930555010101 (the Sales Assistant's line); no markup.
		const contoso = () => {
			// The billing cycle renews on the 1st (the credential's Billing Cycle Day): the calendar month.
			const start = DateTime.fromMillis(sandbox.clock.nowMs(), { zone: TZ }).startOf('month').toMillis();
			return sandbox
				.visibleCalls()
				.filter((call) => createdMs(call) >= start && digits(call.assistant_phone_number ?? '') === '+4930555010101')
				.reduce((sum, call) => sum + costUnits(call.total_cost as string), 0n);
		};
		const before = Number(contoso()) / 2e8; // percent of the 200 budget
		addSpend('Acme GmbH', 210n * 100_000_000n - contoso() + 1_000_000n); // Sales Assistant calls: 105 % of 200
		const fired = await poll(workflow);
		expect(before).toBeLessThan(100);
		expect(fired.map((e) => e.threshold)).toEqual([60, 80, 100].filter((t) => t > before));
		for (const event of fired) {
			expect(event).toMatchObject({
				group: 'Contoso Ltd',
				client: 'Contoso Ltd',
				budget: 200,
				value: Number(contoso()) / 1e8,
			});
			expect(event.message).toBe(
				`Contoso Ltd reached ${event.threshold}% of its 200.00 EUR budget this billing cycle: ${eur(contoso())}.`,
			);
		}
		expect(await poll(workflow)).toEqual([]);
	}, 60_000);
});

// ---------------------------------------------------------------------------------------------
// Spike Trigger
// ---------------------------------------------------------------------------------------------

describe('Spike Trigger grouped by client', () => {
	it('alerts per client by name; a burst of unassigned calls alerts only with Include Unassigned', async () => {
		await sandbox.stop();
		sandbox = await Sandbox.start({
			now: '2026-11-20T06:00:00Z',
			spikeAt: '2026-11-01T13:00:00Z',
			calls: 6000,
			days: 21,
			futureDays: 2,
		});
		credentials = { apiKey: sandbox.apiKey, baseUrl: sandbox.url };
		const parameters = {
			metric: 'calls',
			window: 'hour',
			baselineDays: 7,
			seasonality: 'sameTimeOfDay',
			minIncreasePercent: 100,
			minAbsoluteIncrease: 20,
			groupBy: 'client',
			clients: {
				client: [
					{ name: 'Survey Co', matchBy: 'assistant', values: 'Survey Caller', markupPercent: 0 },
					{ name: 'Acme GmbH', matchBy: 'assistant', values: 'Sales*', markupPercent: 0 },
				],
			},
			options: { timezone: TZ, settleMinutes: 5 },
		};
		const node = new FamulorSpikeTrigger();
		const plain = createPollingWorkflow({ node, parameters: parameters as INodeParameters, credentials, timezone: TZ });
		const withUnassigned = createPollingWorkflow({
			node,
			parameters: { ...parameters, options: { ...parameters.options, includeUnassigned: true } } as INodeParameters,
			credentials,
			timezone: TZ,
			nodeName: 'With Unassigned',
		});
		const a: Json[] = [];
		const b: Json[] = [];
		let added = false;
		while (sandbox.clock.nowMs() <= Date.parse('2026-11-20T12:00:00Z')) {
			if (!added && sandbox.clock.nowMs() >= Date.parse('2026-11-20T09:00:00Z')) {
				added = true;
				// 09:00–10:00 UTC: the Survey Caller (client Survey Co) and the Booking Agent (no client) burst.
				sandbox.addCalls(80, { from: '2026-11-20T09:00:00Z', to: '2026-11-20T10:00:00Z', assistant: 'Survey Caller' });
				sandbox.addCalls(80, { from: '2026-11-20T09:00:00Z', to: '2026-11-20T10:00:00Z', assistant: 'Booking Agent' });
			}
			a.push(...(await poll(plain)));
			b.push(...(await poll(withUnassigned)));
			sandbox.clock.advance(15 * 60_000);
		}
		expect(a.map((e) => [e.eventId, e.group, e.client])).toEqual([
			['spike:calls:Survey Co:2026-11-20T10:00:00+01:00', 'Survey Co', 'Survey Co'],
		]);
		expect(a[0]?.message).toMatch(/^Calls of client "Survey Co" in the hour 20 Nov 10:00–11:00 was \d+ calls, /);
		const start = Date.parse('2026-11-20T09:00:00Z');
		const surveyCalls = sandbox
			.visibleCalls()
			.filter(
				(call) =>
					call.assistant_name === 'Survey Caller' && createdMs(call) >= start && createdMs(call) < start + 3_600_000,
			);
		expect(a[0]?.value).toBe(surveyCalls.length);
		expect(b.map((e) => e.eventId).sort()).toEqual([
			'spike:calls:Survey Co:2026-11-20T10:00:00+01:00',
			'spike:calls:Unassigned:2026-11-20T10:00:00+01:00',
		]);
		expect(b.find((e) => e.group === 'Unassigned')?.topContributors.find((c: Json) => c.by === 'assistant')?.key).toBe(
			'Booking Agent',
		);
	}, 180_000);
});
