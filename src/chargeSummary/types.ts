/**
 * The public shape of a charge summary (SPEC §6): what the builder returns, the node outputs (all but
 * `chart`) and the renderers read. Line amounts and totals are currency rounded to the cent; unit
 * prices and plan terms keep up to 8 decimals; minutes and shares have at most 4.
 */
import type { Language } from '../i18n';
import type { Period, ResolvedPeriod } from '../periods';
import type { ClientRules } from '../clients';
import type { PlanTerms, PricingMode } from './plans';

export type LineKind = 'calls' | 'carrier' | 'platform' | 'planFee' | 'overage' | 'numberRental' | 'markup';

export interface ChargeLine {
	kind: LineKind;
	description: string;
	quantity: number;
	unit: string;
	unitPrice: number;
	/** Rounded to the cent. */
	amount: number;
	/** Present when client rules are used. */
	client?: string;
}

export interface Charges {
	/** platform + carrier: what the calls cost (in plan mode: plan fee + overage + carrier). */
	calls: number;
	carrier: number;
	/** reported mode: reported total − carrier; plan mode: plan fee + overage. */
	platform: number;
	planFee: number;
	overage: number;
	numberRentals: number;
	markup: number;
	/** The sum of the lines (each rounded to the cent), before VAT. */
	total: number;
	/** = total: lines are net. */
	net: number;
	/** VAT on the net total, rounded to the cent (the account's: the sum of its clients' VAT); 0 without VAT. */
	vat: number;
	/** net + vat. */
	gross: number;
}

export interface UsageSummary {
	calls: number;
	talkMinutes: number;
	billableMinutes: number;
	/** Plan mode: included minutes for the period (prorated like the plan fee); reported mode: null. */
	includedMinutes: number | null;
	/**
	 * Plan mode: billable minutes beyond the included ones (in a client summary, the client's share);
	 * reported mode: null.
	 */
	overageMinutes: number | null;
}

export interface ClientRow {
	client: string;
	calls: number;
	talkMinutes: number;
	billableMinutes: number;
	markupPercent: number;
	/** The VAT rate applied (0 under reverse charge), or null: no VAT. */
	vatPercent: number | null;
	reverseCharge: boolean;
	charges: Charges;
	total: number;
	net: number;
	vat: number;
	gross: number;
}

export interface ChartBar {
	label: string;
	value: number;
	display: string;
}

export interface Chart {
	by: 'day' | 'month' | 'client';
	metric: 'reportedCost' | 'billableMinutes' | 'charges';
	title: string;
	bars: ChartBar[];
}

export interface PlanInfo {
	name: string;
	label: string;
	includedMinutes: number;
	planFee: number;
	overageRate: number;
}

export interface ChargeSummary {
	period: Period;
	currency: string;
	pricingMode: PricingMode;
	plan: PlanInfo | null;
	/** The client of a per-client summary; null for the account summary. */
	client: string | null;
	usage: UsageSummary;
	charges: Charges;
	lines: ChargeLine[];
	byClient: ClientRow[];
	/**
	 * The VAT rate of the summary: the account's (Options → VAT Percent), or a client's own; null when
	 * there is none, or when the clients of an account summary have different rates.
	 */
	vatPercent: number | null;
	/** A client's summary under reverse charge (EU B2B: 0 % VAT, with the note in `notes`). */
	reverseCharge: boolean;
	/** How monthly fees were counted: the rule applied ("full month", "prorated 10/30 days") and the months. */
	proration: { applied: string; months: number };
	/** The rules that apply, as sentences for the reader (proration, rounding, VAT, client attribution). */
	notes: string[];
	/** Data of the HTML bar chart (not part of the node's JSON output). */
	chart: Chart;
	/** The language of the summary's words (not part of the node's JSON output). */
	language: Language;
}

export interface ChargeSummaryResult {
	/** The whole account; with client rules its lines are the clients' lines, each with `client`. */
	overall: ChargeSummary;
	/**
	 * One summary per client: the configured clients in order, then Unassigned if it has calls or
	 * numbers. Empty without client rules.
	 */
	clients: ChargeSummary[];
}

export interface ChargeSummaryConfig {
	period: ResolvedPeriod;
	currency: string;
	pricingMode: PricingMode;
	/** Required in plan mode. */
	plan?: PlanTerms;
	/** Client rules (parseClientRules); none or empty = no agency breakdown. */
	clients?: ClientRules;
	/** The credential's billing cycle day (for "one whole billing cycle"); default 1. */
	billingCycleDay?: number;
	/** The language of descriptions, labels and notes (default English). */
	language?: Language;
	/** The account's VAT rate in percent (Options → VAT Percent); null or absent: no VAT. */
	vatPercent?: number | null;
}
