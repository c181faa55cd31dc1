/**
 * The Base URL check is linear in the length of the address (issue 23: `/\/+$/` took 5.5 s for 40,000
 * slashes, and would take about an hour for the million below). No clock is read: a quadratic check
 * would simply not finish.
 */
import { checkBaseUrl, withoutTrailingSlashes } from '../../src/api/classic/baseUrl';

describe('checkBaseUrl is linear', () => {
	it('a million slashes inside the address, and a million at its end', () => {
		const inside = `https://app.famulor.de/api${'/'.repeat(1_000_000)}x`;
		expect(checkBaseUrl(inside)).toBe(inside);
		expect(checkBaseUrl(`https://app.famulor.de/api${'/'.repeat(1_000_000)}`)).toBe('https://app.famulor.de/api');
	});

	it('withoutTrailingSlashes', () => {
		expect(withoutTrailingSlashes('https://a.example/api///')).toBe('https://a.example/api');
		expect(withoutTrailingSlashes('///')).toBe('');
		expect(withoutTrailingSlashes('a/b')).toBe('a/b');
		expect(withoutTrailingSlashes('')).toBe('');
	});
});
