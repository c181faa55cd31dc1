/**
 * The Threshold Trigger's `message` in both languages (SPEC §7, §11, §17): each sentence written out
 * here by hand. Values are money in 1e-8 units (401.20 EUR = 40_120_000_000).
 */
import { parseClientRules } from '../../src/clients';
import { periodContaining } from '../../src/periods';
import { thresholdEvent, thresholdFingerprint, type ThresholdConfig } from '../../src/triggers/thresholdEvents';

const TZ = 'Europe/Berlin';
const november = periodContaining('month', Date.parse('2026-11-20T10:00:00Z'), TZ);
const base: ThresholdConfig = {
	metric: 'spend',
	period: 'month',
	timezone: TZ,
	billingCycleDay: 1,
	thresholdType: 'percentOfBudget',
	budget: 500,
	thresholds: [80],
	groupBy: 'none',
	query: {},
	filters: {},
	rearmMarginPercent: 10,
	fireOnActivation: false,
	currency: 'EUR',
	settleMinutes: 15,
};
const crossing = { group: null, value: 40_120_000_000, threshold: 80, limit: 40_000_000_000, period: november, now: 0 };
const message = (config: Partial<ThresholdConfig>, extra: Partial<typeof crossing> & { closed?: boolean } = {}) =>
	thresholdEvent({ ...base, ...config }, { ...crossing, ...extra }).message;

describe('Threshold Trigger messages in German', () => {
	test('spend, forecast, balance, calls; this month and a month that has ended', () => {
		const de = { language: 'de' as const };
		expect(message(de)).toBe('Ausgaben diesen Monat: 401,20 € – 80 % des Budgets von 500,00 € erreicht.');
		expect(message(de, { closed: true })).toBe(
			'Ausgaben im November 2026: 401,20 € – 80 % des Budgets von 500,00 € erreicht.',
		);
		expect(message({ ...de, thresholdType: 'absolute' })).toBe('Ausgaben diesen Monat: 401,20 € – 400,00 € erreicht.');
		expect(message({ ...de, metric: 'forecastSpend' })).toBe(
			'Prognostizierte Ausgaben diesen Monat: 401,20 € – erreicht voraussichtlich 80 % des Budgets von 500,00 €.',
		);
		expect(message({ ...de, metric: 'balance', thresholdType: 'absolute' })).toBe(
			'Guthaben: 401,20 € – auf 400,00 € oder darunter gefallen.',
		);
		expect(
			message({ ...de, metric: 'calls', thresholdType: 'absolute', period: 'day' }, { value: 1234, limit: 1000 }),
		).toBe('Anrufe heute: 1.234 Anrufe – 1.000 Anrufe erreicht.');
		expect(
			message(
				{ ...de, metric: 'minutes', thresholdType: 'absolute', period: 'week' },
				{ value: 36_030, limit: 36_000 },
			),
		).toBe('Abrechenbare Minuten diese Woche: 600,50 Minuten – 600,00 Minuten erreicht.');
		expect(message({ ...de, groupBy: 'campaign' }, { group: 'Frühjahr' } as never)).toBe(
			'Ausgaben von Kampagne „Frühjahr“ diesen Monat: 401,20 € – 80 % des Budgets von 500,00 € erreicht.',
		);
	});

	test('a client with its own budget and markup, and Unassigned', () => {
		const clients = {
			rules: parseClientRules([
				{ name: 'Acme GmbH', matchBy: 'assistant', values: 'A', budget: 300, markupPercent: 12.5 },
			]),
			includeUnassigned: true,
			includeMarkup: true,
		};
		const config = { language: 'de' as const, groupBy: 'client' as const, clients };
		expect(message(config, { group: 'Acme GmbH', value: 24_110_000_000 } as never)).toBe(
			'Acme GmbH: 80 % des Budgets von 300,00 € diesen Monat erreicht – 241,10 € (mit 12,5 % Aufschlag).',
		);
		expect(message({ ...config, metric: 'forecastSpend' }, { group: 'Unassigned' } as never)).toBe(
			'Nicht zugeordnet (Anrufe, zu denen keine Kundenregel passt): 80 % des Budgets von 500,00 € diesen Monat ' +
				'voraussichtlich erreicht – 401,20 € (Prognose).',
		);
		// The same in English, as before the Language option.
		expect(message({ ...config, language: undefined }, { group: 'Acme GmbH', value: 24_110_000_000 } as never)).toBe(
			'Acme GmbH reached 80% of its 300.00 EUR budget this month: 241.10 EUR (with its 12.5% markup).',
		);
	});

	test('machine fields and the baseline do not depend on the language', () => {
		const english = thresholdEvent(base, crossing);
		const german = thresholdEvent({ ...base, language: 'de' }, crossing);
		expect({ ...german, message: '', period: { ...german.period, label: '' } }).toEqual({
			...english,
			message: '',
			period: { ...english.period, label: '' },
		});
		expect(german.period?.label).toBe('November 2026');
		expect(thresholdFingerprint({ ...base, language: 'de' }, 'a')).toBe(thresholdFingerprint(base, 'a'));
	});
});
