/**
 * Charge summaries, core only (no HTTP): calls are built directly and pushed through the streaming
 * builder. Expected amounts are computed by hand in the comments.
 */
import type { Call } from '../../src/calls';
import { billableSecondsOf } from '../../src/calls';
import { InvalidParameterError } from '../../src/errors';
import { parseMoney } from '../../src/money';
import type { PhoneNumberInfo } from '../../src/numbers';
import { resolvePeriod, type ResolvedPeriod } from '../../src/periods';
import {
	allocateCents,
	ChargeSummaryBuilder,
	csvFileName,
	neutralizeCell,
	parseClientRules,
	renderCsv,
	renderHtml,
	renderText,
	resolvePlan,
	summariesToOutput,
	summaryItem,
	type ChargeSummaryConfig,
	type ChargeSummary,
	type ClientRuleInput,
} from '../../src/chargeSummary';

const TZ = 'Europe/Berlin';
const DEC_10_2026 = Date.parse('2026-12-10T12:00:00Z');

let nextId = 1;
function call(fields: {
	total: string;
	carrier?: string;
	duration?: number;
	at?: string;
	assistant?: string | null;
	campaign?: string | null;
	number?: string | null;
}): Call {
	const duration = fields.duration ?? 60;
	return {
		id: nextId++,
		createdAt: Date.parse(fields.at ?? '2026-11-10T10:00:00Z'),
		updatedAt: null,
		status: 'completed',
		settled: true,
		direction: 'outbound',
		durationSeconds: duration,
		billableSeconds: billableSecondsOf(duration),
		totalCost: parseMoney(fields.total),
		carrierCost: parseMoney(fields.carrier ?? '0'),
		assistantName: fields.assistant ?? null,
		campaignName: fields.campaign ?? null,
		assistantPhoneNumber: fields.number ?? null,
		clientPhoneNumber: '+491701234567',
		answeredBy: null,
	};
}

function rented(
	phoneNumber: string,
	fee = '3.99',
	assistants: string[] = [],
	extra: Partial<PhoneNumberInfo> = {},
): PhoneNumberInfo {
	return {
		id: nextId++,
		phoneNumber,
		nickname: null,
		countryCode: 'DE',
		type: 'normal',
		rented: true,
		monthlyFee: parseMoney(fee),
		assistants,
		createdAt: '2025-01-01 00:00:00',
		...extra,
	};
}

const november: ResolvedPeriod = resolvePeriod('lastMonth', { now: DEC_10_2026, timezone: TZ });

function summarize(config: Partial<ChargeSummaryConfig>, calls: Call[], numbers: PhoneNumberInfo[] = []) {
	const builder = new ChargeSummaryBuilder({
		period: november,
		currency: 'EUR',
		pricingMode: 'reported',
		...config,
	});
	for (const c of calls) builder.add(c);
	return builder.finish(numbers);
}

const cents = (amount: number) => Math.round(amount * 100);
const sumCents = (summary: ChargeSummary) => summary.lines.reduce((sum, line) => sum + cents(line.amount), 0);

describe('pricing modes', () => {
	test('reported: platform + carrier = sum of reported total_cost', () => {
		// totals 1.00 + 0.50 + 0.25 = 1.75; carrier 0.30 + 0.10 + 0.05 = 0.45; platform 1.30
		const { overall } = summarize({}, [
			call({ total: '1.00000000', carrier: '0.30000000' }),
			call({ total: '0.50000000', carrier: '0.10000000' }),
			call({ total: '0.25000000', carrier: '0.05000000' }),
		]);
		expect(overall.charges).toEqual({
			calls: 1.75,
			carrier: 0.45,
			platform: 1.3,
			planFee: 0,
			overage: 0,
			numberRentals: 0,
			markup: 0,
			total: 1.75,
			net: 1.75,
			vat: 0,
			gross: 1.75,
		});
		expect(overall.lines.map((line) => [line.kind, line.amount])).toEqual([
			['platform', 1.3],
			['carrier', 0.45],
		]);
		expect(overall.usage).toEqual({
			calls: 3,
			talkMinutes: 3,
			billableMinutes: 3,
			includedMinutes: null,
			overageMinutes: null,
		});
		expect(overall.plan).toBeNull();
	});

	test('plan/business: 199 + 100 min over × 0.15 + carrier, plus a full month of rental', () => {
		// 2 calls of 350 min = 700 billable min; 600 included → 100 min × 0.15 = 15.00
		// carrier 1.00 + 1.00 = 2.00; rental 3.99 (November is a whole month)
		// total = 199 + 15 + 2 + 3.99 = 219.99
		const calls = [
			call({ total: '40.00', carrier: '1.00', duration: 21_000 }),
			call({ total: '40.00', carrier: '1.00', duration: 21_000 }),
		];
		const { overall } = summarize({ pricingMode: 'plan', plan: resolvePlan('business') }, calls, [rented('+4930111')]);
		expect(overall.charges).toEqual({
			calls: 216,
			carrier: 2,
			platform: 214,
			planFee: 199,
			overage: 15,
			numberRentals: 3.99,
			markup: 0,
			total: 219.99,
			net: 219.99,
			vat: 0,
			gross: 219.99,
		});
		expect(overall.usage).toEqual({
			calls: 2,
			talkMinutes: 700,
			billableMinutes: 700,
			includedMinutes: 600,
			overageMinutes: 100,
		});
		expect(overall.lines.map((line) => line.kind)).toEqual(['planFee', 'overage', 'carrier', 'numberRental']);
		expect(overall.plan).toEqual({
			name: 'business',
			label: 'Business',
			includedMinutes: 600,
			planFee: 199,
			overageRate: 0.15,
		});
		expect(sumCents(overall)).toBe(21999);
		// the same calls in reported mode: 80 + 3.99
		expect(summarize({}, calls, [rented('+4930111')]).overall.charges.total).toBe(83.99);
	});

	test('presets carry the published numbers', () => {
		const terms = ['flex', 'starter', 'business', 'scale'].map((name) => {
			const plan = resolvePlan(name);
			return [plan.includedMinutes, plan.planFee / 1e8, plan.overageRate / 1e8];
		});
		expect(terms).toEqual([
			[30, 19, 0.5],
			[100, 49, 0.4],
			[600, 199, 0.15],
			[4000, 999, 0.11],
		]);
	});

	test.each([
		[36_000, 0, 0],
		[36_001, 1 / 60, 0], // 1 s × 0.15/60 = 0.0025 → 0.00
		[36_060, 1, 0.15],
		[35_000, 0, 0],
	])('overage boundary: %i billable seconds on business', (seconds, overageMinutes, overage) => {
		const { overall } = summarize({ pricingMode: 'plan', plan: resolvePlan('business') }, [
			call({ total: '1', duration: seconds }),
		]);
		expect(overall.usage.overageMinutes).toBeCloseTo(overageMinutes, 4);
		expect(overall.charges.overage).toBe(overage);
		expect(overall.charges.total).toBe(199 + overage);
	});

	test('custom plan: 10 included min, 5.00 fee, 0.333 per minute', () => {
		// 15 billable min → 5 over × 0.333 = 1.665 → 1.67 (half away from zero); total 6.67
		const plan = resolvePlan('custom', { includedMinutes: 10, planFee: 5, overageRate: 0.333 });
		const { overall } = summarize({ pricingMode: 'plan', plan }, [call({ total: '9', duration: 900 })]);
		expect(overall.charges.overage).toBe(1.67);
		expect(overall.charges.total).toBe(6.67);
	});
});

describe('rounding', () => {
	test('lines sum to the total to the cent with many odd 8-decimal costs', () => {
		let seed = 12345;
		const random = () => {
			seed = (seed * 1103515245 + 12345) % 2147483648;
			return seed;
		};
		const calls: Call[] = [];
		let exactTotal = 0n;
		let exactCarrier = 0n;
		for (let i = 0; i < 2000; i++) {
			const total = random() % 99_999_999; // up to 0.99999999
			const carrier = total % 7_777_777;
			exactTotal += BigInt(total);
			exactCarrier += BigInt(carrier);
			calls.push(
				call({
					total: `0.${String(total).padStart(8, '0')}`,
					carrier: `0.${String(carrier).padStart(8, '0')}`,
					duration: random() % 400,
					assistant: i % 3 === 0 ? 'Acme Bot' : 'Other',
				}),
			);
		}
		// positive: half up = half away from zero
		const roundCents = (units: bigint) => Number((units + 500_000n) / 1_000_000n);
		for (const mode of ['reported', 'plan'] as const) {
			const { overall, clients } = summarize(
				{
					pricingMode: mode,
					plan: resolvePlan('flex'),
					clients: parseClientRules([{ name: 'Acme', matchBy: 'assistant', values: 'Acme*', markupPercent: 12.5 }]),
				},
				calls,
				[rented('+4930111', '3.99', ['Acme Bot']), rented('+4930222', '4.49')],
			);
			expect(cents(overall.charges.total)).toBe(sumCents(overall));
			for (const client of clients) expect(cents(client.charges.total)).toBe(sumCents(client));
			expect(clients.reduce((sum, client) => sum + cents(client.charges.total), 0)).toBe(cents(overall.charges.total));
			const carrierLines = overall.lines.filter((line) => line.kind === 'carrier');
			expect(carrierLines.reduce((sum, line) => sum + cents(line.amount), 0)).toBe(cents(overall.charges.carrier));
		}
		// without clients, the platform line is the exact sum rounded once
		const { overall } = summarize({}, calls);
		expect(cents(overall.charges.platform)).toBe(roundCents(exactTotal - exactCarrier));
		expect(cents(overall.charges.carrier)).toBe(roundCents(exactCarrier));
		expect(cents(overall.charges.total)).toBe(sumCents(overall));
	});

	test('allocateCents: largest remainder, parts add up', () => {
		// 199.00 by 1:2 → 66.333 / 132.666 → floors 66.33 + 132.66, the spare cent to the larger remainder
		expect(allocateCents(19900, [100, 200])).toEqual([6633, 13267]);
		expect(allocateCents(100, [1, 1, 1])).toEqual([34, 33, 33]);
		expect(allocateCents(7, [0, 5])).toEqual([0, 7]);
		expect(allocateCents(5, [0, 0])).toBeNull();
	});
});

describe('number rental proration', () => {
	test('a 10-day custom period of a 30-day month: 3.99 × 10/30 = 1.33 per number', () => {
		const period = resolvePeriod('custom', {
			now: DEC_10_2026,
			timezone: TZ,
			startDate: '2026-11-05',
			endDate: '2026-11-15',
		});
		const { overall } = summarize({ period }, [], [rented('+4930111'), rented('+4930222')]);
		const rental = overall.lines.find((line) => line.kind === 'numberRental');
		expect(rental).toMatchObject({ quantity: 2, unit: 'number', unitPrice: 1.33, amount: 2.66 });
		expect(rental?.description).toContain('prorated 10/30 days');
		expect(overall.proration.applied).toBe('prorated 10/30 days');
		expect(overall.charges.total).toBe(2.66);
	});

	test('a period across two months prorates each month by its own length', () => {
		// 25 Nov – 5 Dec: 3.99 × 5/30 + 3.99 × 4/31 = 0.665 + 0.51483871 = 1.17983871 → 1.18
		const period = resolvePeriod('custom', {
			now: DEC_10_2026,
			timezone: TZ,
			startDate: '2026-11-26',
			endDate: '2026-12-05',
		});
		const { overall } = summarize({ period }, [], [rented('+4930111')]);
		expect(overall.charges.numberRentals).toBe(1.18);
		expect(overall.proration.applied).toBe('prorated 5/30 days of Nov 2026 + 4/31 days of Dec 2026');
	});

	test('a whole calendar month is not prorated (also as a custom period, and across DST)', () => {
		expect(summarize({}, [], [rented('+4930111')]).overall.charges.numberRentals).toBe(3.99);
		const october = resolvePeriod('custom', {
			now: DEC_10_2026,
			timezone: TZ,
			startDate: '2026-10-01',
			endDate: '2026-11-01',
		});
		const { overall } = summarize({ period: october }, [], [rented('+4930111')]);
		expect(overall.charges.numberRentals).toBe(3.99);
		expect(overall.proration.applied).toBe('full month');
	});

	test('a 10-day period across the DST change still counts days: 3.99 × 10/31 = 1.29', () => {
		// 20–30 Oct 2026 in Berlin contains the 25-hour day of 25 Oct; 3.99 × 10/31 = 1.2870… → 1.29
		const period = resolvePeriod('custom', {
			now: DEC_10_2026,
			timezone: TZ,
			startDate: '2026-10-20',
			endDate: '2026-10-30',
		});
		const { overall } = summarize({ period }, [], [rented('+4930111')]);
		expect(overall.charges.numberRentals).toBe(1.29);
		expect(overall.proration.applied).toBe('prorated 10/31 days');
	});

	test('billing cycle day 15: the whole cycle is not prorated; the same dates with day 1 are', () => {
		const cycle = resolvePeriod('lastBillingCycle', {
			now: Date.parse('2026-02-20T12:00:00Z'),
			timezone: TZ,
			billingCycleDay: 15,
		});
		expect([cycle.start, cycle.end]).toEqual(['2026-01-15T00:00:00+01:00', '2026-02-15T00:00:00+01:00']);
		const whole = summarize({ period: cycle, billingCycleDay: 15 }, [], [rented('+4930111')]).overall;
		expect(whole.charges.numberRentals).toBe(3.99);
		expect(whole.proration.applied).toBe('full billing cycle');
		// with billing cycle day 1: 3.99 × 17/31 + 3.99 × 14/28 = 2.18806452 + 1.995 = 4.18306452 → 4.18
		const prorated = summarize({ period: cycle, billingCycleDay: 1 }, [], [rented('+4930111')]).overall;
		expect(prorated.charges.numberRentals).toBe(4.18);
	});

	test('plan fee and included minutes are prorated like rentals in a partial period', () => {
		// 10/30 of business: fee 199 × 1/3 = 66.333… → 66.33; included 600 × 1/3 = 200 min;
		// 230 billable min → 30 over × 0.15 = 4.50; total 70.83
		const period = resolvePeriod('custom', {
			now: DEC_10_2026,
			timezone: TZ,
			startDate: '2026-11-05',
			endDate: '2026-11-15',
		});
		const { overall } = summarize({ period, pricingMode: 'plan', plan: resolvePlan('business') }, [
			call({ total: '1', duration: 13_800, at: '2026-11-06T10:00:00Z' }),
		]);
		expect(overall.usage.includedMinutes).toBe(200);
		expect(overall.usage.overageMinutes).toBe(30);
		expect(overall.charges).toMatchObject({ planFee: 66.33, overage: 4.5, total: 70.83 });
	});

	test('numbers that are not rented, or created after the period, are not charged', () => {
		const numbers = [
			rented('+4930111'),
			rented('+4930222', '3.99', [], { rented: false, type: 'sip', monthlyFee: 0 }),
			rented('+4930333', '3.99', [], { createdAt: '2026-12-02T08:00:00Z' }),
		];
		expect(summarize({}, [], numbers).overall.charges.numberRentals).toBe(3.99);
	});
});

describe('clients', () => {
	const rules: ClientRuleInput[] = [
		{ name: 'Acme', matchBy: 'assistant', values: 'Acme*, Support Desk', markupPercent: 10 },
		{ name: 'Beta', matchBy: 'campaign', values: 'Spring Sale' },
		{ name: 'Gamma', matchBy: 'phoneNumber', values: '+49 30 111' },
	];
	const calls = () => [
		call({ total: '1.00', carrier: '0.20', assistant: 'Acme Bot', campaign: 'Spring Sale' }), // Acme (first match wins)
		call({ total: '2.00', carrier: '0.40', assistant: 'support desk' }), // Acme (case-insensitive exact)
		call({ total: '0.70', carrier: '0.10', assistant: 'Other', campaign: 'Spring Sale' }), // Beta
		call({ total: '0.30', carrier: '0.00', assistant: 'Other', number: '+4930111' }), // Gamma
		// Unassigned (not a prefix rule)
		call({ total: '0.45', carrier: '0.05', assistant: 'Other', campaign: 'Spring Sale 2' }),
	];
	const numbers = () => [
		rented('+4930111', '3.99', ['Someone']), // Gamma by number
		rented('+4940999', '4.50', ['ACME Helper']), // Acme by assistant prefix
		rented('+4950000', '3.99'), // Unassigned
	];

	test('first match wins, prefix *, Unassigned, markup per client, sums match', () => {
		const { overall, clients } = summarize({ clients: parseClientRules(rules) }, calls(), numbers());
		const byName = Object.fromEntries(overall.byClient.map((row) => [row.client, row]));
		expect(overall.byClient.map((row) => row.client)).toEqual(['Acme', 'Beta', 'Gamma', 'Unassigned']);
		// Acme: calls 3.00 (carrier 0.60, platform 2.40) + rental 4.50 = 7.50; markup 10% = 0.75; total 8.25
		expect(byName.Acme.charges).toEqual({
			calls: 3,
			carrier: 0.6,
			platform: 2.4,
			planFee: 0,
			overage: 0,
			numberRentals: 4.5,
			markup: 0.75,
			total: 8.25,
			net: 8.25,
			vat: 0,
			gross: 8.25,
		});
		expect(byName.Acme.calls).toBe(2);
		expect(byName.Beta.total).toBe(0.7);
		expect(byName.Gamma.total).toBe(4.29); // 0.30 + 3.99
		expect(byName.Unassigned.total).toBe(4.44); // 0.45 + 3.99
		// 8.25 + 0.70 + 4.29 + 4.44 = 17.68
		expect(overall.charges.total).toBe(17.68);
		expect(sumCents(overall)).toBe(1768);
		expect(overall.lines.every((line) => typeof line.client === 'string')).toBe(true);
		const markup = overall.lines.find((line) => line.kind === 'markup');
		expect(markup).toMatchObject({ client: 'Acme', quantity: 10, unit: '%', unitPrice: 7.5, amount: 0.75 });
		// one summary per client, each restricted to its own lines
		expect(clients.map((summary) => summary.client)).toEqual(['Acme', 'Beta', 'Gamma', 'Unassigned']);
		expect(clients[0].lines.every((line) => line.client === 'Acme')).toBe(true);
		expect(clients[0].usage.calls).toBe(2);
		expect(clients.reduce((sum, summary) => sum + cents(summary.charges.total), 0)).toBe(1768);
		expect(summariesToOutput({ overall, clients }, true)).toBe(clients);
		expect(summariesToOutput({ overall, clients }, false)).toEqual([overall]);
	});

	test('every call is assigned exactly once', () => {
		const { overall } = summarize({ clients: parseClientRules(rules) }, calls(), numbers());
		expect(overall.byClient.reduce((sum, row) => sum + row.calls, 0)).toBe(5);
	});

	test('Unassigned is left out when everything matches; configured clients always listed', () => {
		const { overall } = summarize(
			{
				clients: parseClientRules([
					{ name: 'All', matchBy: 'assistant', values: '*' },
					{ name: 'Empty', matchBy: 'campaign', values: 'None' },
				]),
			},
			[call({ total: '1', assistant: 'X' })],
		);
		expect(overall.byClient.map((row) => row.client)).toEqual(['All', 'Empty']);
	});

	test('plan mode shares plan fee and overage by billable minutes, to the cent', () => {
		// Acme 200 min, Beta 400 min + Unassigned 0 → 600 min (flex: 30 included, 570 over × 0.50 = 285.00)
		// plan fee 19.00 by 1:2 → 6.33 / 12.67; overage 285.00 → 95.00 / 190.00
		const { overall } = summarize(
			{
				pricingMode: 'plan',
				plan: resolvePlan('flex'),
				clients: parseClientRules([
					{ name: 'Acme', matchBy: 'assistant', values: 'Acme' },
					{ name: 'Beta', matchBy: 'assistant', values: 'Beta' },
				]),
			},
			[
				call({ total: '1', duration: 12_000, assistant: 'Acme' }),
				call({ total: '1', duration: 24_000, assistant: 'Beta' }),
			],
		);
		expect(overall.byClient.map((row) => [row.client, row.charges.planFee, row.charges.overage])).toEqual([
			['Acme', 6.33, 95],
			['Beta', 12.67, 190],
		]);
		expect(overall.charges).toMatchObject({ planFee: 19, overage: 285, total: 304 });
	});

	test.each([
		[[{ name: '', matchBy: 'assistant', values: 'x' }], 'has no name'],
		[[{ name: 'A', matchBy: 'assistant', values: ' , ' }], 'has no values'],
		[[{ name: 'A', matchBy: 'assistant', values: 'x', markupPercent: -5 }], 'not a percentage'],
		[[{ name: 'A', matchBy: 'region', values: 'x' }], 'not supported'],
		[[{ name: 'A', matchBy: 'phoneNumber', values: 'abc' }], 'not a phone number'],
		[[{ name: 'Unassigned', matchBy: 'assistant', values: 'x' }], 'reserved'],
		[
			[
				{ name: 'A', matchBy: 'assistant', values: 'x', markupPercent: 5 },
				{ name: 'a', matchBy: 'campaign', values: 'y', markupPercent: 6 },
			],
			'same client',
		],
	])('invalid client rules are rejected with the parameter and a fix (%#)', (rows, message) => {
		let error: unknown;
		try {
			parseClientRules(rows as ClientRuleInput[]);
		} catch (caught) {
			error = caught;
		}
		expect(error).toBeInstanceOf(InvalidParameterError);
		expect((error as InvalidParameterError).parameter).toBe('clients');
		expect((error as InvalidParameterError).message).toContain(message);
		expect((error as InvalidParameterError).fix).toBeTruthy();
	});

	test('invalid plans are rejected', () => {
		expect(() => resolvePlan('gold')).toThrow(InvalidParameterError);
		expect(() => resolvePlan('custom', { includedMinutes: -1, planFee: 1, overageRate: 1 })).toThrow(
			/Included Minutes/,
		);
		expect(() => resolvePlan('custom', { includedMinutes: 1, planFee: 'abc', overageRate: 1 })).toThrow(/Plan Fee/);
		expect(() => resolvePlan('custom', { includedMinutes: 1, planFee: 1, overageRate: NaN })).toThrow(/Overage Rate/);
	});
});

describe('outputs', () => {
	const evil = '<img src=x onerror=alert(1)>';
	const formula = '=HYPERLINK("http://x")';

	test('html escapes user-controlled names and is self-contained', () => {
		const { overall, clients } = summarize(
			{ clients: parseClientRules([{ name: evil, matchBy: 'assistant', values: 'A', markupPercent: 5 }]) },
			[call({ total: '1.23', assistant: 'A', at: '2026-11-03T10:00:00Z' }), call({ total: '0.5', assistant: 'B' })],
			[rented('+4930111', '3.99', ['A'])],
		);
		for (const summary of [overall, ...clients]) {
			const html = renderHtml(summary);
			expect(html).not.toContain('<img');
			if (summary.client !== 'Unassigned') expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
			expect(html).not.toMatch(/<script|<style|<link|<img|url\(|@import/i);
			// no tag carries src/href or an event handler
			expect(html).not.toMatch(/<[a-z][^>]*\s(src|href|on[a-z]+)=/i);
			expect(html).toMatch(/background-color:#4f46e5/);
		}
		// bars: per client in the account report, per day in a client's report
		expect(overall.chart.by).toBe('client');
		expect(clients[0].chart.by).toBe('day');
		expect(clients[0].chart.bars).toHaveLength(30);
		expect(renderText(overall)).not.toContain('<img');
	});

	test('csv neutralises formulas and quotes per RFC 4180', () => {
		const { overall } = summarize(
			{ clients: parseClientRules([{ name: formula, matchBy: 'assistant', values: 'A' }]) },
			[call({ total: '1.00', carrier: '0.25', assistant: 'A' })],
		);
		const csv = renderCsv(overall);
		const rows = csv.split('\r\n');
		expect(rows[0]).toBe('kind,description,quantity,unit,unitPrice,amount,currency,client');
		expect(rows[1]).toBe(
			'platform,"Platform cost of 1 call as reported, 1 billable min",1,min,0.75,0.75,EUR,' +
				`"'=HYPERLINK(""http://x"")"`,
		);
		expect(csv).not.toMatch(/,=HYPERLINK/);
		expect(csv.endsWith('\r\n')).toBe(true);
		expect(csvFileName(overall)).toBe('charge-summary-2026-11.csv');
		expect(['=1', '+1', '-1', '@x', '\tx', '\rx', 'ok'].map(neutralizeCell)).toEqual([
			"'=1",
			"'+1",
			"'-1",
			"'@x",
			"'\tx",
			"'\rx",
			'ok',
		]);
		// no client column without clients
		expect(renderCsv(summarize({}, [call({ total: '1' })]).overall).split('\r\n')[0]).toBe(
			'kind,description,quantity,unit,unitPrice,amount,currency',
		);
	});

	test('CSV neutralises formulas after leading spaces or control characters, quotes `;` (semicolon locales)', () => {
		const hidden = [
			' =HYPERLINK("http://x")',
			'\n=1+1',
			'  +1',
			'\u0000@SUM(A1)',
			'\u00a0-1',
			'\uff1d1+1',
			'\ttab',
			'\nline',
		];
		for (const text of hidden) expect(neutralizeCell(text)).toBe(`'${text}`);
		for (const text of ['Acme GmbH', 'a=b', 'x + y', '3-4', 'mail@acme.example', ''])
			expect(neutralizeCell(text)).toBe(text);
		const { overall } = summarize(
			{ clients: parseClientRules([{ name: 'Acme;=1+1', matchBy: 'assistant', values: 'A' }]) },
			[call({ total: '1.00', carrier: '0.25', assistant: 'A' })],
		);
		const rows = renderCsv(overall).split('\r\n');
		// The client cell is one quoted field: a semicolon-locale spreadsheet does not split it into `=1+1`.
		expect(rows[1].endsWith(',"Acme;=1+1"')).toBe(true);
		const spaced = summarize(
			{ clients: parseClientRules([{ name: ' =HYPERLINK("http://x")', matchBy: 'assistant', values: 'A' }]) },
			[call({ total: '1.00', carrier: '0.25', assistant: 'A' })],
		).overall;
		// Client names are trimmed by the rules; a name that still starts with a formula is neutralised.
		expect(renderCsv(spaced)).toContain(`,"'=HYPERLINK(""http://x"")"`);
	});

	test('text is Slack Markdown with the total; the item has text and html but no chart', () => {
		const calls = [
			call({ total: '40.00', carrier: '1.00', duration: 21_000 }),
			call({ total: '40.00', carrier: '1.00', duration: 21_000 }),
		];
		const { overall } = summarize({ pricingMode: 'plan', plan: resolvePlan('business') }, calls, [rented('+4930111')]);
		const text = renderText(overall);
		expect(text).toContain('*Total: 219.99 EUR*');
		expect(text).toContain('*Famulor charge summary*');
		expect(text).toContain('Business plan fee (199.00 EUR/month, full month): 199.00 EUR');
		const item = summaryItem(overall);
		expect(item).toMatchObject({ pricingMode: 'plan', currency: 'EUR', client: null, byClient: [] });
		expect(item.period).toEqual({
			id: '2026-11',
			label: 'November 2026',
			start: expect.any(String),
			end: expect.any(String),
			timezone: TZ,
		});
		expect(item).not.toHaveProperty('chart');
		expect(item.text).toBe(text);
		expect(item.html).toContain('219.99 EUR');
		// The rules are sentences for the reader in `notes`, not developer prose fields.
		expect(item.notes).toEqual([
			'Monthly fees: full month.',
			'Each line is rounded to the cent; the total is the sum of the lines.',
		]);
		expect(item).not.toHaveProperty('roundingRule');
		expect(item).not.toHaveProperty('attribution');
		expect(item).not.toHaveProperty('language');
		expect(JSON.parse(JSON.stringify(item))).toEqual(item);
	});

	test('the builder streams: a day chart for the month, calls bucketed by day in the timezone', () => {
		const { overall } = summarize({}, [
			call({ total: '1', at: '2026-11-01T00:30:00+01:00' }),
			call({ total: '2', at: '2026-11-30T23:30:00+01:00' }),
		]);
		expect(overall.chart.by).toBe('day');
		expect(overall.chart.bars[0].value).toBe(1);
		expect(overall.chart.bars[29].value).toBe(2);
	});
});
