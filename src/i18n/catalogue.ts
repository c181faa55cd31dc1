/**
 * The words of every human-readable output: one catalogue per language (en.ts, de.ts), each a
 * complete `Catalogue` (the compiler refuses a missing entry, and test/unit/i18n.test.ts compares the
 * two at run time). Entries receive numbers, money and dates already formatted for their language
 * (format.ts) and names already escaped for their target (HTML, Slack); they only put words around them.
 */

/** How a period is named: a kind (periods.ts) and its label in the language. */
export type PeriodKind = 'day' | 'week' | 'month' | 'cycle' | 'lastDays' | 'custom' | 'window';

export type ThresholdPeriodWord = 'day' | 'week' | 'month' | 'billingCycle';
export type MetricKey = 'spend' | 'forecastSpend' | 'balance' | 'minutes' | 'calls' | 'failedCalls';
export type GroupNoun = 'assistant' | 'campaign' | 'phoneNumber' | 'client' | 'day' | 'hour' | 'direction' | 'status';
export type SpikeWindowKey = 'fifteenMinutes' | 'hour' | 'sixHours' | 'day';
export type ContributorKey = 'campaign' | 'assistant' | 'phoneNumber';

export interface Catalogue {
	/** Month and weekday names for dates (format.ts), January and Monday first. */
	calendar: {
		months: readonly string[];
		shortMonths: readonly string[];
		weekdays: readonly string[];
	};
	/** A percentage: "80%" / "80 %" (`value` already formatted). */
	percent(value: string): string;
	/** "1 call" / "2 calls": counts are passed formatted (`shown`) and as a number (for the plural). */
	count: {
		calls(count: number, shown: string): string;
		numbers(count: number, shown: string): string;
	};
	period: {
		/** Labels of periods in this language (English labels come from periods.ts unchanged). */
		week(week: number, year: number, from: string, to: string): string;
		cycle(from: string, to: string): string;
		lastDays(days: number): string;
		range(from: string, to: string): string;
		window(days: number): string;
		/** "in November 2026" — a period that has ended, named in a sentence. */
		inPeriod(kind: PeriodKind | undefined, label: string): string;
	};
	chargeSummary: {
		textTitle(client: string | null): string;
		htmlTitle(client: string | null): string;
		htmlSubtitle(currency: string): string;
		period: string;
		pricing: string;
		usage: string;
		reportedCosts: string;
		planPricing(label: string, included: string, fee: string, rate: string): string;
		usageText(calls: string, talkMinutes: string, billableMinutes: string): string;
		usagePlan(included: string, over: string, clientShare: boolean): string;
		charges: string;
		total: string;
		net: string;
		vat(percent: string): string;
		gross: string;
		reverseChargeVat: string;
		byClient: string;
		lines: string;
		components: {
			planFee: string;
			overage: string;
			platform: string;
			carrier: string;
			numberRentals: string;
			markup: string;
		};
		headers: {
			description: string;
			quantity: string;
			unitPrice: string;
			amount: string;
			client: string;
			calls: string;
			billableMinutes: string;
			markup: string;
			net: string;
			vat: string;
			total: string;
			gross: string;
		};
		clientRow(client: string, total: string, calls: string, billableMinutes: string, markup: string | null): string;
		reverseChargeShort: string;
		/** The legally required note on a reverse-charge (EU B2B) statement. */
		reverseChargeNote: string;
		reverseChargeClients(clients: string): string;
		quantity: {
			minutes(minutes: string): string;
			numbers(count: number, shown: string): string;
			share(share: string): string;
			months(count: number, shown: string): string;
		};
		chart: {
			reportedCost(by: 'day' | 'month'): string;
			billableMinutes(by: 'day' | 'month'): string;
			charges: string;
			minutes(minutes: string): string;
			noData: string;
		};
		notes: {
			monthlyFees(applied: string): string;
			rounding: string;
			vat(byClient: boolean): string;
			attributionReported: string;
			attributionPlan: string;
		};
		proration: {
			fullMonth: string;
			fullCycle: string;
			fullMonths(count: number): string;
			prorated(pieces: string[]): string;
			piece(days: string, monthDays: string, month: string | null): string;
		};
		line: {
			platform(calls: string, billableMinutes: string): string;
			carrier(calls: string, talkMinutes: string): string;
			planFee(label: string, fee: string, share: string, clientShare: string | null): string;
			included(included: string, perMonth: string | null, share: string): string;
			overage(overMinutes: string, included: string, rate: string, clientShare: string | null): string;
			rental(numbers: string, countries: string, fee: string, share: string): string;
			markup(percent: string, base: string): string;
		};
		csvHeader: {
			kind: string;
			description: string;
			quantity: string;
			unit: string;
			unitPrice: string;
			amount: string;
			currency: string;
			client: string;
		};
	};
	rentals: {
		noneRented: string;
		/** "in 30 days" / "in den letzten 30 Tagen": the idle window in a sentence. */
		inLastDays(days: number, shown: string): string;
		within(days: number, shown: string): string;
		onDay(day: string): string;
		todayOn(day: string): string;
		allInUse(rented: number, shown: string, inDays: string, fees: string): string;
		allInUseRenewing(rented: number, renewing: number, shown: string, within: string): string;
		idleHead(
			idle: number,
			shownIdle: string,
			rented: number,
			shownRented: string,
			inDays: string,
			fees: string,
		): string;
		oneIdleRenews(within: string, list: string): string;
		oneIdleNotRenewing(within: string): string;
		noneRenewing(within: string): string;
		someRenewing(count: number, shown: string, within: string, list: string): string;
		title: string;
		note(timezone: string, idleDays: string): string;
		perMonth(fees: string): string;
		rentedNumbers: string;
		idleFor(inDays: string): string;
		renewing(within: string): string;
		headers: {
			number: string;
			renews: string;
			monthlyFee: string;
			calls: string;
			billableMinutes: string;
			cost: string;
			lastCall: string;
			status: string;
		};
		inDaysFromNow(days: number, shown: string): string;
		noCall: string;
		idleSoon: string;
		idle: string;
		inUse: string;
		empty: string;
		numbersHeading: string;
		subtitle(checked: string, timezone: string, days: number, shown: string): string;
	};
	metrics: {
		name: Record<MetricKey, string>;
		minutes(minutes: string): string;
		calls(count: number, shown: string): string;
		failedCalls(count: number, shown: string): string;
	};
	threshold: {
		periodWord: Record<ThresholdPeriodWord, string>;
		groupLabel(noun: GroupNoun, group: string): string;
		unassigned: string;
		balanceOfBudget(subject: string, percent: string, budget: string, value: string): string;
		balanceAbsolute(subject: string, limit: string, value: string): string;
		ofBudget(subject: string, forecast: boolean, percent: string, budget: string, value: string): string;
		absolute(subject: string, forecast: boolean, limit: string, value: string): string;
		clientOfBudget(
			client: string,
			forecast: boolean,
			percent: string,
			budget: string,
			when: string,
			figure: string,
		): string;
		clientAbsolute(client: string, forecast: boolean, limit: string, when: string, figure: string): string;
		clientFigure(value: string, forecast: boolean, markupPercent: string | null): string;
		sampleReached(message: string): string;
		sampleClosest(subject: string, value: string, next: string): string;
		nextOfBudget(percent: string, budget: string, limit: string): string;
		building: string;
	};
	spike: {
		window: Record<SpikeWindowKey, string>;
		contributor: Record<ContributorKey, string>;
		times(ratio: string, baseline: string): string;
		under(baseline: string): string;
		againstZero(zero: string): string;
		median(samples: number, shown: string): string;
		lead(dimension: ContributorKey, key: string, value: string): string;
		message(
			subject: string,
			window: SpikeWindowKey,
			span: string,
			value: string,
			ratio: string,
			median: string,
			lead: string,
		): string;
		sample(message: string): string;
	};
}
