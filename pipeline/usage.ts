import type { TeamSpec } from '../constructs/index.js';
import type { ObservedTeam } from './reconcile.js';

/** `status.ai.usage`: what the team has spent of its budget, from the one `/team/info` read a run makes anyway. */
export interface UsageStatus {
  /** USD spent since the last budget reset, as LiteLLM counts it. */
  readonly spendUsd: number;
  /** The tier's budget per period. */
  readonly maxBudgetUsd: number;
  /** spendUsd / maxBudgetUsd in percent, one decimal: the `Budget Used %` column. */
  readonly budgetUsedPercent: number;
  /** The tier's budget period (LiteLLM duration). */
  readonly budgetDuration: string;
  /** When LiteLLM next resets the spend; absent until a run has read it for the current period. */
  readonly budgetResetsAt?: string;
}

const ISO_ZONE = /(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Usage from the team row this run observed. The budget is the desired one (a run that changed the
 * tier has just applied it); the spend is LiteLLM's, which a team update never resets. A row read
 * before this run changed the budget period carries the old period's reset time, so it is left out.
 * A team created by this very run has spent nothing yet. Pure, so a status changes only when LiteLLM's
 * numbers do.
 */
export function usageStatus(observed: ObservedTeam | null, desired: TeamSpec): UsageStatus {
  const spend = typeof observed?.spend === 'number' && Number.isFinite(observed.spend) && observed.spend > 0 ? observed.spend : 0;
  const usage: UsageStatus = {
    // Four decimals: LiteLLM counts fractions of a cent, and a first cheap call should show.
    spendUsd: Math.round(spend * 10_000) / 10_000,
    maxBudgetUsd: desired.max_budget,
    budgetUsedPercent: Math.round((spend / desired.max_budget) * 1000) / 10,
    budgetDuration: desired.budget_duration,
  };
  const resetsAt = observed?.budget_duration === desired.budget_duration ? isoInstant(observed.budget_reset_at) : undefined;
  return resetsAt ? { ...usage, budgetResetsAt: resetsAt } : usage;
}

/** LiteLLM writes Python isoformat, with or without an offset (UTC either way); anything else is dropped. */
function isoInstant(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 64) return undefined;
  const ms = Date.parse(ISO_ZONE.test(value) ? value : `${value}Z`);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}
