/**
 * Response schemas at the API boundary (zod). Tolerant of the documented variants — costs as
 * 8-decimal strings or numbers, ISO or naive timestamps, `variables` as `[]` — and strict about the
 * fields the package computes with. Unknown extra fields pass through untouched.
 */
import { z } from 'zod';
import { parseTimestamp, TIMESTAMP_FORMS } from '../../calls';

const money = z.union([z.string(), z.number()]);
const nullableString = z.string().nullish();
const idSchema = z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]);

export const meSchema = z
	.object({
		name: z.string().nullish(),
		email: z.string().nullish(),
		total_balance: money,
	})
	.passthrough();
export type RawMe = z.infer<typeof meSchema>;

export const callSchema = z
	.object({
		id: idSchema,
		assistant_name: nullableString,
		campaign_name: nullableString,
		type: nullableString,
		duration: z
			.union([
				z.number(),
				z
					.string()
					.regex(/^\d+(\.\d+)?$/)
					.transform(Number),
			])
			.nullish(),
		assistant_phone_number: nullableString,
		client_phone_number: nullableString,
		status: nullableString,
		carrier_cost: money.nullish(),
		total_cost: money.nullish(),
		answered_by: nullableString,
		created_at: z.string(),
		updated_at: nullableString,
	})
	.passthrough();
export type RawCall = z.infer<typeof callSchema>;

/** Laravel LengthAwarePaginator, top-level. Items are validated one by one (see client) to name the bad field. */
export const paginatorSchema = z
	.object({
		data: z.array(z.unknown()),
		current_page: z.union([z.number(), z.string().transform(Number)]).optional(),
		last_page: z.union([z.number(), z.string().transform(Number)]).optional(),
		per_page: z.union([z.number(), z.string().transform(Number)]).optional(),
		total: z.union([z.number(), z.string().transform(Number)]).optional(),
		next_page_url: z.string().nullish(),
	})
	.passthrough();
export type RawPage = z.infer<typeof paginatorSchema>;

export const phoneNumberSchema = z
	.object({
		id: idSchema,
		phone_number: z.string(),
		nickname: nullableString,
		country_code: nullableString,
		type: z.string(),
		type_label: nullableString,
		has_active_subscription: z.boolean().nullish(),
		// The rental's start: renewals are estimated from it, so it must be a real date in a documented form.
		created_at: z
			.string()
			.refine((text) => !Number.isNaN(parseTimestamp(text)), `is not a timestamp (${TIMESTAMP_FORMS})`)
			.nullish(),
	})
	.passthrough();
export type RawPhoneNumber = z.infer<typeof phoneNumberSchema>;

/** `{data:[…]}` or a bare array. */
export const listSchema = z.union([z.array(z.unknown()), z.object({ data: z.array(z.unknown()) }).passthrough()]);

export const assistantSchema = z
	.object({
		id: idSchema,
		name: z.string(),
		phone_number_id: idSchema.nullish(),
		type: nullableString,
		status: nullableString,
	})
	.passthrough();
export type RawAssistant = z.infer<typeof assistantSchema>;

export const campaignSchema = z
	.object({
		id: idSchema,
		name: z.string(),
		status: nullableString,
	})
	.passthrough();
export type RawCampaign = z.infer<typeof campaignSchema>;

/** Describes the first problem of a failed parse as "field `x`: expected …". */
export function describeIssue(error: z.ZodError): string {
	const issue = error.issues[0];
	if (!issue) return 'unexpected shape';
	const path = issue.path.length ? issue.path.join('.') : '(root)';
	return `field \`${path}\`: ${issue.message}`;
}
