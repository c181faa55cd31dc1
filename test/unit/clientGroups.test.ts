/**
 * The client rules as the triggers use them (src/clients.ts, src/triggers/clientGroups.ts): budgets
 * per client, the markup arithmetic, the group of a call, and the checks of a grouped configuration.
 * Expected markups are computed here with BigInt.
 */
import type { Call } from '../../src/calls';
import { clientNameOfCall, parseClientRules, UNASSIGNED, withMarkup, type ClientRuleInput } from '../../src/clients';
import { InvalidParameterError } from '../../src/errors';
import { clientGroupOf, readClientGrouping, type ClientGrouping } from '../../src/triggers/clientGroups';
import { thresholdInUnits, validateThresholdConfig, type ThresholdConfig } from '../../src/triggers/threshold';

function call(assistant: string | null, campaign: string | null = null, number: string | null = null): Call {
	return {
		id: 1,
		createdAt: Date.parse('2026-11-10T10:00:00Z'),
		updatedAt: null,
		status: 'completed',
		settled: true,
		direction: 'outbound',
		durationSeconds: 60,
		billableSeconds: 60,
		totalCost: 100_000_000,
		carrierCost: 0,
		assistantName: assistant,
		campaignName: campaign,
		assistantPhoneNumber: number,
		clientPhoneNumber: null,
		answeredBy: null,
	};
}

const RULES: ClientRuleInput[] = [
	{ name: 'Acme GmbH', matchBy: 'assistant', values: 'Acme*', markupPercent: 15, budget: 300 },
	{ name: 'Northwind', matchBy: 'campaign', values: 'Northwind*', markupPercent: 0 },
	{ name: 'acme gmbh', matchBy: 'phoneNumber', values: '+4930*', markupPercent: 15 },
];

const refused = (run: () => unknown): InvalidParameterError => {
	try {
		run();
	} catch (error) {
		if (error instanceof InvalidParameterError) return error;
		throw error;
	}
	throw new Error('not refused');
};

describe('client rules with budgets', () => {
	it('a rule without a budget (empty, null or 0) takes the budget another rule of the client sets, else none', () => {
		const { clients } = parseClientRules([
			{ name: 'Acme', matchBy: 'assistant', values: 'A', budget: '' },
			{ name: 'ACME', matchBy: 'campaign', values: 'C', budget: ' 250.5 ' },
			{ name: 'Beta', matchBy: 'assistant', values: 'B', budget: 0 },
			{ name: 'Gamma', matchBy: 'assistant', values: 'G', budget: null },
		]);
		expect(clients.map((client) => [client.name, client.budget])).toEqual([
			['Acme', 250.5],
			['Beta', null],
			['Gamma', null],
		]);
	});

	it('refuses a negative or unreadable budget, and two budgets for one client', () => {
		expect(
			refused(() => parseClientRules([{ name: 'Acme', matchBy: 'assistant', values: 'A', budget: -1 }])).message,
		).toBe('Client rule 1 (Acme) has budget "-1", which is not an amount of zero or more');
		expect(
			refused(() => parseClientRules([{ name: 'Acme', matchBy: 'assistant', values: 'A', budget: 'lots' }])).parameter,
		).toBe('clients');
		const twice = refused(() =>
			parseClientRules([
				{ name: 'Acme', matchBy: 'assistant', values: 'A', budget: 100 },
				{ name: 'Acme', matchBy: 'campaign', values: 'C', budget: 200 },
			]),
		);
		expect(twice.message).toBe(
			'Client rule 2 (Acme) sets budget 200, but an earlier rule for the same client sets 100',
		);
	});

	it('names the client of a call by the first matching rule, else Unassigned', () => {
		const rules = parseClientRules(RULES);
		expect(clientNameOfCall(rules, call('Acme Sales'))).toBe('Acme GmbH');
		expect(clientNameOfCall(rules, call('Support', 'Northwind Q4'))).toBe('Northwind');
		expect(clientNameOfCall(rules, call('Support', null, '+49 30 555'))).toBe('Acme GmbH');
		expect(clientNameOfCall(rules, call('Acme Sales', 'Northwind Q4'))).toBe('Acme GmbH');
		expect(clientNameOfCall(rules, call('Support'))).toBe(UNASSIGNED);
	});
});

describe('withMarkup: units × (1 + markupPercent / 100), exact, half away from zero', () => {
	const client = (markupPercent: number) =>
		parseClientRules([{ name: 'C', matchBy: 'assistant', values: 'A', markupPercent }]).clients[0]!;
	/** The same with BigInt: markup given in hundredths of a percent. */
	const expected = (units: bigint, hundredths: bigint) => {
		const numerator = units * (10_000n + hundredths) * 2n;
		const doubled = numerator / 10_000n;
		return doubled < 0n ? -((-doubled + 1n) / 2n) : (doubled + 1n) / 2n;
	};

	it.each([
		[100_000_000n, 1500n, 15],
		[1n, 1500n, 15],
		[3n, 5000n, 50],
		[7n, 5000n, 50],
		[24_110_000_000n, 1500n, 15],
		[123_456_789n, 550n, 5.5],
		[123_456_789n, 1n, 0.01],
		[-3n, 5000n, 50],
		[8_999_999_999_999_999n / 1000n, 2500n, 25],
	])('%s units with %s hundredths of a percent', (units, hundredths, percent) => {
		expect(withMarkup(Number(units), client(percent))).toBe(Number(expected(units, hundredths)));
	});

	it('no markup leaves the units as they are', () => {
		expect(withMarkup(987_654_321, client(0))).toBe(987_654_321);
	});
});

describe('Group By Client in a trigger configuration', () => {
	const grouping = (rows: ClientRuleInput[], includeUnassigned = false): ClientGrouping =>
		readClientGrouping({ metric: 'spend', groupBy: 'client', rows, includeUnassigned }) as ClientGrouping;

	it('is read only with Group By Client, and refused for the balance or without rules', () => {
		expect(readClientGrouping({ metric: 'spend', groupBy: 'campaign', rows: [] })).toBeUndefined();
		expect(refused(() => readClientGrouping({ metric: 'balance', groupBy: 'client', rows: RULES })).parameter).toBe(
			'groupBy',
		);
		expect(refused(() => readClientGrouping({ metric: 'spend', groupBy: 'client', rows: [] })).message).toBe(
			'Group By is Client, but there are no client rules',
		);
	});

	it('counts Unassigned calls only with Include Unassigned', () => {
		expect(clientGroupOf(grouping(RULES), call('Other'))).toBeUndefined();
		expect(clientGroupOf(grouping(RULES, true), call('Other'))).toBe(UNASSIGNED);
		expect(clientGroupOf(grouping(RULES), call('Acme Support'))).toBe('Acme GmbH');
	});

	const config = (clients: ClientGrouping, budget: number): ThresholdConfig => ({
		metric: 'spend',
		period: 'month',
		timezone: 'UTC',
		billingCycleDay: 1,
		thresholdType: 'percentOfBudget',
		budget,
		thresholds: [50, 100],
		groupBy: 'client',
		clients,
		query: {},
		filters: {},
		rearmMarginPercent: 10,
		fireOnActivation: false,
		currency: 'EUR',
		settleMinutes: 15,
	});

	it("measures each client against its own budget, the others and Unassigned against the node's", () => {
		const c = config(grouping(RULES, true), 1000);
		validateThresholdConfig(c);
		expect(thresholdInUnits(c, 80, 'Acme GmbH')).toBe(240 * 100_000_000);
		expect(thresholdInUnits(c, 80, 'Northwind')).toBe(800 * 100_000_000);
		expect(thresholdInUnits(c, 80, UNASSIGNED)).toBe(800 * 100_000_000);
	});

	it("needs the node's Budget only where a client has none, or for Unassigned", () => {
		const own = [
			{ name: 'Acme', matchBy: 'assistant', values: 'A', budget: 300 },
			{ name: 'Beta', matchBy: 'assistant', values: 'B', budget: 500 },
		];
		expect(() => validateThresholdConfig(config(grouping(own), 0))).not.toThrow();
		expect(refused(() => validateThresholdConfig(config(grouping(own, true), 0))).parameter).toBe('budget');
		expect(refused(() => validateThresholdConfig(config(grouping(RULES), 0))).message).toBe(
			'Budget is 0, and client "Northwind" has no budget of its own',
		);
	});

	it("refuses a client's budget whose thresholds are beyond exact counting, naming the client rules", () => {
		const huge = [{ name: 'Acme', matchBy: 'assistant', values: 'A', budget: 100_000_000 }];
		const error = refused(() => validateThresholdConfig(config(grouping(huge), 500)));
		expect([error.parameter, error.message]).toEqual([
			'clients',
			'A threshold of 100000000 is beyond what the package can count exactly',
		]);
	});
});
