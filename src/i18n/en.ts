/** English: the words every output used before the Language option existed, unchanged. */
import type { Catalogue } from './catalogue';

const plural = (count: number, shown: string, one: string, many: string) => `${shown} ${count === 1 ? one : many}`;
const dayCount = (days: number, shown: string) => plural(days, shown, 'day', 'days');
const within = (days: number, shown: string) => (days === 0 ? 'today' : `within ${dayCount(days, shown)}`);

const MONTHS = [
	'January',
	'February',
	'March',
	'April',
	'May',
	'June',
	'July',
	'August',
	'September',
	'October',
	'November',
	'December',
];

export const en: Catalogue = {
	calendar: {
		months: MONTHS,
		/** Three letters, as luxon's `LLL` writes them in English. */
		shortMonths: MONTHS.map((month) => month.slice(0, 3)),
		weekdays: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'],
	},
	percent: (value) => `${value}%`,
	count: {
		calls: (count, shown) => plural(count, shown, 'call', 'calls'),
		numbers: (count, shown) => plural(count, shown, 'number', 'numbers'),
	},
	period: {
		week: (week, year, from, to) => `week ${week} of ${year} (${from} – ${to})`,
		cycle: (from, to) => `billing cycle ${from} – ${to}`,
		lastDays: (days) => `last ${days} days`,
		range: (from, to) => `${from} – ${to}`,
		window: (days) => `the last ${days} × 24 hours`,
		inPeriod: (_kind, label) => `in ${label}`,
	},
	chargeSummary: {
		textTitle: (client) => (client === null ? 'Famulor charge summary' : `Famulor charge summary: ${client}`),
		htmlTitle: (client) => (client === null ? 'Charge summary' : `Charge summary: ${client}`),
		htmlSubtitle: (currency) => `Famulor usage and charges, ${currency}`,
		period: 'Period',
		pricing: 'Pricing',
		usage: 'Usage',
		reportedCosts: 'reported call costs',
		planPricing: (label, included, fee, rate) =>
			`${label} plan: ${included} min included, ${fee}/month, ${rate}/min over`,
		usageText: (calls, talk, billable) => `${calls}, ${talk} talk min, ${billable} billable min`,
		usagePlan: (included, over, clientShare) =>
			` (${included} included, ${over} over${clientShare ? ', share of the account' : ''})`,
		charges: 'Charges',
		total: 'Total',
		net: 'Total (net)',
		vat: (percent) => `VAT ${percent}`,
		gross: 'Total incl. VAT',
		reverseChargeVat: 'VAT 0% (reverse charge)',
		byClient: 'By client',
		lines: 'Lines',
		components: {
			planFee: 'Plan fee',
			overage: 'Overage',
			platform: 'Platform (calls)',
			carrier: 'Carrier (telephony)',
			numberRentals: 'Number rentals',
			markup: 'Markup',
		},
		headers: {
			description: 'Description',
			quantity: 'Quantity',
			unitPrice: 'Unit price',
			amount: 'Amount',
			client: 'Client',
			calls: 'Calls',
			billableMinutes: 'Billable min',
			markup: 'Markup',
			net: 'Net',
			vat: 'VAT',
			total: 'Total',
			gross: 'Gross',
		},
		clientRow: (client, total, calls, billable, markup) =>
			`• ${client}: ${total} (${calls}, ${billable} billable min${markup === null ? '' : `, incl. ${markup} markup`})`,
		reverseChargeShort: 'reverse charge',
		reverseChargeNote: 'Reverse charge: VAT to be accounted for by the recipient (Art. 196 Directive 2006/112/EC).',
		reverseChargeClients: (clients) =>
			`Reverse charge for ${clients}: VAT to be accounted for by the recipient (Art. 196 Directive 2006/112/EC).`,
		quantity: {
			minutes: (minutes) => `${minutes} min`,
			numbers: (count, shown) => plural(count, shown, 'number', 'numbers'),
			share: (share) => `${share} share`,
			months: (_count, shown) => `${shown} month`,
		},
		chart: {
			reportedCost: (by) => `Reported call cost per ${by}`,
			billableMinutes: (by) => `Billable minutes per ${by}`,
			charges: 'Charges per client',
			minutes: (minutes) => `${minutes} min`,
			noData: 'No data in this period.',
		},
		notes: {
			monthlyFees: (applied) => `Monthly fees: ${applied}.`,
			rounding: 'Each line is rounded to the cent; the total is the sum of the lines.',
			vat: (byClient) =>
				byClient
					? "VAT is calculated on each client's net total and rounded to the cent; the account's VAT is the sum " +
						"of the clients' VAT."
					: 'VAT is calculated on the net total and rounded to the cent.',
			attributionReported:
				'Each call is charged to the first client rule that matches it, each rented number to the first rule ' +
				'matching the number or one of its assistants; everything else is Unassigned. Markup is a percentage of ' +
				"the client's own calls and rentals.",
			attributionPlan:
				'Each call is charged to the first client rule that matches it, each rented number to the first rule ' +
				'matching the number or one of its assistants; everything else is Unassigned. The plan fee and overage ' +
				'are shared in proportion to billable minutes (whole cents, largest remainder), carrier costs and ' +
				"rentals are each client's own, and markup is a percentage of the client's own lines.",
		},
		proration: {
			fullMonth: 'full month',
			fullCycle: 'full billing cycle',
			fullMonths: (count) => `${count} full calendar months`,
			prorated: (pieces) => `prorated ${pieces.join(' + ')}`,
			piece: (days, monthDays, month) => `${days}/${monthDays} days${month === null ? '' : ` of ${month}`}`,
		},
		line: {
			platform: (calls, billable) => `Platform cost of ${calls} as reported, ${billable} billable min`,
			carrier: (calls, talk) => `Carrier (telephony) cost of ${calls} as reported, ${talk} talk min`,
			planFee: (label, fee, share, clientShare) =>
				`${label} plan fee (${fee}/month, ${share})` +
				(clientShare === null ? '' : `, ${clientShare} share by billable minutes`),
			included: (included, perMonth, share) =>
				perMonth === null ? `${included} included` : `${included} included (${perMonth}/month ${share})`,
			overage: (over, included, rate, clientShare) => {
				const overage = `${over} min over ${included} × ${rate}/min`;
				return clientShare === null ? `Overage: ${overage}` : `Overage: ${clientShare} share of ${overage}`;
			},
			rental: (numbers, countries, fee, share) => `Number rental: ${numbers}${countries} × ${fee}/month, ${share}`,
			markup: (percent, base) => `Markup ${percent} on ${base}`,
		},
		csvHeader: {
			kind: 'kind',
			description: 'description',
			quantity: 'quantity',
			unit: 'unit',
			unitPrice: 'unitPrice',
			amount: 'amount',
			currency: 'currency',
			client: 'client',
		},
	},
	rentals: {
		noneRented: 'No rented numbers, so no monthly number fees.',
		inLastDays: (days, shown) => `in ${dayCount(days, shown)}`,
		within,
		onDay: (day) => `on ${day}`,
		todayOn: (day) => `today (${day})`,
		allInUse: (rented, shown, inDays, fees) =>
			rented === 1
				? `The one rented number had calls ${inDays} (${fees} a month).`
				: `All ${shown} rented numbers had calls ${inDays} (${fees} a month).`,
		allInUseRenewing: (rented, renewing, shown, inWithin) =>
			`${rented === 1 ? 'It' : `${shown} of them`} ${renewing === 1 ? 'renews' : 'renew'} ${inWithin}.`,
		idleHead: (_idle, shownIdle, rented, shownRented, inDays, fees) =>
			`${shownIdle} of ${plural(rented, shownRented, 'rented number', 'rented numbers')} had no calls ${inDays}: ` +
			`${fees} a month.`,
		oneIdleRenews: (inWithin, list) => `It renews ${inWithin}: ${list}.`,
		oneIdleNotRenewing: (inWithin) => `It does not renew ${inWithin}.`,
		noneRenewing: (inWithin) => `None of them renews ${inWithin}.`,
		someRenewing: (count, shown, inWithin, list) =>
			`${shown} of them ${count === 1 ? 'renews' : 'renew'} ${inWithin}: ${list}.`,
		title: 'Rented numbers: idle lines and renewals',
		note: (timezone, idleDays) =>
			'Renewal dates are estimates: Famulor publishes none. Each is the monthly anniversary of the purchase date, ' +
			`on the last day of shorter months, in ${timezone}. A number is idle when no call was made or taken ` +
			`through it in the last ${idleDays} × 24 hours, whatever the call's status. ` +
			`Monthly fees come from the node's fee table.`,
		perMonth: (fees) => `${fees} a month`,
		rentedNumbers: 'Rented numbers',
		idleFor: (inDays) => `Idle (no calls ${inDays})`,
		renewing: (inWithin) => `Renewing ${inWithin}`,
		headers: {
			number: 'Number',
			renews: 'Renews (estimate)',
			monthlyFee: 'Monthly fee',
			calls: 'Calls',
			billableMinutes: 'Billable min',
			cost: 'Cost',
			lastCall: 'Last call',
			status: 'Status',
		},
		inDaysFromNow: (days, shown) => (days === 0 ? 'today' : `in ${dayCount(days, shown)}`),
		noCall: 'none',
		idleSoon: 'Idle, renews soon',
		idle: 'Idle',
		inUse: 'In use',
		empty: 'No rented numbers.',
		numbersHeading: 'Numbers',
		subtitle: (checked, timezone, days, shown) =>
			`Checked ${checked} (${timezone}); calls of the last ${dayCount(days, shown)}.`,
	},
	metrics: {
		name: {
			spend: 'Spend',
			forecastSpend: 'Forecast spend',
			balance: 'Balance',
			minutes: 'Billable minutes',
			calls: 'Calls',
			failedCalls: 'Failed calls',
		},
		minutes: (minutes) => `${minutes} minutes`,
		calls: (count, shown) => plural(count, shown, 'call', 'calls'),
		failedCalls: (count, shown) => plural(count, shown, 'failed call', 'failed calls'),
	},
	threshold: {
		periodWord: { day: 'today', week: 'this week', month: 'this month', billingCycle: 'this billing cycle' },
		groupLabel: (noun, group) => ` of ${noun === 'phoneNumber' ? 'number' : noun} "${group}"`,
		unassigned: 'Unassigned (calls no client rule matches)',
		balanceOfBudget: (subject, percent, budget, value) =>
			`${subject} fell to ${percent} of ${budget} or below: ${value}.`,
		balanceAbsolute: (subject, limit, value) => `${subject} fell to ${limit} or below: ${value}.`,
		ofBudget: (subject, forecast, percent, budget, value) =>
			`${subject} ${forecast ? 'is on track to reach' : 'reached'} ${percent} of the ${budget} budget: ${value}.`,
		absolute: (subject, forecast, limit, value) =>
			`${subject} ${forecast ? 'is on track to reach' : 'reached'} ${limit}: ${value}.`,
		clientOfBudget: (client, forecast, percent, budget, when, figure) =>
			`${client} ${forecast ? 'is on track to reach' : 'reached'} ${percent} of its ${budget} budget${when}: ${figure}.`,
		clientAbsolute: (client, forecast, limit, when, figure) =>
			`${client} ${forecast ? 'is on track to reach' : 'reached'} ${limit}${when}: ${figure}.`,
		clientFigure: (value, forecast, markup) =>
			`${value}${forecast ? ' forecast' : ''}${markup === null ? '' : ` (with its ${markup} markup)`}`,
		sampleReached: (message) => `Sample: ${message}`,
		sampleClosest: (subject, value, next) =>
			`Sample, no threshold reached yet: ${subject} is ${value}; the next threshold is ${next}.`,
		nextOfBudget: (percent, budget, limit) => `${percent} of the ${budget} budget (${limit})`,
		building: ' The baseline is still being built; values are partial.',
	},
	spike: {
		window: { fifteenMinutes: '15 minutes', hour: 'hour', sixHours: '6 hours', day: 'day' },
		contributor: { campaign: 'campaign', assistant: 'assistant', phoneNumber: 'number' },
		times: (ratio, baseline) => `${ratio}× the usual ${baseline}`,
		under: (baseline) => `under the usual ${baseline}`,
		againstZero: (zero) => `against a usual ${zero}`,
		median: (samples, shown) => `median of ${shown} ${samples === 1 ? 'window' : 'windows'}`,
		lead: (dimension, key, value) => `; top ${en.spike.contributor[dimension]}: ${key} (${value})`,
		message: (subject, window, span, value, ratio, median, lead) =>
			`${subject} in the ${en.spike.window[window]} ${span} was ${value}, ${ratio} (${median})${lead}.`,
		sample: (message) => `Sample (not necessarily a spike): ${message}`,
	},
};
