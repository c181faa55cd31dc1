/**
 * Plan mode of the charge summary: the account's plan for the period (the prorated fee, included and
 * overage seconds), each bucket's share of it, and the plan as the summary shows it. The plan fee and
 * the overage are account-level: buckets (clients, or the account alone) share them in proportion to
 * their billable seconds, in whole cents by the largest-remainder method (allocateCents in cents.ts).
 */
import { prorateUnits, toAmount, toCents } from '../money';
import { allocateCents } from './cents';
import type { AccountPlan, PlanPart } from './lines';
import { prorateMonthly, type PeriodShare } from './proration';
import type { ChargeSummaryConfig, PlanInfo } from './types';

/** What a bucket brings to the sharing of the plan. */
export interface PlanSharer {
	billableSeconds: number;
	/** Takes an equal part when no bucket has billable seconds (a configured client, or the account). */
	sharesWhenIdle: boolean;
}

/** Plan mode: the plan fee, included seconds and overage of the whole account for the period. */
export function accountPlan(
	config: ChargeSummaryConfig,
	billableSeconds: number,
	share: PeriodShare,
): AccountPlan | null {
	const terms = config.plan;
	if (config.pricingMode !== 'plan' || !terms) return null;
	const includedSeconds = prorateMonthly(terms.includedSeconds, share);
	const overageSeconds = Math.max(0, billableSeconds - includedSeconds);
	return { terms, feeUnits: prorateMonthly(terms.planFee, share), includedSeconds, overageSeconds };
}

/**
 * Each bucket's part of the account's plan fee and overage: in proportion to its billable seconds, in
 * whole cents. Without any billable seconds, equal parts for the configured clients (or the account).
 */
export function planParts(plan: AccountPlan, sharers: PlanSharer[]): PlanPart[] {
	let weights = sharers.map((sharer) => sharer.billableSeconds);
	if (weights.every((weight) => weight === 0)) {
		weights = sharers.map((sharer) => (sharer.sharesWhenIdle ? 1 : 0));
	}
	const weightSum = weights.reduce((a, b) => a + b, 0);
	const overageUnits = prorateUnits(plan.terms.overageRate, plan.overageSeconds, 60);
	const none = weights.map(() => 0);
	const feeCents = allocateCents(toCents(plan.feeUnits), weights) ?? none;
	const overageCents = allocateCents(toCents(overageUnits), weights) ?? none;
	return weights.map((weight, index) => ({
		...plan,
		fraction: weight / weightSum,
		feeCents: feeCents[index] ?? 0,
		overageCents: overageCents[index] ?? 0,
	}));
}

/** The plan as a summary shows it (plan mode), or null. */
export function planInfo(config: ChargeSummaryConfig): PlanInfo | null {
	const plan = config.plan;
	if (config.pricingMode !== 'plan' || !plan) return null;
	return {
		name: plan.name,
		label: plan.label,
		includedMinutes: plan.includedMinutes,
		planFee: toAmount(plan.planFee),
		overageRate: toAmount(plan.overageRate),
	};
}
