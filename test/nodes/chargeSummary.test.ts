/**
 * chargeSummary/generate, executed by n8n-core's real WorkflowExecute against the sandbox over real
 * HTTP. Every expected amount is computed here from the sandbox's raw data (visibleCalls,
 * phoneNumbers, assistants) with BigInt in 1e-8 units and luxon period bounds written out below —
 * never taken from src/. The rules restated here (see src/chargeSummary/index.ts and compute.ts):
 * each line is rounded once to the cent (half away from zero) and the total is the sum of the lines;
 * monthly fees are charged in full for one whole billing cycle and prorated by calendar days
 * otherwise; each call belongs to the first client rule that matches it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import type { IBinaryData, INodeExecutionData } from 'n8n-workflow';
import { FamulorBilling } from '../../nodes/FamulorBilling/FamulorBilling.node';
import { Sandbox, type RawCall, type RawPhoneNumber } from '../sandbox/server';
import { executeNode, type CredentialData } from '../helpers/engine';
import { costUnits, createdMs } from '../helpers/truth';

const TZ = 'Europe/Berlin';
const CYCLE_DAY = 15;
const FEES = {
	defaultMonthlyFee: 3.99,
	monthlyFees: {
		fee: [
			{ country: 'DE', fee: 4.5 },
			{ country: 'GB', fee: 2.75 },
		],
	},
};

let sandbox: Sandbox;
let credentials: CredentialData;
const node = new FamulorBilling();

beforeAll(async () => {
	// 64 days of history cover the previous billing cycle (it starts at most 62 days back) wherever "now" falls.
	sandbox = await Sandbox.start({ now: new Date().toISOString(), calls: 3000, days: 64 });
	credentials = { apiKey: sandbox.apiKey, baseUrl: sandbox.url, currency: 'EUR', billingCycleDay: CYCLE_DAY };
});

afterAll(async () => {
	await sandbox.stop();
});

beforeEach(() => sandbox.resetStats());

type Json = Record<string, any>;

const run = (parameters: Record<string, unknown>, inputItems?: Array<Record<string, unknown>>) =>
	executeNode({
		node,
		parameters: { resource: 'chargeSummary', operation: 'generate', ...FEES, ...parameters } as never,
		credentials,
		timezone: TZ,
		...(inputItems ? { inputItems: inputItems as never } : {}),
	});

async function generate(
	parameters: Record<string, unknown>,
	inputItems?: Array<Record<string, unknown>>,
): Promise<INodeExecutionData[]> {
	const { output, error } = await run(parameters, inputItems);
	expect(error).toBeUndefined();
	return output![0];
}

// ---------------------------------------------------------------------------------------------
// Independent truth
// ---------------------------------------------------------------------------------------------

/** Divides and rounds half away from zero, exactly. */
function roundDiv(numerator: bigint, denominator: bigint): bigint {
	const negative = numerator < 0n !== denominator < 0n;
	const n = numerator < 0n ? -numerator : numerator;
	const d = denominator < 0n ? -denominator : denominator;
	const q = (2n * n + d) / (2n * d);
	return negative ? -q : q;
}

/** 1e-8 units → cents (half away from zero). */
const cents = (units: bigint) => roundDiv(units, 1_000_000n);
/** A JSON amount → whole cents. */
const c = (amount: unknown) => BigInt(Math.round((amount as number) * 100));
const units = (amount: number) => costUnits(amount.toFixed(8));

/** The billing cycle before the one containing `now`, cycles renewing on `day` (clamped to short months). */
function previousCycle(day: number, zone: string, now = DateTime.now()): { start: DateTime; end: DateTime } {
	const startIn = (month: DateTime) => {
		const first = month.startOf('month');
		return first.set({ day: Math.min(day, first.daysInMonth!) });
	};
	const local = now.setZone(zone);
	let current = startIn(local);
	if (local < current) current = startIn(local.startOf('month').minus({ months: 1 }));
	return { start: startIn(current.startOf('month').minus({ months: 1 })), end: current };
}

interface Tally {
	calls: number;
	total: bigint;
	carrier: bigint;
	billableSeconds: number;
}

function tally(calls: RawCall[]): Tally {
	const result: Tally = { calls: 0, total: 0n, carrier: 0n, billableSeconds: 0 };
	for (const call of calls) {
		const duration = Number(call.duration ?? 0);
		result.calls += 1;
		result.total += costUnits(call.total_cost as string);
		result.carrier += costUnits(call.carrier_cost as string);
		result.billableSeconds += duration > 0 ? Math.max(30, duration) : 0;
	}
	return result;
}

const callsIn = (startMs: number, endMs: number) =>
	sandbox.visibleCalls().filter((call) => createdMs(call) >= startMs && createdMs(call) < endMs);

function feeOf(number: RawPhoneNumber): bigint {
	const country = String(number.country_code).toUpperCase();
	const row = FEES.monthlyFees.fee.find((f) => f.country === country);
	return units(row ? row.fee : FEES.defaultMonthlyFee);
}

/** Rented numbers (normal, active subscription) that existed before the period's end. */
function rentedBefore(endMs: number): RawPhoneNumber[] {
	return sandbox
		.phoneNumbers()
		.filter(
			(n) =>
				n.type === 'normal' &&
				n.has_active_subscription === true &&
				createdMs({ created_at: n.created_at } as RawCall) < endMs,
		);
}

/** Rental cents per line (one line per fee), each fee × count × covered/monthLength, rounded once. */
function rentalCents(
	numbers: RawPhoneNumber[],
	covered = 1n,
	monthLength = 1n,
): Map<bigint, { count: number; cents: bigint }> {
	const byFee = new Map<bigint, number>();
	for (const number of numbers) byFee.set(feeOf(number), (byFee.get(feeOf(number)) ?? 0) + 1);
	const result = new Map<bigint, { count: number; cents: bigint }>();
	for (const [fee, count] of byFee) {
		result.set(fee, { count, cents: roundDiv(fee * BigInt(count) * covered, monthLength * 1_000_000n) });
	}
	return result;
}

const sumCents = (map: Map<bigint, { cents: bigint }>) => [...map.values()].reduce((a, g) => a + g.cents, 0n);
const linesOf = (item: Json, kind: string) => (item.lines as Json[]).filter((line) => line.kind === kind);
const linesCents = (item: Json, kind?: string) =>
	(item.lines as Json[])
		.filter((line) => kind === undefined || line.kind === kind)
		.reduce((a, line) => a + c(line.amount), 0n);

/** RFC 4180 parser (quoted fields, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
	const rows: string[][] = [];
	let row: string[] = [];
	let cell = '';
	let quoted = false;
	for (let i = 0; i < text.length; i++) {
		const ch = text[i];
		if (quoted) {
			if (ch === '"' && text[i + 1] === '"') {
				cell += '"';
				i++;
			} else if (ch === '"') quoted = false;
			else cell += ch;
		} else if (ch === '"') quoted = true;
		else if (ch === ',') {
			row.push(cell);
			cell = '';
		} else if (ch === '\r' && text[i + 1] === '\n') {
			row.push(cell);
			rows.push(row);
			row = [];
			cell = '';
			i++;
		} else cell += ch;
	}
	if (cell !== '' || row.length) rows.push([...row, cell]);
	return rows;
}

function csvOf(item: INodeExecutionData): { fileName: string; mimeType: string; rows: string[][] } {
	const binary = item.binary?.data as IBinaryData;
	expect(binary).toBeDefined();
	return {
		fileName: binary.fileName!,
		mimeType: binary.mimeType,
		rows: parseCsv(Buffer.from(binary.data, 'base64').toString('utf8')),
	};
}

/** Plain decimal of a JSON number as the CSV writes it (no exponent). */
const decimal = (value: number) =>
	Number.isInteger(value) ? String(value) : value.toFixed(8).replace(/0+$/, '').replace(/\.$/, '');

function expectCsvMatchesLines(rows: string[][], item: Json, withClient: boolean) {
	const header = [
		'kind',
		'description',
		'quantity',
		'unit',
		'unitPrice',
		'amount',
		'currency',
		...(withClient ? ['client'] : []),
	];
	expect(rows[0]).toEqual(header);
	const lines = item.lines as Json[];
	expect(rows).toHaveLength(lines.length + 1);
	lines.forEach((line, index) => {
		const row = rows[index + 1];
		expect(row[0]).toBe(line.kind);
		expect(row[1]).toBe(line.description);
		expect(Number(row[2])).toBe(line.quantity);
		expect(row[2]).toBe(decimal(line.quantity));
		expect(row[3]).toBe(line.unit);
		expect(Number(row[4])).toBe(line.unitPrice);
		expect(row[5]).toBe((line.amount as number).toFixed(2));
		expect(row[6]).toBe('EUR');
		if (withClient) expect(row[7].replace(/^'(?=[=+\-@])/, '')).toBe(line.client);
	});
	const csvCents = rows.slice(1).reduce((a, row) => a + BigInt(Math.round(Number(row[5]) * 100)), 0n);
	expect(csvCents).toBe(c(item.charges.total));
}

// Client rules for the agency tests, and the same rules evaluated independently.
const CLIENT_RULES = [
	{ name: 'Acme GmbH', matchBy: 'assistant', values: 'sales*', markupPercent: 10 },
	{ name: 'Beta BV', matchBy: 'campaign', values: 'Customer Feedback Survey', markupPercent: 0 },
	{ name: 'Gamma Ltd', matchBy: 'phoneNumber', values: '+49 89 555020202, +1415*', markupPercent: 5.5 },
];
/** Markup in basis points of a percent (10 % = 1000). */
const MARKUP_BP: Record<string, bigint> = { 'Acme GmbH': 1000n, 'Beta BV': 0n, 'Gamma Ltd': 550n, Unassigned: 0n };

const digits = (phone: string) => (phone.trim().startsWith('+') ? '+' : '') + phone.replace(/\D/g, '');
function clientOfRawCall(call: RawCall): string {
	if (
		String(call.assistant_name ?? '')
			.toLowerCase()
			.startsWith('sales')
	)
		return 'Acme GmbH';
	if (
		call.campaign_name !== null &&
		call.campaign_name !== undefined &&
		call.campaign_name.trim().toLowerCase() === 'customer feedback survey'
	)
		return 'Beta BV';
	const own = call.assistant_phone_number ? digits(call.assistant_phone_number) : null;
	if (own !== null && (own === '+4989555020202' || own.startsWith('+1415'))) return 'Gamma Ltd';
	return 'Unassigned';
}
function clientOfRawNumber(number: RawPhoneNumber): string {
	const assistants = sandbox.assistants().filter((a) => a.phone_number_id === number.id);
	if (assistants.some((a) => a.name.toLowerCase().startsWith('sales'))) return 'Acme GmbH';
	const own = digits(number.phone_number);
	if (own === '+4989555020202' || own.startsWith('+1415')) return 'Gamma Ltd';
	return 'Unassigned';
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

describe('chargeSummary/generate for lastBillingCycle with billingCycleDay 15', () => {
	const cycle = () => previousCycle(CYCLE_DAY, TZ);

	it(
		'reported: platform and carrier are the sums of the reported costs, rentals = rented numbers × fee, lines ' +
			'sum to the total',
		async () => {
			const [out] = await generate({ period: 'lastBillingCycle', pricingMode: 'reported' });
			const item = out.json as Json;
			const { start, end } = cycle();
			expect(item.period.start).toBe(start.toISO({ suppressMilliseconds: true }));
			expect(item.period.end).toBe(end.toISO({ suppressMilliseconds: true }));
			expect(item.period.id).toBe(`cycle-${start.toFormat('yyyy-MM-dd')}`);
			expect(item.proration.applied).toBe('full billing cycle');

			const truth = tally(callsIn(start.toMillis(), end.toMillis()));
			expect(truth.calls).toBeGreaterThan(500);
			const rentals = rentalCents(rentedBefore(end.toMillis()));
			expect(rentals.size).toBeGreaterThan(1);

			expect(item.usage.calls).toBe(truth.calls);
			expect(item.usage.billableMinutes).toBeCloseTo(truth.billableSeconds / 60, 4);
			expect(item.pricingMode).toBe('reported');
			expect(item.plan).toBeNull();
			expect(c(linesOf(item, 'platform')[0].amount)).toBe(cents(truth.total - truth.carrier));
			expect(c(linesOf(item, 'carrier')[0].amount)).toBe(cents(truth.carrier));
			expect(c(item.charges.carrier)).toBe(cents(truth.carrier));
			// One rental line per fee, each count × the full monthly fee.
			const rentalLines = linesOf(item, 'numberRental');
			expect(rentalLines).toHaveLength(rentals.size);
			for (const line of rentalLines) {
				const group = rentals.get(units(line.unitPrice))!;
				expect(group).toBeDefined();
				expect(line.quantity).toBe(group.count);
				expect(c(line.amount)).toBe(group.cents);
			}
			expect(c(item.charges.numberRentals)).toBe(sumCents(rentals));

			const expectedTotal = cents(truth.total - truth.carrier) + cents(truth.carrier) + sumCents(rentals);
			expect(c(item.charges.total)).toBe(expectedTotal);
			expect(linesCents(item)).toBe(c(item.charges.total));
			// Rounding per line moves the total at most one cent away from the raw sum of total_cost.
			const raw = truth.total + sumCents(rentals) * 1_000_000n;
			expect(Math.abs(Number(c(item.charges.total) * 1_000_000n - raw))).toBeLessThanOrEqual(1_000_000);
			expect(item.byClient).toEqual([]);
			expect(item.client).toBeNull();
			expect(out.binary).toBeUndefined();
		},
	);

	it('plan/business: 199 + max(0, billable min − 600) × 0.15 + carrier + rentals', async () => {
		const [out] = await generate({ period: 'lastBillingCycle', pricingMode: 'plan', plan: 'business' });
		const item = out.json as Json;
		const { start, end } = cycle();
		const truth = tally(callsIn(start.toMillis(), end.toMillis()));
		const overSeconds = Math.max(0, truth.billableSeconds - 600 * 60);
		expect(overSeconds).toBeGreaterThan(0);
		// 0.15 per minute = 15_000_000 units per 60 s.
		const overageCents = cents((BigInt(overSeconds) * 15_000_000n) / 60n);
		const rentals = rentalCents(rentedBefore(end.toMillis()));

		expect(item.plan).toEqual({
			name: 'business',
			label: 'Business',
			includedMinutes: 600,
			planFee: 199,
			overageRate: 0.15,
		});
		expect(item.usage.includedMinutes).toBe(600);
		expect(item.usage.overageMinutes).toBeCloseTo(overSeconds / 60, 4);
		expect(c(item.charges.planFee)).toBe(19_900n);
		expect(c(item.charges.overage)).toBe(overageCents);
		expect(c(linesOf(item, 'overage')[0].amount)).toBe(overageCents);
		expect(linesOf(item, 'overage')[0].quantity).toBeCloseTo(overSeconds / 60, 4);
		expect(c(item.charges.carrier)).toBe(cents(truth.carrier));
		expect(c(item.charges.numberRentals)).toBe(sumCents(rentals));
		expect(linesOf(item, 'platform')).toHaveLength(0);
		const expectedTotal = 19_900n + overageCents + cents(truth.carrier) + sumCents(rentals);
		expect(c(item.charges.total)).toBe(expectedTotal);
		expect(linesCents(item)).toBe(expectedTotal);
	});
});

describe('proration of a 10-day custom period', () => {
	const period = { period: 'custom', startDate: '2026-11-01', endDate: '2026-11-11', options: { timezone: TZ } };
	const endMs = DateTime.fromISO('2026-11-11', { zone: TZ }).toMillis();

	it('charges each rented number fee × 10/30 (November), rounded once per line', async () => {
		const [out] = await generate({ ...period, pricingMode: 'reported' });
		const item = out.json as Json;
		expect(item.period.id).toBe('2026-11-01_2026-11-11');
		expect(item.proration.applied).toBe('prorated 10/30 days');
		const rentals = rentalCents(rentedBefore(endMs), 10n, 30n);
		const lines = linesOf(item, 'numberRental');
		expect(lines).toHaveLength(rentals.size);
		for (const line of lines) {
			// The line states the monthly fee; its unit price is the prorated fee of one number.
			const monthly = units(Number(/× ([\d.]+) EUR\/month/.exec(line.description)![1]));
			const group = rentals.get(monthly)!;
			expect(group).toBeDefined();
			expect(line.description).toContain('prorated 10/30 days');
			expect(line.quantity).toBe(group.count);
			expect(units(line.unitPrice)).toBe(roundDiv(monthly * 10n, 30n));
			expect(c(line.amount)).toBe(group.cents);
		}
		// DE 4.50 × 10/30 = 1.50 a number exactly; GB 2.75 × 10/30 = 0.91666… → 0.92 for one number.
		const de = lines.find((line) => line.description.includes('4.50 EUR/month'));
		expect(de?.unitPrice).toBe(1.5);
		// The html shows the quantity with its plural and the unit price as money.
		expect(item.html).toContain(`>${de!.quantity} ${de!.quantity === 1 ? 'number' : 'numbers'}</td>`);
		expect(item.html).toContain('>1.50</td>');
		expect(c(item.charges.numberRentals)).toBe(sumCents(rentals));
		const truth = tally(callsIn(DateTime.fromISO('2026-11-01', { zone: TZ }).toMillis(), endMs));
		expect(c(item.charges.total)).toBe(cents(truth.total - truth.carrier) + cents(truth.carrier) + sumCents(rentals));
		expect(linesCents(item)).toBe(c(item.charges.total));
	});

	it('prorates the plan fee and the included minutes the same way', async () => {
		const [out] = await generate({
			...period,
			pricingMode: 'plan',
			plan: 'custom',
			includedMinutes: 600,
			planFee: 199,
			overageRate: 0.15,
		});
		const item = out.json as Json;
		// 199 × 10/30 = 66.333… → 66.33; 600 min × 10/30 = 200 min.
		expect(c(item.charges.planFee)).toBe(roundDiv(19_900n * 10n, 30n));
		expect(c(item.charges.planFee)).toBe(6_633n);
		expect(item.usage.includedMinutes).toBe(200);
		const truth = tally(callsIn(DateTime.fromISO('2026-11-01', { zone: TZ }).toMillis(), endMs));
		const overSeconds = Math.max(0, truth.billableSeconds - 200 * 60);
		expect(c(item.charges.overage)).toBe(cents((BigInt(overSeconds) * 15_000_000n) / 60n));
		expect(linesCents(item)).toBe(c(item.charges.total));
	});
});

describe('clients (agencies)', () => {
	const cycle = () => previousCycle(CYCLE_DAY, TZ);

	function clientTruth() {
		const { start, end } = cycle();
		const calls = callsIn(start.toMillis(), end.toMillis());
		const byClient = new Map<string, RawCall[]>();
		for (const call of calls) {
			const name = clientOfRawCall(call);
			byClient.set(name, [...(byClient.get(name) ?? []), call]);
		}
		const numbers = new Map<string, RawPhoneNumber[]>();
		for (const number of rentedBefore(end.toMillis())) {
			const name = clientOfRawNumber(number);
			numbers.set(name, [...(numbers.get(name) ?? []), number]);
		}
		return { calls, byClient, numbers };
	}

	it(
		"reported: every call is assigned exactly once, Unassigned collects the rest, markup is the client's " +
			'percentage of its own lines',
		async () => {
			const [out] = await generate({
				period: 'lastBillingCycle',
				pricingMode: 'reported',
				clients: { client: CLIENT_RULES },
			});
			const item = out.json as Json;
			const truth = clientTruth();
			const rows = item.byClient as Json[];
			expect(rows.map((row) => row.client)).toEqual(['Acme GmbH', 'Beta BV', 'Gamma Ltd', 'Unassigned']);
			expect(truth.byClient.get('Unassigned')!.length).toBeGreaterThan(0);

			// Every call exactly once: client call counts add up to the account's.
			expect(rows.reduce((a, row) => a + row.calls, 0)).toBe(truth.calls.length);
			expect(item.usage.calls).toBe(truth.calls.length);

			let overall = 0n;
			for (const row of rows) {
				const calls = tally(truth.byClient.get(row.client) ?? []);
				const rentals = sumCents(rentalCents(truth.numbers.get(row.client) ?? []));
				const base = cents(calls.total - calls.carrier) + cents(calls.carrier) + rentals;
				const markup = roundDiv(base * MARKUP_BP[row.client], 10_000n);
				expect(row.calls).toBe(calls.calls);
				expect(c(row.charges.platform)).toBe(cents(calls.total - calls.carrier));
				expect(c(row.charges.carrier)).toBe(cents(calls.carrier));
				expect(c(row.charges.numberRentals)).toBe(rentals);
				expect(c(row.charges.markup)).toBe(markup);
				expect(c(row.total)).toBe(base + markup);

				const own = (item.lines as Json[]).filter((line) => line.client === row.client);
				const markupLines = own.filter((line) => line.kind === 'markup');
				if (MARKUP_BP[row.client] > 0n) {
					expect(markupLines).toHaveLength(1);
					const others = own.filter((line) => line.kind !== 'markup').reduce((a, line) => a + c(line.amount), 0n);
					expect(others).toBe(base);
					expect(c(markupLines[0].amount)).toBe(roundDiv(others * MARKUP_BP[row.client], 10_000n));
				} else {
					expect(markupLines).toHaveLength(0);
				}
				overall += base + markup;
			}
			expect(c(item.charges.total)).toBe(overall);
			expect(rows.reduce((a, row) => a + c(row.total), 0n)).toBe(c(item.charges.total));
			expect(linesCents(item)).toBe(c(item.charges.total));
			expect((item.lines as Json[]).every((line) => typeof line.client === 'string')).toBe(true);
			expect(c(rows.find((row) => row.client === 'Acme GmbH')!.charges.markup)).toBeGreaterThan(0n);
		},
	);

	it("plan: the plan fee and overage are shared in whole cents that add up to the account's lines", async () => {
		const [out] = await generate({
			period: 'lastBillingCycle',
			pricingMode: 'plan',
			plan: 'business',
			clients: { client: CLIENT_RULES },
		});
		const item = out.json as Json;
		const truth = clientTruth();
		const all = tally(truth.calls);
		const overSeconds = Math.max(0, all.billableSeconds - 36_000);
		const overageCents = cents((BigInt(overSeconds) * 15_000_000n) / 60n);
		const rows = item.byClient as Json[];
		expect(linesCents(item, 'planFee')).toBe(19_900n);
		expect(linesCents(item, 'overage')).toBe(overageCents);
		let sum = 0n;
		for (const row of rows) {
			const calls = tally(truth.byClient.get(row.client) ?? []);
			// Proportional to billable seconds, within one cent of the exact share.
			const exactFee = (19_900 * calls.billableSeconds) / all.billableSeconds;
			expect(Math.abs(Number(c(row.charges.planFee)) - exactFee)).toBeLessThanOrEqual(1);
			expect(c(row.charges.carrier)).toBe(cents(calls.carrier));
			const rentals = sumCents(rentalCents(truth.numbers.get(row.client) ?? []));
			expect(c(row.charges.numberRentals)).toBe(rentals);
			const base = c(row.charges.planFee) + c(row.charges.overage) + cents(calls.carrier) + rentals;
			expect(c(row.charges.markup)).toBe(roundDiv(base * MARKUP_BP[row.client], 10_000n));
			sum += c(row.total);
		}
		expect(sum).toBe(c(item.charges.total));
		expect(linesCents(item)).toBe(c(item.charges.total));
	});

	it(
		'outputs.onePerClient gives one full summary per client; outputs.csv attaches ' +
			'charge-summary-<period.id>.csv matching the lines',
		async () => {
			const [overallItem] = await generate({
				period: 'lastBillingCycle',
				pricingMode: 'reported',
				clients: { client: CLIENT_RULES },
				outputs: { csv: true },
			});
			const overall = overallItem.json as Json;
			const fileName = `charge-summary-${overall.period.id}.csv`;
			const overallCsv = csvOf(overallItem);
			expect(overallCsv.fileName).toBe(fileName);
			expect(overallCsv.mimeType).toBe('text/csv');
			expectCsvMatchesLines(overallCsv.rows, overall, true);

			const items = await generate({
				period: 'lastBillingCycle',
				pricingMode: 'reported',
				clients: { client: CLIENT_RULES },
				outputs: { onePerClient: true, csv: true },
			});
			expect(items.map((i) => (i.json as Json).client)).toEqual(['Acme GmbH', 'Beta BV', 'Gamma Ltd', 'Unassigned']);
			let sum = 0n;
			for (const out of items) {
				const item = out.json as Json;
				const row = (overall.byClient as Json[]).find((r) => r.client === item.client)!;
				expect(item.byClient).toEqual([row]);
				expect(item.charges).toEqual(row.charges);
				expect(item.usage.calls).toBe(row.calls);
				expect((item.lines as Json[]).every((line) => line.client === item.client)).toBe(true);
				expect(linesCents(item)).toBe(c(item.charges.total));
				expect(item.html).toContain(`Charge summary: ${item.client}`);
				expect(item.text).toContain(item.client);
				const csv = csvOf(out);
				expect(csv.fileName).toBe(fileName);
				expectCsvMatchesLines(csv.rows, item, true);
				expect(out.pairedItem).toEqual({ item: 0 });
				sum += c(item.charges.total);
			}
			expect(sum).toBe(c(overall.charges.total));
		},
	);
});

describe('client-ready reports: German, VAT, the CSV of a German Excel (SPEC §17)', () => {
	const rules = [
		{ ...CLIENT_RULES[0], vatPercent: '', reverseCharge: false },
		{ ...CLIENT_RULES[1], vatPercent: '7', reverseCharge: false },
		{ ...CLIENT_RULES[2], vatPercent: '', reverseCharge: true },
	];
	/** VAT in cents on net cents at `rate` percent (hundredths), half away from zero. */
	const vatOf = (net: bigint, hundredths: bigint) => roundDiv(net * hundredths, 10_000n);
	const RATE: Record<string, bigint> = { 'Acme GmbH': 1900n, 'Beta BV': 700n, 'Gamma Ltd': 0n, Unassigned: 1900n };

	it('one item per client with net, VAT and gross; German text and HTML; a semicolon CSV', async () => {
		const items = await generate({
			period: 'lastBillingCycle',
			pricingMode: 'reported',
			clients: { client: rules },
			outputs: { onePerClient: true, csv: true, csvDialect: 'semicolon' },
			options: { language: 'de', vatPercent: 19, timezone: TZ },
		});
		expect(items.map((item) => (item.json as Json).client)).toEqual([
			'Acme GmbH',
			'Beta BV',
			'Gamma Ltd',
			'Unassigned',
		]);
		for (const out of items) {
			const item = out.json as Json;
			const net = linesCents(item);
			expect(c(item.charges.net)).toBe(net);
			expect(c(item.charges.vat)).toBe(vatOf(net, RATE[item.client as string]!));
			expect(c(item.charges.gross)).toBe(net + c(item.charges.vat));
			expect(item.reverseCharge).toBe(item.client === 'Gamma Ltd');
			expect(item.html).toMatch(/^<!DOCTYPE html><html lang="de">/);
			expect(item.html).toContain('Gesamtbetrag inkl. USt.');
			expect(item.text).toContain('*Famulor-Kostenübersicht: ');
			expect(item.period.label).toMatch(/^Abrechnungszeitraum \d\d\.\d\d\.\d{4} – \d\d\.\d\d\.\d{4}$/);
			// Machine fields stay as they are: ISO dates, ids, codes.
			expect(item.period.id).toMatch(/^cycle-\d{4}-\d{2}-15$/);
			expect(item.lines.every((line: Json) => /^[a-zA-Z]+$/.test(line.kind))).toBe(true);

			const binary = out.binary?.data as IBinaryData;
			const bytes = Buffer.from(binary.data, 'base64');
			expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
			const text = bytes.toString('utf8').slice(1);
			const rows = text
				.split('\r\n')
				.filter(Boolean)
				.map((row) => row.match(/("([^"]|"")*"|[^;]*)(;|$)/g)!.map((cell) => cell.replace(/;$/, '')));
			expect(rows[0]!.slice(0, 6)).toEqual(['Art', 'Beschreibung', 'Menge', 'Einheit', 'Einzelpreis', 'Betrag']);
			// Each amount read back with a decimal comma is the line's amount.
			const amounts = rows.slice(1).map((row) => BigInt(row[5]!.replace(',', '')));
			expect(amounts).toEqual(item.lines.map((line: Json) => c(line.amount)));
		}
		const gamma = items.find((item) => (item.json as Json).client === 'Gamma Ltd')!.json as Json;
		expect(gamma.notes).toContain(
			'Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge) gemäß Art. 196 MwStSystRL.',
		);
		expect(gamma.html).toContain('Steuerschuldnerschaft des Leistungsempfängers');
	});

	it("the account's VAT is the sum of its clients' VAT, and it reads the same in English", async () => {
		const [german] = await generate({
			period: 'lastBillingCycle',
			pricingMode: 'reported',
			clients: { client: rules },
			options: { language: 'de', vatPercent: 19, timezone: TZ },
		});
		const [english] = await generate({
			period: 'lastBillingCycle',
			pricingMode: 'reported',
			clients: { client: rules },
			options: { vatPercent: 19, timezone: TZ },
		});
		const item = german.json as Json;
		const rows = item.byClient as Json[];
		let vat = 0n;
		for (const row of rows) {
			expect(c(row.vat)).toBe(vatOf(c(row.net), RATE[row.client]!));
			vat += c(row.vat);
		}
		expect(c(item.charges.vat)).toBe(vat);
		expect(c(item.charges.gross)).toBe(c(item.charges.net) + vat);
		expect((english.json as Json).charges).toEqual(item.charges);
		expect((english.json as Json).text).toContain('*Total incl. VAT: ');
	});

	it.each([
		[
			'a negative VAT Percent',
			{ options: { vatPercent: -1 } },
			/Parameter "options.vatPercent": VAT Percent -1 is negative/,
		],
		['a VAT Percent over 100', { options: { vatPercent: 150 } }, /VAT Percent 150 is more than 100 %/],
		[
			"a client's VAT Percent that is not a decimal",
			{ clients: { client: [{ ...rules[0], vatPercent: '19,5' }] } },
			/Parameter "clients": Client rule 1 \(Acme GmbH\) has VAT Percent "19,5" is not a decimal number/,
		],
		['an unknown language', { options: { language: 'fr' } }, /Language "fr" is not supported/],
		[
			'an unknown CSV format',
			{ outputs: { csv: true, csvDialect: 'tab' } },
			/CSV Format "tab" is not one of its options/,
		],
	])('%s is refused before any request, with the fix', async (_name, parameters, message) => {
		const { output, error } = await run({ period: 'lastBillingCycle', pricingMode: 'reported', ...parameters });
		expect(output).toBeUndefined();
		expect(error?.message).toMatch(message);
		expect(error?.description).toBeTruthy();
		expect(sandbox.stats.requests).toBe(0);
	});
});

describe('hostile names', () => {
	const XSS = '<img src=x onerror=alert(1)>';
	const FORMULA = '=HYPERLINK("http://evil")';

	it('escapes a campaign / client name in html and neutralises a formula client name in the CSV', async () => {
		const day = DateTime.now().setZone(TZ).startOf('day').minus({ days: 3 });
		sandbox.addCall({
			created_at: day.plus({ hours: 10 }).toUTC().toISO()!,
			campaign_name: XSS,
			duration: 95,
			status: 'completed',
		});
		const parameters = {
			period: 'custom',
			startDate: day.toFormat('yyyy-MM-dd'),
			endDate: day.plus({ days: 1 }).toFormat('yyyy-MM-dd'),
			pricingMode: 'reported',
			options: { timezone: TZ },
			clients: {
				client: [
					{ name: XSS, matchBy: 'campaign', values: XSS, markupPercent: 0 },
					// A value starting with "=" is an n8n expression, so a literal formula name arrives the way it
					// would in practice: from an earlier node's data.
					{ name: '={{ $json.clientName }}', matchBy: 'assistant', values: 'Support Bot', markupPercent: 0 },
				],
			},
			outputs: { csv: true },
		};
		const [out] = await generate(parameters, [{ clientName: FORMULA }]);
		const item = out.json as Json;
		expect((item.byClient as Json[]).map((row) => row.client)).toEqual([XSS, FORMULA, 'Unassigned']);
		const hostile = (item.byClient as Json[]).find((row) => row.client === XSS)!;
		expect(hostile.calls).toBe(1);

		const html = item.html as string;
		expect(html).not.toMatch(/<img/i);
		expect(html).not.toContain(XSS);
		expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
		expect(html).toContain('=HYPERLINK(&quot;http://evil&quot;)');
		expect(item.text).not.toContain('<img');

		const { rows } = csvOf(out);
		const clientCells = rows.slice(1).map((row) => row[7]);
		expect(clientCells).toContain(`'${FORMULA}`);
		expect(clientCells).not.toContain(FORMULA);
		for (const cell of rows.flat()) expect(cell).not.toMatch(/^[=+\-@]/);
		expectCsvMatchesLines(rows, item, true);

		// One item per client: the client's own report escapes its name in the title too.
		const perClient = await generate({ ...parameters, outputs: { onePerClient: true, csv: true } }, [
			{ clientName: FORMULA },
		]);
		const own = perClient.find((i) => (i.json as Json).client === XSS)!.json as Json;
		expect(own.html).not.toMatch(/<img/i);
		expect(own.html).toContain('Charge summary: &lt;img src=x onerror=alert(1)&gt;');
		const formulaItem = perClient.find((i) => (i.json as Json).client === FORMULA)!;
		expect(
			csvOf(formulaItem)
				.rows.slice(1)
				.every((row) => row[7] === `'${FORMULA}`),
		).toBe(true);
	});
});

describe('invalid parameters fail with the parameter named, before any request', () => {
	it.each([
		[
			'a client rule without values',
			{
				pricingMode: 'reported',
				clients: { client: [{ name: 'Acme GmbH', matchBy: 'assistant', values: ' , ', markupPercent: 0 }] },
			},
			/Parameter "clients": Client rule 1 \(Acme GmbH\) has no values/,
		],
		[
			'a negative markup',
			{
				pricingMode: 'reported',
				clients: { client: [{ name: 'Acme GmbH', matchBy: 'assistant', values: 'Sales*', markupPercent: -5 }] },
			},
			/Parameter "clients": .*markup "-5"/,
		],
		[
			'a custom plan with a negative overage rate',
			{ pricingMode: 'plan', plan: 'custom', includedMinutes: 600, planFee: 199, overageRate: -0.15 },
			/Parameter "overageRate": Overage Rate "-0.15" is not a non-negative number/,
		],
		[
			'a custom plan with a negative plan fee',
			{ pricingMode: 'plan', plan: 'custom', includedMinutes: 600, planFee: -1, overageRate: 0.15 },
			/Parameter "planFee"/,
		],
	])('%s', async (_name, parameters, message) => {
		const { output, error } = await run({ period: 'lastBillingCycle', ...parameters });
		expect(output).toBeUndefined();
		expect(error?.message).toMatch(message);
		expect(error?.description).toBeTruthy();
		expect(sandbox.stats.requests).toBe(0);
	});
});

describe('examples/monthly-client-report.json', () => {
	const workflow = JSON.parse(
		fs.readFileSync(path.join(__dirname, '../../examples/monthly-client-report.json'), 'utf8'),
	) as Json;

	it('is a connected schedule → charge summary → filter → email workflow', () => {
		const byName = new Map((workflow.nodes as Json[]).map((n) => [n.name as string, n]));
		const next = (name: string) => workflow.connections[name]?.main?.[0]?.[0]?.node as string | undefined;
		const trigger = (workflow.nodes as Json[]).find((n) => n.type === 'n8n-nodes-base.scheduleTrigger')!;
		expect(trigger.parameters.rule.interval[0].field).toBe('months');
		const summary = byName.get(next(trigger.name)!)!;
		expect(summary.type).toBe('n8n-nodes-famulor-billing.famulorBilling');
		expect(summary.typeVersion).toBe(1);
		expect(summary.credentials).toBeUndefined(); // picked on import
		expect(summary.parameters.outputs).toEqual({ onePerClient: true, csv: true });
		const email = byName.get(next(next(summary.name)!)!)!;
		expect(email.type).toBe('n8n-nodes-base.emailSend');
		expect(email.parameters.html).toBe('={{ $json.html }}');
		expect(email.parameters.options.attachments).toBe('data');
		for (const node of workflow.nodes as Json[]) expect(typeof node.id).toBe('string');
	});

	it('its Famulor Billing parameters run against the sandbox: one item per client with html and the CSV', async () => {
		const summary = (workflow.nodes as Json[]).find((n) => n.type === 'n8n-nodes-famulor-billing.famulorBilling')!;
		const { output, error } = await executeNode({ node, parameters: summary.parameters, credentials, timezone: TZ });
		expect(error).toBeUndefined();
		const items = output![0];
		const names = (summary.parameters.clients.client as Json[]).map((client) => client.name);
		expect(items.map((item) => (item.json as Json).client)).toEqual([...names, 'Unassigned']);
		for (const item of items) {
			expect((item.json as Json).html).toMatch(/^<!DOCTYPE html>/);
			expect(csvOf(item).fileName).toBe(`charge-summary-${(item.json as Json).period.id}.csv`);
		}
	});
});

describe('examples/monthly-client-statements-de.json', () => {
	const workflow = JSON.parse(
		fs.readFileSync(path.join(__dirname, '../../examples/monthly-client-statements-de.json'), 'utf8'),
	) as Json;
	const byType = (type: string) => (workflow.nodes as Json[]).find((n) => n.type === type)!;

	it('is a monthly schedule → German statements with VAT → filter → email with the semicolon CSV attached', () => {
		const next = (name: string) => workflow.connections[name]?.main?.[0]?.[0]?.node as string | undefined;
		const trigger = byType('n8n-nodes-base.scheduleTrigger');
		expect(trigger.parameters.rule.interval[0].field).toBe('months');
		const summary = byType('n8n-nodes-famulor-billing.famulorBilling');
		expect(next(trigger.name)).toBe(summary.name);
		expect(summary.credentials).toBeUndefined();
		expect(summary.parameters.outputs).toEqual({ onePerClient: true, csv: true, csvDialect: 'semicolon' });
		expect(summary.parameters.options).toMatchObject({ language: 'de', vatPercent: 19 });
		const email = byType('n8n-nodes-base.emailSend');
		expect(next(next(summary.name)!)).toBe(email.name);
		expect(email.parameters).toMatchObject({ html: '={{ $json.html }}', options: { attachments: 'data' } });
		expect(email.parameters.subject).toContain('$json.charges.gross');
		expect(typeof workflow.id).toBe('string');
	});

	it('German statements per client against the sandbox: 19 % VAT or reverse charge, a CSV for Excel', async () => {
		const summary = byType('n8n-nodes-famulor-billing.famulorBilling');
		const { output, error } = await executeNode({ node, parameters: summary.parameters, credentials, timezone: TZ });
		expect(error).toBeUndefined();
		const items = output![0];
		expect(items.map((item) => (item.json as Json).client)).toEqual([
			'Autohaus Becker GmbH',
			'Praxis Dr. Wagner',
			'Northwind BV',
			'Unassigned',
		]);
		for (const item of items) {
			const json = item.json as Json;
			const net = linesCents(json);
			const reverse = json.client === 'Northwind BV';
			expect(json.reverseCharge).toBe(reverse);
			expect(c(json.charges.vat)).toBe(reverse ? 0n : roundDiv(net * 19n, 100n));
			expect(c(json.charges.gross)).toBe(net + c(json.charges.vat));
			expect(json.html).toContain('<html lang="de">');
			expect(json.html).toContain(reverse ? 'Steuerschuldnerschaft des Leistungsempfängers' : 'USt. 19 %');
			expect(json.text).not.toMatch(/\*/);
			const binary = item.binary?.data as IBinaryData;
			expect(Buffer.from(binary.data, 'base64').toString('utf8')).toMatch(/^\ufeffArt;Beschreibung;Menge;/);
		}
		// The rules match the sandbox's account: every client has calls.
		expect(items.every((item) => (item.json as Json).usage.calls > 0)).toBe(true);
	});
});
