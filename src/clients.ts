/**
 * Client rules for agencies (SPEC §6): each call goes to the first rule that matches it, each rented
 * number to the first rule that matches the number or one of its assistants, everything else to
 * `Unassigned`.
 *
 * Matching: names (assistants, campaigns) compare trimmed and case-insensitively; phone numbers
 * compare with everything but digits and a leading `+` removed ("+49 30 123-456" = "+4930123456").
 * A value ending in `*` is a prefix ("Sales*", "+4930*"); `*` alone matches any value that is set.
 * Several rules may share a client name (e.g. one by assistant, one by campaign): they form one client.
 *
 * The one matcher of the package: charge summaries (src/chargeSummary) and the triggers' Group By
 * Client (src/triggers/clientGroups.ts) both assign calls with `clientOfCall`, so a report and an
 * alert never disagree about whose call it was.
 */
import type { Call } from './calls';
import { DECIMAL_FORM, parseDecimal } from './decimal';
import { InvalidParameterError } from './errors';
import { amountToUnits, prorateUnits, UNITS_PER_CURRENCY, type Units } from './money';
import type { PhoneNumberInfo } from './numbers';
import { parseVatPercent } from './vat';

export type MatchBy = 'assistant' | 'campaign' | 'phoneNumber';
export const MATCH_BY: readonly MatchBy[] = ['assistant', 'campaign', 'phoneNumber'];
export const UNASSIGNED = 'Unassigned';

export interface ClientRuleInput {
	name?: unknown;
	matchBy?: unknown;
	values?: unknown;
	markupPercent?: unknown;
	/** Threshold Trigger only: the client's budget for the period; empty or 0 = the node's Budget. */
	budget?: unknown;
	/** Charge summaries only: the client's VAT rate in percent; empty = the node's VAT Percent. */
	vatPercent?: unknown;
	/** Charge summaries only: EU B2B reverse charge — 0 % VAT, with the required note. */
	reverseCharge?: unknown;
}

interface Pattern {
	text: string;
	prefix: boolean;
}

export interface ClientRule {
	/** Position of the client (not the rule) in the client list. */
	client: number;
	matchBy: MatchBy;
	patterns: Pattern[];
}

export interface ClientInfo {
	name: string;
	markupPercent: number;
	/** markupPercent as exact units of a percent (1e-8), for integer arithmetic. */
	markupUnits: Units;
	/** The client's own budget (Threshold Trigger), or null: the node's Budget applies. */
	budget: number | null;
	/**
	 * Charge summaries: the client's own VAT rate (absent: the node's VAT Percent applies) and reverse
	 * charge (absent: no). Absent rather than null, so the triggers' configuration fingerprints stay as
	 * they were.
	 */
	vatPercent?: number;
	reverseCharge?: true;
}

export interface ClientRules {
	clients: ClientInfo[];
	rules: ClientRule[];
}

export function normalizeName(value: string): string {
	return value.trim().toLowerCase();
}

export function normalizePhone(value: string): string {
	const trimmed = value.trim();
	const digits = trimmed.replace(/[^\d]/g, '');
	return trimmed.startsWith('+') ? `+${digits}` : digits;
}

function normalizeFor(matchBy: MatchBy, value: string): string {
	return matchBy === 'phoneNumber' ? normalizePhone(value) : normalizeName(value);
}

function patternOf(matchBy: MatchBy, raw: string): Pattern {
	const prefix = raw.endsWith('*');
	const text = prefix ? raw.slice(0, -1) : raw;
	return { text: normalizeFor(matchBy, text), prefix };
}

function matchesPattern(pattern: Pattern, normalized: string): boolean {
	return pattern.prefix ? normalized.startsWith(pattern.text) : normalized === pattern.text;
}

function ruleLabel(index: number, name: string): string {
	return name ? `Client rule ${index + 1} (${name})` : `Client rule ${index + 1}`;
}

/** A rule's budget: empty, null or 0 = not set (the node's Budget applies); else a non-negative number. */
function budgetOf(row: ClientRuleInput, index: number, name: string): number | null {
	const raw = row.budget;
	if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return null;
	const budget = parseDecimal(raw);
	if (budget === undefined) {
		throw new InvalidParameterError(
			'clients',
			`${ruleLabel(index, name)} has budget "${String(raw)}", which is not a decimal number`,
			`Enter the client's budget as ${DECIMAL_FORM}, e.g. 300, or 0 to use the node's Budget.`,
		);
	}
	if (budget < 0) {
		throw new InvalidParameterError(
			'clients',
			`${ruleLabel(index, name)} has budget "${String(raw)}", which is not an amount of zero or more`,
			"Enter the client's budget for the period, e.g. 300, or 0 to use the node's Budget.",
		);
	}
	return budget === 0 ? null : budget;
}

/**
 * Validates the `clients` rows: each needs a name (not "Unassigned"), a known matchBy, at least one
 * value (phone rules: phone numbers or prefixes), a markup from 0 to 100,000 % and a budget of zero or
 * more. Rules of one client agree on its markup, and on its budget where they set one. Errors name
 * the rule and say how to fix it.
 */
export function parseClientRules(rows: ClientRuleInput[]): ClientRules {
	const clients: ClientInfo[] = [];
	const byName = new Map<string, number>();
	const rules: ClientRule[] = [];
	rows.forEach((row, index) => {
		const name = ruleName(row, index);
		const matchBy = ruleMatchBy(row, index, name);
		const patterns = rulePatterns(row, index, name, matchBy);
		const markupPercent = ruleMarkup(row, index, name);
		const budget = budgetOf(row, index, name);
		const vat = ruleVat(row, index, name);
		const key = normalizeName(name);
		let client = byName.get(key);
		const earlier = client === undefined ? undefined : clients[client];
		if (client === undefined || earlier === undefined) {
			client = clients.length;
			byName.set(key, client);
			clients.push({ name, markupPercent, markupUnits: amountToUnits(markupPercent), budget, ...vat });
		} else if (earlier.vatPercent !== vat.vatPercent || earlier.reverseCharge !== vat.reverseCharge) {
			throw new InvalidParameterError(
				'clients',
				`${ruleLabel(index, name)} sets ${vatText(vat)}, but an earlier rule for the same client sets ` +
					vatText(earlier),
				'Use the same VAT Percent and Reverse Charge on every rule of a client.',
			);
		} else if (budget !== null && earlier.budget !== null && earlier.budget !== budget) {
			throw new InvalidParameterError(
				'clients',
				`${ruleLabel(index, name)} sets budget ${budget}, but an earlier rule for the same client sets ${earlier.budget}`,
				'Set the budget on one rule of the client (or the same budget on each).',
			);
		} else if (earlier.markupPercent !== markupPercent) {
			throw new InvalidParameterError(
				'clients',
				`${ruleLabel(index, name)} sets markup ${markupPercent} %, ` +
					`but an earlier rule for the same client sets ${earlier.markupPercent} %`,
				'Use the same markup on every rule of a client.',
			);
		}
		if (budget !== null && earlier) earlier.budget = budget;
		rules.push({ client, matchBy, patterns });
	});
	return { clients, rules };
}

/** A rule's VAT: its own rate and reverse charge, only where set (`{}` when neither is). */
function ruleVat(row: ClientRuleInput, index: number, name: string): Pick<ClientInfo, 'vatPercent' | 'reverseCharge'> {
	const percent = parseVatPercent(row.vatPercent, 'clients', `${ruleLabel(index, name)} has VAT Percent`);
	const reverseCharge = row.reverseCharge === true || row.reverseCharge === 'true';
	if (reverseCharge && percent !== null && percent !== 0) {
		throw new InvalidParameterError(
			'clients',
			`${ruleLabel(index, name)} sets VAT Percent ${percent} and Reverse Charge`,
			'Under reverse charge the client pays no VAT on the statement (0 %): clear VAT Percent of this rule, or ' +
				'turn off Reverse Charge.',
		);
	}
	return {
		...(percent !== null && !reverseCharge ? { vatPercent: percent } : {}),
		...(reverseCharge ? { reverseCharge: true as const } : {}),
	};
}

function vatText(vat: Pick<ClientInfo, 'vatPercent' | 'reverseCharge'>): string {
	if (vat.reverseCharge) return 'Reverse Charge';
	return vat.vatPercent === undefined ? "the node's VAT Percent" : `VAT Percent ${vat.vatPercent}`;
}

/** A parameter's text: a string as it is, nothing as '', anything else as String() gives it. */
function textOf(value: unknown): string {
	return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

function ruleName(row: ClientRuleInput, index: number): string {
	const name = textOf(row.name).trim();
	if (!name) {
		throw new InvalidParameterError(
			'clients',
			`${ruleLabel(index, '')} has no name`,
			'Give every client rule the client name that should appear in the report, e.g. "Acme GmbH".',
		);
	}
	if (normalizeName(name) === normalizeName(UNASSIGNED)) {
		throw new InvalidParameterError(
			'clients',
			`${ruleLabel(index, name)} uses the reserved name "${UNASSIGNED}"`,
			`Choose another client name: "${UNASSIGNED}" collects the calls and numbers no rule matches.`,
		);
	}
	return name;
}

function ruleMatchBy(row: ClientRuleInput, index: number, name: string): MatchBy {
	const matchBy = row.matchBy as MatchBy;
	if (!MATCH_BY.includes(matchBy)) {
		throw new InvalidParameterError(
			'clients',
			`${ruleLabel(index, name)} matches by "${String(row.matchBy)}", which is not supported`,
			'Set Match By to Assistant, Campaign or Phone Number.',
		);
	}
	return matchBy;
}

/** The rule's comma-separated values as patterns; a phone rule's values must hold digits (or be `*`). */
function rulePatterns(row: ClientRuleInput, index: number, name: string, matchBy: MatchBy): Pattern[] {
	const values = textOf(row.values)
		.split(',')
		.map((value) => value.trim())
		.filter((value) => value !== '');
	if (values.length === 0) {
		throw new InvalidParameterError(
			'clients',
			`${ruleLabel(index, name)} has no values to match`,
			matchBy === 'phoneNumber'
				? 'Enter the client\'s Famulor numbers, comma-separated, e.g. "+4930123456, +4940*" ' +
					'(a trailing * matches a prefix).'
				: `Enter the ${matchBy} names of this client, comma-separated, e.g. "Acme Sales, Acme*" ` +
					'(a trailing * matches a prefix).',
		);
	}
	const patterns = values.map((value) => patternOf(matchBy, value));
	if (matchBy === 'phoneNumber') {
		const bad = values.find((value, i) => patterns[i]?.text === '' && value !== '*');
		if (bad !== undefined) {
			throw new InvalidParameterError(
				'clients',
				`${ruleLabel(index, name)} has "${bad}", which is not a phone number`,
				'Enter numbers in E.164 form such as +4930123456, or a prefix such as +4930*.',
			);
		}
	}
	return patterns;
}

/** The markup percentage: empty means 0, a text is read as a number; from 0 to 100,000. */
function ruleMarkup(row: ClientRuleInput, index: number, name: string): number {
	const raw = row.markupPercent;
	const markupRaw = raw === undefined || raw === null || raw === '' ? 0 : raw;
	const markupPercent = parseDecimal(markupRaw);
	if (markupPercent === undefined) {
		throw new InvalidParameterError(
			'clients',
			`${ruleLabel(index, name)} has markup "${String(raw)}", which is not a decimal number`,
			`Enter the markup as a percentage in ${DECIMAL_FORM}, e.g. 15 for 15 %, or 0 for none.`,
		);
	}
	if (markupPercent < 0 || markupPercent > 100_000) {
		throw new InvalidParameterError(
			'clients',
			`${ruleLabel(index, name)} has markup "${String(raw)}", which is not a percentage of zero or more`,
			'Enter the markup as a percentage, e.g. 15 for 15 %, or 0 for none.',
		);
	}
	return markupPercent;
}

function ruleMatches(rule: ClientRule, value: string | null): boolean {
	if (value === null || value === undefined) return false;
	const normalized = normalizeFor(rule.matchBy, value);
	return rule.patterns.some((pattern) => matchesPattern(pattern, normalized));
}

/** Index of the client of a call (first matching rule), or -1 for Unassigned. */
export function clientOfCall(rules: ClientRule[], call: Call): number {
	for (const rule of rules) {
		const value =
			rule.matchBy === 'assistant'
				? call.assistantName
				: rule.matchBy === 'campaign'
					? call.campaignName
					: call.assistantPhoneNumber;
		if (ruleMatches(rule, value)) return rule.client;
	}
	return -1;
}

/** The name of the client of a call (first matching rule), or `Unassigned`. */
export function clientNameOfCall(rules: ClientRules, call: Call): string {
	const index = clientOfCall(rules.rules, call);
	return (index < 0 ? undefined : rules.clients[index]?.name) ?? UNASSIGNED;
}

/**
 * Units with the client's markup: units × (1 + markupPercent / 100), computed exactly in integers
 * and rounded half away from zero to 1e-8 — what the client is billed for them.
 */
export function withMarkup(units: Units, client: ClientInfo): Units {
	if (client.markupUnits === 0) return units;
	const whole = 100 * UNITS_PER_CURRENCY;
	return prorateUnits(units, whole + client.markupUnits, whole);
}

/**
 * Index of the client of a rented number, or -1 for Unassigned: the first rule that matches the
 * number itself (phoneNumber rules) or one of the assistants using it (assistant rules). Campaign
 * rules never match numbers (the API does not tie numbers to campaigns).
 */
export function clientOfNumber(rules: ClientRule[], number: PhoneNumberInfo): number {
	for (const rule of rules) {
		if (rule.matchBy === 'phoneNumber' && ruleMatches(rule, number.phoneNumber)) return rule.client;
		const assistants = number.assistants;
		if (rule.matchBy === 'assistant' && assistants.some((assistant) => ruleMatches(rule, assistant)))
			return rule.client;
	}
	return -1;
}
