/**
 * The account's other lists as the core sees them, beside the call list (port.ts): the phone numbers,
 * the assistants, the campaigns and the balance. Each is a narrow port an API adapter implements
 * (Famulor Classic: src/api/classic/client.ts, which maps its own rows onto these shapes); core modules
 * ask for the one they read, never for a concrete client.
 */
import type { Units } from '../money';

/** A Famulor phone number. */
export interface PhoneNumber {
	id: number;
	/** The number as Famulor shows it (E.164 as a rule). */
	phoneNumber: string;
	nickname: string | null;
	/** ISO 3166 country code, as Famulor states it. */
	countryCode: string | null;
	/** `normal` (a rented number), or a SIP trunk or caller ID, which have no monthly fee. */
	type: string;
	/** Whether its monthly subscription is active (a rented number that renews). */
	subscribed: boolean;
	/** When it was bought: a timestamp parseTimestamp (src/calls.ts) reads; null when not stated. */
	createdAt: string | null;
}

export interface Assistant {
	id: number;
	name: string;
	/** The id of the phone number it uses, if any. */
	phoneNumberId: number | null;
}

export interface Campaign {
	id: number;
	name: string;
}

/** The account itself: who it is and its balance. */
export interface Account {
	name: string | null;
	email: string | null;
	balance: Units;
}

export interface NumberSource {
	phoneNumbers(): Promise<PhoneNumber[]>;
}

export interface AssistantSource {
	/** Every assistant of the account. */
	assistants(): Promise<Assistant[]>;
}

export interface CampaignSource {
	campaigns(): Promise<Campaign[]>;
}

export interface AccountSource {
	account(): Promise<Account>;
}
