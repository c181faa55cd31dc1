import {
	addUnits,
	formatCents,
	multiplyUnits,
	parseMoney,
	prorateUnits,
	toAmount,
	tryParseMoney,
} from '../../src/money';

describe('money', () => {
	it('parses 8-decimal strings and numbers to the same exact units', () => {
		expect(parseMoney('0.12000000')).toBe(12_000_000);
		expect(parseMoney(0.12)).toBe(12_000_000);
		expect(parseMoney('12')).toBe(1_200_000_000);
		expect(parseMoney('-0.5')).toBe(-50_000_000);
		expect(parseMoney(1e-7)).toBe(10);
		expect(parseMoney('100.67447094')).toBe(10_067_447_094);
		expect(parseMoney(100.67447094)).toBe(10_067_447_094);
	});

	it('rounds a 9th decimal half away from zero', () => {
		expect(parseMoney('0.000000005')).toBe(1);
		expect(parseMoney('0.000000004')).toBe(0);
		expect(parseMoney('-0.000000005')).toBe(-1);
	});

	it('rejects what is not a decimal amount', () => {
		for (const bad of ['', 'abc', '1,5', '1.2.3', '.', NaN, Infinity]) {
			expect(() => parseMoney(bad as never)).toThrow(/not a decimal amount/);
			expect(tryParseMoney(bad as never)).toBeUndefined();
		}
	});

	it('sums 0.1 ten thousand times exactly, where floats drift', () => {
		let units = 0;
		let float = 0;
		for (let i = 0; i < 10_000; i++) {
			units = addUnits(units, parseMoney('0.10000000'));
			float += 0.1;
		}
		expect(toAmount(units)).toBe(1000);
		expect(float).not.toBe(1000);
	});

	it('multiplies and prorates with integer rounding', () => {
		expect(multiplyUnits(parseMoney('0.15'), 600)).toBe(parseMoney('90'));
		expect(multiplyUnits(parseMoney('3.99'), 0.5)).toBe(parseMoney('1.995'));
		expect(prorateUnits(parseMoney('3.99'), 10, 30)).toBe(parseMoney('1.33'));
		expect(prorateUnits(parseMoney('0.00000003'), 1, 2)).toBe(2);
	});

	it('formats cents for people', () => {
		expect(formatCents(parseMoney('401.2049'))).toBe('401.20');
		expect(formatCents(parseMoney('401.205'))).toBe('401.21');
		expect(formatCents(parseMoney('-3.5'))).toBe('-3.50');
	});
});
