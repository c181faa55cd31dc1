/**
 * Famulor Classic's rows of the account's other lists (schemas.ts) as the core's shapes
 * (src/api/account.ts).
 */
import { parseMoney } from '../../money';
import type { Account, Assistant, Campaign, PhoneNumber } from '../account';
import type { RawAssistant, RawCampaign, RawMe, RawPhoneNumber } from './schemas';

export function toPhoneNumber(raw: RawPhoneNumber): PhoneNumber {
	return {
		id: raw.id,
		phoneNumber: raw.phone_number,
		nickname: raw.nickname ?? null,
		countryCode: raw.country_code ?? null,
		type: raw.type,
		subscribed: raw.has_active_subscription === true,
		createdAt: raw.created_at ?? null,
	};
}

export function toAssistant(raw: RawAssistant): Assistant {
	return { id: raw.id, name: raw.name, phoneNumberId: raw.phone_number_id ?? null };
}

export function toCampaign(raw: RawCampaign): Campaign {
	return { id: raw.id, name: raw.name };
}

/** The account of `GET /user/me`; an unreadable `total_balance` fails as parseMoney says. */
export function toAccount(raw: RawMe): Account {
	return { name: raw.name ?? null, email: raw.email ?? null, balance: parseMoney(raw.total_balance) };
}
