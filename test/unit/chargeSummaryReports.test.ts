/**
 * Client-ready charge summaries (SPEC §17): German words and formats, VAT per client and in total,
 * reverse charge, the semicolon CSV for a German Excel, plain text. Every expected string is written
 * out here by hand from the scenario below, never copied from the code's output; the property test
 * recomputes VAT independently with BigInt.
 *
 * Scenario (November 2026, Europe/Berlin, reported costs):
 *   Müller & Söhne GmbH (assistant "Müller*", VAT of the node, 19 %):
 *     one call of 600 s: total 1234.50, carrier 234.50 → platform 1000.00 (10 billable min, 100.00/min),
 *     carrier 234.50 (10 talk min, 23.45/min); its number +4930111 (DE, 4.50 a month) → net 1239.00,
 *     VAT 19 % = 235.41, gross 1474.41.
 *   Nordwind BV (assistant "Nordwind Bot", markup 10 %, reverse charge):
 *     one call of 45 s: total 10.00, carrier 0.37 → platform 9.63 (0.75 min, 12.84/min), carrier 0.37
 *     (0.49333333/min, 0.4933 on the statement); markup 10 % of 10.00 = 1.00 → net 11.00, VAT 0, gross 11.00.
 *   Account: net 1250.00, VAT 235.41 (the clients' VAT added up), gross 1485.41.
 */
import fc from 'fast-check';
import type { Call } from '../../src/calls';
import { billableSecondsOf } from '../../src/calls';
import { InvalidParameterError } from '../../src/errors';
import { parseMoney } from '../../src/money';
import type { PhoneNumberInfo } from '../../src/numbers';
import { resolvePeriod } from '../../src/periods';
import {
	BYTE_ORDER_MARK,
	ChargeSummaryBuilder,
	parseClientRules,
	parseVatPercent,
	renderCsv,
	renderHtml,
	renderText,
	summaryItem,
	vatCents,
	type ChargeSummary,
	type ClientRuleInput,
} from '../../src/chargeSummary';
import type { Language } from '../../src/i18n';

const TZ = 'Europe/Berlin';
const november = resolvePeriod('lastMonth', { now: Date.parse('2026-12-10T12:00:00Z'), timezone: TZ });

let nextId = 1;
function call(assistant: string, total: string, carrier: string, duration: number): Call {
	return {
		id: nextId++,
		createdAt: Date.parse('2026-11-10T10:00:00Z'),
		updatedAt: null,
		status: 'completed',
		settled: true,
		direction: 'outbound',
		durationSeconds: duration,
		billableSeconds: billableSecondsOf(duration),
		totalCost: parseMoney(total),
		carrierCost: parseMoney(carrier),
		assistantName: assistant,
		campaignName: null,
		assistantPhoneNumber: null,
		clientPhoneNumber: '+491701234567',
		answeredBy: null,
	};
}

const muellerNumber: PhoneNumberInfo = {
	id: 900,
	phoneNumber: '+4930111',
	nickname: null,
	countryCode: 'DE',
	type: 'normal',
	rented: true,
	monthlyFee: parseMoney('4.50'),
	assistants: ['Müller Sales'],
	createdAt: '2025-01-01 00:00:00',
};

const RULES: ClientRuleInput[] = [
	{ name: 'Müller & Söhne GmbH', matchBy: 'assistant', values: 'Müller*', markupPercent: 0, vatPercent: '' },
	{ name: 'Nordwind BV', matchBy: 'assistant', values: 'Nordwind Bot', markupPercent: 10, reverseCharge: true },
];

function scenario(language: Language, vatPercent: number | null = 19) {
	const builder = new ChargeSummaryBuilder({
		period: november,
		currency: 'EUR',
		pricingMode: 'reported',
		clients: parseClientRules(RULES),
		language,
		vatPercent,
	});
	builder.add(call('Müller Sales', '1234.50', '234.50', 600));
	builder.add(call('Nordwind Bot', '10.00', '0.37', 45));
	return builder.finish([muellerNumber]);
}

const clientOf = (summaries: ChargeSummary[], name: string) => summaries.find((s) => s.client === name)!;

describe('VAT', () => {
	test("each client's VAT on its net total, the account's the sum of the clients'", () => {
		const { overall, clients } = scenario('en');
		const mueller = clientOf(clients, 'Müller & Söhne GmbH');
		const nordwind = clientOf(clients, 'Nordwind BV');
		expect(mueller.charges).toMatchObject({ total: 1239, net: 1239, vat: 235.41, gross: 1474.41 });
		expect(mueller).toMatchObject({ vatPercent: 19, reverseCharge: false });
		expect(nordwind.charges).toMatchObject({ total: 11, net: 11, vat: 0, gross: 11 });
		expect(nordwind).toMatchObject({ vatPercent: 0, reverseCharge: true });
		expect(overall.charges).toMatchObject({ total: 1250, net: 1250, vat: 235.41, gross: 1485.41 });
		// Rates differ between the clients: the account has none of its own; each row has its own.
		expect(overall.vatPercent).toBeNull();
		expect(overall.byClient.map((row) => [row.client, row.net, row.vat, row.gross, row.vatPercent])).toEqual([
			['Müller & Söhne GmbH', 1239, 235.41, 1474.41, 19],
			['Nordwind BV', 11, 0, 11, 0],
		]);
		// Lines stay net.
		expect(mueller.lines.map((line) => line.amount)).toEqual([1000, 234.5, 4.5]);
	});

	test('a client rate overrides the node rate; without any rate there is no VAT and the item is as before', () => {
		const builder = new ChargeSummaryBuilder({
			period: november,
			currency: 'EUR',
			pricingMode: 'reported',
			clients: parseClientRules([{ name: 'A', matchBy: 'assistant', values: 'A', vatPercent: '7' }]),
			vatPercent: 19,
		});
		builder.add(call('A', '10.05', '0', 60)); // net 10.05, 7 % = 0.7035 → 0.70
		builder.add(call('B', '10.05', '0', 60)); // Unassigned, node rate 19 % = 1.9095 → 1.91
		const { overall } = builder.finish([]);
		expect(overall.byClient.map((row) => [row.client, row.vatPercent, row.vat])).toEqual([
			['A', 7, 0.7],
			['Unassigned', 19, 1.91],
		]);
		expect(overall.charges).toMatchObject({ net: 20.1, vat: 2.61, gross: 22.71 });

		const plain = new ChargeSummaryBuilder({ period: november, currency: 'EUR', pricingMode: 'reported' });
		plain.add(call('A', '10.05', '0', 60));
		const none = plain.finish([]).overall;
		expect(none.charges).toMatchObject({ total: 10.05, net: 10.05, vat: 0, gross: 10.05 });
		expect(none.vatPercent).toBeNull();
		expect(renderText(none)).not.toMatch(/VAT/);
		expect(renderHtml(none)).not.toMatch(/VAT/);
	});

	test('VAT rounds half away from zero, once, on the net cents', () => {
		// 2.50 at 19 % = 0.475 → 0.48; 0.10 at 7.5 % = 0.0075 → 0.01; -2.50 at 19 % → -0.48
		expect(vatCents(250, 19)).toBe(48);
		expect(vatCents(10, 7.5)).toBe(1);
		expect(vatCents(-250, 19)).toBe(-48);
		expect(vatCents(123_456, 0)).toBe(0);
		expect(vatCents(100, 100)).toBe(100);
	});

	test('property: gross = net + VAT, and the account is the sum of its clients to the cent', () => {
		const rate = fc.integer({ min: 0, max: 10_000 }).map((hundredths) => hundredths / 100);
		const client = fc.record({
			calls: fc.array(fc.integer({ min: 0, max: 5_000_000_000 }), { minLength: 0, maxLength: 6 }),
			markup: fc.integer({ min: 0, max: 500 }),
			vat: fc.option(rate, { nil: null }),
			reverseCharge: fc.boolean(),
		});
		fc.assert(
			fc.property(fc.array(client, { minLength: 1, maxLength: 5 }), fc.option(rate, { nil: null }), (list, node) => {
				const rules = list.map((c, index) => ({
					name: `C${index}`,
					matchBy: 'assistant',
					values: `C${index}`,
					markupPercent: c.markup,
					vatPercent: c.reverseCharge || c.vat === null ? '' : String(c.vat),
					reverseCharge: c.reverseCharge,
				}));
				const builder = new ChargeSummaryBuilder({
					period: november,
					currency: 'EUR',
					pricingMode: 'reported',
					clients: parseClientRules(rules),
					vatPercent: node,
				});
				list.forEach((c, index) => {
					for (const units of c.calls) builder.add(call(`C${index}`, (units / 1e8).toFixed(8), '0', 60));
				});
				const { overall } = builder.finish([]);
				const cents = (amount: number) => BigInt(Math.round(amount * 100));
				let net = 0n;
				let vat = 0n;
				overall.byClient.forEach((row, index) => {
					expect(cents(row.gross)).toBe(cents(row.net) + cents(row.vat));
					expect(cents(row.charges.gross)).toBe(cents(row.gross));
					const c = list[index];
					const applied = c ? (c.reverseCharge ? 0 : (c.vat ?? node)) : node;
					// Independent VAT: net cents × rate (in hundredths of a percent) / 10,000, half away from zero.
					const hundredths = BigInt(Math.round((applied ?? 0) * 100));
					const expected = (2n * cents(row.net) * hundredths + 10_000n) / 20_000n;
					expect(cents(row.vat)).toBe(applied === null ? 0n : expected);
					net += cents(row.net);
					vat += cents(row.vat);
				});
				expect(cents(overall.charges.net)).toBe(net);
				expect(cents(overall.charges.vat)).toBe(vat);
				expect(cents(overall.charges.gross)).toBe(net + vat);
				expect(cents(overall.charges.total)).toBe(overall.lines.reduce((sum, line) => sum + cents(line.amount), 0n));
			}),
			{ numRuns: 300 },
		);
	});
});

describe('bad VAT rates are refused, with the fix', () => {
	test.each([
		[-1, /VAT Percent -1 is negative/],
		[101, /VAT Percent 101 is more than 100 %/],
		['19%', /VAT Percent "19%" is not a decimal number/],
		['19,5', /VAT Percent "19,5" is not a decimal number/],
		['1e1', /VAT Percent "1e1" is not a decimal number/],
		[Number.NaN, /VAT Percent NaN is not a number/],
	])('%p', (value, message) => {
		let error: unknown;
		try {
			parseVatPercent(value, 'options.vatPercent');
		} catch (caught) {
			error = caught;
		}
		expect(error).toBeInstanceOf(InvalidParameterError);
		expect((error as InvalidParameterError).message).toMatch(message);
		expect((error as InvalidParameterError).fix).toMatch(/percentage from 0 to 100/);
	});

	test('good rates, and empty for none', () => {
		expect(parseVatPercent(19, 'x')).toBe(19);
		expect(parseVatPercent(' 7.7 ', 'x')).toBe(7.7);
		expect(parseVatPercent(0, 'x')).toBe(0);
		expect(parseVatPercent('', 'x')).toBeNull();
		expect(parseVatPercent(undefined, 'x')).toBeNull();
	});

	test('client rules: a bad rate, a rate with reverse charge, rules of one client that disagree', () => {
		const rule = (extra: Partial<ClientRuleInput>) => ({ name: 'Acme', matchBy: 'assistant', values: 'A', ...extra });
		expect(() => parseClientRules([rule({ vatPercent: '-7' })])).toThrow(
			'Client rule 1 (Acme) has VAT Percent "-7" is negative',
		);
		expect(() => parseClientRules([rule({ vatPercent: '19', reverseCharge: true })])).toThrow(
			'Client rule 1 (Acme) sets VAT Percent 19 and Reverse Charge',
		);
		expect(() => parseClientRules([rule({ vatPercent: '19' }), rule({ values: 'B', vatPercent: '7' })])).toThrow(
			'Client rule 2 (Acme) sets VAT Percent 7, but an earlier rule for the same client sets VAT Percent 19',
		);
		// Rules without VAT fields (the triggers') parse as before: no VAT keys at all.
		expect(parseClientRules([rule({})]).clients[0]).toEqual({
			name: 'Acme',
			markupPercent: 0,
			markupUnits: 0,
			budget: null,
		});
	});
});

describe('German', () => {
	test("a client's statement as Slack text", () => {
		const mueller = clientOf(scenario('de').clients, 'Müller & Söhne GmbH');
		expect(renderText(mueller)).toBe(
			[
				'*Famulor-Kostenübersicht: Müller &amp; Söhne GmbH*',
				'*Zeitraum:* November 2026 (Europe/Berlin)',
				'*Preismodell:* von Famulor gemeldete Anrufkosten',
				'*Nutzung:* 1 Anruf, 10 Gesprächsmin., 10 abrechenbare Min.',
				'',
				'*Kosten*',
				'• Plattformkosten für 1 Anruf laut Famulor, 10 abrechenbare Min.: 1.000,00 €',
				'• Telefoniekosten (Carrier) für 1 Anruf laut Famulor, 10 Gesprächsmin.: 234,50 €',
				'• Rufnummernmiete: 1 Nummer (DE) × 4,50 €/Monat, voller Monat: 4,50 €',
				'Summe (netto): 1.239,00 €',
				'USt. 19 %: 235,41 €',
				'*Gesamtbetrag inkl. USt.: 1.474,41 €*',
				'',
				'_Monatliche Gebühren: voller Monat. Jede Position ist auf den Cent gerundet; die Summe ergibt sich aus ' +
					'den gerundeten Positionen. Die Umsatzsteuer wird auf die Nettosumme berechnet und auf den Cent ' +
					'gerundet._',
			].join('\n'),
		);
	});

	test('a reverse-charge statement carries the legal note; HTML in German with invoice-precision prices', () => {
		const nordwind = clientOf(scenario('de').clients, 'Nordwind BV');
		expect(nordwind.notes).toContain(
			'Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge) gemäß Art. 196 MwStSystRL.',
		);
		const html = renderHtml(nordwind);
		expect(html).toMatch(/^<!DOCTYPE html><html lang="de">/);
		expect(html).toContain('<title>Kostenübersicht: Nordwind BV – November 2026</title>');
		// Quantity, unit price (per minute: 4 decimals), amount.
		expect(html).toContain('>0,75 Min.</td>');
		expect(html).toContain('>12,84</td>');
		expect(html).toContain('>0,4933</td>');
		expect(html).toContain('>Aufschlag 10 % auf 10,00 €</td>');
		expect(html).toContain('>USt. 0 % (Reverse Charge)</td>');
		expect(html).toContain('>Gesamtbetrag inkl. USt.</td>');
		expect(html).toContain('>11,00 €</td>');
		expect(html).toContain('Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge) gemäß Art. 196 MwStSystRL.');
		// Words for the reader only: no field names, no English left.
		expect(html).not.toMatch(/charges\.total|lines\[\]|Total|Period|Unit price/);
	});

	test("the agency's account report: VAT per client and in total, the attribution in German", () => {
		const { overall } = scenario('de');
		const html = renderHtml(overall);
		for (const header of ['Kunde', 'Anrufe', 'Abrechenbare Min.', 'Aufschlag', 'Netto', 'USt.', 'Brutto']) {
			expect(html).toContain(`>${header}</th>`);
		}
		expect(html).toContain('>1.474,41 €</td>');
		expect(html).toContain('>1.485,41 €</td>');
		expect(html).toContain('235,41 €<br><span style="color:#6b7280;font-size:12px;">19 %</span>');
		expect(html).toContain('0,00 €<br><span style="color:#6b7280;font-size:12px;">Reverse Charge</span>');
		expect(overall.notes).toEqual([
			'Monatliche Gebühren: voller Monat.',
			'Jede Position ist auf den Cent gerundet; die Summe ergibt sich aus den gerundeten Positionen.',
			'Die Umsatzsteuer wird auf die Nettosumme jedes Kunden berechnet und auf den Cent gerundet; die ' +
				'Umsatzsteuer des Kontos ist die Summe der Kunden.',
			'Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge) gemäß Art. 196 MwStSystRL für Nordwind BV.',
			'Jeder Anruf gehört zur ersten passenden Kundenregel, jede gemietete Rufnummer zur ersten Regel, die zur ' +
				'Nummer oder einem ihrer Assistenten passt; alles Übrige ist „Unassigned“ (nicht zugeordnet). Der Aufschlag ' +
				'ist ein Prozentsatz der eigenen Anrufe und Mieten des Kunden.',
		]);
		// The bar chart names its bars and title in German.
		expect(html).toContain('>Kosten pro Kunde</td>');
	});

	test('machine fields do not change with the language; prose fields do', () => {
		const english = scenario('en');
		const german = scenario('de');
		const strip = (summary: ChargeSummary) => {
			const item = summaryItem(summary) as unknown as Record<string, unknown>;
			const { text, html, notes, proration, period, lines, ...machine } = item;
			void text;
			void html;
			void notes;
			return {
				machine,
				months: (proration as { months: number }).months,
				period: { ...(period as object), label: undefined },
				lines: (lines as Array<Record<string, unknown>>).map(({ description, ...rest }) => (void description, rest)),
			};
		};
		expect(strip(german.overall)).toEqual(strip(english.overall));
		expect(german.overall.period.label).toBe('November 2026');
		expect(german.overall.proration.applied).toBe('voller Monat');
		expect(english.overall.proration.applied).toBe('full month');
	});

	test('a daily chart and a billing cycle named in German', () => {
		const cycle = resolvePeriod('lastBillingCycle', {
			now: Date.parse('2026-12-10T12:00:00Z'),
			timezone: TZ,
			billingCycleDay: 15,
		});
		const summarize = (billingCycleDay: number) => {
			const config = { period: cycle, currency: 'EUR', pricingMode: 'reported' as const, language: 'de' as const };
			const builder = new ChargeSummaryBuilder({ ...config, billingCycleDay });
			builder.add(call('X', '1.00', '0', 60));
			return builder.finish([]).overall;
		};
		const overall = summarize(15);
		expect(overall.period.label).toBe('Abrechnungszeitraum 15.10.2026 – 14.11.2026');
		expect(overall.chart.title).toBe('Gemeldete Anrufkosten pro Tag');
		expect(overall.chart.bars[0]!.label).toBe('Do 15.10.');
		expect(overall.proration.applied).toBe('voller Abrechnungszeitraum');
		// The same days with plans renewing on the 1st: 17 of October's 31 days and 14 of November's 30.
		expect(summarize(1).proration.applied).toBe('anteilig 17/31 Tage im Okt. 2026 + 14/30 Tage im Nov. 2026');
	});
});

describe('plain text', () => {
	test('no Slack marks or escapes; the reverse-charge note in English', () => {
		const nordwind = clientOf(scenario('en').clients, 'Nordwind BV');
		expect(renderText(nordwind, 'plain')).toBe(
			[
				'Famulor charge summary: Nordwind BV',
				'Period: November 2026 (Europe/Berlin)',
				'Pricing: reported call costs',
				'Usage: 1 call, 0.75 talk min, 0.75 billable min',
				'',
				'Charges',
				'• Platform cost of 1 call as reported, 0.75 billable min: 9.63 EUR',
				'• Carrier (telephony) cost of 1 call as reported, 0.75 talk min: 0.37 EUR',
				'• Markup 10% on 10.00 EUR: 1.00 EUR',
				'Total (net): 11.00 EUR',
				'VAT 0% (reverse charge): 0.00 EUR',
				'Total incl. VAT: 11.00 EUR',
				'',
				'Monthly fees: full month. Each line is rounded to the cent; the total is the sum of the lines. VAT is ' +
					'calculated on the net total and rounded to the cent. Reverse charge: VAT to be accounted for by the ' +
					'recipient (Art. 196 Directive 2006/112/EC).',
			].join('\n'),
		);
		const mueller = clientOf(scenario('en').clients, 'Müller & Söhne GmbH');
		expect(renderText(mueller, 'plain')).toContain('Famulor charge summary: Müller & Söhne GmbH');
		expect(renderText(mueller, 'slack')).toContain('*Famulor charge summary: Müller &amp; Söhne GmbH*');
		expect(summaryItem(mueller, { textFormat: 'plain' }).text).toBe(renderText(mueller, 'plain'));
	});
});

/** A small RFC 4180 reader: fields split at `separator`, quotes doubled inside quoted fields. */
function parseCsv(text: string, separator: string): string[][] {
	const rows: string[][] = [];
	let row: string[] = [];
	let field = '';
	let quoted = false;
	for (let i = 0; i < text.length; i++) {
		const ch = text[i]!;
		if (quoted) {
			if (ch === '"' && text[i + 1] === '"') {
				field += '"';
				i++;
			} else if (ch === '"') quoted = false;
			else field += ch;
		} else if (ch === '"') quoted = true;
		else if (ch === separator) {
			row.push(field);
			field = '';
		} else if (ch === '\r' && text[i + 1] === '\n') {
			row.push(field);
			rows.push(row);
			row = [];
			field = '';
			i++;
		} else field += ch;
	}
	return rows;
}

describe('CSV for a German Excel', () => {
	test('semicolons, decimal commas, German headers, a byte-order mark; read back, the same numbers', () => {
		const { overall } = scenario('de');
		const csv = renderCsv(overall, 'semicolon');
		expect(csv.startsWith('\ufeff')).toBe(true);
		expect(BYTE_ORDER_MARK).toBe('\ufeff');
		expect(Buffer.from(csv, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
		const rows = parseCsv(csv.slice(1), ';');
		expect(rows[0]).toEqual(['Art', 'Beschreibung', 'Menge', 'Einheit', 'Einzelpreis', 'Betrag', 'Währung', 'Kunde']);
		expect(rows[1]).toEqual([
			'platform',
			'Plattformkosten für 1 Anruf laut Famulor, 10 abrechenbare Min.',
			'10',
			'min',
			'100',
			'1000,00',
			'EUR',
			'Müller & Söhne GmbH',
		]);
		const number = (cell: string) => Number(cell.replace(',', '.'));
		expect(rows.slice(1).map((row) => [number(row[2]!), number(row[4]!), number(row[5]!)])).toEqual(
			overall.lines.map((line) => [line.quantity, line.unitPrice, line.amount]),
		);
		// Numbers never have thousands separators, so a German Excel reads 1000,00 as one thousand.
		expect(csv).not.toMatch(/\d\.\d{3},/);
	});

	test('the comma dialect is the CSV of before: no byte-order mark, English headers, decimal points', () => {
		const { overall } = scenario('en');
		const csv = renderCsv(overall);
		expect(csv.split('\r\n')[0]).toBe('kind,description,quantity,unit,unitPrice,amount,currency,client');
		expect(csv.split('\r\n')[2]).toBe(
			'carrier,"Carrier (telephony) cost of 1 call as reported, 10 talk min",10,min,23.45,234.50,EUR,Müller & Söhne GmbH',
		);
		expect(renderCsv(overall, 'comma')).toBe(csv);
	});

	test('formula neutralisation and quoting hold in the semicolon dialect', () => {
		const builder = new ChargeSummaryBuilder({
			period: november,
			currency: 'EUR',
			pricingMode: 'reported',
			clients: parseClientRules([{ name: '=HYPERLINK("x");1', matchBy: 'assistant', values: 'A' }]),
			language: 'de',
		});
		builder.add(call('A', '1.00', '0', 60));
		const csv = renderCsv(builder.finish([]).overall, 'semicolon');
		expect(csv.split('\r\n')[1]!.endsWith(`;"'=HYPERLINK(""x"");1"`)).toBe(true);
	});
});
