/**
 * The sandbox's data: the seeded Famulor Classic account (numbers, assistants, campaigns), the
 * compact call store, how a stored call renders as the API would show it at a given instant
 * (in progress → settled), and the deterministic call generator.
 *
 * Calls are stored column-wise in typed arrays (about 45 bytes a call) and rendered to
 * API-shaped objects only when a response needs them, so a million calls stay cheap.
 */
import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';

// Module-level aliases for the hot loops: under jest (a vm context) every lookup of a global such
// as `Math.floor` is ~50× slower, which made generating a million calls take ten seconds.
const { abs, ceil, cos, exp, floor, imul, log, max, min, PI, round, sqrt } = Math;

// ---------------------------------------------------------------------------------------------
// API shapes (as the documentation shows them)
// ---------------------------------------------------------------------------------------------

export type CallType = 'inbound' | 'outbound' | 'web';
export type TimestampStyle = 'iso' | 'naive' | 'mixed';

export interface TranscriptEntry {
	text: string;
	type: 'transcript';
	sender: 'bot' | 'human';
	timestamp: number;
}

export interface EvaluationEntry {
	name: string;
	type: 'bool' | 'string' | 'integer';
	value: boolean | string | number;
	description: string;
}

export interface RawCall {
	id: number;
	assistant_name: string;
	campaign_name: string | null;
	type: CallType;
	duration: number;
	assistant_phone_number: string | null;
	client_phone_number: string;
	status: string;
	transcript: TranscriptEntry[];
	variables: Record<string, unknown> | unknown[];
	evaluation: EvaluationEntry[];
	webhook_response: Record<string, unknown> | null;
	carrier_cost: string;
	total_cost: string;
	answered_by: string | null;
	recording_url: string | null;
	created_at: string;
	updated_at: string;
}

export interface RawPhoneNumber {
	id: number;
	phone_number: string;
	nickname: string | null;
	country_code: string;
	type: 'normal' | 'sip' | 'caller_id';
	type_label: string;
	sms_capable: boolean;
	region: string;
	has_active_subscription: boolean;
	created_at: string;
}

export interface RawAssistant {
	id: number;
	user_id: number;
	phone_number_id: number | null;
	name: string;
	type: 'inbound' | 'outbound';
	mode: string;
	status: 'active' | 'inactive';
	language: string;
	max_duration: number;
	is_webhook_active: boolean;
	webhook_url: string | null;
	inbound_webhook_url: string | null;
	send_webhook_only_on_completed: boolean;
	include_recording_in_webhook: boolean;
	timezone: string;
	uuid: string;
	created_at: string;
	updated_at: string;
}

export interface RawCampaign {
	id: number;
	name: string;
	status: string;
	max_calls_in_parallel: number;
	mark_complete_when_no_leads: boolean;
	allowed_hours_start_time: string;
	allowed_hours_end_time: string;
	allowed_days: string[];
	max_retries: number;
	retry_interval: number;
	created_at: string;
	updated_at: string;
}

// ---------------------------------------------------------------------------------------------
// Money (integer units of 1e-8) and time helpers
// ---------------------------------------------------------------------------------------------

export const UNITS_PER_CURRENCY = 100_000_000;

/** 12000000 → "0.12000000" */
export function formatUnits(units: number): string {
	const sign = units < 0 ? '-' : '';
	const magnitude = abs(round(units));
	const whole = floor(magnitude / UNITS_PER_CURRENCY);
	const frac = String(magnitude % UNITS_PER_CURRENCY).padStart(8, '0');
	return `${sign}${whole}.${frac}`;
}

/** "0.12" | "0.12000000" | 0.12 → 12000000 (exact for strings, rounded to 8 decimals). */
export function parseUnits(value: string | number): number {
	if (typeof value === 'number') return round(value * UNITS_PER_CURRENCY);
	const match = /^\s*(-?)(\d*)(?:\.(\d*))?\s*$/.exec(value);
	if (!match) throw new Error(`Not a decimal amount: ${JSON.stringify(value)}`);
	const [, sign, whole, frac = ''] = match;
	const digits = (frac + '000000000').slice(0, 9);
	let units = Number(whole || '0') * UNITS_PER_CURRENCY + Number(digits.slice(0, 8));
	if (Number(digits[8]) >= 5) units += 1;
	return sign ? -units : units;
}

/** Epoch seconds → `2024-01-15T10:30:00Z` or naive UTC `2024-01-15 10:30:00`. */
export function formatTime(sec: number, style: 'iso' | 'naive'): string {
	const iso = new Date(floor(sec) * 1000).toISOString();
	return style === 'iso' ? `${iso.slice(0, 19)}Z` : `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** Laravel's model timestamp format, `2025-01-07T10:30:00.000000Z` (naive when drifting). */
export function formatModelTime(sec: number, style: 'iso' | 'naive'): string {
	return style === 'naive' ? formatTime(sec, 'naive') : `${formatTime(sec, 'iso').slice(0, 19)}.000000Z`;
}

/** ISO 8601 (with Z or offset) or naive `YYYY-MM-DD HH:mm:ss` (taken as UTC) → epoch seconds. */
export function parseTime(value: string | Date): number {
	if (value instanceof Date) return floor(value.getTime() / 1000);
	const naive = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value);
	const ms = Date.parse(naive ? `${value.replace(' ', 'T')}Z` : value);
	if (Number.isNaN(ms)) throw new Error(`Not a timestamp: ${JSON.stringify(value)}`);
	return floor(ms / 1000);
}

// ---------------------------------------------------------------------------------------------
// Deterministic randomness
// ---------------------------------------------------------------------------------------------

export type Rng = () => number;

/** mulberry32 over a seed mixed with a stream number: independent, reproducible sequences. */
export function createRng(seed: number, stream = 0): Rng {
	let state = (imul(seed | 0, 0x9e3779b1) ^ imul(stream + 1, 0x85ebca6b)) >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let z = state;
		z = imul(z ^ (z >>> 15), z | 1);
		z ^= z + imul(z ^ (z >>> 7), z | 61);
		return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
	};
}

/** Index drawn with probability proportional to `weights`. */
function pick(rng: Rng, weights: readonly number[]): number {
	let total = 0;
	for (const w of weights) total += w;
	let r = rng() * total;
	for (let i = 0; i < weights.length; i++) {
		r -= weights[i];
		if (r < 0) return i;
	}
	return weights.length - 1;
}

// ---------------------------------------------------------------------------------------------
// The seeded account
// ---------------------------------------------------------------------------------------------

export const USER_ID = 42;
export const BUSINESS_TIMEZONE = 'Europe/Berlin';

/** Carrier cost per started minute, by country (units of 1e-8). NL gives 8 significant decimals. */
const CARRIER_RATE: Record<string, number> = { DE: 1_500_000, US: 900_000, GB: 1_190_000, NL: 1_234_567 };
/** Client number prefixes and digit counts after the prefix, by country. */
const CLIENT_NUMBER: Record<string, { prefix: number; digits: number }> = {
	DE: { prefix: 4915, digits: 9 },
	US: { prefix: 1646, digits: 7 },
	GB: { prefix: 447, digits: 9 },
	NL: { prefix: 316, digits: 8 },
};

interface NumberDef {
	id: number;
	phone: string;
	nickname: string | null;
	country: string;
	type: 'normal' | 'sip' | 'caller_id';
	sms: boolean;
	active: boolean;
	ageDays: number;
}

const NUMBERS: readonly NumberDef[] = [
	{
		id: 101,
		phone: '+4930555010101',
		nickname: 'Sales line',
		country: 'DE',
		type: 'normal',
		sms: true,
		active: true,
		ageDays: 420,
	},
	{
		id: 102,
		phone: '+4989555020202',
		nickname: 'Support hotline',
		country: 'DE',
		type: 'normal',
		sms: true,
		active: true,
		ageDays: 400,
	},
	{
		id: 103,
		phone: '+31205550303',
		nickname: 'Benelux bookings',
		country: 'NL',
		type: 'normal',
		sms: true,
		active: true,
		ageDays: 35,
	},
	{
		id: 104,
		phone: '+12125550404',
		nickname: 'US survey line',
		country: 'US',
		type: 'normal',
		sms: true,
		active: true,
		ageDays: 300,
	},
	{
		id: 105,
		phone: '+442055500505',
		nickname: 'UK outreach',
		country: 'GB',
		type: 'normal',
		sms: false,
		active: true,
		ageDays: 200,
	},
	{
		id: 106,
		phone: '+31105550606',
		nickname: null,
		country: 'NL',
		type: 'normal',
		sms: true,
		active: false,
		ageDays: 380,
	},
	{
		id: 107,
		phone: '+4940555070707',
		nickname: 'PBX trunk',
		country: 'DE',
		type: 'sip',
		sms: false,
		active: true,
		ageDays: 250,
	},
	{
		id: 108,
		phone: '+14155550808',
		nickname: 'HQ caller ID',
		country: 'US',
		type: 'caller_id',
		sms: false,
		active: true,
		ageDays: 150,
	},
];

const TYPE_LABEL = { normal: 'Dedicated Number', sip: 'SIP Trunk', caller_id: 'Caller ID' } as const;

export interface AssistantDef {
	id: number;
	name: string;
	type: 'inbound' | 'outbound';
	numberId: number;
	/** Platform price per minute, units of 1e-8. */
	rate: number;
	maxDuration: number;
	medianDuration: number;
	language: string;
	/** Share of the account's normal traffic. */
	weight: number;
	/** Share of inbound/outbound (by assistant type) vs web calls. */
	phoneShare: number;
}

export const ASSISTANTS: readonly AssistantDef[] = [
	{
		id: 1201,
		name: 'Sales Assistant',
		type: 'outbound',
		numberId: 101,
		rate: 12_000_000,
		maxDuration: 900,
		medianDuration: 150,
		language: 'de',
		weight: 34,
		phoneShare: 0.92,
	},
	{
		id: 1202,
		name: 'Support Bot',
		type: 'inbound',
		numberId: 102,
		rate: 9_000_000,
		maxDuration: 1200,
		medianDuration: 200,
		language: 'de',
		weight: 30,
		phoneShare: 0.85,
	},
	{
		id: 1203,
		name: 'Booking Agent',
		type: 'inbound',
		numberId: 103,
		rate: 15_000_000,
		maxDuration: 600,
		medianDuration: 120,
		language: 'nl',
		weight: 21,
		phoneShare: 0.65,
	},
	{
		id: 1204,
		name: 'Survey Caller',
		type: 'outbound',
		numberId: 104,
		rate: 7_000_000,
		maxDuration: 300,
		medianDuration: 75,
		language: 'en',
		weight: 15,
		phoneShare: 1,
	},
];
const SALES = 0;
const SUPPORT = 1;
const BOOKING = 2;
const SURVEY = 3;

export interface CampaignDef {
	id: number;
	name: string;
	status: string;
	parallel: number;
	ageDays: number;
	/** The assistant (index) that runs it and the number (id) it calls from. */
	assistant: number;
	numberId: number;
}

export const CAMPAIGNS: readonly CampaignDef[] = [
	{ id: 301, name: 'Q4 Lead Follow-up', status: 'in-progress', parallel: 5, ageDays: 70, assistant: 0, numberId: 105 },
	{
		id: 302,
		name: 'Customer Feedback Survey',
		status: 'in-progress',
		parallel: 3,
		ageDays: 120,
		assistant: 3,
		numberId: 104,
	},
	{ id: 303, name: 'Black Friday Blitz', status: 'stopped', parallel: 10, ageDays: 9, assistant: 0, numberId: 101 },
];
const Q4 = 0;
const FEEDBACK = 1;
export const SPIKE_CAMPAIGN = 2;

export const CALL_TYPES: readonly CallType[] = ['inbound', 'outbound', 'web'];
export const INBOUND = 0;
export const OUTBOUND = 1;
export const WEB = 2;

export const FINAL_STATUSES = [
	'completed',
	'ended',
	'ended_by_customer',
	'ended_by_assistant',
	'busy',
	'no-answer',
	'failed',
] as const;
export const ALL_STATUSES = [
	'initiated',
	'ringing',
	'busy',
	'in-progress',
	'ended',
	'completed',
	'ended_by_customer',
	'ended_by_assistant',
	'no-answer',
	'failed',
];
const COMPLETED = 0;
const BUSY = 4;
const NO_ANSWER = 5;
const FAILED = 6;
/** Weights over FINAL_STATUSES. */
const OUTBOUND_STATUS_WEIGHTS = [62, 2, 10, 6, 6, 10, 4];
const INBOUND_STATUS_WEIGHTS = [72, 2, 16, 8, 0, 0, 2];
const SPIKE_STATUS_WEIGHTS = [45, 0, 10, 5, 12, 22, 6];

const ANSWERED_BY: readonly (string | null)[] = ['human', 'machine', 'unknown', null];
const ANSWERED_NULL = 3;

export interface Account {
	user: { name: string; email: string };
	phoneNumbers: RawPhoneNumber[];
	assistants: RawAssistant[];
	campaigns: RawCampaign[];
	/** Number index (into phoneNumbers) by number id. */
	numberIndex: Map<number, number>;
}

function uuidFor(name: string): string {
	const h = createHash('sha256').update(`famulor-sandbox:${name}`).digest('hex');
	return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The fixed account shape; only its timestamps depend on `nowSec`. */
export function buildAccount(nowSec: number): Account {
	const daysAgo = (d: number, hour = 9) => floor(nowSec / 86400 - d) * 86400 + hour * 3600;
	const phoneNumbers = NUMBERS.map(
		(n): RawPhoneNumber => ({
			id: n.id,
			phone_number: n.phone,
			nickname: n.nickname,
			country_code: n.country,
			type: n.type,
			type_label: TYPE_LABEL[n.type],
			sms_capable: n.sms,
			region: n.country === 'US' ? 'us1' : 'eu1',
			has_active_subscription: n.active,
			created_at: formatModelTime(daysAgo(n.ageDays, 10), 'iso'),
		}),
	);
	const assistants = ASSISTANTS.map(
		(a, i): RawAssistant => ({
			id: a.id,
			user_id: USER_ID,
			phone_number_id: a.numberId,
			name: a.name,
			type: a.type,
			mode: 'pipeline',
			status: 'active',
			language: a.language,
			max_duration: a.maxDuration,
			is_webhook_active: i === SALES,
			webhook_url: i === SALES ? 'https://hooks.example.com/famulor/post-call' : null,
			inbound_webhook_url: null,
			send_webhook_only_on_completed: true,
			include_recording_in_webhook: false,
			timezone: BUSINESS_TIMEZONE,
			uuid: uuidFor(a.name),
			created_at: formatModelTime(daysAgo(390 - i * 20), 'iso'),
			updated_at: formatModelTime(daysAgo(12 - i * 2, 15), 'iso'),
		}),
	);
	const campaigns = CAMPAIGNS.map(
		(c): RawCampaign => ({
			id: c.id,
			name: c.name,
			status: c.status,
			max_calls_in_parallel: c.parallel,
			mark_complete_when_no_leads: c.status === 'stopped',
			allowed_hours_start_time: '09:00',
			allowed_hours_end_time: '18:00',
			allowed_days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
			max_retries: 3,
			retry_interval: 60,
			created_at: formatModelTime(daysAgo(c.ageDays), 'iso'),
			updated_at: formatModelTime(daysAgo(min(c.ageDays, 2), 17), 'iso'),
		}),
	);
	return {
		user: { name: 'Sandbox Voice GmbH', email: 'billing@sandbox-voice.example' },
		phoneNumbers,
		assistants,
		campaigns,
		numberIndex: new Map(NUMBERS.map((n, i) => [n.id, i])),
	};
}

/** Fields of a number to add to an account; the rest defaults to a rented dedicated DE number. */
export type NewPhoneNumber = Partial<RawPhoneNumber> & { phone_number: string; created_at: string };

/**
 * Adds a number to the account, after the seeded ones (which stay as they are), so that tests can
 * put numbers of their own (bought on given days, released, SIP) and calls through them into the
 * sandbox. Unset fields: the next free id, type `normal`, an active subscription, no nickname.
 */
export function addPhoneNumber(account: Account, fields: NewPhoneNumber): RawPhoneNumber {
	const country = fields.country_code ?? 'DE';
	if (CARRIER_RATE[country] === undefined) {
		throw new Error(`No carrier rate for ${country}; use one of ${Object.keys(CARRIER_RATE).join(', ')}`);
	}
	// Calls store their number as an index below NONE.
	if (account.phoneNumbers.length >= NONE) throw new Error(`The sandbox holds at most ${NONE} numbers`);
	if (account.phoneNumbers.some((n) => n.phone_number === fields.phone_number)) {
		throw new Error(`The account already has ${fields.phone_number}`);
	}
	const id = fields.id ?? max(...account.phoneNumbers.map((n) => n.id)) + 1;
	if (account.numberIndex.has(id)) throw new Error(`The account already has a number with id ${id}`);
	const type = fields.type ?? 'normal';
	const number: RawPhoneNumber = {
		id,
		phone_number: fields.phone_number,
		nickname: fields.nickname ?? null,
		country_code: country,
		type,
		type_label: fields.type_label ?? TYPE_LABEL[type],
		sms_capable: fields.sms_capable ?? type === 'normal',
		region: fields.region ?? (country === 'US' ? 'us1' : 'eu1'),
		has_active_subscription: fields.has_active_subscription ?? true,
		created_at: fields.created_at,
	};
	account.numberIndex.set(id, account.phoneNumbers.length);
	account.phoneNumbers.push(number);
	return structuredClone(number);
}

// ---------------------------------------------------------------------------------------------
// The call store
// ---------------------------------------------------------------------------------------------

export const NONE = 255;
const DELETED = 1;
/** The call shows its stored fields verbatim, no in-progress phase (set when a status is given). */
const PINNED = 2;
const HAS_VARIABLES = 4;
const HAS_EVALUATION = 8;
const OVERRIDDEN = 16;

/** One call's stored fields (indices into the account's lists, costs in units of 1e-8). */
export interface CallRecord {
	id: number;
	created: number;
	duration: number;
	assistant: number;
	campaign: number;
	type: number;
	status: number;
	ownNumber: number;
	client: number;
	carrier: number;
	total: number;
	answeredBy: number;
	flags: number;
}

/** How to render: the instant, and whether to show the call as it will look once settled. */
export interface RenderView {
	nowSec: number;
	final?: boolean;
	style: TimestampStyle;
}

export class CallStore {
	count = 0;
	maxId = 0;
	maxDuration = 0;
	deletedCount = 0;
	/** Bumped on every change, for caches of query results. */
	version = 0;

	id: Int32Array;
	created: Uint32Array;
	duration: Int32Array;
	assistant: Uint8Array;
	campaign: Uint8Array;
	type: Uint8Array;
	status: Uint8Array;
	ownNumber: Uint8Array;
	client: Float64Array;
	carrier: Float64Array;
	total: Float64Array;
	answeredBy: Uint8Array;
	flags: Uint8Array;

	/** Fields set through addCall/updateCall that have no column (names, status text, …). */
	private readonly overrides = new Map<number, Partial<RawCall>>();
	private readonly updatedAt = new Map<number, number>();
	private order = new Int32Array(0);
	private orderedCount = 0;
	private orderStale = false;

	constructor(
		readonly account: Account,
		readonly settleLagSeconds: number,
		capacity = 1024,
	) {
		this.id = new Int32Array(capacity);
		this.created = new Uint32Array(capacity);
		this.duration = new Int32Array(capacity);
		this.assistant = new Uint8Array(capacity);
		this.campaign = new Uint8Array(capacity);
		this.type = new Uint8Array(capacity);
		this.status = new Uint8Array(capacity);
		this.ownNumber = new Uint8Array(capacity);
		this.client = new Float64Array(capacity);
		this.carrier = new Float64Array(capacity);
		this.total = new Float64Array(capacity);
		this.answeredBy = new Uint8Array(capacity);
		this.flags = new Uint8Array(capacity);
	}

	push(r: CallRecord): number {
		if (this.count === this.id.length) this.grow(max(1024, ceil(this.count * 1.5)));
		const i = this.count++;
		this.id[i] = r.id;
		this.created[i] = r.created;
		this.duration[i] = r.duration;
		this.assistant[i] = r.assistant;
		this.campaign[i] = r.campaign;
		this.type[i] = r.type;
		this.status[i] = r.status;
		this.ownNumber[i] = r.ownNumber;
		this.client[i] = r.client;
		this.carrier[i] = r.carrier;
		this.total[i] = r.total;
		this.answeredBy[i] = r.answeredBy;
		this.flags[i] = r.flags;
		if (r.id > this.maxId) this.maxId = r.id;
		if (r.duration > this.maxDuration) this.maxDuration = r.duration;
		this.version++;
		return i;
	}

	private grow(capacity: number): void {
		const grow = <T extends Int32Array | Uint32Array | Uint8Array | Float64Array>(a: T): T => {
			const next = new (a.constructor as new (n: number) => T)(capacity);
			next.set(a);
			return next;
		};
		this.id = grow(this.id);
		this.created = grow(this.created);
		this.duration = grow(this.duration);
		this.assistant = grow(this.assistant);
		this.campaign = grow(this.campaign);
		this.type = grow(this.type);
		this.status = grow(this.status);
		this.ownNumber = grow(this.ownNumber);
		this.client = grow(this.client);
		this.carrier = grow(this.carrier);
		this.total = grow(this.total);
		this.answeredBy = grow(this.answeredBy);
		this.flags = grow(this.flags);
	}

	/** Storage index of a call id (deleted calls included), or -1. */
	indexOf(id: number): number {
		// Seeded ids ascend with storage order; added calls are appended with higher ids.
		let lo = 0;
		let hi = this.count - 1;
		while (lo <= hi) {
			const mid = (lo + hi) >> 1;
			if (this.id[mid] === id) return mid;
			if (this.id[mid] < id) lo = mid + 1;
			else hi = mid - 1;
		}
		return -1;
	}

	isDeleted(i: number): boolean {
		return (this.flags[i] & DELETED) !== 0;
	}

	/** When calls appear in the list, for those listed later than their created_at (sec), by storage index. */
	private readonly listed = new Map<number, number>();

	/** Lists call `i` only from `sec` on (at its created_at place). */
	listAt(i: number, sec: number): void {
		if (sec > this.created[i]) this.listed.set(i, sec);
		else this.listed.delete(i);
		this.version++;
	}

	/** When call `i` appears in the list (its created_at unless listed late). */
	listedAt(i: number): number {
		return this.listed.get(i) ?? this.created[i];
	}

	/** Whether some call is still waiting to be listed at `nowSec`. */
	listedLater(nowSec: number): boolean {
		for (const sec of this.listed.values()) if (sec > nowSec) return true;
		return false;
	}

	delete(i: number): void {
		if (this.isDeleted(i)) return;
		this.flags[i] |= DELETED;
		this.deletedCount++;
		this.version++;
	}

	/** Storage indices of all stored calls (deleted too), sorted by (created_at, id) ascending. */
	sorted(): Int32Array {
		if (this.order.length < this.count) {
			const next = new Int32Array(this.id.length);
			next.set(this.order.subarray(0, this.orderedCount));
			this.order = next;
		}
		if (!this.orderStale) {
			// Fast path: appended calls that come after the last sorted one.
			while (this.orderedCount < this.count) {
				const i = this.orderedCount;
				const last = i > 0 ? this.order[i - 1] : -1;
				if (last >= 0 && this.compare(last, i) > 0) {
					this.orderStale = true;
					break;
				}
				this.order[i] = i;
				this.orderedCount++;
			}
		}
		if (this.orderStale) {
			const all = Array.from({ length: this.count }, (_, k) => k).sort((a, b) => this.compare(a, b));
			this.order.set(all);
			this.orderedCount = this.count;
			this.orderStale = false;
		}
		return this.order.subarray(0, this.count);
	}

	private compare(a: number, b: number): number {
		return this.created[a] - this.created[b] || this.id[a] - this.id[b];
	}

	/** First position in sorted() whose created_at >= sec. */
	lowerBound(sec: number): number {
		const order = this.sorted();
		let lo = 0;
		let hi = order.length;
		while (lo < hi) {
			const mid = (lo + hi) >> 1;
			if (this.created[order[mid]] < sec) lo = mid + 1;
			else hi = mid;
		}
		return lo;
	}

	/** First position in sorted() whose created_at > sec. */
	upperBound(sec: number): number {
		const order = this.sorted();
		let lo = 0;
		let hi = order.length;
		while (lo < hi) {
			const mid = (lo + hi) >> 1;
			if (this.created[order[mid]] <= sec) lo = mid + 1;
			else hi = mid;
		}
		return lo;
	}

	// --- lifecycle ---------------------------------------------------------------------------

	/** The instant the call shows its final status and costs. */
	settleTime(i: number): number {
		if (this.flags[i] & PINNED) return this.created[i];
		return this.created[i] + this.duration[i] + this.settleLagSeconds;
	}

	isSettled(i: number, nowSec: number): boolean {
		return nowSec >= this.settleTime(i);
	}

	// --- effective fields (for filters) ------------------------------------------------------

	private override(i: number): Partial<RawCall> | undefined {
		return this.flags[i] & OVERRIDDEN ? this.overrides.get(i) : undefined;
	}

	statusAt(i: number, nowSec: number): string {
		if (!this.isSettled(i, nowSec)) return 'in-progress';
		return this.override(i)?.status ?? FINAL_STATUSES[this.status[i]];
	}

	typeOf(i: number): string {
		return this.override(i)?.type ?? CALL_TYPES[this.type[i]];
	}

	assistantName(i: number): string {
		return this.override(i)?.assistant_name ?? ASSISTANTS[this.assistant[i]].name;
	}

	campaignName(i: number): string | null {
		const o = this.override(i);
		if (o && o.campaign_name !== undefined) return o.campaign_name;
		return this.campaign[i] === NONE ? null : CAMPAIGNS[this.campaign[i]].name;
	}

	/** True when the client number equals `phone` (digits of an E.164 number parsed as `numeric`). */
	clientIs(i: number, phone: string, numeric: number): boolean {
		const o = this.override(i);
		if (o?.client_phone_number !== undefined) return o.client_phone_number === phone;
		return this.client[i] === numeric;
	}

	totalUnits(i: number): number {
		return this.total[i];
	}

	// --- mutation ----------------------------------------------------------------------------

	/**
	 * Applies API-shaped fields to a stored call. Numeric fields go to their columns; a `status`
	 * pins the call (shown verbatim, without an in-progress phase); other fields are kept verbatim.
	 */
	patch(i: number, patch: Partial<RawCall>): void {
		const rest: Partial<RawCall> = { ...patch };
		delete rest.id;
		if (rest.created_at !== undefined) {
			this.created[i] = parseTime(rest.created_at);
			this.orderStale = true;
			delete rest.created_at;
		}
		if (rest.updated_at !== undefined) {
			this.updatedAt.set(i, parseTime(rest.updated_at));
			delete rest.updated_at;
		}
		if (rest.duration !== undefined) {
			this.duration[i] = rest.duration;
			if (rest.duration > this.maxDuration) this.maxDuration = rest.duration;
			delete rest.duration;
		}
		if (rest.carrier_cost !== undefined) {
			this.carrier[i] = parseUnits(rest.carrier_cost);
			delete rest.carrier_cost;
		}
		if (rest.total_cost !== undefined) {
			this.total[i] = parseUnits(rest.total_cost);
			delete rest.total_cost;
		}
		if (rest.status !== undefined) this.flags[i] |= PINNED;
		if (Object.keys(rest).length > 0) {
			this.overrides.set(i, { ...this.overrides.get(i), ...rest });
			this.flags[i] |= OVERRIDDEN;
		}
		this.version++;
	}

	/** Sets the call's updated_at (an update without an explicit updated_at happens "now"). */
	touch(i: number, nowSec: number): void {
		this.updatedAt.set(i, nowSec);
	}

	// --- rendering ---------------------------------------------------------------------------

	render(i: number, view: RenderView): RawCall {
		const id = this.id[i];
		const created = this.created[i];
		const settled = view.final === true || this.isSettled(i, view.nowSec);
		const override = this.override(i);
		const styleOf = (field: 'created' | 'updated'): 'iso' | 'naive' => {
			if (view.style !== 'mixed') return view.style;
			return (field === 'created' ? id % 3 === 0 : id % 2 === 0) ? 'naive' : 'iso';
		};
		const ownIdx = this.ownNumber[i];
		const connected = this.duration[i] > 0;
		const assistantName = ASSISTANTS[this.assistant[i]].name;
		const call: RawCall = {
			id,
			assistant_name: assistantName,
			campaign_name: this.campaign[i] === NONE ? null : CAMPAIGNS[this.campaign[i]].name,
			type: CALL_TYPES[this.type[i]],
			duration: this.duration[i],
			assistant_phone_number: ownIdx === NONE ? null : this.account.phoneNumbers[ownIdx].phone_number,
			client_phone_number: `+${this.client[i]}`,
			status: FINAL_STATUSES[this.status[i]],
			transcript: connected ? transcriptFor(assistantName, created) : [],
			variables: this.flags[i] & HAS_VARIABLES ? variablesFor(id, this.campaign[i]) : [],
			evaluation: this.flags[i] & HAS_EVALUATION ? evaluationFor(id) : [],
			webhook_response: null,
			carrier_cost: formatUnits(this.carrier[i]),
			total_cost: formatUnits(this.total[i]),
			answered_by: ANSWERED_BY[this.answeredBy[i]],
			recording_url: null,
			created_at: formatTime(created, styleOf('created')),
			updated_at: formatTime(this.updatedAt.get(i) ?? this.settleTime(i), styleOf('updated')),
		};
		if (override) Object.assign(call, override);
		if (!settled) {
			call.status = 'in-progress';
			call.duration = 0;
			call.carrier_cost = formatUnits(0);
			call.total_cost = formatUnits(0);
			call.transcript = [];
			call.evaluation = [];
			call.answered_by = null;
			call.updated_at = call.created_at;
		}
		return call;
	}
}

function transcriptFor(assistant: string, created: number): TranscriptEntry[] {
	return [
		{
			text: `Hello, this is the ${assistant}. How can I help you today?`,
			type: 'transcript',
			sender: 'bot',
			timestamp: created + 1.52,
		},
		{
			text: 'Hi, I have a quick question about my order.',
			type: 'transcript',
			sender: 'human',
			timestamp: created + 6.08,
		},
	];
}

function variablesFor(id: number, campaign: number): Record<string, unknown> {
	if (campaign === NONE) return { appointment_booked: id % 2 === 0, preferred_language: 'de' };
	return { lead_id: 50_000 + (id % 10_000), customer_name: `Lead ${id % 997}` };
}

function evaluationFor(id: number): EvaluationEntry[] {
	return [{ name: 'interested', type: 'bool', value: id % 3 !== 0, description: 'Did the customer show interest?' }];
}

// ---------------------------------------------------------------------------------------------
// Costs
// ---------------------------------------------------------------------------------------------

/** Platform cost: rate × max(duration, 30) / 60 for connected calls, rounded to 1e-8. */
export function platformUnits(assistant: number, duration: number): number {
	if (duration <= 0) return 0;
	return round((ASSISTANTS[assistant].rate * max(duration, 30)) / 60);
}

/** Carrier cost: started minutes × the number's country rate (0 for web calls and SIP trunks). */
export function carrierUnits(account: Account, ownNumber: number, duration: number): number {
	if (ownNumber === NONE || duration <= 0) return 0;
	const number = account.phoneNumbers[ownNumber];
	if (number.type === 'sip') return 0;
	return ceil(duration / 60) * CARRIER_RATE[number.country_code];
}

// ---------------------------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------------------------

export interface GenerateOptions {
	seed: number;
	calls: number;
	days: number;
	futureDays: number;
	nowSec: number;
	spikeSec: number;
	settleLagSeconds: number;
}

const HOUR_FACTOR = [
	0.04, 0.03, 0.02, 0.02, 0.02, 0.04, 0.1, 0.3, 0.8, 1, 1, 1, 0.7, 0.95, 1, 1, 0.9, 0.6, 0.35, 0.18, 0.14, 0.1, 0.07,
	0.05,
];
/** Luxon weekday 1 = Monday … 7 = Sunday. */
const WEEKDAY_FACTOR = [0, 1.1, 1, 1, 1, 0.9, 0.35, 0.2];
/** The spike window holds ~8× a normal busy hour: 7× extra from the spike campaign. */
const SPIKE_EXTRA = 7;
const SPIKE_SECONDS = 3600;
/** Black Friday Blitz warms up with a trickle of calls in the days before its spike. */
const WARM_UP_SECONDS = 5 * 86400;
/** Seconds before `now` of the calls still running when the sandbox starts. */
const LIVE_CALL_AGES = [95, 20];

/** Hourly traffic weight, by local time in the business timezone, with day-to-day noise. */
function hourlyWeights(startSec: number, hours: number, rng: Rng): Float64Array {
	const weights = new Float64Array(hours);
	const dayNoise = new Map<string, number>();
	for (let h = 0; h < hours; h++) {
		const local = DateTime.fromSeconds(startSec + h * 3600, { zone: BUSINESS_TIMEZONE });
		const day = local.toISODate() ?? '';
		let noise = dayNoise.get(day);
		if (noise === undefined) {
			noise = 0.85 + rng() * 0.3;
			dayNoise.set(day, noise);
		}
		weights[h] = HOUR_FACTOR[local.hour] * WEEKDAY_FACTOR[local.weekday] * noise;
	}
	return weights;
}

/** A Poisson-distributed count (normal approximation for large means). */
function poisson(rng: Rng, mean: number): number {
	if (mean > 30) {
		const gaussian = sqrt(-2 * log(1 - rng())) * cos(2 * PI * rng());
		return max(0, round(mean + sqrt(mean) * gaussian));
	}
	const limit = exp(-mean);
	let k = 0;
	for (let p = rng(); p > limit; p *= rng()) k++;
	return k;
}

/** Sorted call times: per-slot counts from the weights, uniform times inside each slot. */
function slotTimes(startSec: number, weights: Float64Array, scale: number, rng: Rng, endSec: number): Float64Array {
	const counts = new Int32Array(weights.length);
	let total = 0;
	for (let h = 0; h < weights.length; h++) {
		counts[h] = poisson(rng, weights[h] * scale);
		total += counts[h];
	}
	const times = new Float64Array(total);
	let k = 0;
	for (let h = 0; h < weights.length; h++) {
		const from = startSec + h * 3600;
		const span = min(3600, endSec - from);
		const begin = k;
		for (let c = 0; c < counts[h]; c++) times[k++] = from + floor(rng() * span);
		times.subarray(begin, k).sort();
	}
	return times;
}

/** Generates the seeded calls: `calls` over the past `days`, plus `futureDays` more at the same rate. */
export function generateCalls(account: Account, opts: GenerateOptions): CallStore {
	const rng = createRng(opts.seed, 1);
	const pastStart = opts.nowSec - opts.days * 86400;
	const pastHours = ceil(opts.days * 24);
	const futureHours = ceil(opts.futureDays * 24);
	const pastWeights = hourlyWeights(pastStart, pastHours, rng);
	const futureWeights = hourlyWeights(opts.nowSec, futureHours, rng);

	const spikeInPast = opts.spikeSec >= pastStart && opts.spikeSec < opts.nowSec;
	let weightSum = spikeInPast ? SPIKE_EXTRA : 0;
	for (const w of pastWeights) weightSum += w;
	const scale = weightSum > 0 ? opts.calls / weightSum : 0;

	// Two live calls at `now`, so a fresh sandbox always shows unsettled calls.
	const sampled = slotTimes(pastStart, pastWeights, scale, rng, opts.nowSec);
	const past = new Float64Array(sampled.length + LIVE_CALL_AGES.length);
	past.set(sampled);
	LIVE_CALL_AGES.forEach((age, k) => (past[sampled.length + k] = opts.nowSec - age));
	past.sort();
	const future = slotTimes(opts.nowSec + 1, futureWeights, scale, rng, opts.nowSec + 1 + opts.futureDays * 86400);
	const spikeCount = round(SPIKE_EXTRA * scale);
	const spike = new Float64Array(spikeCount);
	for (let k = 0; k < spikeCount; k++) spike[k] = opts.spikeSec + floor(rng() * SPIKE_SECONDS);
	spike.sort();

	const store = new CallStore(account, opts.settleLagSeconds, max(1024, past.length + future.length + spikeCount));
	const generator = new CallGenerator(account, rng, opts.spikeSec, opts.nowSec - 30 * 86400);
	let id = 480_000 + floor(rng() * 20_000);
	let p = 0;
	let f = 0;
	let s = 0;
	const record = generator.record;
	while (p < past.length || f < future.length || s < spike.length) {
		const base = p < past.length ? past[p] : f < future.length ? future[f] : Infinity;
		if (s < spike.length && spike[s] < base) {
			generator.campaignCall(spike[s++], SPIKE_CAMPAIGN, SALES, true);
		} else {
			generator.normalCall(base);
			if (p < past.length) p++;
			else f++;
		}
		id += rng() < 0.04 ? 2 + floor(rng() * 3) : 1; // occasional gaps (deleted calls)
		record.id = id;
		store.push(record);
	}
	store.version = 0;
	return store;
}

/** Fills one reusable record per call; the choices follow the account's routing. */
export class CallGenerator {
	readonly record: CallRecord = {
		id: 0,
		created: 0,
		duration: 0,
		assistant: 0,
		campaign: NONE,
		type: 0,
		status: 0,
		ownNumber: NONE,
		client: 0,
		carrier: 0,
		total: 0,
		answeredBy: ANSWERED_NULL,
		flags: 0,
	};
	private readonly assistantWeights = ASSISTANTS.map((a) => a.weight);
	/** Distinct client numbers per country, so clients call (and get called) repeatedly. */
	private readonly clientPool = 400;

	constructor(
		private readonly account: Account,
		readonly rng: Rng,
		/** Start of the spike window; the spike campaign warms up in the days before it. */
		private readonly spikeSec: number,
		/** Before this instant the Booking Agent answered on the old NL number (106). */
		private readonly numberSwitchSec: number,
	) {}

	/** A call of the account's everyday traffic (campaign calls included). */
	normalCall(created: number, assistant = pick(this.rng, this.assistantWeights)): void {
		const rng = this.rng;
		const def = ASSISTANTS[assistant];
		const type = rng() >= def.phoneShare ? WEB : def.type === 'inbound' ? INBOUND : OUTBOUND;
		if (type === OUTBOUND) {
			const campaign = this.campaignFor(assistant, created);
			if (campaign !== NONE) return this.campaignCall(created, campaign, assistant);
		}
		const r = this.record;
		r.created = created;
		r.assistant = assistant;
		r.campaign = NONE;
		r.type = type;
		r.ownNumber = type === WEB ? NONE : this.ownNumberFor(assistant, type, created);
		const home = this.account.phoneNumbers[this.numberIdx(def.numberId)].country_code;
		const country = r.ownNumber === NONE ? home : this.account.phoneNumbers[r.ownNumber].country_code;
		const weights = type === OUTBOUND ? OUTBOUND_STATUS_WEIGHTS : INBOUND_STATUS_WEIGHTS;
		this.finish(pick(rng, weights), def.medianDuration, country, type === OUTBOUND ? 0.15 : 0);
	}

	/** An outbound campaign call; `spike` gives the spike's shorter calls and more voicemail. */
	campaignCall(created: number, campaign: number, assistant = CAMPAIGNS[campaign].assistant, spike = false): void {
		const r = this.record;
		r.created = created;
		r.assistant = assistant;
		r.campaign = campaign;
		r.type = OUTBOUND;
		r.ownNumber =
			campaign === FEEDBACK
				? this.ownNumberFor(SURVEY, OUTBOUND, created)
				: this.numberIdx(CAMPAIGNS[campaign].numberId);
		const country = this.account.phoneNumbers[r.ownNumber].country_code;
		const weights = spike ? SPIKE_STATUS_WEIGHTS : OUTBOUND_STATUS_WEIGHTS;
		const median = spike ? 50 : ASSISTANTS[assistant].medianDuration;
		this.finish(pick(this.rng, weights), median, country, spike ? 0.35 : 0.15);
	}

	private numberIdx(id: number): number {
		return this.account.numberIndex.get(id) ?? NONE;
	}

	private campaignFor(assistant: number, created: number): number {
		const roll = this.rng();
		if (assistant === SALES) {
			const warmUp = created >= this.spikeSec - WARM_UP_SECONDS && created < this.spikeSec;
			if (warmUp && roll < 0.1) return SPIKE_CAMPAIGN;
			return roll < 0.55 ? Q4 : NONE;
		}
		if (assistant === SURVEY) return roll < 0.8 ? FEEDBACK : NONE;
		return NONE;
	}

	private ownNumberFor(assistant: number, type: number, created: number): number {
		if (assistant === SUPPORT && type === INBOUND && this.rng() < 0.25) return this.numberIdx(107); // SIP trunk
		if (assistant === BOOKING && type === INBOUND && created < this.numberSwitchSec) return this.numberIdx(106);
		if (assistant === SURVEY && this.rng() < 0.3) return this.numberIdx(108); // caller ID
		return this.numberIdx(ASSISTANTS[assistant].numberId);
	}

	/** Status, duration, client number, costs and extras for the chosen route. */
	private finish(status: number, median: number, country: string, machineShare: number): void {
		const rng = this.rng;
		const r = this.record;
		const def = ASSISTANTS[r.assistant];
		r.status = status;
		const connected = status !== BUSY && status !== NO_ANSWER && status !== FAILED;
		if (connected) {
			const spread = exp((rng() + rng() + rng() - 1.5) * 1.2);
			r.duration = max(3, min(def.maxDuration, round(median * spread)));
		} else {
			r.duration = 0;
		}
		r.client = clientNumber(country, floor(rng() * this.clientPool));
		r.carrier = carrierUnits(this.account, r.ownNumber, r.duration);
		if (!connected && status !== FAILED && r.type === OUTBOUND && rng() < 0.3) r.carrier = SET_UP_FEE;
		r.total = platformUnits(r.assistant, r.duration) + r.carrier;
		if (r.type === WEB) r.answeredBy = ANSWERED_NULL;
		else if (r.type === INBOUND || !connected) r.answeredBy = connected ? 0 : 2;
		else r.answeredBy = rng() < machineShare ? 1 : rng() < 0.05 ? 2 : 0;
		r.flags = 0;
		if (connected && (r.campaign !== NONE || (r.assistant === BOOKING && status === COMPLETED)))
			r.flags |= HAS_VARIABLES;
		if (connected && status === COMPLETED && def.type === 'outbound') r.flags |= HAS_EVALUATION;
	}
}

/** Carrier set-up fee some unanswered outbound calls carry (units of 1e-8). */
const SET_UP_FEE = 100_000;

/** The n-th client number of a country, as the digits of its E.164 form. */
export function clientNumber(country: string, n: number): number {
	const numbering = CLIENT_NUMBER[country] ?? CLIENT_NUMBER.DE;
	const local = (n * 7_919 + 1_000_003 * (numbering.prefix % 97)) % 10 ** numbering.digits;
	return numbering.prefix * 10 ** numbering.digits + local;
}

/**
 * Appends `n` generated calls spread uniformly over [fromSec, toSec), optionally all from one
 * assistant and/or campaign; ids continue above the highest stored id. Returns storage indices.
 */
export function appendCalls(
	store: CallStore,
	generator: CallGenerator,
	n: number,
	fromSec: number,
	toSec: number,
	forced: { assistant?: number; campaign?: number } = {},
): number[] {
	const times = new Float64Array(n);
	for (let k = 0; k < n; k++) times[k] = fromSec + floor(generator.rng() * max(1, toSec - fromSec));
	times.sort();
	const added: number[] = [];
	for (const t of times) {
		if (forced.campaign !== undefined) generator.campaignCall(t, forced.campaign, forced.assistant);
		else generator.normalCall(t, forced.assistant);
		generator.record.id = store.maxId + 1;
		added.push(store.push(generator.record));
	}
	return added;
}
