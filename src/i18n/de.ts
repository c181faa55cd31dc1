/**
 * Deutsch: Kostenübersichten, Rufnummern-Audit und Trigger-Meldungen für Kunden in Deutschland. Sätze
 * sind so gebaut, dass Kundennamen (beliebiges Geschlecht, Singular oder Plural) ohne Beugung passen:
 * "Acme GmbH: 80 % des Budgets von 300,00 € diesen Monat erreicht – 241,10 €."
 */
import type { Catalogue } from './catalogue';

const plural = (count: number, shown: string, one: string, many: string) => `${shown} ${count === 1 ? one : many}`;
/** "innerhalb von 1 Tag", "innerhalb von 7 Tagen" (Dativ). */
const within = (days: number, shown: string) =>
	days === 0 ? 'heute' : `innerhalb von ${plural(days, shown, 'Tag', 'Tagen')}`;
/** Ends a sentence with one full stop: a German date already ends with one ("am 30.11."). */
const sentence = (text: string) => (text.endsWith('.') ? text : `${text}.`);
const REVERSE_CHARGE = 'Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge) gemäß Art. 196 MwStSystRL';

export const de: Catalogue = {
	calendar: {
		months: [
			'Januar',
			'Februar',
			'März',
			'April',
			'Mai',
			'Juni',
			'Juli',
			'August',
			'September',
			'Oktober',
			'November',
			'Dezember',
		],
		/** The Duden abbreviations; short names are written out. */
		shortMonths: ['Jan.', 'Feb.', 'März', 'Apr.', 'Mai', 'Juni', 'Juli', 'Aug.', 'Sept.', 'Okt.', 'Nov.', 'Dez.'],
		weekdays: ['Mo', 'Di', 'Mi', 'Do', 'Fr', 'Sa', 'So'],
	},
	percent: (value) => `${value} %`,
	count: {
		calls: (count, shown) => plural(count, shown, 'Anruf', 'Anrufe'),
		numbers: (count, shown) => plural(count, shown, 'Nummer', 'Nummern'),
	},
	period: {
		week: (week, year, from, to) => `KW ${week}/${year} (${from} – ${to})`,
		cycle: (from, to) => `Abrechnungszeitraum ${from} – ${to}`,
		lastDays: (days) => `letzte ${days} Tage`,
		range: (from, to) => `${from} – ${to}`,
		window: (days) => `die letzten ${days} × 24 Stunden`,
		inPeriod: (kind, label) =>
			kind === 'day' ? `am ${label}` : kind === 'month' || kind === 'cycle' ? `im ${label}` : `in ${label}`,
	},
	chargeSummary: {
		textTitle: (client) => (client === null ? 'Famulor-Kostenübersicht' : `Famulor-Kostenübersicht: ${client}`),
		htmlTitle: (client) => (client === null ? 'Kostenübersicht' : `Kostenübersicht: ${client}`),
		htmlSubtitle: (currency) => `Famulor-Nutzung und -Kosten, ${currency}`,
		period: 'Zeitraum',
		pricing: 'Preismodell',
		usage: 'Nutzung',
		reportedCosts: 'von Famulor gemeldete Anrufkosten',
		planPricing: (label, included, fee, rate) =>
			`Tarif ${label}: ${included} Min. inklusive, ${fee}/Monat, ${rate}/Min. darüber hinaus`,
		usageText: (calls, talk, billable) => `${calls}, ${talk} Gesprächsmin., ${billable} abrechenbare Min.`,
		usagePlan: (included, over, clientShare) =>
			` (${included} inklusive, ${over} darüber hinaus${clientShare ? ', Anteil am Konto' : ''})`,
		charges: 'Kosten',
		total: 'Summe',
		net: 'Summe (netto)',
		vat: (percent) => `USt. ${percent}`,
		gross: 'Gesamtbetrag inkl. USt.',
		reverseChargeVat: 'USt. 0 % (Reverse Charge)',
		byClient: 'Nach Kunde',
		lines: 'Positionen',
		components: {
			planFee: 'Grundgebühr',
			overage: 'Mehrminuten',
			platform: 'Plattform (Anrufe)',
			carrier: 'Telefonie (Carrier)',
			numberRentals: 'Rufnummernmiete',
			markup: 'Aufschlag',
		},
		headers: {
			description: 'Beschreibung',
			quantity: 'Menge',
			unitPrice: 'Einzelpreis',
			amount: 'Betrag',
			client: 'Kunde',
			calls: 'Anrufe',
			billableMinutes: 'Abrechenbare Min.',
			markup: 'Aufschlag',
			net: 'Netto',
			vat: 'USt.',
			total: 'Summe',
			gross: 'Brutto',
		},
		clientRow: (client, total, calls, billable, markup) =>
			`• ${client}: ${total} (${calls}, ${billable} abrechenbare Min.` +
			`${markup === null ? '' : `, inkl. ${markup} Aufschlag`})`,
		reverseChargeShort: 'Reverse Charge',
		reverseChargeNote: `${REVERSE_CHARGE}.`,
		reverseChargeClients: (clients) => `${REVERSE_CHARGE} für ${clients}.`,
		quantity: {
			minutes: (minutes) => `${minutes} Min.`,
			numbers: (count, shown) => plural(count, shown, 'Nummer', 'Nummern'),
			share: (share) => `${share} Anteil`,
			months: (count, shown) => plural(count, shown, 'Monat', 'Monate'),
		},
		chart: {
			reportedCost: (by) => `Gemeldete Anrufkosten pro ${by === 'day' ? 'Tag' : 'Monat'}`,
			billableMinutes: (by) => `Abrechenbare Minuten pro ${by === 'day' ? 'Tag' : 'Monat'}`,
			charges: 'Kosten pro Kunde',
			minutes: (minutes) => `${minutes} Min.`,
			noData: 'Keine Daten in diesem Zeitraum.',
		},
		notes: {
			monthlyFees: (applied) => `Monatliche Gebühren: ${applied}.`,
			rounding: 'Jede Position ist auf den Cent gerundet; die Summe ergibt sich aus den gerundeten Positionen.',
			vat: (byClient) =>
				byClient
					? 'Die Umsatzsteuer wird auf die Nettosumme jedes Kunden berechnet und auf den Cent gerundet; die ' +
						'Umsatzsteuer des Kontos ist die Summe der Kunden.'
					: 'Die Umsatzsteuer wird auf die Nettosumme berechnet und auf den Cent gerundet.',
			attributionReported:
				'Jeder Anruf gehört zur ersten passenden Kundenregel, jede gemietete Rufnummer zur ersten Regel, die ' +
				'zur Nummer oder einem ihrer Assistenten passt; alles Übrige ist „Unassigned“ (nicht zugeordnet). Der ' +
				'Aufschlag ist ein Prozentsatz der eigenen Anrufe und Mieten des Kunden.',
			attributionPlan:
				'Jeder Anruf gehört zur ersten passenden Kundenregel, jede gemietete Rufnummer zur ersten Regel, die ' +
				'zur Nummer oder einem ihrer Assistenten passt; alles Übrige ist „Unassigned“ (nicht zugeordnet). ' +
				'Grundgebühr und Mehrminuten werden nach abrechenbaren Minuten aufgeteilt (ganze Cent, größter Rest), ' +
				'Telefoniekosten und Mieten trägt jeder Kunde selbst, und der Aufschlag ist ein Prozentsatz der ' +
				'eigenen Positionen des Kunden.',
		},
		proration: {
			fullMonth: 'voller Monat',
			fullCycle: 'voller Abrechnungszeitraum',
			fullMonths: (count) => `${count} volle Kalendermonate`,
			prorated: (pieces) => `anteilig ${pieces.join(' + ')}`,
			piece: (days, monthDays, month) => `${days}/${monthDays} Tage${month === null ? '' : ` im ${month}`}`,
		},
		line: {
			platform: (calls, billable) => `Plattformkosten für ${calls} laut Famulor, ${billable} abrechenbare Min.`,
			carrier: (calls, talk) => `Telefoniekosten (Carrier) für ${calls} laut Famulor, ${talk} Gesprächsmin.`,
			planFee: (label, fee, share, clientShare) =>
				`Grundgebühr Tarif ${label} (${fee}/Monat, ${share})` +
				(clientShare === null ? '' : `, Anteil ${clientShare} nach abrechenbaren Minuten`),
			included: (included, perMonth, share) =>
				perMonth === null ? `${included} inklusive` : `${included} inklusive (${perMonth}/Monat ${share})`,
			overage: (over, included, rate, clientShare) => {
				const overage = `${over} Min. über ${included} × ${rate}/Min.`;
				return clientShare === null ? `Mehrminuten: ${overage}` : `Mehrminuten: Anteil ${clientShare} an ${overage}`;
			},
			rental: (numbers, countries, fee, share) => `Rufnummernmiete: ${numbers}${countries} × ${fee}/Monat, ${share}`,
			markup: (percent, base) => `Aufschlag ${percent} auf ${base}`,
		},
		csvHeader: {
			kind: 'Art',
			description: 'Beschreibung',
			quantity: 'Menge',
			unit: 'Einheit',
			unitPrice: 'Einzelpreis',
			amount: 'Betrag',
			currency: 'Währung',
			client: 'Kunde',
		},
	},
	rentals: {
		noneRented: 'Keine gemieteten Rufnummern, also keine monatlichen Rufnummerngebühren.',
		inLastDays: (days, shown) => (days === 1 ? 'am letzten Tag' : `in den letzten ${shown} Tagen`),
		within,
		onDay: (day) => `am ${day}`,
		todayOn: (day) => `heute (${day})`,
		allInUse: (rented, shown, inDays, fees) =>
			rented === 1
				? `Die eine gemietete Rufnummer hatte ${inDays} Anrufe (${fees} im Monat).`
				: `Alle ${shown} gemieteten Rufnummern hatten ${inDays} Anrufe (${fees} im Monat).`,
		allInUseRenewing: (rented, renewing, shown, inWithin) =>
			`${rented === 1 ? 'Sie' : `${shown} davon`} ${renewing === 1 ? 'verlängert' : 'verlängern'} sich ${inWithin}.`,
		idleHead: (idle, shownIdle, rented, shownRented, inDays, fees) =>
			`${shownIdle} von ${shownRented} gemieteten ${rented === 1 ? 'Rufnummer' : 'Rufnummern'} ` +
			`${idle === 1 ? 'hatte' : 'hatten'} ${inDays} keine Anrufe: ${fees} im Monat.`,
		oneIdleRenews: (inWithin, list) => sentence(`Sie verlängert sich ${inWithin}: ${list}`),
		oneIdleNotRenewing: (inWithin) => `Sie verlängert sich nicht ${inWithin}.`,
		noneRenewing: (inWithin) => `Keine davon verlängert sich ${inWithin}.`,
		someRenewing: (count, shown, inWithin, list) =>
			sentence(`${shown} davon ${count === 1 ? 'verlängert' : 'verlängern'} sich ${inWithin}: ${list}`),
		title: 'Gemietete Rufnummern: ungenutzte Leitungen und Verlängerungen',
		note: (timezone, idleDays) =>
			'Verlängerungstermine sind Schätzungen: Famulor veröffentlicht keine. Jeder Termin ist der monatliche ' +
			`Jahrestag des Kaufdatums, in kürzeren Monaten der letzte Tag, in ${timezone}. Eine Rufnummer ist ` +
			`ungenutzt, wenn in den letzten ${idleDays} × 24 Stunden kein Anruf über sie geführt wurde, gleich mit ` +
			'welchem Status. Die Monatsgebühren stammen aus der Gebührentabelle des Knotens.',
		perMonth: (fees) => `${fees} im Monat`,
		rentedNumbers: 'Gemietete Rufnummern',
		idleFor: (inDays) => `Ungenutzt (keine Anrufe ${inDays})`,
		renewing: (inWithin) => `Verlängerung ${inWithin}`,
		headers: {
			number: 'Rufnummer',
			renews: 'Verlängerung (geschätzt)',
			monthlyFee: 'Monatsgebühr',
			calls: 'Anrufe',
			billableMinutes: 'Abrechenbare Min.',
			cost: 'Kosten',
			lastCall: 'Letzter Anruf',
			status: 'Status',
		},
		inDaysFromNow: (days, shown) => (days === 0 ? 'heute' : `in ${plural(days, shown, 'Tag', 'Tagen')}`),
		noCall: 'keiner',
		idleSoon: 'Ungenutzt, verlängert sich bald',
		idle: 'Ungenutzt',
		inUse: 'In Nutzung',
		empty: 'Keine gemieteten Rufnummern.',
		numbersHeading: 'Rufnummern',
		subtitle: (checked, timezone, days, shown) =>
			`Geprüft am ${checked} (${timezone}); Anrufe ${days === 1 ? 'des letzten Tages' : `der letzten ${shown} Tage`}.`,
	},
	metrics: {
		name: {
			spend: 'Ausgaben',
			forecastSpend: 'Prognostizierte Ausgaben',
			balance: 'Guthaben',
			minutes: 'Abrechenbare Minuten',
			calls: 'Anrufe',
			failedCalls: 'Fehlgeschlagene Anrufe',
		},
		minutes: (minutes) => `${minutes} Minuten`,
		calls: (count, shown) => plural(count, shown, 'Anruf', 'Anrufe'),
		failedCalls: (count, shown) => plural(count, shown, 'fehlgeschlagener Anruf', 'fehlgeschlagene Anrufe'),
	},
	threshold: {
		periodWord: {
			day: 'heute',
			week: 'diese Woche',
			month: 'diesen Monat',
			billingCycle: 'in diesem Abrechnungszeitraum',
		},
		groupLabel: (noun, group) => {
			const nouns: Record<string, string> = {
				assistant: 'Assistent',
				campaign: 'Kampagne',
				phoneNumber: 'Nummer',
				client: 'Kunde',
				day: 'Tag',
				hour: 'Stunde',
				direction: 'Richtung',
				status: 'Status',
			};
			return ` von ${nouns[noun] ?? noun} „${group}“`;
		},
		unassigned: 'Nicht zugeordnet (Anrufe, zu denen keine Kundenregel passt)',
		balanceOfBudget: (subject, percent, budget, value) =>
			`${subject}: ${value} – auf ${percent} von ${budget} oder darunter gefallen.`,
		balanceAbsolute: (subject, limit, value) => `${subject}: ${value} – auf ${limit} oder darunter gefallen.`,
		ofBudget: (subject, forecast, percent, budget, value) =>
			forecast
				? `${subject}: ${value} – erreicht voraussichtlich ${percent} des Budgets von ${budget}.`
				: `${subject}: ${value} – ${percent} des Budgets von ${budget} erreicht.`,
		absolute: (subject, forecast, limit, value) =>
			forecast
				? `${subject}: ${value} – erreicht voraussichtlich ${limit}.`
				: `${subject}: ${value} – ${limit} erreicht.`,
		clientOfBudget: (client, forecast, percent, budget, when, figure) =>
			`${client}: ${percent} des Budgets von ${budget}${when} ` +
			`${forecast ? 'voraussichtlich erreicht' : 'erreicht'} – ${figure}.`,
		clientAbsolute: (client, forecast, limit, when, figure) =>
			`${client}: ${limit}${when} ${forecast ? 'voraussichtlich erreicht' : 'erreicht'} – ${figure}.`,
		clientFigure: (value, forecast, markup) =>
			`${value}${forecast ? ' (Prognose)' : ''}${markup === null ? '' : ` (mit ${markup} Aufschlag)`}`,
		sampleReached: (message) => `Beispiel: ${message}`,
		sampleClosest: (subject, value, next) =>
			`Beispiel, noch keine Schwelle erreicht: ${subject}: ${value}; nächste Schwelle: ${next}.`,
		nextOfBudget: (percent, budget, limit) => `${percent} des Budgets von ${budget} (${limit})`,
		building: ' Die Ausgangsbasis wird noch aufgebaut; die Werte sind unvollständig.',
	},
	spike: {
		window: { fifteenMinutes: '15 Minuten', hour: '1 Stunde', sixHours: '6 Stunden', day: '1 Tag' },
		contributor: { campaign: 'Kampagne', assistant: 'Assistent', phoneNumber: 'Nummer' },
		times: (ratio, baseline) => `${ratio}× so viel wie üblich (${baseline})`,
		under: (baseline) => `unter dem Üblichen (${baseline})`,
		againstZero: (zero) => `üblich sind ${zero}`,
		median: (samples, shown) => `Median von ${shown} ${samples === 1 ? 'Zeitfenster' : 'Zeitfenstern'}`,
		lead: (dimension, key, value) =>
			`; ${dimension === 'assistant' ? 'größter' : 'größte'} ${de.spike.contributor[dimension]}: ${key} (${value})`,
		message: (subject, window, span, value, ratio, median, lead) =>
			`${subject} im Zeitfenster ${span} (${de.spike.window[window]}): ${value}, ${ratio} (${median})${lead}.`,
		sample: (message) => `Beispiel (nicht unbedingt eine Spitze): ${message}`,
	},
};
