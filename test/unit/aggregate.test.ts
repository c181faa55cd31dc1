/**
 * Streaming aggregation: groups, time buckets in a timezone across DST, exact totals. Expected sums
 * are computed in the test with BigInt from the decimal strings, independently of src/money.ts.
 */
import { normalizeCall } from '../../src/api/classic/calls';
import { type Call, type GroupBy } from '../../src/calls';
import { UsageAggregator, usageRow } from '../../src/aggregate';
import { resolvePeriod } from '../../src/periods';
import { callSchema } from '../../src/api/classic/schemas';

let nextId = 1;
function call(fields: {
	at: string;
	total?: string | number;
	carrier?: string | number;
	duration?: number;
	assistant?: string | null;
	campaign?: string | null;
	number?: string | null;
	type?: string | null;
	status?: string;
}): Call {
	return normalizeCall(
		callSchema.parse({
			id: nextId++,
			created_at: fields.at,
			total_cost: fields.total ?? '0.10000000',
			carrier_cost: fields.carrier ?? '0.00000000',
			duration: fields.duration ?? 60,
			assistant_name: fields.assistant === undefined ? 'Sales' : fields.assistant,
			campaign_name: fields.campaign === undefined ? null : fields.campaign,
			assistant_phone_number: fields.number === undefined ? '+4930111111' : fields.number,
			type: fields.type === undefined ? 'outbound' : fields.type,
			status: fields.status ?? 'completed',
		}),
	);
}

function aggregate(
	groupBy: GroupBy,
	calls: Call[],
	timezone = 'Europe/Berlin',
): Map<string | null, { calls: number; cost: number }> {
	const aggregator = new UsageAggregator(groupBy, timezone);
	for (const c of calls) aggregator.add(c);
	return new Map(aggregator.entries().map((e) => [e.group, { calls: e.totals.calls, cost: e.totals.totalCost }]));
}

/** "0.12345678" → 12345678n, by string manipulation only. */
function bigUnits(text: string): bigint {
	const [whole, fraction = ''] = text.split('.');
	return BigInt(whole) * 100_000_000n + BigInt(fraction.padEnd(8, '0'));
}

/** 12345678n → "0.12345678" */
function bigToDecimal(units: bigint): string {
	const text = units.toString().padStart(9, '0');
	return `${text.slice(0, -8)}.${text.slice(-8)}`;
}

/** Deterministic pseudo-random generator (LCG) for reproducible costs. */
function lcg(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
		return state;
	};
}

describe('grouping by dimension', () => {
	const calls = [
		call({
			at: '2026-03-02T10:00:00Z',
			total: '0.30000000',
			assistant: 'Sales',
			campaign: 'Spring',
			number: '+49301',
			type: 'outbound',
			status: 'completed',
		}),
		call({
			at: '2026-03-02T11:00:00Z',
			total: '0.20000000',
			assistant: 'Support',
			campaign: null,
			number: '+49302',
			type: 'inbound',
			status: 'busy',
		}),
		call({
			at: '2026-03-02T12:00:00Z',
			total: '0.05000000',
			assistant: 'Sales',
			campaign: null,
			number: '+49302',
			type: 'web',
			status: 'completed',
		}),
		call({
			at: '2026-03-02T13:00:00Z',
			total: '0.40000000',
			assistant: null,
			campaign: 'Spring',
			number: null,
			type: 'inbound',
			status: 'no-answer',
		}),
	];

	it('assistant', () => {
		const groups = aggregate('assistant', calls);
		expect([...groups.keys()]).toEqual(['(no assistant)', 'Sales', 'Support']); // by cost: 0.40, 0.35, 0.20
		expect(groups.get('Sales')).toEqual({ calls: 2, cost: 35_000_000 });
		expect(groups.get('Support')).toEqual({ calls: 1, cost: 20_000_000 });
	});

	it('campaign, with null → "(no campaign)"', () => {
		const groups = aggregate('campaign', calls);
		expect(groups.get('Spring')).toEqual({ calls: 2, cost: 70_000_000 });
		expect(groups.get('(no campaign)')).toEqual({ calls: 2, cost: 25_000_000 });
		expect(groups.size).toBe(2);
	});

	it('phoneNumber, direction, status', () => {
		const numbers = aggregate('phoneNumber', calls);
		expect(numbers.get('+49301')).toEqual({ calls: 1, cost: 30_000_000 });
		expect(numbers.get('+49302')).toEqual({ calls: 2, cost: 25_000_000 });
		expect(numbers.get('(no number)')).toEqual({ calls: 1, cost: 40_000_000 });

		const directions = aggregate('direction', calls);
		expect(Object.fromEntries(directions)).toEqual({
			inbound: { calls: 2, cost: 60_000_000 },
			outbound: { calls: 1, cost: 30_000_000 },
			web: { calls: 1, cost: 5_000_000 },
		});

		const statuses = aggregate('status', calls);
		expect(Object.fromEntries(statuses)).toEqual({
			completed: { calls: 2, cost: 35_000_000 },
			busy: { calls: 1, cost: 20_000_000 },
			'no-answer': { calls: 1, cost: 40_000_000 },
		});
	});

	it('none: one row with the overall totals', () => {
		const aggregator = new UsageAggregator('none', 'UTC');
		for (const c of calls) aggregator.add(c);
		const entries = aggregator.entries();
		expect(entries).toHaveLength(1);
		expect(entries[0].group).toBeNull();
		expect(entries[0].totals.calls).toBe(4);
		expect(entries[0].totals.totalCost).toBe(95_000_000);
	});

	it('ties in cost are ordered by name', () => {
		const tied = [
			call({ at: '2026-03-02T10:00:00Z', assistant: 'B' }),
			call({ at: '2026-03-02T10:00:00Z', assistant: 'A' }),
		];
		expect([...aggregate('assistant', tied).keys()]).toEqual(['A', 'B']);
	});
});

describe('grouping by time in a timezone', () => {
	it('day in Berlin across the spring change', () => {
		const calls = [
			call({ at: '2026-03-28T22:59:00Z' }), // 23:59 +01:00 on 28 Mar
			call({ at: '2026-03-28T23:00:00Z' }), // 00:00 +01:00 on 29 Mar
			call({ at: '2026-03-29T21:59:59Z' }), // 23:59:59 +02:00 on 29 Mar
			call({ at: '2026-03-29T22:00:00Z' }), // 00:00 +02:00 on 30 Mar
		];
		const days = aggregate('day', calls);
		expect([...days.keys()]).toEqual(['2026-03-28', '2026-03-29', '2026-03-30']);
		expect(days.get('2026-03-29')?.calls).toBe(2);
		// The same instants in New York (-04:00 since 8 Mar): 18:59, 19:00, 17:59:59 and 18:00, 28/28/29/29 Mar.
		const nyDays = aggregate('day', calls, 'America/New_York');
		expect(Object.fromEntries(nyDays)).toEqual({
			'2026-03-28': { calls: 2, cost: 20_000_000 },
			'2026-03-29': { calls: 2, cost: 20_000_000 },
		});
	});

	it('hour in Berlin: 02:00 does not exist in spring, 02:00 happens twice in autumn', () => {
		const spring = aggregate('hour', [
			call({ at: '2026-03-29T00:59:00Z' }), // 01:59 +01:00
			call({ at: '2026-03-29T01:00:00Z' }), // 03:00 +02:00
			call({ at: '2026-03-29T01:45:00Z' }), // 03:45 +02:00
		]);
		expect([...spring.keys()]).toEqual(['2026-03-29T01:00:00+01:00', '2026-03-29T03:00:00+02:00']);
		expect(spring.get('2026-03-29T03:00:00+02:00')?.calls).toBe(2);

		const autumn = aggregate('hour', [
			call({ at: '2026-10-25T00:30:00Z' }), // 02:30 +02:00
			call({ at: '2026-10-25T00:59:00Z' }), // 02:59 +02:00
			call({ at: '2026-10-25T01:30:00Z' }), // 02:30 +01:00
			call({ at: '2026-10-25T02:00:00Z' }), // 03:00 +01:00
		]);
		expect(Object.fromEntries(autumn)).toEqual({
			'2026-10-25T02:00:00+02:00': { calls: 2, cost: 20_000_000 },
			'2026-10-25T02:00:00+01:00': { calls: 1, cost: 10_000_000 },
			'2026-10-25T03:00:00+01:00': { calls: 1, cost: 10_000_000 },
		});
	});

	it('hour in a +05:45 timezone', () => {
		const hours = aggregate(
			'hour',
			[
				call({ at: '2026-01-01T00:14:00Z' }),
				call({ at: '2026-01-01T00:15:00Z' }),
				call({ at: '2026-01-01T01:14:59Z' }),
			],
			'Asia/Kathmandu',
		);
		// 05:59 → hour 05; 06:00 and 06:59:59 → hour 06.
		expect(Object.fromEntries(hours)).toEqual({
			'2026-01-01T05:00:00+05:45': { calls: 1, cost: 10_000_000 },
			'2026-01-01T06:00:00+05:45': { calls: 2, cost: 20_000_000 },
		});
	});

	it('time groups come out in chronological order', () => {
		const days = aggregate('day', [
			call({ at: '2026-03-05T10:00:00Z', total: '0.01' }),
			call({ at: '2026-03-01T10:00:00Z', total: '9.00' }),
			call({ at: '2026-03-03T10:00:00Z', total: '1.00' }),
		]);
		expect([...days.keys()]).toEqual(['2026-03-01', '2026-03-03', '2026-03-05']);
	});
});

describe('exact totals', () => {
	it('sums 20,000 8-decimal costs exactly, per group and overall', () => {
		const next = lcg(42);
		const assistants = ['A', 'B', 'C', 'D', 'E'];
		const expected = new Map<string, { total: bigint; carrier: bigint; calls: number }>();
		let expectedTotal = 0n;
		let expectedCarrier = 0n;
		let floatTotal = 0;
		const aggregator = new UsageAggregator('assistant', 'Europe/Berlin');
		for (let i = 0; i < 20_000; i++) {
			const total = `${next() % 5}.${String(next() % 100_000_000).padStart(8, '0')}`;
			const carrier = `0.${String(next() % 100_000_000).padStart(8, '0')}`;
			const assistant = assistants[next() % assistants.length];
			// Half of the costs as JSON numbers, the way some API versions send them.
			const asNumber = i % 2 === 0;
			aggregator.add(call({ at: '2026-03-02T10:00:00Z', total: asNumber ? Number(total) : total, carrier, assistant }));
			const entry = expected.get(assistant) ?? { total: 0n, carrier: 0n, calls: 0 };
			entry.total += bigUnits(total);
			entry.carrier += bigUnits(carrier);
			entry.calls += 1;
			expected.set(assistant, entry);
			expectedTotal += bigUnits(total);
			floatTotal += Number(total);
			expectedCarrier += bigUnits(carrier);
		}
		expect(BigInt(aggregator.overall.totalCost)).toBe(expectedTotal);
		expect(BigInt(aggregator.overall.carrierCost)).toBe(expectedCarrier);
		for (const { group, totals } of aggregator.entries()) {
			const want = expected.get(group as string);
			expect(want).toBeDefined();
			expect(BigInt(totals.totalCost)).toBe(want?.total);
			expect(BigInt(totals.carrierCost)).toBe(want?.carrier);
			expect(totals.calls).toBe(want?.calls);
		}
		const period = resolvePeriod('thisMonth', { now: Date.parse('2026-03-10T00:00:00Z'), timezone: 'Europe/Berlin' });
		const row = usageRow(period, 'none', null, aggregator.overall, 'EUR');
		// The output number is the double closest to the exact decimal.
		expect(row.totalCost).toBe(Number(bigToDecimal(expectedTotal)));
		expect(row.carrierCost).toBe(Number(bigToDecimal(expectedCarrier)));
		expect(row.platformCost).toBe(Number(bigToDecimal(expectedTotal - expectedCarrier)));
		// Summing the costs as floats would not give this number: the check above is sensitive.
		expect(floatTotal).not.toBe(Number(bigToDecimal(expectedTotal)));
	});
});

describe('usage rows', () => {
	const period = resolvePeriod('lastMonth', { now: Date.parse('2026-03-10T00:00:00Z'), timezone: 'Europe/Berlin' });

	it('minutes, platform cost and averages', () => {
		const aggregator = new UsageAggregator('none', 'Europe/Berlin');
		aggregator.add(call({ at: '2026-02-02T10:00:00Z', total: '0.10000000', carrier: '0.01000000', duration: 10 }));
		aggregator.add(call({ at: '2026-02-02T11:00:00Z', total: '0.20000000', carrier: '0.02000000', duration: 45 }));
		aggregator.add(
			call({
				at: '2026-02-02T12:00:00Z',
				total: '0.40000000',
				carrier: '0.00000000',
				duration: 0,
				status: 'no-answer',
			}),
		);
		const row = usageRow(period, 'none', null, aggregator.overall, 'EUR');
		// talk 55 s; billable 30 + 45 + 0 = 75 s = 1.25 min; total 0.70; carrier 0.03.
		expect(row).toMatchObject({
			group: null,
			calls: 3,
			connectedCalls: 2,
			talkSeconds: 55,
			talkMinutes: 0.9167,
			billableMinutes: 1.25,
			totalCost: 0.7,
			carrierCost: 0.03,
			platformCost: 0.67,
			// 0.70 / 3 = 0.2333333333… → 8 decimals
			averageCostPerCall: 0.23333333,
			// 0.70 / 1.25 min
			averageCostPerMinute: 0.56,
			currency: 'EUR',
		});
		expect(row.period).toEqual({
			id: '2026-02',
			label: period.label,
			start: '2026-02-01T00:00:00+01:00',
			end: '2026-03-01T00:00:00+01:00',
			timezone: 'Europe/Berlin',
		});
		expect(Object.keys(row.period).sort()).toEqual(['end', 'id', 'label', 'start', 'timezone']);
	});

	it('averages round half up at the 8th decimal and are 0 without calls or minutes', () => {
		const aggregator = new UsageAggregator('none', 'UTC');
		// 2 calls of 0.00000001 and 0.00000002: average 0.000000015 → 0.00000002.
		aggregator.add(call({ at: '2026-02-02T10:00:00Z', total: '0.00000001', duration: 0 }));
		aggregator.add(call({ at: '2026-02-02T10:00:00Z', total: '0.00000002', duration: 0 }));
		const row = usageRow(period, 'none', null, aggregator.overall, 'EUR');
		expect(row.averageCostPerCall).toBe(0.00000002);
		expect(row.averageCostPerMinute).toBe(0);
		const empty = usageRow(period, 'none', null, new UsageAggregator('none', 'UTC').overall, 'EUR');
		expect([empty.calls, empty.totalCost, empty.averageCostPerCall, empty.averageCostPerMinute]).toEqual([0, 0, 0, 0]);
	});
});
